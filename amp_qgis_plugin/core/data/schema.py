"""The canonical PlaceData layers: names, geometry types and columns.

Every source (OSM file, Overpass, municipal register) is mapped onto these layers, and every
indicator reads only these. All geometries are in the place's metric CRS (metres).

Conventions
-----------
- ``osm_id`` is ``"n123"``, ``"w123"`` or ``"r123"`` for OSM objects, empty for other sources.
- ``source`` names where a row came from: ``"osm"`` or the municipal preset/layer name.
- Numeric columns are floats with NaN for unknown; never 0 for unknown.
- Boolean-ish OSM answers (``backrest``, ``lit``) are strings ``"yes"``/``"no"``/``""`` so
  "unknown" stays distinct from "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

#: Version of the PlaceData GeoPackage layout, written as the ``schema_version`` provenance row.
#: :func:`~amp_qgis_plugin.core.data.placedata.read_geopackage` refuses any other version.
#:
#: 1. The first GeoPackages (no ``schema_version`` row): buildings as read from the sources,
#:    possibly invalid, duplicated or without a footprint; each indicator cleaned them itself.
#: 2. Buildings cleaned once at fetch time (:mod:`amp_qgis_plugin.core.data.buildings`): valid,
#:    non-empty (Multi)Polygons without near-duplicates; the counts in ``buildings.*`` rows.
SCHEMA_VERSION: int = 2

#: The provenance key that holds :data:`SCHEMA_VERSION`.
SCHEMA_VERSION_KEY = "schema_version"

#: Column type names as used by pandas/pyogrio.
STR, FLOAT, INT = "str", "float", "int"


@dataclass(frozen=True)
class LayerSpec:
    """One canonical layer.

    Attributes
    ----------
    name : str
        Layer name in the GeoPackage.
    geometry_type : str or None
        OGC geometry type written to the GeoPackage; None for a plain table.
    columns : tuple of (name, type)
        The attribute columns, in order, with type "str", "float" or "int".
    title : str
        Human title (English) for styles and reports.
    """

    name: str
    geometry_type: str | None
    columns: Tuple[Tuple[str, str], ...]
    title: str


_COMMON = (("osm_id", STR), ("source", STR))

LAYERS: Dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec("place", "MultiPolygon",
                  (("name", STR), ("kind", STR), *_COMMON, ("area_m2", FLOAT)),
                  "Place"),
        LayerSpec("study_area", "MultiPolygon",
                  (("name", STR), ("radius_m", FLOAT), ("area_m2", FLOAT)),
                  "Study area"),
        # valid, non-empty footprints only (core.data.buildings.clean_buildings, at fetch)
        LayerSpec("buildings", "MultiPolygon",
                  (*_COMMON, ("building", STR), ("name", STR), ("levels", FLOAT),
                   ("height_m", FLOAT), ("use", STR)),
                  "Buildings"),
        LayerSpec("entrances", "Point",
                  (*_COMMON, ("entrance", STR), ("door", STR), ("wheelchair", STR),
                   ("name", STR), ("building_id", STR)),
                  "Entrances"),
        LayerSpec("pois", "Point",
                  (*_COMMON, ("name", STR), ("category", STR), ("key", STR), ("value", STR),
                   ("opening_hours", STR), ("level", STR), ("wheelchair", STR),
                   ("outdoor_seating", STR)),
                  "Points of interest"),
        LayerSpec("seating", "Point",
                  (*_COMMON, ("seating_type", STR), ("seats", STR), ("backrest", STR),
                   ("length_m", FLOAT), ("material", STR), ("covered", STR), ("direction", STR)),
                  "Seating"),
        LayerSpec("lamps", "Point",
                  (*_COMMON, ("height_m", FLOAT), ("lamp_mount", STR), ("light_source", STR),
                   ("lumen", FLOAT), ("wattage", FLOAT), ("light_count", FLOAT),
                   ("light_direction", STR), ("lamp_type", STR), ("optic", STR)),
                  "Street lamps"),
        LayerSpec("trees", "Point",
                  (*_COMMON, ("species", STR), ("height_m", FLOAT), ("crown_diameter_m", FLOAT),
                   ("leaf_type", STR)),
                  "Trees"),
        LayerSpec("bins", "Point",
                  (*_COMMON, ("bin_type", STR)),
                  "Litter bins"),
        LayerSpec("paths", "MultiLineString",
                  (*_COMMON, ("highway", STR), ("footway", STR), ("name", STR), ("lit", STR),
                   ("surface", STR), ("smoothness", STR), ("incline", STR), ("width_m", FLOAT),
                   ("wheelchair", STR), ("access", STR), ("foot", STR), ("area", STR)),
                  "Walkable paths"),
        LayerSpec("transit_stops", "Point",
                  (*_COMMON, ("name", STR), ("mode", STR), ("capacity", STR)),
                  "Public transport stops"),
        LayerSpec("barriers", "MultiLineString",
                  (*_COMMON, ("barrier", STR), ("height_m", FLOAT)),
                  "Barriers (walls, fences, hedges)"),
        LayerSpec("provenance", None,
                  (("key", STR), ("value", STR)),
                  "Provenance"),
    )
}

#: The layers that hold features (everything but the provenance table).
FEATURE_LAYERS: Tuple[str, ...] = tuple(n for n, s in LAYERS.items() if s.geometry_type)

#: AMP POI categories (``pois.category``), in display order, with Swedish labels.
POI_CATEGORIES: Dict[str, str] = {
    "food_drink": "Mat och dryck",
    "retail": "Handel",
    "services": "Service",
    "culture": "Kultur",
    "public": "Offentlig service",
    "transit": "Kollektivtrafik",
    "leisure": "Fritid och lek",
    "health": "Vård",
    "education": "Utbildning",
    "worship": "Religion",
    "accommodation": "Boende (hotell)",
    "office": "Kontor",
    "amenity_other": "Övrigt",
}
