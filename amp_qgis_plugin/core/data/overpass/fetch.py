"""One place's OSM extract from Overpass: build the query, run it, write the file."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

from amp_qgis_plugin.core.data.overpass.client import run_query_with_info
from amp_qgis_plugin.core.data.overpass.config import OverpassConfig
from amp_qgis_plugin.core.data.overpass.osm_writer import (
    element_counts,
    elements_to_osm_file,
    osm_base_timestamp,
)
from amp_qgis_plugin.core.data.overpass.query import _bbox_ql, _check_bbox, build_query
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled


def fetch_overpass_osm(
    bbox_wgs84: Sequence[float],
    out_path: Union[str, Path],
    *,
    config: OverpassConfig,
    feedback: Optional[Feedback] = None,
    include_landuse: bool = False,
) -> Tuple[Path, Dict[str, str]]:
    """Fetch everything the canonical layers need in a bbox from Overpass into an OSM file.

    Parameters
    ----------
    bbox_wgs84 : tuple of float
        ``(south, west, north, east)`` in WGS 84 degrees.
    out_path : Path
        The OSM file to write (``.osm.pbf`` recommended).
    config : OverpassConfig
        Server, cache, timeouts and retries.
    feedback : Feedback, optional
        Progress 0-100 % (query 0-80, writing 80-100) and cancellation.
    include_landuse : bool
        Also fetch ``landuse`` polygons.

    Returns
    -------
    (Path, dict of str to str)
        The file, and provenance entries for PlaceData's provenance table: ``overpass_url``,
        ``overpass_query``, ``osm_base_timestamp`` (empty when the reply has none),
        ``overpass_cache_hit`` (``"yes"``/``"no"``), ``overpass_cache_key``, ``overpass_bbox``,
        ``overpass_elements``.
    """
    bbox = _check_bbox(bbox_wgs84)
    query = build_query(bbox, config=config, include_landuse=include_landuse)
    if feedback is not None:
        feedback.setProgress(0.0)
    data, info = run_query_with_info(query, config=config, feedback=feedback)
    if feedback is not None:
        feedback.setProgress(80.0)
    check_cancelled(feedback)
    path = elements_to_osm_file(data, out_path, bbox_wgs84=bbox, feedback=feedback)
    if feedback is not None:
        feedback.setProgress(100.0)
    counts = element_counts(data)
    provenance = {
        "overpass_url": config.url,
        "overpass_query": query,
        "osm_base_timestamp": osm_base_timestamp(data) or "",
        "overpass_cache_hit": "yes" if info["cache_hit"] else "no",
        "overpass_cache_key": info["cache_key"],
        "overpass_bbox": _bbox_ql(bbox) + " (south,west,north,east; WGS 84)",
        "overpass_elements": ", ".join(f"{k}s: {n}" for k, n in counts.items()),
    }
    return path, provenance
