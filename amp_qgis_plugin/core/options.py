"""Options objects of the indicators: defaults from ``resources/scoring/*.json``, one check.

Every indicator takes one options object (a dataclass deriving from :class:`Options`). Each of
its fields is declared with :func:`option`, which names the entry of the theme's scoring file
that holds the default (``"defaults"`` section first, then ``"thresholds"``), the unit and the
valid range. So:

- a default lives in one place, the data file: the dataclass reads it when an object is made,
  the CLI reads it through :meth:`Options.default` for its ``--help`` and argparse default, the
  Processing algorithms for their parameter defaults;
- every options object is checked the same way (:meth:`Options.validate`, run on creation):
  a value outside its range raises :class:`~amp_qgis_plugin.core.errors.InputError` naming the
  option's label and range, and the option id in ``options`` so that each interface can add its
  own flag or parameter name;
- names carry their unit (``radius_m``, ``maintenance_factor``, ``social_min_angle_deg``).

``None`` given for a field means "the default", so interfaces can pass their optional values
straight through.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass
... class ToyOptions(Options):
...     THEME = "sightlines"
...     radius_m: float = option("isovist_radius", label="visibility radius", minimum=0,
...                              exclusive_minimum=True)
>>> ToyOptions().radius_m
100.0
>>> ToyOptions.default("radius_m")
100.0
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, Mapping, Optional, Sequence, Tuple, TypeVar

from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.thresholds import load_thresholds

T = TypeVar("T", bound="Options")

_MISSING = object()

#: Units not written after a number in messages ("at most 1", not "at most 1 ratio").
_UNITLESS = frozenset({"ratio", "count", "share", "factor", "-"})


@dataclass(frozen=True)
class OptionSpec:
    """What is known about one option: where its default lives, its unit and valid range.

    Attributes
    ----------
    name : str
        Field name (with its unit, e.g. ``radius_m``).
    key : str or None
        Entry of the theme's scoring file holding the default; None for options without a
        data-file default (inputs such as photometric files).
    label : str
        Human name of the option in English, used in messages ("visibility radius").
    unit : str
        Unit of the value ("m", "lx", "" ...).
    minimum, maximum : float or None
        Valid range; ``exclusive_minimum`` makes the minimum itself invalid.
    choices : tuple of str or None
        Allowed values of a text option.
    """

    name: str
    key: Optional[str]
    label: str
    unit: str = ""
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_minimum: bool = False
    choices: Optional[Tuple[str, ...]] = None

    def range_text(self) -> str:
        """The valid range in words, e.g. ``"more than 0 m"``."""
        unit = f" {self.unit}" if self.unit and self.unit not in _UNITLESS else ""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            low = f"more than {lo:g}" if self.exclusive_minimum else f"{lo:g}"
            return f"{low} to {hi:g}{unit}" if not self.exclusive_minimum \
                else f"{low} and at most {hi:g}{unit}"
        if lo is not None:
            return f"{'more than' if self.exclusive_minimum else 'at least'} {lo:g}{unit}"
        if hi is not None:
            return f"at most {hi:g}{unit}"
        return "a number"


def option(key: Optional[str], *, label: str, unit: Optional[str] = None,
           minimum: Optional[float] = None, maximum: Optional[float] = None,
           exclusive_minimum: bool = False, choices: Optional[Sequence[str]] = None,
           default: Any = _MISSING) -> Any:
    """Declare an options field whose default is entry ``key`` of the theme's scoring file.

    Parameters
    ----------
    key : str or None
        The entry (in ``"defaults"``, else ``"thresholds"``) of ``resources/scoring/<THEME>.json``
        whose ``value`` is the default. None with ``default`` for inputs that have no data-file
        default (e.g. a mapping of photometric files, default empty).
    label : str
        English name of the option for messages.
    unit : str, optional
        Unit; default the entry's ``unit``.
    minimum, maximum, exclusive_minimum, choices
        The valid values, checked by :meth:`Options.validate`.
    default : any, optional
        Only with ``key=None``: a plain default (copied for mutable values).
    """
    meta = {"amp_option": {"key": key, "label": label, "unit": unit, "minimum": minimum,
                           "maximum": maximum, "exclusive_minimum": exclusive_minimum,
                           "choices": tuple(choices) if choices else None}}
    if key is None:
        if default is _MISSING:
            raise TypeError("option(None, ...) needs a default")
        if isinstance(default, (dict, list, set)):
            return field(default_factory=lambda: type(default)(default), metadata=meta)
        return field(default=default, metadata=meta)
    return field(default=None, metadata=meta)


def data_file_entry(theme: str, key: str) -> Mapping[str, Any]:
    """The entry ``key`` of ``resources/scoring/<theme>.json`` (``defaults``, then ``thresholds``).

    Raises
    ------
    DataError
        When neither section holds it (a broken or edited data file).
    """
    doc = load_thresholds(theme)
    for section in ("defaults", "thresholds"):
        entries = doc.get(section) or {}
        if key in entries:
            entry = entries[key]
            if not isinstance(entry, Mapping) or "value" not in entry:
                raise DataError(f"The entry {key!r} in the {theme!r} scoring file has no 'value'.")
            return entry
    raise DataError(f"The default {key!r} is missing from the {theme!r} scoring file "
                    f"(resources/scoring/{theme}.json); reinstall the plugin or restore the entry.")


class Options:
    """Base of the indicators' options dataclasses (see the module docstring).

    Subclasses are ``@dataclass`` classes that set ``THEME`` and declare their fields with
    :func:`option`. Creating one fills every ``None`` with the data-file default and runs
    :meth:`validate`.
    """

    #: Theme of the scoring file holding the defaults (``resources/scoring/<THEME>.json``).
    THEME: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            spec = self.spec(f.name)
            if spec.key is not None and getattr(self, f.name) is None:
                setattr(self, f.name, self.default(f.name))
        self.validate()

    # -- class-level access (interfaces) ---------------------------------------------------
    @classmethod
    def spec(cls, name: str) -> OptionSpec:
        """The :class:`OptionSpec` of field ``name``."""
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name == name:
                meta = dict(f.metadata.get("amp_option") or {})
                if not meta:
                    return OptionSpec(name=name, key=None, label=name.replace("_", " "))
                unit = meta["unit"]
                if unit is None and meta["key"] is not None:
                    unit = str(data_file_entry(cls.THEME, meta["key"]).get("unit", ""))
                return OptionSpec(name=name, key=meta["key"], label=meta["label"], unit=unit or "",
                                  minimum=meta["minimum"], maximum=meta["maximum"],
                                  exclusive_minimum=meta["exclusive_minimum"],
                                  choices=meta["choices"])
        raise KeyError(f"{cls.__name__} has no option {name!r}")

    @classmethod
    def default(cls, name: str) -> Any:
        """The default of field ``name``, read from the scoring data file now."""
        spec = cls.spec(name)
        if spec.key is None:
            for f in dataclasses.fields(cls):  # type: ignore[arg-type]
                if f.name == name:
                    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                        return f.default_factory()  # type: ignore[misc]
                    return f.default
        value = data_file_entry(cls.THEME, str(spec.key))["value"]
        if isinstance(value, int) and not isinstance(value, bool) and spec.choices is None:
            return float(value)
        return value

    @classmethod
    def source(cls, name: str) -> str:
        """The source text of the default of ``name`` (empty when it has none)."""
        spec = cls.spec(name)
        if spec.key is None:
            return ""
        return str(data_file_entry(cls.THEME, spec.key).get("source", ""))

    @classmethod
    def names(cls) -> Tuple[str, ...]:
        """The field names, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    # -- instance ----------------------------------------------------------------------------
    def validate(self) -> None:
        """Check every field against its spec, then :meth:`check` the combination.

        Raises
        ------
        InputError
            Naming the option's label, the valid range and the value given; ``options`` holds
            the field name.
        """
        for name in self.names():
            spec = self.spec(name)
            value = getattr(self, name)
            if spec.choices is not None:
                if value not in spec.choices:
                    raise InputError(f"The {spec.label} must be {spec.range_text()}, not {value!r}.",
                                     options=(name,))
                continue
            if spec.minimum is None and spec.maximum is None:
                continue
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(float(value))
            if ok and spec.minimum is not None:
                ok = value > spec.minimum if spec.exclusive_minimum else value >= spec.minimum
            if ok and spec.maximum is not None:
                ok = value <= spec.maximum
            if not ok:
                raise InputError(f"The {spec.label} must be {spec.range_text()}, not {value!r}.",
                                 options=(name,))
        self.check()

    def check(self) -> None:
        """Checks across fields (override); raise InputError with ``options`` set."""

    def parameters(self) -> Dict[str, str]:
        """Every option as text, for the output provenance (``name -> value``)."""
        out: Dict[str, str] = {}
        for name in self.names():
            value = getattr(self, name)
            if isinstance(value, Mapping):
                value = "; ".join(f"{k}={v}" for k, v in value.items()) or "none"
            out[name] = str(value)
        return out

    def replace(self: T, **changes: Any) -> T:
        """A copy with ``changes`` (``None`` values keep the current value), validated."""
        kept = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **kept)  # type: ignore[type-var]
