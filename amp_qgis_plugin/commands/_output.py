"""Printing indicator results on the command line, in the language of the run.

The language is set once by :func:`amp_qgis_plugin.cli.main` from ``--lang`` (default: the
environment's locale) through :func:`set_language`; :func:`print_result` and :func:`say` use
it. Figures come in the language through the engine's catalog (``core/i18n.py``); the
commands' own sentences are pairs ``say("English", "Svenska")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

_language: Optional[str] = None

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


def number(value: float, lang: Optional[str] = None) -> str:
    """``value`` as ``:g`` writes it (``2.5``, ``100``), in ``lang`` (decimal comma in Swedish)."""
    from amp_qgis_plugin.core.i18n import format_number

    text = f"{value:g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return format_number(float(value), decimals, lang or language())


def wrote(path: object, what: str = "", lang: Optional[str] = None) -> str:
    """``"Wrote PATH (what)"`` in ``lang`` (``what`` already in that language)."""
    return say("Wrote", "Skrev", lang) + f" {path}" + (f" ({what})" if what else "")


def print_result(title: str, results: Sequence, written: Optional[Mapping[str, Path]] = None,
                 lang: Optional[str] = None) -> None:
    """Print a title line, every figure of ``results`` indented, then the files written.

    ``lang`` defaults to the language of the run (:func:`language`).
    """
    lang = lang or language()
    print(title)
    for result in results:
        for line in result.lines(lang=lang):
            print(f"  {line}")
    layers = say("layers, figures, provenance", "lager, värden, ursprung", lang)
    for key, path in (written or {}).items():
        print(wrote(path, layers if key == "gpkg" else "", lang))
