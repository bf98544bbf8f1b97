"""QGIS tests of ``amp:sightlines`` (run with QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered once per session by tests/qgis/conftest.py."""
    return amp_provider


def test_sightlines_help_on_every_parameter(provider):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("amp:sightlines")
    assert alg is not None
    assert "isovist" in alg.shortHelpString() and "På svenska" in alg.shortHelpString()
    for param in alg.parameterDefinitions():
        assert param.help(), f"parameter {param.name()} has no help text"


def test_sightlines_runs_on_senaatintori(provider, senaatintori_gpkg, tmp_path):
    """The raster opens in QGIS with CRS, nodata and its pseudocolour style; the layers open;
    the figures agree with the engine's own run on the same data."""
    import processing
    from qgis.core import QgsProcessingFeedback, QgsRasterLayer, QgsVectorLayer

    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.sightlines import sightlines

    raster = tmp_path / "isovist_area.tif"
    gpkg = tmp_path / "sightlines.gpkg"
    result = processing.run("amp:sightlines", {
        "DATA": str(senaatintori_gpkg), "OUTPUT": str(raster), "OUTPUT_LAYERS": str(gpkg)},
        feedback=QgsProcessingFeedback())
    assert Path(result["OUTPUT"]) == raster and raster.exists()
    engine = sightlines(read_geopackage(senaatintori_gpkg)).result
    assert result["STREET_VISIBILITY"] == pytest.approx(engine.value("visible_from_streets_pct"))
    assert result["PROSPECT"] == pytest.approx(engine.value("prospect_pct"))
    layer = QgsRasterLayer(str(raster), "isovist")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32635"
    assert layer.dataProvider().sourceHasNoDataValue(1)
    message, ok = layer.loadDefaultStyle()
    assert ok, message
    assert layer.renderer().type() == "singlebandpseudocolor"
    pts = QgsVectorLayer(f"{gpkg}|layername=isovist_points", "pts", "ogr")
    assert pts.isValid() and pts.featureCount() > 1000
    assert "area_m2" in pts.fields().names()


def test_sightlines_cancel(provider, senaatintori_gpkg, tmp_path):
    """Cancelling from the feedback stops the run inside the observer loop; no raster."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p >= 5 else None)
    raster = tmp_path / "cancel.tif"
    with pytest.raises(QgsProcessingException):
        processing.run("amp:sightlines", {
            "DATA": str(senaatintori_gpkg), "CELL_SIZE": 0.5,
            "OUTPUT": str(raster), "OUTPUT_LAYERS": str(tmp_path / "c.gpkg")},
            feedback=feedback)
    assert not raster.exists()
