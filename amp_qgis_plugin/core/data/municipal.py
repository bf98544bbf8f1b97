"""Municipal layers (registers) -> canonical PlaceData layers, through reusable field mappings.

A municipality's own registers (street lamps, benches, trees, building footprints ...) are often
better than OpenStreetMap: they know a lamp's height and lumen, a bench's seats and backrest. This
module reads any OGR source (GeoPackage, Shapefile, GeoJSON, a WFS service) with pyogrio on the
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
import contextlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from amp_qgis_plugin.core.data.schema import FLOAT, INT, LAYERS, STR
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from amp_qgis_plugin.core.data.placedata import PlaceData

#: Where the bundled presets live.
PRESET_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "mappings"

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

#: HTTP limits (seconds) for WFS and other web sources, unless the user configured GDAL's own
#: ``GDAL_HTTP_TIMEOUT`` / ``GDAL_HTTP_CONNECTTIMEOUT``: a dead server must fail, not hang.
HTTP_TIMEOUT_S = 60
HTTP_CONNECT_TIMEOUT_S = 10

_PRESET_KEYS = ("name", "description", "target", "mode", "layer", "encoding", "fields",
                "constants", "transforms", "format_version")
_NAME_RE = re.compile(r"^\w[\w.-]*$")
#: UTF-8 text decoded as Latin-1: "å" (C3 A5) reads "Ã¥", "Ö" (C3 96) reads "Ã\x96".
_MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")

FieldSpec = Union[str, List[str]]


# --------------------------------------------------------------------------------------------
# The mapping and its presets
# --------------------------------------------------------------------------------------------

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
        for col, spec in self.transforms.items():
            if col not in self.fields:
                raise InputError(f"{who}: transform for {col!r}, which is not mapped to a source "
                                 "field; add it to 'fields' or use 'constants'.")
            if not isinstance(spec, dict) or not spec:
                raise InputError(f"{who}: the transform for {col!r} must be an object such as "
                                 '{"scale": 0.001} or {"map": {"Ja": "yes"}}.')
            unknown = [k for k in spec if k not in TRANSFORM_KINDS]
            if unknown:
                raise InputError(f"{who}: unknown transform {unknown[0]!r} for {col!r}. "
                                 f"Valid transforms: {', '.join(TRANSFORM_KINDS)}.")
            if "map" in spec and not isinstance(spec["map"], dict):
                raise InputError(f"{who}: 'map' for {col!r} must be an object of "
                                 'source value -> value, e.g. {"Ja": "yes", "Nej": "no"}.')
            if "scale" in spec:
                scale = spec["scale"]
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


def preset_paths(user_dir: Optional[os.PathLike | str] = None) -> Dict[str, Path]:
    """Return preset name -> file, bundled presets first, overridden by ``user_dir``'s."""
    found: Dict[str, Path] = {}
    for folder in (PRESET_DIR, Path(user_dir).expanduser() if user_dir else None):
        if folder is not None and folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                found[path.stem] = path
    return found


def list_presets(user_dir: Optional[os.PathLike | str] = None) -> List[str]:
    """Return the names of the bundled presets and those in ``user_dir``, sorted."""
    return sorted(preset_paths(user_dir))


def load_preset(name_or_path: os.PathLike | str,
                user_dir: Optional[os.PathLike | str] = None) -> FieldMapping:
    """Load a mapping preset by name (user directory first, then bundled) or by file path.

    Raises
    ------
    InputError
        When no such preset exists (the message lists the available ones), or the file is not
        valid JSON or not a valid mapping.
    """
    text = str(name_or_path)
    as_path = Path(text).expanduser()
    if text.lower().endswith(".json") or os.sep in text or "/" in text or as_path.is_file():
        if not as_path.is_file():
            raise InputError(f"Mapping file not found: {as_path}.")
        path = as_path
    else:
        presets = preset_paths(user_dir)
        if text not in presets:
            raise InputError(f"Unknown mapping preset {text!r}. Available presets: "
                             f"{', '.join(sorted(presets)) or 'none'}; or give the path of a "
                             ".json mapping file.")
        path = presets[text]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"Mapping file {path} is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Mapping file {path} could not be read: {exc}.") from None
    return FieldMapping.from_dict(data, origin=f"Mapping file {path}")


