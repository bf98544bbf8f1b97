"""Walking access (methodology §8.4): hand-built streets with distances derived by hand, bad
input (disconnected network, no path into the place, population layers), and Senaatintori."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
import pytest
from shapely.geometry import LineString, Point, Polygon, box
from walk_grid import CRS, centre_place, grid_paths

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators.access import AccessOptions, compute_access, incline_percent
from amp_qgis_plugin.core.indicators.population import load_population
from amp_qgis_plugin.core.indicators.registry import INDICATORS
from amp_qgis_plugin.core.outputs import read_figures, write_results

POPULATION = Path(__file__).resolve().parents[1] / "fixtures" / "population" / \
    "helsinki_population_grid_2020.gpkg"


def grid_data(place: Polygon | None = None, paths: gpd.GeoDataFrame | None = None,
              stops=None) -> PlaceData:
    """The 9 x 9 grid of 100 m streets with a place (default: the 20 m square at its centre)."""
    data = PlaceData(crs=CRS)
    data["place"] = gpd.GeoDataFrame({"name": ["Grid square"], "kind": ["square"]},
                                     geometry=[place or centre_place()], crs=CRS)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Grid square"], "radius_m": [800.0]},
                                          geometry=[box(-100, -100, 900, 900)], crs=CRS)
    data["paths"] = grid_paths() if paths is None else paths
    if stops is None:
        stops = [("n1", "Torget", "bus", "low", Point(750, 404)),   # 4 m beside the row y = 400
                 ("n2", "Torget", "bus", "low", Point(750, 396)),   # the stop across the street
                 ("n3", "", "tram", "low", Point(400, 896)),        # 96 m from any path
                 ("n4", "Station", "rail", "high", Point(0, 803))]  # 3 m from the corner (0, 800)
    data["transit_stops"] = gpd.GeoDataFrame(
        {"osm_id": [s[0] for s in stops], "name": [s[1] for s in stops],
         "mode": [s[2] for s in stops], "capacity": [s[3] for s in stops]},
        geometry=[s[4] for s in stops], crs=CRS)
    return data


def values(result) -> dict:
    return {f.key: f.value for f in result.figures}


def test_grid_figures_by_hand():
    """Entrances 10 m east, west, north and south of the centre node (400, 400).

    - bus stop (750, 404): east entrance -> (700, 400) is 290 m, + 50 m along the row, + 4 m to
      the stop = 344 m; its twin across the street has the same name: one stop within 500 m;
    - rail station (0, 803): the corner (0, 800) is 8 blocks away, 790 m, + 3 m = 793 m;
    - the tram stop 96 m from every path is not reached (a warning).
    """
    result = compute_access(grid_data())
    v = values(result)
    assert v["nearest_lowcap_stop_m"] == pytest.approx(344.0)
    assert v["lowcap_stops_within"] == 1
    assert v["nearest_highcap_stop_m"] == pytest.approx(793.0)
    assert v["highcap_stops_within"] == 1
    assert v["entrances"] == 4 and v["entrance_sides"] == 4
    assert v["step_free_entrances_share"] == 100.0 and v["step_free_reach_share"] == 100.0
    assert v["network_coverage"] == pytest.approx(100.0)
    assert v["dead_end_share"] == 0.0
    assert result.warnings == ["1 public-transport stop(s) lie farther than 50 m from every "
                               "walkable path and are not reached."]
    # no population layer, no kerb, incline or surface tags: no data, never 0
    for key in ("population_short", "population_long", "population_short_older",
                "population_long_older", "lowered_kerbs_share", "gentle_gradient_share",
                "firm_surface_share"):
        assert v[key] is None, key
    assert result.figure("population_long").note == "no data: no population layer given"
    # 8 of the 15 access figures (A1 x4, A3 x2, A5 x2) have data
    assert v["data_coverage"] == pytest.approx(100.0 * 8 / 15)
    stops = result.layers["transit_access"].set_index("osm_id")
    assert stops.loc["n1", "path_gap_m"] == pytest.approx(4.0) and stops.loc["n1", "within"] == 1
    assert np.isnan(stops.loc["n3", "distance_m"]) and stops.loc["n3", "within"] == 0


def test_catchments_layer_by_hand():
    """5 min at 1.3 m/s = 390 m: 64 whole blocks of street (6,400 m); 5 min at 0.9 m/s =
    270 m: 1,600 m whole plus 20 ends of 80 m (3,200 m)."""
    result = compute_access(grid_data())
    catch = result.layers["catchments"].set_index("key")
    assert catch.loc["short", "metres"] == 390.0 and catch.loc["long", "metres"] == 780.0
    assert catch.loc["short_older", "metres"] == 270.0 and catch.loc["long_older", "metres"] == 540.0
    assert catch.loc["short", "reached_length_m"] == pytest.approx(6400.0)
    assert catch.loc["short_older", "reached_length_m"] == pytest.approx(3200.0)
    assert (catch.speed_mps.tolist(), catch.minutes.tolist()) == ([1.3, 1.3, 0.9, 0.9], [5.0, 10.0, 5.0, 10.0])
    assert catch.geometry.is_valid.all() and (catch.geometry.geom_type == "MultiPolygon").all()
    nodes = result.layers["catchment_nodes"]
    centre = nodes.loc[(nodes.geometry.x == 400) & (nodes.geometry.y == 400)].iloc[0]
    assert centre.distance_m == 10.0 and centre.minutes_standard == pytest.approx(10 / 1.3 / 60)
    # every grid node within 8 blocks (780 m) of the centre, and the 4 entrances
    assert len(nodes) == 81 - 4 + 4  # the four corners are 790 m away


def test_steps_into_the_place_by_hand():
    """The street entering the place from the east is a flight of steps (w7, 400-500 m).

    Step-free, the east axis is reached round a block: (500, 400) at 90 + 100 + 100 = 290 m
    instead of 90, (600, 400) at 390 instead of 190, (700, 400) not within 390 m. So the
    steps (100 m), the axis from 600 to 800 m (200 m) and the two blocks leaving (700, 400)
    north and south (200 m) are lost: 5,900 of 6,400 m."""
    paths = grid_paths()
    paths = paths.loc[paths.osm_id != "wr4"]
    row = [("wr4a", [(0, 400), (100, 400), (200, 400), (300, 400), (400, 400)], "footway"),
           ("w7", [(400, 400), (500, 400)], "steps"),
           ("wr4b", [(500, 400), (600, 400), (700, 400), (800, 400)], "footway")]
    paths = gpd.GeoDataFrame(
        {"osm_id": list(paths.osm_id) + [r[0] for r in row],
         "highway": list(paths.highway) + [r[2] for r in row]},
        geometry=list(paths.geometry) + [LineString(r[1]) for r in row], crs=CRS)
    result = compute_access(grid_data(paths=paths))
    v = values(result)
    assert v["step_free_entrances_share"] == 75.0
    assert v["step_free_reach_share"] == pytest.approx(100.0 * 5900.0 / 6400.0)
    assert "1 flight(s) of steps (100 m)" in result.figure("step_free_reach_share").note
    entrances = result.layers["place_entrances"].set_index("side")
    assert entrances.loc["E", "step_free"] == 0 and entrances.loc["E", "highways"] == "steps"
    assert entrances.loc["E", "osm_ids"] == "w7"


def test_surface_and_incline_shares_with_their_coverage():
    """Within 390 m (6,400 m of street): the column x = 400 is asphalt (its 8 blocks within
    reach, 800 m), the column x = 500 cobblestone (6 blocks, 600 m); 1,400 m tagged is 21.9 %
    and 800 / 1,400 m is firm. Inclines: the row y = 500 has 6 %, too few tags (600 m, 9.4 %
    of the length is under the 10 % needed): no data, its coverage still reported."""
    tags = {"wc4": {"surface": "asphalt"}, "wc5": {"surface": "cobblestone"},
            "wr5": {"incline": "6%"}}
    result = compute_access(grid_data(paths=grid_paths(tags=tags)))
    v = values(result)
    assert v["surface_coverage"] == pytest.approx(100.0 * 1400 / 6400)
    assert v["firm_surface_share"] == pytest.approx(100.0 * 800 / 1400)
    assert v["incline_coverage"] == pytest.approx(100.0 * 600 / 6400)
    assert v["gentle_gradient_share"] is None
    assert result.figure("gentle_gradient_share").note.startswith(
        "no data: only 9.4 % of the paths within 390 m walk of the place has a numeric incline tag")
    # the three tagged ways share no block: 800 + 600 + 600 m
    assert v["accessibility_tag_coverage"] == pytest.approx(100.0 * 2000 / 6400)
    # with a lower least coverage the share is given: 0 of 600 m is gentle at 6 %
    result = compute_access(grid_data(paths=grid_paths(tags=tags)),
                            AccessOptions(min_tag_coverage_pct=5))
    assert values(result)["gentle_gradient_share"] == 0.0


@pytest.mark.parametrize("text,expected", [("6%", 6.0), ("-4,5 %", 4.5), ("5°", 8.7488663526),
                                           ("up", np.nan), ("", np.nan), ("10", np.nan)])
def test_incline_values(text, expected):
    assert incline_percent(text) == pytest.approx(expected, nan_ok=True)


def test_disconnected_piece_warns_and_lowers_coverage():
    paths = grid_paths()
    paths = gpd.GeoDataFrame({"osm_id": list(paths.osm_id) + ["wiso"],
                              "highway": list(paths.highway) + ["corridor"]},
                             geometry=list(paths.geometry) + [LineString([(2000, 2000), (2100, 2000)])],
                             crs=CRS)
    result = compute_access(grid_data(paths=paths))
    assert values(result)["network_coverage"] == pytest.approx(100.0 * 14400 / 14500)
    assert ("1 piece(s) of the walking network (100 m of paths, 0.7 % of its length in the study "
            "area) are not connected to the place, so nothing on them is reached; they are often "
            "indoor corridors, platforms or gaps in the mapping (see walk_edges: component).") \
        in result.warnings
    edges = result.layers["walk_edges"]
    assert edges.loc[edges.osm_id == "wiso", "component"].nunique() == 1
    assert (edges.loc[edges.osm_id == "wiso", "component"] != edges.loc[edges.osm_id == "wr0", "component"].iloc[0]).all()


def test_walks_that_run_into_the_edge_of_the_data():
    """Two footways leave the grid eastwards and stop 50 m out, well inside the study area: on
    the outer edge of the mapped paths, as where an extract is cut. A dead end inside a block
    (on no outer edge) is not flagged."""
    paths = grid_paths()
    spurs = [("ws1", [(800, 300), (850, 300)]), ("ws2", [(800, 500), (850, 500)]),
             ("ws3", [(300, 300), (350, 350)])]
    paths = gpd.GeoDataFrame({"osm_id": list(paths.osm_id) + [w[0] for w in spurs],
                              "highway": list(paths.highway) + ["footway"] * 3},
                             geometry=list(paths.geometry) + [LineString(w[1]) for w in spurs], crs=CRS)
    result = compute_access(grid_data(paths=paths))
    assert (
        "2 path(s) reached within the 10-minute walk end on the outer edge of the mapped paths "
        "inside the study area: the OSM data probably stops there (the edge of the extract), so "
        "the reach, residents and stops beyond it are missing. Use data that covers the whole "
        "study area.") in result.warnings
    # P6: of the 41 grid nodes and the spur's end within 390 m (entrances not counted), the end
    # of ws3 ((300, 300) is 190 m out, + 70.7 m) is the one dead end
    assert values(result)["dead_end_share"] == pytest.approx(100.0 / 42)


def test_place_with_no_path_into_it():
    """A diamond inside a block, 20 m from the four streets round it: walks start at their
    nearest points, 20 m out; the bus stop is 20 + 50 + 200 + 50 + 4 = 324 m away."""
    diamond = Polygon([(450, 420), (480, 450), (450, 480), (420, 450)])
    result = compute_access(grid_data(place=diamond))
    v = values(result)
    assert result.warnings[0] == (
        "No path meets the edge of the place: the walks start from the nearest points of the 4 "
        "path(s) within 30 m of it (20-20 m away). Entrance figures have no data and distances "
        "are approximate; check the place's outline or map the paths leading into it.")
    for key in ("entrances", "entrance_sides", "step_free_entrances_share"):
        assert v[key] is None
        assert result.figure(key).note == "no data: no walkable path is mapped into the place"
    assert v["nearest_lowcap_stop_m"] == pytest.approx(324.0)
    # a catchment all the same, and 3 figures fewer than with entrances
    catch = result.layers["catchments"].set_index("key")
    assert catch.loc["short", "area_m2"] > 100_000
    assert v["data_coverage"] == pytest.approx(100.0 * 5 / 15)
    assert len(result.layers["place_entrances"]) == 0


def test_place_far_from_every_path(tmp_path):
    result = compute_access(grid_data(place=box(440, 440, 460, 460)))
    v = values(result)
    assert result.warnings[0] == (
        "No path meets the edge of the place and none lies within 30 m of it, so no catchment "
        "can be computed; check the place's outline or use a larger path search distance.")
    assert v["nearest_lowcap_stop_m"] is None and v["entrances"] is None
    assert v["network_coverage"] == 0.0
    assert result.figure("population_long").note == "no data: no population layer given"
    # still written: empty catchments, figures with "no data"
    out = write_results([result], grid_data(place=box(440, 440, 460, 460)), tmp_path / "a.gpkg")
    figures = read_figures(out["gpkg"]).set_index("key")
    assert figures.loc["entrances", "value"] == "" and figures.loc["network_coverage", "value"] == "0.0"


def test_no_walkable_paths_at_all(tmp_path):
    data = grid_data(paths=grid_paths().iloc[0:0])
    result = compute_access(data)
    assert result.warnings == ["The study area has no walkable paths, so walking access cannot be "
                               "computed; check the paths layer of the PlaceData (fetch the place "
                               "again)."]
    v = values(result)
    assert v["data_coverage"] == 0.0 and v["network_coverage"] is None
    assert all(val is None for key, val in v.items() if key != "data_coverage")
    write_results([result], data, tmp_path / "empty.gpkg")
    assert read_figures(tmp_path / "empty.gpkg").set_index("key").loc["entrances", "note"] == \
        "no data: no walkable paths"


# --------------------------------------------------------------------------------------------
# Population


def quadrants(crs: str = CRS) -> gpd.GeoDataFrame:
    cells = gpd.GeoDataFrame({"id": [1, 2, 3, 4], "population": [100, 200, 400, 800]},
                             geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100),
                                       box(0, 100, 100, 200), box(100, 100, 200, 200)], crs=CRS)
    return cells.to_crs(crs)


def test_population_shares_by_area():
    """A square over a quarter of each of four cells: 25 + 50 + 100 + 200 = 375 residents."""
    pop = load_population(quadrants(), CRS, "", ["population"])
    assert pop.within(box(50, 50, 150, 150)) == pytest.approx((375.0, 1.0))
    # three quarters outside the layer: a quarter of cell 2 (50 residents), a quarter covered
    assert pop.within(box(150, -50, 250, 50)) == pytest.approx((50.0, 0.25))


def test_population_in_another_crs_is_reprojected(tmp_path):
    path = tmp_path / "pop4326.gpkg"
    pyogrio.write_dataframe(quadrants("EPSG:4326"), path, layer="cells", driver="GPKG")
    pop = load_population(path, CRS, "", ["population"])
    residents, covered = pop.within(box(50, 50, 150, 150))
    assert residents == pytest.approx(375.0, rel=1e-4) and covered == pytest.approx(1.0, abs=1e-4)


def test_population_without_a_population_field():
    cells = quadrants().rename(columns={"population": "kind"})
    with pytest.raises(InputError) as err:
        compute_access(grid_data(), population=cells)
    assert str(err.value) == (
        "The population layer has no population field (looked for population, pop, pop_total, "
        "population_total, residents, inhabitants ...); its fields are: id, kind. Name the field "
        "that holds the number of residents.")
    assert err.value.options == ("population_field", "population")
    with pytest.raises(InputError, match=r"^The population layer has no field 'folk'; its fields "
                                         r"are: id, kind\.$"):
        compute_access(grid_data(), AccessOptions(population_field="folk"), population=cells)
    # naming the field works
    result = compute_access(grid_data(), AccessOptions(population_field="KIND"), population=cells)
    assert values(result)["population_short"] is not None


def test_population_layer_elsewhere_or_without_crs():
    far = quadrants()
    far.geometry = far.translate(50_000, 0)
    result = compute_access(grid_data(), population=far)
    assert values(result)["population_long"] is None
    assert result.figure("population_long").note == \
        "no data: the population layer does not overlap the catchment"
    assert ("The population layer does not overlap the catchments; check that it covers the "
            "place and that its CRS is right.") in result.warnings
    with pytest.raises(InputError, match=r"^The population layer has no CRS; set its CRS"):
        compute_access(grid_data(), population=quadrants().set_crs(None, allow_override=True))


def test_population_in_the_catchments_equals_their_area_at_one_resident_per_m2():
    """One cell over the whole grid with 1 resident per m²: the residents of each catchment are
    its area (areal weighting of the polygon the walks reach)."""
    cell = gpd.GeoDataFrame({"asukkaat": [1_000_000.0]}, geometry=[box(-100, -100, 900, 900)],
                            crs=CRS).to_crs("EPSG:4326")
    result = compute_access(grid_data(), population=cell)
    catch = result.layers["catchments"].set_index("key")
    for key in ("short", "long", "short_older", "long_older"):
        assert catch.loc[key, "population"] == pytest.approx(catch.loc[key, "area_m2"], rel=2e-3)
        assert result.value(f"population_{key}") == catch.loc[key, "population"]
    assert "field 'asukkaat', areal weighting" in result.figure("population_long").note


# --------------------------------------------------------------------------------------------
# Options, registry, output


def test_options_defaults_and_checks():
    options = AccessOptions()
    assert (options.speed_mps, options.older_speed_mps) == (1.3, 0.9)
    assert (options.short_minutes, options.long_minutes) == (5, 10)
    assert (options.lowcap_stop_m, options.highcap_stop_m) == (500, 1000)
    with pytest.raises(InputError, match=r"^The long walk \(5 min\) must be longer than the short "
                                         r"walk \(5 min\)\.$") as err:
        AccessOptions(long_minutes=5)
    assert err.value.options == ("long_minutes", "short_minutes")
    with pytest.raises(InputError, match="walking speed must be 0.1 to 3 m/s"):
        AccessOptions(speed_mps=0)
    assert INDICATORS["access"].options is AccessOptions
    assert set(INDICATORS["access"].main_figures) <= set(values(compute_access(grid_data())))


def test_scoring_file_entries_have_value_unit_and_source():
    from amp_qgis_plugin.core.thresholds import load_thresholds

    doc = load_thresholds("access")
    for section in ("thresholds", "defaults"):
        for key, entry in doc[section].items():
            assert {"value", "unit", "source"} <= set(entry), key
            assert entry["source"].strip(), key
            if section == "thresholds":
                assert entry["status"] in ("V", "V-sec", "M", "REL", "proposal"), key
                assert entry["verified"] is (entry["status"] in ("V", "V-sec")), key
    for name in ("walk_exclude_highways", "firm_surfaces", "even_smoothness", "population_fields"):
        assert doc[name] and doc[f"{name}_source"], name


def test_every_figure_names_its_unit_and_source():
    for fig in compute_access(grid_data()).figures:
        assert fig.unit and fig.source, fig.key
        if fig.threshold_id:
            assert fig.threshold_id.startswith("access:")


def test_written_layers_and_figures(tmp_path):
    data = grid_data()
    result = compute_access(data)
    out = write_results([result], data, tmp_path / "access.gpkg")
    layers = dict(pyogrio.list_layers(out["gpkg"]))
    assert layers == {"walk_nodes": "Point", "walk_edges": "LineString", "catchments": "MultiPolygon",
                      "catchment_nodes": "Point", "place_entrances": "Point", "transit_access": "Point",
                      "figures": None, "provenance": None, "layer_styles": None}
    figures = read_figures(out["gpkg"]).set_index("key")
    assert float(figures.loc["nearest_lowcap_stop_m", "value"]) == pytest.approx(344.0)
    assert figures.loc["nearest_lowcap_stop_m", "threshold"] == "500"
    edges = pyogrio.read_dataframe(out["gpkg"], layer="walk_edges")
    assert len(edges) == 2 * 148 and set(edges.reversed) == {True, False}


# --------------------------------------------------------------------------------------------
# Senaatintori (bundled Helsinki sample, study radius 800 m)


@pytest.fixture(scope="module")
def senaatintori_access(senaatintori_data):
    return compute_access(senaatintori_data, population=POPULATION)


def test_senaatintori_population_by_independent_overlay(senaatintori_access, senaatintori_data):
    """The residents of each catchment, by geopandas overlay of the HSY grid (EPSG:4326)."""
    grid = gpd.read_file(POPULATION).to_crs(senaatintori_data.crs)
    grid["cell_area"] = grid.area
    catch = senaatintori_access.layers["catchments"]
    for _, row in catch.iterrows():
        part = gpd.overlay(grid, gpd.GeoDataFrame(geometry=[row.geometry], crs=grid.crs), how="intersection")
        expected = float((part.population * part.area / part.cell_area).sum())
        assert row.population == pytest.approx(expected, rel=1e-6)
        assert senaatintori_access.value(f"population_{row.key}") == pytest.approx(expected, rel=1e-6)
    assert senaatintori_access.value("population_long") > senaatintori_access.value("population_short") > 0


def test_senaatintori_stop_distances_by_networkx(senaatintori_access, senaatintori_data):
    """The walk to the nearest bus/tram and rail stop, rebuilt with networkx: from the
    entrances to both ends of the edge nearest to each stop, along it, then to the stop."""
    net = senaatintori_access.extras["walk_network"]
    G = nx.Graph()
    for a, b, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist()):
        if a != b and (not G.has_edge(a, b) or G[a][b]["w"] > w):
            G.add_edge(a, b, w=w)
    d = nx.multi_source_dijkstra_path_length(G, set(net.entrances.tolist()), weight="w")
    edges = gpd.GeoDataFrame({"u": net.u, "v": net.v, "length": net.length}, geometry=list(net.geometry),
                             crs=senaatintori_data.crs)
    stops = senaatintori_data["transit_stops"]
    joined = gpd.sjoin_nearest(stops, edges, max_distance=50, distance_col="gap")
    joined = joined[~joined.index.duplicated()]
    best = {}
    for idx, row in joined.iterrows():
        t = edges.geometry.iloc[row.index_right].project(stops.geometry.loc[idx])
        walk = min(d.get(row.u, np.inf) + t, d.get(row.v, np.inf) + row.length - t) + row.gap
        best[row.capacity] = min(best.get(row.capacity, np.inf), walk)
    v = values(senaatintori_access)
    assert v["nearest_lowcap_stop_m"] == pytest.approx(best["low"], abs=1e-6)
    assert v["nearest_highcap_stop_m"] == pytest.approx(best["high"], abs=1e-6)
    assert v["nearest_lowcap_stop_m"] < 500 and v["nearest_highcap_stop_m"] < 1000


def test_senaatintori_entrances_and_coverage(senaatintori_access):
    v = values(senaatintori_access)
    assert v["entrances"] == 9 and v["entrance_sides"] == 3
    assert senaatintori_access.figure("entrances").note.endswith("N 4, E 0, S 4, W 1")
    # the sample's outlying pieces (platform and indoor fragments) are reported, not hidden
    assert 95.0 < v["network_coverage"] < 100.0
    assert any("not connected to the place" in w for w in senaatintori_access.warnings)
    # the sample extract stops east and south of the square, inside the 800 m study area
    assert any(w.startswith("8 path(s) reached within the 10-minute walk end on the outer edge")
               for w in senaatintori_access.warnings)
