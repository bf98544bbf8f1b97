"""Fitting a register's geometries to the target layer's type, and its spatial filter box."""

from __future__ import annotations

import math
from typing import Optional, Tuple

from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.data.schema import LAYERS
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback


def _fit_geometries(gdf, target: str, mapping: FieldMapping, display: str,
                    feedback: Optional[Feedback]):
    """Return (gdf with geometries fitting the target layer's type, line lengths or None).

    Point layers take polygons and lines as representative points (a point guaranteed on the
    feature; a line's length is returned for ``seating.length_m``), multipoints as one feature
    per point. Line layers take polygon outlines. Polygon layers take only polygons.
    """
    import numpy as np
    import shapely

    from amp_qgis_plugin.core.geometry import polygonal_part, repair_polygons

    kind = LAYERS[target].geometry_type
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") \
        else np.asarray(gdf.geometry.values)
    types = shapely.get_type_id(geoms)
    lengths = None
    if kind == "Point":
        multipoint = types == 4
        if multipoint.any():
            gdf = gdf.explode(index_parts=False, ignore_index=True) if multipoint.all() else \
                _explode_rows(gdf, multipoint)
            geoms = np.asarray(gdf.geometry.values)
            types = shapely.get_type_id(geoms)
        lines = np.isin(types, (1, 2, 5))
        lengths = np.where(lines, shapely.length(geoms), np.nan)
        other = types != 0
        if other.any():
            geoms = geoms.copy()
            geoms[other] = shapely.point_on_surface(geoms[other])
            if feedback is not None:
                feedback.pushInfo(f"{display}: {int(other.sum())} line/area feature(s) placed as "
                                  f"points on the {target!r} layer (a point on each feature).")
        gdf = gdf.set_geometry(geoms, crs=gdf.crs)
        return gdf, lengths
    if kind == "MultiPolygon":
        wanted = np.isin(types, (3, 6, 7))
        if not wanted.all():
            if not wanted.any():
                raise InputError(f"{display} holds points or lines, but the {target!r} layer "
                                 "needs polygons; map it to a point or line layer instead.")
            if feedback is not None:
                feedback.pushWarning(f"{display}: {int((~wanted).sum())} point/line feature(s) "
                                     f"skipped: the {target!r} layer needs polygons.")
            gdf = gdf[wanted].reset_index(drop=True)
            geoms = geoms[wanted]
        geoms, repaired = repair_polygons(geoms)
        if repaired and feedback is not None:
            feedback.pushInfo(f"{display}: {repaired} invalid polygon(s) repaired.")
        collections = shapely.get_type_id(geoms) == 7  # valid ones: keep their polygons
        if collections.any():
            geoms[collections] = [polygonal_part(g) for g in geoms[collections]]
        keep = ~shapely.is_empty(geoms)
        return gdf[keep].set_geometry(geoms[keep], crs=gdf.crs).reset_index(drop=True), None
    # line layers
    points = np.isin(types, (0, 4))
    if points.all():
        raise InputError(f"{display} holds points, but the {target!r} layer needs lines; "
                         "map it to a point layer instead.")
    if points.any():
        if feedback is not None:
            feedback.pushWarning(f"{display}: {int(points.sum())} point feature(s) skipped: the "
                                 f"{target!r} layer needs lines.")
        gdf = gdf[~points].reset_index(drop=True)
        geoms = geoms[~points]
        types = types[~points]
    areas = np.isin(types, (3, 6))
    if areas.any():
        geoms = geoms.copy()
        geoms[areas] = shapely.boundary(geoms[areas])
        if feedback is not None:
            feedback.pushInfo(f"{display}: {int(areas.sum())} area feature(s) taken as their "
                              f"outlines on the {target!r} layer.")
    return gdf.set_geometry(geoms, crs=gdf.crs), None


def _explode_rows(gdf, rows):
    import pandas as pd

    parts = [gdf[~rows], gdf[rows].explode(index_parts=False)]
    return pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)


def _clip_bbox(clip_to, crs: str, source_crs) -> Optional[Tuple[float, float, float, float]]:
    """Bounding box of ``clip_to`` in the source CRS, padded 1 %, for GDAL's spatial filter."""
    from pyproj import CRS, Transformer

    transformer = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_user_input(source_crs),
                                       always_xy=True)
    west, south, east, north = clip_to.bounds
    minx, miny, maxx, maxy = transformer.transform_bounds(west, south, east, north, densify_pts=21)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    pad = 0.01 * max(maxx - minx, maxy - miny)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)
