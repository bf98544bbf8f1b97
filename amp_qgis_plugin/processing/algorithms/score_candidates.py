"""``amp:scorecandidates``: assess and rank a layer of candidate places from one OSM read.

Works in QGIS's batch interface (one row per candidate layer or output folder) and in the
graphical modeller (the ranking layer and the counts are outputs). The candidates are assessed
one after the other in QGIS's own process, so Cancel stops inside the current assessment; the
finished candidates are kept in the output folder's journal and a new run with the same inputs
continues from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingContext,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import NUMBER_DOUBLE, SOURCE_POINT, SOURCE_POLYGON
from amp_qgis_plugin.processing.i18n import tr

try:  # QGIS >= 3.36
    from qgis.core import Qgis

    FIELD_NUMERIC = Qgis.ProcessingFieldParameterDataType.Numeric
    FIELD_ANY = Qgis.ProcessingFieldParameterDataType.Any
except AttributeError:  # QGIS 3.22 - 3.34
    FIELD_NUMERIC = QgsProcessingParameterField.Numeric
    FIELD_ANY = QgsProcessingParameterField.Any

#: Count outputs: (name, English, Swedish, BatchSummary attribute).
COUNT_OUTPUTS = (
    ("CANDIDATE_COUNT", "Candidates", "Kandidater", "total"),
    ("OK_COUNT", "Candidates assessed", "Bedömda kandidater", "ok"),
    ("FAILED_COUNT", "Candidates failed", "Misslyckade kandidater", "failed"),
    ("RESUMED_COUNT", "Candidates kept from an earlier run", "Kandidater från en tidigare körning",
     "resumed"),
)


class ScoreCandidatesAlgorithm(AmpAlgorithm):
    """Assess every candidate place of a layer and rank them."""

    NAME = "scorecandidates"
    DISPLAY = ("Score and rank candidate places", "Bedöm och rangordna kandidatplatser")
    GROUP = "assessment"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "osmium",
                "rasterio", "scipy")
    HELP = (
        "Assesses every candidate place of a layer (polygons, or points with a radius, in any "
        "CRS) as 'Assess place' does, from one read of a local OSM file, and ranks them. "
        "Writes OUTPUT_FOLDER/ranking.gpkg: one row per candidate with the four PPS attribute "
        "scores, the perceived-safety index, their coverage, the ranking score (the mean of "
        "the scores with data; no data never counts as 0), the rank (ties by coverage), the "
        "status and reason of a candidate that could not be assessed (invalid geometry, no "
        "place, outside the OSM extract), a flag for candidates that overlap, and the path of "
        "each candidate's own assessment in OUTPUT_FOLDER/candidates/. A cancelled or "
        "interrupted run keeps the finished candidates: run it again with the same inputs to "
        "continue. For many candidates, or a cluster, use 'amp-place batch' on the command "
        "line (local processes, or Dask with --scheduler).",
        "Bedömer varje kandidatplats i ett lager (polygoner, eller punkter med en radie, i "
        "valfritt koordinatsystem) som 'Bedöm plats' gör, från en enda läsning av en lokal "
        "OSM-fil, och rangordnar dem. Skriver OUTPUT_FOLDER/ranking.gpkg: en rad per kandidat "
        "med PPS fyra egenskaper, trygghetsindexet, deras datatäckning, rangordningspoängen "
        "(medelvärdet av poängen med data; inga data räknas aldrig som 0), rangen (lika "
        "poäng efter täckning), status och orsak för en kandidat som inte kunde bedömas "
        "(ogiltig geometri, ingen plats, utanför OSM-utdraget), en markering för kandidater "
        "som överlappar, och sökvägen till varje kandidats egen bedömning i "
        "OUTPUT_FOLDER/candidates/. En avbruten körning behåller de färdiga kandidaterna: kör "
        "igen med samma indata för att fortsätta. För många kandidater, eller ett kluster, "
        "använd 'amp-place batch' på kommandoraden (lokala processer, eller Dask med "
        "--scheduler).")

    CANDIDATES, OSM_FILE, RADIUS = "CANDIDATES", "OSM_FILE", "RADIUS"
    RADIUS_FIELD, NAME_FIELD = "RADIUS_FIELD", "NAME_FIELD"
    STUDY_RADIUS, MAX_PLACE_AREA = "STUDY_RADIUS", "MAX_PLACE_AREA"
    OUTPUT_FOLDER, OUTPUT = "OUTPUT_FOLDER", "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.place import PlaceOptions

        self.add(QgsProcessingParameterFeatureSource(
            self.CANDIDATES, tr("Candidate places", "Kandidatplatser"),
            [SOURCE_POLYGON, SOURCE_POINT]),
            "Candidate places as polygons, or as points with a radius (RADIUS or RADIUS_FIELD), "
            "in any CRS; a selection counts. Each feature is one candidate.",
            "Kandidatplatser som polygoner, eller som punkter med en radie (RADIUS eller "
            "RADIUS_FIELD), i valfritt koordinatsystem; ett urval räknas. Varje objekt är en "
            "kandidat.")
        self.add(QgsProcessingParameterFile(
            self.OSM_FILE, tr("Local OSM file", "Lokal OSM-fil"),
            fileFilter="OSM files (*.osm *.pbf *.xml *.bz2 *.gz);;All files (*)"),
            "OSM data covering every candidate (XML or PBF, any name), read once for all of "
            "them.",
            "OSM-data som täcker alla kandidater (XML eller PBF, valfritt filnamn), läses en "
            "gång för alla.")
        self.add(QgsProcessingParameterNumber(
            self.RADIUS, tr("Radius of point candidates (m)", "Radie för punktkandidater (m)"),
            NUMBER_DOUBLE, optional=True, minValue=0.0),
            "Radius in metres of the circle around a point candidate, for points without a "
            "RADIUS_FIELD value. Not used for polygons.",
            "Radie i meter för cirkeln runt en punktkandidat, för punkter utan värde i "
            "RADIUS_FIELD. Används inte för polygoner.")
        self.add(QgsProcessingParameterField(
            self.RADIUS_FIELD, tr("Radius field", "Radiefält"),
            parentLayerParameterName=self.CANDIDATES, type=FIELD_NUMERIC, optional=True),
            "Numeric field with each point candidate's radius in metres.",
            "Numeriskt fält med varje punktkandidats radie i meter.")
        self.add(QgsProcessingParameterField(
            self.NAME_FIELD, tr("Name field", "Namnfält"),
            parentLayerParameterName=self.CANDIDATES, type=FIELD_ANY, optional=True),
            "Field with the candidates' names (default: a field called name or namn, else "
            "'candidate <id>').",
            "Fält med kandidaternas namn (standard: ett fält som heter name eller namn, annars "
            "'candidate <id>').")
        self.add_option(PlaceOptions, "study_radius_m", self.STUDY_RADIUS,
                        ("Study-area radius (m)", "Studieområdets radie (m)"),
                        "Study-area radius around each candidate in metres.",
                        "Studieområdets radie runt varje kandidat i meter.", advanced=True)
        self.add_option(PlaceOptions, "max_place_area_m2", self.MAX_PLACE_AREA,
                        ("Largest place area (m²)", "Största platsyta (m²)"),
                        "Candidates larger than this fail with their area in the reason.",
                        "Kandidater större än så misslyckas, med sin yta i orsaken.",
                        advanced=True)
        self.add(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER,
                                                         tr("Output folder", "Utdatamapp")),
                 "Folder for ranking.gpkg, the candidates' assessments (candidates/) and the "
                 "journal (state/); a folder of an earlier run of the same candidates is "
                 "continued, not started again.",
                 "Mapp för ranking.gpkg, kandidaternas bedömningar (candidates/) och journalen "
                 "(state/); en mapp från en tidigare körning med samma kandidater fortsätts, "
                 "börjar inte om.")
        self.name_parameter("place_radius_m", self.RADIUS)
        self.name_parameter("radius_field", self.RADIUS_FIELD)
        self.name_parameter("name_field", self.NAME_FIELD)
        self.name_parameter("candidates", self.CANDIDATES)
        self.name_parameter("output", self.OUTPUT_FOLDER)
        self.addOutput(QgsProcessingOutputVectorLayer(self.OUTPUT, tr("Ranking", "Rangordning")))
        for name, en, sv, _attr in COUNT_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, tr(en, sv)))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.batch.runner import BatchRequest, run_batch
        from amp_qgis_plugin.core.place import PlaceOptions

        source = self.parameterAsSource(parameters, self.CANDIDATES, context)
        frame = candidates_frame(source, feedback)
        radius = parameters.get(self.RADIUS)
        radius_m = self.parameterAsDouble(parameters, self.RADIUS, context) \
            if radius not in (None, "") else None
        place = self.options_from_parameters(PlaceOptions, parameters, context)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        request = BatchRequest(
            candidates=frame, osm_file=self.parameterAsFile(parameters, self.OSM_FILE, context),
            out_dir=folder, radius_m=radius_m or None,
            radius_field=self.parameterAsString(parameters, self.RADIUS_FIELD, context) or None,
            name_field=self.parameterAsString(parameters, self.NAME_FIELD, context) or None,
            study_radius_m=place.study_radius_m, max_place_area_m2=place.max_place_area_m2,
            workers=1)
        summary = run_batch(request, feedback=feedback, progress=FeedbackProgress(feedback))
        path = str(summary.ranking)
        feedback.pushInfo(f"{summary.ok} of {summary.total} candidates assessed, "
                          f"{summary.failed} failed; {path}")
        _load_ranking(context, path)
        outputs: Dict[str, Any] = {self.OUTPUT: path, self.OUTPUT_FOLDER: str(Path(folder))}
        for name, _en, _sv, attr in COUNT_OUTPUTS:
            outputs[name] = getattr(summary, attr)
        feedback.setProgress(100)
        return outputs


def candidates_frame(source, feedback=None):
    """The candidate features as a GeoDataFrame indexed by QGIS feature id (stable keys for
    the journal, whatever the selection)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from amp_qgis_plugin.core.feedback import check_cancelled
    from amp_qgis_plugin.processing.convert import _plain, crs_to_string

    names = [f.name() for f in source.fields()]
    ids, rows, wkbs = [], [], []
    for i, feature in enumerate(source.getFeatures(QgsFeatureRequest())):
        if i % 500 == 0:
            check_cancelled(feedback)
        ids.append(int(feature.id()))
        rows.append([_plain(v) for v in feature.attributes()])
        geom = feature.geometry()
        wkbs.append(bytes(geom.asWkb()) if not geom.isNull() else None)
    crs = crs_to_string(source.sourceCrs())
    frame = pd.DataFrame(rows, columns=names, index=pd.Index(ids, name="fid"))
    geometry = gpd.GeoSeries(shapely.from_wkb(wkbs, on_invalid="ignore") if wkbs else [],
                             index=frame.index, crs=crs)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


