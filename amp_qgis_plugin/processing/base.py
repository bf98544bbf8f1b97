"""The common base of every AMP algorithm: ids, bilingual help, dependency checks, errors.

An algorithm subclasses :class:`AmpAlgorithm`, sets the class attributes (``NAME``,
``DISPLAY``, ``GROUP``, ``HELP``, ``REQUIRES``), declares parameters in ``initAlgorithm`` with
:meth:`AmpAlgorithm.add` (which sets the help text of every parameter), and implements
:meth:`AmpAlgorithm.execute` (not ``run``, which QGIS itself defines). Engine errors become
``QgsProcessingException`` with the engine's
message; the QGIS feedback object is passed straight into the engine (it fits the engine's
Feedback protocol), so progress and cancel work inside the engine's loops.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Type

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterDefinition
from qgis.PyQt.QtGui import QIcon

from amp_qgis_plugin.processing.i18n import both, figure_language, tr
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

    #: Parameters of the inputs most algorithms share, by engine option id (core/errors.py).
    COMMON_PARAMETERS: Dict[str, str] = {
        "place": "PLACE", "place_name": "PLACE_NAME", "point": "POINT",
        "place_radius_m": "PLACE_RADIUS", "search_area": "SEARCH_EXTENT", "osm_file": "OSM_FILE",
        "data": "DATA", "output": "OUTPUT", "study_radius_m": "RADIUS",
        "max_place_area_m2": "MAX_PLACE_AREA",
    }

    def option_parameters(self) -> Dict[str, str]:
        """Engine option id -> this algorithm's parameter name (filled by :meth:`add_option`)."""
        if not hasattr(self, "_option_parameters"):
            self._option_parameters: Dict[str, str] = {}
        return self._option_parameters

    def name_parameter(self, option_id: str, parameter: str) -> None:
        """Say that ``parameter`` gives the engine option ``option_id`` (for error hints only).

        For inputs the algorithm converts itself (a photometric file into a mapping), which
        :meth:`options_from_parameters` must not read as a number.
        """
        if not hasattr(self, "_hint_parameters"):
            self._hint_parameters: Dict[str, str] = {}
        self._hint_parameters[option_id] = parameter

    def add_option(self, options: Type[Any], name: str, parameter: str,
                   label: Tuple[str, str], help_en: str, help_sv: str, *,
                   advanced: bool = False, enum: Optional[Sequence[Tuple[str, str]]] = None,
                   maximum: Optional[float] = None) -> QgsProcessingParameterDefinition:
        """Add a parameter for field ``name`` of an engine options class.

        Its default, minimum and maximum come from the options class (so from
        ``resources/scoring/<theme>.json``), never from here; the help gets the default's source.
        Numbers become ``QgsProcessingParameterNumber``, booleans
        ``QgsProcessingParameterBoolean``, text choices ``QgsProcessingParameterEnum`` (labels
        in ``enum``, one pair per choice in the spec's order).
        """
        from qgis.core import (
            QgsProcessingParameterBoolean,
            QgsProcessingParameterEnum,
            QgsProcessingParameterNumber,
        )

        from amp_qgis_plugin.processing.compat import NUMBER_DOUBLE

        spec = options.spec(name)
        default = options.default(name)
        source = options.source(name)
        if isinstance(default, bool):
            param = QgsProcessingParameterBoolean(parameter, tr(*label), defaultValue=default)
        elif spec.choices:
            labels = [tr(*pair) for pair in (enum or [(c, c) for c in spec.choices])]
            param = QgsProcessingParameterEnum(parameter, tr(*label), options=labels,
                                               defaultValue=list(spec.choices).index(default))
        else:
            kwargs: Dict[str, Any] = {}
            if spec.minimum is not None:
                kwargs["minValue"] = float(spec.minimum)
            top = maximum if maximum is not None else spec.maximum
            if top is not None:
                kwargs["maxValue"] = float(top)
            param = QgsProcessingParameterNumber(parameter, tr(*label), NUMBER_DOUBLE,
                                                 float(default), **kwargs)
        if source:
            help_en = f"{help_en} Default from: {source}."
            help_sv = f"{help_sv} Standardvärdet från: {source}."
        self.option_parameters()[name] = parameter
        return self.add(param, help_en, help_sv, advanced=advanced)

    def options_from_parameters(self, options: Type[Any], parameters, context, **extra: Any):
        """Build the engine options object from the parameters added with :meth:`add_option`."""
        values: Dict[str, Any] = {}
        for name, parameter in self.option_parameters().items():
            if name not in options.names():
                continue
            spec = options.spec(name)
            if isinstance(options.default(name), bool):
                values[name] = self.parameterAsBool(parameters, parameter, context)
            elif spec.choices:
                values[name] = spec.choices[self.parameterAsEnum(parameters, parameter, context)]
            else:
                values[name] = self.parameterAsDouble(parameters, parameter, context)
        values.update(extra)
        return options(**values)

    def parameter_hint(self, option_ids: Sequence[str]) -> str:
        """`` (parameter A, B)`` naming this algorithm's parameters for engine option ids."""
        known = dict(self.COMMON_PARAMETERS)
        known.update(self.option_parameters())
        known.update(getattr(self, "_hint_parameters", {}))
        own = {p.name() for p in self.parameterDefinitions()}
        names = [known[i] for i in option_ids if i in known and known[i] in own]
        if not names:
            return ""
        names = list(dict.fromkeys(names))
        return tr(f" (parameter{'s' if len(names) > 1 else ''} {', '.join(names)})",
                  f" (parameter {', '.join(names)})")

    # -- figures as numeric outputs -------------------------------------------------------------
    def add_figure_outputs(self, *indicators: str,
                           labels: Optional[Dict[str, Tuple[str, str]]] = None) -> None:
        """Add one numeric output per main figure of the named indicators (for models).

        ``labels`` maps an output name to its (English, Swedish) description; others are
        described by their figure key.
        """
        from qgis.core import QgsProcessingOutputNumber

        from amp_qgis_plugin.core.indicators.registry import get

        for name in indicators:
            for key, output in get(name).outputs():
                label = tr(*labels[output]) if labels and output in labels else key.replace("_", " ")
                self.addOutput(QgsProcessingOutputNumber(output, label))

    @staticmethod
    def figure_outputs(results, *indicators: str) -> Dict[str, Any]:
        """The main figures of ``results`` as ``{KEY: float or None}`` ("no data" is None)."""
        from amp_qgis_plugin.core.indicators.registry import get

        values: Dict[str, Any] = {}
        by_key = {f.key: f for r in results for f in r.figures}
        for name in indicators:
            for key, output in get(name).outputs():
                fig = by_key.get(key)
                value = fig.value if fig is not None and fig.has_data else None
                try:
                    values[output] = None if value is None else float(value)
                except (TypeError, ValueError):
                    values[output] = None
        return values

    # -- one way to write and open indicator results -------------------------------------------
    def write_results(self, results, data, gpkg: Optional[str], context, feedback, *,
                      load: Sequence[Tuple[str, Tuple[str, str]]] = (),
                      raster_paths: Optional[Dict[str, Optional[str]]] = None) -> Dict[str, Any]:
        """Write ``results`` with the engine's one writer, log the figures, open the layers.

        ``load`` lists ``(layer, (English title, Swedish title))`` pairs opened styled from the
        GeoPackage when the run ends; rasters are styled by the ``.qml`` beside them.
        Returns the paths written (``"gpkg"`` and each raster name).
        """
        from amp_qgis_plugin.core.outputs import write_results
        from amp_qgis_plugin.processing.outputs import load_on_completion, style_raster_on_load

        written = write_results(list(results), data, gpkg, raster_paths=raster_paths,
                                feedback=feedback)
        lang = figure_language()  # figure lines in the QGIS UI language (core/i18n catalog)
        for result in results:
            for line in result.lines(lang=lang):
                feedback.pushInfo(line)
        if "gpkg" in written:
            for layer, title in load:
                load_on_completion(context, str(written["gpkg"]), layer,
                                   f"{data.name} – {tr(*title)}")
        for key, path in written.items():
            if key != "gpkg":
                style_raster_on_load(context, str(path))
        return written

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
            text = " ".join(str(exc).split()) + self.parameter_hint(exc.options)
            raise QgsProcessingException(text) from exc

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        """Do the work; raise AmpError subclasses for problems the user can fix.

        Never name this ``run``: that would shadow ``QgsProcessingAlgorithm.run``, which
        ``processing.run()`` calls.
        """
        raise NotImplementedError
