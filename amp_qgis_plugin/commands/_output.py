"""Printing indicator results on the command line, in the language of the run.

The language is set once by :func:`amp_qgis_plugin.cli.main` from ``--lang`` (default: the
environment's locale) through :func:`set_language`; :func:`print_result` and :func:`say` use
it. Figures come in the language through the engine's catalog (``core/i18n.py``); the
commands' own sentences are pairs ``say("English", "Svenska")``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple

_language: Optional[str] = None

#: The titles the indicator commands print, English pattern -> Swedish (applied in order).
_TITLE_WORDS: List[Tuple[str, str]] = [
    (r"^Frontage of ", "Fasader vid "),
    (r"^Lighting of ", "Belysning på "),
    (r"^Seating and amenities of ", "Sittplatser och service på "),
    (r"^Sightlines of ", "Siktlinjer på "),
    (r"\bthe place\b", "platsen"),
    (r"(?<=\d) m grid\b", " m rutnät"),
    (r"\bradius (?=\d)", "radie "),
    (r"(?<=\d) observers\b", " betraktelsepunkter"),
    (r"(?<=\d)\.(?=\d+ m\b)", ","),
]


def set_language(lang: Optional[str]) -> None:
    """Set the language of everything the commands print (``"en"``/``"sv"``; None: locale)."""
    global _language
    _language = lang


def language() -> str:
    """The language of the run: as set by ``--lang``, else from the environment's locale."""
    from amp_qgis_plugin.core.i18n import language_from_environment, normalise_language

    return normalise_language(_language) if _language else language_from_environment()


def say(english: str, swedish: str, lang: Optional[str] = None) -> str:
    """The text in ``lang`` (default: the language of the run)."""
    return swedish if (lang or language()) == "sv" else english


def wrote(path: object, what: str = "", lang: Optional[str] = None) -> str:
    """``"Wrote PATH (what)"`` in ``lang`` (``what`` already in that language)."""
    return say("Wrote", "Skrev", lang) + f" {path}" + (f" ({what})" if what else "")


def title_text(title: str, lang: str) -> str:
    """A command's title line in ``lang`` (the indicator commands write English titles)."""
    if lang != "sv":
        return title
    for pattern, repl in _TITLE_WORDS:
        title = re.sub(pattern, repl, title)
    return title


def print_result(title: str, results: Sequence, written: Optional[Mapping[str, Path]] = None,
                 lang: Optional[str] = None) -> None:
    """Print a title line, every figure of ``results`` indented, then the files written.

    ``lang`` defaults to the language of the run (:func:`language`).
    """
    lang = lang or language()
    print(title_text(title, lang))
    for result in results:
        for line in result.lines(lang=lang):
            print(f"  {line}")
    layers = say("layers, figures, provenance", "lager, värden, ursprung", lang)
    for key, path in (written or {}).items():
        print(wrote(path, layers if key == "gpkg" else "", lang))
