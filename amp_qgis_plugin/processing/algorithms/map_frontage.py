"""``amp:mapfrontage``: ground-floor frontage facing a place (Gehl grades A–E), styled by grade."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (QgsProcessingOutputString, QgsProcessingParameterEnum,
                       QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import NUMBER_DOUBLE
from amp_qgis_plugin.processing.i18n import tr
from amp_qgis_plugin.processing.outputs import load_on_completion

class MapFrontageAlgorithm(AmpAlgorithm):
    """Map the frontage of a place into a styled line layer."""

    NAME = "mapfrontage"
    DISPLAY = ("Map ground-floor frontage", "Kartlägg bottenvåningar")
    GROUP = "uses"
    HELP = (
        "Finds the building façades that face the place (within the distance, not hidden behind "
        "other buildings), cuts them into segments and gives each its ground-floor use from the "
        "POIs and entrances at the building (food and drink, retail, services, culture, public; "
        "residential or office entrances; blank), doors per 100 m and a Gehl grade A–E (A ≥ 15, "
        "B ≥ 10, C ≥ 6, D ≥ 2, E below 2 doors per 100 m; the D and E bands are unverified). "
        "Municipal ground-floor use in the buildings layer overrides OSM and is named in 'source'. "
        "Prints the active frontage share, doors per 100 m, grade mix and the share of shops open "
        "at 20:00 (weekday, weekend, winter). The output opens coloured by grade.",
        "Hittar byggnadsfasaderna som vetter mot platsen (inom avståndet och inte dolda bakom "
        "andra byggnader), delar dem i segment och ger varje segment bottenvåningens användning "
        "från målpunkter och entréer vid byggnaden (mat och dryck, handel, service, kultur, "
        "offentligt; bostads- eller kontorsentréer; tomt), dörrar per 100 m och Gehls betyg A–E "
        "(A ≥ 15, B ≥ 10, C ≥ 6, D ≥ 2, E under 2 dörrar per 100 m; D- och E-gränserna är "
        "overifierade). Kommunal uppgift om bottenvåningens användning ersätter OSM och anges i "
        "'source'. Skriver ut andel aktiv fasad, dörrar per 100 m, betygsfördelning och andel "
        "verksamheter öppna kl. 20 (vardag, helg, vinter). Resultatet färgas efter betyg.")
    DATA, DISTANCE, SEGMENT, GRADE_BY, OUTPUT, FIGURES = (
        "DATA", "DISTANCE", "SEGMENT_LENGTH", "GRADE_BY", "OUTPUT", "FIGURES")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_data_parameter("buildings, entrances and points of interest",
                                "byggnader, entréer och målpunkter")
        self.add(QgsProcessingParameterNumber(self.DISTANCE, tr("Frontage distance (m)", "Fasadavstånd (m)"),
                                              NUMBER_DOUBLE, 30.0, minValue=1.0, maxValue=200.0),
                 "Façades within this distance of the place count (default 30 m, the edge buffer of the "
                 "AMP methodology).",
                 "Fasader inom detta avstånd från platsen räknas (standard 30 m, kantzonen i "
                 "AMP-metodiken).")
        self.add(QgsProcessingParameterNumber(self.SEGMENT, tr("Segment length (m)", "Segmentlängd (m)"),
                                              NUMBER_DOUBLE, 10.0, minValue=0.0, maxValue=200.0),
                 "Façades are cut into pieces of about this length; 0 keeps one piece per building edge.",
                 "Fasaderna delas i bitar av ungefär denna längd; 0 ger en bit per byggnadssida.")
        self.add(QgsProcessingParameterEnum(self.GRADE_BY, tr("Grade by", "Betygsätt per"),
                                            options=[tr("Building façade", "Byggnadsfasad"),
                                                     tr("Segment", "Segment")], defaultValue=0),
                 "Grade each building's whole frontage on the place (as Gehl graded façade stretches) "
                 "or each segment by its own doors.",
                 "Betygsätt varje byggnads hela fasad mot platsen (som Gehl bedömde fasadsträckor) "
                 "eller varje segment efter dess egna dörrar.", advanced=True)
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Frontage", "Fasader"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the 'frontage' line layer (styled by Gehl grade) and a provenance table.",
                 "GeoPackage med linjelagret 'frontage' (färgat efter Gehl-betyg) och en källtabell.")
        self.addOutput(QgsProcessingOutputString(self.FIGURES, tr("Place-level figures", "Platsens nyckeltal")))

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage, write_layers
        from amp_qgis_plugin.core.indicators.frontage import FrontageOptions, active_pois, map_frontage
        from amp_qgis_plugin.core.indicators.opening_hours import (
            OpeningHoursOptions, opening_hours_figures, place_coords)

        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        options = FrontageOptions(
            max_distance_m=self.parameterAsDouble(parameters, self.DISTANCE, context),
            segment_length_m=self.parameterAsDouble(parameters, self.SEGMENT, context),
            grade_by=("facade", "segment")[self.parameterAsEnum(parameters, self.GRADE_BY, context)])
        result = map_frontage(data, options, feedback)
        hours = opening_hours_figures(active_pois(data, options.max_distance_m),
                                      OpeningHoursOptions(coords=place_coords(data.place_polygon, data.crs)),
                                      feedback)
        result.figures.extend(hours.figures)
        prov = dict(data.provenance)
        prov.update(result.provenance())
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        path = write_layers({"frontage": result.layers["frontage"]}, out, provenance=prov,
                            geometry_types={"frontage": "LineString"}, feedback=feedback)
        lines = result.lines()
        for line in lines:
            feedback.pushInfo(line)
        load_on_completion(context, str(path), "frontage", f"{data.name} – {tr('Frontage', 'Fasader')}")
        return {self.OUTPUT: str(path), self.FIGURES: "\n".join(lines)}


ALGORITHMS = [MapFrontageAlgorithm]
