"""The walking network, its engine and catchments: hand-built networks with distances derived
by hand, networkx on the real Senaatintori network, and the osmnx round trip."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box
from walk_grid import CRS, centre_place, grid_paths

from amp_qgis_plugin.core.network import engine
from amp_qgis_plugin.core.network.catchments import catchment_polygon, reached_length
from amp_qgis_plugin.core.network.walk import (
    build_walk_network,
    facing_bearing,
    side_of,
    walkable,
)


def test_grid_is_noded_at_shared_vertices():
    net = build_walk_network(grid_paths(), None)
    assert net.n_nodes == 81 and net.n_edges == 2 * 9 * 8  # 144 edges of 100 m
    assert np.allclose(net.length, 100.0)
    assert net.component.max() == 0


def test_crossing_without_shared_vertex_is_not_joined_but_a_t_junction_is():
    # a footbridge over a street (no shared vertex) stays two pieces
    bridge = gpd.GeoDataFrame({"highway": ["footway", "primary"]},
                              geometry=[LineString([(0, -50), (0, 50)]), LineString([(-50, 0), (50, 0)])],
                              crs=CRS)
    net = build_walk_network(bridge, None)
    assert (net.n_nodes, net.n_edges, net.component.max() + 1) == (4, 2, 2)
    # a way ending on a vertex of another is joined there: 3 edges of 50 m
    tee = gpd.GeoDataFrame({"highway": ["footway", "footway"]},
                           geometry=[LineString([(0, 0), (0, 50)]), LineString([(-50, 0), (0, 0), (50, 0)])],
                           crs=CRS)
    net = build_walk_network(tee, None)
    assert (net.n_nodes, net.n_edges) == (4, 3) and np.allclose(sorted(net.length), [50, 50, 50])


def test_multilinestrings_and_not_walkable_rows():
    paths = gpd.GeoDataFrame(
        {"highway": ["footway", "motorway", "footway", "service", "service"],
         "foot": ["", "", "no", "", "yes"], "access": ["", "", "", "private", "private"]},
        geometry=[MultiLineString([[(0, 0), (10, 0)], [(20, 0), (30, 0)]]), LineString([(0, 5), (9, 5)]),
                  LineString([(0, 9), (9, 9)]), LineString([(0, 20), (9, 20)]), LineString([(0, 30), (9, 30)])],
        crs=CRS)
    assert walkable(paths, ["motorway"]).tolist() == [True, False, False, False, True]
    net = build_walk_network(paths, None, exclude_highways=["motorway"])
    assert net.n_edges == 3 and np.isclose(net.length.sum(), 29.0)


def test_entrances_are_where_paths_cross_the_edge():
    net = build_walk_network(grid_paths(), centre_place())
    xy = {tuple(np.round(p, 6)) for p in net.xy[net.entrances]}
    assert xy == {(410.0, 400.0), (390.0, 400.0), (400.0, 410.0), (400.0, 390.0)}
    assert np.array_equal(net.starts, net.entrances) and np.allclose(net.start_offsets, 0)
    # 4 grid edges split in two: 144 + 4 edges, 81 + 4 nodes
    assert (net.n_nodes, net.n_edges) == (85, 148)
    sides = side_of(facing_bearing(centre_place(), net.xy[net.entrances]))
    by_xy = dict(zip(map(tuple, np.round(net.xy[net.entrances], 6)), sides))
    assert by_xy == {(410.0, 400.0): "E", (390.0, 400.0): "W", (400.0, 410.0): "N", (400.0, 390.0): "S"}


def test_side_sectors_and_facing_of_a_rectangle():
    assert side_of(np.array([0.0, 44.99, 45.0, 134.99, 135.0, 224.99, 225.0, 314.99, 315.0])).tolist() == \
        ["N", "N", "E", "E", "S", "S", "W", "W", "N"]
    # a wide rectangle: every point of the long north edge faces north, even near a corner
    rect = box(0, 0, 120, 60)
    facing = facing_bearing(rect, np.array([[100.0, 60.0], [10.0, 60.0], [120.0, 30.0], [60.0, 0.0]]))
    assert np.allclose(facing, [0.0, 0.0, 90.0, 180.0])


def test_grid_distances_by_hand():
    """Node (400 + 100 i, 400 + 100 j) is 100 (|i| + |j|) - 10 m from the nearest entrance
    (the entrances are 10 m from the centre on each axis); the centre is 10 m away."""
    net = build_walk_network(grid_paths(), centre_place())
    dist = net.distances()
    for node, (x, y) in enumerate(net.xy):
        m = int(round(abs(x - 400) / 100) + round(abs(y - 400) / 100))
        if net.entrances.tolist().count(node):
            expected = 0.0
        elif (x, y) == (400, 400):
            expected = 10.0
        else:
            expected = 100.0 * m - 10.0
        assert dist[node] == pytest.approx(expected, abs=1e-9), (x, y)


def test_catchment_reach_at_390_and_270_m_by_hand():
    """5 min at 1.3 m/s = 390 m reaches every node up to 4 blocks from the centre (the
    farthest exactly at 390 m): the 8m - 4 inward edges of each ring m = 1..4, 64 x 100 m.
    At 270 m (5 min at 0.9 m/s) rings 1-2 are whole (16 edges) and the 20 edges out of
    ring 2 (nodes at 190 m) are walked 80 m in: 1,600 + 1,600 m."""
    net = build_walk_network(grid_paths(), centre_place())
    dist = net.distances()
    assert (dist <= 390).sum() == 41 + 4  # 41 grid nodes in the 4-block diamond + 4 entrances
    assert reached_length(net, dist, 1.3 * 5 * 60).sum() == pytest.approx(6400.0, abs=1e-6)
    assert reached_length(net, dist, 0.9 * 5 * 60).sum() == pytest.approx(3200.0, abs=1e-6)
    poly = catchment_polygon(net, dist, 390.0, 25.0, centre_place())
    assert poly.is_valid and poly.geom_type == "MultiPolygon" and len(poly.geoms) == 1
    inside = shapely.contains_xy(poly, [800.0, 400.0, 450.0, 550.0], [400.0, 800.0, 450.0, 550.0])
    # ring 4 on the axes is in, ring 5 is not (100 m beyond, strip 25 m); enclosed blocks filled
    assert shapely.contains_xy(poly, 800.0, 400.0)
    assert inside[2] and inside[3]
    assert not shapely.contains_xy(poly, 400.0 + 525.0, 400.0)
    assert not shapely.contains_xy(poly, 650.0, 650.0)  # ring 5 corner block: not enclosed
    # the strip follows the streets: a point 30 m beside a reached street is outside
    assert shapely.contains_xy(poly, 620.0, 420.0) and not shapely.contains_xy(poly, 730.0, 530.0)


def test_engine_matches_brute_force_with_offsets_limits_and_parallel_edges():
    # 0-1 (5), 1-2 (3), 0-2 (10) and a parallel 0-2 (7), 2-3 (0, a zero-length edge), 4 alone
    u, v = np.array([0, 1, 0, 0, 2, 3]), np.array([1, 2, 2, 2, 3, 3])
    w = np.array([5.0, 3.0, 10.0, 7.0, 0.0, 4.0])  # 3-3 is a self-loop, ignored
    m = engine.graph_matrix(5, u, v, w)
    assert m[0, 2] == 7.0 and m[2, 0] == 7.0 and m[2, 3] == 0 and m.nnz == 8
    assert engine.multi_source_distances(m, [0]).tolist() == [0, 5, 7, 7, np.inf]
    assert engine.multi_source_distances(m, [0], limit=7).tolist() == [0, 5, 7, 7, np.inf]
    assert engine.multi_source_distances(m, [0], limit=6.999).tolist() == [0, 5, np.inf, np.inf, np.inf]
    # offsets: start 0 at 4 m, start 3 at 1 m -> node 1 = min(4 + 5, 1 + 0 + 3)
    assert engine.multi_source_distances(m, [0, 3], offsets=[4.0, 1.0]).tolist() == [4, 4, 1, 1, np.inf]
    rows = engine.per_source_distances(m, [0, 3], limit=6)
    assert rows.tolist() == [[0, 5, np.inf, np.inf, np.inf], [np.inf, 3, 0, 0, np.inf]]  # 3-2-0 is 7 m
    assert engine.components(m).tolist() == [0, 0, 0, 0, 1]


def test_start_offsets_are_checked():
    m = engine.graph_matrix(2, np.array([0]), np.array([1]), np.array([1.0]))
    with pytest.raises(ValueError, match="starting distance"):
        engine.multi_source_distances(m, [0], offsets=[-1.0])


def _write_read(nodes, edges, tmp_path):
    path = tmp_path / "walk.gpkg"
    pyogrio.write_dataframe(nodes, path, layer="walk_nodes", driver="GPKG")
    pyogrio.write_dataframe(edges, path, layer="walk_edges", driver="GPKG")
    return (pyogrio.read_dataframe(path, layer="walk_nodes"),
            pyogrio.read_dataframe(path, layer="walk_edges"))


def test_osmnx_round_trip_of_the_written_layers(tmp_path):
    import osmnx as ox

    net = build_walk_network(grid_paths(), centre_place())
    nodes, edges = _write_read(net.nodes_frame(), net.edges_frame(), tmp_path)
    G = ox.graph_from_gdfs(nodes.set_index("osmid"), edges.set_index(["u", "v", "key"]))
    assert G.number_of_nodes() == 85 and G.number_of_edges() == 2 * 148
    assert G.graph["crs"].to_epsg() == 3006
    # every street both ways, as osmnx's walking networks; lengths in metres
    assert sum(d["length"] for _, _, d in G.edges(data=True)) == pytest.approx(2 * 14400.0)
    centre = next(n for n, d in G.nodes(data=True) if (d["x"], d["y"]) == (400.0, 400.0))
    corner = next(n for n, d in G.nodes(data=True) if (d["x"], d["y"]) == (0.0, 0.0))
    assert nx.shortest_path_length(G, centre, corner, weight="length") == pytest.approx(800.0)
    # the edge attributes an osmnx user expects
    u, v, k, d = next(iter(G.edges(keys=True, data=True)))
    assert {"length", "highway", "geometry", "oneway", "reversed", "osm_id"} <= set(d)
    assert d["geometry"].coords[0] == (G.nodes[u]["x"], G.nodes[u]["y"])


def test_osmnx_round_trip_keeps_parallel_edges_and_self_loops(tmp_path):
    import osmnx as ox

    # two different ways between the same two nodes, and a closed loop hanging off one node
    paths = gpd.GeoDataFrame({"highway": ["footway"] * 3},
                             geometry=[LineString([(0, 0), (10, 0)]), LineString([(0, 0), (5, 5), (10, 0)]),
                                       LineString([(10, 0), (15, 5), (20, 0), (10, 0)])], crs=CRS)
    net = build_walk_network(paths, None)
    nodes, edges = _write_read(net.nodes_frame(), net.edges_frame(), tmp_path)
    G = ox.graph_from_gdfs(nodes.set_index("osmid"), edges.set_index(["u", "v", "key"]))
    assert G.number_of_nodes() == 2 and G.number_of_edges() == 5  # 2 x 2 parallel + 1 loop
    assert sorted(k for _, _, k in G.edges(keys=True)) == [0, 0, 0, 1, 1]


# --------------------------------------------------------------------------------------------
# The real network: Senaatintori in the bundled Helsinki sample, study radius 800 m


@pytest.fixture(scope="module")
def sample_network(senaatintori_data):
    return build_walk_network(senaatintori_data["paths"], senaatintori_data.place_polygon,
                              crs=senaatintori_data.crs,
                              exclude_highways=["motorway", "trunk"])


def _nx_graph(net) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(net.n_nodes))
    for a, b, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist()):
        if a != b and (not G.has_edge(a, b) or G[a][b]["length"] > w):
            G.add_edge(a, b, length=w)
    return G


def test_reach_and_distances_equal_networkx_on_the_sample(sample_network):
    """Multi-source from the entrances and from 200 random origins at 780 m, and one tree per
    origin: the same reached nodes and distances (to 1e-6 m) as networkx."""
    net = sample_network
    G = _nx_graph(net)
    rng = np.random.default_rng(8)
    for sources in (net.entrances, rng.choice(net.n_nodes, 200, replace=False)):
        ours = engine.multi_source_distances(net.matrix, sources, limit=780.0)
        theirs = nx.multi_source_dijkstra_path_length(G, set(sources.tolist()), cutoff=780.0,
                                                      weight="length")
        reached = np.flatnonzero(np.isfinite(ours))
        assert set(reached.tolist()) == set(theirs)
        assert np.abs(ours[reached] - np.array([theirs[i] for i in reached])).max() < 1e-6
    origins = rng.choice(net.n_nodes, 25, replace=False)
    rows = engine.per_source_distances(net.matrix, origins, limit=780.0)
    for row, origin in zip(rows, origins.tolist()):
        theirs = nx.single_source_dijkstra_path_length(G, origin, cutoff=780.0, weight="length")
        reached = np.flatnonzero(np.isfinite(row))
        assert set(reached.tolist()) == set(theirs)
        assert np.abs(row[reached] - np.array([theirs[i] for i in reached])).max() < 1e-6


def test_sample_entrances_from_the_osm_outline(sample_network, senaatintori_data):
    """The entrances are where the sample's paths meet Senaatintori's outline, found here
    directly with shapely: 9 distinct points, 4 on the north edge, 4 on the south, 1 on the west."""
    place = senaatintori_data.place_polygon
    outline = shapely.get_exterior_ring(shapely.get_parts(place)[0])
    with np.errstate(invalid="ignore"):  # GEOS flags the empty results of disjoint pairs
        hits = shapely.intersection(np.asarray(senaatintori_data["paths"].geometry.values), outline)
    pts = shapely.get_coordinates(hits[~shapely.is_empty(hits)])
    pts = np.unique(np.round(pts, 3), axis=0)
    assert len(pts) == len(sample_network.entrances) == 9
    got = np.unique(np.round(sample_network.xy[sample_network.entrances], 3), axis=0)
    assert np.allclose(got, pts, atol=1e-3)
    # the side: which edge of the (nearly rectangular) square each point lies on
    minx, miny, maxx, maxy = place.bounds
    nearest = [("W", "E", "S", "N")[int(np.argmin([x - minx, maxx - x, y - miny, maxy - y]))]
               for x, y in pts]
    sides = side_of(facing_bearing(place, pts))
    assert sorted(sides) == sorted(nearest) and sorted(nearest).count("N") == 4 and nearest.count("W") == 1


def test_sample_network_pieces(sample_network):
    """Every row of paths became edges (total length kept) and the network holds one main piece."""
    net = sample_network
    assert net.n_edges > 3000 and net.n_nodes > 2500
    sizes = np.bincount(net.component)
    assert sizes.max() > 0.95 * net.n_nodes
    assert np.all(np.isin(net.component[net.entrances], [np.argmax(sizes)]))


def test_approach_points_when_no_path_meets_the_edge():
    """A diamond-shaped place inside a block: no path meets it; the walks start at the four
    nearest points of the surrounding streets, 20 m from it."""
    place = Polygon([(450, 420), (480, 450), (450, 480), (420, 450)])
    net = build_walk_network(grid_paths(), place, approach_m=30.0)
    assert len(net.entrances) == 0 and len(net.starts) == 4
    assert np.allclose(net.start_offsets, 20.0)
    starts = {tuple(np.round(p, 6)) for p in net.xy[net.starts]}
    assert starts == {(450.0, 400.0), (450.0, 500.0), (400.0, 450.0), (500.0, 450.0)}
    dist = net.distances()
    at = {tuple(p): d for p, d in zip(np.round(net.xy, 6).tolist(), dist)}
    assert at[(400.0, 400.0)] == pytest.approx(70.0) and at[(500.0, 500.0)] == pytest.approx(70.0)
    assert at[(300.0, 400.0)] == pytest.approx(170.0)
    # nothing within 30 m: no start at all
    far = build_walk_network(grid_paths(), box(440, 440, 460, 460), approach_m=30.0)
    assert len(far.starts) == 0 and np.isinf(far.distances()).all()


def test_point_geometry_helpers_accept_multipolygons():
    place = shapely.MultiPolygon([box(390, 390, 410, 410), box(590, 590, 610, 610)])
    net = build_walk_network(grid_paths(), place)
    assert len(net.entrances) == 8
    assert set(side_of(facing_bearing(place, net.xy[net.entrances]))) == {"N", "E", "S", "W"}
    assert Point(400, 400).within(place)
