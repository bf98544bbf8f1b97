"""The common base of every AMP algorithm: ids, bilingual help, dependency checks, errors.

An algorithm subclasses :class:`AmpAlgorithm`, sets the class attributes (``NAME``,
``DISPLAY``, ``GROUP``, ``HELP``, ``REQUIRES``), declares parameters in ``initAlgorithm`` with
:meth:`AmpAlgorithm.add` (which sets the help text of every parameter), and implements
:meth:`AmpAlgorithm.execute` (not ``run``, which QGIS itself defines). Engine errors become ``QgsProcessingException`` with the engine's
message; the QGIS feedback object is passed straight into the engine (it fits the engine's
Feedback protocol), so progress and cancel work inside the engine's loops.
"""

from __future__ import annotations

from typing import Any, Dict, Sequence, Tuple

from qgis.core import (QgsProcessingAlgorithm, QgsProcessingException,
                       QgsProcessingParameterDefinition)
from qgis.PyQt.QtGui import QIcon

from amp_qgis_plugin.processing.i18n import both, tr
from amp_qgis_plugin.processing.provider import ICON

try:  # QGIS >= 3.36 and QGIS 4 (the old enum is gone in Qt6 builds)
    from qgis.core import Qgis

    ADVANCED = Qgis.ProcessingParameterFlag.Advanced
except AttributeError:  # QGIS 3.22 - 3.34
    ADVANCED = QgsProcessingParameterDefinition.FlagAdvanced

#: Algorithm groups: id -> (English, Swedish).
GROUPS: Dict[str, Tuple[str, str]] = {
    "data": ("1 Place data", "1 Platsdata"),
    "uses": ("2 Uses and comfort", "2 Användning och komfort"),
    "safety": ("3 Lighting and sightlines", "3 Belysning och siktlinjer"),
    "assessment": ("4 Assessment", "4 Bedömning"),
}


class AmpAlgorithm(QgsProcessingAlgorithm):
    """Base class of the AMP algorithms."""

    #: Stable lowercase id (``amp:<NAME>``); never change after release.
    NAME = ""
    #: Display name (English, Swedish).
    DISPLAY: Tuple[str, str] = ("", "")
    #: Group id in :data:`GROUPS`.
    GROUP = "data"
    #: Help text (English, Swedish); HTML allowed.
    HELP: Tuple[str, str] = ("", "")
    #: Python modules the algorithm needs (checked by canExecute).
    REQUIRES: Sequence[str] = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas")

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802
        return tr(*self.DISPLAY)

    def group(self) -> str:
        return tr(*GROUPS[self.GROUP])

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP

    def shortHelpString(self) -> str:  # noqa: N802
        return both(*self.HELP)

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def createInstance(self):  # noqa: N802
        return type(self)()

    def canExecute(self):  # noqa: N802
        """Refuse to run, with an install hint, when a needed Python package is missing."""
        from amp_qgis_plugin.core.deps import ready

        return ready(self.REQUIRES)

    def add(self, parameter: QgsProcessingParameterDefinition, english: str, swedish: str,
            *, advanced: bool = False) -> QgsProcessingParameterDefinition:
        """Add ``parameter`` with its help text (English/Swedish by the QGIS language)."""
        parameter.setHelp(tr(english, swedish))
        if advanced:
            parameter.setFlags(parameter.flags() | ADVANCED)
        self.addParameter(parameter)
        return parameter

    #: Name of the PlaceData input shared by the indicator algorithms (stable for scripts).
    DATA = "DATA"

    def add_data_parameter(self, uses_en: str = "", uses_sv: str = "") -> None:
        """Add the ``DATA`` parameter: the PlaceData GeoPackage written by amp:fetchplacedata.

        ``uses_en``/``uses_sv`` name the layers the algorithm reads, for the help text.
        """
        from qgis.core import QgsProcessingParameterFile

        self.add(QgsProcessingParameterFile(self.DATA, tr("Place data (GeoPackage)",
                                                          "Platsdata (GeoPackage)"),
                                            fileFilter="GeoPackage (*.gpkg)"),
                 "The PlaceData GeoPackage written by 'Fetch place data' (amp:fetchplacedata)"
                 + (f"; uses its {uses_en}." if uses_en else "."),
                 "PlaceData-GeoPackage som skrivits av 'Hämta platsdata' (amp:fetchplacedata)"
                 + (f"; använder {uses_sv}." if uses_sv else "."))

    def processAlgorithm(self, parameters, context, feedback) -> Dict[str, Any]:  # noqa: N802
        from amp_qgis_plugin.core.errors import AmpError, CancelledError

        ok, message = self.canExecute()
        if not ok:
            raise QgsProcessingException(message)
        try:
            return self.execute(parameters, context, feedback)
        except CancelledError as exc:
            feedback.reportError(str(exc), fatalError=False)
            raise QgsProcessingException(str(exc)) from exc
        except AmpError as exc:
            raise QgsProcessingException(" ".join(str(exc).split())) from exc

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        """Do the work; raise AmpError subclasses for problems the user can fix.

        Never name this ``run``: that would shadow ``QgsProcessingAlgorithm.run``, which
        ``processing.run()`` calls.
        """
        raise NotImplementedError
