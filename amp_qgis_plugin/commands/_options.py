"""Command-line side of the indicators' options: flags whose defaults come from the data files.

:func:`add_option` adds one ``--flag`` for one field of an options class: its default and the
``(default …)`` in ``--help`` are read from ``resources/scoring/<theme>.json`` through the
options class, so the CLI never restates a default. The flag is remembered for the field, so an
engine error about that option (``AmpError.options``) is printed with the flag to change
(see :func:`amp_qgis_plugin.cli.main`). :func:`options_from_args` builds the options object.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Optional, Type

from amp_qgis_plugin.core.options import Options

#: Flags of the inputs every command shares, by option id (see core/errors.py).
COMMON_FLAGS: Dict[str, str] = {
    "place": "--place FILE", "place_name": "--place-name", "point": "--point LON,LAT",
    "place_radius_m": "--radius M", "search_area": "--search-bbox W,S,E,N", "osm_file": "--osm",
    "data": "--data", "output": "--out", "study_radius_m": "--study-radius",
    "max_place_area_m2": "--max-place-area",
}


def _flags(parser: argparse.ArgumentParser) -> Dict[str, str]:
    flags = parser.get_default("_flags")
    if flags is None:
        flags = {}
        parser.set_defaults(_flags=flags)
    return flags


def remember_flag(parser: argparse.ArgumentParser, option_id: str, flag: str) -> None:
    """Record that ``flag`` sets ``option_id`` (for error messages)."""
    _flags(parser)[option_id] = flag


def add_option(parser: argparse.ArgumentParser, options: Type[Options], name: str, flag: str,
               help: str, *, metavar: str = "M", kind: Any = float,
               group: Optional[Any] = None) -> None:
    """Add ``flag`` for field ``name`` of ``options`` with the data file's default.

    Parameters
    ----------
    parser : ArgumentParser
        The sub-command's parser (flags are remembered on it).
    options : Options subclass
        The indicator's options class.
    name : str
        Field name (``"radius_m"``).
    flag : str
        The flag (``"--radius"``).
    help : str
        Help text without the default; ``(default <value> <unit>[: source])`` is appended.
    metavar, kind
        argparse's ``metavar`` and ``type``; ``kind=bool`` makes an on/off pair
        (``--flag`` / ``--no-flag``).
    group : argparse group, optional
        Where to add the flag (default the parser).
    """
    spec = options.spec(name)
    default = options.default(name)
    target = group if group is not None else parser
    unit = f" {spec.unit}" if spec.unit and spec.unit not in ("ratio", "count") else ""
    if kind is bool:
        target.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction,
                            default=default, help=f"{help} (default {'on' if default else 'off'})")
    elif spec.choices:
        target.add_argument(flag, dest=name, choices=spec.choices, default=default,
                            help=f"{help} (default {default})")
    else:
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        target.add_argument(flag, dest=name, type=kind, default=default, metavar=metavar,
                            help=f"{help} (default {shown}{unit})")
    remember_flag(parser, name, flag)


def options_from_args(options: Type[Options], args: argparse.Namespace, **extra: Any) -> Options:
    """Build ``options`` from the parsed flags (fields without a flag keep their default)."""
    values = {n: getattr(args, n) for n in options.names() if hasattr(args, n)}
    values.update(extra)
    return options(**values)


def flag_hint(option_ids, flags: Optional[Dict[str, str]]) -> str:
    """`` (--a, --b)`` naming the flags of ``option_ids``, or ``""``."""
    known = dict(COMMON_FLAGS)
    known.update(flags or {})
    names = [known[i] for i in option_ids if i in known]
    return f" ({', '.join(dict.fromkeys(names))})" if names else ""
