"""``amp:sitereport``: the site-assessment report as a QGIS print layout, exported to PDF."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProject,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import ALGORITHM_NO_THREADING
from amp_qgis_plugin.processing.i18n import tr, ui_language

#: Choices of LANGUAGE, in order: (English label, Swedish label, language or "" = QGIS's).
LANGUAGES = (("Follow QGIS", "Som QGIS", ""), ("Svenska", "Svenska", "sv"),
             ("English", "English", "en"))

#: What to run when the file is not a current assessment: (English, Swedish).
RERUN = (" In QGIS: 'Assess place' (amp:assessplace).",
         " I QGIS: 'Bedöm plats' (amp:assessplace).")


class SiteReportAlgorithm(AmpAlgorithm):
    """Build the site-assessment print layout of an assessment and export it to PDF."""

    NAME = "sitereport"
    DISPLAY = ("Site-assessment report (PDF)", "Platsbedömningsrapport (PDF)")
    GROUP = "assessment"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "matplotlib")
    HELP = (
        "Makes the report of an assessment written by 'Assess place' (amp:assessplace) as a QGIS "
        "print layout and exports it to PDF. Pages: the place map (ground-floor frontage by "
        "Gehl grade, seating, the lamps of the lighting model, the illuminance raster); the "
        "isovist field and the 5- and 10-minute walking catchments; the place profile as a "
        "radar chart of the four PPS attributes and the perceived-safety index, with coverage; "
        "the key figures with their thresholds, status and numbered sources; data coverage and "
        "provenance; the sources. Every map has a legend, scale bar, north arrow and the "
        "OpenStreetMap credit, and is zoomed to the place (the catchments map to the "
        "catchments). No data is shown as 'no data', never 0. The layout is added to the "
        "project (Project > Layouts) with the assessment's layers, so it can be edited and "
        "exported again.",
        "Gör rapporten för en bedömning från 'Bedöm plats' (amp:assessplace) som en "
        "QGIS-utskriftslayout och exporterar den till PDF. Sidor: platskartan (bottenvåningar "
        "efter Gehl-klass, sittplatser, belysningsmodellens armaturer, belysningsrastret); "
        "isovistfältet och upptagningsområdena för 5 och 10 minuters gång; platsprofilen som "
        "ett radardiagram över PPS fyra egenskaper och trygghetsindexet, med täckning; "
        "nyckeltalen med gränsvärden, status och numrerade källor; datatäckning och ursprung; "
        "källorna. Varje karta har teckenförklaring, skalstock, nordpil och OpenStreetMaps "
        "upphovsangivelse och är zoomad till platsen (kartan över upptagningsområdena till "
        "dem). Saknade data visas som 'inga data', aldrig som 0. Layouten läggs till i "
        "projektet (Projekt > Layouter) med bedömningens lager, så att den kan redigeras och "
        "exporteras igen.")

    ASSESSMENT, LANGUAGE, OUTPUT = "ASSESSMENT", "LANGUAGE", "OUTPUT"
    LAYOUT, PAGES = "LAYOUT", "PAGES"

    def flags(self):
        # layouts, layers and the project belong to the main thread
        return super().flags() | ALGORITHM_NO_THREADING

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add(QgsProcessingParameterFile(
            self.ASSESSMENT, tr("Assessment (GeoPackage)", "Bedömning (GeoPackage)"),
            fileFilter="GeoPackage (*.gpkg)"),
            "The <place>.gpkg written by 'Assess place' (amp:assessplace); its rasters are read "
            "from beside it (<place>-illuminance.tif, <place>-isovist_area.tif).",
            "Den <plats>.gpkg som 'Bedöm plats' (amp:assessplace) skriver; rastren läses från "
            "samma mapp (<plats>-illuminance.tif, <plats>-isovist_area.tif).")
        self.add(QgsProcessingParameterEnum(
            self.LANGUAGE, tr("Report language", "Rapportens språk"),
            options=[tr(en, sv) for en, sv, _ in LANGUAGES], defaultValue=0),
            "The language of the report: that of QGIS (Swedish when QGIS runs in Swedish, "
            "English otherwise), Swedish or English.",
            "Rapportens språk: samma som QGIS (svenska när QGIS körs på svenska, annars "
            "engelska), svenska eller engelska.")
        self.add(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Report (PDF)", "Rapport (PDF)"), fileFilter="PDF (*.pdf)"),
            "The PDF file to write.", "PDF-filen som skrivs.")
        self.addOutput(QgsProcessingOutputString(self.LAYOUT, tr("Layout name",
                                                                 "Layoutens namn")))
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, tr("Pages", "Sidor")))
        self.name_parameter("assessment", self.ASSESSMENT)
        self.name_parameter("language", self.LANGUAGE)

    def language(self, parameters, context) -> str:
        """The report's language from LANGUAGE ("sv" or "en")."""
        chosen = LANGUAGES[self.parameterAsEnum(parameters, self.LANGUAGE, context)][2]
        return chosen or ("sv" if ui_language() == "sv" else "en")

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.errors import CancelledError, InputError
        from amp_qgis_plugin.core.report.texts import text
        from amp_qgis_plugin.processing.layout.builder import build_site_report
        from amp_qgis_plugin.processing.layout.export import export_pdf

        lang = self.language(parameters, context)
        path = self.parameterAsFile(parameters, self.ASSESSMENT, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if not output.lower().endswith(".pdf"):
            raise InputError(text("err_out", lang, file=output), options=("output",))
        project = context.project() or QgsProject.instance()
        feedback.setProgress(5)
        try:
            report = build_site_report(project, path, lang)
        except InputError as exc:
            if "assessment" in exc.options:
                raise InputError(str(exc) + RERUN[1 if lang == "sv" else 0],
                                 options=exc.options) from exc
            raise
        for note in report.notes:
            feedback.pushWarning(note)
        name = report.layout.name()
        feedback.pushInfo(tr(f"Layout '{name}' added to the project (Project > Layouts): edit it "
                             f"there and export it again as needed.",
                             f"Layouten '{name}' har lagts till i projektet (Projekt > "
                             f"Layouter): redigera den där och exportera igen vid behov."))
        feedback.setProgress(50)
        if feedback.isCanceled():
            raise CancelledError()
        export_pdf(report.layout, output)
        pages = report.layout.pageCollection().pageCount()
        feedback.pushInfo(tr(f"Wrote {output} ({pages} pages).", f"Skrev {output} ({pages} sidor)."))
        feedback.setProgress(100)
        return {self.OUTPUT: output, self.LAYOUT: name, self.PAGES: pages}


ALGORITHMS = [SiteReportAlgorithm]
