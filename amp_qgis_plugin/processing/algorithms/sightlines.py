"""``amp:sightlines``: exact isovist field and sightline figures of a place."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterDestination,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import FILE_FILE
from amp_qgis_plugin.processing.i18n import tr

#: Labels of the numeric outputs (the registry's main figures, under their existing names).
OUTPUT_LABELS = {
    "STREET_VISIBILITY": ("Visible from adjacent streets (%)", "Synligt från angränsande gator (%)"),
    "PROSPECT": ("Prospect: share of the place in view (%)",
                 "Överblick: andel av platsen inom synhåll (%)"),
    "POCKETS": ("Concealment pockets per 1,000 m²", "Gömställen per 1 000 m²"),
    "OCCLUSIVITY": ("Occlusivity / perimeter (%)", "Ockludering / omkrets (%)"),
    "MEAN_ISOVIST_AREA": ("Mean isovist area (m²)", "Medelarea för isovister (m²)"),
}


class SightlinesAlgorithm(AmpAlgorithm):
    """Sightlines: isovists, visibility from streets, prospect, concealment."""

    NAME = "sightlines"
    DISPLAY = ("Sightlines (isovists and visibility)", "Siktlinjer (isovister och synlighet)")
    GROUP = "safety"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "rasterio")
    HELP = (
        "Computes exact 2D isovists (the area visible from a point, among building footprints) "
        "within a visibility radius (by default Gehl's social field of vision) for every cell of a "
        "grid over the walkable part of the place, and writes the isovist area as a GeoTIFF. "
        "Reports the share of the place visible from the adjacent streets (isovists in every "
        "direction from viewpoints along them: a proxy for NYC Zoning Resolution §37-715, "
        "which looks perpendicular from each street), prospect (the mean share of the place "
        "seen from each point), concealment pockets (small-isovist nooks beside open space, "
        "per 1,000 m²), occlusivity (Benedikt 1979), and what each point sees of the place's "
        "life: metres of active frontage (from a frontage GeoPackage) and seats in view. "
        "Observers inside buildings are left out; invalid footprints are repaired and "
        "overlapping ones merged. Returns the main figures as numbers for models.",
        "Beräknar exakta 2D-isovister (ytan som syns från en punkt, bland byggnadernas "
        "fotavtryck) inom en siktradie (som standard Gehls sociala synfält) för varje cell i ett "
        "rutnät över platsens gångyta, och sparar isovistens area som GeoTIFF. Redovisar "
        "andelen av platsen som syns från angränsande gator (isovister åt alla håll från "
        "siktpunkter längs gatorna: en approximation av NYC Zoning Resolution §37-715, som "
        "ser vinkelrätt från varje gata), överblick (medelandelen av platsen som syns från "
        "varje punkt), gömställen (fickor med liten isovist intill öppen yta, per 1 000 m²), "
        "ockludering (Benedikt 1979) och vad varje punkt ser av platsens liv: meter aktiv "
        "fasad (från en fasad-GeoPackage) och sittplatser inom synhåll. Observatörer inne i "
        "byggnader utesluts; ogiltiga fotavtryck repareras och överlappande slås ihop. Ger "
        "huvudtalen som tal för modeller.")

    RADIUS, CELL_SIZE, STREET_BUFFER, STREET_SPACING, WALLS, FRONTAGE = (
        "RADIUS", "CELL_SIZE", "STREET_BUFFER", "STREET_SPACING", "USE_WALLS",
        "FRONTAGE")
    OUTPUT, OUTPUT_GPKG = "OUTPUT", "OUTPUT_LAYERS"

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.indicators.sightlines import SightlineOptions

        self.add_data_parameter("place, buildings, paths, seating and, optionally, barriers",
                                "plats, byggnader, gångvägar, sittplatser och vid behov barriärer")
        self.add_option(SightlineOptions, "radius_m", self.RADIUS,
                        ("Visibility radius (m)", "Siktradie (m)"),
                        "How far an observer is assumed to see, in metres (Gehl's social field "
                        "of vision: movement and body language readable).",
                        "Hur långt en observatör antas se, i meter (Gehls sociala synfält: "
                        "rörelser och kroppsspråk går att läsa).")
        self.add_option(SightlineOptions, "cell_size_m", self.CELL_SIZE,
                        ("Grid cell size (m)", "Rutstorlek (m)"),
                        "Spacing of the observer grid in metres (one isovist per cell centre); "
                        "smaller than the visibility radius.",
                        "Avstånd mellan observatörspunkterna i meter (en isovist per cellmitt); "
                        "mindre än siktradien.")
        self.add_option(SightlineOptions, "street_buffer_m", self.STREET_BUFFER,
                        ("Adjacent-street distance (m)", "Avstånd för angränsande gator (m)"),
                        "Street centre-lines within this distance of the place edge count as "
                        "adjacent streets for the visibility-from-streets figure.",
                        "Gatumittlinjer inom detta avstånd från platsens kant räknas som "
                        "angränsande gator för synligheten från gatan.", advanced=True)
        self.add_option(SightlineOptions, "street_spacing_m", self.STREET_SPACING,
                        ("Street viewpoint spacing (m)", "Avstånd mellan gatupunkter (m)"),
                        "Distance between the viewpoints placed along adjacent street "
                        "centre-lines.",
                        "Avstånd mellan siktpunkterna längs de angränsande gatornas mittlinjer.",
                        advanced=True)
        self.add_option(SightlineOptions, "use_barriers", self.WALLS,
                        ("Walls and hedges block sight", "Murar och häckar skymmer sikten"),
                        "Also let barrier lines (wall, city wall, hedge, fence) block sight, "
                        "except those known to be lower than eye height (1.6 m).",
                        "Låt även barriärlinjer (mur, stadsmur, häck, staket) skymma sikten, utom "
                        "de som är kända att vara lägre än ögonhöjd (1,6 m).")
        self.add(QgsProcessingParameterFile(self.FRONTAGE, tr("Frontage GeoPackage",
                                                              "Fasad-GeoPackage"),
                                            behavior=FILE_FILE, extension="gpkg", optional=True),
                 "Optional GeoPackage written by 'Map frontage' (its 'frontage' layer); gives "
                 "the metres of active frontage in view from each point.",
                 "Valfri GeoPackage skriven av 'Kartlägg fasader' (lagret 'frontage'); ger "
                 "meter aktiv fasad inom synhåll från varje punkt.")
        self.option_parameters()["frontage"] = self.FRONTAGE
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
                 "pockets, the part of the place visible from the streets, the street viewpoints, "
                 "the 'figures' table (value, unit, threshold, source of each figure) and the "
                 "'provenance' table.",
                 "GeoPackage med isovistmått per punkt (isovist_points), gömställen, den del av "
                 "platsen som syns från gatorna, gatupunkterna, tabellen 'figures' (värde, "
                 "enhet, gränsvärde och källa för varje nyckeltal) och källtabellen "
                 "'provenance'.")
        self.add_figure_outputs("sightlines", labels=OUTPUT_LABELS)

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.indicators.sightlines import (
            RASTER,
            SightlineOptions,
            compute_sightlines,
            read_frontage_layer,
        )

        options = self.options_from_parameters(SightlineOptions, parameters, context)
        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        front_path = self.parameterAsFile(parameters, self.FRONTAGE, context)
        frontage = read_frontage_layer(front_path, data.crs) if front_path else None
        result = compute_sightlines(data, options, feedback, frontage=frontage)
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        gpkg = self.parameterAsFileOutput(parameters, self.OUTPUT_GPKG, context)
        if gpkg and not gpkg.lower().endswith(".gpkg"):
            gpkg += ".gpkg"
        written = self.write_results(
            [result], data, gpkg, context, feedback, raster_paths={RASTER: raster},
            load=[("concealment_pockets", ("Concealment pockets", "Gömställen")),
                  ("visible_from_streets", ("Visible from streets", "Synligt från gatan"))])
        outputs: Dict[str, Any] = {self.OUTPUT: str(written[RASTER]),
                                   self.OUTPUT_GPKG: str(written["gpkg"])}
        outputs.update(self.figure_outputs([result], "sightlines"))
        return outputs


ALGORITHMS = [SightlinesAlgorithm]
