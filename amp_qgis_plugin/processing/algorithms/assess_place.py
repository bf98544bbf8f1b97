"""``amp:assessplace``: every indicator and the place profile of one place, into one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import SOURCE_POINT, SOURCE_POLYGON, SOURCE_VECTOR
from amp_qgis_plugin.processing.i18n import figure_language, tr

#: Numeric outputs: (output name, profile key, English, Swedish).
PROFILE_OUTPUTS = (
    ("USES_ACTIVITIES", "uses_activities", "Uses & Activities (0-100)",
     "Användning och aktiviteter (0-100)"),
    ("COMFORT_IMAGE", "comfort_image", "Comfort & Image (0-100)", "Komfort och image (0-100)"),
    ("ACCESS_LINKAGES", "access_linkages", "Access & Linkages (0-100)",
     "Tillgänglighet och kopplingar (0-100)"),
    ("SOCIABILITY", "sociability", "Sociability (0-100)", "Socialt liv (0-100)"),
    ("SAFETY_INDEX", "safety", "Perceived-safety index (0-100)", "Trygghetsindex (0-100)"),
)


class AssessPlaceAlgorithm(AmpAlgorithm):
    """Assess a place: data, every indicator, the PPS profile and the safety index."""

    NAME = "assessplace"
    DISPLAY = ("Assess place", "Bedöm plats")
    GROUP = "assessment"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "osmium",
                "rasterio", "scipy")
    HELP = (
        "Assesses one place end to end: fetches its data from a local OSM file (or reuses a "
        "PlaceData GeoPackage or an earlier assessment), runs every indicator (ground-floor "
        "frontage, seating and amenities, lighting, sightlines, walking access with catchments "
        "at 1.3 and 0.9 m/s, perceived safety) and scores the place profile: the four PPS "
        "attributes (Uses & Activities, Comfort & Image, Access & Linkages, Sociability) and "
        "the perceived-safety index, 0-100, each with its data coverage. Every score names the "
        "threshold and source it is judged against (resources/scoring/profile.json); an "
        "indicator without data lowers the coverage and never scores zero. Writes "
        "OUTPUT_FOLDER/<place>.gpkg (every layer, the figures, scores and sensitivity tables, "
        "provenance) and the rasters beside it; the results open as one group, styled.",
        "Bedömer en plats från början till slut: hämtar platsens data från en lokal OSM-fil "
        "(eller återanvänder en PlaceData-GeoPackage eller en tidigare bedömning), kör alla "
        "indikatorer (fasader i bottenvåningen, sittplatser och service, belysning, "
        "siktlinjer, gångavstånd med upptagningsområden i 1,3 och 0,9 m/s, upplevd trygghet) "
        "och räknar fram platsprofilen: PPS fyra egenskaper (Användning och aktiviteter, "
        "Komfort och image, Tillgänglighet och kopplingar, Socialt liv) och trygghetsindexet, "
        "0-100, var och en med sin datatäckning. Varje poäng anger gränsvärde och källa "
        "(resources/scoring/profile.json); en indikator utan data sänker täckningen och ger "
        "aldrig noll poäng. Skriver OUTPUT_FOLDER/<plats>.gpkg (alla lager, tabellerna figures, "
        "scores och sensitivity, källor) och rastren bredvid; resultaten öppnas som en grupp "
        "med stilar.")

    OSM_FILE, PLACE_NAME, PLACE, DATA = "OSM_FILE", "PLACE_NAME", "PLACE", "DATA"
    POPULATION, POPULATION_FIELD, WEIGHTS = "POPULATION", "POPULATION_FIELD", "WEIGHTS"
    SCENARIO, SCENARIO_OUTPUT = "SCENARIO", "SCENARIO_OUTPUT"
    OUTPUT_FOLDER, OUTPUT = "OUTPUT_FOLDER", "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add(QgsProcessingParameterFile(
            self.OSM_FILE, tr("Local OSM file", "Lokal OSM-fil"),
            fileFilter="OSM files (*.osm *.pbf *.xml *.bz2 *.gz);;All files (*)", optional=True),
            "OSM data around the place (XML or PBF, any name; a whole-city extract works). "
            "Not needed when place data is given.",
            "OSM-data runt platsen (XML eller PBF, valfritt filnamn; ett utdrag för en hel stad "
            "fungerar). Behövs inte när platsdata anges.")
        self.add(QgsProcessingParameterString(self.PLACE_NAME, tr("Place name", "Platsens namn"),
                                              optional=True),
                 "Name of the square or pedestrian area in the OSM data (or give a polygon).",
                 "Namnet på torget eller gågatan i OSM-data (eller ange en polygon).")
        self.add(QgsProcessingParameterFeatureSource(self.PLACE, tr("Place polygon",
                                                                    "Platsens polygon"),
                                                     [SOURCE_POLYGON], optional=True),
                 "The place as polygon features in any CRS (several are merged; a selection "
                 "counts).",
                 "Platsen som polygoner i valfritt koordinatsystem (flera slås ihop; ett urval "
                 "räknas).")
        self.add(QgsProcessingParameterFile(self.DATA, tr("Place data (GeoPackage)",
                                                          "Platsdata (GeoPackage)"),
                                            fileFilter="GeoPackage (*.gpkg)", optional=True),
                 "Reuse fetched data: a GeoPackage from 'Fetch place data' (amp:fetchplacedata) "
                 "or an earlier assessment, instead of an OSM file and a place.",
                 "Återanvänd hämtade data: en GeoPackage från 'Hämta platsdata' "
                 "(amp:fetchplacedata) eller en tidigare bedömning, i stället för en OSM-fil och "
                 "en plats.")
        self.add(QgsProcessingParameterFeatureSource(self.POPULATION,
                                                     tr("Population layer", "Befolkningslager"),
                                                     [SOURCE_VECTOR], optional=True),
                 "Population grid or polygons (any CRS) for the residents within a 5- and "
                 "10-minute walk; without it that figure is 'no data'.",
                 "Befolkningsrutnät eller polygoner (valfritt koordinatsystem) för antalet "
                 "boende inom 5 och 10 minuters promenad; utan det blir talet 'inga data'.")
        self.add(QgsProcessingParameterField(self.POPULATION_FIELD,
                                             tr("Population field", "Befolkningsfält"),
                                             parentLayerParameterName=self.POPULATION,
                                             optional=True),
                 "The field with the number of residents (default: a known name such as "
                 "'population', 'pop', 'befolkning').",
                 "Fältet med antal boende (standard: ett känt namn som 'population', 'pop', "
                 "'befolkning').", advanced=True)
        self.add(QgsProcessingParameterString(self.WEIGHTS, tr("Indicator weights",
                                                               "Indikatorvikter"),
                                              optional=True),
                 "Weights other than profile.json's, as 'U1=2; C7=0.5' or the path of a JSON "
                 "file shaped like profile.json; weights not summing to one within an attribute "
                 "are normalised, with a warning.",
                 "Andra vikter än i profile.json, som 'U1=2; C7=0.5' eller sökvägen till en "
                 "JSON-fil med samma form som profile.json; vikter som inte summerar till ett "
                 "inom en egenskap normaliseras, med en varning.", advanced=True)
        self.add(QgsProcessingParameterFeatureSource(self.SCENARIO, tr("Scenario (proposed changes)",
                                                                       "Scenario (föreslagna ändringar)"),
                                                     [SOURCE_POINT], optional=True),
                 "Points of proposed changes: field 'action' (add/remove) and 'kind' (bench, lamp, "
                 "tree, bin, facade), optionally length_m and backrest (bench), height_m and lumen "
                 "(lamp), use (facade: e.g. retail, food_drink). The place is assessed as it is and "
                 "with the changes; <place>-scenario.gpkg holds the changed place, the changes and "
                 "the difference per indicator and attribute (scenario_diff).",
                 "Punkter med föreslagna ändringar: fältet 'action' (add/remove) och 'kind' "
                 "(bench, lamp, tree, bin, facade), valfritt length_m och backrest (bänk), "
                 "height_m och lumen (lampa), use (fasad: t.ex. retail, food_drink). Platsen "
                 "bedöms som den är och med ändringarna; <plats>-scenario.gpkg innehåller den "
                 "ändrade platsen, ändringarna och skillnaden per indikator och egenskap "
                 "(scenario_diff).", advanced=True)
        self.add(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER,
                                                         tr("Output folder", "Utdatamapp")),
                 "Folder for <place>.gpkg and the rasters; an existing assessment of the same "
                 "place is replaced only when the new one is complete.",
                 "Mapp för <plats>.gpkg och rastren; en tidigare bedömning av samma plats "
                 "ersätts först när den nya är klar.")
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT, tr("Assessment GeoPackage",
                                                               "Bedömningens GeoPackage")))
        self.addOutput(QgsProcessingOutputFile(self.SCENARIO_OUTPUT, tr(
            "Scenario GeoPackage (with the changes)", "Scenariots GeoPackage (med ändringarna)")))
        for name, _key, en, sv in PROFILE_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, tr(en, sv)))
            self.addOutput(QgsProcessingOutputNumber(f"{name}_COVERAGE",
                                                     tr(f"{en[:-8]} coverage (%)",
                                                        f"{sv[:-8]} täckning (%)")))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.assess import assess_place, write_assessment
        from amp_qgis_plugin.core.feedback import ScaledFeedback
        from amp_qgis_plugin.processing.outputs import load_group_on_completion

        data, fetched = self._place_data(parameters, context, feedback)
        population = None
        source = self.parameterAsSource(parameters, self.POPULATION, context)
        if source is not None:
            from amp_qgis_plugin.processing.convert import source_to_geodataframe

            population = source_to_geodataframe(source, feedback)
        options = {}
        field = self.parameterAsString(parameters, self.POPULATION_FIELD, context)
        if field:
            from amp_qgis_plugin.core.indicators.access import AccessOptions

            options["access"] = AccessOptions(population_field=field)
        weights = (self.parameterAsString(parameters, self.WEIGHTS, context) or "").strip() or None
        scaled = ScaledFeedback(feedback, 15, 95) if fetched else ScaledFeedback(feedback, 0, 95)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        outputs: Dict[str, Any] = {self.OUTPUT_FOLDER: str(Path(folder)), self.SCENARIO_OUTPUT: None}
        scenario = self.parameterAsSource(parameters, self.SCENARIO, context)
        if scenario is not None:
            from amp_qgis_plugin.core.assess import assess_scenario, write_scenario
            from amp_qgis_plugin.processing.convert import source_to_geodataframe

            both = assess_scenario(data, source_to_geodataframe(scenario, feedback),
                                   options=options, population=population, weights=weights,
                                   feedback=scaled)
            written = write_scenario(both, folder, feedback=feedback)
            assessment = both.before
            diff = both.diff[both.diff.level.isin(["attribute", "index"])]
            for _, row in diff.iterrows():
                feedback.pushInfo(tr(f"Scenario – {row['name']}: {row.score_before:.1f} → "
                                     f"{row.score_after:.1f}",
                                     f"Scenario – {row['name']}: {row.score_before:.1f} → "
                                     f"{row.score_after:.1f}"))
            scenario_written = {k[len("scenario_"):]: v for k, v in written.items()
                                if k.startswith("scenario_") and k != "scenario_gpkg"}
            scenario_written["gpkg"] = written["scenario_gpkg"]
            load_group_on_completion(context, scenario_written,
                                     f"{data.name or 'place'} – {tr('scenario', 'scenario')}")
            outputs[self.SCENARIO_OUTPUT] = str(written["scenario_gpkg"])
            written = {k: v for k, v in written.items() if not k.startswith("scenario_")}
        else:
            assessment = assess_place(data, options=options, population=population,
                                      weights=weights, feedback=scaled)
            written = write_assessment(assessment, folder, feedback=feedback)
        for line in assessment.profile.lines(detail=True, lang=figure_language()):
            feedback.pushInfo(line)
        load_group_on_completion(context, written, data.name or "place")
        outputs[self.OUTPUT] = str(written["gpkg"])
        aggregates = dict(assessment.profile.attributes)
        aggregates["safety"] = assessment.profile.index
        for name, key, _en, _sv in PROFILE_OUTPUTS:
            agg = aggregates.get(key)
            outputs[name] = None if agg is None or agg.score is None else float(agg.score)
            outputs[f"{name}_COVERAGE"] = None if agg is None else float(agg.coverage_pct)
        feedback.setProgress(100)
        return outputs

    def _place_data(self, parameters, context, feedback):
        """(PlaceData, fetched?) from DATA, or fetched from OSM_FILE and the place."""
        from amp_qgis_plugin.core.data.placedata import read_geopackage
        from amp_qgis_plugin.core.errors import InputError
        from amp_qgis_plugin.core.feedback import ScaledFeedback
        from amp_qgis_plugin.core.fetch import FetchRequest, fetch_place_data

        path = self.parameterAsFile(parameters, self.DATA, context)
        osm = self.parameterAsFile(parameters, self.OSM_FILE, context)
        if path:
            if osm:
                raise InputError("Give the place's data once: a PlaceData GeoPackage, or an OSM "
                                 "file and a place.", options=("data", "osm_file"))
            return read_geopackage(path), False
        if not osm:
            raise InputError("Give the place's data: an OSM file and a place, or a PlaceData "
                             "GeoPackage.", options=("osm_file", "data"))
        request = FetchRequest(osm_file=osm)
        request.place_name = (self.parameterAsString(parameters, self.PLACE_NAME, context)
                              or "").strip()
        place = self.parameterAsSource(parameters, self.PLACE, context)
        if place is not None:
            from amp_qgis_plugin.processing.convert import source_to_geodataframe

            request.place_frame = source_to_geodataframe(place, feedback)
        return fetch_place_data(request, feedback=ScaledFeedback(feedback, 0, 15)), True


ALGORITHMS = [AssessPlaceAlgorithm]