def save_preset(mapping: FieldMapping, path: os.PathLike | str) -> Path:
    """Write ``mapping`` as a JSON preset and return the file written.

    ``path`` is a ``.json`` file or a directory (then the file is ``<name>.json`` in it).
    The file is written to a temporary name and renamed, so it is never left half-written.
    """
    mapping.validate()
    path = Path(path).expanduser()
    if path.is_dir() or not path.suffix:
        path = path / f"{mapping.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".json.partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(mapping.to_json() + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# --------------------------------------------------------------------------------------------
# Reading a source
# --------------------------------------------------------------------------------------------

def _redact(url: str) -> str:
    """Return ``url`` without user name, password or key/token query values.

    The source URL ends up in messages and in the GeoPackage's provenance table, which planners
    share; credentials must not.
    """
    url = _USERINFO_RE.sub(r"\1", url)
    return _SECRET_PARAM_RE.sub(lambda m: m.group(1) + "***", url)


_USERINFO_RE = re.compile(r"(://)[^/@\s?#]+@")
_SECRET_PARAM_RE = re.compile(
    r"([?&](?:api[_-]?key|key|token|access[_-]?token|password|passwd|pwd|secret|auth)=)[^&#]*",
    re.IGNORECASE)


_REMOTE_VSI = ("/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift",
               "/vsiwebhdfs", "/vsihdfs")


def _split_qgis_uri(source: str) -> Tuple[str, Optional[str]]:
    """Split a QGIS layer source such as ``"lampor.gpkg|layername=lampor"`` into (path, layer)."""
    if "|" not in source or source[:4].lower() == "wfs:" or "://" in source.split("|")[0][:12]:
        return source, None
    path, *options = source.split("|")
    layer = None
    for option in options:
        key, _, value = option.partition("=")
        if key.strip().lower() == "layername" and value:
            layer = value
    return path, layer


def _listing(names: Sequence[str], limit: int = 40) -> str:
    """Names for a message, at most ``limit`` of them."""
    names = list(names)
    if not names:
        return "none"
    more = f" ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _normalise_source(source: str) -> Tuple[str, bool, str]:
    """Return (GDAL dataset name, is_remote, display name) for a file path or URL."""
    text = source.strip()
    lower = text.lower()
    if lower.startswith("wfs:"):
        return "WFS:" + text[4:], True, _redact(text)
    if lower.startswith(("http://", "https://")):
        query = urlsplit(text).query.lower()
        dsn = "WFS:" + text if "service=wfs" in query.replace(" ", "") else text
        return dsn, True, _redact(text)
    if lower.startswith("/vsi"):
        return text, lower.startswith(_REMOTE_VSI), _redact(text)
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"Municipal layer not found: {path}. Check the path (a Shapefile needs "
                         "its .shp, .shx and .dbf side by side).")
    return str(path.resolve()), False, str(path.resolve())


@contextlib.contextmanager
def _http_limits(timeout_s: Optional[float]) -> Iterator[None]:
    """Set GDAL's HTTP timeouts for the duration of one read, then restore what was there.

    GDAL's defaults let a WFS request to an unresponsive server wait indefinitely; a user's own
    setting (environment or GDAL config) is kept unless ``timeout_s`` is given explicitly.
    """
    import pyogrio

    total = timeout_s if timeout_s is not None else HTTP_TIMEOUT_S
    connect = min(HTTP_CONNECT_TIMEOUT_S, total)
    wanted = {"GDAL_HTTP_TIMEOUT": str(max(1, int(math.ceil(total)))),
              "GDAL_HTTP_CONNECTTIMEOUT": str(max(1, int(math.ceil(connect))))}
    previous = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    apply = {k: v for k, v in wanted.items()
             if timeout_s is not None or (previous[k] is None and k not in os.environ)}
    pyogrio.set_gdal_config_options(apply)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(
            {k: (None if previous[k] is None else str(previous[k])) for k in apply})


def _source_error(exc: Exception, display: str, remote: bool) -> Exception:
    msg = _redact(str(exc).strip() or type(exc).__name__)
    if remote:
        return DataError(f"Could not read the web/WFS source {display}: {msg}. Check the URL, "
                         "that the service is up and reachable from this computer (proxy, VPN), "
                         "and try again.")
    return InputError(f"{display} is not a readable vector layer: {msg}.")


