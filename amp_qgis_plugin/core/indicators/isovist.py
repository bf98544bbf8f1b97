"""Exact 2D isovists: obstacles, the batch engine and a one-observer call for scripts.

Methodology §5.2 (isovists, Benedikt 1979). The geometry itself is the batched angular sweep
of :mod:`~amp_qgis_plugin.core.indicators.isovist_kernel`; this module prepares the obstacles
once and runs the kernel for any number of observers:

- :class:`Obstacles` - sight-blocking geometry, repaired, unioned and prepared once (its wall
  segments are built on first use and kept);
- :class:`IsovistEngine` - the isovists of many observers at once: their measures (area,
  perimeter, occlusivity, compactness, max/min radial), what each one sees of sets of
  :class:`Targets`, and the valid-observer mask (:class:`IsovistField`), or their polygons;
- :func:`isovist` - the polygon of one observer, for scripts; given prepared
  :class:`Obstacles` a loop of single calls reuses them instead of rebuilding them per call.

Handling of awkward input (documented behaviour)
------------------------------------------------
- Obstacles: polygonal parts only (points and lines among the polygons are ignored and
  counted); invalid polygons are repaired with the engine's one repair rule
  (:func:`amp_qgis_plugin.core.geometry.repair_polygons` / ``polygonal_part``); touching and
  overlapping polygons are unioned, so shared walls disappear; holes (courtyards) are kept and
  an observer in a courtyard sees the courtyard.
- Observers inside an obstacle or on its outline have no isovist: :func:`isovist` returns an
  empty polygon, the engine NaN measures and ``valid`` False.
- Free-standing walls (lines) block sight from both sides; they are cut where they enter the
  solid obstacles and noded where they cross.
- Range arcs are exact in every measure; polygons draw them every
  :data:`~amp_qgis_plugin.core.indicators.isovist_kernel.ARC_STEP_DEG` degrees (the polygon of
  a free disc is 0.0013 % smaller than pi r²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, Optional, Tuple, Union

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.geometry import is_polygonal, polygonal_part, repair_polygons
from amp_qgis_plugin.core.indicators import isovist_kernel as kernel

#: Observers closer than this (m) to a free wall count as standing on it.
ON_WALL_M = 1e-6
#: Names of the measures of :class:`IsovistField`.
MEASURES = ("area", "perimeter", "occlusivity", "compactness", "max_radial", "min_radial")

_LINEAL_TYPES = (1, 2, 5)  # LineString, LinearRing, MultiLineString
_COLLECTION = 7


def default_radius() -> float:
    """The default visibility radius (m): the ``isovist_radius`` of ``sightlines.json``."""
    from amp_qgis_plugin.core.options import data_file_entry

    return float(data_file_entry("sightlines", "isovist_radius")["value"])


# --------------------------------------------------------------------------------------------
# Obstacles
# --------------------------------------------------------------------------------------------

@dataclass
class Obstacles:
    """Sight-blocking geometry, repaired, unioned and prepared once.

    Build it with :meth:`build`; the same object can serve any number of
    :class:`IsovistEngine` runs and :func:`isovist` calls (its wall segments are made on
    first use and kept).

    Attributes
    ----------
    solid : shapely geometry or None
        Union of the valid polygonal parts of the obstacles (buildings).
    free_walls : shapely geometry or None
        Noded free-standing walls outside the solid, seen from both sides.
    ignored : int
        Input geometries without an area (points, lines, collections without polygons,
        repairs that left nothing) that were ignored.
    """

    solid: Optional[shapely.Geometry]
    free_walls: Optional[shapely.Geometry] = None
    ignored: int = 0
    _walls: Optional[kernel.WallSet] = field(default=None, init=False, repr=False,
                                             compare=False)

    @classmethod
    def build(cls, polygons: Optional[Iterable], walls: Optional[Iterable] = None) -> "Obstacles":
        """Repair, filter and union ``polygons``; cut and node ``walls``.

        Parameters
        ----------
        polygons : iterable of shapely geometries
            Obstacles with an area (Polygon / MultiPolygon, or collections holding polygons);
            the polygonal part of each is kept (invalid ones repaired) and the rest counted in
            ``ignored``. None and empty geometries are skipped.
        walls : iterable of shapely (Multi)LineStrings, optional
            Free-standing walls.

        Raises
        ------
        InputError
            If an obstacle is not a shapely geometry.
        """
        geoms = np.array([g for g in (polygons if polygons is not None else [])
                          if g is not None and not getattr(g, "is_empty", False)], dtype=object)
        solid = None
        ignored = 0
        if len(geoms):
            if not all(isinstance(g, shapely.Geometry) for g in geoms):
                raise InputError("Obstacles must be shapely geometries (polygons).")
            geoms, _ = repair_polygons(geoms)
            collections = np.flatnonzero(shapely.get_type_id(geoms) == _COLLECTION)
            for i in collections:  # valid collections: keep their polygons
                geoms[i] = polygonal_part(geoms[i])
            areal = is_polygonal(geoms)
            ignored = int((~areal).sum())
            if areal.any():
                solid = shapely.union_all(geoms[areal])
                if solid.is_empty:
                    solid = None
        free = None
        if walls is not None:
            lines = [g for g in walls if g is not None and not g.is_empty]
            if lines:
                merged = shapely.union_all(np.array(lines, dtype=object))  # nodes crossings
                lines_only = shapely.get_parts(merged)
                lines_only = lines_only[np.isin(shapely.get_type_id(lines_only), _LINEAL_TYPES)]
                if len(lines_only):
                    free = shapely.union_all(lines_only)
                    if solid is not None:
                        free = shapely.difference(free, solid)
                    if free.is_empty:
                        free = None
        if solid is not None:
            shapely.prepare(solid)
        if free is not None:
            shapely.prepare(free)
        return cls(solid=solid, free_walls=free, ignored=ignored)

    def blocked(self, xy: np.ndarray) -> np.ndarray:
        """True where a point lies inside or on a solid obstacle or on a free wall."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        out = np.zeros(len(xy), dtype=bool)
        if self.solid is not None:
            out |= shapely.intersects_xy(self.solid, xy[:, 0], xy[:, 1])
        if self.free_walls is not None and len(xy):
            pts = shapely.points(xy)
            out |= shapely.dwithin(self.free_walls, pts, ON_WALL_M)
        return out

    def walls(self) -> kernel.WallSet:
        """The directed wall segments of the kernel (made on the first call, then kept)."""
        if self._walls is None:
            self._walls = kernel.walls_from_geometry(self.solid, self.free_walls)
        return self._walls


