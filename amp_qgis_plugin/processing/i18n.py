"""English/Swedish texts for the QGIS adapter.

Texts are written as pairs in the code (``tr("English", "Svenska")``) and the one matching the
QGIS user interface language is shown: Swedish when QGIS runs in Swedish, English otherwise.
Keeping both next to each other keeps translations in step with the code, and needs no Qt
translation tools to build.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def ui_language() -> str:
    """The two-letter QGIS UI language ("sv", "en", ...), from QGIS settings or the system."""
    try:
        from qgis.core import QgsApplication

        # QGIS's own rule: the user's locale when "override system locale" is on, else the system's
        return str(QgsApplication.locale())[:2].lower()
    except Exception:  # noqa: BLE001 - outside QGIS: English
        return "en"


def tr(english: str, swedish: str = "") -> str:
    """Return the Swedish text when QGIS speaks Swedish and one is given, else the English."""
    return swedish if swedish and ui_language() == "sv" else english


def both(english: str, swedish: str) -> str:
    """Both languages, English first (for help panels read by Swedish and other users)."""
    return f"{english}<br><br><i>På svenska:</i> {swedish}"