def _choose_layer(dsn: str, mapping: FieldMapping, display: str, remote: bool,
                  wanted: Optional[str] = None) -> Optional[str]:
    """Return the layer to read: ``wanted`` (from the source URI), the mapping's or the only one."""
    import pyogrio

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(dsn)]
    except Exception as exc:  # pyogrio's DataSourceError and friends
        raise _source_error(exc, display, remote) from None
    wanted = wanted or mapping.layer
    if wanted:
        if wanted not in layers:
            raise InputError(f"{display} has no layer {wanted!r} (mapping "
                             f"{mapping.name!r}). Its layers: {_listing(layers)}.")
        return wanted
    if len(layers) > 1:
        raise InputError(f"{display} holds {len(layers)} layers; set 'layer' in mapping "
                         f"{mapping.name!r} to one of: {_listing(layers)}.")
    if not layers:
        raise InputError(f"{display} holds no vector layer.")
    return layers[0]


def _layer_info(dsn: str, layer: Optional[str], display: str, remote: bool) -> Dict[str, Any]:
    """Driver, CRS, fields and geometry type of the layer, without reading its features.

    ``pyogrio.read_info`` counts the features, and GDAL's WFS driver counts by downloading the
    whole layer when the server does not support ``resultType=hits``. For a WFS the layer is
    therefore probed with a GetFeature restricted to a (practically) empty box: one small
    request that still gives the CRS and the fields.
    """
    import pyogrio

    try:
        if not dsn.startswith("WFS:"):
            return pyogrio.read_info(dsn, layer=layer)
        probe = pyogrio.read_dataframe(dsn, layer=layer, bbox=(0.0, 0.0, 1e-9, 1e-9))
    except Exception as exc:  # pyogrio's DataSourceError and friends
        raise _source_error(exc, display, remote) from None
    geometry = getattr(probe, "geometry", None) is not None and "geometry" in probe.columns
    crs = probe.crs.to_string() if geometry and probe.crs is not None else None
    return {"driver": "WFS", "crs": crs, "geometry_type": "Unknown" if geometry else None,
            "fields": [c for c in probe.columns if c != "geometry"]}