# --------------------------------------------------------------------------------------------
# Many observers
# --------------------------------------------------------------------------------------------

@dataclass
class IsovistField:
    """Isovist measures of many observers (NaN where an observer stands in an obstacle).

    Attributes
    ----------
    xy : ndarray (m, 2)
        Observers.
    valid : ndarray (m,) bool
        The valid-observer mask: False for observers inside or on an obstacle (they have no
        isovist).
    measures : dict of str to ndarray (m,)
        ``area``, ``perimeter``, ``occlusivity``, ``compactness``, ``max_radial``,
        ``min_radial``.
    seen : dict of str to ndarray (m,)
        Per target set, the summed weight of the targets each observer sees.
    """

    xy: np.ndarray
    valid: np.ndarray
    measures: Dict[str, np.ndarray]
    seen: Dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Targets:
    """Points whose visibility is counted per observer.

    Attributes
    ----------
    xy : ndarray (k, 2)
        Target points.
    weight : ndarray (k,)
        What each target counts for (1 for a bench, its length for a frontage sample).
    tolerance : float
        Metres beyond the isovist boundary a target still counts as seen.
    """

    xy: np.ndarray
    weight: np.ndarray
    tolerance: float = 0.0


class IsovistEngine:
    """Exact isovists among fixed obstacles for any number of observers.

    Parameters
    ----------
    obstacles : Obstacles
        The sight-blocking geometry.
    radius : float, optional
        Visibility radius in metres (default :func:`default_radius`).
    batch : int
        Observers per vectorised batch.

    Raises
    ------
    InputError
        If the radius is not a positive finite number (``options == ("radius_m",)``).
    """

    def __init__(self, obstacles: Obstacles, radius: Optional[float] = None,
                 batch: int = kernel.DEFAULT_BATCH) -> None:
        radius = default_radius() if radius is None else radius
        if not (isinstance(radius, (int, float)) and not isinstance(radius, bool)
                and math.isfinite(radius) and radius > 0):
            raise InputError(f"The visibility radius must be a positive number of metres, "
                             f"not {radius!r}.", options=("radius_m",))
        self.obstacles = obstacles
        self.radius = float(radius)
        self.batch = max(int(batch), 1)
        self.walls = obstacles.walls()

    def valid(self, xy: np.ndarray) -> np.ndarray:
        """The valid-observer mask of ``xy`` (m x 2): False inside or on an obstacle."""
        return ~self.obstacles.blocked(xy)

    def _batches(self, xy: np.ndarray, valid: np.ndarray, feedback: Optional[Feedback],
                 start: float, end: float) -> Iterator[Tuple[np.ndarray, kernel.WedgeBatch]]:
        idx = np.nonzero(valid)[0]
        slices = list(kernel.batches(len(idx), self.batch))
        for k, sl in enumerate(slices):
            check_cancelled(feedback)
            if feedback is not None:
                feedback.setProgress(start + (end - start) * k / max(len(slices), 1))
            sub = idx[sl]
            pts = xy[sub]
            cand = kernel.candidate_walls(self.walls, (*pts.min(axis=0), *pts.max(axis=0)),
                                          self.radius)
            yield sub, kernel.sweep(pts, cand, self.radius)
        if feedback is not None:
            feedback.setProgress(end)

    def field(self, xy: np.ndarray, targets: Optional[Dict[str, Targets]] = None,
              feedback: Optional[Feedback] = None, *, progress: Tuple[float, float] = (0, 100)
              ) -> IsovistField:
        """Measures, targets seen and the valid-observer mask for every observer in ``xy``.

        Parameters
        ----------
        xy : ndarray (m, 2)
            Observers.
        targets : dict of str to Targets, optional
            Point sets whose visible weight is summed per observer (``seen[name]``).
        feedback : Feedback, optional
            Progress (within ``progress``) and cancellation, checked per batch.

        Returns
        -------
        IsovistField
            With ``valid`` the mask of observers outside every obstacle.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        m = len(xy)
        valid = self.valid(xy)
        out = {k: np.full(m, np.nan) for k in MEASURES}
        seen = {k: np.full(m, np.nan) for k in (targets or {})}
        for sub, wb in self._batches(xy, valid, feedback, *progress):
            ms = wb.measures()
            for k in MEASURES:
                out[k][sub] = ms[k]
            for name, tg in (targets or {}).items():
                total: np.ndarray = np.zeros(len(sub))
                if len(tg.xy):
                    near = _near(tg.xy, wb.origin, self.radius + tg.tolerance)
                    o, t = wb.visible(tg.xy[near], tg.tolerance)
                    total = np.bincount(o, weights=tg.weight[near][t], minlength=len(sub))
                seen[name][sub] = total
        return IsovistField(xy, valid, out, seen)

    def polygons(self, xy: np.ndarray, feedback: Optional[Feedback] = None, *,
                 progress: Tuple[float, float] = (0, 100)) -> np.ndarray:
        """Isovist polygons, one per row of ``xy``; empty for observers in obstacles
        (:meth:`valid` gives that mask)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        out = np.array([Polygon()] * len(xy), dtype=object)
        for sub, wb in self._batches(xy, self.valid(xy), feedback, *progress):
            out[sub] = wb.polygons()
        return out


