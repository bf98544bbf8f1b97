"""QGIS tests of ``amp:sightlines`` (run with QT_QPA_PLATFORM=offscreen).

The algorithm is run on the same PlaceData as the command line (``amp-place sightlines``,
in-process): the ``figures`` tables, the numeric outputs and the rasters must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: Numeric outputs (the registry's main figures, under the names they always had) -> figure.
FIGURE_OUTPUTS = {"STREET_VISIBILITY": "visible_from_streets_pct", "PROSPECT": "prospect_pct",
                  "POCKETS": "concealment_pockets_per_1000m2", "OCCLUSIVITY": "occlusivity_pct",
                  "MEAN_ISOVIST_AREA": "mean_isovist_area_m2"}


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered once per session by tests/qgis/conftest.py."""
    return amp_provider


def _cli(*args: str) -> None:
    """Run ``amp-place`` in-process; fail on a non-zero exit."""
    from amp_qgis_plugin.cli import main

    assert main(list(args)) == 0


def test_sightlines_help_on_every_parameter(provider):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("amp:sightlines")
    assert alg is not None
    assert "isovist" in alg.shortHelpString() and "På svenska" in alg.shortHelpString()
    assert "proxy for NYC Zoning Resolution §37-715" in alg.shortHelpString()
    for param in alg.parameterDefinitions():
        assert param.help(), f"parameter {param.name()} has no help text"


def test_sightlines_defaults_come_from_the_data_file(provider):
    """Parameter defaults are the sightlines.json values (not restated in the algorithm)."""
    from qgis.core import QgsApplication

    from amp_qgis_plugin.core.thresholds import load_thresholds

    alg = QgsApplication.processingRegistry().algorithmById("amp:sightlines")
    doc = load_thresholds("sightlines")
    for param, key in (("RADIUS", "isovist_radius"), ("CELL_SIZE", "grid_cell"),
                       ("STREET_BUFFER", "street_buffer"),
                       ("STREET_SPACING", "street_observer_spacing")):
        assert alg.parameterDefinition(param).defaultValue() == doc["thresholds"][key]["value"]
    assert alg.parameterDefinition("USE_WALLS").defaultValue() is \
        doc["defaults"]["use_barriers"]["value"]
    assert {o.name() for o in alg.outputDefinitions()} == {
        "OUTPUT", "OUTPUT_LAYERS", *FIGURE_OUTPUTS}


def test_sightlines_runs_on_senaatintori_like_the_cli(provider, senaatintori_gpkg, tmp_path):
    """Same figures table, numeric outputs and raster as ``amp-place sightlines``; the raster
    opens in QGIS with CRS, nodata and its pseudocolour style; the layers open."""
    import numpy as np
    import processing
    import rasterio
    from qgis.core import QgsProcessingFeedback, QgsRasterLayer, QgsVectorLayer

    from amp_qgis_plugin.core.outputs import read_figures

    raster = tmp_path / "isovist_area.tif"
    gpkg = tmp_path / "sightlines.gpkg"
    result = processing.run("amp:sightlines", {
        "DATA": str(senaatintori_gpkg), "OUTPUT": str(raster), "OUTPUT_LAYERS": str(gpkg)},
        feedback=QgsProcessingFeedback())
    assert Path(result["OUTPUT"]) == raster and raster.exists()
    assert Path(result["OUTPUT_LAYERS"]) == gpkg

    cli_dir = tmp_path / "cli"
    _cli("sightlines", "--data", str(senaatintori_gpkg), "--out", str(cli_dir))
    cli, alg = read_figures(cli_dir / "sightlines.gpkg"), read_figures(gpkg)
    assert list(cli.columns) == list(alg.columns)
    assert len(cli) == len(alg) == 10
    for column in cli.columns:
        assert list(cli[column]) == list(alg[column]), column
    table = cli.set_index("key")
    for name, key in FIGURE_OUTPUTS.items():
        assert result[name] == float(table.loc[key, "value"]), name
    with rasterio.open(cli_dir / "isovist_area.tif") as a, rasterio.open(raster) as b:
        assert np.array_equal(a.read(1), b.read(1))
        assert a.transform == b.transform

    layer = QgsRasterLayer(str(raster), "isovist")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32635"
    assert layer.dataProvider().sourceHasNoDataValue(1)
    message, ok = layer.loadDefaultStyle()
    assert ok, message
    assert layer.renderer().type() == "singlebandpseudocolor"
    pts = QgsVectorLayer(f"{gpkg}|layername=isovist_points", "pts", "ogr")
    assert pts.isValid() and pts.featureCount() > 1000
    assert "area_m2" in pts.fields().names()


def test_sightlines_options_equal_the_cli(provider, senaatintori_gpkg, tmp_path):
    """Non-default options give the same figures through Processing and the CLI."""
    import processing

    from amp_qgis_plugin.core.outputs import read_figures, read_provenance

    gpkg = tmp_path / "s.gpkg"
    processing.run("amp:sightlines", {
        "DATA": str(senaatintori_gpkg), "RADIUS": 60.0, "CELL_SIZE": 4.0, "STREET_BUFFER": 15.0,
        "STREET_SPACING": 5.0, "USE_WALLS": True, "OUTPUT": str(tmp_path / "s.tif"),
        "OUTPUT_LAYERS": str(gpkg)})
    cli_dir = tmp_path / "cli"
    _cli("sightlines", "--data", str(senaatintori_gpkg), "--out", str(cli_dir), "--radius", "60",
         "--cell-size", "4", "--street-buffer", "15", "--street-spacing", "5", "--walls")
    cli, alg = read_figures(cli_dir / "sightlines.gpkg"), read_figures(gpkg)
    for column in cli.columns:
        assert list(cli[column]) == list(alg[column]), column
    prov = read_provenance(gpkg)
    assert (prov["sightlines.param.radius_m"], prov["sightlines.param.cell_size_m"],
            prov["sightlines.param.use_barriers"]) == ("60.0", "4.0", "True")


def test_sightlines_too_fine_grid_names_the_parameter(provider, senaatintori_gpkg, tmp_path):
    """The engine's concept words with the parameter name, never a command-line flag."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:sightlines", {
            "DATA": str(senaatintori_gpkg), "CELL_SIZE": 0.001,
            "OUTPUT": str(tmp_path / "i.tif"), "OUTPUT_LAYERS": str(tmp_path / "s.gpkg")},
            feedback=QgsProcessingFeedback())
    text = str(err.value)
    assert "use a larger cell size" in text
    assert "CELL_SIZE" in text and "--" not in text
    assert not list(tmp_path.iterdir())


def test_sightlines_missing_frontage_names_the_parameter(provider, senaatintori_gpkg, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    missing = tmp_path / "none.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("amp:sightlines", {
            "DATA": str(senaatintori_gpkg), "FRONTAGE": str(missing),
            "OUTPUT": str(tmp_path / "i.tif"), "OUTPUT_LAYERS": str(tmp_path / "s.gpkg")})
    text = str(err.value)
    assert "The frontage file was not found" in text
    assert "(parameter FRONTAGE)" in text and "--" not in text


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