def _cpg_file(path: Path, layer: Optional[str]) -> Optional[Path]:
    """Return the Shapefile's .cpg (code page) file, if there is one."""
    base = path / layer if path.is_dir() and layer else path.with_suffix("")
    for suffix in (".cpg", ".CPG"):
        candidate = base.with_name(base.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def _resolve_fields(mapping: FieldMapping, available: Sequence[str], display: str,
                    layer: Optional[str], max_len: Optional[int] = None) -> Dict[str, str]:
    """Return canonical column -> the source field that exists, or raise listing the fields.

    Names match exactly, then ignoring case; with ``max_len`` (10 for Shapefiles, whose .dbf
    truncates field names) a longer name also matches its truncation ("antal_platser" finds
    "antal_plat").
    """
    by_fold: Dict[str, List[str]] = {}
    for name in available:
        by_fold.setdefault(name.casefold(), []).append(name)
    resolved: Dict[str, str] = {}
    missing: List[str] = []
    for col, spec in mapping.fields.items():
        candidates = spec if isinstance(spec, list) else [spec]
        if max_len:
            candidates = candidates + [c[:max_len] for c in candidates if len(c) > max_len]
        hit = next((c for c in candidates if c in available), None)
        if hit is None:
            hit = next((by_fold[c.casefold()][0] for c in candidates
                        if len(by_fold.get(c.casefold(), [])) == 1), None)
        if hit is None:
            wanted = " or ".join(repr(c) for c in (spec if isinstance(spec, list) else [spec]))
            missing.append(f"{wanted} (for {col})")
        else:
            resolved[col] = hit
    if missing:
        where = f"{display}" + (f" (layer {layer!r})" if layer else "")
        raise InputError(f"Mapping {mapping.name!r}: {where} has no field "
                         f"{'; no field '.join(missing)}. Its fields are: "
                         f"{_listing(available, 200)}. Fix the field names in the mapping.")
    return resolved


def _text_columns_look_like_mojibake(df) -> Optional[str]:
    """Return a sample value if text columns look like UTF-8 decoded as Latin-1, else None."""
    for col in df.columns:
        if col == "geometry" or df[col].dtype.kind not in "OUT":
            continue
        for value in df[col].dropna():
            if isinstance(value, str) and _MOJIBAKE_RE.search(value):
                return value
    return None


def _read_frame(dsn: str, layer: Optional[str], columns: List[str], encoding: Optional[str],
                bbox, display: str, remote: bool):
    import pyogrio

    try:
        return pyogrio.read_dataframe(dsn, layer=layer, columns=columns, encoding=encoding,
                                      bbox=bbox)
    except UnicodeDecodeError as exc:
        raise _encoding_error(display, encoding, exc) from None
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, FieldError ...
        raise _source_error(exc, display, remote) from None


def _fix_mojibake(gdf, origin: str, dsn: str, layer: Optional[str], columns: List[str], bbox,
                  display: str, feedback: Optional[Feedback]):
    """Re-read a Shapefile as UTF-8 when its text looks like UTF-8 decoded as Latin-1.

    Shapefiles written as UTF-8 without a .cpg are common; GDAL then decodes them as Latin-1 and
    "Gårda" reads "GÃ¥rda". Such pairs practically never occur in real Latin-1 text. Returns
    the (possibly re-read) frame and where its encoding came from.
    """
    import pyogrio

    sample = _text_columns_look_like_mojibake(gdf)
    if sample is None:
        return gdf, origin
    try:
        again = pyogrio.read_dataframe(dsn, layer=layer, columns=columns, encoding="utf-8",
                                       bbox=bbox)
    except Exception:  # not valid UTF-8 after all: keep what was decoded
        again = None
    fixed = again is not None and _text_columns_look_like_mojibake(again) is None
    if feedback is not None:
        feedback.pushWarning(
            f"{display}: text such as {sample!r} looked like UTF-8 read as Latin-1 "
            f"({'re-read as UTF-8' if fixed else 'left as it was'}). Add a .cpg file "
            "containing UTF-8 next to the Shapefile, or set 'encoding' in the mapping, to make "
            "this explicit.")
    return (again, "utf-8 (detected)") if fixed else (gdf, origin)


def _encoding_error(display: str, encoding: Optional[str], exc: Exception) -> InputError:
    return InputError(f"The text in {display} is not in the encoding {encoding!r} ({exc}). "
                      "Set the right 'encoding' in the mapping (e.g. 'utf-8', 'latin1', "
                      "'cp1252') or add a .cpg file next to the Shapefile.")


def _to_text(value: Any) -> Optional[str]:
    """Source value as text for ``map`` keys and text columns; None when missing."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    return text if text else None


def _by_unique(values, fn) -> "Any":
    """Apply ``fn`` once per distinct value (``fn(None)`` for missing) and spread the results.

    Registers repeat a few values (luminaire types, Ja/Nej) over many features, so this is
    much faster than calling ``fn`` per feature; returns an object array.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = fn(None)
    return results[codes]  # code -1 (missing) picks the last entry


def _parse_number(value: Any) -> float:
    """A source value as a float (decimal comma allowed); NaN when missing or not a number."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", ".")
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _to_numbers(values, column: str, mapping: FieldMapping, feedback: Optional[Feedback]):
    """Convert to float, reading a decimal comma; warn about values that are not numbers."""
    import numpy as np
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    numbers = _by_unique(series, _parse_number).astype("float64")
    given = _by_unique(series, lambda v: _to_text(v) is not None).astype(bool)
    bad = np.isnan(numbers) & given
    if bad.any() and feedback is not None:
        example = series[bad].iloc[0]
        feedback.pushWarning(f"Mapping {mapping.name!r}: {int(bad.sum())} value(s) of {column} "
                             f"are not numbers (e.g. {example!r}); they count as unknown.")
    return numbers


def _apply_column(values, col: str, kind: str, mapping: FieldMapping,
                  feedback: Optional[Feedback]):
    """Apply ``mapping.transforms[col]`` to the source values and return the canonical values."""
    import numpy as np

    spec = mapping.transforms.get(col, {})
    if "map" in spec:
        table = {str(k): v for k, v in spec["map"].items()}
        folded = {k.strip().casefold(): v for k, v in table.items()}

        def lookup(value):
            key = _to_text(value)
            if key is None:
                return value
            if key in table:
                return table[key]
            return folded.get(key.casefold(), value)

        values = _by_unique(values, lookup)
    if kind in (FLOAT, INT):
        numbers = _to_numbers(values, col, mapping, feedback)
        if "scale" in spec:
            numbers = numbers * float(spec["scale"])
        if "default" in spec:
            numbers = np.where(np.isnan(numbers), float(spec["default"]), numbers)
        return numbers
    default = str(spec["default"]) if "default" in spec else ""
    return _by_unique(values, lambda v: _to_text(v) or default)


def _repair(geoms):
    """Make invalid polygons valid, keeping their polygonal part (shapely's make_valid)."""
    import numpy as np
    import shapely

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        polys = [_polygonal(g) if shapely.get_type_id(g) == 7 else g for g in fixed]
        geoms = geoms.copy()
        geoms[np.flatnonzero(invalid)] = polys
    return geoms, int(invalid.sum())


def _polygonal(geom):
    import shapely

    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _fit_geometries(gdf, target: str, mapping: FieldMapping, display: str,
                    feedback: Optional[Feedback]):
    """Return (gdf with geometries fitting the target layer's type, line lengths or None).

    Point layers take polygons and lines as representative points (a point guaranteed on the
    feature; a line's length is returned for ``seating.length_m``), multipoints as one feature
    per point. Line layers take polygon outlines. Polygon layers take only polygons.
    """
    import numpy as np
    import shapely

    kind = LAYERS[target].geometry_type
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") \
        else np.asarray(gdf.geometry.values)
    types = shapely.get_type_id(geoms)
    lengths = None
    if kind == "Point":
        multipoint = types == 4
        if multipoint.any():
            gdf = gdf.explode(index_parts=False, ignore_index=True) if multipoint.all() else \
                _explode_rows(gdf, multipoint)
            geoms = np.asarray(gdf.geometry.values)
            types = shapely.get_type_id(geoms)
        lines = np.isin(types, (1, 2, 5))
        lengths = np.where(lines, shapely.length(geoms), np.nan)
        other = types != 0
        if other.any():
            geoms = geoms.copy()
            geoms[other] = shapely.point_on_surface(geoms[other])
            if feedback is not None:
                feedback.pushInfo(f"{display}: {int(other.sum())} line/area feature(s) placed as "
                                  f"points on the {target!r} layer (a point on each feature).")
        gdf = gdf.set_geometry(geoms, crs=gdf.crs)
        return gdf, lengths
    if kind == "MultiPolygon":
        wanted = np.isin(types, (3, 6, 7))
        if not wanted.all():
            if not wanted.any():
                raise InputError(f"{display} holds points or lines, but the {target!r} layer "
                                 "needs polygons; map it to a point or line layer instead.")
            if feedback is not None:
                feedback.pushWarning(f"{display}: {int((~wanted).sum())} point/line feature(s) "
                                     f"skipped: the {target!r} layer needs polygons.")
            gdf = gdf[wanted].reset_index(drop=True)
            geoms = geoms[wanted]
        geoms, repaired = _repair(geoms)
        if repaired and feedback is not None:
            feedback.pushInfo(f"{display}: {repaired} invalid polygon(s) repaired.")
        collections = shapely.get_type_id(geoms) == 7
        if collections.any():
            geoms = geoms.copy()
            geoms[collections] = [_polygonal(g) for g in geoms[collections]]
        keep = ~shapely.is_empty(geoms)
        return gdf[keep].set_geometry(geoms[keep], crs=gdf.crs).reset_index(drop=True), None
    # line layers
    points = np.isin(types, (0, 4))
    if points.all():
        raise InputError(f"{display} holds points, but the {target!r} layer needs lines; "
                         "map it to a point layer instead.")
    if points.any():
        if feedback is not None:
            feedback.pushWarning(f"{display}: {int(points.sum())} point feature(s) skipped: the "
                                 f"{target!r} layer needs lines.")
        gdf = gdf[~points].reset_index(drop=True)
        geoms = geoms[~points]
        types = types[~points]
    areas = np.isin(types, (3, 6))
    if areas.any():
        geoms = geoms.copy()
        geoms[areas] = shapely.boundary(geoms[areas])
        if feedback is not None:
            feedback.pushInfo(f"{display}: {int(areas.sum())} area feature(s) taken as their "
                              f"outlines on the {target!r} layer.")
    return gdf.set_geometry(geoms, crs=gdf.crs), None


def _explode_rows(gdf, rows):
    import pandas as pd

    parts = [gdf[~rows], gdf[rows].explode(index_parts=False)]
    return pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)


def _clip_bbox(clip_to, crs: str, source_crs) -> Optional[Tuple[float, float, float, float]]:
    """Bounding box of ``clip_to`` in the source CRS, padded 1 %, for GDAL's spatial filter."""
    from pyproj import CRS, Transformer

    transformer = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_user_input(source_crs),
                                       always_xy=True)
    minx, miny, maxx, maxy = transformer.transform_bounds(*clip_to.bounds, densify_pts=21)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    pad = 0.01 * max(maxx - minx, maxy - miny)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _progress(feedback: Optional[Feedback], span: Optional[Tuple[float, float]],
              fraction: float) -> None:
    if feedback is not None and span is not None:
        feedback.setProgress(span[0] + (span[1] - span[0]) * fraction)


