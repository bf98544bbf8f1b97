"""``amp:sightlines``: exact isovist field and sightline figures of a place."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (QgsProcessingContext,
                       QgsProcessingOutputNumber, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import FILE_FILE, NUMBER_DOUBLE
from amp_qgis_plugin.processing.i18n import tr
from amp_qgis_plugin.processing.outputs import load_on_completion, style_raster_on_load

class SightlinesAlgorithm(AmpAlgorithm):
    """Sightlines: isovists, visibility from streets, prospect, concealment."""

    NAME = "sightlines"
    DISPLAY = ("Sightlines (isovists and visibility)", "Siktlinjer (isovister och synlighet)")
    GROUP = "safety"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "rasterio")
    HELP = (
        "Computes exact 2D isovists (the area visible from a point, among building footprints) "
        "within a visibility radius (100 m, Gehl's social field of vision) for every cell of a "
        "grid over the walkable part of the place, and writes the isovist area as a GeoTIFF. "
        "Reports the share of the place visible from the adjacent streets (NYC Zoning "
        "Resolution §37-715), prospect (the mean share of the place seen from each point), "
        "concealment pockets (small-isovist nooks beside open space, per 1,000 m²), "
        "occlusivity (Benedikt 1979), and what each point sees of the place's life: metres of "
        "active frontage (from a frontage GeoPackage) and seats in view. Observers inside "
        "buildings are left out; invalid footprints are repaired and overlapping ones merged.",
        "Beräknar exakta 2D-isovister (ytan som syns från en punkt, bland byggnadernas "
        "fotavtryck) inom en siktradie (100 m, Gehls sociala synfält) för varje cell i ett "
        "rutnät över platsens gångyta, och sparar isovistens area som GeoTIFF. Redovisar "
        "andelen av platsen som syns från angränsande gator (NYC Zoning Resolution §37-715), "
        "överblick (medelandelen av platsen som syns från varje punkt), gömställen (fickor med "
        "liten isovist intill öppen yta, per 1 000 m²), ockludering (Benedikt 1979) och vad "
        "varje punkt ser av platsens liv: meter aktiv fasad (från en fasad-GeoPackage) och "
        "sittplatser inom synhåll. Observatörer inne i byggnader utesluts; ogiltiga "
        "fotavtryck repareras och överlappande slås ihop.")

    RADIUS, CELL_SIZE, STREET_BUFFER, STREET_SPACING, WALLS, FRONTAGE = (
        "RADIUS", "CELL_SIZE", "STREET_BUFFER", "STREET_SPACING", "USE_WALLS",
        "FRONTAGE")
    OUTPUT, OUTPUT_GPKG = "OUTPUT", "OUTPUT_LAYERS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_data_parameter("place, buildings, paths, seating and, optionally, barriers",
                                "plats, byggnader, gångvägar, sittplatser och vid behov barriärer")
        self.add(QgsProcessingParameterNumber(self.RADIUS, tr("Visibility radius (m)",
                                                              "Siktradie (m)"),
                                              NUMBER_DOUBLE, 100.0, minValue=5.0,
                                              maxValue=1000.0),
                 "How far an observer is assumed to see, in metres. 100 m is Gehl's social "
                 "field of vision (movement and body language readable).",
                 "Hur långt en observatör antas se, i meter. 100 m är Gehls sociala synfält "
                 "(rörelser och kroppsspråk går att läsa).")
        self.add(QgsProcessingParameterNumber(self.CELL_SIZE, tr("Grid cell size (m)",
                                                                 "Rutstorlek (m)"),
                                              NUMBER_DOUBLE, 2.0, minValue=0.25, maxValue=50.0),
                 "Spacing of the observer grid in metres (one isovist per cell centre).",
                 "Avstånd mellan observatörspunkterna i meter (en isovist per cellmitt).")
        self.add(QgsProcessingParameterNumber(self.STREET_BUFFER,
                                              tr("Adjacent-street distance (m)",
                                                 "Avstånd för angränsande gator (m)"),
                                              NUMBER_DOUBLE, 30.0, minValue=0.0, maxValue=200.0),
                 "Street centre-lines within this distance of the place edge count as adjacent "
                 "streets for the visibility-from-streets figure.",
                 "Gatumittlinjer inom detta avstånd från platsens kant räknas som angränsande "
                 "gator för synligheten från gatan.", advanced=True)
        self.add(QgsProcessingParameterNumber(self.STREET_SPACING,
                                              tr("Street viewpoint spacing (m)",
                                                 "Avstånd mellan gatupunkter (m)"),
                                              NUMBER_DOUBLE, 2.0, minValue=0.5, maxValue=50.0),
                 "Distance between the viewpoints placed along adjacent street centre-lines.",
                 "Avstånd mellan siktpunkterna längs de angränsande gatornas mittlinjer.",
                 advanced=True)
        self.add(QgsProcessingParameterBoolean(self.WALLS, tr("Walls and hedges block sight",
                                                              "Murar och häckar skymmer sikten"),
                                               False),
                 "Also let barrier lines (wall, city wall, hedge, fence) block sight, except "
                 "those known to be lower than eye height (1.6 m).",
                 "Låt även barriärlinjer (mur, stadsmur, häck, staket) skymma sikten, utom de "
                 "som är kända att vara lägre än ögonhöjd (1,6 m).")
        self.add(QgsProcessingParameterFile(self.FRONTAGE, tr("Frontage GeoPackage",
                                                              "Fasad-GeoPackage"),
                                            behavior=FILE_FILE, extension="gpkg", optional=True),
                 "Optional GeoPackage written by 'Map frontage' (its 'frontage' layer); gives "
                 "the metres of active frontage in view from each point.",
                 "Valfri GeoPackage skriven av 'Kartlägg fasader' (lagret 'frontage'); ger "
                 "meter aktiv fasad inom synhåll från varje punkt.")
        self.add(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Isovist area (m²)",
                                                                         "Isovistarea (m²)")),
                 "GeoTIFF of the isovist area of each grid cell in m²; nodata outside the "
                 "walkable place and inside buildings. A colour ramp is stored beside it (.qml).",
                 "GeoTIFF med isovistarean för varje cell i m²; nodata utanför platsens gångyta "
                 "och inne i byggnader. En färgskala sparas bredvid (.qml).")
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT_GPKG,
                                                       tr("Sightline layers", "Siktlinjelager"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the per-point isovist measures (isovist_points), concealment "
                 "pockets, the part of the place visible from the streets, the street viewpoints "
                 "and the figures (sightlines_figures).",
                 "GeoPackage med isovistmått per punkt (isovist_points), gömställen, den del av "
                 "platsen som syns från gatorna, gatupunkterna och nyckeltalen "
                 "(sightlines_figures).")
        for key, en, sv in (("STREET_VISIBILITY", "Visible from adjacent streets (%)",
                             "Synligt från angränsande gator (%)"),
                            ("PROSPECT", "Prospect: share of the place in view (%)",
                             "Överblick: andel av platsen inom synhåll (%)"),
                            ("POCKETS", "Concealment pockets per 1,000 m²",
                             "Gömställen per 1 000 m²"),
                            ("OCCLUSIVITY", "Occlusivity / perimeter (%)",
                             "Ockludering / omkrets (%)"),
                            ("MEAN_ISOVIST_AREA", "Mean isovist area (m²)",
                             "Medelarea för isovister (m²)")):
            self.addOutput(QgsProcessingOutputNumber(key, tr(en, sv)))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.commands.sightlines import read_frontage
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.indicators.sightlines import (SightlineOptions, sightlines,
                                                                write_sightlines_outputs)

        options = SightlineOptions(
            radius_m=self.parameterAsDouble(parameters, self.RADIUS, context),
            cell_size_m=self.parameterAsDouble(parameters, self.CELL_SIZE, context),
            street_buffer_m=self.parameterAsDouble(parameters, self.STREET_BUFFER, context),
            street_spacing_m=self.parameterAsDouble(parameters, self.STREET_SPACING, context),
            use_barriers=self.parameterAsBool(parameters, self.WALLS, context))
        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        front_path = self.parameterAsFile(parameters, self.FRONTAGE, context)
        frontage = read_frontage(front_path, data.crs) if front_path else None
        out = sightlines(data, options=options, frontage=frontage, feedback=feedback)
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        gpkg = self.parameterAsFileOutput(parameters, self.OUTPUT_GPKG, context)
        if gpkg and not gpkg.lower().endswith(".gpkg"):
            gpkg += ".gpkg"
        written = write_sightlines_outputs(out, None, feedback, raster_path=raster,
                                           gpkg_path=gpkg)
        for line in out.result.lines():
            feedback.pushInfo(line)
        res = out.result
        results: Dict[str, Any] = {
            self.OUTPUT: str(written["raster"]), self.OUTPUT_GPKG: str(written["gpkg"]),
            "STREET_VISIBILITY": res.value("visible_from_streets_pct"),
            "PROSPECT": res.value("prospect_pct"),
            "POCKETS": res.value("concealment_pockets_per_1000m2"),
            "OCCLUSIVITY": res.value("occlusivity_pct"),
            "MEAN_ISOVIST_AREA": res.value("mean_isovist_area_m2")}
        path = str(written["raster"])
        style_raster_on_load(context, path)
        for layer, en, sv in (("concealment_pockets", "Concealment pockets", "Gömställen"),
                              ("visible_from_streets", "Visible from streets",
                               "Synligt från gatan")):
            load_on_completion(context, str(written["gpkg"]), layer, f"{data.name} – {tr(en, sv)}")
        return results


ALGORITHMS = [SightlinesAlgorithm]
