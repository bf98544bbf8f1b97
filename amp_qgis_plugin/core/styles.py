"""Default QGIS styles for output layers, stored inside GeoPackages.

QGIS reads the ``layer_styles`` table of a GeoPackage and applies the row marked
``useAsDefault`` when the layer is opened, with or without this plugin. The QML files live in
``resources/styles/<layer>.qml``; layers without one are left unstyled.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Optional

STYLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "styles"

_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""


def style_path(layer: str, style: Optional[str] = None) -> Optional[Path]:
    """Return the bundled QML for ``layer`` (or the named ``style``), or None."""
    path = STYLES_DIR / f"{style or layer}.qml"
    return path if path.exists() else None


def write_layer_styles(gpkg: Path | str, layers: Iterable[str],
                       styles: Optional[dict] = None) -> int:
    """Store bundled QML styles as default styles of ``layers`` in ``gpkg``.

    Parameters
    ----------
    gpkg : path
        An existing GeoPackage.
    layers : iterable of str
        Layer (table) names.
    styles : dict, optional
        Map a layer name to another bundled style name.

    Returns
    -------
    int
        The number of styles written.
    """
    styles = styles or {}
    rows = []
    for layer in layers:
        qml = style_path(layer, styles.get(layer))
        if qml is not None:
            rows.append(("", "", layer, "geom", layer, qml.read_text(encoding="utf-8"), "", 1,
                         "AMP default style", "", ""))
    if not rows:
        return 0
    con = sqlite3.connect(str(gpkg))
    try:
        con.execute(_CREATE)
        # GDAL (and so QGIS) only sees GeoPackage tables registered in gpkg_contents
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                    "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                    "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        con.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
            " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
            " owner, ui) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        con.commit()
    finally:
        con.close()
    return len(rows)