def _check_metric(crs: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"{crs!r} is not a coordinate reference system: {exc}.") from None
    if not parsed.is_projected:
        raise InputError(f"The target CRS {crs!r} is not a projected (metric) CRS; use the "
                         "place's metric CRS, e.g. 'EPSG:3006'.")
    return parsed


def read_municipal_layer(
    source: os.PathLike | str,
    mapping: FieldMapping,
    *,
    crs: str,
    clip_to: Optional["BaseGeometry"] = None,
    feedback: Optional[Feedback] = None,
    http_timeout_s: Optional[float] = None,
    progress: Optional[Tuple[float, float]] = None,
) -> "gpd.GeoDataFrame":
    """Read a municipal layer as the canonical layer ``mapping.target``.

    Parameters
    ----------
    source : path-like or str
        Any OGR source: a GeoPackage, Shapefile, GeoJSON ... file (also as a QGIS layer source
        ``"file.gpkg|layername=lampor"``, whose layer wins over ``mapping.layer``), or a WFS
        service as ``"WFS:https://..."`` or an ``http(s)`` URL with ``service=WFS`` (other URLs
        and ``/vsi...`` paths are handed to GDAL as they are). A Shapefile's ``.cpg`` names
        its encoding; without one, ``mapping.encoding`` does (else GDAL's default, Latin-1).
        Text that looks like UTF-8 read as Latin-1 is re-read as UTF-8, with a warning.
    mapping : FieldMapping
        Which fields go where.
    crs : str
        The place's metric CRS; the result is reprojected to it.
    clip_to : shapely geometry, optional
        The study area in ``crs``. Features that intersect it are kept whole (a building half in
        the study area keeps its full footprint); point-layer features are kept when their
        point lies in it. The source is pre-filtered with its bounding box, so a large register
        or WFS service is not read whole.
    feedback : Feedback, optional
        Progress, cancellation, and warnings (e.g. no feature in the study area).
    http_timeout_s : float, optional
        Overall HTTP timeout for web sources (default :data:`HTTP_TIMEOUT_S`, or the user's own
        ``GDAL_HTTP_TIMEOUT``). GDAL's settings are process-wide: they are set for the read
        and restored afterwards.
    progress : (float, float), optional
        The part of the caller's progress bar (percent) this read may report in, e.g.
        ``(85, 95)``; by default no progress is reported (only cancellation is checked), so a
        caller's progress bar never jumps back.

    Returns
    -------
    GeoDataFrame
        The canonical columns of ``mapping.target`` (``source`` = ``mapping.name``, ``osm_id``
        empty), in ``crs``; empty (with a warning) when nothing lies in the study area.
        ``attrs["amp_municipal"]`` holds the source (without credentials), layer and counts.

    Raises
    ------
    InputError
        Missing file, no CRS, unknown layer or field (the message lists the source's layers or
        fields), unusable geometry type, wrong encoding.
    DataError
        A web/WFS source that cannot be reached or read.
    """
    import geopandas as gpd
    import numpy as np
    import pyogrio
    import shapely

    from amp_qgis_plugin.core.data.placedata import conform, empty_layer

    if not isinstance(mapping, FieldMapping):
        raise InputError("read_municipal_layer needs a FieldMapping; load one with load_preset().")
    mapping.validate()
    _check_metric(crs)
    check_cancelled(feedback)
    source_text, uri_layer = _split_qgis_uri(str(source))
    dsn, remote, display = _normalise_source(source_text)
    target = mapping.target
    with _http_limits(http_timeout_s if remote else None):
        layer = _choose_layer(dsn, mapping, display, remote, uri_layer)
        check_cancelled(feedback)
        info = _layer_info(dsn, layer, display, remote)
        driver = info.get("driver") or ""
        encoding = None
        encoding_origin = "GDAL"
        if driver == "ESRI Shapefile" and not remote:
            cpg = _cpg_file(Path(dsn), layer)
            if cpg is not None:
                encoding_origin = cpg.name
            elif mapping.encoding:
                encoding, encoding_origin = mapping.encoding, "mapping"
                try:
                    info = pyogrio.read_info(dsn, layer=layer, encoding=encoding)
                except UnicodeDecodeError as exc:
                    raise _encoding_error(display, encoding, exc) from None
        if info.get("geometry_type") in (None, "None"):
            raise InputError(f"{display} has no geometries (a plain table); municipal layers "
                             "need points, lines or polygons.")
        if not info.get("crs"):
            raise InputError(f"{display} has no coordinate reference system (CRS). Define it "
                             "first: in QGIS, Layer Properties > Source > Assigned CRS and save "
                             "a copy, or add the .prj file that came with a Shapefile.")
        source_crs = info["crs"]
        available = [str(f) for f in info.get("fields", [])]
        resolved = _resolve_fields(mapping, available, display, layer,
                                   max_len=10 if driver == "ESRI Shapefile" else None)
        _progress(feedback, progress, 0.1)
        bbox = _clip_bbox(clip_to, crs, source_crs) if clip_to is not None else None
        columns = sorted(set(resolved.values()))
        gdf = _read_frame(dsn, layer, columns, encoding, bbox, display, remote)
        if driver == "ESRI Shapefile" and not remote:
            gdf, encoding_origin = _fix_mojibake(gdf, encoding_origin, dsn, layer, columns,
                                                 bbox, display, feedback)
    check_cancelled(feedback)
    _progress(feedback, progress, 0.6)
    n_read = len(gdf)

    geoms = np.asarray(gdf.geometry.values)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        if feedback is not None:
            feedback.pushInfo(f"{display}: {int((~present).sum())} feature(s) without geometry "
                              "skipped.")
        gdf = gdf[present].reset_index(drop=True)
    if gdf.crs is None:
        gdf = gdf.set_crs(source_crs, allow_override=True)
    if len(gdf):
        try:
            gdf = gdf.to_crs(crs)
        except Exception as exc:  # pyproj errors
            raise InputError(f"{display} could not be reprojected from {source_crs} to {crs}: "
                             f"{exc}.") from None
        gdf, lengths = _fit_geometries(gdf, target, mapping, display, feedback)
    else:
        lengths = None
    if clip_to is not None and len(gdf):
        inside = shapely.intersects(np.asarray(gdf.geometry.values), clip_to)
        gdf = gdf[inside].reset_index(drop=True)
        if lengths is not None:
            lengths = lengths[inside]
    check_cancelled(feedback)

    meta = {"source": display, "layer": layer or "", "driver": driver,
            "encoding": encoding_origin, "read": n_read, "kept": len(gdf)}
    if len(gdf) == 0:
        if feedback is not None:
            where = "in the study area" if clip_to is not None else "with a geometry"
            feedback.pushWarning(f"{display}: no feature {where}; the {target!r} layer gets "
                                 f"nothing from {mapping.name!r}.")
        out = empty_layer(target, crs)
        out.attrs["amp_municipal"] = meta
        _progress(feedback, progress, 1.0)
        return out

    kinds = dict(LAYERS[target].columns)
    data: Dict[str, Any] = {}
    for col, src in resolved.items():
        data[col] = _apply_column(gdf[src], col, kinds[col], mapping, feedback)
    for col, value in mapping.constants.items():
        data[col] = [value] * len(gdf)
    if target == "seating" and lengths is not None and not np.isnan(lengths).all():
        given = np.asarray(data.get("length_m", np.full(len(gdf), np.nan)), dtype="float64")
        data["length_m"] = np.where(np.isnan(given), lengths, given)
    frame = gpd.GeoDataFrame(data, geometry=gdf.geometry.values, crs=crs)
    out = conform(target, frame, crs)
    out["source"] = mapping.name
    out["osm_id"] = ""
    out.attrs["amp_municipal"] = meta
    if feedback is not None:
        feedback.pushInfo(f"{display}: {len(out)} of {n_read} feature(s) read into "
                          f"{target!r} with mapping {mapping.name!r}.")
    _progress(feedback, progress, 1.0)
    return out


