"""Sightlines: exact 2D isovists, the isovist field of a place and place-level visibility figures.

Methodology §5.2 (isovists, prospect-refuge), §2.3 (NYC ZR §37-715), §3.3 (Gehl's 100 m social
field of vision), §8.4 A8 and §8.6 P3-P5. Thresholds live in ``resources/scoring/sightlines.json``.

What is computed
----------------
- :func:`isovist` - the visibility polygon of one observer among polygon obstacles, for scripts.
- :class:`IsovistEngine` - exact isovists for many observers (the batched kernel of
  :mod:`~amp_qgis_plugin.core.indicators.isovist_kernel`), their measures (area, perimeter,
  occlusivity, compactness, max radial) and what each observer sees of a set of target points.
- :func:`sightlines` - the isovist field over the walkable part of a place on a grid and the
  place-level figures:

  * **A8 visibility from adjacent streets**: observers every ``street_spacing_m`` along the
    centre-lines of streets (``paths`` with a road ``highway`` value) within
    ``street_buffer_m`` of the place edge and outside it; the union of their isovists
    intersected with the walkable place, as a share of the walkable place area (NYC ZR
    §37-715: the major portion "visible ... from each adjacent street").
  * **P3 prospect**: the mean, over walkable cells, of the share of the walkable place each
    cell sees (its isovist clipped to the place, counted on the grid cells; ratio 0-1). The
    unclipped mean isovist area (Benedikt 1979) is reported next to it in m²: with a 100 m
    radius it is usually larger than the place itself, so it cannot be judged on the
    methodology's 0.3 -> 0.8 ratio scale.
  * **P4 concealment pockets**: walkable cells whose isovist area is below 10 % of the place
    area and that border (4-neighbour) a walkable cell with a larger isovist; a pocket is a
    4-connected group of such cells; reported as pockets per 1,000 m² of walkable place.
  * **P5 occlusivity**: mean over cells of occlusivity / isovist perimeter, and the mean
    occlusivity in metres.
  * **What each point sees of the place's life**: metres of active frontage in view (from a
    ``frontage`` layer with ``active`` 1/0, sampled every metre; a sample on a façade counts as
    seen within :data:`FACADE_TOLERANCE_M` of the isovist boundary) and the number of
    seating features (``seating`` rows) in view.

Handling of awkward input (documented behaviour)
------------------------------------------------
- Obstacles: polygonal parts only (points and lines in a buildings layer are ignored and
  counted in a warning); invalid polygons are repaired with ``shapely.make_valid``; touching
  and overlapping buildings are unioned, so shared walls disappear; holes (courtyards) are kept
  and an observer in a courtyard sees the courtyard.
- Observers inside a building or on its outline have no isovist: :func:`isovist` returns an
  empty polygon, the engine NaN measures, and the field leaves those cells as nodata.
- Free-standing walls (``barriers`` of :data:`SIGHT_BLOCKING_BARRIERS`, optional, with
  ``height_m`` unknown or at least eye height :data:`EYE_HEIGHT_M`) block sight from both
  sides; they are cut where they enter buildings and noded where they cross.
- Range arcs are exact in every measure; polygons draw them every
  :data:`~amp_qgis_plugin.core.indicators.isovist_kernel.ARC_STEP_DEG` degrees (the
  polygon of a free disc is 0.0013 % smaller than pi r²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators import isovist_kernel as kernel
from amp_qgis_plugin.core.indicators.result import figures_frame
from amp_qgis_plugin.core.thresholds import threshold

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.indicators.result import IndicatorResult
    from amp_qgis_plugin.core.raster import Grid

THEME = "sightlines"

#: ``highway`` values counted as streets for A8 (vehicle and shared streets, not footways).
STREET_HIGHWAYS = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                   "residential", "living_street", "motorway_link", "trunk_link",
                   "primary_link", "secondary_link", "tertiary_link", "pedestrian", "road")
#: ``barrier`` values that block sight when free walls are used.
SIGHT_BLOCKING_BARRIERS = ("wall", "city_wall", "hedge", "fence")
#: Eye height (m), methodology §8.1; barriers known to be lower do not block sight.
EYE_HEIGHT_M = 1.6
#: Observers closer than this (m) to a free wall count as standing on it.
ON_WALL_M = 1e-6
#: A target on a façade counts as seen up to this many metres beyond the isovist boundary.
FACADE_TOLERANCE_M = 0.5
#: Spacing (m) of the samples along active frontage lines.
FRONTAGE_SAMPLE_M = 1.0
#: At most this many grid cells are used as targets for the visible share of the place (P3);
#: bigger places use every k-th cell, each standing for walkable area / count.
MAX_PLACE_TARGETS = 6000


def _value(key: str) -> float:
    return float(threshold(THEME, key)["value"])


# --------------------------------------------------------------------------------------------
# Obstacles
# --------------------------------------------------------------------------------------------

@dataclass
class Obstacles:
    """Sight-blocking geometry, repaired and unioned.

    Attributes
    ----------
    solid : shapely geometry or None
        Union of the valid polygonal parts of the obstacles (buildings).
    free_walls : shapely geometry or None
        Noded free-standing walls outside the solid, seen from both sides.
    ignored : int
        Input geometries without an area (points, lines) that were ignored.
    """

    solid: Optional[shapely.Geometry]
    free_walls: Optional[shapely.Geometry] = None
    ignored: int = 0

    @classmethod
    def build(cls, polygons: Iterable, walls: Optional[Iterable] = None) -> "Obstacles":
        """Repair, filter and union ``polygons``; cut and node ``walls``.

        Parameters
        ----------
        polygons : iterable of shapely geometries
            Obstacles with an area (Polygon / MultiPolygon); other types are counted in
            ``ignored``. None and empty geometries are skipped.
        walls : iterable of shapely (Multi)LineStrings, optional
            Free-standing walls.
        """
        geoms = np.array([g for g in (polygons if polygons is not None else [])
                          if g is not None and not g.is_empty], dtype=object)
        solid = None
        ignored = 0
        if len(geoms):
            if not all(isinstance(g, shapely.Geometry) for g in geoms):
                raise InputError("Obstacles must be shapely geometries (polygons).")
            areal = np.isin(shapely.get_type_id(geoms), (3, 6, 7))
            ignored = int((~areal).sum())
            geoms = geoms[areal]
            if len(geoms):
                parts = shapely.get_parts(shapely.make_valid(geoms))
                parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
                if len(parts):
                    solid = shapely.union_all(parts)
                    if solid.is_empty:
                        solid = None
        free = None
        if walls is not None:
            lines = [g for g in walls if g is not None and not g.is_empty]
            if lines:
                merged = shapely.union_all(np.array(lines, dtype=object))  # nodes crossings
                lines_only = shapely.get_parts(merged)
                lines_only = lines_only[np.isin(shapely.get_type_id(lines_only), (1, 2, 5))]
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
        """The directed wall segments of the kernel."""
        return kernel.walls_from_geometry(self.solid, self.free_walls)


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
        False for observers inside or on an obstacle.
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
    radius : float
        Visibility radius in metres (default: methodology §8.1, 100 m).
    batch : int
        Observers per vectorised batch.

    Raises
    ------
    InputError
        If the radius is not a positive finite number.
    """

    def __init__(self, obstacles: Obstacles, radius: Optional[float] = None,
                 batch: int = kernel.DEFAULT_BATCH) -> None:
        radius = _value("isovist_radius") if radius is None else radius
        if not (isinstance(radius, (int, float)) and math.isfinite(radius) and radius > 0):
            raise InputError(f"The visibility radius must be a positive number of metres, "
                             f"not {radius!r}.")
        self.obstacles = obstacles
        self.radius = float(radius)
        self.batch = max(int(batch), 1)
        self.walls = obstacles.walls()

    def _batches(self, xy: np.ndarray, feedback: Optional[Feedback], start: float, end: float):
        valid = ~self.obstacles.blocked(xy)
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
        self._last_valid = valid

    def field(self, xy: np.ndarray, targets: Optional[Dict[str, Targets]] = None,
              feedback: Optional[Feedback] = None, *, progress: Tuple[float, float] = (0, 100)
              ) -> IsovistField:
        """Measures (and targets seen) for every observer in ``xy`` (m x 2)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        m = len(xy)
        names = ("area", "perimeter", "occlusivity", "compactness", "max_radial", "min_radial")
        out = {k: np.full(m, np.nan) for k in names}
        seen = {k: np.full(m, np.nan) for k in (targets or {})}
        for sub, wb in self._batches(xy, feedback, *progress):
            ms = wb.measures()
            for k in names:
                out[k][sub] = ms[k]
            for name, tg in (targets or {}).items():
                total = np.zeros(len(sub))
                if len(tg.xy):
                    near = _near(tg.xy, wb.origin, self.radius + tg.tolerance)
                    o, t = wb.visible(tg.xy[near], tg.tolerance)
                    total = np.bincount(o, weights=tg.weight[near][t], minlength=len(sub))
                seen[name][sub] = total
        return IsovistField(xy, self._last_valid, out, seen)

    def polygons(self, xy: np.ndarray, feedback: Optional[Feedback] = None, *,
                 progress: Tuple[float, float] = (0, 100)) -> np.ndarray:
        """Isovist polygons (empty for observers in obstacles), one per row of ``xy``."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        out = np.array([Polygon()] * len(xy), dtype=object)
        for sub, wb in self._batches(xy, feedback, *progress):
            out[sub] = wb.polygons()
        return out


