"""The amp-place command line, run as a user runs it (a subprocess) and in-process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.placedata import read_geopackage


def amp(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "amp_qgis_plugin", *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_help_lists_commands():
    result = amp("--help")
    assert result.returncode == 0
    assert "fetch" in result.stdout


def test_fetch_by_name(tmp_path, sample_osm):
    out = tmp_path / "s.gpkg"
    result = amp("fetch", "--osm", str(sample_osm), "--place-name", "Senaatintori", "--radius",
                 "250", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout and "lamps" in result.stdout
    data = read_geopackage(out)
    assert data.provenance["study_radius_m"] == "250"  # --radius without --point: study area


def test_fetch_by_point_radius(tmp_path, sample_osm, capsys):
    out = tmp_path / "p.gpkg"
    code = main(["fetch", "--osm", str(sample_osm), "--point", "24.9525,60.1695", "--radius", "25",
                 "--study-radius", "120", "--out", str(out)])
    assert code == 0
    data = read_geopackage(out)
    assert data.place_polygon.area == pytest.approx(3.14159 * 25 ** 2, rel=0.01)
    assert data.provenance["study_radius_m"] == "120"


@pytest.mark.parametrize("args, words", [
    (["--place-name", "Kauppatori"], "cut by the edge"),
    # the engine names the concept, the CLI adds its own flags
    (["--place-name", "Mikonkatu"],
     "Give the place as a polygon, or as a point and a radius. (--place FILE, --point LON,LAT, "
     "--radius M)"),
    (["--place-name", "Senaatintori", "--point", "1,2", "--radius", "3"], "exactly one place"),
    (["--point", "abc", "--radius", "3"], "LON,LAT"),
    (["--point", "24.95,60.17"], "--radius"),
    (["--place-name", "Senaatintori", "--municipal", "x.gpkg"], "--mapping"),
])
def test_errors_are_one_line_with_exit_1(tmp_path, sample_osm, args, words):
    out = tmp_path / "x.gpkg"
    result = amp("fetch", "--osm", str(sample_osm), *args, "--out", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert not out.exists()


def test_missing_osm_file(tmp_path):
    result = amp("fetch", "--osm", str(tmp_path / "none.osm.pbf"), "--place-name", "X", "--out",
                 str(tmp_path / "x.gpkg"))
    assert result.returncode == 1 and "not found" in result.stderr


def test_presets_list_copy_and_use(tmp_path, sample_osm):
    """A planner copies a bundled preset into their folder, then fetch finds it by name."""
    import geopandas as gpd
    from shapely.geometry import Point

    mine = tmp_path / "mappings"
    listed = amp("presets", "--mapping-dir", str(mine))
    assert listed.returncode == 0 and "lamp-register-example  (lamps, replace, bundled)" in listed.stdout
    copied = amp("presets", "--mapping-dir", str(mine), "--copy", "lamp-register-example", "stad-lampor")
    assert copied.returncode == 0 and (mine / "stad-lampor.json").exists()
    assert "stad-lampor  (lamps, replace, yours)" in amp("presets", "--mapping-dir", str(mine)).stdout
    # a two-lamp register at Senaatintori replaces the OSM lamps in the study area
    register = tmp_path / "lampor.geojson"
    gpd.GeoDataFrame({"hojd": [8.0, 10.0], "lumen": [6000, 9000], "effekt_w": [45, 70],
                      "armatur": ["LED", "LED"], "optik": ["", ""]},
                     geometry=[Point(24.9521, 60.1692), Point(24.9530, 60.1697)],
                     crs="EPSG:4326").to_file(register, driver="GeoJSON")
    out = tmp_path / "s.gpkg"
    result = amp("fetch", "--osm", str(sample_osm), "--place-name", "Senaatintori", "--radius", "200",
                 "--municipal", str(register), "--mapping", "stad-lampor", "--mapping-dir", str(mine),
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    lamps = read_geopackage(out)["lamps"]
    assert sorted(lamps["height_m"]) == [8.0, 10.0] and set(lamps["source"]) == {"stad-lampor"}


def test_unknown_preset_lists_the_known_ones(tmp_path):
    result = amp("presets", "--mapping-dir", str(tmp_path), "--show", "nope")
    assert result.returncode == 1 and "lamp-register-example" in result.stderr


def test_frontage_command_writes_figures_and_provenance(senaatintori_gpkg, tmp_path, capsys):
    """``amp-place frontage``: the figures printed, written and computed directly are the same."""
    from amp_qgis_plugin.core.indicators.frontage import FrontageOptions, compute_frontage
    from amp_qgis_plugin.core.outputs import read_figures, read_provenance

    out = tmp_path / "frontage.gpkg"
    assert main(["frontage", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--segment-length", "5"]) == 0
    printed = capsys.readouterr().out
    direct = compute_frontage(read_geopackage(senaatintori_gpkg),
                              FrontageOptions(segment_length_m=5))
    figures = read_figures(out).set_index("key")
    for fig in direct.figures:
        written = figures.loc[fig.key]
        assert written["theme"] == "frontage"
        assert written["formatted"] == fig.formatted(digits=2)
        assert written["source"] == fig.source
        assert fig.line() in printed
    assert float(figures.loc["active_share", "value"]) == pytest.approx(direct.value("active_share"))
    prov = read_provenance(out)
    assert prov["frontage.param.segment_length_m"] == "5.0"
    assert prov["frontage.param.max_distance_m"] == "30.0"  # edge_buffer in frontage.json
    assert prov["place_name"] == "Senaatintori"
    assert prov["osm_timestamp"].startswith("2019-")
    assert prov["run.plugin_version"]
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"frontage", "figures", "provenance", "layer_styles"} <= layers
