"""Overpass API client: one query per place, a content-addressed disk cache, and an OSM file out.

The engine reads OpenStreetMap data from files (see the OSM reader). For a place without a local
extract, this package asks an Overpass API server for everything the canonical layers need within
the study area's bounding box, caches the reply on disk, and writes it as an ``.osm.pbf`` (or
``.osm``) file that the OSM reader then treats like any other extract.

Modules, one job each: :mod:`.config` (server, cache folder, timeouts, retries), :mod:`.query`
(Overpass QL), :mod:`.cache` (the content-addressed reply cache), :mod:`.transport` (one HTTP
exchange), :mod:`.client` (cache lookup, retries with backoff, reply checks; also why this is
hand-written on the standard library), :mod:`.osm_writer` (Overpass JSON -> OSM file) and
:mod:`.fetch` (all of it for one place).

Public API
----------
:class:`OverpassConfig`, :func:`build_query`, :func:`build_name_query`, :func:`run_query`,
:func:`elements_to_osm_file`, :func:`osm_base_timestamp`, :func:`fetch_overpass_osm`.
"""

from __future__ import annotations

from amp_qgis_plugin.core.data.overpass.cache import cache_key, cache_path
from amp_qgis_plugin.core.data.overpass.client import run_query, run_query_with_info
from amp_qgis_plugin.core.data.overpass.config import (
    ALTERNATIVE_URLS,
    DEFAULT_URL,
    OverpassConfig,
    default_cache_dir,
)
from amp_qgis_plugin.core.data.overpass.fetch import fetch_overpass_osm
from amp_qgis_plugin.core.data.overpass.osm_writer import (
    element_counts,
    elements_to_osm_file,
    osm_base_timestamp,
)
from amp_qgis_plugin.core.data.overpass.query import (
    LANDUSE_SELECTOR,
    NAME_KEYS,
    PLACE_KIND_FILTERS,
    PLACE_SELECTORS,
    BBox,
    build_name_query,
    build_query,
)
from amp_qgis_plugin.core.data.overpass.transport import RETRY_STATUSES, extract_html_error

__all__ = [
    "ALTERNATIVE_URLS",
    "BBox",
    "DEFAULT_URL",
    "LANDUSE_SELECTOR",
    "NAME_KEYS",
    "OverpassConfig",
    "PLACE_KIND_FILTERS",
    "PLACE_SELECTORS",
    "RETRY_STATUSES",
    "build_name_query",
    "build_query",
    "cache_key",
    "cache_path",
    "default_cache_dir",
    "element_counts",
    "elements_to_osm_file",
    "extract_html_error",
    "fetch_overpass_osm",
    "osm_base_timestamp",
    "run_query",
    "run_query_with_info",
]
