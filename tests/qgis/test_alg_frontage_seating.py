"""QGIS tests of ``amp:mapfrontage`` and ``amp:auditseating`` (run with QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered (and kept alive) by tests/qgis/conftest.py."""
    return amp_provider


@pytest.mark.parametrize("alg_id", ["amp:mapfrontage", "amp:auditseating"])
def test_help_on_every_parameter(provider, alg_id):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById(alg_id)
    assert alg is not None
    for param in alg.parameterDefinitions():
        assert param.help(), f"{alg_id}: parameter {param.name()} has no help text"


def test_mapfrontage_on_senaatintori(provider, senaatintori_gpkg, tmp_path):
    """Same answer as the engine (see tests/unit/test_frontage.py), and the layer opens styled by grade."""
    import processing
    from qgis.core import QgsProcessingFeedback, QgsVectorLayer

    out = tmp_path / "frontage.gpkg"
    result = processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out)},
                            feedback=QgsProcessingFeedback())
    assert Path(result["OUTPUT"]) == out and out.exists()
    assert "Active frontage share" in result["FIGURES"] and "doors/100 m" in result["FIGURES"]
    layer = QgsVectorLayer(f"{out}|layername=frontage", "frontage", "ogr")
    assert layer.isValid() and layer.featureCount() > 0
    assert {f["building_id"] for f in layer.getFeatures()} >= {"w17426256", "w87318458"}
    # the QML is embedded as the layer's default style in the GeoPackage (layer_styles table)
    from qgis.PyQt.QtXml import QDomDocument

    import sqlite3

    with sqlite3.connect(str(out)) as con:
        qml, = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'frontage' "
                           "AND useAsDefault = 1").fetchone()
    doc = QDomDocument()
    doc.setContent(qml)
    layer.importNamedStyle(doc)
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "grade"


def test_auditseating_on_senaatintori_and_cancel(provider, senaatintori_gpkg, tmp_path):
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

    out = tmp_path / "seating.gpkg"
    result = processing.run("amp:auditseating", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out)},
                            feedback=QgsProcessingFeedback())
    assert "Linear seating" in result["FIGURES"] and "§37-741" in result["FIGURES"]
    layer = QgsVectorLayer(f"{out}|layername=seating_audit", "seating_audit", "ogr")
    assert layer.isValid()
    # free the layer now: pytest.raises below keeps this frame alive past QGIS's exit, and a
    # QgsVectorLayer destroyed after exitQgis() crashes the process (exit 139)
    del layer
    fb = QgsProcessingFeedback()
    fb.cancel()
    out2 = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException):
        processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg), "OUTPUT": str(out2)}, feedback=fb)
    assert not out2.exists()


def test_bad_data_file_is_a_clear_error(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    bogus = tmp_path / "nothing.gpkg"
    with pytest.raises(QgsProcessingException):
        processing.run("amp:auditseating", {"DATA": str(bogus), "OUTPUT": str(tmp_path / "x.gpkg")})
