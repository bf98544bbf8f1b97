"""``amp-place sightlines`` on Senaatintori: what it prints is what it writes is what the engine
computes; errors name the concept and the command's flag."""

from __future__ import annotations

import math

import pytest

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.outputs import read_figures, read_provenance


def _printed(row) -> str:
    """The line the CLI prints for one row of the figures table (one decimal, as Figure.line)."""
    value = row["value"]
    if value == "":
        text = "no data"
    else:
        number = float(value)
        text = f"{number:.1f}" if ("." in value or "e" in value) else value
        text = f"{text} {row['unit']}".strip()
    return f"  {row['label']}: {text}"


@pytest.fixture(scope="module")
def cli_run(senaatintori_gpkg, tmp_path_factory):
    """One CLI run with the defaults: (exit code, stdout, output folder)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("cli_sightlines") / "out"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["sightlines", "--data", str(senaatintori_gpkg), "--out", str(out)])
    return code, buffer.getvalue(), out


def test_printed_figures_are_the_written_table(cli_run):
    """Every row of the 'figures' table is printed, with its label and value to one decimal."""
    code, text, out = cli_run
    assert code == 0
    figures = read_figures(out / "sightlines.gpkg")
    assert list(figures["key"]) == [
        "visible_from_streets_pct", "prospect_pct", "mean_isovist_area_m2",
        "concealment_pockets_per_1000m2", "occlusivity_pct", "mean_occlusivity_m",
        "mean_compactness", "mean_max_radial_m", "active_frontage_in_view_m", "seats_in_view"]
    for _, row in figures.iterrows():
        assert _printed(row) in text, row["key"]
    assert (figures["theme"] == "sightlines").all()
    assert f"Wrote {out / 'isovist_area.tif'}" in text
    assert f"Wrote {out / 'sightlines.gpkg'}" in text
    assert text.startswith("Sightlines of Senaatintori (2 m grid, radius 100 m, 1671 observers):")


def test_written_figures_are_the_engine_figures(cli_run, senaatintori_data):
    """The table holds exactly the engine's values (same text), thresholds and sources."""
    from amp_qgis_plugin.core.indicators.sightlines import compute_sightlines

    _, _, out = cli_run
    figures = read_figures(out / "sightlines.gpkg").set_index("key")
    engine = compute_sightlines(senaatintori_data)
    for fig in engine.figures:
        row = figures.loc[fig.key]
        assert row["value"] == ("" if fig.value is None else str(fig.value)), fig.key
        assert row["label"] == fig.label
        assert row["source"] == fig.source
    # The frontage figure is no data without a frontage layer: empty, never 0.
    assert figures.loc["active_frontage_in_view_m", "value"] == ""
    assert figures.loc["visible_from_streets_pct", "label"] == (
        "Share of the walkable place visible from adjacent streets (all-direction proxy for "
        "§37-715's perpendicular view)")
    assert "proxy for the perpendicular view" in figures.loc["visible_from_streets_pct", "source"]


def test_raster_and_provenance(cli_run, senaatintori_data):
    """The GeoTIFF holds the engine's isovist areas (nodata elsewhere); every option is in the
    provenance with its data-file default."""
    import numpy as np
    import rasterio

    from amp_qgis_plugin.core.indicators.sightlines import compute_sightlines

    _, _, out = cli_run
    expected = compute_sightlines(senaatintori_data).rasters["isovist_area"].array
    with rasterio.open(out / "isovist_area.tif") as src:
        band = src.read(1, masked=True)
    assert np.array_equal(band.mask, ~np.isfinite(expected))
    assert np.allclose(band.filled(np.nan)[np.isfinite(expected)],
                       expected[np.isfinite(expected)], rtol=1e-6)
    assert (out / "isovist_area.qml").exists()
    prov = read_provenance(out / "sightlines.gpkg")
    assert {k: prov[f"sightlines.param.{k}"] for k in
            ("radius_m", "cell_size_m", "street_buffer_m", "street_spacing_m", "use_barriers")} \
        == {"radius_m": "100.0", "cell_size_m": "2.0", "street_buffer_m": "30.0",
            "street_spacing_m": "2.0", "use_barriers": "False"}
    assert prov["sightlines.param.observers"] == "1671"
    assert prov["place_name"] == "Senaatintori"


def test_flags_set_the_options():
    """--walls/--no-walls and the numeric flags reach the options; defaults from the data file."""
    from amp_qgis_plugin.cli import build_parser
    from amp_qgis_plugin.commands._options import options_from_args
    from amp_qgis_plugin.core.indicators.sightlines import SightlineOptions

    base = ["sightlines", "--data", "x.gpkg", "--out", "o"]
    args = build_parser().parse_args(base)
    assert options_from_args(SightlineOptions, args) == SightlineOptions()
    args = build_parser().parse_args(base + ["--walls", "--radius", "50", "--cell-size", "1",
                                             "--street-buffer", "10", "--street-spacing", "4"])
    assert options_from_args(SightlineOptions, args) == SightlineOptions(
        radius_m=50, cell_size_m=1, street_buffer_m=10, street_spacing_m=4, use_barriers=True)
    args = build_parser().parse_args(base + ["--no-walls"])
    assert args.use_barriers is False


@pytest.mark.parametrize("flags, start, end", [
    (["--cell-size", "0.001"], "amp-place sightlines: A 0.001 m grid over 118 m × 61 m would have",
     "use a larger cell size (at least 0.019 m). (--cell-size)"),
    (["--cell-size", "60"], "amp-place sightlines: The grid cell size must be more than 0 and at "
     "most 50 m, not 60.0.", "(--cell-size)"),
    (["--radius", "5", "--cell-size", "5"], "amp-place sightlines: The grid cell size (5 m) must "
     "be smaller than the visibility radius (5 m).", "(--cell-size, --radius)"),
])
def test_errors_name_the_flag(senaatintori_gpkg, tmp_path, capsys, flags, start, end):
    """Engine messages in concept words, with the command's flags appended; nothing written."""
    out = tmp_path / "o"
    code = main(["sightlines", "--data", str(senaatintori_gpkg), "--out", str(out), *flags])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith(start) and err.endswith(end), err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def test_missing_frontage_file_names_the_flag(senaatintori_gpkg, tmp_path, capsys):
    missing = tmp_path / "frontage.gpkg"
    code = main(["sightlines", "--data", str(senaatintori_gpkg), "--out", str(tmp_path / "o"),
                 "--frontage", str(missing)])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        f"amp-place sightlines: The frontage file was not found: {missing} (--frontage)")


def test_frontage_from_the_frontage_command(senaatintori_gpkg, tmp_path, capsys):
    """The frontage command's GeoPackage feeds --frontage: metres of active frontage in view
    becomes a number, at most the total active frontage length of the layer."""
    import geopandas as gpd

    front = tmp_path / "frontage.gpkg"
    assert main(["frontage", "--data", str(senaatintori_gpkg), "--out", str(front)]) == 0
    out = tmp_path / "o"
    assert main(["sightlines", "--data", str(senaatintori_gpkg), "--out", str(out), "--cell-size",
                 "4", "--frontage", str(front)]) == 0
    capsys.readouterr()
    figures = read_figures(out / "sightlines.gpkg").set_index("key")
    seen = float(figures.loc["active_frontage_in_view_m", "value"])
    layer = gpd.read_file(front, layer="frontage")
    active = float(layer.loc[layer["active"] == 1].geometry.length.sum())
    assert active > 0
    assert 0 < seen <= active + 1e-6
    assert not math.isnan(seen)
