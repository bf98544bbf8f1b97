"""QGIS tests of ``amp:lightingmap`` (run with QT_QPA_PLATFORM=offscreen).

The values checked are derived independently of the engine: the point-source law on
hand-built places, the EN 13201-2 table read from lighting.json here, and the command line's
output on the same PlaceData (the two interfaces must agree figure for figure).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "lighting"
LDT = FIX / "symmetric_post_top.ldt"
LIGHTING_JSON = Path(__file__).resolve().parents[2] / "amp_qgis_plugin" / "resources" / \
    "scoring" / "lighting.json"
CRS = "EPSG:3006"


@pytest.fixture()
def provider(amp_provider):
    """The AMP provider, registered once per session by tests/qgis/conftest.py."""
    return amp_provider


def _p_class(eavg: float, emin: float) -> str:
    """The best EN 13201-2 P class met, from the table in lighting.json read here."""
    table = json.loads(LIGHTING_JSON.read_text(encoding="utf-8"))["p_classes"]["classes"]
    for row in table:  # best class first
        if eavg >= row["eavg"] and emin >= row["emin"]:
            return row["class"]
    return "below P6"


def _cells(tif: Path):
    """The values of the walkable cells of a GeoTIFF (nodata left out)."""
    import rasterio

    with rasterio.open(tif) as src:
        return src.read(1, masked=True).compressed().astype(float)


def _write_place(path: Path, lamps, paths=()) -> Path:
    """A 21 x 21 m square at (0, 0) in SWEREF 99 TM with lamps ``(x, y, height, lm)`` and
    footways given as coordinate lists."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point, box

    from amp_qgis_plugin.core.data.placedata import PlaceData, write_geopackage

    data = PlaceData(crs=CRS)
    sq = box(0, 0, 21, 21)
    data["place"] = gpd.GeoDataFrame({"name": ["Testtorget"]}, geometry=[sq], crs=CRS)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Testtorget"]}, geometry=[sq.buffer(300)],
                                          crs=CRS)
    data["lamps"] = gpd.GeoDataFrame(
        {"osm_id": [f"n{i}" for i in range(len(lamps))],
         "height_m": [lamp[2] for lamp in lamps], "lumen": [lamp[3] for lamp in lamps]},
        geometry=[Point(lamp[0], lamp[1]) for lamp in lamps], crs=CRS)
    if paths:
        data["paths"] = gpd.GeoDataFrame(
            {"osm_id": [f"w{i}" for i in range(len(paths))], "highway": ["footway"] * len(paths)},
            geometry=[LineString(p) for p in paths], crs=CRS)
    return write_geopackage(data, path)


def test_lightingmap_help_on_every_parameter(provider):
    """Bilingual help on every parameter; the defaults are lighting.json's, in the parameters
    and in the help text."""
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("amp:lightingmap")
    assert alg is not None
    text = alg.shortHelpString()
    assert "point-by-point" in text and "På svenska" in text
    for param in alg.parameterDefinitions():
        assert param.help(), f"parameter {param.name()} has no help text"
    defaults = json.loads(LIGHTING_JSON.read_text(encoding="utf-8"))["defaults"]
    for name, key in (("CELL_SIZE", "cell_size_m"), ("MAINTENANCE_FACTOR", "maintenance_factor"),
                      ("APPROACH", "approach_distance_m")):
        param = alg.parameterDefinition(name)
        assert param.defaultValue() == defaults[key]["value"], name
        assert defaults[key]["source"] in param.help(), name
    assert alg.parameterDefinition("APPROACH").maximum() == 500.0
    sit = defaults["situations"]
    assert (f"footpath {sit['footpath']['height_m']:g} m / 2,500 lm" in text
            and f"maintenance factor {defaults['maintenance_factor']['value']:g}" in text
            and "underhållsfaktor 0,8" in text and "2 500 lm" in text)


