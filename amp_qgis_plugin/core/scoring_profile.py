"""The scoring profile: ``resources/scoring/profile.json`` read, checked and made editable.

The profile says, for every indicator of the place profile (methodology §8.1-8.6), which figure
of which indicator result it scores, how (floor and target, graded classes), with what source,
in which PPS attribute or safety group, and with what weight. This module only reads and checks
it; :mod:`amp_qgis_plugin.core.scoring` scores results with it.

Editing the weights
-------------------
Three layers, each overriding the one before:

1. the bundled ``profile.json``;
2. a user file of the same shape holding only what it changes (e.g.
   ``{"indicators": {"U1": {"weight": 0.3}}, "index": {"groups": {"lighting": {"weight": 0.4}}}}``;
   it may also calibrate a relative indicator by giving its ``floor``, ``target``, ``source``
   and a weight, or add a new indicator as a complete entry);
3. a mapping ``{key: weight}`` (from code, or :func:`parse_weights` of ``"U1=2; lighting=0.3"``);
   keys are indicator ids (``U1``, ``C8_emin``) or safety group ids (``lighting``).

Weights are relative within an attribute, within a safety group and over the safety groups:
where they do not sum to one they are normalised, with a warning naming the sums.

Checks
------
Every entry must have a source, numbers must be numbers, attributes and groups must be known,
the direction must agree with floor and target, steps must rise, and an entry without a floor
and target (a relative indicator not yet calibrated) must have weight 0. A mistake is a
:class:`~amp_qgis_plugin.core.errors.DataError` (bundled file) or
:class:`~amp_qgis_plugin.core.errors.InputError` (the user's file or weights) naming the file,
the line, the entry and the field.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Sequence, Tuple, Union

from amp_qgis_plugin.core import thresholds
from amp_qgis_plugin.core.errors import DataError, InputError

#: Methods turning a value into a score.
METHODS = ("linear", "steps", "grade_mix")
#: How the parts of a combined indicator make one score.
COMBINE = ("max", "min")
#: The methodology's evidence tags; the last three are never "verified".
STATUSES = ("V", "V-sec", "M", "REL", "proposal")
UNVERIFIED = ("M", "REL", "proposal")
#: Data needed (methodology §8.2-8.6 "Data" column).
DATA_KINDS = ("O", "O+M", "O/M", "M")
#: Weights summing to one within this are taken as summing to one (4-decimal fractions).
SUM_TOLERANCE = 1e-3
#: Option id of the weights in messages (the CLI and Processing add their own names).
WEIGHTS_OPTION = "weights"

_SCORER_FIELDS = {"theme", "figure", "figures", "unit", "method", "floor", "target", "direction",
                  "steps", "below", "grade_scores", "target_from_figure"}
_ENTRY_FIELDS = _SCORER_FIELDS | {"name", "name_sv", "attribute", "group", "source", "status",
                                  "verified", "weight", "data", "note", "parts", "combine"}
_TOP_FIELDS = {"version", "description", "attributes", "index", "bands", "indicators"}

PathLike = Union[str, os.PathLike]
Location = Tuple[Union[str, int], ...]


# --------------------------------------------------------------------------------------------
# The parsed profile


@dataclass(frozen=True)
class Scorer:
    """How one figure of one indicator result becomes a 0-100 score.

    Attributes
    ----------
    theme : str
        Theme of the indicator result holding the figure (``"frontage"``).
    figure : str
        Figure key (``"doors_per_100m"``); empty for ``grade_mix``.
    unit : str
        Unit the floor and target are in; a figure in another unit is not scored.
    method : str
        ``"linear"``, ``"steps"`` or ``"grade_mix"``.
    floor, target : float or None
        Value scoring 0 and value scoring 100 (linear, grade_mix); None when not calibrated.
    direction : str
        ``"up"`` (more is better) or ``"down"``.
    steps : tuple of (float, float)
        ``(threshold, score)`` classes, rising (steps).
    below : float
        Score below the first step.
    target_from_figure : bool
        Use the figure's own numeric threshold (an area-dependent requirement) as target.
    grade_figures : tuple of (str, str)
        ``(grade, figure key of its share in %)`` (grade_mix).
    grade_scores : tuple of (str, float)
        ``(grade, score)`` (grade_mix).
    """

    theme: str
    figure: str
    unit: str
    method: str = "linear"
    floor: Optional[float] = None
    target: Optional[float] = None
    direction: str = "up"
    steps: Tuple[Tuple[float, float], ...] = ()
    below: float = 0.0
    target_from_figure: bool = False
    grade_figures: Tuple[Tuple[str, str], ...] = ()
    grade_scores: Tuple[Tuple[str, float], ...] = ()

    @property
    def calibrated(self) -> bool:
        """False for a relative indicator without floor and target."""
        return self.method == "steps" or (self.floor is not None and self.target is not None)

    def threshold_text(self, target: Optional[float] = None) -> str:
        """The scoring rule in words, e.g. ``"30 → 80 %"`` or ``"≥ 2 → 25, ≥ 6 → 50 ..."``."""
        unit = f" {self.unit}" if self.unit else ""
        if self.method == "steps":
            return ", ".join(f"≥ {_num(t)} → {_num(s)}" for t, s in self.steps) + \
                f"{unit}; below {_num(self.steps[0][0])}: {_num(self.below)}"
        if not self.calibrated:
            return "not calibrated (REL)"
        tgt = self.target if target is None else target
        text = f"{_num(self.floor)} → {_num(tgt)}{unit}"
        if self.method == "grade_mix":
            grades = ", ".join(f"{g} = {_num(s)}" for g, s in self.grade_scores)
            text = f"frontage-weighted grade score ({grades}); {text}"
        return text


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the profile.

    Attributes
    ----------
    key : str
        Id (``"U1"``, ``"C8_emin"``, ``"P6_sides"``); methodology id plus a suffix for parts.
    name, name_sv : str
        English and Swedish names.
    attribute : str
        PPS attribute key, or the index key (``"safety"``).
    group : str
        Safety group (``"lighting"``) for safety entries, else ``""``.
    scorers : tuple of Scorer
        One, or several combined by ``combine``.
    combine : str
        ``"max"`` (the best part counts) or ``"min"`` (every part must be met); ``""`` for one.
    source : str
        Source of the thresholds.
    status : str
        Evidence tag (V, V-sec, M, REL, proposal).
    verified : bool
        False for M, REL and proposal thresholds.
    weight : float
        Weight within its attribute or group, normalised to sum to one.
    data : str
        Data needed: O, O+M, O/M or M.
    note : str
        What a reader should know (e.g. how to calibrate it).
    """

    key: str
    name: str
    name_sv: str
    attribute: str
    group: str
    scorers: Tuple[Scorer, ...]
    combine: str
    source: str
    status: str
    verified: bool
    weight: float
    data: str
    note: str = ""

    @property
    def calibrated(self) -> bool:
        """True when every part has a floor and target (or steps)."""
        return all(s.calibrated for s in self.scorers)

    @property
    def unit(self) -> str:
        """Unit of the (first) scored figure."""
        return self.scorers[0].unit


