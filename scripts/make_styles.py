"""Regenerate the bundled QML styles of the canonical PlaceData layers with QGIS itself.

Run with QGIS's Python (``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_styles.py
[NAME ...]``; with names, only those styles are written); the QML files land in
``amp_qgis_plugin/resources/styles``. Building the styles through the
QGIS API (rather than writing XML by hand) keeps them loadable by every QGIS version we support.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

OUT = Path(__file__).resolve().parent.parent / "amp_qgis_plugin" / "resources" / "styles"

SINGLE = {
    "place": ("MultiPolygon", QgsFillSymbol, {"color": "255,221,87,90", "outline_color": "214,150,0",
                                              "outline_width": "0.8"}),
    "study_area": ("MultiPolygon", QgsFillSymbol, {"color": "0,0,0,0", "outline_color": "90,90,90",
                                                   "outline_width": "0.4", "outline_style": "dash"}),
    "buildings": ("MultiPolygon", QgsFillSymbol, {"color": "200,196,190", "outline_color": "140,135,130",
                                                  "outline_width": "0.2"}),
    "entrances": ("Point", QgsMarkerSymbol, {"name": "square", "color": "120,60,20", "size": "1.6"}),
    "lamps": ("Point", QgsMarkerSymbol, {"name": "circle", "color": "255,200,0",
                                         "outline_color": "120,90,0", "size": "2.0"}),
    "trees": ("Point", QgsMarkerSymbol, {"name": "circle", "color": "70,150,60,200",
                                         "outline_color": "40,90,30", "size": "3.0"}),
    "bins": ("Point", QgsMarkerSymbol, {"name": "triangle", "color": "80,80,80", "size": "1.8"}),
    "transit_stops": ("Point", QgsMarkerSymbol, {"name": "circle", "color": "0,110,200",
                                                 "outline_color": "255,255,255", "size": "3.0"}),
    "paths": ("MultiLineString", QgsLineSymbol, {"color": "210,90,90", "width": "0.4"}),
    "barriers": ("MultiLineString", QgsLineSymbol, {"color": "60,60,60", "width": "0.6"}),
}

CATEGORIES = {
    "pois": ("Point", "category", QgsMarkerSymbol, {
        "food_drink": "230,85,13", "retail": "49,130,189", "services": "117,107,177",
        "culture": "214,39,40", "public": "44,160,44", "transit": "0,110,200",
        "leisure": "188,189,34", "health": "23,190,207", "education": "140,86,75",
        "worship": "127,127,127", "accommodation": "227,119,194", "office": "160,160,160",
        "amenity_other": "200,200,200"}),
    "seating": ("Point", "seating_type", QgsMarkerSymbol, {
        "bench": "139,69,19", "picnic_table": "205,133,63", "lounger": "244,164,96",
        "outdoor_seating": "230,85,13"}),
    # a scenario's proposed changes: added in green, removed in red
    "scenario_changes": ("Point", "action", QgsMarkerSymbol, {
        "add": "26,150,65", "remove": "215,25,28"}),
}


#: Paletted (class per value) raster styles: name -> [(value, colour, label), ...].
PALETTES = {
    "viewshed": [(0, "90,90,90,150", "Not visible / Inte synligt"),
                 (1, "255,200,40,190", "Visible / Synligt")],
}


def _paletted_style(name: str, classes) -> None:
    """Save a paletted raster style, built on a throw-away one-cell uint8 GeoTIFF."""
    import tempfile

    from osgeo import gdal
    from qgis.core import QgsPalettedRasterRenderer, QgsRasterLayer
    from qgis.PyQt.QtGui import QColor

    with tempfile.TemporaryDirectory() as tmp:
        tif = str(Path(tmp) / f"{name}.tif")
        ds = gdal.GetDriverByName("GTiff").Create(tif, 1, 1, 1, gdal.GDT_Byte)
        ds.SetGeoTransform((0, 1, 0, 1, 0, -1))
        ds = None
        layer = QgsRasterLayer(tif, name)
        renderer = QgsPalettedRasterRenderer(layer.dataProvider(), 1, [
            QgsPalettedRasterRenderer.Class(value, QColor(*map(int, colour.split(","))), label)
            for value, colour, label in classes])
        layer.setRenderer(renderer)
        layer.saveNamedStyle(str(OUT / f"{name}.qml"))
        del layer


def main() -> int:
    wanted = set(sys.argv[1:])
    unknown = wanted - set(SINGLE) - set(CATEGORIES) - set(PALETTES)
    if unknown:
        print(f"unknown style(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if wanted:
        for table in (SINGLE, CATEGORIES, PALETTES):
            for name in list(table):
                if name not in wanted:
                    del table[name]
    app = QgsApplication([], False)
    app.initQgis()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, classes in PALETTES.items():
        _paletted_style(name, classes)
    for name, (geom, symbol_cls, props) in SINGLE.items():
        layer = QgsVectorLayer(f"{geom}?crs=EPSG:3006", name, "memory")
        layer.setRenderer(QgsSingleSymbolRenderer(symbol_cls.createSimple(props)))
        layer.saveNamedStyle(str(OUT / f"{name}.qml"))
    for name, (geom, field, symbol_cls, colours) in CATEGORIES.items():
        layer = QgsVectorLayer(f"{geom}?crs=EPSG:3006&field={field}:string", name, "memory")
        cats = [QgsRendererCategory(value, symbol_cls.createSimple(
            {"name": "circle", "color": colour, "outline_color": "255,255,255", "size": "2.4"}),
            value) for value, colour in colours.items()]
        layer.setRenderer(QgsCategorizedSymbolRenderer(field, cats))
        layer.saveNamedStyle(str(OUT / f"{name}.qml"))
    print(f"wrote {len(SINGLE) + len(CATEGORIES) + len(PALETTES)} styles to {OUT}")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
