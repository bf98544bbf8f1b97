"""The engine's human text in English or Swedish: figure labels, units, "no data", numbers.

The engine writes English (labels, units and notes of :class:`~.indicators.result.Figure`);
this module gives the same text in Swedish from the catalog ``resources/i18n/sv.json``:

* ``figures``: ``"<theme>:<key>"`` -> the Swedish label. A label the engine builds with
  values in it ("Residents within a 5-minute walk at 1.3 m/s (390 m)") has an entry
  ``{"match": <regex of the English label>, "label": <Swedish with {group} fields>}``; the
  groups are carried over with a decimal comma and Swedish day and month names.
* ``units``: the engine's unit -> the Swedish unit (``""`` where a number reads better alone).
* ``words``: the fixed words of a figure line ("no data", "threshold", "source" ...).
* ``values``: regexes for text values ("below P6" -> "under P6").
* ``notes``: regexes for the fixed parts of notes; what no pattern covers stays English.
* ``terms``: English day and month abbreviations -> Swedish (in dates inside labels).

English is the engine's own text, untouched. Numbers in Swedish take a decimal comma and a
no-break space between thousands.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

#: Languages the engine's text comes in; English is the default and the engine's own.
LANGUAGES: Tuple[str, ...] = ("en", "sv")
DEFAULT_LANGUAGE = "en"

#: Folder of the catalogs (``<lang>.json``).
CATALOG_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"

#: No-break space between thousands and between a number and its unit in Swedish.
NBSP = "\u00a0"

_SECTIONS = ("figures", "units", "words", "values", "notes", "terms")


def normalise_language(lang: Optional[str]) -> str:
    """``"sv"`` for any Swedish language tag (``sv``, ``sv_SE``, ``sv-FI``), else ``"en"``.

    >>> normalise_language("sv_SE.UTF-8"), normalise_language("de"), normalise_language(None)
    ('sv', 'en', 'en')
    """
    return "sv" if str(lang or "").strip().lower().startswith("sv") else DEFAULT_LANGUAGE


def language_from_environment(environ: Optional[Mapping[str, str]] = None) -> str:
    """The language of the environment's locale: ``"sv"`` when Swedish, else ``"en"``.

    The first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set and not empty decides,
    as it does for gettext.

    >>> language_from_environment({"LC_ALL": "", "LANG": "sv_SE.UTF-8"})
    'sv'
    >>> language_from_environment({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "sv_SE.UTF-8"})
    'en'
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").strip()
        if value:
            return normalise_language(value)
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def catalog(lang: str) -> Dict[str, Any]:
    """The catalog of ``lang`` (``resources/i18n/<lang>.json``); English has none (empty).

    Raises
    ------
    ValueError
        When the file lacks a section or a figure entry is malformed (a packaging error).
    """
    lang = normalise_language(lang)
    empty: Dict[str, Any] = {name: {} for name in _SECTIONS}
    if lang == DEFAULT_LANGUAGE:
        return empty
    path = CATALOG_DIR / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in _SECTIONS:
        if not isinstance(data.get(name), dict):
            raise ValueError(f"{path}: the section '{name}' is missing or not an object")
    for key, entry in data["figures"].items():
        if isinstance(entry, dict) and not {"match", "label"} <= set(entry):
            raise ValueError(f"{path}: figures['{key}'] needs 'match' and 'label'")
    return data


@lru_cache(maxsize=None)
def _patterns(lang: str, section: str) -> List[Tuple["re.Pattern[str]", str]]:
    return [(re.compile(pattern), repl) for pattern, repl in catalog(lang)[section].items()]


def word(english: str, lang: str) -> str:
    """A fixed word of the figure lines (``"no data"``, ``"threshold"`` ...) in ``lang``."""
    return str(catalog(lang)["words"].get(english, english))


def no_data(lang: str) -> str:
    """``"no data"`` / ``"inga data"``."""
    return word("no data", lang)


def unit_text(unit: str, lang: str) -> str:
    """The unit in ``lang`` (English: as the engine writes it)."""
    if normalise_language(lang) == DEFAULT_LANGUAGE:
        return unit
    units = catalog(lang)["units"]
    if unit in units:
        return str(units[unit])
    return re.sub(r"\bm2\b", "m²", unit)


def format_number(value: Any, digits: int, lang: str) -> str:
    """``value`` with ``digits`` decimals (floats) as ``lang`` writes numbers.

    English keeps the engine's plain form (``1234.5``); Swedish groups thousands with a
    no-break space and uses a decimal comma (``1 234,5``). Integers keep no decimals.

    >>> format_number(12358.9, 2, "sv") == "12\\u00a0358,90"
    True
    >>> format_number(12358.9, 2, "en"), format_number(17, 1, "sv")
    ('12358.90', '17')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    is_int = isinstance(value, numbers.Integral)
    if normalise_language(lang) == DEFAULT_LANGUAGE:
        return str(value) if is_int else f"{float(value):.{digits}f}"
    text = f"{value:,d}" if is_int else f"{float(value):,.{digits}f}"
    if text.startswith("-") and not is_int and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", NBSP).replace(".", ",")


def plain_number(value: Any, lang: str) -> str:
    """A threshold or parameter as written in the data (``80``, ``0.4``), in ``lang``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    text = str(value) if isinstance(value, numbers.Integral) or not math.isfinite(value) \
        else f"{float(value):g}"
    return decimal_comma(text) if normalise_language(lang) == "sv" else text


