"""``amp:mapfrontage``: ground-floor frontage facing a place (Gehl grades A–E), styled by grade."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import QgsProcessingParameterFileDestination

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.i18n import tr


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
        "at 20:00 (weekday, weekend, winter); returns the main figures as numbers for models. "
        "The output opens coloured by grade.",
        "Hittar byggnadsfasaderna som vetter mot platsen (inom avståndet och inte dolda bakom "
        "andra byggnader), delar dem i segment och ger varje segment bottenvåningens användning "
        "från målpunkter och entréer vid byggnaden (mat och dryck, handel, service, kultur, "
        "offentligt; bostads- eller kontorsentréer; tomt), dörrar per 100 m och Gehls betyg A–E "
        "(A ≥ 15, B ≥ 10, C ≥ 6, D ≥ 2, E under 2 dörrar per 100 m; D- och E-gränserna är "
        "overifierade). Kommunal uppgift om bottenvåningens användning ersätter OSM och anges i "
        "'source'. Skriver ut andel aktiv fasad, dörrar per 100 m, betygsfördelning och andel "
        "verksamheter öppna kl. 20 (vardag, helg, vinter); ger huvudtalen som tal för modeller. "
        "Resultatet färgas efter betyg.")
    DISTANCE, SEGMENT, GRADE_BY, OUTPUT = "DISTANCE", "SEGMENT_LENGTH", "GRADE_BY", "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.indicators.frontage import FrontageOptions

        self.add_data_parameter("buildings, entrances and points of interest",
                                "byggnader, entréer och målpunkter")
        self.add_option(FrontageOptions, "max_distance_m", self.DISTANCE,
                        ("Frontage distance (m)", "Fasadavstånd (m)"),
                        "Façades within this distance of the place count (the edge buffer of the "
                        "AMP methodology).",
                        "Fasader inom detta avstånd från platsen räknas (kantzonen i AMP-metodiken).",
                        maximum=200.0)
        self.add_option(FrontageOptions, "segment_length_m", self.SEGMENT,
                        ("Segment length (m)", "Segmentlängd (m)"),
                        "Façades are cut into pieces of about this length; 0 keeps one piece per "
                        "building edge.",
                        "Fasaderna delas i bitar av ungefär denna längd; 0 ger en bit per "
                        "byggnadssida.", maximum=200.0)
        self.add_option(FrontageOptions, "grade_by", self.GRADE_BY, ("Grade by", "Betygsätt per"),
                        "Grade each building's whole frontage on the place (as Gehl graded façade "
                        "stretches) or each segment by its own doors.",
                        "Betygsätt varje byggnads hela fasad mot platsen (som Gehl bedömde "
                        "fasadsträckor) eller varje segment efter dess egna dörrar.",
                        advanced=True, enum=[("Building façade", "Byggnadsfasad"),
                                             ("Segment", "Segment")])
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Frontage", "Fasader"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the 'frontage' line layer (styled by Gehl grade), the 'figures' "
                 "table (value, unit, threshold, source of each figure) and the 'provenance' table.",
                 "GeoPackage med linjelagret 'frontage' (färgat efter Gehl-betyg), tabellen "
                 "'figures' (värde, enhet, gränsvärde och källa för varje nyckeltal) och "
                 "källtabellen 'provenance'.")
        self.add_figure_outputs("frontage", labels={
            "ACTIVE_SHARE": ("Active frontage share (%)", "Andel aktiv fasad (%)"),
            "DOORS_PER_100M": ("Doors per 100 m of frontage", "Dörrar per 100 m fasad"),
            "EVENING_OPEN_SHARE": ("Open at 20:00 on a weekday (%)",
                                   "Öppet kl. 20 en vardag (%)")})

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.indicators.frontage import FrontageOptions, compute_frontage

        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        options = self.options_from_parameters(FrontageOptions, parameters, context)
        result = compute_frontage(data, options, feedback)
        written = self.write_results([result], data,
                                     self.parameterAsFileOutput(parameters, self.OUTPUT, context),
                                     context, feedback, load=[("frontage", ("Frontage", "Fasader"))])
        outputs = {self.OUTPUT: str(written["gpkg"])}
        outputs.update(self.figure_outputs([result], "frontage"))
        return outputs


ALGORITHMS = [MapFrontageAlgorithm]
