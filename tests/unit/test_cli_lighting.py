"""``amp-place lighting`` in-process: the files of ``--out DIR``, the figures as printed, written
and as the engine computes them (compute_lighting called directly), and the errors with their
flags."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.placedata import PlaceData, read_geopackage, write_geopackage
from amp_qgis_plugin.core.indicators.lighting import LightingOptions, compute_lighting
from amp_qgis_plugin.core.outputs import read_figures, read_provenance

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "lighting"
LDT = FIX / "symmetric_post_top.ldt"
CRS = "EPSG:3006"


def _table_value(fig) -> str:
    """A figure's value as the ``figures`` table stores it ("no data" is empty)."""
    return "" if not fig.has_data else str(fig.value)


def _check_figures(gpkg: Path, stdout: str, result) -> None:
    """The GeoPackage's figures equal ``result``'s and the printed lines are its lines."""
    table = read_figures(gpkg)
    assert list(table["theme"]) == ["lighting"] * len(result.figures)
    assert list(table["key"]) == [f.key for f in result.figures]
    assert list(table["value"]) == [_table_value(f) for f in result.figures]
    assert list(table["threshold"]) == ["" if f.threshold is None else str(f.threshold)
                                        for f in result.figures]
    assert list(table["source"]) == [f.source for f in result.figures]
    printed = [line for line in stdout.splitlines() if line.startswith("  ")]
    assert printed == [f"  {line}" for line in result.lines()]


def test_senaatintori_cli_equals_engine(senaatintori_gpkg, tmp_path, capsys):
    """``--out DIR`` gets lighting.gpkg (dark_gaps, lamps_used, figures, provenance) and both
    GeoTIFFs with their styles; every figure equals compute_lighting's on the same PlaceData
    with the same options (cell 2 m, the post-top file for lamp type post_top, MF 0.7)."""
    import rasterio

    out = tmp_path / "light"
    rc = main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(out),
               "--cell-size", "2", "--ldt", f"post_top={LDT}", "--maintenance-factor", "0.7"])
    stdout = capsys.readouterr().out
    assert rc == 0
    for name in ("illuminance.tif", "illuminance.qml", "semicylindrical.tif",
                 "semicylindrical.qml", "lighting.gpkg"):
        assert (out / name).exists(), name
    gpkg = out / "lighting.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    assert {"dark_gaps", "lamps_used", "figures", "provenance"} <= set(layers)
    assert "lighting_figures" not in layers
    assert layers["dark_gaps"] == "MultiLineString" and layers["lamps_used"] == "Point"

    data = read_geopackage(senaatintori_gpkg)
    result = compute_lighting(data, LightingOptions(cell_size_m=2.0, maintenance_factor=0.7,
                                                    photometry={"post_top": str(LDT)}))
    _check_figures(gpkg, stdout, result)
    assert stdout.splitlines()[0] == "Lighting of Senaatintori (2 m grid):"
    assert f"Wrote {gpkg} (layers, figures, provenance)" in stdout
    assert len(pyogrio.read_dataframe(gpkg, layer="dark_gaps")) == len(result.layers["dark_gaps"])
    lamps = pyogrio.read_dataframe(gpkg, layer="lamps_used")
    assert len(lamps) == result.value("lamp_count")
    assert set(lamps["mf"]) == {0.7}

    with rasterio.open(out / "illuminance.tif") as src:
        e = src.read(1, masked=True).compressed()
    assert e.size == int(result.parameters["cells"])
    assert float(e.mean()) == pytest.approx(result.value("eavg"), abs=0.01)

    prov = read_provenance(gpkg)
    assert prov["lighting.param.maintenance_factor"] == "0.7"
    assert prov["lighting.param.cell_size_m"] == "2.0"
    assert prov["lighting.param.approach_distance_m"] == "50.0"
    assert prov["lighting.param.photometry"] == f"post_top={LDT}"
    assert prov["run.plugin_version"] == __version__
    assert prov["osm_timestamp"] == data.provenance["osm_timestamp"] == "2019-04-21T09:50:14+00:00"
    assert prov["lighting.figure.eavg"] == result.figure("eavg").formatted(digits=2)


