"""``amp:auditseating``: seating audit and amenities of a place, seats styled by type."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import QgsProcessingParameterFileDestination

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.i18n import tr


class AuditSeatingAlgorithm(AmpAlgorithm):
    """Audit a place's seating and amenities into a styled point layer."""

    NAME = "auditseating"
    DISPLAY = ("Audit seating and amenities", "Granska sittplatser och service")
    GROUP = "uses"
    HELP = (
        "Audits the seats of the place (benches, picnic tables, loungers, café outdoor seating) "
        "against NYC Zoning Resolution §37-741: linear seating metres per place area (1 linear ft"
        " per 30 sq ft = 1 m per 9.144 m²), share with backs (over the whole place: a proposal "
        "extending the code's rule for street-frontage seating), seating types (benches with and "
        "without backs are one type; café seating, for customers only, is not a public type) and "
        "social seating (a seat near another at an angle or facing it; unknown when OSM has no "
        "direction), plus seats within 50 ft (15.24 m) of a litter bin (§37-744) and near a shade"
        " tree. Also reports trees (§37-742), litter bins (§37-744), food and drink at the "
        "place's edge and the number of distinct reasons to be there (PPS Power of 10). "
        "Assumptions (bench length, seat width) are parameters and are written into the output; "
        "the main figures are returned as numbers for models.",
        "Granskar platsens sittplatser (bänkar, picknickbord, solstolar, uteserveringar) mot NYC "
        "Zoning Resolution §37-741: meter sittplats per platsens yta (1 fot per 30 kvadratfot = 1"
        " m per 9,144 m²), andel med ryggstöd (över hela platsen: ett förslag som utvidgar regeln"
        " för sittplatser längs gatan), typer av sittplatser (bänkar med och utan ryggstöd är en "
        "typ; uteserveringar, bara för gäster, är ingen allmän typ) och sociala sittplatser (nära"
        " en annan sittplats i vinkel eller mittemot; okänt när OSM saknar riktning), samt "
        "sittplatser inom 50 fot (15,24 m) från en papperskorg (§37-744) och nära skuggande träd."
        " Redovisar även träd (§37-742), papperskorgar (§37-744), mat och dryck vid platsens kant"
        " och antal skäl att vara där (PPS Power of 10). Antaganden (bänklängd, sittbredd) är "
        "parametrar och skrivs in i resultatet; huvudtalen ges som tal för modeller.")
    BENCH, SEAT, CAFE, FOOD_EDGE, REASONS_EDGE, OUTPUT = (
        "BENCH_LENGTH", "SEAT_WIDTH", "CAFE_SEATING", "FOOD_EDGE", "REASONS_EDGE", "OUTPUT")

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.indicators.amenities import AmenityOptions
        from amp_qgis_plugin.core.indicators.seating import SeatingOptions

        self.add_data_parameter("seating, trees, litter bins and points of interest",
                                "sittplatser, träd, papperskorgar och målpunkter")
        self.add_option(SeatingOptions, "default_bench_length_m", self.BENCH,
                        ("Default bench length (m)", "Standardlängd bänk (m)"),
                        "Length assumed for a bench without 'length' or 'seats'.",
                        "Längd som antas för en bänk utan 'length' eller 'seats'.")
        self.add_option(SeatingOptions, "seat_width_m", self.SEAT,
                        ("Seat width (m)", "Sittbredd (m)"),
                        "Linear metres per seat when 'seats' is mapped.",
                        "Meter per sittplats när 'seats' finns.", advanced=True)
        self.add_option(SeatingOptions, "cafe_seating_m", self.CAFE,
                        ("Café seating credit (m)", "Uteservering (m)"),
                        "Metres of public seating credited per café with outdoor seating (it is "
                        "for customers only, and never counts as a seating type).",
                        "Meter allmän sittplats som räknas per uteservering (den är bara för "
                        "gäster och räknas aldrig som en typ av sittplats).", advanced=True)
        self.add_option(AmenityOptions, "food_edge_m", self.FOOD_EDGE,
                        ("Food and drink distance (m)", "Avstånd till mat och dryck (m)"),
                        "Food and drink places within this distance of the place count.",
                        "Mat- och dryckesställen inom detta avstånd från platsen räknas.",
                        advanced=True)
        self.add_option(AmenityOptions, "reasons_edge_m", self.REASONS_EDGE,
                        ("Activities distance (m)", "Avstånd till aktiviteter (m)"),
                        "Activities within this distance of the place count as reasons to be "
                        "there.",
                        "Aktiviteter inom detta avstånd från platsen räknas som skäl att vara där.",
                        advanced=True)
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT,
                                                       tr("Seating audit", "Sittplatsgranskning"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the 'seating_audit' point layer (styled by type), the 'figures' "
                 "table (seating and amenities: value, unit, threshold, source of each figure) and "
                 "the 'provenance' table.",
                 "GeoPackage med punktlagret 'seating_audit' (färgat efter typ), tabellen "
                 "'figures' (sittplatser och service: värde, enhet, gränsvärde och källa för "
                 "varje nyckeltal) och källtabellen 'provenance'.")
        self.add_figure_outputs("seating", "amenities")

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.feedback import ScaledFeedback
        from amp_qgis_plugin.core.indicators.amenities import AmenityOptions, compute_amenities
        from amp_qgis_plugin.core.indicators.seating import SeatingOptions, compute_seating

        seating_options = self.options_from_parameters(SeatingOptions, parameters, context)
        amenity_options = self.options_from_parameters(AmenityOptions, parameters, context)
        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        results = [compute_seating(data, seating_options, ScaledFeedback(feedback, 0, 80)),
                   compute_amenities(data, amenity_options, ScaledFeedback(feedback, 80, 100))]
        written = self.write_results(results, data,
                                     self.parameterAsFileOutput(parameters, self.OUTPUT, context),
                                     context, feedback,
                                     load=[("seating_audit", ("Seating audit", "Sittplatsgranskning"))])
        outputs = {self.OUTPUT: str(written["gpkg"])}
        outputs.update(self.figure_outputs(results, "seating", "amenities"))
        return outputs


ALGORITHMS = [AuditSeatingAlgorithm]