def _near(points: np.ndarray, origins: np.ndarray, dist: float) -> np.ndarray:
    """Indices of ``points`` within ``dist`` of the bounding box of ``origins``."""
    lo, hi = origins.min(axis=0) - dist, origins.max(axis=0) + dist
    return np.nonzero(np.all((points >= lo) & (points <= hi), axis=1))[0]


def isovist(observer: Point, obstacles: Iterable, radius: float = 100.0) -> Polygon:
    """The exact 2D isovist (visibility polygon) of one observer.

    Parameters
    ----------
    observer : shapely Point
        Where the observer stands (metric CRS).
    obstacles : iterable of shapely polygons
        Sight-blocking polygons (building footprints). Invalid ones are repaired, overlapping
        ones unioned, holes kept; lines are treated as free-standing walls.
    radius : float
        Visibility radius in metres (default 100 m, Gehl's social field of vision).

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
    """
    if not isinstance(observer, Point) or observer.is_empty:
        raise InputError("The observer must be a non-empty shapely Point.")
    geoms = list(obstacles) if obstacles is not None else []
    polys = [g for g in geoms if g is not None and shapely.get_type_id(g) in (3, 6, 7)]
    lines = [g for g in geoms if g is not None and shapely.get_type_id(g) in (1, 2, 5)]
    engine = IsovistEngine(Obstacles.build(polys, lines or None), radius)
    return engine.polygons(np.array([[observer.x, observer.y]]))[0]