@dataclass(frozen=True)
class Aggregate:
    """A PPS attribute, the safety index or one of its groups.

    Attributes
    ----------
    key, name, name_sv : str
        Id and names.
    source : str
        Where the attribute or the aggregation rule comes from.
    weight : float
        Weight of a safety group in the index (normalised); 1 for attributes and the index.
    """

    key: str
    name: str
    name_sv: str
    source: str = ""
    weight: float = 1.0


@dataclass
class Profile:
    """The checked profile: attributes, the safety index and its groups, indicators, bands.

    Attributes
    ----------
    version : str
        Version of the bundled profile.
    attributes : dict of str to Aggregate
        The four PPS attributes, in order.
    index : Aggregate
        The perceived-safety index.
    groups : dict of str to Aggregate
        The safety groups with their (normalised) weights.
    indicators : dict of str to IndicatorSpec
        Every indicator, weights normalised within its attribute or group.
    bands : tuple of (str, str, float)
        ``(name, Swedish name, lowest score)``, rising.
    bands_source : str
        Source of the band cut-offs.
    files : list of str
        The files read (bundled, then the user's).
    overrides : dict of str to float
        Weights given as a mapping (after the files).
    warnings : list of str
        Weight normalisations and other things a reader should know.
    """

    version: str
    attributes: Dict[str, Aggregate]
    index: Aggregate
    groups: Dict[str, Aggregate]
    indicators: Dict[str, IndicatorSpec]
    bands: Tuple[Tuple[str, str, float], ...]
    bands_source: str
    files: List[str] = field(default_factory=list)
    overrides: Dict[str, float] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)

    def members(self, parent: str) -> List[IndicatorSpec]:
        """The indicators of an attribute key or a safety group key, in file order."""
        if parent in self.groups:
            return [s for s in self.indicators.values() if s.group == parent]
        return [s for s in self.indicators.values() if s.attribute == parent]

    def band(self, score: Optional[float], swedish: bool = False) -> str:
        """The band (red/yellow/green) of a score; ``""`` for no score."""
        if score is None:
            return ""
        name = ""
        for en, sv, low in self.bands:
            if score >= low - 1e-9:
                name = sv if swedish else en
        return name

    def weights(self) -> Dict[str, float]:
        """Every weight in force (indicators, then safety groups), normalised."""
        out = {k: s.weight for k, s in self.indicators.items()}
        out.update({k: g.weight for k, g in self.groups.items()})
        return out


