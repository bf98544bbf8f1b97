"""QGIS tests of ``amp:mapfrontage`` and ``amp:auditseating`` (run with QT_QPA_PLATFORM=offscreen).

Each algorithm is run on the same PlaceData as the command line (``amp-place frontage`` /
``amp-place seating``, in-process) and both ``figures`` tables are compared value by value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FRONTAGE_OUTPUTS = ("ACTIVE_SHARE", "DOORS_PER_100M", "EVENING_OPEN_SHARE")
SEATING_OUTPUTS = ("SEATING_PER_100M2", "LINEAR_SEATING_M", "BACKS_SHARE", "SEATING_TYPES",
                   "SOCIAL_SHARE", "TREES", "BINS", "FOOD_POIS", "REASONS_TO_BE_THERE")


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered (and kept alive) by tests/qgis/conftest.py."""
    return amp_provider


def _cli(*args: str) -> None:
    """Run ``amp-place`` in-process; fail on a non-zero exit."""
    from amp_qgis_plugin.cli import main

    assert main(list(args)) == 0


def _assert_same_figures(cli_gpkg: Path, alg_gpkg: Path) -> None:
    """The two ``figures`` tables hold the same rows, column by column."""
    from amp_qgis_plugin.core.outputs import read_figures

    cli, alg = read_figures(cli_gpkg), read_figures(alg_gpkg)
    assert list(cli.columns) == list(alg.columns)
    assert len(cli) == len(alg) > 0
    for column in cli.columns:
        assert list(cli[column]) == list(alg[column]), column


def _assert_numeric_outputs(result: dict, gpkg: Path, names) -> None:
    """Each numeric output equals its figure in the GeoPackage (None where "no data")."""
    from amp_qgis_plugin.core.outputs import read_figures

    table = read_figures(gpkg).set_index("key")
    for name in names:
        value = table.loc[name.lower(), "value"]
        expected = None if value == "" else float(value)
        assert result[name] == (pytest.approx(expected) if expected is not None else None), name


@pytest.mark.parametrize("alg_id", ["amp:mapfrontage", "amp:auditseating"])
def test_help_on_every_parameter(provider, alg_id):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById(alg_id)
    assert alg is not None
    for param in alg.parameterDefinitions():
        assert param.help(), f"{alg_id}: parameter {param.name()} has no help text"


def test_auditseating_defaults_come_from_the_data_file(provider):
    from qgis.core import QgsApplication

    from amp_qgis_plugin.core.thresholds import load_thresholds

    alg = QgsApplication.processingRegistry().algorithmById("amp:auditseating")
    seating, amenities = load_thresholds("seating"), load_thresholds("amenities")
    assert alg.parameterDefinition("BENCH_LENGTH").defaultValue() == \
        seating["thresholds"]["default_bench_length"]["value"]
    assert alg.parameterDefinition("SEAT_WIDTH").defaultValue() == seating["thresholds"]["seat_width"]["value"]
    assert alg.parameterDefinition("CAFE_SEATING").defaultValue() == seating["defaults"]["cafe_seating"]["value"]
    assert alg.parameterDefinition("FOOD_EDGE").defaultValue() == amenities["thresholds"]["food_edge"]["value"]
    assert alg.parameterDefinition("REASONS_EDGE").defaultValue() == \
        amenities["thresholds"]["reasons_edge"]["value"]
    assert {o.name() for o in alg.outputDefinitions()} == {"OUTPUT", *SEATING_OUTPUTS}


def test_mapfrontage_on_senaatintori(provider, senaatintori_gpkg, tmp_path):
    """Same figures as the CLI (see tests/unit/test_frontage.py), numeric outputs, and the layer
    opens styled by grade."""
    import processing
    from qgis.core import QgsProcessingFeedback, QgsVectorLayer

    from amp_qgis_plugin.core.outputs import read_figures

    out = tmp_path / "frontage.gpkg"
    result = processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out)},
                            feedback=QgsProcessingFeedback())
    assert Path(result["OUTPUT"]) == out and out.exists()
    assert "FIGURES" not in result
    table = read_figures(out).set_index("key")
    assert table.loc["active_share", "label"] == "Active frontage share"
    assert table.loc["doors_per_100m", "unit"] == "doors/100 m"
    _assert_numeric_outputs(result, out, FRONTAGE_OUTPUTS)
    assert all(isinstance(result[name], float) for name in FRONTAGE_OUTPUTS)
    cli_out = tmp_path / "frontage_cli.gpkg"
    _cli("frontage", "--data", str(senaatintori_gpkg), "--out", str(cli_out))
    _assert_same_figures(cli_out, out)

    layer = QgsVectorLayer(f"{out}|layername=frontage", "frontage", "ogr")
    assert layer.isValid() and layer.featureCount() > 0
    assert {f["building_id"] for f in layer.getFeatures()} >= {"w17426256", "w87318458"}
    # the QML is embedded as the layer's default style in the GeoPackage (layer_styles table)
    import sqlite3

    from qgis.PyQt.QtXml import QDomDocument

    with sqlite3.connect(str(out)) as con:
        qml, = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'frontage' "
                           "AND useAsDefault = 1").fetchone()
    doc = QDomDocument()
    doc.setContent(qml)
    layer.importNamedStyle(doc)
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "grade"
    del layer