def test_help_shows_the_data_file_defaults(capsys):
    """The defaults in --help are lighting.json's (1 m cells, MF 0.8, approach 50 m)."""
    with pytest.raises(SystemExit):
        main(["lighting", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "grid cell size (default 1 m)" in text
    assert "maintenance factor applied to every lamp (default 0.8)" in text
    assert "include walkable paths within this distance of the place (default 50 m)" in text


# ----------------------------------------------------------------------------- hand-built places


def _write_place(path: Path, side: float, lamps=()) -> Path:
    """A ``side`` x ``side`` m square at (0, 0) in SWEREF 99 TM with lamps (x, y, height, lm)."""
    data = PlaceData(crs=CRS)
    sq = box(0, 0, side, side)
    data["place"] = gpd.GeoDataFrame({"name": ["Testtorget"]}, geometry=[sq], crs=CRS)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Testtorget"]}, geometry=[sq.buffer(300)],
                                          crs=CRS)
    if lamps:
        data["lamps"] = gpd.GeoDataFrame(
            {"osm_id": [f"n{i}" for i in range(len(lamps))],
             "height_m": [lamp[2] for lamp in lamps], "lumen": [lamp[3] for lamp in lamps]},
            geometry=[Point(lamp[0], lamp[1]) for lamp in lamps], crs=CRS)
    data.provenance["osm_timestamp"] = "2024-01-01T00:00:00+00:00"
    return write_geopackage(data, path)


def test_one_lamp_square_read_back_from_the_geotiff(tmp_path, capsys):
    """A 21 x 21 m square with one 8000 lm lamp 6 m above the centre cell (10.5, 10.5), MF 0.7
    and the generic Lambertian distribution, 1 m cells: under the lamp E = MF Phi / (pi h^2) =
    0.7 * 8000 / (36 pi) = 49.515 lx; in the corner cells (d^2 = 200)
    E = MF Phi h^2 / (pi (h^2 + d^2)^2) = 201600 / (pi 236^2) = 1.1522 lx."""
    import rasterio

    gpkg = _write_place(tmp_path / "place.gpkg", 21.0, [(10.5, 10.5, 6.0, 8000.0)])
    out = tmp_path / "out"
    assert main(["lighting", "--data", str(gpkg), "--out", str(out),
                 "--maintenance-factor", "0.7"]) == 0
    capsys.readouterr()
    with rasterio.open(out / "illuminance.tif") as src:
        e = src.read(1, masked=True)
        row, col = src.index(10.5, 10.5)
    assert e.count() == 21 * 21
    assert float(e[row, col]) == pytest.approx(0.7 * 8000 / (36 * math.pi), rel=1e-6)
    assert float(e.min()) == pytest.approx(201600 / (math.pi * 236 ** 2), rel=1e-6)
    table = read_figures(out / "lighting.gpkg").set_index("key")
    assert float(table.loc["emin", "value"]) == round(float(e.min()), 3)
    assert float(table.loc["eavg", "value"]) == pytest.approx(float(e.mean()), abs=0.005)


def test_no_lamps_writes_no_raster(tmp_path, capsys):
    """A place without lamps: the GeoPackage with "no data" figures, no GeoTIFF at all."""
    gpkg = _write_place(tmp_path / "place.gpkg", 40.0)
    out = tmp_path / "out"
    assert main(["lighting", "--data", str(gpkg), "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert not list(out.glob("*.tif"))
    assert "No illuminance map written: no lamp data" in stdout
    table = read_figures(out / "lighting.gpkg").set_index("key")
    for key in ("lamp_count", "eavg", "emin", "u0", "dark_share", "esc_min"):
        assert table.loc[key, "value"] == "" and table.loc[key, "formatted"] == "no data"
    assert len(pyogrio.read_dataframe(out / "lighting.gpkg", layer="dark_gaps")) == 0


def test_errors_name_the_flag(senaatintori_gpkg, tmp_path, capsys):
    """Engine errors are one line on stderr with the flag of the option concerned."""
    out = tmp_path / "light"
    assert main(["lighting", "--data", str(tmp_path / "missing.gpkg"), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip().endswith("(--data)")

    missing = tmp_path / "none.ldt"
    assert main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--ldt", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"amp-place lighting: Photometric file not found: {missing} (for every other lamp). "
        "(--ldt)")
    assert main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--ldt", f"post_top={missing}"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"amp-place lighting: Photometric file not found: {missing} (for lamp type 'post_top'). "
        "(--ldt)")

    assert main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--cell-size", "0"]) == 1
    assert capsys.readouterr().err.strip() == (
        "amp-place lighting: The grid cell size must be 0.1 to 50 m, not 0.0. (--cell-size)")
    assert main(["lighting", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--maintenance-factor", "1.2"]) == 1
    assert capsys.readouterr().err.strip() == (
        "amp-place lighting: The maintenance factor must be more than 0 and at most 1, not 1.2. "
        "(--maintenance-factor)")
    assert not out.exists()


def test_grid_too_fine_names_the_cell_size_flag(tmp_path, capsys):
    """320 x 320 m at 0.1 m is 10,240,000 cells, above lighting.json's 10,000,000 (see
    test_lighting.test_grid_too_fine_for_the_area_names_the_cell_size for the numbers)."""
    gpkg = _write_place(tmp_path / "big.gpkg", 320.0, [(160.0, 160.0, 6.0, 4000.0)])
    assert main(["lighting", "--data", str(gpkg), "--out", str(tmp_path / "out"),
                 "--cell-size", "0.1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("amp-place lighting: The illuminance grid over the walkable area "
                          "(320 x 320 m) would have 10,240,000 cells of 0.1 m")
    assert err.endswith("use a larger cell size (at least 0.11 m). (--cell-size)")
