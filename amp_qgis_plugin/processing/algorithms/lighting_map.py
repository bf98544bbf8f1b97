"""``amp:lightingmap``: illuminance map, lighting figures and dark gaps of a place."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import FILE_FILE
from amp_qgis_plugin.processing.i18n import both, tr

#: Labels of the numeric outputs of the main figures (names from the registry, ``lighting``).
FIGURE_LABELS = {
    "EAVG": ("Average illuminance (lx)", "Medelbelysningsstyrka (lx)"),
    "EMIN": ("Minimum illuminance (lx)", "Minsta belysningsstyrka (lx)"),
    "U0": ("Uniformity U0", "Jämnhet U0"),
    "DARK_SHARE": ("Dark share (%)", "Mörk andel (%)"),
    "ESC_MIN": ("Minimum semi-cylindrical illuminance (lx)",
                "Minsta semicylindriska belysningsstyrka (lx)"),
    "DARK_GAP_LENGTH": ("Dark gaps along paths (m)", "Mörka partier längs gångvägar (m)"),
}


def _help_values(swedish: bool) -> Dict[str, str]:
    """The defaults quoted in the help text, read from ``lighting.json`` (never restated)."""
    from amp_qgis_plugin.core.thresholds import load_thresholds

    doc = load_thresholds("lighting")
    defaults = doc["defaults"]

    def num(value: float) -> str:
        value = float(value)
        text = f"{value:,.0f}" if value.is_integer() else f"{value:g}"
        return text.replace(",", " ").replace(".", ",") if swedish else text

    values = {"mf": num(defaults["maintenance_factor"]["value"]),
              "face": num(defaults["face_height_m"]["value"]),
              "dark": num(doc["thresholds"]["dark_lux"]["value"])}
    for name in ("footpath", "residential", "main"):
        values[f"{name}_h"] = num(defaults["situations"][name]["height_m"])
        values[f"{name}_lm"] = num(defaults["situations"][name]["lumen"])
    return values


class LightingMapAlgorithm(AmpAlgorithm):
    """Street-lighting indicator: point-by-point illuminance from lamp points."""

    NAME = "lightingmap"
    DISPLAY = ("Lighting map (illuminance and dark spots)", "Belysningskarta (belysningsstyrka "
               "och mörka partier)")
    GROUP = "safety"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "rasterio")
    #: Help templates; the defaults in braces are filled from lighting.json.
    HELP = (
        "Estimates the horizontal illuminance (lux) on a grid over the place and its approach "
        "paths from the street lamps in a PlaceData GeoPackage, with the point-by-point method "
        "E = sum MF * I(gamma) * cos^3(gamma) / h^2 (inverse square and cosine law). Lamps without "
        "a height or flux get documented defaults by situation (footpath {footpath_h} m / "
        "{footpath_lm} lm, residential street {residential_h} m / {residential_lm} lm, main "
        "street {main_h} m / {main_lm} lm, maintenance factor {mf}) and a generic downward "
        "Lambertian distribution unless an EULUMDAT (.ldt) file is given. Reports the average "
        "and minimum illuminance, uniformity U0, the EN 13201-2 P class reached, the dark share "
        "(E < {dark} lx) of the walkable area, an estimated semi-cylindrical illuminance at "
        "{face} m (face recognition) and the dark gaps along walking paths. Where the data have "
        "no lamps but paths tagged lit=yes, it says so instead of reporting darkness. This is a "
        "planning estimate, not a lighting design calculation.",
        "Uppskattar den horisontella belysningsstyrkan (lux) i ett rutnät över platsen och dess "
        "tillfartsvägar utifrån gatubelysningen i en platsdata-GeoPackage, med punkt-för-punkt-"
        "metoden E = summa MF * I(gamma) * cos^3(gamma) / h^2 (avståndslagen och cosinuslagen). "
        "Armaturer utan höjd eller ljusflöde får dokumenterade standardvärden efter situation "
        "(gångväg {footpath_h} m / {footpath_lm} lm, lokalgata {residential_h} m / "
        "{residential_lm} lm, huvudgata {main_h} m / {main_lm} lm, underhållsfaktor {mf}) och "
        "en generisk nedåtriktad lambertsk ljusfördelning om ingen EULUMDAT-fil (.ldt) anges. "
        "Redovisar medel- och minimibelysningsstyrka, jämnhet U0, uppnådd P-klass enligt "
        "EN 13201-2, andelen mörk gångyta (E < {dark} lx), en uppskattad semicylindrisk "
        "belysningsstyrka på {face} m höjd (ansiktsigenkänning) och mörka partier längs "
        "gångvägar. Saknas armaturer i data men gångvägar är märkta lit=yes sägs det i stället "
        "för att platsen redovisas som mörk. Detta är en planeringsuppskattning, inte en "
        "belysningsberäkning för projektering.")

    CELL_SIZE, LDT_FILE, LDT_TYPE, MF, APPROACH = (
        "CELL_SIZE", "LDT_FILE", "LDT_TYPE", "MAINTENANCE_FACTOR", "APPROACH")
    OUTPUT, OUTPUT_SC, OUTPUT_GPKG = "OUTPUT", "OUTPUT_SEMICYLINDRICAL", "OUTPUT_LAYERS"

    def shortHelpString(self) -> str:  # noqa: N802
        en, sv = self.HELP
        return both(en.format(**_help_values(False)), sv.format(**_help_values(True)))

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.indicators.lighting import LightingOptions

        self.add_data_parameter("place, lamps, paths and buildings",
                                "plats, gatubelysning, gångvägar och byggnader")
        self.add_option(LightingOptions, "cell_size_m", self.CELL_SIZE,
                        ("Grid cell size (m)", "Rutstorlek (m)"),
                        "Size of the illuminance grid cells in metres. Halving it makes the run "
                        "about four times slower.",
                        "Rutnätets cellstorlek i meter. Halva storleken gör körningen ungefär "
                        "fyra gånger långsammare.")
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
        self.add_option(LightingOptions, "maintenance_factor", self.MF,
                        ("Maintenance factor", "Underhållsfaktor"),
                        "Share of the new luminaire's light that remains when dirty and aged, "
                        "applied to every lamp.",
                        "Andel av den nya armaturens ljus som återstår när den är smutsig och "
                        "åldrad, för varje armatur.", advanced=True)
        self.add_option(LightingOptions, "approach_distance_m", self.APPROACH,
                        ("Approach path distance (m)", "Avstånd för tillfartsvägar (m)"),
                        "Walkable paths within this distance of the place are evaluated too.",
                        "Gångvägar inom detta avstånd från platsen tas också med.",
                        advanced=True, maximum=500.0)
        self.add(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Illuminance (lx)",
                                                                         "Belysningsstyrka (lx)")),
                 "GeoTIFF of horizontal illuminance in lux; nodata outside the walkable area. A "
                 "lux colour ramp is stored beside it (.qml).",
                 "GeoTIFF med horisontell belysningsstyrka i lux; nodata utanför gångytan. En "
                 "färgskala i lux sparas bredvid (.qml).")
        face_en, face_sv = _help_values(False)["face"], _help_values(True)["face"]
        self.add(QgsProcessingParameterRasterDestination(
            self.OUTPUT_SC, tr(f"Semi-cylindrical illuminance at {face_en} m (lx)",
                               f"Semicylindrisk belysningsstyrka på {face_sv} m (lx)"),
            optional=True),
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
                 "used with their assumed values (lamps_used), the figures (figures: value, unit, "
                 "threshold and source of each) and the provenance table.",
                 "GeoPackage med mörka partier längs gångvägar (dark_gaps, med length_m), "
                 "armaturerna med antagna värden (lamps_used), nyckeltalen (figures: värde, "
                 "enhet, gränsvärde och källa för varje) och källtabellen (provenance).")
        self.add_figure_outputs("lighting", labels=FIGURE_LABELS)
        # errors about the photometric file name this algorithm's file parameter
        self.name_parameter("photometry", self.LDT_FILE)
        self.addOutput(QgsProcessingOutputString("P_CLASS", tr("EN 13201-2 P class reached",
                                                               "Uppnådd P-klass (EN 13201-2)")))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.indicators.lighting import LightingOptions, compute_lighting

        ldt = self.parameterAsFile(parameters, self.LDT_FILE, context)
        ldt_type = (self.parameterAsString(parameters, self.LDT_TYPE, context) or "").strip()
        options = self.options_from_parameters(LightingOptions, parameters, context,
                                               photometry={ldt_type or "*": ldt} if ldt else {})
        data = read_geopackage(self.parameterAsFile(parameters, self.DATA, context))
        result = compute_lighting(data, options, feedback=feedback)
        gpkg = self.parameterAsFileOutput(parameters, self.OUTPUT_GPKG, context)
        if gpkg and not gpkg.lower().endswith(".gpkg"):
            gpkg += ".gpkg"
        rasters = {"illuminance": self.parameterAsOutputLayer(parameters, self.OUTPUT, context),
                   "semicylindrical": self.parameterAsOutputLayer(parameters, self.OUTPUT_SC,
                                                                  context)
                   if parameters.get(self.OUTPUT_SC) else None}
        written = self.write_results([result], data, gpkg, context, feedback,
                                     load=[("dark_gaps", ("Dark gaps", "Mörka partier"))],
                                     raster_paths=rasters)
        outputs: Dict[str, Any] = {self.OUTPUT_GPKG: str(written["gpkg"])}
        outputs.update(self.figure_outputs([result], "lighting"))
        outputs["P_CLASS"] = result.value("p_class") or ""
        for name, raster in ((self.OUTPUT, "illuminance"), (self.OUTPUT_SC, "semicylindrical")):
            if raster in written:
                outputs[name] = str(written[raster])
        return outputs


ALGORITHMS = [LightingMapAlgorithm]
