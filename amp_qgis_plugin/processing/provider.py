"""The AMP Processing provider (id ``amp``): discovers algorithm modules and registers them."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from qgis.core import QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.processing.i18n import install_translator

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "amp.svg"


def algorithm_classes():
    """Return every algorithm class declared in ``processing/algorithms/*.py`` (``ALGORITHMS``).

    A module that fails to import is skipped with a message in the QGIS log, so one broken
    algorithm never takes the whole provider down.
    """
    from amp_qgis_plugin.processing import algorithms as pkg

    classes = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        except Exception as exc:  # noqa: BLE001 - keep the provider alive
            QgsMessageLog.logMessage(f"Algorithm module {info.name} could not be loaded: {exc}",
                                     "AMP")
            continue
        classes.extend(getattr(module, "ALGORITHMS", []))
    return classes


class AmpProvider(QgsProcessingProvider):
    """Processing provider for the AMP place-analysis algorithms.

    Creating it installs the plugin's translation for the QGIS language (once), so texts are
    translated also when the provider is registered without the plugin object (tests, scripts).
    """

    def __init__(self) -> None:
        super().__init__()
        install_translator()

    def id(self) -> str:  # noqa: A003 (QGIS API)
        return "amp"

    def name(self) -> str:
        return "AMP place analysis"

    def longName(self) -> str:  # noqa: N802
        return f"AMP place analysis {__version__}"

    def versionInfo(self) -> str:  # noqa: N802
        return __version__

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
