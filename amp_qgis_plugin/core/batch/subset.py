"""One read of the OSM file for every candidate, then each candidate's PlaceData cut out of it.

:func:`read_union_layers` reads the file once with
:func:`~amp_qgis_plugin.core.data.osm_file.read_osm_layers` for a :class:`Place` whose study
area is the union of all candidates' study areas. :func:`candidate_place_data` then cuts one
candidate's layers out of that read in memory with the reader's own rule (a feature is kept
whole when it intersects the study area; features mapped as areas or lines whose layer holds
points are tested at their point), and finishes the PlaceData as ``amp-place fetch`` does
(buildings cleaned once, the same provenance rows). The layers are the same as a read of the
file for that place alone: same features, same geometry, same order (tests/unit/test_batch.py).

Candidates whose metric CRS differs from the read's (places on both sides of a UTM zone
border; in Sweden every place is in SWEREF 99 TM) get their layers reprojected from the read's
CRS: the same features, coordinates equal to well under a millimetre.

One provenance row differs from a single read: ``osm_timestamp`` is the newest object of the
whole batch's read, not of this place's surroundings alone (``batch.osm_read`` says so).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING, Dict, Mapping, Optional, Sequence, Tuple

from amp_qgis_plugin.core.feedback import Feedback
from amp_qgis_plugin.core.place import Place

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.data.placedata import PlaceData

#: Margin (m) added around a study area drawn in another CRS than the read's, so that the
#: reprojected outline never cuts off a feature the candidate's own study area touches.
REPROJECTION_MARGIN_M = 50.0


def union_place(places: Sequence[Place]) -> Place:
    """A place whose study area covers every place's study area (for one read of the file).

    Its CRS is the metric CRS most of the places share; study areas in another CRS are
    reprojected and widened by :data:`REPROJECTION_MARGIN_M`.
    """
    import geopandas as gpd
    import shapely

    if not places:
        raise ValueError("union_place needs at least one place")
    crs = Counter(p.crs for p in places).most_common(1)[0][0]
    parts = []
    for place in places:
        area = place.study_area
        if place.crs != crs:
            area = gpd.GeoSeries([area], crs=place.crs).to_crs(crs).iloc[0] \
                .buffer(REPROJECTION_MARGIN_M)
        parts.append(area)
    union = shapely.union_all(parts)
    return Place(name=f"union of {len(places)} candidates", geometry=union, crs=crs,
                 study_radius_m=1.0, kind="batch", source="batch")


def read_union_layers(osm_file: "os.PathLike[str] | str", places: Sequence[Place], *,
                      feedback: Optional[Feedback] = None
                      ) -> Tuple[Dict[str, "gpd.GeoDataFrame"], Dict[str, str], str]:
    """Read the OSM file once for all ``places``.

    Returns
    -------
    layers : dict of str to GeoDataFrame
        The canonical layers touching any study area, in ``crs``.
    provenance : dict of str to str
        The reader's provenance rows (file, newest object, counts).
    crs : str
        The CRS of ``layers``.
    """
    from amp_qgis_plugin.core.data.osm_file import read_osm_layers

    union = union_place(places)
    layers, provenance = read_osm_layers(osm_file, union, feedback=feedback)
    return layers, provenance, union.crs


def cut_layers(layers: Mapping[str, "gpd.GeoDataFrame"], crs: str, place: Place
               ) -> Dict[str, "gpd.GeoDataFrame"]:
    """The features of ``layers`` (in ``crs``) that intersect ``place``'s study area.

    Features are kept whole and in the order of the read; the result is in ``place.crs``.
    Entrances are linked again to the buildings kept (the reader's rule: the building whose
    outline is within 1 m).
    """
    import geopandas as gpd
    import numpy as np

    study = place.study_area
    out: Dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in layers.items():
        if place.crs != crs and len(gdf):
            # pre-select in the read's CRS with a margin, then test exactly in the place's CRS
            area = gpd.GeoSeries([study], crs=place.crs).to_crs(crs).iloc[0] \
                .buffer(REPROJECTION_MARGIN_M)
            near = np.sort(gdf.sindex.query(area, predicate="intersects"))
            gdf = gdf.iloc[near].to_crs(place.crs)
        if len(gdf):
            idx = np.sort(gdf.sindex.query(study, predicate="intersects"))
            gdf = gdf.iloc[idx]
        out[name] = gdf.reset_index(drop=True)
    _link_entrances(out)
    return out


def _link_entrances(layers: Dict[str, "gpd.GeoDataFrame"]) -> None:
    """Fill ``entrances.building_id`` with the kept building whose outline is within 1 m
    (the same rule as the OSM reader, applied to this place's buildings)."""
    import geopandas as gpd

    ent, bld = layers.get("entrances"), layers.get("buildings")
    if ent is None or bld is None or ent.empty or bld.empty or "building_id" not in ent:
        return
    joined = gpd.sjoin_nearest(ent[["geometry"]], bld[["osm_id", "geometry"]], how="left",
                               max_distance=1.0)
    joined = joined[~joined.index.duplicated(keep="first")]
    ent = ent.copy()
    ent["building_id"] = joined["osm_id_right" if "osm_id_right" in joined else "osm_id"] \
        .fillna("").astype(str).values
    layers["entrances"] = ent


def candidate_place_data(place: Place, layers: Mapping[str, "gpd.GeoDataFrame"], crs: str,
                         osm_provenance: Mapping[str, str], *, max_place_area_m2: float,
                         batch_size: int = 1,
                         feedback: Optional[Feedback] = None) -> "PlaceData":
    """The PlaceData of one candidate, cut out of the batch's read.

    :func:`cut_layers` then :func:`assemble_place_data` (the batch does the cheap cut in its
    own process and the assembly in the worker).

    Parameters
    ----------
    place : Place
        The candidate's place.
    layers, crs
        The batch's read (:func:`read_union_layers`).
    osm_provenance : mapping
        The reader's provenance rows.
    max_place_area_m2 : float
        The largest place allowed (for provenance, as ``fetch`` records it).
    batch_size : int
        Number of candidates of the read (for provenance).
    feedback : Feedback, optional
        Receives the building-cleaning messages, as ``fetch`` gives them.

    Returns
    -------
    PlaceData
        As :func:`~amp_qgis_plugin.core.fetch.fetch_place_data` makes it for this place.
    """
    return assemble_place_data(place, cut_layers(layers, crs, place), osm_provenance,
                               max_place_area_m2=max_place_area_m2, batch_size=batch_size,
                               feedback=feedback)


def assemble_place_data(place: Place, cut: Mapping[str, "gpd.GeoDataFrame"],
                        osm_provenance: Mapping[str, str], *, max_place_area_m2: float,
                        batch_size: int = 1,
                        feedback: Optional[Feedback] = None) -> "PlaceData":
    """Finish a candidate's PlaceData from its cut layers as ``fetch`` finishes it: the place
    and study-area layers, the canonical columns, the buildings cleaned once, the provenance.

    Parameters
    ----------
    place : Place
        The candidate's place.
    cut : mapping of str to GeoDataFrame
        Its layers (:func:`cut_layers`), in ``place.crs``.
    osm_provenance, max_place_area_m2, batch_size, feedback
        See :func:`candidate_place_data`.
    """
    from amp_qgis_plugin.core.fetch import place_data_from_layers

    provenance: Dict[str, str] = dict(osm_provenance)
    provenance["batch.osm_read"] = (f"one read of the OSM file for {batch_size} candidate(s), the "
                                    "union of their study areas; osm_timestamp is the newest object "
                                    "of that read")
    parameters = {"osm_file": osm_provenance.get("osm_file", ""), "place": place.source,
                  "study_radius_m": place.study_radius_m, "max_place_area_m2": max_place_area_m2}
    return place_data_from_layers(place, cut, provenance, parameters=parameters,
                                  max_place_area_m2=max_place_area_m2, feedback=feedback)


def has_osm_features(cut: Mapping[str, "gpd.GeoDataFrame"]) -> bool:
    """True when any cut layer holds a feature (False: the place is outside the data)."""
    return any(len(gdf) for name, gdf in cut.items() if name not in ("place", "study_area"))


__all__ = ["REPROJECTION_MARGIN_M", "assemble_place_data", "candidate_place_data", "cut_layers",
           "has_osm_features",
           "read_union_layers", "union_place"]