def _near(points: np.ndarray, origins: np.ndarray, dist: float) -> np.ndarray:
    """Indices of ``points`` within ``dist`` of the bounding box of ``origins``."""
    lo, hi = origins.min(axis=0) - dist, origins.max(axis=0) + dist
    return np.nonzero(np.all((points >= lo) & (points <= hi), axis=1))[0]


# --------------------------------------------------------------------------------------------
# One observer
# --------------------------------------------------------------------------------------------

def prepare_obstacles(obstacles: Union[Obstacles, Iterable, None]) -> Obstacles:
    """``obstacles`` as prepared :class:`Obstacles` (returned as is when already prepared).

    Polygons (and collections holding polygons) are solid obstacles; lines are free-standing
    walls; points are ignored.
    """
    if isinstance(obstacles, Obstacles):
        return obstacles
    geoms = [g for g in (obstacles if obstacles is not None else []) if g is not None]
    lines = [g for g in geoms if isinstance(g, shapely.Geometry)
             and shapely.get_type_id(g) in _LINEAL_TYPES]
    others = [g for g in geoms if not (isinstance(g, shapely.Geometry)
                                       and shapely.get_type_id(g) in _LINEAL_TYPES)]
    return Obstacles.build(others, lines or None)


def isovist(observer: Point, obstacles: Union[Obstacles, Iterable, None],
            radius: Optional[float] = None) -> Polygon:
    """The exact 2D isovist (visibility polygon) of one observer.

    For many observers use the batch form, :meth:`IsovistEngine.field` (measures, about a
    hundred times faster per observer) or :meth:`IsovistEngine.polygons` (polygons). When
    calling this function in a loop, pass the obstacles prepared once with
    :meth:`Obstacles.build`: otherwise every call repairs and unions them again.

    Parameters
    ----------
    observer : shapely Point
        Where the observer stands (metric CRS).
    obstacles : Obstacles or iterable of shapely geometries
        Prepared :class:`Obstacles`, or sight-blocking geometries: polygons (building
        footprints; invalid ones are repaired, overlapping ones unioned, holes kept) and
        lines (free-standing walls, seen from both sides).
    radius : float, optional
        Visibility radius in metres (default the ``isovist_radius`` of ``sightlines.json``,
        Gehl's social field of vision).

    Returns
    -------
    shapely Polygon
        The visible region; range arcs drawn every 0.5°. Empty when the observer stands inside
        or on an obstacle.

    Raises
    ------
    InputError
        If the observer is not a non-empty Point or the radius is not positive.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(isovist(Point(5, 5), [box(0, 0, 10, 10).exterior.buffer(0.01)], 100).area)
    100
    >>> prepared = Obstacles.build([box(0, 0, 10, 10)])
    >>> [isovist(Point(x, 5), prepared, 50).is_empty for x in (5.0, 20.0)]
    [True, False]
    """
    if not isinstance(observer, Point) or observer.is_empty:
        raise InputError("The observer must be a non-empty shapely Point.")
    engine = IsovistEngine(prepare_obstacles(obstacles), radius)
    return engine.polygons(np.array([[observer.x, observer.y]]))[0]
