"""The ranking of a batch: one row per candidate, the rule, and ``DIR/ranking.gpkg``.

The rule
--------
Each assessed candidate gets a **ranking score**: the plain mean of those of its five place
scores that have data, the four PPS attributes (Uses & Activities, Comfort & Image, Access &
Linkages, Sociability) and the perceived-safety index, each 0-100. A score without data is left
out of the mean, never counted as 0; a candidate none of whose five scores has data is not
ranked. Candidates are ranked by ranking score, highest first; equal scores are ordered by
their **coverage** (the mean weight coverage of the five, in percent: how much of the profile
rests on data), higher first; candidates equal in both share a rank (1, 2, 2, 4). Candidates
that failed, or are still pending, are listed without a rank.

Overlaps
--------
Candidates whose place polygons overlap (share an area, not only an edge) are each assessed
on their own and flagged: ``overlaps`` names the others, ``overlap_pct`` is the share of the
candidate's area covered by them.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from amp_qgis_plugin.core.batch.state import STATUS_OK, STATUS_PENDING, CandidateState
from amp_qgis_plugin.core.batch.worker import PROFILE_KEYS, main_figure_keys

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.batch.candidates import CandidateSet

#: The ranking layer's name inside ``ranking.gpkg``.
RANKING_LAYER = "ranking"
#: The ranking file in the batch folder.
RANKING_FILE = "ranking.gpkg"

#: Columns the ranking fills itself (a main figure of the same name is not repeated).
PROFILE_COLUMNS = ("rank", "name", "status", "ranking_score", "coverage_pct", *PROFILE_KEYS)

#: The safety indicator's figures: the same as the ``safety`` and ``safety_coverage_pct`` columns.
SAFETY_FIGURES = ("safety_index", "safety_coverage")

#: Overlaps smaller than this (m²) are shared edges drawn slightly apart, not overlaps.
MIN_OVERLAP_M2 = 0.01


def ranking_score(scores: Mapping[str, Optional[float]]) -> Optional[float]:
    """Mean of the scores that have data (None: no data at all).

    >>> ranking_score({"uses_activities": 40.0, "comfort_image": 60.0, "sociability": None})
    50.0
    """
    values = [float(v) for v in scores.values() if v is not None and math.isfinite(float(v))]
    return sum(values) / len(values) if values else None


def mean_coverage(coverage: Mapping[str, float]) -> float:
    """Mean weight coverage (%) of the five place scores (a missing one counts as 0 %)."""
    return sum(float(coverage.get(k, 0.0) or 0.0) for k in PROFILE_KEYS) / len(PROFILE_KEYS)


def assign_ranks(rows: Sequence[Dict[str, Any]]) -> None:
    """Set ``rank`` on each row dict (ranked rows need ``status`` ok and a ``ranking_score``).

    Sorted by ranking score, then coverage, both descending; ties in both share the lowest
    rank of the tie (standard competition ranking). Unranked rows get None.
    """
    ranked = [r for r in rows if r.get("status") == STATUS_OK and r.get("ranking_score") is not None]
    ranked.sort(key=lambda r: (-round(r["ranking_score"], 9), -round(r["coverage_pct"], 9)))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        key = (round(row["ranking_score"], 9), round(row["coverage_pct"], 9))
        if key != previous:
            rank, previous = position, key
        row["rank"] = rank
    for row in rows:
        row.setdefault("rank", None)


def overlaps(candidates: "CandidateSet") -> Dict[str, Dict[str, Any]]:
    """``{key: {"overlaps": "name; name", "overlap_pct": float}}`` for overlapping candidates."""
    import geopandas as gpd
    import shapely

    with_place = [c for c in candidates if c.place is not None]
    if len(with_place) < 2:
        return {}
    crs = max({c.place.crs for c in with_place}, key=lambda k: sum(c.place.crs == k
                                                                    for c in with_place))
    geoms = []
    for c in with_place:
        geom = c.place.geometry
        if c.place.crs != crs:
            geom = gpd.GeoSeries([geom], crs=c.place.crs).to_crs(crs).iloc[0]
        geoms.append(geom)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    found: Dict[int, List[int]] = {}
    for i, j in zip(left.tolist(), right.tolist()):
        if i != j and shapely.intersection(geoms[i], geoms[j]).area > MIN_OVERLAP_M2:
            found.setdefault(i, []).append(j)
    out = {}
    for i, others in found.items():
        covered = shapely.union_all([shapely.intersection(geoms[i], geoms[j]) for j in others])
        out[with_place[i].key] = {
            "overlaps": "; ".join(f"{with_place[j].name} ({with_place[j].key})"
                                  for j in sorted(others)),
            "overlap_pct": round(100.0 * covered.area / geoms[i].area, 1)}
    return out


def ranking_frame(candidates: "CandidateSet", states: Mapping[str, CandidateState],
                  folder: "os.PathLike[str] | str") -> "gpd.GeoDataFrame":
    """The ranking table: one row per candidate of the layer, in the layer's CRS.

    Parameters
    ----------
    candidates : CandidateSet
        The candidates, in layer order.
    states : mapping of str to CandidateState
        The journal entries of the finished candidates (others are pending).
    folder : path-like
        The batch folder (assessment paths are written absolute).

    Returns
    -------
    GeoDataFrame
        Columns: rank, name, status, ranking_score, coverage_pct, the five scores, their
        coverage and band, each indicator's main figures (by figure key; empty = no data),
        failure, reason, overlaps, overlap_pct, place_area_m2, radius_m, warnings_count,
        warnings, assessment (its GeoPackage), candidate_id, seconds, finished_at. Sorted by
        rank (unranked rows last, in layer order). Geometry: the place polygon (point
        candidates as their circle), or the given polygon of a failed candidate.
    """
    import geopandas as gpd

    folder = Path(folder).resolve()
    flags = overlaps(candidates)
    figure_keys = [k for k in main_figure_keys() if k not in PROFILE_COLUMNS + SAFETY_FIGURES]
    rows, geoms = [], []
    for order, candidate in enumerate(candidates):
        state = states.get(candidate.key)
        row: Dict[str, Any] = {"candidate_id": candidate.key, "name": candidate.name}
        if state is None:
            row.update(status=STATUS_PENDING, failure="",
                       reason="not assessed yet: run the batch again with the same inputs to "
                              "continue")
        else:
            row.update(status=state.status, failure=state.failure, reason=state.reason)
        scores = state.scores if state is not None else {}
        coverage = state.coverage if state is not None else {}
        row["ranking_score"] = _rounded(ranking_score(scores)) if row["status"] == STATUS_OK \
            else None
        row["coverage_pct"] = round(mean_coverage(coverage), 1) if row["status"] == STATUS_OK \
            else None
        for key in PROFILE_KEYS:
            row[key] = _rounded(scores.get(key))
        for key in PROFILE_KEYS:
            row[f"{key}_coverage_pct"] = coverage.get(key)
        for key in PROFILE_KEYS:
            row[f"{key}_band"] = (state.bands.get(key, "") if state is not None else "")
        for key in figure_keys:
            row[key] = (state.figures.get(key) if state is not None else None)
        if row["status"] == STATUS_OK and row["ranking_score"] is None:
            row["reason"] = "not ranked: none of the attribute scores or the safety index has data"
        flag = flags.get(candidate.key, {})
        row["overlaps"] = flag.get("overlaps", "")
        row["overlap_pct"] = flag.get("overlap_pct", 0.0)
        row["place_area_m2"] = state.place_area_m2 if state is not None and state.place_area_m2 \
            is not None else (round(candidate.place.area_m2, 1) if candidate.place else None)
        row["radius_m"] = candidate.radius_m
        warnings = list(candidate.warnings) + (list(state.warnings) if state is not None else [])
        row["warnings_count"] = len(warnings)
        row["warnings"] = " | ".join(dict.fromkeys(warnings))
        row["assessment"] = str(folder / state.gpkg) if state is not None and state.gpkg else ""
        row["seconds"] = state.seconds if state is not None else None
        row["finished_at"] = state.finished_at if state is not None else ""
        row["_order"] = order
        rows.append(row)
        geoms.append(_row_geometry(candidate, candidates.crs))
    assign_ranks(rows)
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=candidates.crs)
    frame["_ranked"] = frame["rank"].notna()
    frame = frame.sort_values(["_ranked", "rank", "_order"], ascending=[False, True, True],
                              kind="stable").drop(columns=["_ranked", "_order"])
    frame["rank"] = frame["rank"].astype("Int64")
    numeric = ["ranking_score", "coverage_pct", *PROFILE_KEYS,
               *[f"{k}_coverage_pct" for k in PROFILE_KEYS], *figure_keys, "overlap_pct",
               "place_area_m2", "radius_m", "seconds"]
    for column in numeric:  # real numbers, NULL for no data (a column of NULLs too)
        frame[column] = frame[column].astype("float64")
    columns = ["rank", "name", "status", "ranking_score", "coverage_pct", *PROFILE_KEYS,
               *[f"{k}_coverage_pct" for k in PROFILE_KEYS], *[f"{k}_band" for k in PROFILE_KEYS],
               *figure_keys, "failure", "reason", "overlaps", "overlap_pct", "place_area_m2",
               "radius_m",
               "warnings_count", "warnings", "assessment", "candidate_id", "seconds",
               "finished_at", "geometry"]
    return frame[columns].reset_index(drop=True)


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(float(value), 2)


def _row_geometry(candidate, crs: str):
    """The row's polygon in the layer's CRS: the place, or the polygon given when it failed."""
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon

    if candidate.place is not None:
        geom = gpd.GeoSeries([candidate.place.geometry], crs=candidate.place.crs).to_crs(crs).iloc[0]
    else:
        geom = candidate.geometry
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    return geom if isinstance(geom, MultiPolygon) else None


def write_ranking(frame: "gpd.GeoDataFrame", folder: "os.PathLike[str] | str") -> Path:
    """Write ``frame`` as ``folder/ranking.gpkg`` (layer ``ranking``), atomically."""
    import pyogrio

    from amp_qgis_plugin.core.atomic import atomic_output

    target = Path(folder) / RANKING_FILE
    with atomic_output(target, suffix=".partial.gpkg", side_suffixes=("-journal", "-wal", "-shm")) \
            as tmp:
        pyogrio.write_dataframe(frame, tmp, layer=RANKING_LAYER, driver="GPKG",
                                geometry_type="MultiPolygon", promote_to_multi=True)
    return target


def read_ranking(path: "os.PathLike[str] | str") -> "gpd.GeoDataFrame":
    """Read a ranking written by :func:`write_ranking`."""
    import pyogrio

    return pyogrio.read_dataframe(path, layer=RANKING_LAYER)
