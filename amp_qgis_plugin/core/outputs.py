"""One writer for every indicator output: styled layers, a figures table, provenance, rasters.

Whatever the indicator (or several, as the seating audit with its amenities, or a whole
assessment), its output GeoPackage holds:

- each output layer, with its bundled QGIS style as the layer's default style;
- ``figures``: one row per place-level figure (theme, key, label, value, unit, threshold,
  source, verified, note, formatted). "No data" is an empty value, never 0;
- ``provenance``: the place, the data's sources and OSM date, the plugin version, every option
  of the run and the software versions (:func:`~amp_qgis_plugin.core.provenance.output_provenance`).

Rasters are written beside it as GeoTIFFs, each with its ``.qml`` style. Every file goes to a
temporary name first and is renamed when complete, so a failed or cancelled run leaves nothing
that looks finished, and an existing output stays as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Mapping, Optional, Sequence, Union

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.indicators.result import IndicatorResult

PathLike = Union[str, os.PathLike]

#: Name of the figures table in every output GeoPackage.
FIGURES_TABLE = "figures"


def write_results(results: Sequence["IndicatorResult"], data: "PlaceData",
                  gpkg: Optional[PathLike], *,
                  raster_dir: Optional[PathLike] = None,
                  raster_paths: Optional[Mapping[str, Optional[PathLike]]] = None,
                  extra_provenance: Optional[Mapping[str, str]] = None,
                  tables: Optional[Mapping[str, "pd.DataFrame"]] = None,
                  place_data: bool = False,
                  feedback: Optional[Feedback] = None) -> Dict[str, Path]:
    """Write indicator results: one GeoPackage and their rasters.

    Parameters
    ----------
    results : sequence of IndicatorResult
        One or more results; their layers, figures and parameters go into one GeoPackage.
    data : PlaceData
        The place the results are of (its provenance is carried over).
    gpkg : path-like or None
        The output ``.gpkg``; None writes only the rasters.
    raster_dir : path-like, optional
        Folder for the rasters (``<name>.tif``); default the GeoPackage's folder.
    raster_paths : mapping of str to path-like, optional
        Explicit path per raster name; a name mapped to None is not written.
    extra_provenance : mapping, optional
        More provenance rows (e.g. the input files of the run).
    tables : mapping of str to DataFrame, optional
        More attribute tables (no geometry) to write, e.g. an assessment's ``scores``.
    place_data : bool
        Also write the canonical PlaceData layers (and the schema version), so that the output
        is itself a PlaceData GeoPackage that later runs can reuse (an assessment).
    feedback : Feedback, optional
        Checked for cancellation between files.

    Returns
    -------
    dict of str to Path
        ``"gpkg"`` and each raster name written.

    Raises
    ------
    InputError
        When the GeoPackage path does not end in ``.gpkg``.
    """
    import pandas as pd
    import pyogrio

    from amp_qgis_plugin.core.data.placedata import atomic_geopackage
    from amp_qgis_plugin.core.indicators.result import FIGURE_COLUMNS, figures_frame
    from amp_qgis_plugin.core.provenance import output_provenance
    from amp_qgis_plugin.core.raster import write_geotiff
    from amp_qgis_plugin.core.styles import style_path, write_layer_styles

    if gpkg is not None and Path(gpkg).suffix.lower() != ".gpkg":
        raise InputError(f"The output layers go to a GeoPackage (.gpkg), not {Path(gpkg).name!r}.",
                         options=("output",))
    written: Dict[str, Path] = {}
    prov = output_provenance(data, results, extra_provenance or {})
    tags = {f"amp.{k}": v for k, v in prov.items() if ".param." in k or k.startswith("run.")
            or k in ("place_name", "osm_timestamp", "crs")}
    base_dir = Path(raster_dir) if raster_dir is not None else (
        Path(gpkg).parent if gpkg is not None else None)
    for result in results:
        for name, raster in result.rasters.items():
            target = (raster_paths or {}).get(name, base_dir / f"{name}.tif"
                                              if base_dir is not None else None)
            if target is None:
                continue
            check_cancelled(feedback)
            qml = style_path(raster.style or name)
            written[name] = write_geotiff(target, raster.array, raster.grid, colour_ramp=qml,
                                          band_name=raster.description or None,
                                          units=raster.units or None, tags=tags)
    if gpkg is None:
        return written
    check_cancelled(feedback)
    styles: Dict[str, str] = {}
    with atomic_geopackage(gpkg) as tmp:
        if place_data:
            from amp_qgis_plugin.core.data.schema import (
                FEATURE_LAYERS,
                LAYERS,
                SCHEMA_VERSION,
                SCHEMA_VERSION_KEY,
            )

            prov[SCHEMA_VERSION_KEY] = str(SCHEMA_VERSION)
            for name in FEATURE_LAYERS:
                check_cancelled(feedback)
                gtype = LAYERS[name].geometry_type
                pyogrio.write_dataframe(data[name], tmp, layer=name, driver="GPKG",
                                        geometry_type=gtype,
                                        promote_to_multi=(gtype or "").startswith("Multi"))
                styles[name] = name
        for result in results:
            for name, gdf in result.layers.items():
                check_cancelled(feedback)
                gtype = result.geometry_types.get(name)
                kwargs = {}
                if gtype:
                    kwargs = {"geometry_type": gtype, "promote_to_multi": gtype.startswith("Multi")}
                pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", **kwargs)
                styles[name] = result.layer_styles.get(name, name)
        frames = [figures_frame(r) for r in results]
        figures = pd.concat(frames, ignore_index=True) if frames else \
            pd.DataFrame(columns=list(FIGURE_COLUMNS))
        figures["verified"] = figures["verified"].astype(str)
        pyogrio.write_dataframe(figures.astype(str), tmp, layer=FIGURES_TABLE, driver="GPKG")
        for name, table in (tables or {}).items():
            check_cancelled(feedback)
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")
        rows = sorted(prov.items())
        pyogrio.write_dataframe(pd.DataFrame({"key": [k for k, _ in rows],
                                              "value": [v for _, v in rows]}),
                                tmp, layer="provenance", driver="GPKG")
        check_cancelled(feedback)
        write_layer_styles(tmp, list(styles), styles=styles)
    written["gpkg"] = Path(gpkg)
    return written


def read_figures(gpkg: PathLike) -> "pd.DataFrame":
    """The ``figures`` table of an output GeoPackage ("no data" values are empty strings)."""
    import pyogrio

    return pyogrio.read_dataframe(gpkg, layer=FIGURES_TABLE, read_geometry=False)


def read_provenance(gpkg: PathLike) -> Dict[str, str]:
    """The ``provenance`` table of an output GeoPackage as a dict."""
    import pyogrio

    prov = pyogrio.read_dataframe(gpkg, layer="provenance", read_geometry=False)
    return dict(zip(prov["key"].astype(str), prov["value"].astype(str)))