# --------------------------------------------------------------------------------------------
# The place
# --------------------------------------------------------------------------------------------

@dataclass
class SightlineOptions:
    """Options of :func:`sightlines` (None = the default from ``sightlines.json``)."""

    radius_m: Optional[float] = None
    cell_size_m: Optional[float] = None
    street_buffer_m: Optional[float] = None
    street_spacing_m: Optional[float] = None
    use_barriers: bool = False

    def resolved(self) -> "SightlineOptions":
        """A copy with every default filled in and checked."""
        out = SightlineOptions(
            radius_m=_value("isovist_radius") if self.radius_m is None else self.radius_m,
            cell_size_m=_value("grid_cell") if self.cell_size_m is None else self.cell_size_m,
            street_buffer_m=(_value("street_buffer") if self.street_buffer_m is None
                             else self.street_buffer_m),
            street_spacing_m=(_value("street_observer_spacing") if self.street_spacing_m is None
                              else self.street_spacing_m),
            use_barriers=self.use_barriers)
        for name in ("radius_m", "cell_size_m", "street_spacing_m"):
            v = getattr(out, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"{name} must be a positive number of metres, not {v!r}.")
        if not (math.isfinite(out.street_buffer_m) and out.street_buffer_m >= 0):
            raise InputError(f"street_buffer_m must be 0 or more metres, "
                             f"not {out.street_buffer_m!r}.")
        if out.cell_size_m > out.radius_m:
            raise InputError("The grid cell size must be smaller than the visibility radius.")
        return out


