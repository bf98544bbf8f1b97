"""Seating audit of a place (methodology §2.2–2.3 NYC ZR §37-741/§37-744, §8.3 C1–C3, §8.5 S6).

Seats come from the ``seating`` layer (OSM ``amenity=bench``, ``leisure=picnic_table``,
``amenity=lounger``, ``leisure=outdoor_seating`` and municipal furniture registers) and from
cafés and restaurants tagged ``outdoor_seating=yes`` in ``pois``. Every seat within the place
(plus ``edge_tolerance_m``) is audited; cafés within ``cafe_reach_m``.

Assumptions (all options of :class:`SeatingOptions`, defaults from ``seating.json``, written
into the output provenance):

* Linear length: the ``length_m`` column when mapped; else ``seats`` × ``seat_width_m``; else the
  default length of the type (bench 1.8 m, picnic table 3.6 m, lounger 0.6 m, movable chair
  30 in = 0.762 m per NYC ZR §37-741).
* ``seats`` is parsed robustly: ``"4"`` -> 4; ``"4;6"`` (several values) -> the smallest, 4,
  so that the audit never overstates supply; ``"2-3"`` -> 2; ``"~6"`` -> 6; ``"many"``, ``""``,
  ``"0"`` or > 100 -> unknown (the default length is used and the row says so).
* Café outdoor seating (``outdoor_seating=yes`` on a café, or a ``leisure=outdoor_seating``
  area) is reserved for customers, so it is not public seating (NYC ZR §37-741): it is audited
  and mapped, credits ``cafe_seating_m`` metres (default 0) to the linear seating whatever its
  mapped size, and never counts as a seating type.
* Seating types (C3) follow §37-741, which lists fixed benches with and without backs together
  as one type: ``bench`` and ``bench_backed`` are one type (:func:`variety_type`); the audit
  layer keeps them apart for the map.
* Seats with backs (C2): §37-741 asks ≥ 50 % with backs of the *street-frontage* seating only
  (the seating within 15 ft of the street line). The PlaceData has no zoning street line: the
  edge of a European square is a carriageway, a building line or a park edge, so a 15 ft zone
  drawn from the place polygon would be a guess presented as the code. The figure is therefore
  the share of *all* seating in the place with backs, labelled as the methodology's proposal
  (§8.3 C2, ``verified`` false) with a source that names both the proposal and §37-741.
* Social seating (S6): a seat with another seat within ``social_distance_m`` whose facing
  direction (OSM ``direction``, degrees or compass points) differs by at least
  ``social_min_angle_deg`` (at an angle or facing). A picnic table is social by itself. When a
  neighbour exists but either direction is unmapped the answer is ``unknown``, never ``no``.
* Bins within ``bin_reach_m`` (50 ft = 15.24 m, §37-744) and shade trees within
  ``shade_tree_reach_m`` (or the mapped crown radius when larger).

The §37-741 requirement (1 linear ft of seating per 30 sq ft) is computed with the exact foot
(0.3048 m): 1 m of seating per 9.144 m², 10.94 m per 100 m².

"No data" rules: a figure is None when the data cannot tell, e.g. no seating is mapped anywhere
in the study area (then a seatless place is unmapped, not seatless), no backrest is tagged, or
no bin is mapped. When seating is mapped nearby but none lies in the place, supply is 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar, List, Optional, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figure_from_threshold
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.thresholds import load_thresholds
from amp_qgis_plugin.core.units import FOOT_M, above, nyc_value, square_feet

THEME = "seating"

AUDIT_COLUMNS = ("osm_id", "source", "seating_type", "audit_type", "seats_raw", "seats",
                 "seats_known", "length_m", "length_basis", "backrest", "direction_deg", "social",
                 "bin_distance_m", "near_bin", "tree_distance_m", "near_shade_tree", "origin")


@dataclass
class SeatingOptions(Options):
    """Assumptions of the seating audit (defaults from ``seating.json``; all in provenance).

    Attributes
    ----------
    default_bench_length_m : float
        Length of a bench without ``length`` or ``seats``.
    seat_width_m : float
        Linear metres per seat when ``seats`` is mapped.
    picnic_table_length_m, lounger_length_m : float
        Default lengths of a picnic table and a lounger.
    movable_chair_length_m : float
        Credit per movable chair (§37-741: 30 in).
    cafe_seating_m : float
        Metres of public seating credited per café with outdoor seating (default 0: customers
        only).
    cafe_reach_m : float
        Cafés with outdoor seating within this distance of the place are audited.
    social_distance_m, social_min_angle_deg : float
        Social seating: another seat this near whose facing direction differs this much.
    bin_reach_m : float
        A seat within this distance of a litter bin is served (§37-744: 50 ft).
    shade_tree_reach_m : float
        A seat within this distance of a tree (or its mapped crown) is shaded.
    edge_tolerance_m : float
        Seats up to this far outside the place polygon count.
    """

    THEME: ClassVar[str] = THEME

    default_bench_length_m: float = option("default_bench_length", label="default bench length",
                                           minimum=0, exclusive_minimum=True, maximum=20)
    seat_width_m: float = option("seat_width", label="seat width", unit="m", minimum=0,
                                 exclusive_minimum=True, maximum=2)
    picnic_table_length_m: float = option("default_picnic_table_length",
                                          label="default picnic table length", minimum=0,
                                          exclusive_minimum=True, maximum=20)
    lounger_length_m: float = option("default_lounger_length", label="default lounger length",
                                     minimum=0, exclusive_minimum=True, maximum=5)
    movable_chair_length_m: float = option("movable_chair_length",
                                           label="seating credit per movable chair", minimum=0,
                                           exclusive_minimum=True, maximum=2)
    cafe_seating_m: float = option("cafe_seating", label="café seating credit", minimum=0,
                                   maximum=100)
    cafe_reach_m: float = option("cafe_reach", label="café distance", minimum=0, maximum=100)
    social_distance_m: float = option("social_distance", label="social seating distance",
                                      minimum=0, exclusive_minimum=True, maximum=50)
    social_min_angle_deg: float = option("social_min_angle", label="social seating angle",
                                         minimum=0, maximum=180)
    bin_reach_m: float = option("bin_reach", label="litter bin distance", minimum=0, maximum=500)
    shade_tree_reach_m: float = option("shade_tree_reach", label="shade tree distance",
                                       minimum=0, maximum=100)
    edge_tolerance_m: float = option("edge_tolerance", label="edge tolerance", minimum=0,
                                     maximum=100)


def required_seating_m(area_m2: float) -> float:
    """NYC ZR §37-741 linear seating for a place of ``area_m2``: 1 linear ft per 30 sq ft, in m.

    >>> round(required_seating_m(914.4), 6)
    100.0
    """
    per_ft = nyc_value(THEME, "area_per_linear_ft", "sq ft per linear ft")
    return square_feet(area_m2) / per_ft * FOOT_M


def variety_type(audit_type: str) -> Optional[str]:
    """The seating type a seat counts as for variety (C3); None for café seating.

    §37-741 lists fixed benches with and without backs together (one type), and café seating
    for customers only is not public seating.

    >>> variety_type("bench_backed"), variety_type("cafe_outdoor"), variety_type("chair")
    ('bench', None, 'chair')
    """
    if audit_type == "cafe_outdoor":
        return None
    if audit_type == "bench_backed":
        return "bench"
    return audit_type


_NUM = re.compile(r"\d+(?:[.,]\d+)?")


def parse_seats(value) -> Optional[float]:
    """Parse an OSM ``seats`` value; None when unknown (see the module docstring).

    >>> parse_seats("4;6"), parse_seats("many"), parse_seats(""), parse_seats("2-3")
    (4.0, None, None, 2.0)
    """
    text = "" if value is None else str(value).strip().lower()
    if not text or text in ("nan", "none"):
        return None
    nums = [float(n.replace(",", ".")) for n in _NUM.findall(text)]
    nums = [n for n in nums if 0 < n <= 100]
    return min(nums) if nums else None


_COMPASS = {d: i * 22.5 for i, d in enumerate(
    ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"))}


def parse_direction(value) -> Optional[float]:
    """Parse an OSM ``direction`` (degrees or compass points) to degrees; None if absent/unreadable."""
    text = "" if value is None else str(value).strip().upper()
    if not text or text == "NAN":
        return None
    if text in _COMPASS:
        return _COMPASS[text]
    try:
        return float(text.split(";")[0]) % 360.0
    except ValueError:
        return None


def audit_type(seating_type: str, backrest: str) -> str:
    """The seating type of a seat on the map: bench, bench_backed, picnic_table, lounger,
    chair (movable), seat_wall, cafe_outdoor (variety counts :func:`variety_type`)."""
    st = (seating_type or "bench").strip().lower()
    if st in ("bench", "", "yes"):
        return "bench_backed" if (backrest or "").lower() == "yes" else "bench"
    if st in ("chair", "chairs", "movable", "movable_chair"):
        return "chair"
    if st in ("outdoor_seating", "cafe_outdoor"):
        return "cafe_outdoor"
    if st in ("seat_wall", "steps", "ledge", "wall"):
        return "seat_wall"
    return st


def compute_seating(data: PlaceData, options: Optional[SeatingOptions] = None,
                    feedback: Optional[Feedback] = None) -> IndicatorResult:
    """Audit the seats of the place of ``data`` (the seating indicator's entry).

    Parameters
    ----------
    data : PlaceData
        The place (``place``, ``seating``, ``pois``, ``bins``, ``trees``).
    options : SeatingOptions, optional
        Assumptions (defaults from ``seating.json``).
    feedback : Feedback, optional
        Progress, warnings and cancellation.

    Returns
    -------
    IndicatorResult
        ``layers["seating_audit"]`` (Point): one point per seat with the columns of
        :data:`AUDIT_COLUMNS`; figures C1 (linear metres, per 100 m² and vs §37-741), C2 (share
        with backs), C3 (types), S6 (social seating), C6 (seats near a bin), shade.
    """
    options = options or SeatingOptions()
    warnings: List[str] = []
    place = data.place_polygon
    area = float(place.area)
    if feedback:
        feedback.setProgress(0)
    seating = data["seating"]
    pois = data["pois"]
    zone = place.buffer(options.edge_tolerance_m)
    mapped_nearby = len(seating) > 0

    rows = []
    geoms = []
    if len(seating):
        pts = _points(seating)
        inside = shapely.intersects(pts, zone)
        for i in np.flatnonzero(inside):
            r = seating.iloc[i]
            rows.append(_seat_row(r, options, origin="seating"))
            geoms.append(pts[i])
    if len(pois) and "outdoor_seating" in pois:
        cafes = pois["outdoor_seating"].fillna("").astype(str).str.lower().isin(["yes", "true", "1"]).values
        pts = _points(pois)
        reach = max(options.edge_tolerance_m, options.cafe_reach_m)
        inside = cafes & shapely.intersects(pts, place.buffer(reach))
        for i in np.flatnonzero(inside):
            r = pois.iloc[i]
            rows.append({"osm_id": str(r.get("osm_id", "")), "source": str(r.get("source", "")),
                         "seating_type": "outdoor_seating", "audit_type": "cafe_outdoor",
                         "seats_raw": "", "seats": np.nan, "seats_known": 0,
                         "length_m": options.cafe_seating_m,
                         "length_basis": "café seating credit (customers only)",
                         "backrest": "", "direction_deg": np.nan, "origin": "pois.outdoor_seating"})
            geoms.append(pts[i])
        mapped_nearby = mapped_nearby or bool(cafes.any())
    check_cancelled(feedback)
    if feedback:
        feedback.setProgress(30)
    audit = pd.DataFrame(rows, columns=[c for c in AUDIT_COLUMNS
                                        if c not in ("social", "bin_distance_m", "near_bin",
                                                     "tree_distance_m", "near_shade_tree")])
    g = np.array(geoms, dtype=object)
    audit["social"] = _social(audit, g, options)
    check_cancelled(feedback)
    bins = data["bins"]
    trees = data["trees"]
    audit["bin_distance_m"] = _nearest_distance(g, bins)
    audit["near_bin"] = _near_flag(audit["bin_distance_m"], options.bin_reach_m, len(bins) > 0)
    tree_reach = _tree_reach(trees, options.shade_tree_reach_m)
    audit["tree_distance_m"], audit["near_shade_tree"] = _near_tree(g, trees, tree_reach)
    if feedback:
        feedback.setProgress(70)
    layer = gpd.GeoDataFrame(audit[list(AUDIT_COLUMNS)], geometry=gpd.GeoSeries(list(g), crs=data.crs),
                             crs=data.crs)
    defaulted = layer.length_basis.str.startswith("default ").values
    n_unknown = int(defaulted.sum())
    if n_unknown:
        bad = sorted({v for v in layer.loc[defaulted & (layer.seats_raw != "").values, "seats_raw"]})
        warnings.append(f"{n_unknown} seat(s) have no usable 'seats'/'length' value"
                        + (f" ({', '.join(repr(b) for b in bad)})" if bad else "")
                        + "; the default length of their type was used.")
    figures = _figures(layer, area, mapped_nearby, len(bins) > 0, len(trees) > 0, options)
    params = options.parameters()
    params["thresholds"] = f"seating.json version {load_thresholds(THEME).get('version', '')}"
    result = IndicatorResult(theme=THEME, figures=figures, layers={"seating_audit": layer},
                             parameters=params, warnings=warnings,
                             geometry_types={"seating_audit": "Point"})
    if feedback:
        for w in warnings:
            feedback.pushWarning(w)
        feedback.setProgress(100)
    return result


def _points(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Point geometry of each feature (benches drawn as lines or areas use a point on them)."""
    g = np.asarray(gdf.geometry.values)
    is_pt = shapely.get_type_id(g) == 0
    return np.where(is_pt, g, shapely.point_on_surface(g))


def _seat_row(r: pd.Series, options: SeatingOptions, origin: str) -> dict:
    """One row of the audit layer for a feature of the ``seating`` layer."""
    st = str(r.get("seating_type", "") or "bench")
    back = str(r.get("backrest", "") or "").lower()
    atype = audit_type(st, back)
    raw = str(r.get("seats", "") or "")
    seats = parse_seats(raw)
    length = r.get("length_m", np.nan)
    length = float(length) if length is not None and not pd.isna(length) and float(length) > 0 else np.nan
    if atype == "cafe_outdoor":  # leisure=outdoor_seating: for the customers of a café
        length, basis = options.cafe_seating_m, "café seating credit (customers only)"
    elif not math.isnan(length):
        basis = "length tag"
    elif atype == "chair":
        length = options.movable_chair_length_m * (seats or 1)
        basis = f"movable chair x {options.movable_chair_length_m:g} m (NYC ZR §37-741)"
    elif seats is not None:
        length, basis = seats * options.seat_width_m, f"seats x {options.seat_width_m:g} m"
    else:
        length = {"picnic_table": options.picnic_table_length_m,
                  "lounger": options.lounger_length_m}.get(atype, options.default_bench_length_m)
        basis = f"default {atype} length"
    return {"osm_id": str(r.get("osm_id", "")), "source": str(r.get("source", "")),
            "seating_type": st, "audit_type": atype, "seats_raw": raw,
            "seats": seats if seats is not None else np.nan, "seats_known": int(seats is not None),
            "length_m": float(length), "length_basis": basis, "backrest": back,
            "direction_deg": parse_direction(r.get("direction", "")) if "direction" in r else None,
            "origin": origin}


def _social(audit: pd.DataFrame, g: np.ndarray, options: SeatingOptions) -> List[str]:
    """yes / no / unknown per seat (see the module docstring)."""
    n = len(audit)
    out = ["no"] * n
    if n == 0:
        return out
    tree = shapely.STRtree(g)
    left, right = tree.query(g, predicate="dwithin", distance=options.social_distance_m)
    dirs = audit["direction_deg"].astype(float).values
    types = audit["audit_type"].values
    for i in range(n):
        if types[i] == "picnic_table":
            out[i] = "yes"
            continue
        neighbours = [j for j in right[left == i] if j != i and types[j] != "cafe_outdoor"]
        if types[i] == "cafe_outdoor":
            out[i] = "unknown"
            continue
        if not neighbours:
            continue
        state = "no"
        for j in neighbours:
            if np.isnan(dirs[i]) or np.isnan(dirs[j]):
                state = "unknown" if state == "no" else state
                continue
            diff = abs((dirs[i] - dirs[j] + 180.0) % 360.0 - 180.0)
            if diff >= options.social_min_angle_deg:
                state = "yes"
                break
        out[i] = state
    return out


def _nearest_distance(g: np.ndarray, layer: gpd.GeoDataFrame) -> np.ndarray:
    out = np.full(len(g), np.nan)
    if len(g) == 0 or len(layer) == 0:
        return out
    targets = np.asarray(layer.geometry.values)
    tree = shapely.STRtree(targets)
    src, dst = tree.query_nearest(g, all_matches=False)
    out[src] = shapely.distance(g[src], targets[dst])
    return out


def _near_flag(dist: pd.Series, reach: float, mapped: bool) -> List[str]:
    if not mapped:
        return ["unknown"] * len(dist)
    return ["yes" if d <= reach else "no" for d in dist]


def _tree_reach(trees: gpd.GeoDataFrame, default: float) -> np.ndarray:
    if len(trees) == 0:
        return np.zeros(0)
    crown = trees["crown_diameter_m"].astype(float).values / 2.0 if "crown_diameter_m" in trees \
        else np.full(len(trees), np.nan)
    return np.where(np.isnan(crown), default, np.maximum(crown, default))


def _near_tree(g: np.ndarray, trees: gpd.GeoDataFrame, reach: np.ndarray) -> Tuple[np.ndarray, List[str]]:
    dist = _nearest_distance(g, trees)
    if len(trees) == 0:
        return dist, ["unknown"] * len(g)
    flags = []
    tgeoms = np.asarray(trees.geometry.values)
    tree = shapely.STRtree(tgeoms)
    if len(g):
        left, right = tree.query(g, predicate="dwithin", distance=float(reach.max()))
    else:
        left, right = np.zeros(0, int), np.zeros(0, int)
    for i in range(len(g)):
        js = right[left == i]
        ok = any(shapely.distance(g[i], tgeoms[j]) <= reach[j] for j in js)
        flags.append("yes" if ok else "no")
    return dist, flags


def _figures(layer: gpd.GeoDataFrame, area: float, mapped: bool, bins_mapped: bool,
             trees_mapped: bool, options: SeatingOptions) -> List[Figure]:
    """C1, C2, C3, S6, C6 and shade figures."""
    nodata = "no data: no seating is mapped in the study area"
    public = layer[layer.audit_type != "cafe_outdoor"]
    linear = float(layer.length_m.sum()) if mapped else None
    per100 = linear / area * 100.0 if linear is not None else None
    required = required_seating_m(area)
    per_100m2_target = required_seating_m(100.0)
    rule = (f"1 linear ft per {nyc_value(THEME, 'area_per_linear_ft', 'sq ft per linear ft'):g} "
            f"sq ft = 1 m per {100.0 / per_100m2_target:.3f} m²")
    figs = [
        Figure("seat_count", "Seats audited (benches, tables, loungers, café seating)",
               len(layer) if mapped else None, "features", "C1", note="" if mapped else nodata),
        Figure("linear_seating_m", "Linear seating", linear, "m", "C1",
               threshold=round(required, 1), threshold_id="seating:area_per_linear_ft",
               source=f"NYC Zoning Resolution §37-741: {rule}, of {area:.0f} m²",
               note="" if mapped else nodata),
        Figure("seating_per_100m2", "Linear seating per 100 m² of place", per100, "m per 100 m2",
               "C1", threshold=round(per_100m2_target, 2), threshold_id="seating:area_per_linear_ft",
               source=f"NYC Zoning Resolution §37-741 ({rule})", note="" if mapped else nodata),
        Figure("seating_vs_requirement", "Linear seating as share of the §37-741 requirement",
               (linear / required * 100.0) if linear is not None and required > 0 else None, "%", "C1",
               threshold=100, threshold_id="seating:area_per_linear_ft",
               source="NYC Zoning Resolution §37-741", note="" if mapped else nodata),
    ]
    known = public[public.backrest.isin(["yes", "no"])]
    backs = float(known.loc[known.backrest == "yes", "length_m"].sum() / known.length_m.sum() * 100.0) \
        if len(known) and known.length_m.sum() > 0 else None
    figs.append(figure_from_threshold(
        THEME, "backs_share_target", "backs_share",
        "Seating with backs (share of linear metres in the whole place)", backs, indicator="C2",
        note=(f"{len(known)} of {len(public)} seats have backrest tagged" if backs is not None
              else "no data: no seat in the place has backrest=yes/no")))
    types = sorted({t for t in map(variety_type, layer.audit_type) if t is not None}) \
        if mapped else []
    n_cafe = int((layer.audit_type == "cafe_outdoor").sum())
    large = above(area, nyc_value(THEME, "types_large_area", "sq ft"))
    types_note = (", ".join(types) if types else "none") + (
        f" (café outdoor seating, for customers only, is not a public seating type: {n_cafe} "
        "not counted)" if n_cafe else "")
    figs.append(figure_from_threshold(
        THEME, "types_min_large" if large else "types_min", "seating_types", "Seating types",
        len(types) if mapped else None, indicator="C3",
        note=types_note if mapped else nodata))
    soc = public[public.social.isin(["yes", "no"])]
    n_unknown = int((public.social == "unknown").sum())
    social = float((soc.social == "yes").sum() / len(soc) * 100.0) if len(soc) else None
    figs.append(figure_from_threshold(
        THEME, "social_share_target", "social_share",
        f"Social seating (another seat within {options.social_distance_m:g} m at an angle)",
        social, indicator="S6",
        note=(f"{n_unknown} seat(s) unknown: a neighbour within {options.social_distance_m:g} m but no "
              "OSM direction to judge the angle" if social is not None else
              "no data" + (f": {n_unknown} seat(s) have a neighbour but no OSM direction" if n_unknown else
                           ": no seats"))))
    if bins_mapped and len(public):
        near = float((public.near_bin == "yes").sum() / len(public) * 100.0)
        note = ""
    else:
        near = None
        note = "no data: no litter bins mapped" if not bins_mapped else "no data: no seats"
    figs.append(Figure("seats_near_bin", f"Seats within {options.bin_reach_m:g} m of a litter bin", near, "%",
                       "C6", threshold=100, threshold_id="seating:bin_reach",
                       source="NYC Zoning Resolution §37-744 (receptacles within 50 ft of seating)",
                       note=note))
    if trees_mapped and len(public):
        shade = float((public.near_shade_tree == "yes").sum() / len(public) * 100.0)
        note = f"within {options.shade_tree_reach_m:g} m of a tree or its mapped crown (assumption)"
    else:
        shade = None
        note = "no data: no trees mapped" if not trees_mapped else "no data: no seats"
    figs.append(Figure("seats_near_shade_tree", "Seats near a shade tree", shade, "%", "C10",
                       threshold_id="seating:shade_tree_reach", source="Whyte (sun and shade); assumption",
                       verified=False, note=note))
    return figs
