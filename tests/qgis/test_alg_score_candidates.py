"""amp:scorecandidates in QGIS: the CLI's ranking, outputs for models, cancel, batch interface."""

from __future__ import annotations

import pytest


def _layer(data, rows):
    """A memory layer of candidate polygons (name, geometry) in the place's CRS."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer(f"Polygon?crs={data.crs}&field=namn:string", "kandidater", "memory")
    features = []
    for name, geom in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([name])
        feature.setGeometry(QgsGeometry.fromWkt(geom.wkt))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


@pytest.fixture()
def candidates(senaatintori_data):
    square = senaatintori_data.place_polygon
    far = square.centroid.buffer(30)
    from shapely import affinity

    return _layer(senaatintori_data, [("Senaatintori", square),
                                      ("Far away", affinity.translate(far, 200_000, 0))])


def _ranking(path):
    from amp_qgis_plugin.core.batch.ranking import read_ranking

    return read_ranking(path)


def test_score_candidates_matches_the_cli(run_alg, candidates, sample_osm, tmp_path):
    from qgis import processing
    from qgis.core import QgsProcessingFeedback, QgsProject, QgsVectorFileWriter

    from amp_qgis_plugin.cli import main

    project = QgsProject.instance()
    project.clear()
    result = processing.runAndLoadResults("amp:scorecandidates", {
        "CANDIDATES": candidates, "OSM_FILE": str(sample_osm), "NAME_FIELD": "namn",
        "STUDY_RADIUS": 200, "OUTPUT_FOLDER": str(tmp_path / "qgis")},
        feedback=QgsProcessingFeedback())
    # the ranking opens coloured by ranking score in the profile's bands
    loaded = project.mapLayersByName("Ranking")
    assert len(loaded) == 1 and loaded[0].featureCount() == 2
    renderer = loaded[0].renderer()
    assert renderer.type() == "graduatedSymbol" and renderer.classAttribute() == "ranking_score"
    assert [(r.lowerValue(), r.upperValue()) for r in renderer.ranges()] == \
        [(0.0, 40.0), (40.0, 70.0), (70.0, 100.0)]
    project.clear()
    ranking = tmp_path / "qgis" / "ranking.gpkg"
    assert result["OUTPUT"] == str(ranking)
    assert (result["CANDIDATE_COUNT"], result["OK_COUNT"], result["FAILED_COUNT"],
            result["RESUMED_COUNT"]) == (2, 1, 1, 0)
    # the same candidates through the command line
    path = str(tmp_path / "candidates.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(candidates, path, candidates.transformContext(),
                                              options)
    assert main(["batch", "--candidates", path, "--osm", str(sample_osm), "--name-field", "namn",
                 "--study-radius", "200", "--workers", "1", "--out", str(tmp_path / "cli")]) == 0
    qgis, cli = _ranking(ranking), _ranking(tmp_path / "cli" / "ranking.gpkg")
    columns = ["rank", "name", "status", "ranking_score", "coverage_pct", "uses_activities",
               "comfort_image", "access_linkages", "sociability", "safety", "failure", "reason"]
    assert qgis[columns].equals(cli[columns])
    assert list(qgis.status) == ["ok", "failed"] and qgis.failure.iloc[1] == "outside extract"
    # a second run keeps what is finished
    again = run_alg("amp:scorecandidates", {
        "CANDIDATES": candidates, "OSM_FILE": str(sample_osm), "NAME_FIELD": "namn",
        "STUDY_RADIUS": 200, "OUTPUT_FOLDER": str(tmp_path / "qgis")})
    assert (again["RESUMED_COUNT"], again["OK_COUNT"]) == (2, 1)


def test_cancel_stops_inside_the_loop_and_keeps_nothing_half_done(run_alg, candidates,
                                                                  sample_osm, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 1 else None)
    with pytest.raises(QgsProcessingException) as err:
        run_alg("amp:scorecandidates", {
            "CANDIDATES": candidates, "OSM_FILE": str(sample_osm), "NAME_FIELD": "namn",
            "STUDY_RADIUS": 200, "OUTPUT_FOLDER": str(tmp_path / "out")}, feedback=feedback)
    assert str(err.value).startswith("Cancelled after ")
    assert "running the batch again with the same inputs continues from there" in str(err.value)
    assert not list((tmp_path / "out" / "candidates").glob("*.gpkg"))


def test_errors_name_the_parameters(run_alg, candidates, sample_osm, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_alg("amp:scorecandidates", {
            "CANDIDATES": candidates, "OSM_FILE": str(tmp_path / "missing.osm.pbf"),
            "OUTPUT_FOLDER": str(tmp_path / "out")})
    assert "(parameter OSM_FILE)" in str(err.value) and "--" not in str(err.value)


def test_runs_inside_a_model_from_file_paths(amp_provider, senaatintori_data, sample_osm,
                                             tmp_path):
    """A graphical model with the algorithm as a child, fed plain file paths and static values
    (what the modeller and the batch interface hand it), writes the ranking."""
    import geopandas as gpd
    from qgis import processing
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelParameter,
        QgsProcessingParameterFile,
        QgsProject,
    )

    from amp_qgis_plugin.core.batch.ranking import read_ranking

    small = senaatintori_data.place_polygon.buffer(-16).representative_point().buffer(15)
    cands = tmp_path / "kandidater.gpkg"
    gpd.GeoDataFrame({"namn": ["Mitten"]}, geometry=[small], crs=senaatintori_data.crs) \
        .to_file(cands)
    model = QgsProcessingModelAlgorithm("rank", "amp tests")
    model.addModelParameter(QgsProcessingParameterFile("osm", "osm"),
                            QgsProcessingModelParameter("osm"))
    child = QgsProcessingModelChildAlgorithm("amp:scorecandidates")
    child.setChildId("score")
    static = QgsProcessingModelChildParameterSource.fromStaticValue
    child.addParameterSources("CANDIDATES", [static(str(cands))])
    child.addParameterSources("OSM_FILE",
                              [QgsProcessingModelChildParameterSource.fromModelParameter("osm")])
    child.addParameterSources("NAME_FIELD", [static("namn")])
    child.addParameterSources("STUDY_RADIUS", [static(200)])
    child.addParameterSources("OUTPUT_FOLDER", [static(str(tmp_path / "model"))])
    model.addChildAlgorithm(child)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    processing.run(model, {"osm": str(sample_osm)}, context=context,
                   feedback=QgsProcessingFeedback())
    ranking = read_ranking(tmp_path / "model" / "ranking.gpkg")
    assert list(ranking.name) == ["Mitten"] and list(ranking["rank"]) == [1]


def test_in_a_model_and_the_batch_interface(amp_provider):
    """The algorithm has what the modeller and batch mode need: destination and outputs."""
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().createAlgorithmById("amp:scorecandidates")
    names = [p.name() for p in alg.parameterDefinitions()]
    assert names[:6] == ["CANDIDATES", "OSM_FILE", "RADIUS", "RADIUS_FIELD", "NAME_FIELD",
                         "STUDY_RADIUS"]
    assert "OUTPUT_FOLDER" in names
    outputs = {o.name(): o.type() for o in alg.outputDefinitions()}
    assert outputs["OUTPUT"] == "outputVector"
    for name in ("CANDIDATE_COUNT", "OK_COUNT", "FAILED_COUNT", "RESUMED_COUNT"):
        assert outputs[name] == "outputNumber"
    assert all(p.help() for p in alg.parameterDefinitions())
