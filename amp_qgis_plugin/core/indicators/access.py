"""Walking access to a place: catchments, residents, public transport, entrances, step-free.

Methodology §6 and §8.4 (Access & Linkages). Thresholds and defaults live in
``resources/scoring/access.json``.

What is computed
----------------
1. The walking network of the study area (:mod:`amp_qgis_plugin.core.network.walk`) with the
   place's entrances: the points where paths meet the edge of the place.
2. The walking distance of every node from the nearest entrance, in one multi-source pass
   (:mod:`amp_qgis_plugin.core.network.engine`).
3. Catchments of a short and a long walk (5 and 10 minutes) at the standard speed (1.3 m/s)
   and at older adults' speed (0.9 m/s): 390, 780, 270 and 540 m of network distance, as
   polygons that follow the streets (:mod:`amp_qgis_plugin.core.network.catchments`) and as
   the reached nodes. With a population layer, the residents in each (A2, areal weighting).
4. Public transport (A1, UN SDG 11.2.1): the walking distance from the place's edge to the
   nearest bus or tram stop (target 500 m) and rail, metro or ferry stop (1,000 m); stops are
   joined to their nearest path (the walk from the path to the stop is added).
5. Entrances (A3): distinct access points (meeting points within ``entrance_merge_m`` count
   once) and the sides of the place they are on: the compass direction the place's edge faces
   there (N, E, S or W), so that every entrance on the long north edge of a rectangle is N.
6. Step-free access (A5), gradient (A6) and surface (A7) on the approaches: the network within
   the short walk at the standard speed (5 min, 390 m). Step-free means no ``highway=steps``
   and no ``wheelchair=no``. Shares of tagged length are reported with the share of length
   tagged at all as coverage (methodology §6.3: tags are sparse); below
   ``min_tag_coverage_pct`` a share has no data. Kerbs are mapped on OSM nodes, which the paths
   layer does not keep: the kerb part of A5 has no data.
7. Escape routes (P6, for the safety index): the share of network nodes on the approaches
   that are dead ends.

``data_coverage`` is the share of the A figures that could be computed.

Bad input gives warnings and "no data", never an error or a zero: pieces of the network not
connected to the place (their length is reported as ``network_coverage``), a place that no
path meets (walks then start from the nearest points of the paths within
``approach_m``; entrance figures have no data), walks that run into the edge of the data,
stops far from every path, no population layer or one that does not overlap. A population
layer that cannot be read as one (no population field, no CRS, lines) is an InputError.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.population import (
    Population,
    PopulationSource,
    describe,
    load_population,
)
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figure_from_threshold
from amp_qgis_plugin.core.network import engine
from amp_qgis_plugin.core.network.catchments import catchment_polygon, reached_length
from amp_qgis_plugin.core.network.walk import (
    WalkNetwork,
    bearing_deg,
    build_walk_network,
    facing_bearing,
    side_of,
)
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.thresholds import load_thresholds

THEME = "access"

#: Capacity classes of ``transit_stops.capacity`` (UN SDG 11.2.1).
LOW, HIGH = "low", "high"


@dataclass
class AccessOptions(Options):
    """Options of :func:`compute_access` (defaults from ``access.json``; all in provenance).

    Attributes
    ----------
    speed_mps : float
        Standard walking speed (1.3 m/s, methodology §6.1, §8.1).
    older_speed_mps : float
        Older adults' walking speed (0.9 m/s, methodology §6.1).
    short_minutes, long_minutes : float
        The two catchment walks (5 and 10 minutes).
    lowcap_stop_m : float
        SDG 11.2.1 walking distance to a bus or tram stop (500 m).
    highcap_stop_m : float
        SDG 11.2.1 walking distance to a rail, metro or ferry stop (1,000 m).
    max_incline_pct : float
        Steepest gentle gradient (5 %, ALM 1:20).
    catchment_buffer_m : float
        Half-width of the strip drawn along each reached path in the catchment polygons.
    entrance_merge_m : float
        Entrances closer than this count as one access point.
    approach_m : float
        Fallback when no path meets the place's edge: paths within this distance start the walks.
    stop_snap_m : float
        Stops farther than this from every path are not reached.
    min_tag_coverage_pct : float
        Gradient and surface shares need at least this share of the approach length tagged.
    population_field : str
        Field of the population layer holding residents; empty = find a known name.
    """

    THEME: ClassVar[str] = THEME

    speed_mps: float = option("walk_speed", label="walking speed", minimum=0.1, maximum=3)
    older_speed_mps: float = option("walk_speed_older", label="walking speed of older adults",
                                    minimum=0.1, maximum=3)
    short_minutes: float = option("walk_minutes_short", label="short walk", minimum=0,
                                  exclusive_minimum=True, maximum=60)
    long_minutes: float = option("walk_minutes_long", label="long walk", minimum=0,
                                 exclusive_minimum=True, maximum=60)
    lowcap_stop_m: float = option("sdg_lowcap_distance", label="walk to a bus or tram stop",
                                  minimum=0, exclusive_minimum=True, maximum=5000)
    highcap_stop_m: float = option("sdg_highcap_distance",
                                   label="walk to a rail, metro or ferry stop", minimum=0,
                                   exclusive_minimum=True, maximum=5000)
    max_incline_pct: float = option("max_incline", label="steepest gentle gradient", minimum=0,
                                    exclusive_minimum=True, maximum=100)
    catchment_buffer_m: float = option("catchment_buffer", label="catchment strip width",
                                       minimum=0, exclusive_minimum=True, maximum=200)
    entrance_merge_m: float = option("entrance_merge", label="entrance merging distance",
                                     minimum=0, maximum=50)
    approach_m: float = option("approach_search", label="path search distance around the place",
                               minimum=0, exclusive_minimum=True, maximum=500)
    stop_snap_m: float = option("stop_snap", label="stop-to-path distance", minimum=0,
                                maximum=500)
    min_tag_coverage_pct: float = option("min_tag_coverage", label="least tag coverage",
                                         minimum=0, maximum=100)
    population_field: str = option(None, label="population field", default="")

    def check(self) -> None:
        """The long walk must be longer than the short one."""
        if self.long_minutes <= self.short_minutes:
            raise InputError(f"The long walk ({self.long_minutes:g} min) must be longer than the "
                             f"short walk ({self.short_minutes:g} min).",
                             options=("long_minutes", "short_minutes"))

    def catchments(self) -> List[Tuple[str, str, float, float]]:
        """``(key suffix, group, speed m/s, minutes)`` of the four catchments, in display order."""
        return [("short", "standard", self.speed_mps, self.short_minutes),
                ("long", "standard", self.speed_mps, self.long_minutes),
                ("short_older", "older adults", self.older_speed_mps, self.short_minutes),
                ("long_older", "older adults", self.older_speed_mps, self.long_minutes)]


def _doc() -> Dict[str, Any]:
    return load_thresholds(THEME)


def _source(key: str) -> str:
    return str(_doc()["thresholds"][key]["source"])


# --------------------------------------------------------------------------------------------
# Entrances


def entrance_table(network: WalkNetwork, place: shapely.Geometry, merge_m: float) -> pd.DataFrame:
    """One row per entrance node: its access point, side, bearing and paths.

    Columns: ``node``, ``x``, ``y``, ``access_point`` (entrances within ``merge_m`` share one),
    ``side``, ``facing_deg`` (the direction the place's edge faces there), ``bearing_deg``
    (from the place's centroid), ``osm_ids`` and ``highways`` of the paths meeting the edge
    there (outside the place), ``step_free`` (1 when one of them is neither steps nor
    ``wheelchair=no``).
    """
    nodes = np.asarray(network.entrances, dtype=np.int64)
    cols = ["node", "x", "y", "access_point", "side", "facing_deg", "bearing_deg", "osm_ids",
            "highways", "step_free"]
    if not len(nodes):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    xy = network.xy[nodes]
    facing = facing_bearing(place, xy)
    centroid = place.centroid
    bearing = bearing_deg((centroid.x, centroid.y), xy)
    # access points: single-linkage clusters of entrances within merge_m
    label = np.arange(len(nodes))
    if merge_m > 0 and len(nodes) > 1:
        pts = shapely.points(xy)
        left, right = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=merge_m)
        for a, b in sorted(zip(left.tolist(), right.tolist())):
            la, lb = label[a], label[b]
            if la != lb:
                label[label == max(la, lb)] = min(la, lb)
    _, access_point = np.unique(label, return_inverse=True)
    tags = network.tags
    steps = tags["highway"].str.lower().eq("steps").to_numpy()
    no_chair = tags["wheelchair"].str.lower().eq("no").to_numpy()
    outside = tags["in_place"].to_numpy() == 0
    ids, highways, free = [], [], []
    for node in nodes:
        inc = np.flatnonzero((network.u == node) | (network.v == node))
        out = inc[outside[inc]] if outside[inc].any() else inc
        ids.append(";".join(sorted(set(tags["osm_id"].to_numpy()[out]) - {""})))
        highways.append(";".join(sorted(set(tags["highway"].to_numpy()[out]) - {""})))
        free.append(int(bool((~steps[out] & ~no_chair[out]).any())))
    return pd.DataFrame({"node": nodes, "x": xy[:, 0], "y": xy[:, 1],
                         "access_point": access_point.astype(np.int64) + 1,
                         "side": side_of(facing), "facing_deg": np.round(facing, 1),
                         "bearing_deg": np.round(bearing, 1), "osm_ids": ids,
                         "highways": highways, "step_free": np.asarray(free, dtype=np.int64)})


# --------------------------------------------------------------------------------------------
# Transit stops


def stop_distances(network: WalkNetwork, dist: np.ndarray, stops: gpd.GeoDataFrame,
                   place: shapely.Geometry, snap_m: float) -> Tuple[np.ndarray, np.ndarray]:
    """Walking distance of each stop from the place and its distance to the nearest path.

    A stop is joined to the nearest point of the nearest edge (within ``snap_m``); its distance
    is the shorter way along the edge from either end plus the walk from the path. A stop
    inside the place is at 0 m. Unreached stops are NaN.
    """
    n = len(stops)
    out, gap = np.full(n, np.nan), np.full(n, np.nan)
    if not n or not network.n_edges:
        return out, gap
    pts = shapely.point_on_surface(np.asarray(stops.geometry.values, dtype=object))
    (which, edge), gaps = shapely.STRtree(network.geometry).query_nearest(
        pts, max_distance=snap_m, return_distance=True, all_matches=False)
    t = shapely.line_locate_point(network.geometry[edge], pts[which])
    along = np.minimum(dist[network.u[edge]] + t, dist[network.v[edge]] + network.length[edge] - t)
    out[which] = np.where(np.isfinite(along), along + gaps, np.nan)
    gap[which] = gaps
    inside = shapely.contains_xy(place, shapely.get_x(pts), shapely.get_y(pts))
    out[inside] = 0.0
    return out, gap


def _count_stops(frame: pd.DataFrame) -> int:
    """Distinct stops: named stops of one mode count once (platforms on both sides of a street)."""
    named = frame["name"].astype(str).str.strip() != ""
    return int(frame.loc[named, ["name", "mode"]].drop_duplicates().shape[0] + (~named).sum())


# --------------------------------------------------------------------------------------------
# Tags on the approaches

_PERCENT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*%\s*$")
_DEGREES = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*°\s*$")


def incline_percent(value: str) -> float:
    """The gradient in percent of an OSM ``incline`` value (absolute), NaN if not a number.

    ``"10%"`` -> 10, ``"-4.5 %"`` -> 4.5, ``"5°"`` -> 8.75 (tan), ``"up"`` -> NaN.

    >>> incline_percent("-8%"), math.isnan(incline_percent("up"))
    (8.0, True)
    """
    text = str(value or "")
    match = _PERCENT.match(text)
    if match:
        return abs(float(match.group(1).replace(",", ".")))
    match = _DEGREES.match(text)
    if match:
        return abs(100.0 * math.tan(math.radians(float(match.group(1).replace(",", ".")))))
    return float("nan")


@dataclass
class ApproachTags:
    """Length-weighted tag shares on the approaches (metres of reached network)."""

    total_m: float
    tagged_any_m: float
    incline_tagged_m: float
    gentle_m: float
    surface_tagged_m: float
    firm_m: float
    steps_m: float
    n_steps: int


def approach_tags(network: WalkNetwork, weight: np.ndarray, max_incline_pct: float) -> ApproachTags:
    """Tag shares over the edges weighted by ``weight`` (reached metres of each edge)."""
    tags = network.tags
    doc = _doc()
    firm_set = {s.lower() for s in doc["firm_surfaces"]}
    even_set = {s.lower() for s in doc["even_smoothness"]}
    surface = tags["surface"].str.strip().str.lower().to_numpy()
    smooth = tags["smoothness"].str.strip().str.lower().to_numpy()
    incline = np.array([incline_percent(v) for v in tags["incline"].to_numpy()])
    steps = tags["highway"].str.lower().eq("steps").to_numpy()
    surface_known = (surface != "") | (smooth != "")
    # a smoothness tag decides; else the surface; several surfaces ("paved;cobblestone"): all firm
    by_surface = np.array([bool(s) and all(p.strip() in firm_set for p in s.split(";"))
                           for s in surface], dtype=bool)
    firm = np.where(smooth != "", np.isin(smooth, list(even_set)), by_surface)
    has_incline = np.isfinite(incline) & ~steps
    any_tag = surface_known | (tags["incline"].str.strip() != "").to_numpy() | \
        (tags["wheelchair"].str.strip() != "").to_numpy() | np.isfinite(tags["width_m"].to_numpy(dtype=float))
    w = np.asarray(weight, dtype=float)
    # flights of steps: distinct OSM ways (a way split at junctions is one flight)
    osm = tags["osm_id"].to_numpy()
    stepped = np.flatnonzero(steps & (w > 0))
    flights = len({osm[i] or f"edge{i}" for i in stepped})
    return ApproachTags(total_m=float(w.sum()), tagged_any_m=float(w[any_tag].sum()),
                        incline_tagged_m=float(w[has_incline].sum()),
                        gentle_m=float(w[has_incline & (incline <= max_incline_pct + 1e-9)].sum()),
                        surface_tagged_m=float(w[surface_known].sum()),
                        firm_m=float(w[surface_known & firm].sum()),
                        steps_m=float(w[steps].sum()), n_steps=flights)


def _pct(part: float, whole: float) -> Optional[float]:
    return 100.0 * part / whole if whole > 0 else None


# --------------------------------------------------------------------------------------------
# The entry


def compute_access(data: PlaceData, options: Optional[AccessOptions] = None,
                   feedback: Optional[Feedback] = None, *,
                   population: Optional[Union[PopulationSource, Population]] = None,
                   ) -> IndicatorResult:
    """Walking access to the place (methodology §8.4 A1, A2, A3, A5-A7).

    Parameters
    ----------
    data : PlaceData
        The place (its ``paths``, ``transit_stops`` and place polygon are used).
    options : AccessOptions, optional
        Defaults from ``access.json``.
    feedback : Feedback, optional
        Progress, cancellation and warnings.
    population : path-like, GeoDataFrame or Population, optional
        A population grid or polygon (or point) layer in any CRS for A2 (or one already read
        with :func:`load_population` in the place's CRS); without it the residents have no data.

    Returns
    -------
    IndicatorResult
        Layers ``walk_nodes``, ``walk_edges`` (osmnx layout), ``catchments``,
        ``catchment_nodes``, ``place_entrances``, ``transit_access``; the figures; the walking
        network and node distances in ``extras`` (``walk_network``, ``walk_distances``).

    Raises
    ------
    InputError
        A population layer that cannot be used (no population field, no CRS, lines).
    """
    options = options or AccessOptions()
    doc = _doc()
    warnings: List[str] = []
    place = data.place_polygon
    pop = None
    if population is not None:
        # a layer read and checked already (an assessment checks it before any indicator)
        pop = population if isinstance(population, Population) else load_population(
            population, data.crs, options.population_field, doc["population_fields"])
        warnings.extend(pop.warnings)
    check_cancelled(feedback)
    if feedback is not None:
        feedback.setProgress(5)

    network = build_walk_network(data["paths"], place, crs=data.crs,
                                 exclude_highways=doc["walk_exclude_highways"],
                                 approach_m=options.approach_m)
    dist = network.distances()
    check_cancelled(feedback)
    if feedback is not None:
        feedback.setProgress(30)

    warnings.extend(_network_warnings(network, options))
    connected, coverage = _connected(network, dist)
    if network.n_edges and coverage is not None and coverage < 100.0 - 1e-9:
        pieces = int(len(np.unique(network.component[~connected]))) if (~connected).any() else 0
        lost = float(network.length[~connected[network.u]].sum())
        warnings.append(
            f"{pieces} piece(s) of the walking network ({lost:.0f} m of paths, "
            f"{100.0 - coverage:.1f} % of its length in the study area) are not connected to the "
            "place, so nothing on them is reached; they are often indoor corridors, platforms or "
            "gaps in the mapping (see walk_edges: component).")

    figures: List[Figure] = []
    layers: Dict[str, gpd.GeoDataFrame] = {}

    # catchments (A2)
    layers["catchments"], catch_figs = _catchments(network, dist, place, pop, options, warnings,
                                                   feedback)
    max_m = float(layers["catchments"]["metres"].max())
    data_edge = _data_edge_ends(network, dist, max_m, data, options)
    warnings.extend(_data_edge_warning(data_edge, options))
    reached = np.flatnonzero(dist <= max_m)
    layers["catchment_nodes"] = gpd.GeoDataFrame(
        {"osmid": reached.astype(np.int64), "distance_m": dist[reached],
         "minutes_standard": dist[reached] / options.speed_mps / 60.0,
         "minutes_older": dist[reached] / options.older_speed_mps / 60.0},
        geometry=shapely.points(network.xy[reached]) if len(reached) else [], crs=data.crs)

    # transit stops (A1)
    stops_layer, stop_figs = _transit(network, dist, data, place, options, warnings)
    layers["transit_access"] = stops_layer

    # entrances (A3) and step-free (A5)
    entrances = entrance_table(network, place, options.entrance_merge_m)
    layers["place_entrances"] = gpd.GeoDataFrame(
        entrances.drop(columns=["x", "y"]).rename(columns={"node": "osmid"}),
        geometry=shapely.points(entrances[["x", "y"]].to_numpy(dtype=float)) if len(entrances) else [],
        crs=data.crs)
    entrance_figs = _entrance_figures(entrances, network)

    # approaches: the short walk at the standard speed (A5-A7)
    approach_m = options.speed_mps * options.short_minutes * 60.0
    weight = reached_length(network, dist, approach_m) if network.n_edges else np.zeros(0)
    tags = approach_tags(network, weight, options.max_incline_pct)
    step_free = _step_free_reach(network, approach_m, weight)
    approach_figs = _approach_figures(tags, step_free, entrances, approach_m, options)
    approach_figs.append(_dead_end_figure(network, dist, approach_m, data_edge))

    figures.extend(stop_figs)
    figures.extend(catch_figs)
    figures.extend(entrance_figs)
    figures.extend(approach_figs)
    figures.append(Figure("network_coverage", "Walking network connected to the place",
                          coverage, "% of length", "",
                          source="Methodology §6.3: report a coverage flag with network measures",
                          note="" if coverage is not None else "no data: no walkable paths"))
    assessed = [f for f in figures if f.indicator.startswith("A") and not f.key.endswith("_coverage")]
    figures.append(Figure(
        "data_coverage", "Access figures that could be computed",
        100.0 * sum(f.has_data for f in assessed) / len(assessed) if assessed else None, "%", "",
        source="Methodology §8.1: report a data-coverage % (share of indicators computed)",
        note=f"{sum(f.has_data for f in assessed)} of {len(assessed)} access figures (A1-A7) have data"))

    layers["walk_nodes"] = network.nodes_frame()
    layers["walk_edges"] = network.edges_frame()
    params = options.parameters()
    params["population_layer"] = describe(pop)
    params["walk_network"] = (f"{network.n_nodes} nodes, {network.n_edges} edges, "
                              f"{float(network.length.sum()):.0f} m; "
                              f"{len(network.entrances)} entrance nodes, {len(network.starts)} starts")
    if feedback is not None:
        for w in warnings:
            feedback.pushWarning(w)
        feedback.setProgress(100)
    order = ("walk_nodes", "walk_edges", "catchments", "catchment_nodes", "place_entrances",
             "transit_access")
    return IndicatorResult(
        theme=THEME, figures=figures, layers={k: layers[k] for k in order},
        parameters=params, warnings=warnings,
        geometry_types={"walk_nodes": "Point", "walk_edges": "LineString",
                        "catchments": "MultiPolygon", "catchment_nodes": "Point",
                        "place_entrances": "Point", "transit_access": "Point"},
        layer_styles={"transit_access": "transit_access"},
        extras={"walk_network": network, "walk_distances": dist})


def _catchments(network: WalkNetwork, dist: np.ndarray, place: shapely.Geometry,
                pop: Optional[Population], options: AccessOptions, warnings: List[str],
                feedback: Optional[Feedback]) -> Tuple[gpd.GeoDataFrame, List[Figure]]:
    """The ``catchments`` layer (one row per walk) and its A2 figures."""
    rows, figs = [], []
    for suffix, group, speed, minutes in options.catchments():
        check_cancelled(feedback)
        metres = speed * minutes * 60.0
        poly = catchment_polygon(network, dist, metres, options.catchment_buffer_m, place) \
            if len(network.starts) else shapely.MultiPolygon()
        reached_m = float(reached_length(network, dist, metres).sum()) if network.n_edges else 0.0
        residents, covered = (pop.within(poly) if pop is not None and not poly.is_empty
                              else (None, None))
        if covered is not None and covered <= 0:
            residents = None
        rows.append({"key": suffix, "group": group, "speed_mps": speed, "minutes": minutes,
                     "metres": metres, "reached_length_m": reached_m, "area_m2": float(poly.area),
                     "population": np.nan if residents is None else residents, "geometry": poly})
        figs.append(_population_figure(suffix, group, speed, minutes, metres, residents,
                                       covered, pop, network))
        if covered is not None and 0 < covered < 0.99:
            warnings.append(f"The population layer covers {100 * covered:.0f} % of the "
                            f"{minutes:g}-minute catchment at {speed:g} m/s; residents outside "
                            "it are not counted.")
        if feedback is not None:
            feedback.setProgress(30.0 + 50.0 * len(rows) / 4.0)
    if pop is not None and len(network.starts) and all(np.isnan(r["population"]) for r in rows):
        warnings.append(f"{pop.title.capitalize()} does not overlap the catchments; check that "
                        "it covers the place and that its CRS is right.")
    layer = gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns="geometry"),
                             geometry=[r["geometry"] for r in rows], crs=network.crs)
    return layer, figs


def _network_warnings(network: WalkNetwork, options: AccessOptions) -> List[str]:
    """Warnings about the network as a whole: no paths, no entrances."""
    if not network.n_edges:
        return ["The study area has no walkable paths, so walking access cannot be computed; "
                "check the paths layer of the PlaceData (fetch the place again)."]
    if len(network.entrances):
        return []
    if len(network.starts):
        lo, hi = float(network.start_offsets.min()), float(network.start_offsets.max())
        return [f"No path meets the edge of the place: the walks start from the nearest points of "
                f"the {len(network.starts)} path(s) within {options.approach_m:g} m of it "
                f"({lo:.0f}-{hi:.0f} m away). Entrance figures have no data and distances are "
                "approximate; check the place's outline or map the paths leading into it."]
    return [f"No path meets the edge of the place and none lies within {options.approach_m:g} m "
            "of it, so no catchment can be computed; check the place's outline or use a larger "
            "path search distance."]


def _data_edge_ends(network: WalkNetwork, dist: np.ndarray, max_m: float,
                    data: PlaceData, options: AccessOptions) -> np.ndarray:
    """Dead ends reached within ``max_m`` where the mapped data itself stops.

    They lie on the convex hull of all the paths (within 1 m) and well inside the study area:
    the walk runs into the edge of the data (an extract cut at its bounding box), not into a
    path that goes nowhere.
    """
    mask = np.zeros(network.n_nodes, dtype=bool)
    if not network.n_edges or not len(network.starts):
        return mask
    ends = np.flatnonzero((network.street_count == 1) & (dist <= max_m))
    if not len(ends):
        return mask
    hull = shapely.convex_hull(shapely.multipoints(network.xy))
    pts = shapely.points(network.xy[ends])
    on_edge = shapely.distance(pts, shapely.boundary(hull)) < 1.0
    try:
        inner = shapely.buffer(data.study_area_polygon, -options.catchment_buffer_m)
        on_edge &= shapely.contains(inner, pts)
    except DataError:  # no study area recorded: the hull test alone
        pass
    mask[ends[on_edge]] = True
    return mask


def _data_edge_warning(data_edge: np.ndarray, options: AccessOptions) -> List[str]:
    """A warning when walks run into the outer edge of the mapped paths (see _data_edge_ends)."""
    n = int(data_edge.sum())
    if not n:
        return []
    return [f"{n} path(s) reached within the {options.long_minutes:g}-minute walk end on the outer "
            "edge of the mapped paths inside the study area: the OSM data probably stops there "
            "(the edge of the extract), so the reach, residents and stops beyond it are missing. "
            "Use data that covers the whole study area."]


def _dead_end_figure(network: WalkNetwork, dist: np.ndarray, approach_m: float,
                     data_edge: np.ndarray) -> Figure:
    """P6 escape routes: the share of network nodes on the approaches that are dead ends."""
    near = dist <= approach_m
    near[network.entrances] = False  # a path ending on the place's edge leads into the place
    near &= ~data_edge
    n = int(near.sum())
    ends = int((near & (network.street_count == 1)).sum())
    where = f"network nodes within {approach_m:.0f} m walk of the place"
    return Figure("dead_end_share", "Dead ends on the approaches", 100.0 * ends / n if n else None,
                  "%", "P6", source="Methodology §8.6 P6 (escape: exits without dead ends); Fisher & "
                  "Nasar 1992; Hillier & Shu 1999 (crime in dead-end footpaths)",
                  verified=False,
                  note=(f"{ends} of {n} {where} end a path that leads nowhere (the place's entrances "
                        "and the edge of the data are not counted)") if n else
                  "no data: no walking network from the place")


def _connected(network: WalkNetwork, dist: np.ndarray) -> Tuple[np.ndarray, Optional[float]]:
    """Nodes in a piece of the network holding a start, and the share of length there (%)."""
    if not network.n_nodes:
        return np.zeros(0, dtype=bool), None
    if not len(network.starts):
        return np.zeros(network.n_nodes, dtype=bool), 0.0 if network.n_edges else None
    connected = np.isin(network.component, np.unique(network.component[network.starts]))
    total = float(network.length.sum())
    return connected, _pct(float(network.length[connected[network.u]].sum()), total)


def _population_figure(suffix: str, group: str, speed: float, minutes: float, metres: float,
                       residents: Optional[float], covered: Optional[float],
                       pop: Optional[Population], network: WalkNetwork) -> Figure:
    """The A2 figure of one catchment."""
    label = (f"Residents within a {minutes:g}-minute walk at {speed:g} m/s "
             f"({metres:.0f} m{', older adults' if group != 'standard' else ''})")
    if pop is None:
        note = "no data: no population layer given"
    elif not len(network.starts):
        note = "no data: no walking catchment (see the warnings)"
    elif residents is None:
        note = f"no data: {pop.title} does not overlap the catchment"
    else:
        note = (f"{pop.name or 'population layer'}, field {pop.field!r}, areal weighting"
                + (f"; the layer covers {100 * covered:.0f} % of the catchment"
                   if covered is not None and covered < 0.99 else ""))
    return figure_from_threshold(THEME, "catchment_population", f"population_{suffix}", label,
                                 residents, note=note)


def _transit(network: WalkNetwork, dist: np.ndarray, data: PlaceData, place: shapely.Geometry,
             options: AccessOptions, warnings: List[str]) -> Tuple[gpd.GeoDataFrame, List[Figure]]:
    """The ``transit_access`` layer and the A1 figures."""
    stops = data["transit_stops"]
    distance, gap = stop_distances(network, dist, stops, place, options.stop_snap_m)
    capacity = stops["capacity"].fillna("").astype(str).str.lower().to_numpy() if len(stops) \
        else np.zeros(0, dtype=object)
    threshold = np.where(capacity == LOW, options.lowcap_stop_m,
                         np.where(capacity == HIGH, options.highcap_stop_m, np.nan))
    with np.errstate(invalid="ignore"):
        within = (distance <= threshold).astype(np.int64)
    layer = gpd.GeoDataFrame(
        {"osm_id": stops["osm_id"].to_numpy() if len(stops) else [],
         "name": stops["name"].to_numpy() if len(stops) else [],
         "mode": stops["mode"].to_numpy() if len(stops) else [],
         "capacity": capacity, "distance_m": distance, "path_gap_m": gap,
         "threshold_m": threshold, "within": within},
        geometry=shapely.point_on_surface(np.asarray(stops.geometry.values, dtype=object))
        if len(stops) else [], crs=data.crs)
    unsnapped = int((np.isnan(gap)).sum()) if len(stops) and network.n_edges else 0
    if unsnapped:
        warnings.append(f"{unsnapped} public-transport stop(s) lie farther than "
                        f"{options.stop_snap_m:g} m from every walkable path and are not reached.")
    radius = _study_radius(data)
    figs = []
    for cap, key, target, words in ((LOW, "lowcap", options.lowcap_stop_m, "bus or tram"),
                                    (HIGH, "highcap", options.highcap_stop_m,
                                     "rail, metro or ferry")):
        mine = (capacity == cap) & np.isfinite(distance)
        nearest = float(distance[mine].min()) if mine.any() else None
        count = _count_stops(layer.loc[mine & (distance <= target)])
        threshold_key = f"sdg_{key}_distance"
        if not network.n_edges or not len(network.starts):
            note = "no data: no walking network from the place"
        elif nearest is None:
            note = f"no data: no {words} stop is reached on the walking network of the study area"
            if radius is not None and radius < target:
                note += (f" (it reaches about {radius:.0f} m from the place; fetch with a study "
                         f"radius of at least {target:.0f} m to judge this)")
        else:
            note = f"walking distance from the edge of the place; {count} stop(s) within {target:.0f} m"
        figs.append(figure_from_threshold(THEME, threshold_key, f"nearest_{key}_stop_m",
                                          f"Walk to the nearest {words} stop", nearest,
                                          note=note))
        if nearest is not None and nearest > target:
            figs[-1].note += f"; farther than the SDG 11.2.1 distance of {target:.0f} m"
        # a count of 0 is a fact only when the network reaches the SDG distance
        known = bool(len(network.starts)) and (
            nearest is not None or (radius is not None and radius >= target))
        figs.append(Figure(f"{key}_stops_within", f"{words.capitalize()} stops within "
                           f"{target:.0f} m walk", count if known else None,
                           "stops", "A1", threshold_id=f"{THEME}:{threshold_key}",
                           source=_source(threshold_key),
                           note="named stops of one mode count once (platforms on both sides)"
                           if known else note))
    return layer, figs


def _study_radius(data: PlaceData) -> Optional[float]:
    """The study radius around the place (metres), if the PlaceData records it."""
    sa = data["study_area"]
    if len(sa) and "radius_m" in sa.columns:
        value = pd.to_numeric(sa["radius_m"], errors="coerce").iloc[0]
        return float(value) if np.isfinite(value) else None
    return None


def _entrance_figures(entrances: pd.DataFrame, network: WalkNetwork) -> List[Figure]:
    """A3: access points and sides; "no data" when no path meets the edge."""
    if not len(entrances):
        note = ("no data: no walkable path is mapped into the place" if network.n_edges
                else "no data: no walkable paths")
        return [figure_from_threshold(THEME, "entrances_target", "entrances",
                                      "Access points into the place", None, note=note),
                figure_from_threshold(THEME, "entrance_sides_target", "entrance_sides",
                                      "Sides of the place with an access point", None, note=note)]
    points = entrances.groupby("access_point").agg(side=("side", "first"))
    sides = entrances.groupby("side").access_point.nunique()
    named = ", ".join(f"{s} {int(sides.get(s, 0))}" for s in ("N", "E", "S", "W"))
    n_points = int(len(points))
    n_sides = int((sides > 0).sum())
    return [figure_from_threshold(THEME, "entrances_target", "entrances",
                                  "Access points into the place", n_points,
                                  note=f"{len(entrances)} paths meet the edge; access points "
                                       f"by side: {named}"),
            figure_from_threshold(THEME, "entrance_sides_target", "entrance_sides",
                                  "Sides of the place with an access point", n_sides,
                                  note=f"by the direction the edge faces: {named}")]


def _step_free_reach(network: WalkNetwork, approach_m: float, weight: np.ndarray) -> Optional[float]:
    """Share (%) of the approach network that is reached without steps or ``wheelchair=no``."""
    if not network.n_edges or not len(network.starts) or weight.sum() <= 0:
        return None
    tags = network.tags
    ok = ~(tags["highway"].str.lower().eq("steps").to_numpy()
           | tags["wheelchair"].str.lower().eq("no").to_numpy())
    matrix = engine.graph_matrix(network.n_nodes, network.u[ok], network.v[ok], network.length[ok])
    free_dist = engine.multi_source_distances(matrix, network.starts, limit=approach_m,
                                              offsets=network.start_offsets)
    free_weight = reached_length(network, free_dist, approach_m) * ok
    return _pct(float(free_weight.sum()), float(weight.sum()))


def _approach_figures(tags: ApproachTags, step_free_reach: Optional[float],
                      entrances: pd.DataFrame, approach_m: float,
                      options: AccessOptions) -> List[Figure]:
    """A5-A7 figures on the approaches, each with its tag coverage."""
    where = f"paths within {approach_m:.0f} m walk of the place"
    nodata_net = "no data: no walking network from the place"
    has_net = tags.total_m > 0
    # A5 step-free
    if len(entrances):
        points = entrances.groupby("access_point").step_free.max()
        share: Optional[float] = 100.0 * float(points.mean())
        note = f"{int(points.sum())} of {len(points)} access points reached by a path without steps"
    else:
        share, note = None, "no data: no walkable path is mapped into the place"
    figs = [figure_from_threshold(THEME, "step_free_target", "step_free_entrances_share",
                                  "Access points without steps", share, note=note),
            figure_from_threshold(THEME, "step_free_target", "step_free_reach_share",
                                  "Approaches reachable without steps", step_free_reach,
                                  note=(f"share of the {where} reached without highway=steps or "
                                        f"wheelchair=no; {tags.n_steps} flight(s) of steps "
                                        f"({tags.steps_m:.0f} m)") if step_free_reach is not None
                                  else nodata_net),
            figure_from_threshold(THEME, "step_free_target", "lowered_kerbs_share",
                                  "Crossings with lowered or flush kerbs", None,
                                  note="no data: kerbs (kerb=*, barrier=kerb) are mapped on OSM "
                                       "nodes, which the PlaceData paths layer does not keep")]
    # A6 gradient
    least = options.min_tag_coverage_pct
    incline_cov = _pct(tags.incline_tagged_m, tags.total_m)
    gentle = _pct(tags.gentle_m, tags.incline_tagged_m)
    note = (f"of the {tags.incline_tagged_m:.0f} m of {where} with a numeric incline tag "
            f"({incline_cov:.1f} % of their length)") if gentle is not None else \
        (f"no data: none of the {where} has a numeric incline tag" if has_net else nodata_net)
    if gentle is not None and incline_cov is not None and incline_cov < least:
        note = (f"no data: only {incline_cov:.1f} % of the {where} has a numeric incline tag "
                f"(at least {least:g} % needed); {tags.gentle_m:.0f} of "
                f"{tags.incline_tagged_m:.0f} tagged m are gentle")
        gentle = None
    figs.append(figure_from_threshold(
        THEME, "gentle_gradient_target", "gentle_gradient_share",
        f"Tagged gradients of {options.max_incline_pct:g} % or less", gentle, note=note))
    figs.append(Figure("incline_coverage", "Approach length with a gradient tag", incline_cov,
                       "% of length", "A6", source="Methodology §6.3: score accessibility with a "
                       "coverage flag (tags are sparse)", note=where if has_net else nodata_net))
    # A7 surface
    surface_cov = _pct(tags.surface_tagged_m, tags.total_m)
    firm = _pct(tags.firm_m, tags.surface_tagged_m)
    note = (f"of the {tags.surface_tagged_m:.0f} m of {where} with a surface or smoothness tag "
            f"({surface_cov:.1f} % of their length)") if firm is not None else \
        (f"no data: none of the {where} has a surface tag" if has_net else nodata_net)
    if firm is not None and surface_cov is not None and surface_cov < least:
        note = (f"no data: only {surface_cov:.1f} % of the {where} has a surface tag "
                f"(at least {least:g} % needed)")
        firm = None
    figs.append(figure_from_threshold(
        THEME, "firm_surface_target", "firm_surface_share", "Firm and even surfaces", firm,
        note=note))
    figs.append(Figure("surface_coverage", "Approach length with a surface tag", surface_cov,
                       "% of length", "A7", source="Methodology §6.3: score accessibility with a "
                       "coverage flag (tags are sparse)", note=where if has_net else nodata_net))
    figs.append(Figure("accessibility_tag_coverage", "Approach length with any accessibility tag",
                       _pct(tags.tagged_any_m, tags.total_m), "% of length", "",
                       source="Methodology §6.3: score accessibility with a coverage flag",
                       note=(f"surface, smoothness, incline, wheelchair or width on the {where}"
                             if has_net else nodata_net)))
    return figs