# --------------------------------------------------------------------------------------------
# Reading


def default_profile_path() -> Path:
    """The bundled profile (``resources/scoring/profile.json``)."""
    return Path(thresholds.SCORING_DIR) / "profile.json"


def load_profile(path: Optional[PathLike] = None, *, user_file: Optional[PathLike] = None,
                 weights: Union[None, str, Mapping[str, Any]] = None) -> Profile:
    """Read, merge, check and normalise the scoring profile.

    Parameters
    ----------
    path : path, optional
        The profile; default the bundled ``resources/scoring/profile.json``. Mistakes in it are
        :class:`DataError` (a broken installation).
    user_file : path, optional
        A user file of the same shape holding only what it changes. Mistakes in it are
        :class:`InputError` naming its line.
    weights : mapping or str, optional
        ``{key: weight}`` or text: ``"U1=2; lighting=0.3"``, or the path of a user JSON file
        (see :func:`read_weights`).

    Returns
    -------
    Profile

    Raises
    ------
    DataError, InputError
        Naming the file, the line, the entry and the field.
    """
    base_path = Path(path) if path is not None else default_profile_path()
    base_text, base = _read(base_path, user=False)
    sources = [_Source(base_path, base_text, base, user=False)]
    doc = base
    mapping: Dict[str, float] = {}
    user_doc, user_map = read_weights(weights) if weights is not None else (None, {})
    if user_file is not None and str(user_file).strip():
        text, udoc = _read(Path(user_file), user=True)
        sources.append(_Source(Path(user_file), text, udoc, user=True))
        doc = _merge(doc, udoc, sources[-1])
    if user_doc is not None:
        sources.append(user_doc)
        doc = _merge(doc, user_doc.doc, user_doc)
    mapping.update(user_map)
    profile = _build(doc, sources)
    profile.files = [str(s.path) for s in sources]
    if mapping:
        profile = _apply_weights(profile, mapping)
    return _normalise(profile)


def read_weights(value: Union[str, Mapping[str, Any], None]
                 ) -> Tuple[Optional["_Source"], Dict[str, float]]:
    """Interpret a weights input: a mapping, a JSON file, or ``"key=weight; ..."`` text.

    Returns
    -------
    (source or None, dict)
        The parsed user file (when the value names one) and the weight mapping.
    """
    if value is None:
        return None, {}
    if isinstance(value, Mapping):
        return None, {str(k): _weight_number(v, str(k)) for k, v in value.items()}
    text = str(value).strip()
    if not text:
        return None, {}
    if "=" not in text:  # weights as text always hold "key=weight": this names a file
        path = Path(text)
        if not path.is_file():
            raise InputError(f"The weights file {path} does not exist; give a JSON file of the "
                             "profile's shape or weights as key=weight pairs (for example "
                             "U1=0.2; lighting=0.3).", options=(WEIGHTS_OPTION,))
        body, doc = _read(path, user=True)
        return _Source(path, body, doc, user=True), {}
    return None, parse_weights(text)


