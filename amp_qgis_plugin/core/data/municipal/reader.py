"""Reading one municipal layer as a canonical layer, with a :class:`FieldMapping`.

The source is read with a spatial filter (the study area's box in the source's CRS), so a large
register or a WFS service is never downloaded whole.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from amp_qgis_plugin.core.data.municipal.encoding import _encoding_error, _fix_mojibake
from amp_qgis_plugin.core.data.municipal.geometry import _clip_bbox, _fit_geometries
from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.data.municipal.sources import (
    _choose_layer,
    _cpg_file,
    _http_limits,
    _layer_info,
    _normalise_source,
    _read_frame,
    _resolve_fields,
    _split_qgis_uri,
)
from amp_qgis_plugin.core.data.municipal.values import _apply_column
from amp_qgis_plugin.core.data.schema import LAYERS
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry


def _progress(feedback: Optional[Feedback], span: Optional[Tuple[float, float]],
              fraction: float) -> None:
    if feedback is not None and span is not None:
        feedback.setProgress(span[0] + (span[1] - span[0]) * fraction)


def _check_metric(crs: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"{crs!r} is not a coordinate reference system: {exc}.") from None
    if not parsed.is_projected:
        raise InputError(f"The target CRS {crs!r} is not a projected (metric) CRS; use the "
                         "place's metric CRS, e.g. 'EPSG:3006'.")
    return parsed


def read_municipal_layer(
    source: os.PathLike | str,
    mapping: FieldMapping,
    *,
    crs: str,
    clip_to: Optional["BaseGeometry"] = None,
    feedback: Optional[Feedback] = None,
    http_timeout_s: Optional[float] = None,
    progress: Optional[Tuple[float, float]] = None,
) -> "gpd.GeoDataFrame":
    """Read a municipal layer as the canonical layer ``mapping.target``.

    Parameters
    ----------
    source : path-like or str
        Any OGR source: a GeoPackage, Shapefile, GeoJSON ... file (also as a QGIS layer source
        ``"file.gpkg|layername=lampor"``, whose layer wins over ``mapping.layer``), or a WFS
        service as ``"WFS:https://..."`` or an ``http(s)`` URL with ``service=WFS`` (other URLs
        and ``/vsi...`` paths are handed to GDAL as they are). A Shapefile's ``.cpg`` names
        its encoding; without one, ``mapping.encoding`` does (else GDAL's default, Latin-1).
        Text that looks like UTF-8 read as Latin-1 is re-read as UTF-8, with a warning.
    mapping : FieldMapping
        Which fields go where.
    crs : str
        The place's metric CRS; the result is reprojected to it.
    clip_to : shapely geometry, optional
        The study area in ``crs``. Features that intersect it are kept whole (a building half in
        the study area keeps its full footprint); point-layer features are kept when their
        point lies in it. The source is pre-filtered with its bounding box, so a large register
        or WFS service is not read whole.
    feedback : Feedback, optional
        Progress, cancellation, and warnings (e.g. no feature in the study area).
    http_timeout_s : float, optional
        Overall HTTP timeout for web sources (default :data:`HTTP_TIMEOUT_S`, or the user's own
        ``GDAL_HTTP_TIMEOUT``). GDAL's settings are process-wide: they are set for the read
        and restored afterwards.
    progress : (float, float), optional
        The part of the caller's progress bar (percent) this read may report in, e.g.
        ``(85, 95)``; by default no progress is reported (only cancellation is checked), so a
        caller's progress bar never jumps back.

    Returns
    -------
    GeoDataFrame
        The canonical columns of ``mapping.target`` (``source`` = ``mapping.name``, ``osm_id``
        empty), in ``crs``; empty (with a warning) when nothing lies in the study area.
        ``attrs["amp_municipal"]`` holds the source (without credentials), layer and counts.

    Raises
    ------
    InputError
        Missing file, no CRS, unknown layer or field (the message lists the source's layers or
        fields), unusable geometry type, wrong encoding.
    DataError
        A web/WFS source that cannot be reached or read.
    """
    import geopandas as gpd
    import numpy as np
    import pyogrio
    import shapely

    from amp_qgis_plugin.core.data.placedata import conform, empty_layer

    if not isinstance(mapping, FieldMapping):
        raise InputError("read_municipal_layer needs a FieldMapping; load one with load_preset().")
    mapping.validate()
    _check_metric(crs)
    check_cancelled(feedback)
    source_text, uri_layer = _split_qgis_uri(str(source))
    dsn, remote, display = _normalise_source(source_text)
    target = mapping.target
    with _http_limits(http_timeout_s if remote else None):
        layer = _choose_layer(dsn, mapping, display, remote, uri_layer)
        check_cancelled(feedback)
        info = _layer_info(dsn, layer, display, remote)
        driver = info.get("driver") or ""
        encoding = None
        encoding_origin = "GDAL"
        if driver == "ESRI Shapefile" and not remote:
            cpg = _cpg_file(Path(dsn), layer)
            if cpg is not None:
                encoding_origin = cpg.name
            elif mapping.encoding:
                encoding, encoding_origin = mapping.encoding, "mapping"
                try:
                    info = pyogrio.read_info(dsn, layer=layer, encoding=encoding)
                except UnicodeDecodeError as exc:
                    raise _encoding_error(display, encoding, exc) from None
        if info.get("geometry_type") in (None, "None"):
            raise InputError(f"{display} has no geometries (a plain table); municipal layers "
                             "need points, lines or polygons.")
        if not info.get("crs"):
            raise InputError(f"{display} has no coordinate reference system (CRS). Define it "
                             "first: in QGIS, Layer Properties > Source > Assigned CRS and save "
                             "a copy, or add the .prj file that came with a Shapefile.")
        source_crs = info["crs"]
        available = [str(f) for f in info.get("fields", [])]
        resolved = _resolve_fields(mapping, available, display, layer,
                                   max_len=10 if driver == "ESRI Shapefile" else None)
        _progress(feedback, progress, 0.1)
        bbox = _clip_bbox(clip_to, crs, source_crs) if clip_to is not None else None
        columns = sorted(set(resolved.values()))
        gdf = _read_frame(dsn, layer, columns, encoding, bbox, display, remote)
        if driver == "ESRI Shapefile" and not remote:
            gdf, encoding_origin = _fix_mojibake(gdf, encoding_origin, dsn, layer, columns,
                                                 bbox, display, feedback)
    check_cancelled(feedback)
    _progress(feedback, progress, 0.6)
    n_read = len(gdf)

    geoms = np.asarray(gdf.geometry.values)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        if feedback is not None:
            feedback.pushInfo(f"{display}: {int((~present).sum())} feature(s) without geometry "
                              "skipped.")
        gdf = gdf[present].reset_index(drop=True)
    if gdf.crs is None:
        gdf = gdf.set_crs(source_crs, allow_override=True)
    if len(gdf):
        try:
            gdf = gdf.to_crs(crs)
        except Exception as exc:  # pyproj errors
            raise InputError(f"{display} could not be reprojected from {source_crs} to {crs}: "
                             f"{exc}.") from None
        gdf, lengths = _fit_geometries(gdf, target, mapping, display, feedback)
    else:
        lengths = None
    if clip_to is not None and len(gdf):
        inside = shapely.intersects(np.asarray(gdf.geometry.values), clip_to)
        gdf = gdf[inside].reset_index(drop=True)
        if lengths is not None:
            lengths = lengths[inside]
    check_cancelled(feedback)

    meta = {"source": display, "layer": layer or "", "driver": driver,
            "encoding": encoding_origin, "read": n_read, "kept": len(gdf)}
    if len(gdf) == 0:
        if feedback is not None:
            where = "in the study area" if clip_to is not None else "with a geometry"
            feedback.pushWarning(f"{display}: no feature {where}; the {target!r} layer gets "
                                 f"nothing from {mapping.name!r}.")
        out = empty_layer(target, crs)
        out.attrs["amp_municipal"] = meta
        _progress(feedback, progress, 1.0)
        return out

    kinds = dict(LAYERS[target].columns)
    data: Dict[str, Any] = {}
    for col, src in resolved.items():
        data[col] = _apply_column(gdf[src], col, kinds[col], mapping, feedback)
    for col, value in mapping.constants.items():
        data[col] = [value] * len(gdf)
    if target == "seating" and lengths is not None and not np.isnan(lengths).all():
        given = np.asarray(data.get("length_m", np.full(len(gdf), np.nan)), dtype="float64")
        data["length_m"] = np.where(np.isnan(given), lengths, given)
    frame = gpd.GeoDataFrame(data, geometry=gdf.geometry.values, crs=crs)
    out = conform(target, frame, crs)
    out["source"] = mapping.name
    out["osm_id"] = ""
    out.attrs["amp_municipal"] = meta
    if feedback is not None:
        feedback.pushInfo(f"{display}: {len(out)} of {n_read} feature(s) read into "
                          f"{target!r} with mapping {mapping.name!r}.")
    _progress(feedback, progress, 1.0)
    return out
