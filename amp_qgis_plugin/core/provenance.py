"""Provenance rows written into every output: the place, the data, the run, the software."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Dict, Iterable, Mapping, Optional

from amp_qgis_plugin.__about__ import __version__

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.indicators.result import IndicatorResult


def software_versions() -> Dict[str, str]:
    """Versions of the plugin and the libraries that shaped the output (for provenance)."""
    versions = {"amp_plugin": __version__, "python": platform.python_version()}
    from importlib import metadata

    for dist in ("geopandas", "shapely", "pyproj", "pyogrio", "osmium", "numpy", "pandas",
                 "rasterio"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # a missing optional library is just not listed
            continue
    try:
        import pyogrio
        import pyproj
        import shapely

        versions["gdal"] = pyogrio.__gdal_version_string__
        versions["proj"] = pyproj.proj_version_str
        versions["geos"] = shapely.geos_version_string
    except Exception:  # noqa: BLE001 - versions are informative only
        pass
    return versions


def output_provenance(data: "PlaceData", results: Iterable["IndicatorResult"],
                      extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Provenance rows of an indicator output.

    The PlaceData's own rows (place, sources, OSM data date, fetch parameters) come first under
    their own keys; then, for this run, ``run.at``, ``run.plugin_version``, ``run.software``
    and, per result, ``<theme>.param.<option>`` (every option) and ``<theme>.figure.<key>``.
    """
    rows: Dict[str, str] = {str(k): str(v) for k, v in data.provenance.items()}
    rows["run.at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows["run.plugin_version"] = __version__
    rows["run.software"] = json.dumps(software_versions())
    for result in results:
        rows.update({k: str(v) for k, v in result.provenance().items()})
        if result.warnings:
            rows[f"{result.theme}.warnings"] = " | ".join(result.warnings)
    rows.update({str(k): str(v) for k, v in dict(extra or {}).items()})
    return rows
