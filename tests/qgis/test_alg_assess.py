"""amp:assessplace in QGIS: the same profile as the CLI, outputs for models, one styled group."""

from __future__ import annotations

import math

import pyogrio
import pytest


def _scores(path):
    return pyogrio.read_dataframe(path, layer="scores", read_geometry=False)


def test_assess_matches_the_cli_and_loads_one_styled_group(amp_provider, senaatintori_gpkg,
                                                           tmp_path):
    from qgis import processing
    from qgis.core import QgsProcessingFeedback, QgsProject

    from amp_qgis_plugin.cli import main

    project = QgsProject.instance()
    project.clear()
    folder = tmp_path / "qgis"
    result = processing.runAndLoadResults("amp:assessplace", {
        "DATA": str(senaatintori_gpkg), "OUTPUT_FOLDER": str(folder)},
        feedback=QgsProcessingFeedback())
    gpkg = folder / "senaatintori.gpkg"
    assert result["OUTPUT"] == str(gpkg)
    assert main(["assess", "--data", str(senaatintori_gpkg), "--out", str(tmp_path / "cli")]) == 0
    qgis_scores, cli_scores = _scores(gpkg), _scores(tmp_path / "cli" / "senaatintori.gpkg")
    assert list(qgis_scores.key) == list(cli_scores.key)
    assert list(qgis_scores.score.fillna(-1).round(9)) == list(cli_scores.score.fillna(-1).round(9))
    # the numeric outputs are the attribute scores; no data stays None, never 0
    by_key = qgis_scores.set_index("key")
    for name, key in (("USES_ACTIVITIES", "uses_activities"), ("COMFORT_IMAGE", "comfort_image"),
                      ("ACCESS_LINKAGES", "access_linkages"), ("SAFETY_INDEX", "safety")):
        assert result[name] == pytest.approx(by_key.loc[key, "score"])
        assert result[f"{name}_COVERAGE"] == pytest.approx(by_key.loc[key, "coverage_pct"])
    assert math.isnan(by_key.loc["sociability", "score"]) and result["SOCIABILITY"] is None
    # one layer-tree group named after the place, holding styled layers and rasters
    group = project.layerTreeRoot().findGroup("Senaatintori")
    assert group is not None
    names = {node.layer().name() for node in group.findLayers()}
    assert {"Senaatintori – frontage", "Senaatintori – catchments",
            "Senaatintori – illuminance", "Senaatintori – isovist_area"} <= names
    frontage = next(n.layer() for n in group.findLayers() if n.layer().name().endswith("frontage"))
    assert frontage.renderer().type() == "categorizedSymbol"  # styled by Gehl grade
    assert not [n for n in project.layerTreeRoot().children() if n is not group
                and n.name().startswith("Senaatintori")]
    project.clear()


def test_assess_refuses_data_and_osm_together(run_alg, senaatintori_gpkg, sample_osm, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_alg("amp:assessplace", {"DATA": str(senaatintori_gpkg), "OSM_FILE": str(sample_osm),
                                    "OUTPUT_FOLDER": str(tmp_path / "x")})
    text = str(err.value)
    assert "Give the place's data once" in text and "(parameters DATA, OSM_FILE)" in text
    assert "--" not in text


def test_a_scenario_through_processing(run_alg, senaatintori_gpkg, tmp_path):
    """One bench of 2.5 m added on the square adds 2.5 m to the linear seating (C1's value)."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    from amp_qgis_plugin.core.data.placedata import read_geopackage

    data = read_geopackage(senaatintori_gpkg)
    spot = data.place_polygon.representative_point()
    layer = QgsVectorLayer(f"Point?crs={data.crs}&field=action:string&field=kind:string"
                           "&field=length_m:double", "forslag", "memory")
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["add", "bench", 2.5])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(spot.x, spot.y)))
    layer.dataProvider().addFeatures([feature])
    result = run_alg("amp:assessplace", {"DATA": str(senaatintori_gpkg), "SCENARIO": layer,
                                         "OUTPUT_FOLDER": str(tmp_path)})
    assert result["SCENARIO_OUTPUT"] == str(tmp_path / "senaatintori-scenario.gpkg")
    before = pyogrio.read_dataframe(result["OUTPUT"], layer="figures",
                                    read_geometry=False).set_index("key")
    after = pyogrio.read_dataframe(result["SCENARIO_OUTPUT"], layer="figures",
                                   read_geometry=False).set_index("key")
    assert float(after.loc["linear_seating_m", "value"]) - \
        float(before.loc["linear_seating_m", "value"]) == pytest.approx(2.5)
    changes = pyogrio.read_dataframe(result["SCENARIO_OUTPUT"], layer="scenario_changes")
    assert list(changes.kind) == ["bench"] and layer.featureCount() == 1
