"""Amenities and diversity of a place (methodology §1.2, §2.3, §8.2 U3/U4, §8.3 C4/C6).

* Trees in the place against NYC ZR §37-742: R = max(4, 4 + (A − 557 m²) / 93 m²).
* Litter bins against NYC ZR §37-744: 1 per 139 m² up to 557 m², then 1 per further 186 m²
  (rounded up to whole bins; our reading).
* Food: food and drink POIs within the place or its edge (≤ 15 m), U4.
* Reasons to be there (U3, PPS Power of 10): distinct activity categories in the place + 30 m,
  defined in ``resources/scoring/amenities.json`` (``activity_categories``: POI category, OSM
  key=value tags, the seating layer, the transit layer); the count saturates at 10.

"No data" rule: trees and bins are None when the layer is empty in the whole study area (OSM
may simply not map them there); when some are mapped nearby but none in the place, the count is 0.
"""

from __future__ import annotations

import math
from typing import List, Optional

import numpy as np
import shapely

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figure_from_threshold
from amp_qgis_plugin.core.thresholds import load_thresholds

THEME = "amenities"


def _t(key: str) -> float:
    return float(load_thresholds(THEME)["thresholds"][key]["value"])


def required_trees(area_m2: float) -> float:
    """NYC ZR §37-742 tree requirement R = max(4, 4 + (A − 557)/93) for an area in m²."""
    return max(_t("trees_min"), _t("trees_min") + (area_m2 - _t("trees_base_area")) / _t("trees_area_per_extra_tree"))


def required_bins(area_m2: float) -> int:
    """NYC ZR §37-744 litter receptacles for an area in m² (rounded up to whole bins)."""
    small, limit, large = _t("bins_area_per_bin_small"), _t("bins_small_area_limit"), _t("bins_area_per_bin_large")
    if area_m2 <= limit:
        return int(math.ceil(area_m2 / small - 1e-9))
    return int(math.ceil(limit / small + (area_m2 - limit) / large - 1e-9))


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
    tags = [f"{k}={v}" for k, v in zip(sel["key"].fillna("").astype(str), sel["value"].fillna("").astype(str))] \
        if len(sel) else []
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


def amenity_figures(data: PlaceData, feedback: Optional[Feedback] = None) -> IndicatorResult:
    """Trees (C4), bins (C6), food (U4) and reasons to be there (U3) of the place of ``data``."""
    place = data.place_polygon
    area = float(place.area)
    check_cancelled(feedback)
    figs: List[Figure] = []

    trees = data["trees"]
    need_trees = required_trees(area)
    n_trees = int(_within(trees, place, 0.0).sum()) if len(trees) else None
    figs.append(Figure("trees", "Trees in the place", n_trees, "trees", "C4", threshold=round(need_trees, 1),
                       threshold_id="amenities:trees_area_per_extra_tree",
                       source="NYC Zoning Resolution §37-742: R = max(4, 4 + (A − 557 m²)/93 m²)",
                       note=f"requirement {need_trees:.1f} trees for {area:.0f} m²" if n_trees is not None
                       else "no data: no trees mapped in the study area"))
    figs.append(Figure("trees_vs_requirement", "Trees as share of the §37-742 requirement",
                       n_trees / need_trees * 100.0 if n_trees is not None else None, "%", "C4",
                       threshold=100, threshold_id="amenities:trees_area_per_extra_tree",
                       source="NYC Zoning Resolution §37-742",
                       note="" if n_trees is not None else "no data: no trees mapped in the study area"))

    bins = data["bins"]
    need_bins = required_bins(area)
    n_bins = int(_within(bins, place, 0.0).sum()) if len(bins) else None
    figs.append(Figure("bins", "Litter bins in the place", n_bins, "bins", "C6", threshold=need_bins,
                       threshold_id="amenities:bins_area_per_bin_small",
                       source="NYC Zoning Resolution §37-744: 1 per 139 m² up to 557 m², then 1 per 186 m²",
                       note="" if n_bins is not None else "no data: no litter bins mapped in the study area"))
    figs.append(Figure("bins_vs_requirement", "Litter bins as share of the §37-744 requirement",
                       n_bins / need_bins * 100.0 if n_bins is not None and need_bins else None, "%", "C6",
                       threshold=100, threshold_id="amenities:bins_area_per_bin_small",
                       source="NYC Zoning Resolution §37-744",
                       note="" if n_bins is not None else "no data: no litter bins mapped in the study area"))

    pois = data["pois"]
    edge = _t("food_edge")
    if len(pois):
        food_mask = (pois["category"] == "food_drink").values & _within(pois, place, edge)
        n_food: Optional[int] = int(food_mask.sum())
    else:
        n_food = None
    large = area > _t("food_large_area")
    figs.append(figure_from_threshold(
        THEME, "food_min_large" if large else "food_min", "food_pois",
        f"Food and drink within the place or {edge:g} m of it", n_food, indicator="U4",
        note="" if n_food is not None else "no data: no POIs mapped in the study area"))

    check_cancelled(feedback)
    reach = _t("reasons_edge")
    mapped_any = any(len(data[n]) for n in ("pois", "seating", "transit_stops"))
    cats = activity_categories(data, place, reach) if mapped_any else []
    target = _t("reasons_target")
    figs.append(figure_from_threshold(
        THEME, "reasons_target", "reasons_to_be_there",
        f"Reasons to be there (distinct activities in the place + {reach:g} m, max 10)",
        min(len(cats), int(target)) if mapped_any else None, indicator="U3",
        note=(", ".join(cats) if cats else "none found") if mapped_any
        else "no data: no POIs, seating or stops mapped in the study area"))
    return IndicatorResult(theme=THEME, figures=figs, parameters={
        "area_m2": f"{area:.1f}", "thresholds": f"amenities.json version {load_thresholds(THEME).get('version', '')}"})