def test_mapfrontage_options_equal_the_cli(provider, senaatintori_gpkg, tmp_path):
    import processing

    out = tmp_path / "frontage.gpkg"
    result = processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg), "DISTANCE": 20.0,
                                                "SEGMENT_LENGTH": 0.0, "GRADE_BY": 1,
                                                "OUTPUT": str(out)})
    cli_out = tmp_path / "frontage_cli.gpkg"
    _cli("frontage", "--data", str(senaatintori_gpkg), "--out", str(cli_out), "--distance", "20",
         "--segment-length", "0", "--grade-by", "segment")
    _assert_same_figures(cli_out, out)
    _assert_numeric_outputs(result, out, FRONTAGE_OUTPUTS)


def test_auditseating_on_senaatintori_and_cancel(provider, senaatintori_gpkg, tmp_path):
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

    from amp_qgis_plugin.core.outputs import read_figures, read_provenance

    out = tmp_path / "seating.gpkg"
    result = processing.run("amp:auditseating", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out)},
                            feedback=QgsProcessingFeedback())
    assert "FIGURES" not in result
    table = read_figures(out).set_index("key")
    assert table.loc["linear_seating_m", "label"] == "Linear seating"
    assert "§37-741" in table.loc["linear_seating_m", "source"]
    assert set(table["theme"]) == {"seating", "amenities"}
    # no seat in the square, seating mapped nearby: 0 m, 0 types; no backs or social data
    assert result["LINEAR_SEATING_M"] == 0.0 and result["SEATING_TYPES"] == 0.0
    assert result["BACKS_SHARE"] is None and result["SOCIAL_SHARE"] is None
    assert result["TREES"] == 0.0 and result["REASONS_TO_BE_THERE"] == 5.0
    _assert_numeric_outputs(result, out, SEATING_OUTPUTS)
    cli_out = tmp_path / "seating_cli.gpkg"
    _cli("seating", "--data", str(senaatintori_gpkg), "--out", str(cli_out))
    _assert_same_figures(cli_out, out)
    assert read_provenance(out)["seating.param.default_bench_length_m"] == "1.8"
    layer = QgsVectorLayer(f"{out}|layername=seating_audit", "seating_audit", "ogr")
    assert layer.isValid()
    # free the layer now: pytest.raises below keeps this frame alive past QGIS's exit, and a
    # QgsVectorLayer destroyed after exitQgis() crashes the process (exit 139)
    del layer
    fb = QgsProcessingFeedback()
    fb.cancel()
    out2 = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out2)}, feedback=fb)
    assert str(err.value) == "Cancelled by the user; no output was written."
    assert not out2.exists()
    out3 = tmp_path / "cancelled_seating.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:auditseating", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out3)},
                       feedback=fb)
    assert str(err.value) == "Cancelled by the user; no output was written."
    assert not out3.exists()


def test_auditseating_options_equal_the_cli(provider, seating_scene_gpkg, tmp_path):
    import processing

    gpkg = seating_scene_gpkg
    out = tmp_path / "seating.gpkg"
    result = processing.run("amp:auditseating", {"DATA": gpkg, "BENCH_LENGTH": 2.0, "CAFE_SEATING": 3.0,
                                                 "FOOD_EDGE": 25.0, "OUTPUT": str(out)})
    cli_out = tmp_path / "seating_cli.gpkg"
    _cli("seating", "--data", gpkg, "--out", str(cli_out), "--bench-length", "2",
         "--cafe-seating", "3", "--food-edge", "25")
    _assert_same_figures(cli_out, out)
    _assert_numeric_outputs(result, out, SEATING_OUTPUTS)
    # 3 x 0.6 + 2.0 + 3.6 + 3.0 (café credit) = 10.4 m on 900 m²; bench + picnic table = 2 types
    assert result["LINEAR_SEATING_M"] == pytest.approx(10.4)
    assert result["SEATING_PER_100M2"] == pytest.approx(10.4 / 9)
    assert result["SEATING_TYPES"] == 2.0 and result["FOOD_POIS"] == 2.0
    assert result["BACKS_SHARE"] == pytest.approx(1.8 / 3.8 * 100)


def test_bad_option_is_a_clear_error(provider, seating_scene_gpkg, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    gpkg = seating_scene_gpkg
    out = tmp_path / "x.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:auditseating", {"DATA": gpkg, "BENCH_LENGTH": 0.0, "OUTPUT": str(out)})
    message = str(err.value)
    assert message == ("The default bench length must be more than 0 and at most 20 m, not 0.0. "
                       "(parameter BENCH_LENGTH)")
    assert "--" not in message and not out.exists()


def test_bad_data_file_is_a_clear_error(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    bogus = tmp_path / "nothing.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:auditseating", {"DATA": str(bogus), "OUTPUT": str(tmp_path / "x.gpkg")})
    message = str(err.value)
    assert message.startswith(f"PlaceData file not found: {bogus}.")
    assert message.endswith(" (parameter DATA)") and "--" not in message
