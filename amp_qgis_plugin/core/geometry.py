"""Geometry repair shared by every module: one rule for "repair it and keep its polygons".

GEOS ``make_valid`` turns a self-intersecting polygon into valid geometry, but may return a
collection holding lines and points besides the polygons (a bow-tie's crossing point, a
collapsed spike). Everything in the engine that needs an area (the place, building footprints,
obstacles, municipal polygons) keeps only the polygonal part, through these two functions.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
import shapely

#: shapely type ids of Polygon and MultiPolygon.
POLYGONAL_TYPES = (3, 6)


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Return the valid polygonal part of ``geom`` (an empty Polygon when there is none).

    Parameters
    ----------
    geom : shapely.Geometry
        Any geometry; invalid ones are repaired with ``shapely.make_valid`` first.

    Returns
    -------
    shapely.Geometry
        ``geom`` itself when it is already a valid (Multi)Polygon; otherwise the union of the
        polygons left after the repair.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> round(polygonal_part(bowtie).area, 6)
    2.0
    """
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if shapely.get_type_id(geom) in POLYGONAL_TYPES:
        return geom
    parts = shapely.get_parts(geom)
    parts = parts[np.isin(shapely.get_type_id(parts), POLYGONAL_TYPES)]
    if not len(parts):
        return shapely.Polygon()
    return shapely.union_all(parts)


def repair_polygons(geoms: np.ndarray) -> Tuple[np.ndarray, int]:
    """Repair the invalid geometries of an array, keeping their polygonal parts.

    Parameters
    ----------
    geoms : ndarray of shapely.Geometry
        Polygons (others pass through when valid).

    Returns
    -------
    repaired : ndarray of shapely.Geometry
        A copy in which every invalid geometry is replaced by :func:`polygonal_part` of it
        (possibly an empty Polygon).
    n_repaired : int
        How many geometries were invalid.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return geoms.copy(), 0
    present = np.array([g is not None for g in geoms], dtype=bool)
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[present] = ~shapely.is_valid(geoms[present])
    out = geoms.copy()
    for i in np.flatnonzero(invalid):
        out[i] = polygonal_part(geoms[i])
    return out, int(invalid.sum())


def is_polygonal(geoms: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-empty (Multi)Polygons in ``geoms``."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.zeros(0, dtype=bool)
    return np.isin(shapely.get_type_id(geoms), POLYGONAL_TYPES) & ~shapely.is_empty(geoms)
