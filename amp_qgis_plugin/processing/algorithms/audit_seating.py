"""``amp:auditseating``: seating audit and amenities of a place, seats styled by type."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (QgsProcessingOutputString, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber)

from amp_qgis_plugin.processing.outputs import load_on_completion
from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import NUMBER_DOUBLE
from amp_qgis_plugin.processing.i18n import tr


class AuditSeatingAlgorithm(AmpAlgorithm):
    """Audit a place's seating and amenities into a styled point layer."""

    NAME = "auditseating"
    DISPLAY = ("Audit seating and amenities", "Granska sittplatser och service")
    GROUP = "uses"
    HELP = (
        "Audits the seats of the place (benches, picnic tables, loungers, café outdoor seating) "
        "against NYC Zoning Resolution §37-741: linear seating metres per place area (1 m per "
        "9.1 m²), share with backs, seating types and social seating (seats within 3 m at an "
        "angle; unknown when OSM has no direction), plus seats within 15 m of a litter bin "
        "(§37-744) and near a shade tree. Also reports trees (§37-742), litter bins (§37-744), "
        "food within 15 m and the number of distinct reasons to be there (PPS Power of 10). "
        "Assumptions (bench length, seat width) are parameters and are written into the output.",
        "Granskar platsens sittplatser (bänkar, picknickbord, solstolar, uteserveringar) mot NYC "
        "Zoning Resolution §37-741: meter sittplats per platsens yta (1 m per 9,1 m²), andel med "
        "ryggstöd, typer av sittplatser och sociala sittplatser (inom 3 m i vinkel; okänt när OSM "
        "saknar riktning), samt sittplatser inom 15 m från en papperskorg (§37-744) och nära "
        "skuggande träd. Redovisar även träd (§37-742), papperskorgar (§37-744), mat inom 15 m "
        "och antal skäl att vara där (PPS Power of 10). Antaganden (bänklängd, sittbredd) är "
        "parametrar och skrivs in i resultatet.")
    DATA, BENCH, SEAT, CAFE, OUTPUT, FIGURES = ("DATA", "BENCH_LENGTH", "SEAT_WIDTH", "CAFE_SEATING",
                                                "OUTPUT", "FIGURES")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_data_parameter("seating, trees, litter bins and points of interest",
                                "sittplatser, träd, papperskorgar och målpunkter")
        self.add(QgsProcessingParameterNumber(self.BENCH, tr("Default bench length (m)", "Standardlängd bänk (m)"),
                                              NUMBER_DOUBLE, 1.8, minValue=0.1, maxValue=20.0),
                 "Length assumed for a bench without 'length' or 'seats' (default 1.8 m).",
                 "Längd som antas för en bänk utan 'length' eller 'seats' (standard 1,8 m).")
        self.add(QgsProcessingParameterNumber(self.SEAT, tr("Seat width (m)", "Sittbredd (m)"),
                                              NUMBER_DOUBLE, 0.6, minValue=0.1, maxValue=2.0),
                 "Linear metres per seat when 'seats' is mapped (default 0.6 m).",
                 "Meter per sittplats när 'seats' finns (standard 0,6 m).", advanced=True)
        self.add(QgsProcessingParameterNumber(self.CAFE, tr("Café seating credit (m)", "Uteservering (m)"),
                                              NUMBER_DOUBLE, 0.0, minValue=0.0, maxValue=100.0),
                 "Metres of public seating credited per café with outdoor seating (default 0: it is for "
                 "customers only).",
                 "Meter allmän sittplats som räknas per uteservering (standard 0: den är bara för gäster).",
                 advanced=True)
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Seating audit", "Sittplatsgranskning"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the 'seating_audit' point layer (styled by type) and a provenance table.",
                 "GeoPackage med punktlagret 'seating_audit' (färgat efter typ) och en källtabell.")
        self.addOutput(QgsProcessingOutputString(self.FIGURES, tr("Place-level figures", "Platsens nyckeltal")))

    def execute(self, parameters, context, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage, write_layers
        from amp_qgis_plugin.core.indicators.amenities import amenity_figures
        from amp_qgis_plugin.core.indicators.seating import SeatingOptions, audit_seating

        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        options = SeatingOptions(
            default_bench_length_m=self.parameterAsDouble(parameters, self.BENCH, context),
            seat_width_m=self.parameterAsDouble(parameters, self.SEAT, context),
            cafe_seating_m=self.parameterAsDouble(parameters, self.CAFE, context))
        result = audit_seating(data, options, feedback)
        amen = amenity_figures(data, feedback)
        prov = dict(data.provenance)
        prov.update(result.provenance())
        prov.update(amen.provenance())
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        path = write_layers({"seating_audit": result.layers["seating_audit"]}, out, provenance=prov,
                            geometry_types={"seating_audit": "Point"}, feedback=feedback)
        lines = result.lines() + amen.lines()
        for line in lines:
            feedback.pushInfo(line)
        load_on_completion(context, str(path), "seating_audit",
                           f"{data.name} – {tr('Seating audit', 'Sittplatsgranskning')}")
        return {self.OUTPUT: str(path), self.FIGURES: "\n".join(lines)}


ALGORITHMS = [AuditSeatingAlgorithm]