def parse_weights(text: str) -> Dict[str, float]:
    """Parse ``"U1=2; C8_emin=0.5; lighting=0.3"`` into ``{key: weight}``.

    Pairs are separated by ``;`` or ``,`` (and new lines); a weight is a number ≥ 0.

    >>> parse_weights("U1=2; lighting = 0.3")
    {'U1': 2.0, 'lighting': 0.3}

    Raises
    ------
    InputError
        Naming the pair that is wrong and the form expected.
    """
    out: Dict[str, float] = {}
    for raw in re.split(r"[;,\n]", text or ""):
        item = raw.strip()
        if not item:
            continue
        key, sep, number = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"The weight {item!r} is not of the form key=weight "
                             "(for example U1=0.2; lighting=0.3).", options=(WEIGHTS_OPTION,))
        if key in out:
            raise InputError(f"The weight of {key!r} is given twice.", options=(WEIGHTS_OPTION,))
        out[key] = _weight_number(number.strip(), key)
    return out


def _weight_number(value: Any, key: str) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or number < 0:
        raise InputError(f"The weight of {key!r} must be a number of at least 0, not {value!r}.",
                         options=(WEIGHTS_OPTION,))
    return number


@dataclass
class _Source:
    """One file read: its path, text (for line numbers) and content."""

    path: Path
    text: str
    doc: Dict[str, Any]
    user: bool

    def has(self, loc: Location) -> bool:
        node: Any = self.doc
        for step in loc:
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    return False
            elif not isinstance(node, dict) or step not in node:
                return False
            node = node[step]
        return True