def test_lightingmap_equals_the_cli_on_senaatintori(provider, run_alg, senaatintori_gpkg,
                                                    tmp_path, capsys):
    """Same PlaceData, same options: the figures tables of amp:lightingmap and
    ``amp-place lighting`` are identical, the numeric outputs are the table's values, and the
    P class is the one the EN 13201-2 table gives for the GeoTIFF's E avg and E min. The
    outputs open in QGIS: the raster valid with its CRS, nodata and .qml default style
    (singleband pseudocolour); dark_gaps with as many features as the CLI's."""
    import pyogrio
    from qgis.core import QgsRasterLayer, QgsVectorLayer

    from amp_qgis_plugin.cli import main
    from amp_qgis_plugin.core.outputs import read_figures, read_provenance

    raster = tmp_path / "illuminance.tif"
    gpkg = tmp_path / "lighting.gpkg"
    result = run_alg("amp:lightingmap", {
        "DATA": str(senaatintori_gpkg), "CELL_SIZE": 2.0, "LDT_FILE": str(LDT),
        "MAINTENANCE_FACTOR": 0.7, "OUTPUT": str(raster), "OUTPUT_LAYERS": str(gpkg)})
    cli_dir = tmp_path / "cli"
    assert main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(cli_dir),
                 "--cell-size", "2", "--ldt", str(LDT), "--maintenance-factor", "0.7"]) == 0
    capsys.readouterr()

    ours, cli = read_figures(gpkg), read_figures(cli_dir / "lighting.gpkg")
    assert ours.to_dict("records") == cli.to_dict("records")
    table = cli.set_index("key")
    for name, key in (("EAVG", "eavg"), ("EMIN", "emin"), ("U0", "u0"),
                      ("DARK_SHARE", "dark_share"), ("ESC_MIN", "esc_min"),
                      ("DARK_GAP_LENGTH", "dark_gap_length_m")):
        assert result[name] == float(table.loc[key, "value"]), name
    assert result["P_CLASS"] == table.loc["p_class", "value"]
    prov, cli_prov = read_provenance(gpkg), read_provenance(cli_dir / "lighting.gpkg")
    for key in ("lighting.param.maintenance_factor", "lighting.param.cell_size_m",
                "lighting.param.photometry", "lighting.param.approach_distance_m",
                "osm_timestamp", "run.plugin_version"):
        assert prov[key] == cli_prov[key], key
    assert prov["lighting.param.maintenance_factor"] == "0.7"

    # The GeoTIFFs of both interfaces hold the same cells; the P class follows from them.
    cells = _cells(raster)
    assert cells.tolist() == _cells(cli_dir / "illuminance.tif").tolist()
    assert result["EAVG"] == pytest.approx(float(cells.mean()), abs=0.01)
    assert result["P_CLASS"] == _p_class(result["EAVG"], result["EMIN"])
    assert not (tmp_path / "semicylindrical.tif").exists()  # optional output not asked for

    assert Path(result["OUTPUT"]) == raster and raster.with_suffix(".qml").exists()
    layer = QgsRasterLayer(str(raster), "illuminance")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32635"
    assert layer.dataProvider().sourceHasNoDataValue(1)
    message, ok = layer.loadDefaultStyle()
    assert ok, message
    assert layer.renderer().type() == "singlebandpseudocolor"
    gaps = QgsVectorLayer(f"{gpkg}|layername=dark_gaps", "gaps", "ogr")
    assert gaps.isValid() and "length_m" in gaps.fields().names()
    cli_gaps = pyogrio.read_dataframe(cli_dir / "lighting.gpkg", layer="dark_gaps")
    assert gaps.featureCount() == len(cli_gaps) > 0
    lamps = QgsVectorLayer(f"{gpkg}|layername=lamps_used", "lamps", "ogr")
    assert lamps.isValid() and lamps.featureCount() == int(table.loc["lamp_count", "value"])
    assert set(lamps.uniqueValues(lamps.fields().indexOf("photometry"))) == {LDT.name}


def test_lightingmap_one_lamp_analytic(provider, run_alg, tmp_path):
    """One 8000 lm lamp 6 m above the centre cell (10.5, 10.5) of a 21 x 21 m square, MF 0.7,
    generic Lambertian distribution (I(gamma) = Phi MF cos(gamma) / pi), 1 m cells. A second
    lamp 0.3 m away is the same lamp mapped twice (dropped); a third 190 m north reaches
    nothing (its 0.01 lx reach is sqrt(sqrt(0.7 * 8000 * 36 / (pi 0.01)) - 36) = 50.0 m), so
    exactly 1 lamp is used.

    Under the lamp E = I(0) / h^2 = 0.7 * 8000 / (36 pi) = 49.515 lx. In the corner cells
    (d^2 = 200) E = 201600 / (pi 236^2) = 1.152 lx, the minimum. E avg over the 441 cells is
    10.04 lx, so by EN 13201-2 the class is P4 (E avg >= 5, E min >= 1; P3 needs E min 1.5)."""
    from qgis.core import QgsPointXY, QgsRasterLayer, QgsVectorLayer

    data = _write_place(tmp_path / "place.gpkg",
                        [(10.5, 10.5, 6.0, 8000.0), (10.8, 10.5, 6.0, 8000.0),
                         (10.5, 200.0, 6.0, 8000.0)])
    raster, sc = tmp_path / "e.tif", tmp_path / "esc.tif"
    gpkg = tmp_path / "out.gpkg"
    result = run_alg("amp:lightingmap", {
        "DATA": str(data), "CELL_SIZE": 1.0, "MAINTENANCE_FACTOR": 0.7,
        "OUTPUT": str(raster), "OUTPUT_SEMICYLINDRICAL": str(sc), "OUTPUT_LAYERS": str(gpkg)})
    layer = QgsRasterLayer(str(raster), "e")
    value, ok = layer.dataProvider().sample(QgsPointXY(10.5, 10.5), 1)
    assert ok and value == pytest.approx(0.7 * 8000 / (36 * math.pi), rel=1e-6)
    cells = _cells(raster)
    assert cells.size == 21 * 21
    corner = 0.7 * 8000 * 36 / (math.pi * (36 + 200) ** 2)
    assert float(cells.min()) == pytest.approx(corner, rel=1e-6)
    assert result["EMIN"] == round(corner, 3) == 1.152
    assert result["EAVG"] == pytest.approx(float(cells.mean()), abs=0.005)
    assert result["P_CLASS"] == _p_class(float(cells.mean()), float(cells.min())) == "P4"
    assert result["DARK_SHARE"] == 0.0 and result["DARK_GAP_LENGTH"] == 0.0
    assert Path(result["OUTPUT_SEMICYLINDRICAL"]) == sc and sc.with_suffix(".qml").exists()
    lamps = QgsVectorLayer(f"{gpkg}|layername=lamps_used", "lamps", "ogr")
    assert lamps.featureCount() == 1
    assert [f["osm_id"] for f in lamps.getFeatures()] == ["n0"]
    gaps = QgsVectorLayer(f"{gpkg}|layername=dark_gaps", "gaps", "ogr")
    assert gaps.isValid() and gaps.featureCount() == 0