# --------------------------------------------------------------------------------------------
# Merging into PlaceData
# --------------------------------------------------------------------------------------------

def _is_osm(layer) -> "Any":
    """Boolean array: rows that came from OpenStreetMap (source 'osm' or an OSM id)."""
    import numpy as np

    source = layer["source"].fillna("").astype(str).to_numpy()
    osm_id = layer["osm_id"].fillna("").astype(str).to_numpy()
    return np.array((source == "osm") | (osm_id != ""), dtype=bool)


def merge_into(
    data: "PlaceData",
    gdf: "gpd.GeoDataFrame",
    mapping: FieldMapping,
    *,
    feedback: Optional[Feedback] = None,
    source: Optional[str] = None,
) -> Dict[str, int]:
    """Merge a layer read by :func:`read_municipal_layer` into ``data`` and record provenance.

    ``mode="replace"`` removes the OSM features of ``mapping.target`` that intersect the study
    area (all of them when ``data`` has no study area); when the register has no feature there,
    the OSM features are kept and a warning says so (an empty read more likely means the
    register does not cover the place than that the place has none). ``mode="append"`` keeps
    them. In both modes, features merged earlier with the same mapping name are replaced, so
    merging the same register twice does not double it.

    Provenance keys: ``municipal:<name>`` (the source path or URL, without credentials),
    ``municipal:<name>:features``, ``municipal:<name>:removed_osm`` and
    ``municipal:<name>:mapping`` (the mapping as JSON).

    Returns
    -------
    dict
        ``{"added": n, "removed_osm": m, "removed_previous": k}``.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from amp_qgis_plugin.core.data.placedata import conform

    mapping.validate()
    check_cancelled(feedback)
    target = mapping.target
    incoming = conform(target, gdf, data.crs)
    incoming["source"] = mapping.name
    existing = data[target]
    drop = np.array(existing["source"].fillna("").astype(str) == mapping.name, dtype=bool)
    removed_previous = int(drop.sum())
    removed_osm = 0
    if mapping.mode == "replace":
        if len(incoming):
            osm = _is_osm(existing) & ~drop
            sa = data.layers.get("study_area")
            if sa is not None and len(sa) and osm.any():
                area = data.study_area_polygon
                osm &= shapely.intersects(np.asarray(existing.geometry.values), area)
            removed_osm = int(osm.sum())
            drop |= osm
        elif feedback is not None:
            feedback.pushWarning(f"Mapping {mapping.name!r} brought no {target} into the study "
                                 f"area, so the OSM {target} were kept.")
    kept = existing[~drop]
    pieces = [p for p in (kept, incoming) if len(p)]
    if pieces:
        merged = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), crs=data.crs)
    else:
        merged = incoming
    data[target] = merged
    meta = gdf.attrs.get("amp_municipal", {}) if hasattr(gdf, "attrs") else {}
    where = source if source is not None else meta.get("source", "")
    if where and where.lower().startswith(("http", "wfs:")):
        where = _redact(where)
    key = f"municipal:{mapping.name}"
    data.provenance[key] = where + (f" (layer {mapping.layer})" if mapping.layer else "")
    data.provenance[f"{key}:features"] = str(len(incoming))
    data.provenance[f"{key}:removed_osm"] = str(removed_osm)
    data.provenance[f"{key}:mapping"] = json.dumps(mapping.to_dict(), ensure_ascii=False,
                                                   sort_keys=True)
    if feedback is not None:
        verb = f"replaced {removed_osm} OSM feature(s) with" if mapping.mode == "replace" \
            else "added"
        feedback.pushInfo(f"{target}: {verb} {len(incoming)} feature(s) from {mapping.name!r}.")
    return {"added": len(incoming), "removed_osm": removed_osm,
            "removed_previous": removed_previous}


def add_municipal_layer(
    data: "PlaceData",
    source: os.PathLike | str,
    mapping: Union[FieldMapping, str, os.PathLike],
    *,
    user_dir: Optional[os.PathLike | str] = None,
    feedback: Optional[Feedback] = None,
    http_timeout_s: Optional[float] = None,
) -> Dict[str, int]:
    """Read ``source`` with ``mapping`` (a FieldMapping, preset name or file) into ``data``.

    The layer is read in ``data.crs`` and clipped to its study area (when it has one), then
    merged with :func:`merge_into`; returns its counts.
    """
    if not isinstance(mapping, FieldMapping):
        mapping = load_preset(mapping, user_dir)
    sa = data.layers.get("study_area")
    clip = data.study_area_polygon if sa is not None and len(sa) else None
    gdf = read_municipal_layer(source, mapping, crs=data.crs, clip_to=clip, feedback=feedback,
                               http_timeout_s=http_timeout_s)
    return merge_into(data, gdf, mapping, feedback=feedback)