def _read(path: Path, *, user: bool) -> Tuple[str, Dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _raise(user, f"The {'weights' if user else 'scoring profile'} file {path} could not be "
                     f"read: {exc}.")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        _raise(user, f"{_label(path, user)}, line {exc.lineno}: not valid JSON ({exc.msg}, "
                     f"column {exc.colno}).")
    if not isinstance(doc, dict):
        _raise(user, f"{_label(path, user)}: must hold one JSON object.")
    return text, doc


def _label(path: Path, user: bool) -> str:
    return f"The weights file {path}" if user else f"The scoring profile {path}"


def _raise(user: bool, message: str) -> NoReturn:
    if user:
        raise InputError(message, options=(WEIGHTS_OPTION,))
    raise DataError(message + ("" if message.rstrip().endswith("plugin.") else
                               " Restore the file or reinstall the plugin."))


def line_of(text: str, loc: Location) -> Optional[int]:
    """The line (1-based) of the value at ``loc`` (keys and list indices) in JSON ``text``.

    Walks the text with the JSON scanner, so keys inside strings or other entries cannot be
    mistaken for it. None when the location does not exist.
    """
    decoder = json.JSONDecoder()
    space = re.compile(r"\s*")

    def skip(i: int) -> int:
        return space.match(text, i).end()  # type: ignore[union-attr]

    i = skip(0)
    try:
        for step in loc:
            if text[i] == "{" and isinstance(step, str):
                i = skip(i + 1)
                while text[i] != "}":
                    key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                    i = skip(skip(i) + 1)  # past ':'
                    if key == step:
                        break
                    _, i = decoder.raw_decode(text, i)
                    i = skip(i)
                    i = skip(i + 1) if text[i] == "," else i
                else:
                    return None
            elif text[i] == "[" and isinstance(step, int):
                i = skip(i + 1)
                for _ in range(step):
                    if text[i] == "]":
                        return None
                    _, i = decoder.raw_decode(text, i)
                    i = skip(i)
                    i = skip(i + 1) if text[i] == "," else i
                if text[i] == "]":
                    return None
            else:
                return None
    except (IndexError, ValueError):
        return None
    return text.count("\n", 0, i) + 1


def _merge(base: Dict[str, Any], user: Dict[str, Any], source: _Source) -> Dict[str, Any]:
    """``base`` with ``user``'s entries laid over it (fields replace fields; lists replace)."""
    out = json.loads(json.dumps(base))
    for key, value in user.items():
        if key not in _TOP_FIELDS:
            _fail([source], (key,), f"unknown section (known: {', '.join(sorted(_TOP_FIELDS))})")
        if key in ("indicators", "attributes"):
            if not isinstance(value, dict):
                _fail([source], (key,), "must be an object of entries")
            for name, entry in value.items():
                if isinstance(entry, dict) and isinstance(out[key].get(name), dict):
                    out[key][name].update(entry)
                else:
                    out[key][name] = entry
        elif key in ("index", "bands") and isinstance(value, dict):
            for name, sub in value.items():
                if name == "groups" and isinstance(sub, dict):
                    for gname, gentry in sub.items():
                        groups = out[key].setdefault("groups", {})
                        if isinstance(gentry, dict) and isinstance(groups.get(gname), dict):
                            groups[gname].update(gentry)
                        else:
                            groups[gname] = gentry
                else:
                    out[key][name] = sub
        else:
            out[key] = value
    return out


def _fail(sources: Sequence[_Source], loc: Location, problem: str) -> NoReturn:
    """Raise the error for ``loc``, located in the last file that sets it."""
    source = next((s for s in reversed(sources) if s.has(loc)), None)
    if source is None:  # a missing field: blame the file that holds the entry
        for cut in range(len(loc) - 1, 0, -1):
            source = next((s for s in reversed(sources) if s.has(loc[:cut])), None)
            if source is not None:
                line = line_of(source.text, loc[:cut])
                break
        else:
            source, line = sources[0], None
    else:
        line = line_of(source.text, loc)
    where = _label(source.path, source.user) + (f", line {line}" if line else "")
    what = _describe(loc)
    _raise(source.user, f"{where}: {what}: {problem}.")


def _describe(loc: Location) -> str:
    if len(loc) >= 2 and loc[0] == "indicators":
        text = f"entry {loc[1]!r}"
        rest = loc[2:]
    elif len(loc) >= 3 and loc[:2] == ("index", "groups"):
        text = f"safety group {loc[2]!r}"
        rest = loc[3:]
    else:
        text = f"section {loc[0]!r}"
        rest = loc[1:]
    parts = []
    for step in rest:
        parts.append(f"[{step}]" if isinstance(step, int) else f"field {step!r}")
    return text + (", " + " ".join(parts) if parts else "")


# --------------------------------------------------------------------------------------------
# Checking


class _Checker:
    """Field checks that raise located errors."""

    def __init__(self, sources: Sequence[_Source]) -> None:
        self.sources = sources

    def fail(self, loc: Location, problem: str) -> NoReturn:
        _fail(self.sources, loc, problem)

    def get(self, node: Mapping[str, Any], loc: Location, name: str, *, required: bool = True,
            default: Any = None) -> Any:
        if name not in node:
            if required:
                self.fail(loc + (name,), "is missing")
            return default
        return node[name]

    def text(self, node: Mapping[str, Any], loc: Location, name: str, *, required: bool = True,
             empty: bool = False) -> str:
        value = self.get(node, loc, name, required=required, default="")
        if not isinstance(value, str):
            self.fail(loc + (name,), f"must be text, not {value!r}")
        if not empty and required and not value.strip():
            self.fail(loc + (name,), "must not be empty")
        return value

    def number(self, node: Mapping[str, Any], loc: Location, name: str, *, required: bool = True,
               nullable: bool = False, minimum: Optional[float] = None,
               maximum: Optional[float] = None, default: Any = None) -> Optional[float]:
        value = self.get(node, loc, name, required=required, default=default)
        if value is None and (nullable or not required):
            return None
        if not _is_number(value):
            self.fail(loc + (name,), f"must be a number, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(loc + (name,), f"must be at least {_num(minimum)}, not {value!r}")
        if maximum is not None and value > maximum:
            self.fail(loc + (name,), f"must be at most {_num(maximum)}, not {value!r}")
        return float(value)

    def choice(self, node: Mapping[str, Any], loc: Location, name: str, choices: Sequence[str], *,
               required: bool = True, default: str = "") -> str:
        value = self.get(node, loc, name, required=required, default=default)
        if value not in choices:
            self.fail(loc + (name,), f"must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return value

    def boolean(self, node: Mapping[str, Any], loc: Location, name: str, *,
                required: bool = True, default: bool = False) -> bool:
        value = self.get(node, loc, name, required=required, default=default)
        if not isinstance(value, bool):
            self.fail(loc + (name,), f"must be true or false, not {value!r}")
        return value

    def obj(self, node: Any, loc: Location) -> Mapping[str, Any]:
        if not isinstance(node, dict):
            self.fail(loc, f"must be an object, not {node!r}")
        return node


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(float(value))


def _num(value: Optional[float]) -> str:
    return "" if value is None else f"{value:g}"


def _build(doc: Mapping[str, Any], sources: Sequence[_Source]) -> Profile:
    check = _Checker(sources)
    for key in doc:
        if key not in _TOP_FIELDS:
            check.fail((key,), f"unknown section (known: {', '.join(sorted(_TOP_FIELDS))})")
    attributes: Dict[str, Aggregate] = {}
    loc: Location
    for key, entry in check.obj(check.get(doc, (), "attributes"), ("attributes",)).items():
        loc = ("attributes", key)
        entry = check.obj(entry, loc)
        attributes[key] = Aggregate(key, check.text(entry, loc, "name"),
                                    check.text(entry, loc, "name_sv", required=False),
                                    check.text(entry, loc, "source"))
    if not attributes:
        check.fail(("attributes",), "holds no attribute")
    idx = check.obj(check.get(doc, (), "index"), ("index",))
    index = Aggregate(check.text(idx, ("index",), "key"), check.text(idx, ("index",), "name"),
                      check.text(idx, ("index",), "name_sv", required=False),
                      check.text(idx, ("index",), "source"))
    if index.key in attributes:
        check.fail(("index", "key"), "must differ from the attribute keys")
    groups: Dict[str, Aggregate] = {}
    for key, entry in check.obj(check.get(idx, ("index",), "groups"), ("index", "groups")).items():
        loc = ("index", "groups", key)
        entry = check.obj(entry, loc)
        for name in entry:
            if name not in ("name", "name_sv", "weight", "source"):
                check.fail(loc + (name,), "unknown field (known: name, name_sv, weight, source)")
        groups[key] = Aggregate(key, check.text(entry, loc, "name"),
                                check.text(entry, loc, "name_sv", required=False),
                                check.text(entry, loc, "source", required=False),
                                weight=check.number(entry, loc, "weight", minimum=0) or 0.0)
    bands_doc = check.obj(check.get(doc, (), "bands"), ("bands",))
    bands: List[Tuple[str, str, float]] = []
    classes = check.get(bands_doc, ("bands",), "classes")
    if not isinstance(classes, list) or not classes:
        check.fail(("bands", "classes"), "must be a list of {name, min}")
    for i, band in enumerate(classes):
        loc = ("bands", "classes", i)
        band = check.obj(band, loc)
        low = float(check.number(band, loc, "min", minimum=0, maximum=100) or 0.0)
        if (i == 0 and low != 0) or (bands and low <= bands[-1][2]):
            check.fail(loc + ("min",), "band minimums must start at 0 and rise")
        bands.append((check.text(band, loc, "name"), check.text(band, loc, "name_sv", required=False),
                      low))
    bands_source = check.text(bands_doc, ("bands",), "source")

    indicators: Dict[str, IndicatorSpec] = {}
    entries = check.obj(check.get(doc, (), "indicators"), ("indicators",))
    for key, entry in entries.items():
        if key in groups or key in attributes or key == index.key:
            check.fail(("indicators", key), "an indicator id must differ from attribute and group ids")
        indicators[key] = _indicator(check, key, check.obj(entry, ("indicators", key)),
                                     attributes, index.key, groups)
    version = check.text(doc, (), "version")
    return Profile(version=version, attributes=attributes, index=index, groups=groups,
                   indicators=indicators, bands=tuple(bands), bands_source=bands_source)


def _indicator(check: _Checker, key: str, entry: Mapping[str, Any], attributes: Mapping[str, Any],
               index_key: str, groups: Mapping[str, Any]) -> IndicatorSpec:
    loc: Location = ("indicators", key)
    for name in entry:
        if name not in _ENTRY_FIELDS:
            check.fail(loc + (name,), f"unknown field (known: {', '.join(sorted(_ENTRY_FIELDS))})")
    attribute = check.choice(entry, loc, "attribute", tuple(attributes) + (index_key,))
    group = ""
    if attribute == index_key:
        group = check.choice(entry, loc, "group", tuple(groups))
    elif "group" in entry:
        check.fail(loc + ("group",), f"only entries of the {index_key!r} index have a group")
    if "parts" in entry:
        parts = entry["parts"]
        if not isinstance(parts, list) or not parts:
            check.fail(loc + ("parts",), "must be a non-empty list of figures to score")
        for name in _SCORER_FIELDS:
            if name in entry:
                check.fail(loc + (name,), "belongs in each of 'parts', not beside them")
        scorers = tuple(_scorer(check, loc + ("parts", i), check.obj(p, loc + ("parts", i)))
                        for i, p in enumerate(parts))
        combine = check.choice(entry, loc, "combine", COMBINE)
    else:
        if "combine" in entry:
            check.fail(loc + ("combine",), "only entries with 'parts' combine scores")
        scorers = (_scorer(check, loc, entry),)
        combine = ""
    status = check.choice(entry, loc, "status", STATUSES)
    verified = check.boolean(entry, loc, "verified")
    if verified and status in UNVERIFIED:
        check.fail(loc + ("verified",), f"must be false for status {status!r}")
    weight = check.number(entry, loc, "weight", minimum=0) or 0.0
    spec = IndicatorSpec(
        key=key, name=check.text(entry, loc, "name"),
        name_sv=check.text(entry, loc, "name_sv", required=False), attribute=attribute,
        group=group, scorers=scorers, combine=combine, source=check.text(entry, loc, "source"),
        status=status, verified=verified, weight=weight,
        data=check.choice(entry, loc, "data", DATA_KINDS),
        note=check.text(entry, loc, "note", required=False))
    if weight > 0 and not spec.calibrated:
        check.fail(loc + ("weight",), "has no floor and target (a relative indicator not yet "
                                      "calibrated): give both, with their source, or weight 0")
    return spec


def _scorer(check: _Checker, loc: Location, node: Mapping[str, Any]) -> Scorer:
    if loc[-2:-1] == ("parts",):
        for name in node:
            if name not in _SCORER_FIELDS:
                check.fail(loc + (name,), f"unknown field (known: {', '.join(sorted(_SCORER_FIELDS))})")
    method = check.choice(node, loc, "method", METHODS)
    theme = check.text(node, loc, "theme")
    unit = check.text(node, loc, "unit", empty=True)
    direction = check.choice(node, loc, "direction", ("up", "down"))
    figure = ""
    if method != "grade_mix":
        figure = check.text(node, loc, "figure")
    scorer = Scorer(theme=theme, figure=figure, unit=unit, method=method, direction=direction,
                    target_from_figure=check.boolean(node, loc, "target_from_figure",
                                                     required=False, default=False))
    if method == "steps":
        steps = check.get(node, loc, "steps")
        if not isinstance(steps, list) or not steps:
            check.fail(loc + ("steps",), "must be a list of [threshold, score] pairs")
        pairs: List[Tuple[float, float]] = []
        for i, pair in enumerate(steps):
            ok = isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair)
            if not ok:
                check.fail(loc + ("steps", i), f"must be a [threshold, score] pair of numbers, not {pair!r}")
            t, s = float(pair[0]), float(pair[1])
            if not 0 <= s <= 100:
                check.fail(loc + ("steps", i), f"score {s:g} must be within 0-100")
            if pairs and (t <= pairs[-1][0] or s < pairs[-1][1]):
                check.fail(loc + ("steps", i), "thresholds must rise and scores must not fall")
            pairs.append((t, s))
        if direction != "up":
            check.fail(loc + ("direction",), "steps rise: the direction must be 'up'")
        below = check.number(node, loc, "below", minimum=0, maximum=pairs[0][1])
        for name in ("floor", "target"):
            if name in node:
                check.fail(loc + (name,), "a steps entry has no floor or target")
        return replace(scorer, steps=tuple(pairs), below=float(below or 0.0))
    floor = check.number(node, loc, "floor", nullable=True)
    target = check.number(node, loc, "target", nullable=True)
    if (floor is None) != (target is None):
        missing = "target" if target is None else "floor"
        check.fail(loc + (missing,), "give both floor and target, or neither (not calibrated)")
    if floor is not None and target is not None:
        if floor == target:
            check.fail(loc + ("target",), f"must differ from the floor ({floor:g})")
        if (direction == "up") != (target > floor):
            check.fail(loc + ("direction",),
                       f"is {direction!r} but the target {target:g} is "
                       f"{'below' if target < floor else 'above'} the floor {floor:g}")
    scorer = replace(scorer, floor=floor, target=target)
    if method == "grade_mix":
        figs = check.obj(check.get(node, loc, "figures"), loc + ("figures",))
        scores = check.obj(check.get(node, loc, "grade_scores"), loc + ("grade_scores",))
        if set(figs) != set(scores) or not figs:
            check.fail(loc + ("grade_scores",), "must name the same grades as 'figures'")
        grade_figures = []
        for grade, key in figs.items():
            if not isinstance(key, str) or not key:
                check.fail(loc + ("figures", grade), f"must be a figure key, not {key!r}")
            grade_figures.append((grade, key))
        grade_scores = tuple((g, float(check.number(scores, loc + ("grade_scores",), g,
                                                    minimum=0, maximum=100) or 0.0))
                             for g in figs)
        scorer = replace(scorer, grade_figures=tuple(grade_figures), grade_scores=grade_scores)
    elif "figures" in node or "grade_scores" in node:
        check.fail(loc + ("figures" if "figures" in node else "grade_scores",),
                   "only a grade_mix entry has grade figures")
    return scorer


# --------------------------------------------------------------------------------------------
# Weights


def _apply_weights(profile: Profile, mapping: Mapping[str, float]) -> Profile:
    """Set the weights of ``mapping`` (indicator or group ids, any case)."""
    by_lower: Dict[str, Tuple[str, str]] = {}
    for key in profile.indicators:
        by_lower[key.lower()] = ("indicator", key)
    for key in profile.groups:
        by_lower[key.lower()] = ("group", key)
    indicators = dict(profile.indicators)
    groups = dict(profile.groups)
    for raw, weight in mapping.items():
        kind, key = by_lower.get(str(raw).strip().lower(), ("", ""))
        if not kind:
            raise InputError(
                f"No indicator or safety group {raw!r} to weight; known: "
                f"{', '.join(list(profile.indicators) + list(profile.groups))}.",
                options=(WEIGHTS_OPTION,))
        weight = _weight_number(weight, str(raw))
        if kind == "group":
            groups[key] = replace(groups[key], weight=weight)
            continue
        spec = indicators[key]
        if weight > 0 and not spec.calibrated:
            raise InputError(
                f"The indicator {key} ({spec.name}) has no floor and target yet (a relative "
                "indicator): give them with their source in a weights file before weighting it.",
                options=(WEIGHTS_OPTION,))
        indicators[key] = replace(spec, weight=weight)
    return replace(profile, indicators=indicators, groups=groups,
                   overrides={str(k): float(v) for k, v in mapping.items()})


def _normalise(profile: Profile) -> Profile:
    """Divide the weights of each attribute, each group and the groups by their sum."""
    indicators = dict(profile.indicators)
    warnings = list(profile.warnings)
    parents: List[Tuple[str, str]] = [(k, a.name) for k, a in profile.attributes.items()]
    parents += [(k, f"{profile.index.name}, {g.name}") for k, g in profile.groups.items()]
    for parent, label in parents:
        members = profile.members(parent)
        scale = _scale(label, {s.key: s.weight for s in members}, warnings)
        for spec in members:
            indicators[spec.key] = replace(spec, weight=spec.weight * scale)
    scale = _scale(f"{profile.index.name} (groups)",
                   {k: g.weight for k, g in profile.groups.items()}, warnings)
    groups = {k: replace(g, weight=g.weight * scale) for k, g in profile.groups.items()}
    return replace(profile, indicators=indicators, groups=groups, warnings=warnings)


def _scale(label: str, weights: Mapping[str, float], warnings: List[str]) -> float:
    """The factor making ``weights`` sum to one; warns when they did not (within tolerance)."""
    total = sum(weights.values())
    if total <= 0:
        if weights:
            warnings.append(f"Every weight of {label} is 0: it is not scored.")
        return 0.0
    if abs(total - 1.0) > SUM_TOLERANCE:
        parts = ", ".join(f"{k} {w / total:.3f}" for k, w in weights.items() if w > 0)
        warnings.append(f"The weights of {label} sum to {total:.4g}, not 1; they were normalised "
                        f"to {parts}.")
    return 1.0 / total


__all__ = ["Aggregate", "IndicatorSpec", "Profile", "Scorer", "default_profile_path", "line_of",
           "load_profile", "parse_weights", "read_weights"]
