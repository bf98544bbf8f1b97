"""Municipal layers (registers) -> canonical PlaceData layers, through reusable field mappings.

A municipality's own registers (street lamps, benches, trees, building footprints ...) are often
better than OpenStreetMap: they know a lamp's height and lumen, a bench's seats and backrest. This
package reads any OGR source (GeoPackage, Shapefile, GeoJSON, a WFS service) with pyogrio on the
system GDAL, renames and converts its fields to one canonical layer with a :class:`FieldMapping`,
reprojects it to the place's metric CRS, clips it to the study area, and merges it into a
:class:`~amp_qgis_plugin.core.data.placedata.PlaceData` (replacing or adding to the OSM features).

Sources are read with a spatial filter (the study area's box in the source's CRS), so a large
register or a WFS service is never downloaded whole; WFS and other web sources run under GDAL HTTP
timeouts (:data:`HTTP_TIMEOUT_S`), and their URLs appear in messages and provenance without
credentials or API keys.

Mappings are saved and reused as JSON presets: the bundled ones live in
``amp_qgis_plugin/resources/mappings/<name>.json``; users keep their own in a directory of their
choice (the QGIS settings directory on the desktop, any path on the command line).

Modules, one job each: :mod:`.mapping` (:class:`FieldMapping` and the preset file format),
:mod:`.presets` (finding, loading and saving presets), :mod:`.sources` (opening an OGR or WFS
source), :mod:`.encoding` (Shapefile text encodings), :mod:`.values` (value conversion and
transforms), :mod:`.geometry` (fitting geometries to the target layer), :mod:`.reader`
(:func:`read_municipal_layer`) and :mod:`.merge` (:func:`merge_into`, :func:`add_municipal_layer`).
"""

from __future__ import annotations

from amp_qgis_plugin.core.data.municipal.mapping import (
    MODES,
    RESERVED_COLUMNS,
    TARGET_LAYERS,
    TRANSFORM_KINDS,
    FieldMapping,
    FieldSpec,
)
from amp_qgis_plugin.core.data.municipal.merge import add_municipal_layer, merge_into
from amp_qgis_plugin.core.data.municipal.presets import (
    PRESET_DIR,
    list_presets,
    load_preset,
    preset_paths,
    save_preset,
)
from amp_qgis_plugin.core.data.municipal.reader import read_municipal_layer
from amp_qgis_plugin.core.data.municipal.sources import HTTP_CONNECT_TIMEOUT_S, HTTP_TIMEOUT_S

__all__ = [
    "FieldMapping",
    "FieldSpec",
    "HTTP_CONNECT_TIMEOUT_S",
    "HTTP_TIMEOUT_S",
    "MODES",
    "PRESET_DIR",
    "RESERVED_COLUMNS",
    "TARGET_LAYERS",
    "TRANSFORM_KINDS",
    "add_municipal_layer",
    "list_presets",
    "load_preset",
    "merge_into",
    "preset_paths",
    "read_municipal_layer",
    "save_preset",
]