@dataclass
class SightlinesResult:
    """Outcome of :func:`sightlines`: the figures, layers and the isovist-area grid."""

    result: "IndicatorResult"
    grid: "Grid"
    isovist_area: np.ndarray
    field: IsovistField


def street_observers(paths: gpd.GeoDataFrame, place, obstacles: Obstacles, buffer_m: float,
                     spacing_m: float) -> np.ndarray:
    """Observer points along adjacent street centre-lines (outside the place, within the buffer).

    Streets are ``paths`` rows whose ``highway`` is in :data:`STREET_HIGHWAYS` and are not
    areas; their parts within ``buffer_m`` of the place edge and outside the place are sampled
    every ``spacing_m`` (both ends included); points in obstacles are dropped.
    """
    if paths is None or len(paths) == 0:
        return np.empty((0, 2))
    hw = paths.get("highway", pd.Series("", index=paths.index)).fillna("").astype(str)
    area = paths.get("area", pd.Series("", index=paths.index)).fillna("").astype(str)
    streets = paths[hw.isin(STREET_HIGHWAYS) & (area != "yes")]
    if len(streets) == 0:
        return np.empty((0, 2))
    zone = shapely.difference(place.buffer(max(buffer_m, 0.0) + 1e-9), place)
    with np.errstate(invalid="ignore"):
        lines = shapely.intersection(streets.geometry.values, zone)
    parts = shapely.get_parts(lines)
    parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    pts = []
    for line in parts:
        n = max(int(math.ceil(line.length / spacing_m)), 1)
        d = np.linspace(0.0, line.length, n + 1)
        pts.append(shapely.get_coordinates(shapely.line_interpolate_point(line, d)))
    if not pts:
        return np.empty((0, 2))
    xy = np.unique(np.round(np.concatenate(pts), 6), axis=0)
    return xy[~obstacles.blocked(xy)]


def frontage_targets(frontage: Optional[gpd.GeoDataFrame]) -> Optional[Targets]:
    """Samples every metre along the active rows of a frontage layer (None without a layer)."""
    if frontage is None:
        return None
    if "active" not in frontage.columns:
        raise InputError("The frontage layer has no 'active' column; give the 'frontage' layer "
                         "written by `amp-place frontage`.")
    act = frontage[pd.to_numeric(frontage["active"], errors="coerce").fillna(0) > 0]
    geoms = shapely.get_parts(act.geometry.values) if len(act) else np.empty(0, dtype=object)
    geoms = geoms[np.isin(shapely.get_type_id(geoms), (1, 2))] if len(geoms) else geoms
    xy, w = [], []
    for line in geoms:
        n = max(int(math.ceil(line.length / FRONTAGE_SAMPLE_M)), 1)
        d = (np.arange(n) + 0.5) * line.length / n
        xy.append(shapely.get_coordinates(shapely.line_interpolate_point(line, d)))
        w.append(np.full(n, line.length / n))
    if not xy:
        return Targets(np.empty((0, 2)), np.empty(0), FACADE_TOLERANCE_M)
    return Targets(np.concatenate(xy), np.concatenate(w), FACADE_TOLERANCE_M)


