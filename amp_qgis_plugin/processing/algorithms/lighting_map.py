"""``amp:lightingmap``: illuminance map, lighting figures and dark gaps of a place."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (QgsProcessingContext,
                       QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterString)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import FILE_FILE, NUMBER_DOUBLE
from amp_qgis_plugin.processing.i18n import tr
from amp_qgis_plugin.processing.outputs import load_on_completion, style_raster_on_load

class LightingMapAlgorithm(AmpAlgorithm):
    """Street-lighting indicator: point-by-point illuminance from lamp points."""

    NAME = "lightingmap"
    DISPLAY = ("Lighting map (illuminance and dark spots)", "Belysningskarta (belysningsstyrka "
               "och mörka partier)")
    GROUP = "safety"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "rasterio")
    HELP = (
        "Estimates the horizontal illuminance (lux) on a grid over the place and its approach "
        "paths from the street lamps in a PlaceData GeoPackage, with the point-by-point method "
        "E = sum MF * I(gamma) * cos^3(gamma) / h^2 (inverse square and cosine law). Lamps without "
        "a height or flux get documented defaults by situation (footpath 5 m / 2,500 lm, "
        "residential street 6 m / 4,000 lm, main street 8 m / 8,000 lm, maintenance factor 0.8) "
        "and a generic downward Lambertian distribution unless an EULUMDAT (.ldt) file is given. "
        "Reports the average and minimum illuminance, uniformity U0, the EN 13201-2 P class "
        "reached, the dark share (E < 1 lx) of the walkable area, an estimated semi-cylindrical "
        "illuminance at 1.5 m (face recognition) and the dark gaps along walking paths. Where "
        "the data have no lamps but paths tagged lit=yes, it says so instead of reporting "
        "darkness. This is a planning estimate, not a lighting design calculation.",
        "Uppskattar den horisontella belysningsstyrkan (lux) i ett rutnät över platsen och dess "
        "tillfartsvägar utifrån gatubelysningen i en platsdata-GeoPackage, med punkt-för-punkt-"
        "metoden E = summa MF * I(gamma) * cos^3(gamma) / h^2 (avståndslagen och cosinuslagen). "
        "Armaturer utan höjd eller ljusflöde får dokumenterade standardvärden efter situation "
        "(gångväg 5 m / 2 500 lm, lokalgata 6 m / 4 000 lm, huvudgata 8 m / 8 000 lm, "
        "underhållsfaktor 0,8) och en generisk nedåtriktad lambertsk ljusfördelning om ingen "
        "EULUMDAT-fil (.ldt) anges. Redovisar medel- och minimibelysningsstyrka, jämnhet U0, "
        "uppnådd P-klass enligt EN 13201-2, andelen mörk gångyta (E < 1 lx), en uppskattad "
        "semicylindrisk belysningsstyrka på 1,5 m höjd (ansiktsigenkänning) och mörka partier "
        "längs gångvägar. Saknas armaturer i data men gångvägar är märkta lit=yes sägs det i "
        "stället för att platsen redovisas som mörk. Detta är en planeringsuppskattning, inte en "
        "belysningsberäkning för projektering.")

    CELL_SIZE, LDT_FILE, LDT_TYPE, MF, APPROACH = (
        "CELL_SIZE", "LDT_FILE", "LDT_TYPE", "MAINTENANCE_FACTOR", "APPROACH")
    OUTPUT, OUTPUT_SC, OUTPUT_GPKG = "OUTPUT", "OUTPUT_SEMICYLINDRICAL", "OUTPUT_LAYERS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_data_parameter("place, lamps, paths and buildings",
                                "plats, gatubelysning, gångvägar och byggnader")
        self.add(QgsProcessingParameterNumber(self.CELL_SIZE, tr("Grid cell size (m)",
                                                                 "Rutstorlek (m)"),
                                              NUMBER_DOUBLE, 1.0, minValue=0.1, maxValue=50.0),
                 "Size of the illuminance grid cells in metres. 1 m resolves the dark gaps "
                 "between poles; 2 m is four times faster.",
                 "Rutnätets cellstorlek i meter. 1 m visar mörka partier mellan stolparna; 2 m "
                 "går fyra gånger fortare.")
        self.add(QgsProcessingParameterFile(self.LDT_FILE, tr("Photometric file (EULUMDAT .ldt)",
                                                              "Ljusfördelningsfil (EULUMDAT .ldt)"),
                                            behavior=FILE_FILE, extension="ldt", optional=True),
                 "Optional EULUMDAT file with the luminaire's measured light distribution. "
                 "Without it a generic downward Lambertian distribution is used, which "
                 "underestimates the light between poles (a conservative screen).",
                 "Valfri EULUMDAT-fil med armaturens uppmätta ljusfördelning. Utan den används en "
                 "generisk nedåtriktad lambertsk fördelning, som underskattar ljuset mellan "
                 "stolparna (en försiktig bedömning).")
        self.add(QgsProcessingParameterString(self.LDT_TYPE, tr("Lamp type of the photometric file",
                                                                "Armaturtyp för ljusfördelningsfilen"),
                                              optional=True),
                 "Apply the photometric file only to lamps whose lamp_type or optic equals this "
                 "value; leave empty to apply it to every lamp.",
                 "Använd ljusfördelningsfilen bara för armaturer vars lamp_type eller optic har "
                 "detta värde; lämna tomt för att använda den för alla armaturer.", advanced=True)
        self.add(QgsProcessingParameterNumber(self.MF, tr("Maintenance factor", "Underhållsfaktor"),
                                              NUMBER_DOUBLE, 0.8, minValue=0.1, maxValue=1.0),
                 "Share of the new luminaire's light that remains when dirty and aged (0.8 by "
                 "default; typical planning range 0.70-0.85).",
                 "Andel av den nya armaturens ljus som återstår när den är smutsig och åldrad "
                 "(0,8 som standard; vanligt planeringsintervall 0,70-0,85).", advanced=True)
        self.add(QgsProcessingParameterNumber(self.APPROACH, tr("Approach path distance (m)",
                                                                "Avstånd för tillfartsvägar (m)"),
                                              NUMBER_DOUBLE, 50.0, minValue=0.0, maxValue=500.0),
                 "Walkable paths within this distance of the place are evaluated too.",
                 "Gångvägar inom detta avstånd från platsen tas också med.", advanced=True)
        self.add(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Illuminance (lx)",
                                                                         "Belysningsstyrka (lx)")),
                 "GeoTIFF of horizontal illuminance in lux; nodata outside the walkable area. A "
                 "lux colour ramp is stored beside it (.qml).",
                 "GeoTIFF med horisontell belysningsstyrka i lux; nodata utanför gångytan. En "
                 "färgskala i lux sparas bredvid (.qml).")
        self.add(QgsProcessingParameterRasterDestination(
            self.OUTPUT_SC, tr("Semi-cylindrical illuminance at 1.5 m (lx)",
                               "Semicylindrisk belysningsstyrka på 1,5 m (lx)"), optional=True),
                 "GeoTIFF of estimated semi-cylindrical illuminance at face height, for the "
                 "worst viewing direction at each cell (about 1 lx lets a face be recognised at "
                 "4 m).",
                 "GeoTIFF med uppskattad semicylindrisk belysningsstyrka i ansiktshöjd, i den "
                 "sämsta blickriktningen i varje cell (omkring 1 lx räcker för att känna igen "
                 "ett ansikte på 4 m).")
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT_GPKG, tr("Lighting layers",
                                                                            "Belysningslager"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "GeoPackage with the dark gaps along paths (dark_gaps, with length_m), the lamps "
                 "used with their assumed values (lamps_used) and the figures (lighting_figures).",
                 "GeoPackage med mörka partier längs gångvägar (dark_gaps, med length_m), "
                 "armaturerna med antagna värden (lamps_used) och nyckeltalen (lighting_figures).")
        for key, en, sv in (("EAVG", "Average illuminance (lx)", "Medelbelysningsstyrka (lx)"),
                            ("EMIN", "Minimum illuminance (lx)", "Minsta belysningsstyrka (lx)"),
                            ("U0", "Uniformity U0", "Jämnhet U0"),
                            ("DARK_SHARE", "Dark share (%)", "Mörk andel (%)"),
                            ("ESC_MIN", "Minimum semi-cylindrical illuminance (lx)",
                             "Minsta semicylindriska belysningsstyrka (lx)"),
                            ("DARK_GAP_LENGTH", "Dark gaps along paths (m)",
                             "Mörka partier längs gångvägar (m)")):
            self.addOutput(QgsProcessingOutputNumber(key, tr(en, sv)))
        self.addOutput(QgsProcessingOutputString("P_CLASS", tr("EN 13201-2 P class reached",
                                                               "Uppnådd P-klass (EN 13201-2)")))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.indicators.lighting import (LightingOptions, compute_lighting,
                                                              write_lighting_outputs)

        ldt = self.parameterAsFile(parameters, self.LDT_FILE, context)
        ldt_type = (self.parameterAsString(parameters, self.LDT_TYPE, context) or "").strip()
        options = LightingOptions(
            cell_size=self.parameterAsDouble(parameters, self.CELL_SIZE, context),
            photometry={ldt_type or "*": ldt} if ldt else {},
            maintenance_factor=self.parameterAsDouble(parameters, self.MF, context),
            approach_distance_m=self.parameterAsDouble(parameters, self.APPROACH, context))
        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        out = compute_lighting(data, options, feedback=feedback)
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        sc = self.parameterAsOutputLayer(parameters, self.OUTPUT_SC, context) \
            if parameters.get(self.OUTPUT_SC) else None
        gpkg = self.parameterAsFileOutput(parameters, self.OUTPUT_GPKG, context)
        if gpkg and not gpkg.lower().endswith(".gpkg"):
            gpkg += ".gpkg"
        written = write_lighting_outputs(out, None, feedback, illuminance_path=raster,
                                         semicylindrical_path=sc, gpkg_path=gpkg)
        for line in out.result.lines():
            feedback.pushInfo(line)
        results: Dict[str, Any] = {self.OUTPUT_GPKG: str(written["gpkg"])}
        for key, fig in (("EAVG", "eavg"), ("EMIN", "emin"), ("U0", "u0"),
                         ("DARK_SHARE", "dark_share"), ("ESC_MIN", "esc_min"),
                         ("DARK_GAP_LENGTH", "dark_gap_length_m")):
            results[key] = out.result.value(fig)
        results["P_CLASS"] = out.result.value("p_class") or ""
        for key, name in ((self.OUTPUT, "illuminance"), (self.OUTPUT_SC, "semicylindrical")):
            if name in written:
                path = str(written[name])
                results[key] = path
                style_raster_on_load(context, path)
        load_on_completion(context, str(written["gpkg"]), "dark_gaps",
                           f"{data.name} – {tr('Dark gaps', 'Mörka partier')}")
        return results


ALGORITHMS = [LightingMapAlgorithm]
