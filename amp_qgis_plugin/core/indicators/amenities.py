"""Amenities and diversity of a place (methodology §1.2, §2.3, §8.2 U3/U4, §8.3 C4/C6).

* Trees in the place against NYC ZR §37-742: at least 4 trees; above 6,000 sq ft, 4 more
  caliper inches of tree per additional 1,000 sq ft, the excess rounded to the nearest
  1,000 sq ft. Counted in trees of the minimum 4-inch caliper:
  R = 4 + round((A − 6,000 sq ft) / 1,000 sq ft) (:func:`required_trees`).
* Litter bins against NYC ZR §37-744: 1 per 1,500 sq ft up to 6,000 sq ft, then 1 per further
  2,000 sq ft, rounded up to whole bins (our reading; :func:`required_bins`).
* Food: food and drink POIs within the place or ``food_edge_m`` of it (U4).
* Reasons to be there (U3, PPS Power of 10): distinct activity categories in the place +
  ``reasons_edge_m``, defined in ``resources/scoring/amenities.json`` (``activity_categories``:
  POI category, OSM key=value tags, the seating layer, the transit layer); the count saturates
  at 10.

The NYC rules are kept in the code's own unit, square feet, in the scoring file and the place
area is converted exactly (1 ft = 0.3048 m, so 1 sq ft = 0.09290304 m²): constants rounded to
whole square metres (139 / 557 / 186 m²) move the bin count by one at every step (a 557 m²
plaza is 5,995.5 sq ft and needs 4 receptacles, not 5).

"No data" rule: trees and bins are None when the layer is empty in the whole study area (OSM
may simply not map them there); when some are mapped nearby but none in the place, the count is 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, List, Optional

import numpy as np
import shapely

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figure_from_threshold
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.thresholds import load_thresholds, threshold
from amp_qgis_plugin.core.units import STEP_EPS, above, nyc_value, square_feet

THEME = "amenities"

@dataclass
class AmenityOptions(Options):
    """Options of :func:`compute_amenities` (defaults from ``amenities.json``; all in provenance).

    Attributes
    ----------
    food_edge_m : float
        Food and drink POIs within this distance of the place count (U4).
    reasons_edge_m : float
        Activities within this distance of the place count as reasons to be there (U3).
    """

    THEME: ClassVar[str] = THEME

    food_edge_m: float = option("food_edge", label="food and drink distance", minimum=0,
                                maximum=500)
    reasons_edge_m: float = option("reasons_edge", label="activities distance", minimum=0,
                                   maximum=500)


def _t(key: str) -> float:
    return float(threshold(THEME, key)["value"])


def _whole_steps_up(x: float) -> int:
    """``ceil(x)``, where an ``x`` within floating-point noise of a whole number stays it."""
    return int(math.ceil(x - STEP_EPS))


def required_trees(area_m2: float) -> int:
    """NYC ZR §37-742 trees for a place of ``area_m2``, in trees of the minimum 4-inch caliper.

    At least 4; above 6,000 sq ft one more per additional 1,000 sq ft, the excess rounded to
    the nearest 1,000 sq ft (half up: our reading).

    >>> required_trees(557.0), required_trees(2000.0)
    (4, 20)
    """
    base = nyc_value(THEME, "trees_base_area", "sq ft")
    per_tree = nyc_value(THEME, "trees_area_per_extra_tree", "sq ft per tree")
    minimum = int(_t("trees_min"))
    excess = square_feet(area_m2) - base
    if excess <= 0:
        return minimum
    return minimum + int(math.floor(excess / per_tree + 0.5 + STEP_EPS))


def required_bins(area_m2: float) -> int:
    """NYC ZR §37-744 litter receptacles for a place of ``area_m2`` (rounded up to whole bins).

    >>> required_bins(557.0), required_bins(300.0)
    (4, 3)
    """
    small = nyc_value(THEME, "bins_area_per_bin_small", "sq ft per bin")
    limit = nyc_value(THEME, "bins_small_area_limit", "sq ft")
    large = nyc_value(THEME, "bins_area_per_bin_large", "sq ft per bin")
    area = square_feet(area_m2)
    if not above(area_m2, limit):
        return _whole_steps_up(area / small)
    return _whole_steps_up(limit / small) + _whole_steps_up((area - limit) / large)


def _within(gdf, geom, distance: float) -> np.ndarray:
    if len(gdf) == 0:
        return np.zeros(0, dtype=bool)
    return shapely.dwithin(np.asarray(gdf.geometry.values), geom, distance)


def activity_categories(data: PlaceData, place, edge_m: float) -> List[str]:
    """Distinct U3 activity categories present in the place + ``edge_m`` (sorted)."""
    spec = load_thresholds(THEME)["activity_categories"]
    pois = data["pois"]
    near = _within(pois, place, edge_m)
    sel = pois.loc[near] if len(pois) else pois
    cats = sel["category"].fillna("").astype(str).values if len(sel) else []
    tags = [f"{k}={v}" for k, v in zip(sel["key"].fillna("").astype(str),
                                        sel["value"].fillna("").astype(str))] if len(sel) else []
    found = set()
    for name, rule in spec.items():
        excluded = set(rule.get("exclude_tags", []))
        if any(c in rule.get("poi_category", []) and t not in excluded for c, t in zip(cats, tags)):
            found.add(name)
        if set(rule.get("tags", [])) & set(tags):
            found.add(name)
        if rule.get("seating_layer") and _within(data["seating"], place, edge_m).any():
            found.add(name)
        if rule.get("transit_layer") and _within(data["transit_stops"], place, edge_m).any():
            found.add(name)
    return sorted(found)


def compute_amenities(data: PlaceData, options: Optional[AmenityOptions] = None,
                      feedback: Optional[Feedback] = None) -> IndicatorResult:
    """Trees (C4), bins (C6), food (U4) and reasons to be there (U3) of the place of ``data``.

    Parameters
    ----------
    data : PlaceData
        The place (``place``, ``trees``, ``bins``, ``pois``, ``seating``, ``transit_stops``).
    options : AmenityOptions, optional
        Distances (defaults from ``amenities.json``).
    feedback : Feedback, optional
        Progress and cancellation.

    Returns
    -------
    IndicatorResult
        Figures only (no layers); the parameters hold every option and the place area.
    """
    options = options or AmenityOptions()
    place = data.place_polygon
    area = float(place.area)
    area_ft = square_feet(area)
    if feedback:
        feedback.setProgress(0)
    check_cancelled(feedback)
    figs: List[Figure] = []

    trees = data["trees"]
    need_trees = required_trees(area)
    n_trees = int(_within(trees, place, 0.0).sum()) if len(trees) else None
    no_trees = "no data: no trees mapped in the study area"
    figs.append(Figure("trees", "Trees in the place", n_trees, "trees", "C4", threshold=need_trees,
                       threshold_id="amenities:trees_area_per_extra_tree",
                       source="NYC Zoning Resolution §37-742: at least 4 trees; above 6,000 sq ft "
                              "one more 4-inch tree per 1,000 sq ft (excess rounded to the nearest "
                              "1,000 sq ft)",
                       note=f"requirement {need_trees} trees for {area:.0f} m² ({area_ft:,.0f} sq ft)"
                       if n_trees is not None else no_trees))
    figs.append(Figure("trees_vs_requirement", "Trees as share of the §37-742 requirement",
                       n_trees / need_trees * 100.0 if n_trees is not None else None, "%", "C4",
                       threshold=100, threshold_id="amenities:trees_area_per_extra_tree",
                       source="NYC Zoning Resolution §37-742",
                       note="" if n_trees is not None else no_trees))

    bins = data["bins"]
    need_bins = required_bins(area)
    n_bins = int(_within(bins, place, 0.0).sum()) if len(bins) else None
    no_bins = "no data: no litter bins mapped in the study area"
    figs.append(Figure("bins", "Litter bins in the place", n_bins, "bins", "C6", threshold=need_bins,
                       threshold_id="amenities:bins_area_per_bin_small",
                       source="NYC Zoning Resolution §37-744: 1 per 1,500 sq ft up to 6,000 sq ft, "
                              "then 1 per further 2,000 sq ft (rounded up)",
                       note=f"requirement {need_bins} bins for {area:.0f} m² ({area_ft:,.0f} sq ft)"
                       if n_bins is not None else no_bins))
    figs.append(Figure("bins_vs_requirement", "Litter bins as share of the §37-744 requirement",
                       n_bins / need_bins * 100.0 if n_bins is not None and need_bins else None, "%", "C6",
                       threshold=100, threshold_id="amenities:bins_area_per_bin_small",
                       source="NYC Zoning Resolution §37-744",
                       note="" if n_bins is not None else no_bins))
    if feedback:
        feedback.setProgress(40)

    pois = data["pois"]
    edge = options.food_edge_m
    if len(pois):
        food_mask = (pois["category"] == "food_drink").values & _within(pois, place, edge)
        n_food: Optional[int] = int(food_mask.sum())
    else:
        n_food = None
    large = above(area, nyc_value(THEME, "food_large_area", "sq ft"))
    figs.append(figure_from_threshold(
        THEME, "food_min_large" if large else "food_min", "food_pois",
        f"Food and drink within the place or {edge:g} m of it", n_food, indicator="U4",
        note="" if n_food is not None else "no data: no POIs mapped in the study area"))

    check_cancelled(feedback)
    reach = options.reasons_edge_m
    mapped_any = any(len(data[n]) for n in ("pois", "seating", "transit_stops"))
    cats = activity_categories(data, place, reach) if mapped_any else []
    target = _t("reasons_target")
    figs.append(figure_from_threshold(
        THEME, "reasons_target", "reasons_to_be_there",
        f"Reasons to be there (distinct activities in the place + {reach:g} m, max 10)",
        min(len(cats), int(target)) if mapped_any else None, indicator="U3",
        note=(", ".join(cats) if cats else "none found") if mapped_any
        else "no data: no POIs, seating or stops mapped in the study area"))
    params = options.parameters()
    params["area_m2"] = f"{area:.1f}"
    params["thresholds"] = f"amenities.json version {load_thresholds(THEME).get('version', '')}"
    if feedback:
        feedback.setProgress(100)
    return IndicatorResult(theme=THEME, figures=figs, parameters=params)
