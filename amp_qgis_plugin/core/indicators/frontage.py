"""Ground-floor frontage around a place: façade segments, uses, doors and Gehl grades A–E.

Methodology §3.2 (Gehl's five-step façade scale) and §8.2 U1/U2. Thresholds live in
``resources/scoring/frontage.json``.

How a façade is found (the visibility test)
--------------------------------------------
Every exterior edge of every building within ``max_distance_m`` of the place is cut into pieces
of about ``segment_length_m`` (0 = one piece per building edge). For each piece we take a
viewpoint ``s`` just in front of it (``eye_offset_m`` along the outward normal) and two targets
in the place: the place's nearest point to ``s`` and the point where the façade's normal ray from
``s`` first enters the place (when it does within ``max_distance_m``). The piece faces the place
when ``s`` is within ``max_distance_m`` of the place and at least one sight line ``s`` -> target

* points to the front of the façade (angle to the outward normal below 90°), and
* does not cross the interior of any building, its own included (buildings are shrunk by
  ``occlusion_tolerance_m`` so that lines grazing a shared wall or a corner are not blocked).

Party walls and walls hidden behind other buildings fail the test; so do back and side walls.
Two targets rather than one keep a façade whose nearest view of the place is blocked by a kiosk
but which looks straight onto the rest of the place. This is a 2D test on footprints (no heights).

Uses and doors
--------------
POIs (``pois``) on the ground floor (``level`` empty or spanning 0) inside a building or within
``poi_building_m`` of it belong to that building's nearest façade piece. Entrances within
``door_snap_m`` of a façade piece belong to it. A piece's doors are its entrances (except
``entrance=emergency`` and ``door=no``) plus one door for each active POI that no shop-type
entrance of the piece within ``poi_entrance_match_m`` accounts for (a shop has at least one door).
The piece's use is its most frequent POI category (ties: the order of
:data:`~amp_qgis_plugin.core.data.schema.POI_CATEGORIES`); without POIs it is ``residential``
(``entrance=home/staircase`` or a residential building), ``office``, ``entrance`` (a door of unknown
use) or ``blank``. Municipal ground-floor use (``buildings.use`` from a non-OSM source) overrides
the OSM guess and is named in the ``source`` column.

The Gehl grade of a piece is that of its building's whole frontage on the place (doors per 100 m
over all the building's façade pieces that face the place, ``grade_by="facade"``): Gehl graded
façade stretches, and grading 10 m pieces alone would give only A (2 doors) or E (0 doors).
``grade_by="segment"`` grades each piece by its own density.

The geometry work is vectorised with shapely 2 STR-trees; no hand-written geometry algorithms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar, Dict, List, Optional, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.data.schema import POI_CATEGORIES
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figure_from_threshold
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.thresholds import load_thresholds

THEME = "frontage"
GRADES = ("A", "B", "C", "D", "E")

#: Entrance values that are not doors for Gehl's count.
NOT_DOORS = frozenset({"emergency", "no"})
#: Entrance values that mark housing.
RESIDENTIAL_ENTRANCES = frozenset({"home", "staircase"})
#: Entrance values a shop POI may not be matched to (they are another unit's door).
NON_SHOP_ENTRANCES = frozenset({"home", "staircase", "service", "garage", "emergency", "exit"})
RESIDENTIAL_BUILDINGS = frozenset({"residential", "apartments", "house", "detached", "terrace",
                                   "dormitory", "semidetached_house"})
OFFICE_BUILDINGS = frozenset({"office", "commercial"})

FRONTAGE_COLUMNS = ("building_id", "length_m", "use", "active", "doors", "doors_per_100m",
                    "grade", "poi_ids", "source", "facade_length_m", "facade_doors",
                    "facade_doors_per_100m", "entrance_ids", "distance_m")


@dataclass
class FrontageOptions(Options):
    """Options of :func:`compute_frontage` (defaults from ``frontage.json``; all in provenance).

    Attributes
    ----------
    max_distance_m : float
        Façades farther than this from the place do not count (``edge_buffer``, 30 m,
        methodology §8.1).
    segment_length_m : float
        Target length of façade pieces; 0 = one piece per building edge.
    grade_by : str
        ``"facade"`` (grade a building's whole frontage, default) or ``"segment"``.
    eye_offset_m : float
        How far in front of the façade the viewpoint of the visibility test sits.
    occlusion_tolerance_m : float
        Buildings are shrunk by this much for the occlusion test.
    door_snap_m : float
        Entrances within this distance of a façade piece are its doors.
    poi_building_m : float
        POIs within this distance of a building (or inside it) belong to it.
    poi_entrance_match_m : float
        A shop POI is taken to use a mapped entrance of its piece within this distance.
    min_segment_m : float
        Façade pieces shorter than this are dropped (slivers of digitising).
    """

    THEME: ClassVar[str] = THEME

    max_distance_m: float = option("edge_buffer", label="frontage distance", minimum=0,
                                   exclusive_minimum=True, maximum=500)
    segment_length_m: float = option("segment_length", label="façade segment length",
                                     minimum=0, maximum=500)
    grade_by: str = option("grade_by", label="grading unit", choices=("facade", "segment"))
    eye_offset_m: float = option("eye_offset", label="viewpoint offset", minimum=0,
                                 exclusive_minimum=True, maximum=5)
    occlusion_tolerance_m: float = option("occlusion_tolerance", label="occlusion tolerance",
                                          minimum=0, maximum=1)
    door_snap_m: float = option("door_snap", label="entrance snapping distance", minimum=0,
                                maximum=50)
    poi_building_m: float = option("poi_building", label="POI-to-building distance", minimum=0,
                                   maximum=50)
    poi_entrance_match_m: float = option("poi_entrance_match", label="shop-to-entrance distance",
                                         minimum=0, maximum=100)
    min_segment_m: float = option("min_segment", label="shortest façade piece", minimum=0,
                                  maximum=10)


# --------------------------------------------------------------------------------------------
# Thresholds and small helpers


def grade_thresholds() -> List[Tuple[str, float]]:
    """Return ``[(grade, min doors/100 m), ...]`` from A down to D (below D's minimum: E)."""
    return [(g, float(load_thresholds(THEME)["thresholds"][f"gehl_{g.lower()}_min"]["value"]))
            for g in ("A", "B", "C", "D")]


def gehl_grade(doors_per_100m: Optional[float]) -> Optional[str]:
    """Return the Gehl grade A–E of a door density, or None for no data.

    >>> gehl_grade(10.0)
    'B'
    """
    if doors_per_100m is None or (isinstance(doors_per_100m, float) and math.isnan(doors_per_100m)):
        return None
    for grade, minimum in grade_thresholds():
        if doors_per_100m >= minimum - 1e-9:
            return grade
    return "E"


def active_uses() -> frozenset:
    """The ground-floor uses that count as active (from frontage.json)."""
    return frozenset(load_thresholds(THEME)["active_uses"])


def municipal_use(value: str) -> str:
    """Map a municipal ground-floor-use text (Swedish or English) to an AMP use.

    Exact AMP category names pass through; otherwise the first keyword match in
    ``frontage.json`` ``municipal_use_keywords`` wins; unknown texts give ``"other"``.
    """
    text = (value or "").strip().lower()
    if not text:
        return ""
    known = set(POI_CATEGORIES) | {"residential", "office", "blank"}
    if text in known:
        return text
    for use, words in load_thresholds(THEME)["municipal_use_keywords"].items():
        if any(w in text for w in words):
            return use
    return "other"


_NUM = re.compile(r"-?\d+(?:\.\d+)?")
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)$")


def is_ground_floor(level: str) -> bool:
    """True when an OSM ``level`` value is empty or spans the ground floor (0).

    ``"1"`` (upper floor) and ``"-1"`` (basement) are not ground floor; ``"0;1"`` and ``"-1-1"``
    are. Values without any number (``"ground"``) count as ground floor.
    """
    parts = [p.strip() for p in (level or "").split(";") if p.strip()]
    found = False
    for part in parts:
        rng = _RANGE.match(part)
        if rng:
            found = True
            lo, hi = sorted((float(rng.group(1)), float(rng.group(2))))
            if lo <= 0 <= hi:
                return True
            continue
        for n in _NUM.findall(part):
            found = True
            if abs(float(n)) < 0.5:
                return True
    return not found


# --------------------------------------------------------------------------------------------
# Buildings


def prepare_buildings(buildings: gpd.GeoDataFrame, warnings: List[str]) -> gpd.GeoDataFrame:
    """The usable building footprints: :func:`~amp_qgis_plugin.core.data.buildings.clean_buildings`.

    The same cleaning as at fetch time (so every indicator sees the same buildings); on fetched
    PlaceData it changes nothing, on PlaceData built in code it repairs footprints, drops those
    without one and near-duplicates. Dropped buildings and remaining overlaps are reported in
    ``warnings``.
    """
    from amp_qgis_plugin.core.data.buildings import clean_buildings, cleaning_messages

    clean, counts = clean_buildings(buildings)
    warnings.extend(text for _level, text in cleaning_messages(counts))
    return clean


def _building_id(row: pd.Series, index: int) -> str:
    osm_id = str(row.get("osm_id", "") or "")
    return osm_id if osm_id else f"b{index}"


# --------------------------------------------------------------------------------------------
# Façade pieces


def facade_pieces(buildings: gpd.GeoDataFrame, segment_length_m: float,
                  min_segment_m: float) -> pd.DataFrame:
    """Cut the exterior rings of ``buildings`` into façade pieces.

    Returns a frame with ``bidx`` (row position in ``buildings``), ``x0, y0, x1, y1`` and the
    outward unit normal ``nx, ny`` of each piece. Rings are oriented counter-clockwise first, so
    the outward normal of an edge (dx, dy) is (dy, -dx).
    """
    rows: List[Tuple[int, float, float, float, float]] = []
    for bidx, geom in enumerate(buildings.geometry.values):
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            if poly.is_empty:
                continue
            ring = shapely.orient_polygons(poly).exterior if hasattr(shapely, "orient_polygons") \
                else shapely.geometry.polygon.orient(poly, 1.0).exterior
            xy = np.asarray(ring.coords)[:, :2]
            for (xa, ya), (xb, yb) in zip(xy[:-1], xy[1:]):
                length = math.hypot(xb - xa, yb - ya)
                if length < min_segment_m:
                    continue
                n = 1 if segment_length_m <= 0 else max(1, int(round(length / segment_length_m)))
                for k in range(n):
                    t0, t1 = k / n, (k + 1) / n
                    rows.append((bidx, xa + (xb - xa) * t0, ya + (yb - ya) * t0,
                                 xa + (xb - xa) * t1, ya + (yb - ya) * t1))
    df = pd.DataFrame(rows, columns=["bidx", "x0", "y0", "x1", "y1"])
    if df.empty:
        for col in ("length", "nx", "ny", "mx", "my"):
            df[col] = pd.Series(dtype=float)
        return df
    dx, dy = df.x1 - df.x0, df.y1 - df.y0
    length = np.hypot(dx, dy)
    df["length"] = length
    df["nx"], df["ny"] = dy / length, -dx / length
    df["mx"], df["my"] = (df.x0 + df.x1) / 2, (df.y0 + df.y1) / 2
    return df


def visible_mask(pieces: pd.DataFrame, place, occluders: np.ndarray, options: FrontageOptions,
                 feedback: Optional[Feedback] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Return (visible, distance) for each façade piece (see the module docstring)."""
    if pieces.empty:
        return np.zeros(0, dtype=bool), np.zeros(0)
    sx = pieces.mx.values + pieces.nx.values * options.eye_offset_m
    sy = pieces.my.values + pieces.ny.values * options.eye_offset_m
    eyes = shapely.points(sx, sy)
    dist = shapely.distance(eyes, place)
    near = dist <= options.max_distance_m
    visible = np.zeros(len(pieces), dtype=bool)
    touching = near & (dist <= 1e-9)
    # eyes inside the place: visible unless the eye itself is inside a building
    shrunk = shapely.buffer(occluders, -options.occlusion_tolerance_m)
    shrunk = shrunk[~shapely.is_empty(shrunk)]
    tree = shapely.STRtree(shrunk)
    idx = np.flatnonzero(near & ~touching)
    check_cancelled(feedback)
    # target 1: nearest point of the place
    nearest = shapely.shortest_line(eyes[idx], place)
    tx = shapely.get_x(shapely.get_point(nearest, 1))
    ty = shapely.get_y(shapely.get_point(nearest, 1))
    ok1 = _clear_lines(sx[idx], sy[idx], tx, ty, pieces.nx.values[idx], pieces.ny.values[idx], tree)
    # target 2: where the normal ray enters the place
    far = options.max_distance_m
    rays = shapely.linestrings(np.stack([
        np.stack([sx[idx], sy[idx]], axis=1),
        np.stack([sx[idx] + pieces.nx.values[idx] * far, sy[idx] + pieces.ny.values[idx] * far], axis=1)],
        axis=1))
    with np.errstate(invalid="ignore"):  # GEOS returns NaN coords for empty results
        hits = shapely.intersection(rays, place)
    has_hit = ~shapely.is_empty(hits)
    ok2 = np.zeros(len(idx), dtype=bool)
    if has_hit.any():
        sub = np.flatnonzero(has_hit)
        entry = shapely.shortest_line(eyes[idx][sub], hits[sub])
        ex = shapely.get_x(shapely.get_point(entry, 1))
        ey = shapely.get_y(shapely.get_point(entry, 1))
        ok2[sub] = _clear_lines(sx[idx][sub], sy[idx][sub], ex, ey, pieces.nx.values[idx][sub],
                                pieces.ny.values[idx][sub], tree)
    visible[idx] = ok1 | ok2
    # touching: the eye is in the place; it must not be inside a building (party wall)
    tidx = np.flatnonzero(touching)
    if len(tidx):
        inside = tree.query(eyes[tidx], predicate="intersects")
        blocked = np.zeros(len(tidx), dtype=bool)
        blocked[np.unique(inside[0])] = True
        visible[tidx] = ~blocked
    return visible, dist


def _clear_lines(sx, sy, tx, ty, nx, ny, tree: shapely.STRtree) -> np.ndarray:
    """True where the sight line s -> t points in front of the façade and crosses no building."""
    vx, vy = tx - sx, ty - sy
    front = (vx * nx + vy * ny) > 0
    lines = shapely.linestrings(np.stack([np.stack([sx, sy], axis=1), np.stack([tx, ty], axis=1)], axis=1))
    blocked = np.zeros(len(sx), dtype=bool)
    if len(sx):
        hit = tree.query(lines, predicate="intersects")
        blocked[np.unique(hit[0])] = True
    return front & ~blocked


# --------------------------------------------------------------------------------------------
# Main entry point


def compute_frontage(data: PlaceData, options: Optional[FrontageOptions] = None,
                     feedback: Optional[Feedback] = None) -> IndicatorResult:
    """The frontage indicator (the entry): mapped frontage plus the evening-opening figures.

    :func:`map_frontage` and then the opening-hours figures (U5) of the active POIs within the
    frontage distance, in one result; progress 0-90 % frontage, 90-100 % opening hours.
    """
    from amp_qgis_plugin.core.feedback import ScaledFeedback
    from amp_qgis_plugin.core.indicators.opening_hours import (
        OpeningHoursOptions,
        opening_hours_figures,
        place_coords,
    )

    options = options or FrontageOptions()
    result = map_frontage(data, options, ScaledFeedback(feedback, 0, 90) if feedback else None)
    hours = opening_hours_figures(
        active_pois(data, options.max_distance_m),
        OpeningHoursOptions(coords=place_coords(data.place_polygon, data.crs)),
        ScaledFeedback(feedback, 90, 100) if feedback else None)
    result.figures.extend(hours.figures)
    if feedback:
        feedback.setProgress(100)
    return result


def map_frontage(data: PlaceData, options: Optional[FrontageOptions] = None,
                 feedback: Optional[Feedback] = None) -> IndicatorResult:
    """Map the ground-floor frontage facing the place of ``data``.

    Parameters
    ----------
    data : PlaceData
        Needs ``place`` and ``buildings``; uses ``pois`` and ``entrances`` when present.
    options : FrontageOptions, optional
        Distances and segment length (defaults as documented in :class:`FrontageOptions`).
    feedback : Feedback, optional
        Progress and cancellation.

    Returns
    -------
    IndicatorResult
        ``layers["frontage"]``: one line per façade piece facing the place with the columns
        building_id, length_m, use, active, doors, doors_per_100m, grade, poi_ids, source (plus
        the façade totals); figures: frontage length, active share (U2), doors per 100 m and
        place grade (U1), grade mix.

    Raises
    ------
    DataError
        If the PlaceData has no place polygon.
    InputError
        For impossible options.
    """
    options = options or FrontageOptions()
    warnings: List[str] = []
    place = data.place_polygon
    crs = data.crs
    if feedback:
        feedback.setProgress(0)

    buildings = prepare_buildings(data["buildings"], warnings)
    all_geoms = np.asarray(buildings.geometry.values) if len(buildings) else np.zeros(0, dtype=object)
    near_b = np.flatnonzero(shapely.dwithin(all_geoms, place, options.max_distance_m)) \
        if len(all_geoms) else np.zeros(0, dtype=int)
    cand = buildings.iloc[near_b].reset_index(drop=True)
    check_cancelled(feedback)

    pieces = facade_pieces(cand, options.segment_length_m, options.min_segment_m)
    if feedback:
        feedback.setProgress(20)
    visible, dist = visible_mask(pieces, place, all_geoms, options, feedback)
    pieces["visible"] = visible
    pieces["distance"] = dist
    if feedback:
        feedback.setProgress(60)
    check_cancelled(feedback)

    lines = shapely.linestrings(
        np.stack([np.stack([pieces.x0.values, pieces.y0.values], axis=1),
                  np.stack([pieces.x1.values, pieces.y1.values], axis=1)], axis=1)) \
        if len(pieces) else np.zeros(0, dtype=object)

    entrances = data["entrances"]
    pois = data["pois"]
    ent_piece = _assign_entrances(entrances, lines, options.door_snap_m)
    poi_piece, poi_far, poi_upper = _assign_pois(pois, cand, pieces, lines, options.poi_building_m)
    if poi_far:
        warnings.append(f"{poi_far} POI(s) lie more than {options.poi_building_m:g} m from any building "
                        "near the place (kiosks, stalls, free-standing nodes): they are not frontage.")
    if poi_upper:
        warnings.append(f"{poi_upper} POI(s) near the place are on upper or basement floors (level) "
                        "and do not count as ground-floor use.")
    if feedback:
        feedback.setProgress(75)

    frontage = _frontage_table(cand, pieces, lines, entrances, ent_piece, pois, poi_piece, options, crs)
    if feedback:
        feedback.setProgress(90)

    has_door_data = len(entrances) > 0 or len(pois) > 0
    figures = _place_figures(frontage, has_door_data, len(cand))
    params = options.parameters()
    params["thresholds"] = f"frontage.json version {load_thresholds(THEME).get('version', '')}"
    result = IndicatorResult(theme=THEME, figures=figures, layers={"frontage": frontage},
                             parameters=params, warnings=warnings,
                             geometry_types={"frontage": "LineString"})
    if feedback:
        for w in warnings:
            feedback.pushWarning(w)
        feedback.setProgress(100)
    return result


def _assign_entrances(entrances: gpd.GeoDataFrame, lines: np.ndarray, snap: float) -> np.ndarray:
    """Piece index of each entrance (-1 when no façade piece is within ``snap``)."""
    out = np.full(len(entrances), -1, dtype=int)
    if len(entrances) == 0 or len(lines) == 0:
        return out
    pts = np.asarray(entrances.geometry.values)
    ok = np.flatnonzero(~shapely.is_empty(pts) & ~shapely.is_missing(pts))
    pts = np.where(shapely.get_type_id(pts) == 0, pts, shapely.point_on_surface(pts))
    tree = shapely.STRtree(lines)
    src, dst = tree.query_nearest(pts[ok], max_distance=snap, all_matches=False)
    out[ok[src]] = dst
    return out


def _assign_pois(pois: gpd.GeoDataFrame, cand: gpd.GeoDataFrame, pieces: pd.DataFrame,
                 lines: np.ndarray, reach: float) -> Tuple[np.ndarray, int, int]:
    """Piece index of each ground-floor POI at a candidate building (-1 otherwise).

    Returns (indices, POIs near the place but far from buildings, upper-floor POIs).
    """
    out = np.full(len(pois), -1, dtype=int)
    if len(pois) == 0 or len(cand) == 0 or len(pieces) == 0:
        return out, 0, 0
    pts = np.asarray(pois.geometry.values)
    is_pt = shapely.get_type_id(pts) == 0
    pts_c = np.where(is_pt, pts, shapely.point_on_surface(pts))
    bgeoms = np.asarray(cand.geometry.values)
    btree = shapely.STRtree(bgeoms)
    src, bdst = btree.query_nearest(pts_c, max_distance=reach, all_matches=False)
    ground = np.array([is_ground_floor(str(v)) for v in pois["level"].values])
    # POIs near the candidate buildings' surroundings but not at a building
    zone = shapely.buffer(shapely.union_all(bgeoms), 30.0)
    near_zone = shapely.intersects(pts_c, zone)
    at_building = np.zeros(len(pois), dtype=bool)
    at_building[src] = True
    far = int((near_zone & ~at_building).sum())
    upper = int((at_building & ~ground).sum())
    bidx = pieces.bidx.values
    for p, b in zip(src, bdst):
        if not ground[p]:
            continue
        mine = np.flatnonzero(bidx == b)
        if len(mine) == 0:
            continue
        d = shapely.distance(lines[mine], pts_c[p])
        out[p] = int(mine[int(np.argmin(d))])
    return out, far, upper


def _frontage_table(cand, pieces, lines, entrances, ent_piece, pois, poi_piece,
                    options: FrontageOptions, crs) -> gpd.GeoDataFrame:
    """Build the frontage layer from the visible pieces."""
    actives = active_uses()
    vis = np.flatnonzero(pieces["visible"].values) if len(pieces) else np.zeros(0, dtype=int)
    ent_vals = entrances["entrance"].fillna("").astype(str).str.lower().values if len(entrances) else []
    door_vals = entrances["door"].fillna("").astype(str).str.lower().values if len(entrances) else []
    ent_ids = _ids(entrances, "e")
    poi_ids = _ids(pois, "p")
    poi_cat = pois["category"].fillna("").astype(str).values if len(pois) else []
    ent_by_piece: Dict[int, List[int]] = {}
    for i, p in enumerate(ent_piece):
        if p >= 0:
            ent_by_piece.setdefault(int(p), []).append(i)
    poi_by_piece: Dict[int, List[int]] = {}
    for i, p in enumerate(poi_piece):
        if p >= 0:
            poi_by_piece.setdefault(int(p), []).append(i)
    ent_pts = shapely.point_on_surface(np.asarray(entrances.geometry.values)) if len(entrances) \
        else np.zeros(0, dtype=object)
    poi_pts = shapely.point_on_surface(np.asarray(pois.geometry.values)) if len(pois) \
        else np.zeros(0, dtype=object)
    cat_order = {c: i for i, c in enumerate(POI_CATEGORIES)}

    records = []
    for p in vis:
        b = int(pieces.bidx.values[p])
        brow = cand.iloc[b]
        ents = [e for e in ent_by_piece.get(int(p), [])
                if ent_vals[e] not in NOT_DOORS and door_vals[e] != "no"]
        plist = poi_by_piece.get(int(p), [])
        # doors: entrances + active POIs not accounted for by a shop-type entrance
        shop_ents = [e for e in ents if ent_vals[e] not in NON_SHOP_ENTRANCES]
        free = set(shop_ents)
        extra = 0
        for q in plist:
            if poi_cat[q] not in actives:
                continue
            best, best_d = None, options.poi_entrance_match_m
            for e in free:
                d = shapely.distance(ent_pts[e], poi_pts[q])
                if d <= best_d:
                    best, best_d = e, d
            if best is None:
                extra += 1
            else:
                free.discard(best)
        doors = len(ents) + extra
        # use
        source = "osm"
        muse = str(brow.get("use", "") or "")
        bsource = str(brow.get("source", "") or "")
        cats = Counter(poi_cat[q] for q in plist if poi_cat[q])
        if muse and bsource and bsource != "osm":
            use, source = municipal_use(muse), bsource
        elif cats:
            use = sorted(cats.items(), key=lambda kv: (-kv[1], cat_order.get(kv[0], 99)))[0][0]
        elif any(ent_vals[e] in RESIDENTIAL_ENTRANCES for e in ents):
            use = "residential"
        elif ents:
            btype = str(brow.get("building", "") or "").lower()
            use = "residential" if btype in RESIDENTIAL_BUILDINGS else \
                "office" if btype in OFFICE_BUILDINGS else "entrance"
        elif muse:  # an OSM building:use tag
            use = municipal_use(muse)
        else:
            use = "blank"
        length = float(pieces.length.values[p])
        records.append({
            "building_id": _building_id(brow, b), "bidx": b, "length_m": length, "use": use,
            "active": int(use in actives), "doors": int(doors),
            "doors_per_100m": 100.0 * doors / length,
            "poi_ids": ";".join(poi_ids[q] for q in plist),
            "entrance_ids": ";".join(ent_ids[e] for e in ents),
            "source": source, "distance_m": float(pieces.distance.values[p]),
            "geometry": lines[p],
        })
    if not records:
        cols = {c: pd.Series(dtype="float64" if c.endswith("_m") or c.startswith("doors_per") or
                             c.startswith("facade_doors_per") else
                             "int64" if c in ("active", "doors", "facade_doors") else "object")
                for c in FRONTAGE_COLUMNS}
        return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    df = pd.DataFrame.from_records(records)
    fac = df.groupby("bidx").agg(facade_length_m=("length_m", "sum"), facade_doors=("doors", "sum"))
    df = df.join(fac, on="bidx")
    df["facade_doors_per_100m"] = 100.0 * df.facade_doors / df.facade_length_m
    basis = df.facade_doors_per_100m if options.grade_by == "facade" else df.doors_per_100m
    df["grade"] = [gehl_grade(float(v)) for v in basis]
    df = df.drop(columns=["bidx"])
    gdf = gpd.GeoDataFrame(df[list(FRONTAGE_COLUMNS)], geometry=df.geometry.values, crs=crs)
    return gdf


def _ids(gdf: gpd.GeoDataFrame, prefix: str) -> List[str]:
    if len(gdf) == 0:
        return []
    ids = gdf["osm_id"].fillna("").astype(str).values if "osm_id" in gdf else [""] * len(gdf)
    return [v if v else f"{prefix}{i}" for i, v in enumerate(ids)]


def _place_figures(frontage: gpd.GeoDataFrame, has_door_data: bool, n_buildings: int) -> List[Figure]:
    """U1/U2 place-level figures; "no data" when nothing faces the place or nothing is mapped."""
    total = float(frontage.length_m.sum()) if len(frontage) else 0.0
    if total <= 0:
        why = ("no building within the frontage distance" if n_buildings == 0
               else "no building façade faces the place")
        nodata = f"no data: {why}"
        figs = [Figure("frontage_length", "Frontage facing the place", None, "m", "U1", note=nodata),
                figure_from_threshold(THEME, "active_share_target", "active_share", "Active frontage share",
                                      None, indicator="U2", note=nodata),
                figure_from_threshold(THEME, "gehl_b_min", "doors_per_100m", "Doors per 100 m of frontage",
                                      None, indicator="U1", note=nodata),
                Figure("grade", "Gehl grade of the whole frontage", None, "grade A-E", "U1", note=nodata)]
        return figs
    gmix = frontage.groupby("grade").length_m.sum() / total * 100.0
    doors = int(frontage.doors.sum())
    if has_door_data:
        share = float(frontage.loc[frontage.active == 1, "length_m"].sum() / total * 100.0)
        dens: Optional[float] = 100.0 * doors / total
        note = ""
    else:
        share, dens = None, None
        note = "no data: no POIs or entrances are mapped in the study area"
    grade = gehl_grade(dens) if dens is not None else None
    a_src = load_thresholds(THEME)["thresholds"]["gehl_a_min"]["source"]
    d_entry = load_thresholds(THEME)["thresholds"]["gehl_d_min"]
    figs = [
        Figure("frontage_length", "Frontage facing the place", total, "m", "U1",
               note=f"{len(frontage)} façade segments of {frontage.building_id.nunique()} buildings"),
        figure_from_threshold(THEME, "active_share_target", "active_share", "Active frontage share",
                              share, indicator="U2", note=note),
        figure_from_threshold(THEME, "gehl_b_min", "doors_per_100m", "Doors per 100 m of frontage",
                              dens, indicator="U1",
                              note=note or (f"{doors} doors; grades A ≥ 15, B ≥ 10, C ≥ 6, "
                                            "D ≥ 2 [M], E < 2 [M]")),
        Figure("grade", "Gehl grade of the whole frontage", grade, "grade A-E", "U1",
               threshold_id="frontage:gehl_*_min", threshold="A-E",
               source=f"{a_src}; D/E: {d_entry['source']}", verified=False,
               note=note or "D and E bands are [M] (unverified)"),
    ]
    for g in GRADES:
        val = float(gmix.get(g, 0.0)) if has_door_data else None
        figs.append(Figure(f"grade_{g}_share", f"Frontage graded {g}", val, "% of length", "U1",
                           source="Gehl 1990 five-step scale (methodology §3.2)",
                           verified=g not in ("D", "E"), note=note))
    return figs


def active_pois(data: PlaceData, distance_m: float) -> gpd.GeoDataFrame:
    """POIs of active categories within ``distance_m`` of the place (for the evening figures, U5)."""
    place = data.place_polygon
    pois = data["pois"]
    if pois.empty:
        return pois
    mask = pois["category"].isin(sorted(active_uses())).values & \
        shapely.dwithin(np.asarray(pois.geometry.values), place, distance_m)
    return pois.loc[mask]
