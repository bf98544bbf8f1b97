"""The OSM tag mapping: which OSM objects go into which canonical PlaceData layer.

This module is the one readable table of the mapping. Each :class:`Rule` says: an object whose
tag ``key`` has one of ``values`` (``*`` for any value) goes into ``layer`` with the extra
attributes in ``attrs`` (for ``pois``: the AMP category). One object can land in several layers
(a building tagged ``shop=*`` is a building and a POI), but in each layer at most once, and in
``pois`` with the first matching rule only. The column values themselves (height, seats, lit ...)
are read by :func:`columns_for`.

Sources for the choices: OSM wiki pages of each key; the walkable highway set follows osmnx's
"walk" network filter (no motorways/trunks, no ``foot=no``); public-transport capacity classes
follow UN SDG 11.2.1 (bus/tram = low capacity, rail/metro/ferry = high capacity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterator, Mapping, Optional, Tuple

ANY = "*"


@dataclass(frozen=True)
class Rule:
    """One row of the mapping table."""

    layer: str
    key: str
    values: Tuple[str, ...]
    attrs: Mapping[str, str] = field(default_factory=dict)

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Return True if ``tags`` satisfy this rule."""
        value = tags.get(self.key)
        return value is not None and value != "no" and (self.values == (ANY,) or value in self.values)


def _r(layer: str, key: str, values: str, **attrs: str) -> Rule:
    return Rule(layer, key, tuple(values.split()), attrs)


#: Walkable highway values (osmnx "walk" filter, plus pedestrian areas).
WALKABLE_HIGHWAYS = (
    "footway pedestrian path steps living_street residential service unclassified tertiary "
    "tertiary_link secondary secondary_link primary primary_link track cycleway corridor "
    "bridleway road elevator platform"
)

#: The table. Order matters only within ``pois`` (first match wins).
RULES: Tuple[Rule, ...] = (
    # layer          key                values                              attributes
    _r("buildings", "building", ANY),
    _r("entrances", "entrance", ANY),
    _r("entrances", "door", ANY),
    _r("seating", "amenity", "bench", seating_type="bench"),
    _r("seating", "leisure", "picnic_table", seating_type="picnic_table"),
    _r("seating", "amenity", "lounger", seating_type="lounger"),
    _r("seating", "leisure", "outdoor_seating", seating_type="outdoor_seating"),
    _r("lamps", "highway", "street_lamp"),
    _r("lamps", "man_made", "street_lamp lamp"),
    _r("trees", "natural", "tree"),
    _r("bins", "amenity", "waste_basket", bin_type="waste_basket"),
    _r("bins", "vending", "excrement_bags", bin_type="dog_waste"),
    _r("paths", "highway", WALKABLE_HIGHWAYS),
    _r("barriers", "barrier", "wall fence hedge retaining_wall city_wall guard_rail handrail "
       "jersey_barrier railing"),
    _r("transit_stops", "highway", "bus_stop", mode="bus", capacity="low"),
    _r("transit_stops", "railway", "tram_stop", mode="tram", capacity="low"),
    _r("transit_stops", "railway", "station halt", mode="rail", capacity="high"),
    _r("transit_stops", "station", "subway", mode="subway", capacity="high"),
    _r("transit_stops", "amenity", "ferry_terminal", mode="ferry", capacity="high"),
    _r("transit_stops", "public_transport", "station", mode="rail", capacity="high"),
    # POIs: ground-floor uses and activities, with the AMP category
    _r("pois", "amenity", "restaurant cafe fast_food bar pub ice_cream food_court biergarten",
       category="food_drink"),
    _r("pois", "shop", "hairdresser beauty laundry dry_cleaning travel_agency optician "
       "tailor copyshop funeral_directors massage tattoo", category="services"),
    _r("pois", "shop", ANY, category="retail"),
    _r("pois", "amenity", "marketplace vending_machine", category="retail"),
    _r("pois", "amenity", "bank atm post_office bureau_de_change money_transfer car_rental "
       "bicycle_rental", category="services"),
    _r("pois", "amenity", "pharmacy clinic doctors dentist hospital", category="health"),
    _r("pois", "amenity", "theatre cinema arts_centre nightclub casino events_venue",
       category="culture"),
    _r("pois", "amenity", "library townhall courthouse police fire_station community_centre "
       "social_facility toilets post_box recycling fountain drinking_water "
       "public_bookcase clock", category="public"),
    _r("pois", "amenity", "school university college kindergarten language_school "
       "music_school", category="education"),
    _r("pois", "amenity", "place_of_worship", category="worship"),
    _r("pois", "amenity", "ticket_office ticket_validator", category="transit"),
    _r("pois", "tourism", "museum gallery artwork attraction viewpoint information",
       category="culture"),
    _r("pois", "historic", "memorial monument statue", category="culture"),
    _r("pois", "tourism", "hotel hostel guest_house apartment motel", category="accommodation"),
    _r("pois", "leisure", "playground fitness_station sports_centre fitness_centre pitch "
       "ice_rink dance", category="leisure"),
    _r("pois", "craft", ANY, category="services"),
    _r("pois", "healthcare", ANY, category="health"),
    _r("pois", "office", ANY, category="office"),
)

#: Keys worth reading at all (a pre-filter applied in C++ before Python sees an object).
RELEVANT_KEYS: Tuple[str, ...] = tuple(sorted({r.key for r in RULES}
                                              | {"place", "area:highway", "name"}))

#: What makes a named area a candidate place, best first (used by the place-name lookup).
PLACE_KINDS: Tuple[Tuple[str, str, str], ...] = (
    ("place", "square", "square"),
    ("highway", "pedestrian", "pedestrian area"),
    ("area:highway", "pedestrian", "pedestrian area"),
    ("amenity", "marketplace", "marketplace"),
    ("leisure", "park", "park"),
    ("landuse", "retail", "retail area"),
)


