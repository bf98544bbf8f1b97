"""The field mapping: how one municipal layer maps onto one canonical PlaceData layer.

Preset file format (UTF-8 JSON)::

    {
      "name": "lamp-register-example",
      "description": {"en": "...", "sv": "..."},
      "target": "lamps",                      # a canonical layer (see schema.LAYERS)
      "mode": "replace",                      # or "append"
      "layer": null,                          # source layer, for multi-layer sources
      "encoding": null,                       # for Shapefiles without a .cpg, e.g. "latin1"
      "fields": {"height_m": ["ljuspunktshojd", "hojd"], "lumen": "lumen"},
      "constants": {"lamp_mount": "pole"},
      "transforms": {"height_m": {"scale": 0.001}}
    }

``fields`` maps a canonical column to a source field name, or to a list of candidate names of
which the first one present in the source is used (so one preset fits registers that name the
same thing differently). Names match exactly first, then ignoring case (Shapefiles often upper-case
and truncate field names to 10 characters).

``transforms`` are small declarative conversions of a mapped column, applied in this order:

``map``
    ``{"Ja": "yes", "Nej": "no", "1": "yes"}``: replace source values; keys are compared as text
    (``1.0`` reads as ``"1"``), exactly first, then ignoring case and surrounding blanks. Values
    not in the map are kept unchanged.
``scale``
    ``0.001``: multiply a numeric column (mm -> m is 0.001). Lumen estimated from a wattage field
    is ``"lumen": "effekt_w"`` with ``{"scale": <lumen per watt>}``.
``default``
    A value for features where the source field is empty.

Numeric source text with a decimal comma (``"8,5"``) is read as a number. Values that still are
not numbers become unknown (NaN, never 0) with a warning.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from amp_qgis_plugin.core.data.schema import LAYERS, STR
from amp_qgis_plugin.core.errors import InputError

#: Canonical layers a municipal register may feed (every feature layer but the place itself).
TARGET_LAYERS: Tuple[str, ...] = tuple(
    name for name, spec in LAYERS.items()
    if spec.geometry_type and name not in ("place", "study_area"))

#: Columns the engine fills itself; a mapping cannot set them.
RESERVED_COLUMNS = ("osm_id", "source")

#: Merge modes.
MODES = ("replace", "append")

#: Transform kinds, in the order they are applied.
TRANSFORM_KINDS = ("map", "scale", "default")

_PRESET_KEYS = ("name", "description", "target", "mode", "layer", "encoding", "fields",
                "constants", "transforms", "format_version")
_NAME_RE = re.compile(r"^\w[\w.-]*$")

FieldSpec = Union[str, List[str]]


@dataclass
class FieldMapping:
    """How one municipal layer maps onto one canonical PlaceData layer.

    Attributes
    ----------
    name : str
        Short name (letters, digits, ``-``, ``_``, ``.``); it becomes the ``source`` of every
        feature read with this mapping and the preset's file name.
    target : str
        The canonical layer, one of :data:`TARGET_LAYERS` (e.g. ``"lamps"``, ``"seating"``).
    fields : dict of str to str or list of str
        Canonical column -> source field name (or candidate names, first present wins).
    constants : dict of str to Any
        Canonical column -> one value for every feature (e.g. ``seating_type="bench"``).
    transforms : dict of str to dict
        Canonical column -> ``{"map": {...}, "scale": float, "default": value}`` (see the
        module docstring); only for columns in ``fields``.
    encoding : str, optional
        Text encoding of a Shapefile that has no ``.cpg`` file (e.g. ``"latin1"``).
    layer : str, optional
        Layer to read from a multi-layer source (GeoPackage, WFS type name).
    mode : {"append", "replace"}
        ``"replace"``: the register replaces the OSM features of the target layer within the
        study area; ``"append"``: its features are added to them.
    description : dict of str to str
        Human description by language code (``"en"``, ``"sv"``); a plain string is taken as
        English.

    Raises
    ------
    InputError
        On construction, when the mapping names an unknown layer, column, mode, transform or
        encoding; the message lists the valid choices.
    """

    name: str
    target: str
    fields: Dict[str, FieldSpec] = field(default_factory=dict)
    constants: Dict[str, Any] = field(default_factory=dict)
    transforms: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    encoding: Optional[str] = None
    layer: Optional[str] = None
    mode: str = "append"
    description: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.description, str):
            self.description = {"en": self.description}
        self.fields = {k: (list(v) if isinstance(v, (list, tuple)) else v)
                       for k, v in dict(self.fields or {}).items()}
        self.constants = dict(self.constants or {})
        self.transforms = {k: dict(v) if isinstance(v, dict) else v
                           for k, v in dict(self.transforms or {}).items()}
        self.validate()

    # -- validation -------------------------------------------------------------------------
    @property
    def mappable_columns(self) -> List[str]:
        """The canonical columns of the target layer a mapping may set."""
        return [c for c, _ in LAYERS[self.target].columns if c not in RESERVED_COLUMNS]

    def validate(self) -> None:
        """Check the mapping on its own (the source's fields are checked when reading).

        Raises
        ------
        InputError
            Naming what is wrong and the valid choices.
        """
        who = f"Mapping {self.name!r}"
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name or ""):
            raise InputError(f"Mapping name {self.name!r} is not usable: use letters, digits, "
                             "'-', '_' or '.', e.g. 'lamp-register-malmo'.")
        if self.name.lower() == "osm":
            raise InputError("Mapping name 'osm' is reserved for OpenStreetMap features; "
                             "choose another name.")
        if self.target not in TARGET_LAYERS:
            raise InputError(f"{who}: unknown target layer {self.target!r}. "
                             f"Valid target layers: {', '.join(TARGET_LAYERS)}.")
        if self.mode not in MODES:
            raise InputError(f"{who}: unknown mode {self.mode!r}; use 'replace' (the register "
                             "replaces OSM features in the study area) or 'append'.")
        valid = self.mappable_columns
        for part in ("fields", "constants", "transforms"):
            for col in getattr(self, part):
                if col in RESERVED_COLUMNS:
                    raise InputError(f"{who}: column {col!r} in '{part}' is filled by the "
                                     "engine and cannot be mapped.")
                if col not in valid:
                    raise InputError(
                        f"{who}: {col!r} in '{part}' is not a column of the {self.target!r} "
                        f"layer. Valid columns: {', '.join(valid)}.")
        for col, spec in self.fields.items():
            names = spec if isinstance(spec, list) else [spec]
            if not names or not all(isinstance(n, str) and n.strip() for n in names):
                raise InputError(f"{who}: the source field for {col!r} must be a field name "
                                 f"or a list of field names, not {spec!r}.")
        both = sorted(set(self.fields) & set(self.constants))
        if both:
            raise InputError(f"{who}: {', '.join(both)} is both mapped to a field and given a "
                             "constant; keep one of them.")
        kinds = dict(LAYERS[self.target].columns)
        for col, transform in self.transforms.items():
            if col not in self.fields:
                raise InputError(f"{who}: transform for {col!r}, which is not mapped to a source "
                                 "field; add it to 'fields' or use 'constants'.")
            if not isinstance(transform, dict) or not transform:
                raise InputError(f"{who}: the transform for {col!r} must be an object such as "
                                 '{"scale": 0.001} or {"map": {"Ja": "yes"}}.')
            unknown = [k for k in transform if k not in TRANSFORM_KINDS]
            if unknown:
                raise InputError(f"{who}: unknown transform {unknown[0]!r} for {col!r}. "
                                 f"Valid transforms: {', '.join(TRANSFORM_KINDS)}.")
            if "map" in transform and not isinstance(transform["map"], dict):
                raise InputError(f"{who}: 'map' for {col!r} must be an object of "
                                 'source value -> value, e.g. {"Ja": "yes", "Nej": "no"}.')
            if "scale" in transform:
                scale = transform["scale"]
                if kinds[col] == STR:
                    raise InputError(f"{who}: 'scale' needs a numeric column; {col!r} is text.")
                if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                        or not math.isfinite(scale):
                    raise InputError(f"{who}: 'scale' for {col!r} must be a number, "
                                     f"not {scale!r}.")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except (LookupError, TypeError):
                raise InputError(f"{who}: unknown text encoding {self.encoding!r}; use e.g. "
                                 "'utf-8', 'latin1' or 'cp1252'.") from None

    # -- (de)serialisation ------------------------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        """Return the preset form (JSON-ready)."""
        return {
            "format_version": 1,
            "name": self.name,
            "description": dict(self.description),
            "target": self.target,
            "mode": self.mode,
            "layer": self.layer,
            "encoding": self.encoding,
            "fields": dict(self.fields),
            "constants": dict(self.constants),
            "transforms": dict(self.transforms),
        }

    def to_json(self) -> str:
        """Return the preset as JSON text (UTF-8, readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: Dict[str, Any], *, origin: str = "mapping") -> "FieldMapping":
        """Build a mapping from its preset form; ``origin`` names the file in messages."""
        if not isinstance(data, dict):
            raise InputError(f"{origin}: a mapping must be a JSON object.")
        unknown = [k for k in data if k not in _PRESET_KEYS]
        if unknown:
            raise InputError(f"{origin}: unknown key {unknown[0]!r}. "
                             f"Valid keys: {', '.join(_PRESET_KEYS)}.")
        missing = [k for k in ("name", "target") if not data.get(k)]
        if missing:
            needs = " and ".join(repr(m) for m in missing)
            raise InputError(f"{origin}: the mapping needs {needs}.")
        kwargs = {k: v for k, v in data.items() if k != "format_version" and v is not None}
        try:
            return cls(**kwargs)
        except InputError as exc:
            raise InputError(f"{origin}: {exc}") from None
