"""Building footprints cleaned once, when a place is fetched.

Every indicator that uses buildings (frontage, sightlines) reads the ``buildings`` layer of the
PlaceData as it is, so they all see the same footprints. :func:`clean_buildings` runs in
:func:`~amp_qgis_plugin.core.fetch.fetch_place_data` after the OSM and municipal layers are
merged, and its counts go to the provenance table (``buildings.*`` rows).

The rules
---------
1. A building without a footprint (a point, a line, a collection without polygons, no
   geometry) is dropped: the ``buildings`` layer holds (Multi)Polygons only.
2. An invalid footprint is repaired and only its polygonal part is kept
   (:func:`amp_qgis_plugin.core.geometry.polygonal_part`); a valid collection holding polygons
   is reduced to those polygons. A repair that leaves nothing is dropped.
3. When two footprints overlap by more than half of the smaller one's area
   (:data:`NEAR_DUPLICATE_SHARE`), they are the same building mapped twice: the smaller one is
   dropped (of two equal ones, the later row). Every such pair drops its smaller member, so no
   near-duplicate pair is left afterwards.
4. Pairs that still overlap by more than :data:`OVERLAP_MIN_M2` are kept and counted (walls
   inside another footprint are not façades; the frontage indicator handles them).

The function is idempotent: cleaning a cleaned layer changes nothing and counts no repairs, no
drops, and the same overlapping pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

import numpy as np
import shapely

from amp_qgis_plugin.core.geometry import POLYGONAL_TYPES, polygonal_part, repair_polygons

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: Two footprints overlapping by more than this share of the smaller one are near-duplicates.
NEAR_DUPLICATE_SHARE = 0.5
#: Overlaps smaller than this (m²) are taken as shared walls, not as overlapping footprints.
OVERLAP_MIN_M2 = 0.01

#: The counts :func:`clean_buildings` returns, in the order they are reported.
COUNT_KEYS: Tuple[str, ...] = ("input", "repaired", "no_footprint", "empty_after_repair",
                               "near_duplicates_removed", "overlapping_pairs", "kept")

_COLLECTION = 7


def clean_buildings(gdf: "gpd.GeoDataFrame") -> Tuple["gpd.GeoDataFrame", Dict[str, int]]:
    """Return the usable building footprints of ``gdf`` and what cleaning them took.

    Parameters
    ----------
    gdf : GeoDataFrame
        Building rows in a metric CRS (areas are compared in square units of the CRS).

    Returns
    -------
    clean : GeoDataFrame
        The rows kept, in their original order with a fresh 0..n-1 index, every geometry a
        valid, non-empty Polygon or MultiPolygon; the attribute columns are untouched.
    counts : dict of str to int
        ``input`` rows; footprints ``repaired`` (invalid, or a collection reduced to its
        polygons, and kept); rows dropped for ``no_footprint`` (point, line, no polygon at all), for
        ``empty_after_repair`` and as ``near_duplicates_removed``; ``overlapping_pairs`` of kept
        footprints that still overlap; rows ``kept``. See the module docstring for the rules.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, Polygon, box
    >>> frame = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(0, 0, 10, 10), Point(5, 5),
    ...                                    Polygon([(20, 0), (22, 2), (22, 0), (20, 2)])],
    ...                          crs="EPSG:3006")
    >>> clean, counts = clean_buildings(frame)
    >>> len(clean), counts["near_duplicates_removed"], counts["no_footprint"], counts["repaired"]
    (2, 1, 1, 1)
    """
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts["input"] = len(gdf)
    if not len(gdf):
        return gdf.iloc[0:0].reset_index(drop=True), counts

    geoms = np.array(list(gdf.geometry.values), dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    types = np.full(len(geoms), -1, dtype=int)
    empty = np.ones(len(geoms), dtype=bool)
    types[present] = shapely.get_type_id(geoms[present])
    empty[present] = shapely.is_empty(geoms[present])
    polygons = np.isin(types, POLYGONAL_TYPES) & ~empty
    collections = (types == _COLLECTION) & ~empty

    fixed = geoms.copy()
    if polygons.any():
        fixed[polygons], counts["repaired"] = repair_polygons(geoms[polygons])
    for i in np.flatnonzero(collections):  # rare: make_valid output written as it came
        fixed[i] = polygonal_part(geoms[i])
    fixed_empty = np.ones(len(geoms), dtype=bool)
    usable = polygons | collections
    fixed_empty[usable] = shapely.is_empty(fixed[usable])
    # only invalid polygons can end empty: those are dropped, not counted as repaired
    counts["empty_after_repair"] = int((polygons & fixed_empty).sum())
    counts["repaired"] += int((collections & ~fixed_empty).sum()) - counts["empty_after_repair"]
    counts["no_footprint"] = int((~polygons & ~(collections & ~fixed_empty)).sum())

    rows = np.flatnonzero(usable & ~fixed_empty)
    kept_geoms = fixed[rows]
    drop, overlapping = _near_duplicates(kept_geoms)
    counts["near_duplicates_removed"] = int(drop.sum())
    counts["overlapping_pairs"] = overlapping
    rows, kept_geoms = rows[~drop], kept_geoms[~drop]
    counts["kept"] = len(rows)

    import geopandas as gpd

    out = gdf.iloc[rows].copy()
    out[gdf.geometry.name] = gpd.GeoSeries(kept_geoms, index=out.index, crs=gdf.crs)
    return out.reset_index(drop=True), counts


def _near_duplicates(geoms: np.ndarray) -> Tuple[np.ndarray, int]:
    """Mask of near-duplicate footprints to drop, and the pairs that overlap after dropping.

    Every pair overlapping by more than :data:`NEAR_DUPLICATE_SHARE` of the smaller footprint
    drops its smaller member (the later one when both are equal).
    """
    drop = np.zeros(len(geoms), dtype=bool)
    if len(geoms) < 2:
        return drop, 0
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    if not len(left):
        return drop, 0
    areas = shapely.area(geoms)
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(areas[left], areas[right])
    duplicate = shared > NEAR_DUPLICATE_SHARE * np.maximum(smaller, 1e-9)
    drop[np.where(areas[right] <= areas[left], right, left)[duplicate]] = True
    still = (shared > OVERLAP_MIN_M2) & ~drop[left] & ~drop[right]
    return drop, int(still.sum())


def provenance_rows(counts: Dict[str, int]) -> Dict[str, str]:
    """The ``buildings.*`` provenance rows of :func:`clean_buildings`'s counts.

    >>> provenance_rows({"repaired": 2})
    {'buildings.repaired': '2'}
    """
    return {f"buildings.{key}": str(int(value)) for key, value in counts.items()}


def cleaning_messages(counts: Dict[str, int]) -> List[Tuple[str, str]]:
    """What cleaning changed, as ``(level, message)`` pairs; level is ``"warning"`` or ``"info"``.

    Dropped buildings are warnings (they are missing from frontage and sightlines); repairs and
    overlaps that stay are information.
    """
    messages: List[Tuple[str, str]] = []
    if counts.get("no_footprint"):
        messages.append((
            "warning",
            f"{counts['no_footprint']} building(s) have no footprint (point or line geometry) and "
            "were left out of the buildings layer: frontage and sightlines ignore them and their "
            "shops count only as POIs. Map the building outlines to include them."))
    if counts.get("empty_after_repair"):
        messages.append((
            "warning",
            f"{counts['empty_after_repair']} invalid building footprint(s) had no area left after "
            "repair and were left out."))
    if counts.get("near_duplicates_removed"):
        messages.append((
            "warning",
            f"{counts['near_duplicates_removed']} near-duplicate building footprint(s) were left "
            f"out (overlapping another footprint by more than {NEAR_DUPLICATE_SHARE:.0%} of the "
            "smaller one, which was dropped)."))
    if counts.get("repaired"):
        messages.append(("info", f"{counts['repaired']} invalid building footprint(s) were "
                                 "repaired (their polygonal part kept)."))
    if counts.get("overlapping_pairs"):
        messages.append((
            "info",
            f"{counts['overlapping_pairs']} pair(s) of building footprints overlap; walls inside "
            "another footprint do not count as frontage."))
    return messages


__all__ = ("clean_buildings", "cleaning_messages", "provenance_rows", "COUNT_KEYS",
           "NEAR_DUPLICATE_SHARE", "OVERLAP_MIN_M2")
