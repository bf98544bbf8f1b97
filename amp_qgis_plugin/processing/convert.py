"""QGIS <-> GeoDataFrame conversion for the adapter (via WKB, no per-vertex Python)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsFeatureSource

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.feedback import Feedback


def crs_to_string(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """Return an authority id (``EPSG:3006``) or WKT that pyproj understands, or None."""
    if not crs.isValid():
        return None
    return crs.authid() or crs.toWkt()


def source_to_geodataframe(source: QgsFeatureSource, feedback: Optional["Feedback"] = None,
                           ) -> "gpd.GeoDataFrame":
    """Read every feature of ``source`` (attributes and geometry) into a GeoDataFrame.

    The source's selection and filters are already applied by Processing. Progress and
    cancellation are honoured per feature batch.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from amp_qgis_plugin.core.feedback import check_cancelled

    names = [f.name() for f in source.fields()]
    rows, wkbs = [], []
    total = max(source.featureCount(), 1)
    for i, feature in enumerate(source.getFeatures(QgsFeatureRequest())):
        if i % 500 == 0:
            check_cancelled(feedback)
            if feedback is not None:
                feedback.setProgress(100.0 * i / total)
        rows.append([_plain(v) for v in feature.attributes()])
        geom = feature.geometry()
        wkbs.append(bytes(geom.asWkb()) if not geom.isNull() else None)
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)
    geometry = shapely.from_wkb([w for w in wkbs]) if wkbs else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=crs_to_string(source.sourceCrs())),
                            crs=crs_to_string(source.sourceCrs()))


def _plain(value):
    """Turn QVariant-ish values (NULL, QDate ...) into plain Python values."""
    if value is None:
        return None
    try:
        from qgis.PyQt.QtCore import QDate, QDateTime, QVariant

        if isinstance(value, QVariant):
            return None if value.isNull() else value.value()
        if isinstance(value, (QDate, QDateTime)):
            return value.toString("yyyy-MM-dd" if isinstance(value, QDate) else "yyyy-MM-ddTHH:mm:ss")
    except ImportError:  # pragma: no cover
        pass
    return value


def source_to_temp_gpkg(source: QgsFeatureSource, directory: str,
                        feedback: Optional["Feedback"] = None) -> str:
    """Write ``source`` to a GeoPackage in ``directory`` (for engine functions that take paths)."""
    import pyogrio

    gdf = source_to_geodataframe(source, feedback)
    path = Path(tempfile.mkstemp(suffix=".gpkg", dir=directory)[1])
    path.unlink()
    pyogrio.write_dataframe(gdf, path, layer="layer", driver="GPKG")
    return str(path)
