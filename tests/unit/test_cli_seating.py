"""``amp-place seating`` in-process: one GeoPackage with both themes, the figures as printed and
as the engine computes them (compute_seating and compute_amenities called directly)."""

from __future__ import annotations

import pyogrio
import pytest

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.placedata import read_geopackage
from amp_qgis_plugin.core.indicators.amenities import AmenityOptions, compute_amenities
from amp_qgis_plugin.core.indicators.seating import SeatingOptions, compute_seating
from amp_qgis_plugin.core.outputs import read_figures, read_provenance

CRS = "EPSG:3006"


def _table_value(fig) -> str:
    """A figure's value as the ``figures`` table stores it ("no data" is empty)."""
    return "" if not fig.has_data else str(fig.value)


def _check_output(out, stdout, results) -> None:
    """The GeoPackage's figures equal ``results`` and the printed lines are their lines."""
    table = read_figures(out)
    figs = [(r.theme, f) for r in results for f in r.figures]
    assert list(zip(table["theme"], table["key"])) == [(t, f.key) for t, f in figs]
    assert list(table["value"]) == [_table_value(f) for _, f in figs]
    assert list(table["threshold"]) == ["" if f.threshold is None else str(f.threshold)
                                        for _, f in figs]
    assert list(table["source"]) == [f.source for _, f in figs]
    printed = [line for line in stdout.splitlines() if line.startswith("  ")]
    assert printed == [f"  {line}" for r in results for line in r.lines()]
    assert set(table["theme"]) == {"seating", "amenities"}


def test_senaatintori_cli_equals_engine(senaatintori_gpkg, tmp_path, capsys):
    out = tmp_path / "seating.gpkg"
    assert main(["seating", "--data", str(senaatintori_gpkg), "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    data = read_geopackage(senaatintori_gpkg)
    results = [compute_seating(data), compute_amenities(data)]
    _check_output(out, stdout, results)
    table = read_figures(out).set_index("key")
    # the corrected NYC requirements (see tests/unit/test_seating.py for the hand derivation)
    assert table.loc["linear_seating_m", "threshold"] == "733.4"
    assert table.loc["seating_per_100m2", "threshold"] == "10.94"
    assert table.loc["trees", "threshold"] == "70" and table.loc["bins", "threshold"] == "38"
    assert table.loc["linear_seating_m", "value"] == "0.0"
    assert table.loc["reasons_to_be_there", "value"] == "5"
    assert table.loc["backs_share", "verified"] == "False"
    prov = read_provenance(out)
    assert prov["seating.param.default_bench_length_m"] == "1.8"
    assert prov["seating.param.bin_reach_m"] == "15.24"
    assert prov["amenities.param.food_edge_m"] == "15.0"
    assert prov["seating.figure.linear_seating_m"] == "0.00 m"
    assert prov["amenities.figure.trees"] == "0 trees"
    assert pyogrio.read_info(out, layer="seating_audit")["geometry_type"] == "Point"


def test_options_reach_the_engine_and_the_output(seating_scene_gpkg, tmp_path, capsys):
    gpkg = seating_scene_gpkg
    out = tmp_path / "out.gpkg"
    assert main(["seating", "--data", gpkg, "--out", str(out), "--bench-length", "2",
                 "--cafe-seating", "3", "--food-edge", "25"]) == 0
    stdout = capsys.readouterr().out
    data = read_geopackage(gpkg)
    results = [compute_seating(data, SeatingOptions(default_bench_length_m=2.0, cafe_seating_m=3.0)),
               compute_amenities(data, AmenityOptions(food_edge_m=25.0))]
    _check_output(out, stdout, results)
    table = read_figures(out).set_index("key")
    # 3 x 0.6 + 2.0 (bench without seats) + 3.6 (picnic table) + 3.0 (café credit) = 10.4 m
    assert float(table.loc["linear_seating_m", "value"]) == pytest.approx(10.4)
    # bench (with and without back: one type) + picnic table; the café is not a type
    assert table.loc["seating_types", "value"] == "2"
    # backed 1.8 m of 1.8 + 2.0 m with backrest tagged
    assert float(table.loc["backs_share", "value"]) == pytest.approx(1.8 / 3.8 * 100)
    # the café (10 m) and the restaurant (20 m) within 25 m
    assert table.loc["food_pois", "value"] == "2"
    assert table.loc["trees", "value"] == "1" and table.loc["bins", "value"] == "1"
    # 9,687.5 sq ft: 4 + round(3,687.5 / 1,000) = 8 trees; 4 + ceil(3,687.5 / 2,000) = 6 bins
    assert table.loc["trees", "threshold"] == "8" and table.loc["bins", "threshold"] == "6"
    prov = read_provenance(out)
    assert prov["seating.param.default_bench_length_m"] == "2.0"
    assert prov["seating.param.cafe_seating_m"] == "3.0"
    assert prov["amenities.param.food_edge_m"] == "25.0"
    audit = pyogrio.read_dataframe(out, layer="seating_audit")
    assert sorted(audit["audit_type"]) == ["bench", "bench_backed", "cafe_outdoor", "picnic_table"]


def test_bad_option_is_one_line_naming_the_flag(seating_scene_gpkg, tmp_path, capsys):
    gpkg = seating_scene_gpkg
    out = tmp_path / "out.gpkg"
    assert main(["seating", "--data", gpkg, "--out", str(out), "--bench-length", "0"]) == 1
    err = capsys.readouterr().err
    assert err == ("amp-place seating: The default bench length must be more than 0 and at most "
                   "20 m, not 0.0. (--bench-length)\n")
    assert not out.exists()


def test_missing_data_file_names_the_flag(tmp_path, capsys):
    missing = tmp_path / "none.gpkg"
    out = tmp_path / "out.gpkg"
    assert main(["seating", "--data", str(missing), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"amp-place seating: PlaceData file not found: {missing}.")
    assert err.endswith(" (--data)\n") and not out.exists()
