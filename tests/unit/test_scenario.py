"""Scenarios: the change each proposal makes, derived by hand, and bad scenario layers."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import rasterio
from shapely.geometry import LineString, Point

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.placedata import read_geopackage
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.scenario import apply_scenario


def _layer(rows, crs):
    return gpd.GeoDataFrame({"action": [r[0] for r in rows], "kind": [r[1] for r in rows],
                             "length_m": [r[2].get("length_m") for r in rows],
                             "height_m": [r[2].get("height_m") for r in rows],
                             "lumen": [r[2].get("lumen") for r in rows],
                             "use": [r[2].get("use", "") for r in rows]},
                            geometry=[r[3] for r in rows], crs=crs)


@pytest.fixture(scope="module")
def lamp_and_bench(senaatintori_gpkg, tmp_path_factory):
    """Senaatintori with one 8000 lm lamp 6 m high and one 2.0 m bench, via the CLI."""
    data = read_geopackage(senaatintori_gpkg)
    spot = data.place_polygon.representative_point()  # on the walkable square, not in a hole
    bench = Point(spot.x + 5, spot.y)
    folder = tmp_path_factory.mktemp("scenario")
    scenario = folder / "forslag.gpkg"
    _layer([("add", "lamp", {"height_m": 6.0, "lumen": 8000.0}, spot),
            ("add", "bench", {"length_m": 2.0}, bench)], data.crs).to_crs("EPSG:4326").to_file(
        scenario, driver="GPKG")
    out = folder / "out"
    assert main(["assess", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--scenario", str(scenario)]) == 0
    return spot, out


def test_one_more_lamp_adds_its_own_light_where_it_stands(lamp_and_bench):
    """E_h = Φ·MF·h² / (π·(h² + d²)²) for the generic Lambertian lamp (methodology §4.4): at the
    centre of the cell holding the lamp, d ≤ half a cell diagonal."""
    spot, out = lamp_and_bench
    with rasterio.open(out / "senaatintori-illuminance.tif") as a, \
            rasterio.open(out / "senaatintori-scenario-illuminance.tif") as b:
        assert a.transform == b.transform
        row, col = a.index(spot.x, spot.y)
        before, after = float(a.read(1)[row, col]), float(b.read(1)[row, col])
        cx, cy = a.xy(row, col)
    d2 = (cx - spot.x) ** 2 + (cy - spot.y) ** 2
    added = 8000 * 0.8 * 36 / (math.pi * (36 + d2) ** 2)  # MF 0.8 (lighting.json)
    assert after - before == pytest.approx(added, rel=1e-4)
    assert added > 50  # about 56.6 lx right under the lamp


def test_one_bench_adds_its_length_to_the_seating_supply(lamp_and_bench):
    import pyogrio

    _, out = lamp_and_bench
    diff = pyogrio.read_dataframe(out / "senaatintori-scenario.gpkg", layer="scenario_diff",
                                  read_geometry=False)
    before = pyogrio.read_dataframe(out / "senaatintori.gpkg", layer="figures",
                                    read_geometry=False).set_index("key")
    after = pyogrio.read_dataframe(out / "senaatintori-scenario.gpkg", layer="figures",
                                   read_geometry=False).set_index("key")
    assert float(after.loc["linear_seating_m", "value"]) - \
        float(before.loc["linear_seating_m", "value"]) == pytest.approx(2.0)
    c1 = diff[(diff.level == "indicator") & (diff.key == "C1")].iloc[0]
    assert c1.score_after > c1.score_before
    changes = pyogrio.read_dataframe(out / "senaatintori-scenario.gpkg", layer="scenario_changes")
    assert sorted(changes.kind) == ["bench", "lamp"] and set(changes.action) == {"add"}


def test_remove_and_facade(senaatintori_gpkg):
    data = read_geopackage(senaatintori_gpkg)
    lamp = data["lamps"].geometry.iloc[0]
    building = data["buildings"].geometry.iloc[0]
    wall = building.exterior if building.geom_type == "Polygon" else building.geoms[0].exterior
    on_wall = wall.interpolate(0.5, normalized=True)
    result = apply_scenario(data, _layer([("remove", "lamp", {}, Point(lamp.x + 1, lamp.y)),
                                          ("add", "facade", {"use": "food_drink"}, on_wall)],
                                         data.crs))
    assert len(result.data["lamps"]) == len(data["lamps"]) - 1
    new = result.data["pois"][result.data["pois"].source == "scenario"]
    assert list(new.category) == ["food_drink"]
    assert new.geometry.iloc[0].distance(wall) < 1e-6
    assert len(data["pois"]) == len(result.data["pois"]) - 1  # the input is untouched


@pytest.mark.parametrize("rows, words", [
    ([("move", "lamp", {}, Point(0, 0))], "action 'move' is not one of add, remove"),
    ([("add", "statue", {}, Point(0, 0))], "kind 'statue' is not one of bench, lamp"),
    ([("remove", "lamp", {}, Point(0, 0))], "none is within 3 m"),
    ([("add", "facade", {"use": "retail"}, Point(0, 0))], "no building is within 10 m"),
    ([("add", "facade", {"use": "casino"}, Point(0, 0))], "without a known use ('casino')"),
    ([("add", "bench", {}, LineString([(0, 0), (1, 1)]))], "Row 1 of the scenario layer is not a point"),
])
def test_bad_scenarios_name_the_row_and_the_problem(senaatintori_gpkg, rows, words):
    data = read_geopackage(senaatintori_gpkg)
    with pytest.raises(InputError) as err:
        apply_scenario(data, _layer(rows, data.crs))
    assert words in str(err.value)
    assert "scenario" in err.value.options
