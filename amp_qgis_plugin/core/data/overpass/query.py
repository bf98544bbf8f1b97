"""Overpass QL queries: everything the canonical layers need in a bbox, or places by name."""

from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

from amp_qgis_plugin.core.data.overpass.config import OverpassConfig
from amp_qgis_plugin.core.errors import InputError

BBox = Tuple[float, float, float, float]

#: What the canonical layers need, one Overpass QL selector per line (read with schema.py).
#: Each is applied within the query's global bounding box.
PLACE_SELECTORS: Tuple[Tuple[str, str], ...] = (
    ("nwr[building]", "buildings"),
    ("nwr[amenity]", "pois, seating (benches), bins (waste baskets), marketplaces"),
    ("nwr[shop]", "pois: retail"),
    ("nwr[office]", "pois: offices"),
    ("nwr[craft]", "pois: crafts"),
    ("nwr[tourism]", "pois: culture, accommodation"),
    ("nwr[leisure]", "pois, parks, playgrounds, picnic tables"),
    ("nwr[historic]", "pois: culture (monuments, memorials)"),
    ("node[entrance]", "entrances"),
    ("way[highway]", "paths (the walkable network), pedestrian areas"),
    ("node[highway]", "lamps (street_lamp), transit stops (bus_stop), crossings"),
    ("relation[highway]", "pedestrian areas mapped as multipolygons"),
    ('nwr["area:highway"]', "pedestrian area outlines"),
    ("nwr[public_transport]", "transit stops and platforms"),
    ('nwr[railway~"^(station|halt|tram_stop|subway_entrance|platform)$"]', "transit stops"),
    ('node[natural="tree"]', "trees"),
    ('way[natural="tree_row"]', "tree rows"),
    ("nwr[barrier]", "barriers, bollards"),
    ('nwr[place~"^(square|plaza)$"]', "the place polygon"),
    ("nwr[man_made]", "street furniture, towers, bridges"),
    ("nwr[emergency]", "defibrillators, phones"),
)

#: Optional: land use polygons (large relations; off by default to keep replies small).
LANDUSE_SELECTOR: Tuple[str, str] = ("nwr[landuse]", "land use")

#: Tag keys that carry a place's name, in the order a planner would look for them.
NAME_KEYS: Tuple[str, ...] = ("name", "name:sv", "name:en", "alt_name")

#: What a named place may be: squares, pedestrian areas, marketplaces, parks.
PLACE_KIND_FILTERS: Tuple[str, ...] = (
    '[place="square"]',
    '[highway="pedestrian"]',
    '["area:highway"="pedestrian"]',
    '[amenity="marketplace"]',
    '[leisure="park"]',
    '[leisure="plaza"]',
)


def _check_bbox(bbox_wgs84: Sequence[float]) -> BBox:
    try:
        south, west, north, east = (float(v) for v in bbox_wgs84)
    except (TypeError, ValueError):
        raise InputError(
            f"Bounding box {bbox_wgs84!r} is not four numbers (south, west, north, east) in "
            f"degrees."
        ) from None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        raise InputError(f"Bounding box {bbox_wgs84!r} has a non-finite coordinate.")
    if not (-90 <= south < north <= 90):
        raise InputError(
            f"Bounding box latitudes must satisfy -90 <= south < north <= 90, got south={south}, "
            f"north={north}. The order is (south, west, north, east) in WGS 84 degrees."
        )
    if not (-180 <= west < east <= 180):
        raise InputError(
            f"Bounding box longitudes must satisfy -180 <= west < east <= 180, got west={west}, "
            f"east={east}. The order is (south, west, north, east) in WGS 84 degrees."
        )
    return south, west, north, east


def _fmt(value: float) -> str:
    # 7 decimals = about 1 cm, OSM's own precision.
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _bbox_ql(bbox: BBox) -> str:
    return ",".join(_fmt(v) for v in bbox)


def _ql_string(value: str) -> str:
    """Quote ``value`` as an Overpass QL string literal (double quotes, backslash escapes)."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _header(config: OverpassConfig, bbox: Optional[BBox]) -> str:
    settings = f"[out:json][timeout:{int(config.query_timeout_s)}]"
    if bbox is not None:
        settings += f"[bbox:{_bbox_ql(bbox)}]"
    return settings + ";"


def build_query(
    bbox_wgs84: Sequence[float],
    *,
    config: OverpassConfig,
    include_landuse: bool = False,
) -> str:
    """Build the one Overpass QL query for everything the canonical layers need in a bbox.

    Parameters
    ----------
    bbox_wgs84 : tuple of float
        ``(south, west, north, east)`` in WGS 84 degrees (Overpass's own order).
    config : OverpassConfig
        Supplies the server-side ``[timeout:]``.
    include_landuse : bool
        Also ask for ``landuse`` polygons (can be large relations).

    Returns
    -------
    str
        The query; ``out body; >; out skel qt;`` brings the nodes of ways and the members of
        relations along, so the reply is a self-contained OSM extract.
    """
    bbox = _check_bbox(bbox_wgs84)
    selectors = list(PLACE_SELECTORS) + ([LANDUSE_SELECTOR] if include_landuse else [])
    lines = [_header(config, bbox), "("]
    lines += [f"  {sel};  // {why}" for sel, why in selectors]
    lines += [");", "out body;", ">;", "out skel qt;"]
    return "\n".join(lines) + "\n"


def build_name_query(
    name: str,
    *,
    config: OverpassConfig,
    bbox: Optional[Sequence[float]] = None,
) -> str:
    """Build a query for squares, pedestrian areas, marketplaces and parks named ``name``.

    Matches ``name``, ``name:sv``, ``name:en`` and ``alt_name`` exactly, on nodes, ways and
    relations (the caller picks the area among them).

    Parameters
    ----------
    name : str
        The place's name, e.g. ``"Gustaf Adolfs torg"``.
    config : OverpassConfig
        Supplies the server-side ``[timeout:]``.
    bbox : tuple of float, optional
        ``(south, west, north, east)`` to search in; without it the search is world-wide and
        slow (give the municipality's bbox when you can).
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError("The place name is empty; give the name of a square as mapped in OSM.")
    if any(ord(c) < 32 and c not in "\t\n" for c in name):
        raise InputError(f"The place name {name!r} contains control characters.")
    checked = _check_bbox(bbox) if bbox is not None else None
    quoted = _ql_string(name.strip())
    lines = [_header(config, checked), "("]
    for kind in PLACE_KIND_FILTERS:
        for key in NAME_KEYS:
            lines.append(f"  nwr[{_ql_string(key)}={quoted}]{kind};")
    lines += [");", "out body;", ">;", "out skel qt;"]
    return "\n".join(lines) + "\n"
