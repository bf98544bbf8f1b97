"""QGIS tests of ``amp:lightingmap`` (run with QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "lighting"


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered once per session by tests/qgis/conftest.py."""
    return amp_provider


def test_lightingmap_help_on_every_parameter(provider):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("amp:lightingmap")
    assert alg is not None
    assert "point-by-point" in alg.shortHelpString() and "På svenska" in alg.shortHelpString()
    for param in alg.parameterDefinitions():
        assert param.help(), f"parameter {param.name()} has no help text"


def test_lightingmap_runs_on_senaatintori(provider, senaatintori_gpkg, tmp_path):
    """Outputs open in QGIS: the raster is valid with a CRS and nodata, and its .qml sidecar is
    picked up as the default style (singleband pseudocolour); dark_gaps opens styled."""
    import processing
    from qgis.core import QgsProcessingFeedback, QgsRasterLayer, QgsVectorLayer

    raster = tmp_path / "illuminance.tif"
    gpkg = tmp_path / "lighting.gpkg"
    feedback = QgsProcessingFeedback()
    result = processing.run("amp:lightingmap", {
        "DATA": str(senaatintori_gpkg), "CELL_SIZE": 2.0,
        "LDT_FILE": str(FIX / "symmetric_post_top.ldt"),
        "OUTPUT": str(raster), "OUTPUT_LAYERS": str(gpkg)}, feedback=feedback)
    assert Path(result["OUTPUT"]) == raster and raster.exists()
    assert raster.with_suffix(".qml").exists()
    assert result["P_CLASS"] and result["EAVG"] > 0 and 0 <= result["DARK_SHARE"] <= 100
    layer = QgsRasterLayer(str(raster), "illuminance")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32635"
    assert layer.dataProvider().sourceHasNoDataValue(1)
    message, ok = layer.loadDefaultStyle()
    assert ok, message
    assert layer.renderer().type() == "singlebandpseudocolor"
    gaps = QgsVectorLayer(f"{gpkg}|layername=dark_gaps", "gaps", "ogr")
    assert gaps.isValid() and "length_m" in gaps.fields().names()
    assert gaps.featureCount() >= 0
    lamps = QgsVectorLayer(f"{gpkg}|layername=lamps_used", "lamps", "ogr")
    assert lamps.isValid() and lamps.featureCount() > 10
    assert set(lamps.uniqueValues(lamps.fields().indexOf("photometry"))) == \
        {"symmetric_post_top.ldt"}


def test_lightingmap_cancel(provider, senaatintori_gpkg, tmp_path):
    """Cancelling from the feedback stops the run inside the chunk loop; no raster is written."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p >= 5 else None)
    raster = tmp_path / "cancel.tif"
    with pytest.raises(QgsProcessingException):
        processing.run("amp:lightingmap", {
            "DATA": str(senaatintori_gpkg), "CELL_SIZE": 0.5,
            "OUTPUT": str(raster), "OUTPUT_LAYERS": str(tmp_path / "c.gpkg")},
            feedback=feedback)
    assert not raster.exists()