class FeedbackProgress:
    """The batch's progress told to the Processing log: one line per candidate."""

    def __init__(self, feedback) -> None:
        self.feedback = feedback
        self.done = self.total = 0

    def start(self, total: int, finished: int, failed: int, where: str) -> None:
        self.total, self.done = total, finished
        if finished:
            self.feedback.pushInfo(tr(
                f"{finished} of {total} candidates were finished by an earlier run and are kept.",
                f"{finished} av {total} kandidater blev klara i en tidigare körning och behålls."))

    def candidate_done(self, state, resumed: bool = False) -> None:
        if resumed:
            return
        self.done += 1
        if state.status == "ok":
            from amp_qgis_plugin.core.batch.ranking import ranking_score

            score = ranking_score(state.scores)
            text = "no data" if score is None else f"{score:.1f}"
            self.feedback.pushInfo(f"[{self.done}/{self.total}] {state.name}: {text}")
        else:
            self.feedback.pushWarning(f"[{self.done}/{self.total}] {state.name}: {state.failure}: "
                                      f"{state.reason}")

    def close(self) -> None:
        """Nothing to close."""


class RankingStyler(QgsProcessingLayerPostProcessorInterface):
    """Colour the ranking by ranking score in the profile's bands (red, yellow, green)."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is None:
            return
        from qgis.core import QgsFillSymbol, QgsGraduatedSymbolRenderer, QgsRendererRange

        colours = {"red": "215,48,39,160", "yellow": "254,224,70,160", "green": "26,152,80,160"}
        classes = _bands()
        ranges = []
        for i, (name, low) in enumerate(classes):
            high = classes[i + 1][1] if i + 1 < len(classes) else 100.0
            symbol = QgsFillSymbol.createSimple({"color": colours.get(name, "150,150,150,160"),
                                                 "outline_color": "60,60,60",
                                                 "outline_width": "0.4"})
            ranges.append(QgsRendererRange(low, high, symbol, f"{name} ({low:g}-{high:g})"))
        layer.setRenderer(QgsGraduatedSymbolRenderer("ranking_score", ranges))
        layer.triggerRepaint()


def _bands():
    """``[(band, lower bound), ...]`` from resources/scoring/profile.json."""
    profile = Path(__file__).resolve().parent.parent.parent / "resources" / "scoring" / \
        "profile.json"
    classes = json.loads(profile.read_text(encoding="utf-8"))["bands"]["classes"]
    return [(c["name"], float(c["min"])) for c in sorted(classes, key=lambda c: c["min"])]


#: Post-processors handed to QGIS (it deletes them after use; one new per run).
_STYLERS: List[RankingStyler] = []


def _load_ranking(context: QgsProcessingContext, path: str) -> None:
    """Open the ranking when the run ends, coloured by ranking score."""
    from qgis.core import QgsProject

    project = context.project() or QgsProject.instance()
    if project is None:
        return
    styler = RankingStyler()
    _STYLERS[:] = [styler]  # alive until QGIS has applied it
    details = QgsProcessingContext.LayerDetails(tr("Ranking", "Rangordning"), project, "ranking")
    details.setPostProcessor(styler)
    context.addLayerToLoadOnCompletion(path, details)


ALGORITHMS = [ScoreCandidatesAlgorithm]