def place_kind(tags: Mapping[str, str]) -> Optional[Tuple[int, str]]:
    """Return ``(rank, kind)`` if ``tags`` describe a candidate place (lower rank = better)."""
    for rank, (key, value, kind) in enumerate(PLACE_KINDS):
        if tags.get(key) == value:
            return rank, kind
    return None


#: ``RULES`` indexed by key, keeping table order: lets :func:`layers_for` look only at the
#: rules whose key the object has (a hot loop: every tagged object of a file passes here).
_RULES_BY_KEY: Dict[str, Tuple[Tuple[int, Rule], ...]] = {}
for _i, _rule in enumerate(RULES):
    _RULES_BY_KEY[_rule.key] = _RULES_BY_KEY.get(_rule.key, ()) + ((_i, _rule),)


def layers_for(tags: Mapping[str, str]) -> Iterator[Tuple[str, Mapping[str, str]]]:
    """Yield ``(layer, attrs)`` for every canonical layer the tags map to (each layer once)."""
    candidates = [ir for key in tags if key in _RULES_BY_KEY for ir in _RULES_BY_KEY[key]]
    if not candidates:
        return
    candidates.sort(key=lambda ir: ir[0])
    seen = set()
    for _, rule in candidates:
        if rule.layer not in seen and rule.matches(tags):
            if rule.layer == "paths" and (tags.get("foot") == "no" or tags.get("access") in
                                          ("private", "no") and tags.get("foot") not in
                                          ("yes", "designated", "permissive")):
                continue
            seen.add(rule.layer)
            yield rule.layer, rule.attrs


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_metres(value: Optional[str]) -> float:
    """Parse an OSM length such as ``"12"``, ``"12.5 m"``, ``"7,5"`` or ``"40'"`` to metres.

    Returns NaN when the value is missing or not a length. Feet (``'``/``ft``) are converted.
    """
    if not value:
        return float("nan")
    text = value.strip().lower()
    match = _NUMBER.search(text)
    if not match:
        return float("nan")
    number = float(match.group().replace(",", "."))
    if "'" in text or "ft" in text:
        number *= 0.3048
    return number


def parse_number(value: Optional[str]) -> float:
    """Parse the first number in an OSM value (``"3"``, ``"2;3"`` -> 2.0), NaN if none."""
    if not value:
        return float("nan")
    match = _NUMBER.search(value)
    return float(match.group().replace(",", ".")) if match else float("nan")


def columns_for(layer: str, tags: Mapping[str, str], attrs: Mapping[str, str]) -> Dict[str, object]:
    """Return the canonical column values of ``layer`` read from OSM ``tags``."""
    t = tags.get
    if layer == "buildings":
        return {"building": t("building", ""), "name": t("name", ""),
                "levels": parse_number(t("building:levels")), "height_m": parse_metres(t("height")),
                "use": ""}
    if layer == "entrances":
        return {"entrance": t("entrance", "yes"), "door": t("door", ""),
                "wheelchair": t("wheelchair", ""), "name": t("name", t("ref", ""))}
    if layer == "pois":
        key = next(k for k in ("amenity", "shop", "tourism", "historic", "leisure", "craft",
                               "healthcare", "office") if k in tags)
        return {"name": t("name", ""), "category": attrs.get("category", "amenity_other"),
                "key": key, "value": tags[key], "opening_hours": t("opening_hours", ""),
                "level": t("level", ""), "wheelchair": t("wheelchair", ""),
                "outdoor_seating": t("outdoor_seating", "")}
    if layer == "seating":
        return {"seating_type": attrs.get("seating_type", "bench"), "seats": t("seats", ""),
                "backrest": t("backrest", ""), "length_m": parse_metres(t("length")),
                "material": t("material", ""), "covered": t("covered", ""),
                "direction": t("direction", "")}
    if layer == "lamps":
        return {"height_m": parse_metres(t("height") or t("light:height")),
                "lamp_mount": t("lamp_mount", ""),
                "light_source": t("light_source", t("light:method", "")),
                "lumen": parse_number(t("light:lumen") or t("lamp:lumen") or t("lumen")),
                "wattage": parse_number(t("light:power") or t("lamp:power") or t("power")),
                "light_count": parse_number(t("light:count")),
                "light_direction": t("light:direction", t("direction", "")),
                "lamp_type": t("lamp_type", t("light:type", "")),
                "optic": t("light:shape", "")}
    if layer == "trees":
        return {"species": t("species", t("genus", t("taxon", ""))),
                "height_m": parse_metres(t("height")),
                "crown_diameter_m": parse_metres(t("diameter_crown")),
                "leaf_type": t("leaf_type", "")}
    if layer == "bins":
        return {"bin_type": attrs.get("bin_type", "waste_basket")}
    if layer == "paths":
        return {"highway": t("highway", ""), "footway": t("footway", ""), "name": t("name", ""),
                "lit": t("lit", ""), "surface": t("surface", ""), "smoothness": t("smoothness", ""),
                "incline": t("incline", ""), "width_m": parse_metres(t("width")),
                "wheelchair": t("wheelchair", ""), "access": t("access", ""), "foot": t("foot", ""),
                "area": t("area", "")}
    if layer == "transit_stops":
        mode = attrs.get("mode", "")
        if tags.get("public_transport") == "station" and tags.get("bus") == "yes":
            mode = "bus"
        capacity = "low" if mode in ("bus", "tram") else attrs.get("capacity", "")
        return {"name": t("name", ""), "mode": mode, "capacity": capacity}
    if layer == "barriers":
        return {"barrier": t("barrier", ""), "height_m": parse_metres(t("height"))}
    raise KeyError(layer)