def decimal_comma(text: str) -> str:
    """Decimal points between digits become commas (``"1.3 m/s"`` -> ``"1,3 m/s"``)."""
    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def _terms(text: str, lang: str) -> str:
    terms = catalog(lang)["terms"]
    if not terms:
        return text
    return re.sub(r"\b(" + "|".join(map(re.escape, terms)) + r")\b",
                  lambda m: str(terms[m.group(1)]), text)


def _carry(text: str, lang: str) -> str:
    """A piece of English text carried into ``lang``: numbers and day/month names."""
    return _terms(decimal_comma(text), lang)


def figure_label(theme: str, key: str, english: str, lang: str) -> str:
    """The label of figure ``theme:key`` in ``lang``; ``english`` is the engine's label.

    ``theme`` may be ``""`` when the figure's key is unique in the catalog.

    Without a catalog entry, or when a templated entry no longer matches the engine's label,
    the English label is returned (a test keeps every figure of the sample translated).
    """
    if normalise_language(lang) == DEFAULT_LANGUAGE:
        return english
    entry = _figure_entry(theme, key, lang)
    if entry is None:
        return english
    if isinstance(entry, str):
        return entry
    match = re.fullmatch(entry["match"], english)
    if match is None:
        return english
    return str(entry["label"]).format(**{k: _carry(v or "", lang)
                                         for k, v in match.groupdict().items()})


def _figure_entry(theme: str, key: str, lang: str) -> Any:
    """The catalog entry of ``theme:key``; without a theme, the one entry of that key."""
    figures = catalog(lang)["figures"]
    if theme:
        return figures.get(f"{theme}:{key}")
    found = [entry for name, entry in figures.items() if name.split(":", 1)[1] == key]
    return found[0] if len(found) == 1 else None


def has_label(theme: str, key: str, english: str, lang: str) -> bool:
    """True when ``lang``'s catalog translates this label (templated entries must match)."""
    entry = _figure_entry(theme, key, lang)
    if entry is None:
        return False
    return isinstance(entry, str) or re.fullmatch(entry["match"], english) is not None


def value_text(text: str, lang: str) -> str:
    """A text value (``"below P6"``, a grade letter) in ``lang``."""
    if normalise_language(lang) == DEFAULT_LANGUAGE:
        return text
    for pattern, repl in _patterns(lang, "values"):
        text = pattern.sub(repl, text)
    return text


def note_text(text: str, lang: str) -> str:
    """A figure note in ``lang``: the catalog's patterns replace the parts they know.

    Numbers in what remains get a decimal comma; parts no pattern covers stay English.
    """
    if normalise_language(lang) == DEFAULT_LANGUAGE or not text:
        return text
    for pattern, repl in _patterns(lang, "notes"):
        text = pattern.sub(repl, text)
    return decimal_comma(text)


def band_text(band: str, lang: str) -> str:
    """``red``/``yellow``/``green`` in ``lang``."""
    return word(band, lang) if band else band


def threshold_text(text: str, lang: str) -> str:
    """A threshold rule (``"0 → 100 score"``, ``"≥ 2 → 25 ...; below 2: 0"``) in ``lang``.

    The ``values`` patterns apply, then units that follow a number take their Swedish form.
    """
    if normalise_language(lang) == DEFAULT_LANGUAGE or not text:
        return text
    text = value_text(text, lang)
    units = catalog(lang)["units"]
    for unit in sorted(units, key=len, reverse=True):
        if len(unit) < 3 or units[unit] == unit:
            continue
        text = re.sub(r"(?<=\d) " + re.escape(unit) + r"(?![\w/])",
                      f" {units[unit]}" if units[unit] else "", text)
    return text.strip()


def aggregate_line(agg: Any, lang: str) -> str:
    """A PPS attribute or the safety index as a line in ``lang``.

    ``agg`` is a :class:`~amp_qgis_plugin.core.scoring.AggregateScore`; English is its own
    :meth:`line`.
    """
    if normalise_language(lang) == DEFAULT_LANGUAGE:
        return str(agg.line())
    name = agg.name_sv or agg.name
    score = no_data(lang) if agg.score is None \
        else f"{agg.score:.0f} ({band_text(agg.band, lang)})"
    return f"{name}: {score}, {word('coverage', lang)} {agg.coverage_pct:.0f} %"


def indicator_line(item: Any, lang: str) -> str:
    """One scored indicator (:class:`~amp_qgis_plugin.core.scoring.IndicatorScore`) in ``lang``.

    ``"U2 Andel aktiv fasadlängd: 13,1 % → 16 [0 → 80 %]"``, or ``"...: inga data (why)"``.
    """
    spec = item.spec
    name = getattr(spec, "name_sv", "") or spec.name
    if item.score is None:
        why = item.note[len("no data"):].lstrip(":; ") if item.note.startswith("no data") \
            else item.note
        why = note_text(why, lang)
        return f"{spec.key} {name}: {no_data(lang)}" + (f" ({why})" if why else "")
    unit = unit_text(item.unit, lang)
    value = decimal_comma(f"{item.value:.3g}") + (f" {unit}" if unit else "")
    return f"{spec.key} {name}: {value} → {item.score:.0f} [{threshold_text(item.threshold, lang)}]"