def test_lightingmap_dark_gaps_along_a_footway(provider, run_alg, tmp_path):
    """The lamp of the test above over a footway from x = -40 to 60 m along y = 10.5 m. E < 1 lx
    beyond d where (h^2 + d^2)^2 = MF Phi h^2 / pi, i.e. d = 14.74 m: two dark stretches,
    -40 .. -4.24 (35.76 m) and 25.24 .. 60 (34.76 m), to within the 1 m sampling."""
    from qgis.core import QgsVectorLayer

    d_lit = math.sqrt(math.sqrt(0.7 * 8000 * 36 / math.pi) - 36)
    assert d_lit == pytest.approx(14.74, abs=0.01)
    data = _write_place(tmp_path / "place.gpkg", [(10.5, 10.5, 6.0, 8000.0)],
                        paths=[[(-40.0, 10.5), (60.0, 10.5)]])
    gpkg = tmp_path / "out.gpkg"
    result = run_alg("amp:lightingmap", {
        "DATA": str(data), "CELL_SIZE": 1.0, "MAINTENANCE_FACTOR": 0.7,
        "OUTPUT": str(tmp_path / "e.tif"), "OUTPUT_LAYERS": str(gpkg)})
    gaps = QgsVectorLayer(f"{gpkg}|layername=dark_gaps", "gaps", "ogr")
    assert gaps.featureCount() == 2
    lengths = sorted(f["length_m"] for f in gaps.getFeatures())
    assert lengths == pytest.approx(sorted([50.5 - d_lit, 49.5 - d_lit]), abs=1.0)
    assert result["DARK_GAP_LENGTH"] == pytest.approx(100 - 2 * d_lit, abs=2.0)


def test_lightingmap_errors_name_the_parameter(provider, run_alg, senaatintori_gpkg, tmp_path):
    """Engine errors end with the parameter to change."""
    from qgis.core import QgsProcessingException

    bad = tmp_path / "bad.ldt"
    text = LDT.read_text(encoding="latin-1").splitlines()
    bad.write_text("\n".join(text[:-10]) + "\n", encoding="latin-1")
    with pytest.raises(QgsProcessingException) as exc:
        run_alg("amp:lightingmap", {
            "DATA": str(senaatintori_gpkg), "LDT_FILE": str(bad),
            "OUTPUT": str(tmp_path / "e.tif"), "OUTPUT_LAYERS": str(tmp_path / "l.gpkg")})
    assert str(exc.value).startswith("bad.ldt is not a valid EULUMDAT file")
    assert str(exc.value).endswith("(parameter LDT_FILE)")
    with pytest.raises(QgsProcessingException) as exc:
        run_alg("amp:lightingmap", {
            "DATA": str(senaatintori_gpkg), "MAINTENANCE_FACTOR": 0.0,
            "OUTPUT": str(tmp_path / "e.tif"), "OUTPUT_LAYERS": str(tmp_path / "l.gpkg")})
    assert str(exc.value) == ("The maintenance factor must be more than 0 and at most 1, not 0.0. "
                              "(parameter MAINTENANCE_FACTOR)")
    assert not (tmp_path / "e.tif").exists() and not (tmp_path / "l.gpkg").exists()


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
