"""English/Swedish texts for the QGIS adapter, through Qt's translation machinery.

Texts are written as pairs in the code (``tr("English", "Svenska")``): the pairs are the source
of truth. ``scripts/i18n.py`` extracts them into the Qt Linguist file
``amp_qgis_plugin/i18n/amp_qgis_plugin_sv.ts`` (committed; context :data:`CONTEXT`, source the
English, translation the Swedish), and the build compiles it with ``lrelease`` into
``amp_qgis_plugin_sv.qm`` (``make translations``/``make package``; never committed).

When the plugin loads (:func:`install_translator`, called by the plugin and the provider), a
``QTranslator`` for the QGIS user-interface language is installed if its ``.qm`` exists;
:func:`tr` then asks ``QCoreApplication.translate(CONTEXT, english)``. Without a ``.qm`` (a
source checkout) or for a text the ``.qm`` does not hold (built at run time, such as help
with the default's source appended), the Swedish written beside the English is used, so the
plugin speaks Swedish either way when QGIS does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

#: The Qt translation context of every plugin text (the ``.ts`` file's one ``<context>``).
CONTEXT = "AmpPlaceAnalysis"

#: Folder of the ``.ts`` sources and the compiled ``.qm`` files.
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"

#: Translators installed, by language (kept referenced: Qt does not own them).
_installed: Dict[str, Any] = {}


@lru_cache(maxsize=1)
def ui_language() -> str:
    """The two-letter QGIS UI language ("sv", "en", ...), from QGIS settings or the system."""
    try:
        from qgis.core import QgsApplication

        # QGIS's own rule: the user's locale when "override system locale" is on, else the system's
        return str(QgsApplication.locale())[:2].lower()
    except Exception:  # noqa: BLE001 - outside QGIS: English
        return "en"


def figure_language() -> str:
    """The language of figure lines and engine texts: ``"sv"`` when QGIS speaks Swedish."""
    return "sv" if ui_language() == "sv" else "en"


def qm_path(lang: str) -> Path:
    """The compiled translation of ``lang`` (``i18n/amp_qgis_plugin_<lang>.qm``)."""
    return I18N_DIR / f"amp_qgis_plugin_{lang}.qm"


def install_translator(lang: Optional[str] = None) -> Optional[Path]:
    """Install the plugin's ``QTranslator`` for ``lang`` (default: the QGIS UI language).

    Does nothing for English, when no ``.qm`` was built for the language, or when it is
    installed already. Returns the ``.qm`` in use, or None.
    """
    lang = lang or ui_language()
    if lang in _installed:
        return qm_path(lang)
    path = qm_path(lang)
    if lang == "en" or not path.exists():
        return None
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    if not translator.load(str(path)):
        return None
    QCoreApplication.installTranslator(translator)
    _installed[lang] = translator
    return path


def remove_translators() -> None:
    """Remove the translators :func:`install_translator` installed (plugin unload)."""
    if not _installed:
        return
    from qgis.PyQt.QtCore import QCoreApplication

    for translator in _installed.values():
        QCoreApplication.removeTranslator(translator)
    _installed.clear()


def tr(english: str, swedish: str = "") -> str:
    """The text in the QGIS UI language: from the installed ``.qm``, else the inline Swedish.

    English (or any language without a translation) gets the English text.
    """
    lang = ui_language()
    if lang == "en":
        return english
    if lang in _installed:
        from qgis.PyQt.QtCore import QCoreApplication

        text = QCoreApplication.translate(CONTEXT, english)
        if text and text != english:
            return str(text)
    return swedish if swedish and lang == "sv" else english


def both(english: str, swedish: str) -> str:
    """Both languages, English first (for help panels read by Swedish and other users)."""
    return f"{english}<br><br><i>På svenska:</i> {swedish}"