def concealment_pockets(area: np.ndarray, walkable: np.ndarray, limit: float
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Concealment pockets of an isovist-area grid (methodology §8.6 P4).

    Cells with a small isovist (walkable, area below ``limit``) are grouped 4-connectedly; a
    group is a pocket when at least one of its cells borders (4-neighbour) a walkable cell
    whose isovist area is at least ``limit``, i.e. a hidden nook opening onto open walkable
    space. A place that is small-isovist everywhere has no pockets (nothing to hide from).

    Parameters
    ----------
    area : ndarray
        Isovist area per cell (any value where not walkable).
    walkable : ndarray of bool
        Cells of the walkable place with an isovist.
    limit : float
        The small-isovist limit in m2 (10 % of the place area by default).

    Returns
    -------
    pocket : ndarray of bool
        Cells belonging to a pocket.
    labels : ndarray of int
        0 outside pockets, 1..n the pocket of each cell.
    """
    small = walkable & (area < limit)
    big = walkable & (area >= limit)
    nb = np.zeros_like(big)
    nb[1:, :] |= big[:-1, :]
    nb[:-1, :] |= big[1:, :]
    nb[:, 1:] |= big[:, :-1]
    nb[:, :-1] |= big[:, 1:]
    groups = _label4(small)
    opening = np.unique(groups[small & nb])
    keep = np.zeros(int(groups.max()) + 1, dtype=np.int32)
    keep[opening] = np.arange(1, len(opening) + 1)
    keep[0] = 0
    labels = keep[groups]
    return labels > 0, labels


def _label4(mask: np.ndarray) -> np.ndarray:
    """4-connected component labels of a boolean grid (union-find on the flat index)."""
    h, w = mask.shape
    flat = mask.ravel()
    parent = np.arange(flat.size)
    idx = np.nonzero(flat)[0]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in idx:
        r, c = divmod(int(i), w)
        for j in ((i - 1) if c > 0 else -1, (i - w) if r > 0 else -1):
            if j >= 0 and flat[j]:
                a, b = find(int(i)), find(int(j))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    labels = np.zeros(flat.size, dtype=np.int32)
    roots = {}
    for i in idx:
        root = find(int(i))
        labels[i] = roots.setdefault(root, len(roots) + 1)
    return labels.reshape(h, w)


def _poly_union(polys: Sequence) -> shapely.Geometry:
    polys = [p for p in polys if p is not None and not p.is_empty]
    if not polys:
        return Polygon()
    return shapely.union_all(np.array(polys, dtype=object))


def sightlines(data, *, options: Optional[SightlineOptions] = None,
               frontage: Optional[gpd.GeoDataFrame] = None,
               feedback: Optional[Feedback] = None) -> SightlinesResult:
    """Isovist field and sightline figures of a place.

    Parameters
    ----------
    data : PlaceData
        The place (``place``, ``buildings``, ``paths``, ``seating``, ``barriers``).
    options : SightlineOptions, optional
        Radius, grid cell, street buffer and spacing, free walls.
    frontage : GeoDataFrame, optional
        A frontage layer (``active`` 1/0) in the place's CRS, e.g. from
        ``amp-place frontage``; without it, active frontage in view is "no data".
    feedback : Feedback, optional
        Progress and cancellation (checked per batch of observers and per street observer
        batch).

    Returns
    -------
    SightlinesResult

    Raises
    ------
    InputError
        Missing place polygon or bad options.
    CancelledError
        When the user cancels.
    """
    from amp_qgis_plugin.core.indicators.result import (Figure, IndicatorResult,
                                                        figure_from_threshold)
    from amp_qgis_plugin.core.raster import Grid

    opt = (options or SightlineOptions()).resolved()
    place = data.place_polygon
    if place is None or place.is_empty:
        raise InputError("The data has no place polygon; fetch the place first "
                         "(`amp-place fetch`).")
    place = shapely.make_valid(place)
    crs = str(data.crs)
    warnings: List[str] = []

    def warn(msg: str) -> None:
        warnings.append(msg)
        if feedback is not None:
            feedback.pushWarning(msg)

    R = float(opt.radius_m)
    reach = place.buffer(R + opt.street_buffer_m)
    bld = data["buildings"]
    bld = bld[bld.geometry.notna()]
    bld = bld[shapely.intersects(bld.geometry.values, reach)] if len(bld) else bld
    walls = None
    if opt.use_barriers:
        bar = data["barriers"]
        if len(bar):
            kind = bar["barrier"].fillna("").astype(str)
            h = pd.to_numeric(bar["height_m"], errors="coerce")
            keep = kind.isin(SIGHT_BLOCKING_BARRIERS) & ~(h < EYE_HEIGHT_M)
            walls = [g for g in bar.geometry[keep].values if g is not None]
    obstacles = Obstacles.build(bld.geometry.values, walls)
    if obstacles.ignored:
        warn(f"{obstacles.ignored} building(s) without an area (points or lines) were ignored "
             f"as sight obstacles.")
    if obstacles.solid is None:
        warn("No building footprints near the place: every isovist is a full disc.")
    engine = IsovistEngine(obstacles, R)

    walk = place if obstacles.solid is None else shapely.difference(place, obstacles.solid)
    walk_area = float(walk.area)
    place_area = float(place.area)
    if walk_area <= 0:
        raise InputError("The place is entirely covered by buildings; no walkable area to "
                         "analyse.")
    grid = Grid.over(place, opt.cell_size_m, crs)
    mask = grid.mask(walk)
    xs, ys = grid.cell_centres()
    cells = np.c_[xs[mask], ys[mask]]
    if len(cells) == 0:
        raise InputError(f"No {opt.cell_size_m:g} m grid cell centre falls on the walkable "
                         "place; use a smaller --cell-size.")

    targets: Dict[str, Targets] = {}
    seat_gdf = data["seating"]
    seat_pts = np.empty((0, 2))
    if len(seat_gdf):
        g = seat_gdf.geometry.values
        g = g[~shapely.is_empty(g) & shapely.is_valid_input(g)]
        seat_pts = shapely.get_coordinates(shapely.centroid(g))
        seat_pts = seat_pts[~obstacles.blocked(seat_pts)]
        targets["seats"] = Targets(seat_pts, np.ones(len(seat_pts)), 0.0)
    front = frontage_targets(frontage)
    if front is not None:
        targets["frontage"] = front
    # P3: the walkable place itself as targets (every cell, or every k-th for big places).
    step = max(1, int(math.ceil(len(cells) / MAX_PLACE_TARGETS)))
    place_targets = cells[~obstacles.blocked(cells)][::step]
    targets["place"] = Targets(place_targets,
                               np.full(len(place_targets), walk_area / max(len(place_targets), 1)),
                               0.0)

    check_cancelled(feedback)
    fld = engine.field(cells, targets, feedback, progress=(0, 70))
    area = np.full(grid.shape, np.nan)
    cell_valid = fld.valid
    rr, cc = np.nonzero(mask)
    area[rr[cell_valid], cc[cell_valid]] = fld.measures["area"][cell_valid]
    walkable = np.isfinite(area)

    # A8: visibility from adjacent streets.
    sxy = street_observers(data["paths"], place, obstacles, opt.street_buffer_m,
                           opt.street_spacing_m)
    if len(sxy):
        polys = engine.polygons(sxy, feedback, progress=(70, 90))
        check_cancelled(feedback)
        seen_union = _poly_union(polys)
        visible = shapely.intersection(seen_union, walk)
        street_share = min(100.0, 100.0 * float(visible.area) / walk_area)
    else:
        visible = Polygon()
        street_share = None
        warn(f"No street centre-line within {opt.street_buffer_m:g} m of the place: "
             "visibility from adjacent streets is no data.")
    if feedback is not None:
        feedback.setProgress(92)

    # P4 concealment pockets.
    limit = _value("pocket_area_share") * place_area
    pocket, labels = concealment_pockets(np.nan_to_num(area, nan=-1.0), walkable, limit)
    n_pockets = int(labels.max())

    ms = {k: v[cell_valid] for k, v in fld.measures.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        occl_ratio = ms["occlusivity"] / ms["perimeter"]
    visible_place = fld.seen["place"][cell_valid]
    n_valid = int(cell_valid.sum())
    mean = (lambda a: float(np.nanmean(a)) if n_valid else None)

    figures: List[Figure] = [
        figure_from_threshold(THEME, "street_visibility_target", "visible_from_streets_pct",
                              "Walkable place visible from adjacent streets", street_share,
                              unit="%", indicator="A8",
                              note=(f"{len(sxy)} street viewpoints every "
                                    f"{opt.street_spacing_m:g} m within "
                                    f"{opt.street_buffer_m:g} m of the place")),
        figure_from_threshold(THEME, "prospect_target", "prospect_pct",
                              "Prospect: mean share of the walkable place in view",
                              None if mean(visible_place) is None
                              else 100.0 * mean(visible_place) / walk_area,
                              unit="%", indicator="P3",
                              note=(f"isovist within {R:g} m clipped to the place, counted on "
                                    f"{len(place_targets)} grid cells")),
        Figure("mean_isovist_area_m2", "Mean isovist area", mean(ms["area"]), "m2", "P3",
               source="Benedikt 1979"),
        figure_from_threshold(THEME, "pockets_floor", "concealment_pockets_per_1000m2",
                              "Concealment pockets per 1,000 m2", 1000.0 * n_pockets / walk_area,
                              unit="pockets/1000 m2", indicator="P4",
                              note=(f"{n_pockets} pocket(s), {int(pocket.sum())} cell(s) with "
                                    f"isovist < {limit:.0f} m2 next to open walkable cells")),
        figure_from_threshold(THEME, "occlusivity_floor", "occlusivity_pct",
                              "Occlusivity / isovist perimeter (mean)",
                              None if mean(occl_ratio) is None else 100.0 * mean(occl_ratio),
                              unit="%", indicator="P5"),
        Figure("mean_occlusivity_m", "Mean occlusivity (occluding radial edges)",
               mean(ms["occlusivity"]), "m", "P5", source="Benedikt 1979"),
        Figure("mean_compactness", "Mean isovist compactness 4piA/P2", mean(ms["compactness"]),
               "ratio", source="Benedikt 1979"),
        Figure("mean_max_radial_m", "Mean max radial", mean(ms["max_radial"]), "m",
               source="Benedikt 1979"),
    ]
    if front is not None:
        val = mean(fld.seen["frontage"][cell_valid])
        figures.append(Figure("active_frontage_in_view_m", "Active frontage in view (mean)",
                              val, "m", "P1", source="Jacobs 1961; Gehl criterion 2",
                              note=f"frontage samples every {FRONTAGE_SAMPLE_M:g} m"))
    else:
        figures.append(Figure("active_frontage_in_view_m", "Active frontage in view (mean)",
                              None, "m", "P1", source="Jacobs 1961; Gehl criterion 2",
                              note="no frontage layer given (run `amp-place frontage`)"))
    if len(seat_pts):
        figures.append(Figure("seats_in_view", "Seating features in view (mean)",
                              mean(fld.seen["seats"][cell_valid]), "count", "",
                              source="Whyte 1980 (sitting space)"))
    else:
        figures.append(Figure("seats_in_view", "Seating features in view (mean)", None, "count",
                              note="no seating in the data"))

    layers = _layers(grid, crs, cells, fld, area, mask, pocket, labels, visible, sxy, place)
    params = {"radius_m": f"{R:g}", "cell_size_m": f"{opt.cell_size_m:g}",
              "street_buffer_m": f"{opt.street_buffer_m:g}",
              "street_spacing_m": f"{opt.street_spacing_m:g}",
              "free_walls": str(opt.use_barriers),
              "arc_step_deg": f"{kernel.ARC_STEP_DEG:g}",
              "observers": str(n_valid), "observers_in_buildings": str(int((~cell_valid).sum())),
              "place_area_m2": f"{place_area:.1f}", "walkable_area_m2": f"{walk_area:.1f}"}
    result = IndicatorResult(THEME, figures, layers, params, warnings)
    if feedback is not None:
        feedback.setProgress(100)
    return SightlinesResult(result, grid, area, fld)


def _layers(grid, crs, cells, fld: IsovistField, area, mask, pocket, labels, visible, sxy,
            place) -> Dict[str, gpd.GeoDataFrame]:
    from rasterio.features import shapes

    ok = fld.valid
    cols = {k: fld.measures[k][ok] for k in ("area", "perimeter", "occlusivity", "compactness",
                                              "max_radial")}
    pts = gpd.GeoDataFrame(
        {"area_m2": cols["area"], "perimeter_m": cols["perimeter"],
         "occlusivity_m": cols["occlusivity"], "compactness": cols["compactness"],
         "max_radial_m": cols["max_radial"],
         "frontage_in_view_m": (fld.seen["frontage"][ok] if "frontage" in fld.seen
                                else np.full(int(ok.sum()), np.nan)),
         "seats_in_view": (fld.seen["seats"][ok] if "seats" in fld.seen
                           else np.full(int(ok.sum()), np.nan)),
         "place_in_view_m2": fld.seen["place"][ok]},
        geometry=shapely.points(cells[ok]), crs=crs)
    rr, cc = np.nonzero(mask)
    pts["pocket"] = pocket[rr[ok], cc[ok]].astype(int)
    geoms, lab = [], []
    if labels.max() > 0:
        for geom, value in shapes(labels.astype(np.int32), mask=labels > 0,
                                  transform=grid.transform, connectivity=4):
            geoms.append(shapely.geometry.shape(geom))
            lab.append(int(value))
    pockets = gpd.GeoDataFrame({"pocket_id": lab}, geometry=geoms, crs=crs)
    if len(pockets):
        pockets = pockets.dissolve(by="pocket_id", as_index=False)
        pockets["cells"] = [int((labels == i).sum()) for i in pockets["pocket_id"]]
        pockets["area_m2"] = pockets["cells"] * grid.cell_area
        pockets["min_isovist_m2"] = [float(np.nanmin(area[labels == i]))
                                     for i in pockets["pocket_id"]]
    else:
        pockets = gpd.GeoDataFrame({"pocket_id": [], "cells": [], "area_m2": [],
                                    "min_isovist_m2": []}, geometry=[], crs=crs)
    vis = gpd.GeoDataFrame({"area_m2": [float(visible.area)]} if not visible.is_empty
                           else {"area_m2": []},
                           geometry=[visible] if not visible.is_empty else [], crs=crs)
    vp = gpd.GeoDataFrame(geometry=shapely.points(sxy) if len(sxy) else [], crs=crs)
    return {"isovist_points": pts, "concealment_pockets": pockets,
            "visible_from_streets": vis, "street_viewpoints": vp}


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------

#: Output layers of ``sightlines.gpkg`` and their geometry types.
OUTPUT_LAYERS = {"isovist_points": "Point", "concealment_pockets": "MultiPolygon",
                 "visible_from_streets": "MultiPolygon", "street_viewpoints": "Point"}


def write_sightlines_outputs(out: SightlinesResult, out_dir=None, feedback: Optional[Feedback] = None,
                             *, raster_path=None, gpkg_path=None) -> Dict[str, Path]:
    """Write ``isovist_area.tif`` (+ ``.qml`` style) and ``sightlines.gpkg``.

    The GeoPackage holds the layers of :data:`OUTPUT_LAYERS` (styled) and the table
    ``sightlines_figures``. Each file is written under a temporary name and renamed when complete.

    Returns
    -------
    dict
        ``"raster"`` and ``"gpkg"`` paths (those written).
    """
    import pyogrio

    from amp_qgis_plugin.core.data.placedata import atomic_geopackage
    from amp_qgis_plugin.core.raster import write_geotiff
    from amp_qgis_plugin.core.styles import style_path, write_layer_styles

    if out_dir is not None:
        out_dir = Path(out_dir)
        raster_path = raster_path or out_dir / "isovist_area.tif"
        gpkg_path = gpkg_path or out_dir / "sightlines.gpkg"
    written: Dict[str, Path] = {}
    res = out.result
    if raster_path is not None:
        check_cancelled(feedback)
        written["raster"] = write_geotiff(
            raster_path, out.isovist_area, out.grid, colour_ramp=style_path("isovist_area"),
            band_name=f"Isovist area within {res.parameters.get('radius_m', '100')} m (m2)",
            units="m2", tags={f"amp.{k}": v for k, v in res.parameters.items()})
    if gpkg_path is None:
        return written
    check_cancelled(feedback)
    target = Path(gpkg_path)
    if target.suffix.lower() != ".gpkg":
        raise InputError(f"The sightline layers go to a GeoPackage (.gpkg), not {target.name!r}.")
    with atomic_geopackage(target) as tmp:
        for name, gtype in OUTPUT_LAYERS.items():
            gdf = res.layers[name]
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", geometry_type=gtype,
                                    promote_to_multi=gtype.startswith("Multi"))
        pyogrio.write_dataframe(figures_frame(res), tmp, layer="sightlines_figures",
                                driver="GPKG")
        write_layer_styles(tmp, list(OUTPUT_LAYERS))
    written["gpkg"] = target
    return written
