"""Isovists and sightline indicators against analytic cases and the real Senaatintori sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators import isovist_kernel as kernel
from amp_qgis_plugin.core.indicators.sightlines import (IsovistEngine, Obstacles,
                                                        SightlineOptions, concealment_pockets,
                                                        isovist, sightlines)

R = 100.0
#: Relative area error of a disc drawn every 0.5 degrees: 1 - sin(d)/d with d = 2 pi / 720.
ARC_TOL = 1.3e-5


def _measures(xy, polys, radius=R, walls=None):
    eng = IsovistEngine(Obstacles.build(polys, walls), radius)
    return eng.field(np.atleast_2d(np.asarray(xy, float)))


def _shadow_area(observer, polys, radius, quad_segs=2048):
    """Independent construction: disc minus the union of every edge's shadow (shapely only)."""
    ox, oy = observer
    shadows = []
    for poly in polys:
        ring = np.asarray(poly.exterior.coords)
        for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:]):
            far = 50 * radius
            da, db = math.hypot(ax - ox, ay - oy), math.hypot(bx - ox, by - oy)
            qa = (ox + (ax - ox) / da * far, oy + (ay - oy) / da * far)
            qb = (ox + (bx - ox) / db * far, oy + (by - oy) / db * far)
            shadows.append(Polygon([(ax, ay), (bx, by), qb, qa]).buffer(0))
    disc = Point(observer).buffer(radius, quad_segs=quad_segs)
    return disc.difference(shapely.union_all(shadows + list(polys))).area


def test_closed_square_room_area_is_room_area():
    """A 10 m x 10 m room (walls 1 m thick, a polygon with a hole): isovist = 100 m2 anywhere."""
    room = box(-1, -1, 11, 11).difference(box(0, 0, 10, 10))
    for xy in [(5, 5), (0.5, 9.2), (7.3, 1.1)]:
        poly = isovist(Point(xy), [room], R)
        assert poly.area == pytest.approx(100.0, rel=1e-12)
        fld = _measures(xy, [room])
        assert fld.measures["area"][0] == pytest.approx(100.0, rel=1e-12)
        assert fld.measures["perimeter"][0] == pytest.approx(40.0, rel=1e-12)
        assert fld.measures["occlusivity"][0] == pytest.approx(0.0, abs=1e-9)
        assert fld.measures["compactness"][0] == pytest.approx(4 * math.pi * 100 / 1600)


def test_radius_clipping_no_obstacles():
    """No obstacles: area = pi r^2 exactly; the drawn polygon within the 0.5-degree arc step."""
    fld = _measures((3.0, 4.0), [], radius=R)
    assert fld.measures["area"][0] == pytest.approx(math.pi * R * R, rel=1e-12)
    assert fld.measures["perimeter"][0] == pytest.approx(2 * math.pi * R, rel=1e-12)
    assert fld.measures["max_radial"][0] == pytest.approx(R)
    poly = isovist(Point(3, 4), [], R)
    assert poly.area == pytest.approx(math.pi * R * R, rel=ARC_TOL)
    assert poly.area < math.pi * R * R
    # A building entirely beyond the radius changes nothing.
    fld2 = _measures((0, 0), [box(150, 0, 160, 10)], radius=R)
    assert fld2.measures["area"][0] == pytest.approx(math.pi * R * R, rel=1e-12)


def test_square_obstacle_in_open_field_by_hand():
    """Square of side s centred at distance d on the x axis, observer at the origin.

    The silhouette is the near face x = d - s/2; its corners are seen at +-alpha with
    tan(alpha) = (s/2) / (d - s/2). Hidden = the sector of angle 2 alpha minus the visible
    triangle (origin, near corners) of area s/2 * (d - s/2):
    A = pi R^2 - R^2 alpha + s/2 (d - s/2).  With R=100, d=20, s=10: 28,273.42 m2.
    """
    d, s = 20.0, 10.0
    alpha = math.atan((s / 2) / (d - s / 2))
    expected = math.pi * R * R - R * R * alpha + s / 2 * (d - s / 2)
    assert expected == pytest.approx(28273.42, abs=0.01)
    sq = box(d - s / 2, -s / 2, d + s / 2, s / 2)
    fld = _measures((0, 0), [sq])
    assert fld.measures["area"][0] == pytest.approx(expected, rel=1e-12)
    # Two occluding radial edges from the near corners to the range circle.
    corner = math.hypot(d - s / 2, s / 2)
    assert fld.measures["occlusivity"][0] == pytest.approx(2 * (R - corner), rel=1e-12)
    assert fld.measures["min_radial"][0] == pytest.approx(d - s / 2)
    poly = isovist(Point(0, 0), [sq], R)
    assert poly.area == pytest.approx(expected, rel=ARC_TOL)
    assert poly.is_valid


def test_random_scenes_match_shadow_construction():
    """Random boxes and observers: exact area equals the shapely shadow-union construction."""
    rng = np.random.default_rng(7)
    boxes = []
    for _ in range(12):
        x, y = rng.uniform(-60, 60, 2)
        w, h = rng.uniform(2, 15, 2)
        boxes.append(box(x, y, x + w, y + h))
    solid = shapely.union_all(boxes)
    parts = list(shapely.get_parts(solid))
    obs = rng.uniform(-70, 70, (40, 2))
    obs = obs[~shapely.intersects_xy(solid, obs[:, 0], obs[:, 1])][:8]
    fld = _measures(obs, boxes, radius=60.0)
    for i, xy in enumerate(obs):
        ref = _shadow_area(tuple(xy), parts, 60.0)
        assert fld.measures["area"][i] == pytest.approx(ref, rel=1e-4)


def test_observers_inside_buildings_are_excluded():
    """Inside or on the outline of a building: empty polygon, NaN measures, flagged invalid."""
    b = box(0, 0, 10, 10)
    assert isovist(Point(5, 5), [b], R).is_empty
    assert isovist(Point(10, 5), [b], R).is_empty  # on the wall
    fld = _measures([(5, 5), (20, 5)], [b])
    assert list(fld.valid) == [False, True]
    assert math.isnan(fld.measures["area"][0])
    assert fld.measures["area"][1] > 0


def test_building_with_courtyard():
    """A courtyard (hole) is seen from inside it and hidden from outside."""
    block = Polygon([(0, 0), (30, 0), (30, 30), (0, 30)], [[(10, 10), (20, 10), (20, 20), (10, 20)]])
    assert isovist(Point(15, 15), [block], R).area == pytest.approx(100.0, rel=1e-12)
    solid = box(0, 0, 30, 30)
    a_hole = _measures((-20, 15), [block]).measures["area"][0]
    a_solid = _measures((-20, 15), [solid]).measures["area"][0]
    assert a_hole == pytest.approx(a_solid, rel=1e-12)


def test_invalid_touching_and_overlapping_buildings():
    """A bow-tie is repaired (make_valid); overlapping/touching boxes act as their union."""
    bowtie = Polygon([(20, -5), (30, 5), (30, -5), (20, 5)])
    assert not bowtie.is_valid
    repaired = shapely.make_valid(bowtie)
    a_bad = _measures((0, 0), [bowtie]).measures["area"][0]
    a_ok = _measures((0, 0), list(shapely.get_parts(repaired))).measures["area"][0]
    assert a_bad == pytest.approx(a_ok, rel=1e-12)
    assert a_bad < math.pi * R * R
    pieces = [box(20, -5, 26, 5), box(25, -5, 30, 5), box(30, -5, 35, 5)]  # overlap + touch
    a_pieces = _measures((0, 0), pieces).measures["area"][0]
    a_union = _measures((0, 0), [box(20, -5, 35, 5)]).measures["area"][0]
    assert a_pieces == pytest.approx(a_union, rel=1e-12)
    # Points and lines in a buildings layer are not obstacles.
    obs = Obstacles.build([Point(1, 1), box(20, -5, 35, 5)])
    assert obs.ignored == 1


def test_free_wall_is_two_sided():
    """A wall x = 10, -5 <= y <= 5: hidden = sector of 2 alpha minus triangle, from both sides."""
    alpha = math.atan(5 / 10)
    expected = math.pi * R * R - (R * R * alpha - 0.5 * 10 * 10)
    wall = LineString([(10, -5), (10, 5)])
    left = _measures((0, 0), [], walls=[wall]).measures["area"][0]
    right = _measures((20, 0), [], walls=[wall]).measures["area"][0]
    assert left == pytest.approx(expected, rel=1e-12)
    assert right == pytest.approx(expected, rel=1e-12)


def test_visible_targets():
    """A bench behind a building is not seen; one in the open is; façade points count."""
    b = box(10, -5, 20, 5)
    eng = IsovistEngine(Obstacles.build([b]), R)
    wb = kernel.sweep(np.array([[0.0, 0.0]]), eng.walls, R)
    obs, tgt = wb.visible(np.array([[30.0, 0.0], [0.0, 30.0], [10.0, 0.0], [20.0, 0.0],
                                    [150.0, 0.0]]), tolerance=0.5)
    assert sorted(tgt.tolist()) == [1, 2]  # open point and the near façade only


def test_bad_input():
    with pytest.raises(InputError):
        isovist(Point(0, 0), [], -5)
    with pytest.raises(InputError):
        isovist(Point(0, 0), [], float("nan"))
    with pytest.raises(InputError):
        isovist((0, 0), [], 10)
    with pytest.raises(InputError):
        SightlineOptions(cell_size_m=0).resolved()


def test_concealment_pockets_by_hand():
    """A 3x4 grid: a 2-cell nook of small isovists beside open cells is one pocket."""
    area = np.array([[500., 500., 50.],
                     [500., 500., 40.],
                     [500., 500., 500.]])
    walk = np.ones_like(area, dtype=bool)
    pocket, labels = concealment_pockets(area, walk, 100.0)
    assert pocket.sum() == 2 and labels.max() == 1
    # Everything small: nothing to hide from, no pocket.
    pocket, labels = concealment_pockets(np.full((3, 3), 10.0), np.ones((3, 3), bool), 100.0)
    assert labels.max() == 0


def _ray_cast_area(xy, solid, radius, n=7200):
    """Brute force: n shapely rays, nearest hit on the obstacle boundary, polygon area."""
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ends = np.c_[xy[0] + radius * np.cos(ang), xy[1] + radius * np.sin(ang)]
    rays = shapely.linestrings([[tuple(xy), tuple(e)] for e in ends])
    local = shapely.intersection(solid.boundary, Point(xy).buffer(radius * 1.01))
    hits = shapely.intersection(rays, local)
    r = np.full(n, radius)
    for i, h in enumerate(hits):
        if not h.is_empty:
            r[i] = min(r[i], float(shapely.distance(Point(xy), h)))
    pts = np.c_[xy[0] + r * np.cos(ang), xy[1] + r * np.sin(ang)]
    return Polygon(pts).area


def test_senaatintori_matches_dense_ray_cast(senaatintori_data):
    """Real sample: exact isovists equal a 7,200-ray shapely cast within 0.5 % (3 observers).

    The observers are the 20 %, 50 % and 80 % points (in x) of the place's part of the
    east-west line through its representative point (all on the open square, checked below); the ray cast
    uses the same unioned building footprints.
    """
    data = senaatintori_data
    place = data.place_polygon
    obstacles = Obstacles.build(data["buildings"].geometry.values)
    c = place.representative_point()
    x0, _, x1, _ = place.bounds
    line = np.c_[np.linspace(x0, x1, 101), np.full(101, c.y)]
    line = line[shapely.contains_xy(place, line[:, 0], line[:, 1])]
    pts = line[[int(f * (len(line) - 1)) for f in (0.2, 0.5, 0.8)]]
    assert shapely.contains_xy(place, pts[:, 0], pts[:, 1]).all()
    fld = IsovistEngine(obstacles, R).field(pts)
    assert fld.valid.all()
    for i, xy in enumerate(pts):
        ref = _ray_cast_area(xy, obstacles.solid, R)
        assert fld.measures["area"][i] == pytest.approx(ref, rel=0.005)
        assert fld.measures["area"][i] < math.pi * R * R  # buildings do hide something


def test_senaatintori_field_and_figures(senaatintori_data):
    """Field and figures on the sample; street visibility checked by independent sight lines.

    For 25 random walkable cells, a cell counts as seen from the streets when some street
    viewpoint within 100 m has a straight line to it that does not cross a building interior
    (shapely); that must agree with the union-of-isovists polygon.
    """
    data = senaatintori_data
    fb = RecordingFeedback()
    out = sightlines(data, feedback=fb)
    res = out.result
    assert fb.progress and fb.progress[-1] == 100
    walk_cells = np.isfinite(out.isovist_area).sum()
    assert walk_cells == len(res.layers["isovist_points"])
    assert walk_cells * 4.0 == pytest.approx(data.place_polygon.area, rel=0.05)
    share = res.value("visible_from_streets_pct")
    assert 0 < share <= 100
    assert 0 < res.value("prospect_pct") <= 100
    assert res.value("mean_isovist_area_m2") < math.pi * R * R
    assert res.value("active_frontage_in_view_m") is None  # no frontage layer given
    # Independent check of the street visibility polygon.
    vis = res.layers["visible_from_streets"].geometry.iloc[0]
    vp = shapely.get_coordinates(res.layers["street_viewpoints"].geometry.values)
    solid = Obstacles.build(data["buildings"].geometry.values).solid
    interior = solid.intersection(data.place_polygon.buffer(R + 40)).buffer(-0.05)
    shapely.prepare(interior)
    pts = shapely.get_coordinates(res.layers["isovist_points"].geometry.values)
    rng = np.random.default_rng(3)
    agree = 0
    sample = pts[rng.choice(len(pts), 25, replace=False)]
    for p in sample:
        near = vp[np.hypot(*(vp - p).T) <= R]
        lines = shapely.linestrings([[tuple(p), tuple(q)] for q in near])
        seen = bool(len(near)) and not shapely.intersects(lines, interior).all()
        inside = vis.buffer(0.01).contains(Point(p))
        agree += seen == inside
    assert agree == 25


def test_cancel_inside_observer_loop(senaatintori_data):
    fb = RecordingFeedback(cancel_after=2)
    with pytest.raises(CancelledError):
        sightlines(senaatintori_data, feedback=fb)


def _toy_place():
    """A 40 x 20 m place, a building on its north edge, a street 10 m south of it."""
    import geopandas as gpd

    from amp_qgis_plugin.core.data.placedata import PlaceData

    crs = "EPSG:3006"
    data = PlaceData(crs=crs)
    data["place"] = gpd.GeoDataFrame({"name": ["Toy"]}, geometry=[box(0, 0, 40, 20)], crs=crs)
    data["buildings"] = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[box(0, 20, 40, 30)],
                                         crs=crs)
    data["seating"] = gpd.GeoDataFrame({"seating_type": ["bench", "bench"]},
                                       geometry=[Point(20, 10), Point(20, 40)], crs=crs)
    data["paths"] = gpd.GeoDataFrame({"highway": ["residential", "footway"]},
                                     geometry=[LineString([(-10, -10), (50, -10)]),
                                               LineString([(-10, 50), (50, 50)])], crs=crs)
    frontage = gpd.GeoDataFrame({"active": [1, 0], "length_m": [40.0, 10.0]},
                                geometry=[LineString([(0, 20), (40, 20)]),
                                          LineString([(40, 20), (40, 30)])], crs=crs)
    return data, frontage


def test_toy_place_by_hand(tmp_path):
    """Every cell of the convex place sees the whole 40 m active façade on its edge, the bench
    in the place and not the bench behind the building; the street 10 m south sees all of
    the place (100 %); nothing is hidden, so no pockets. Files are written and styled."""
    from amp_qgis_plugin.core.indicators.sightlines import write_sightlines_outputs

    data, frontage = _toy_place()
    out = sightlines(data, frontage=frontage)
    res = out.result
    pts = res.layers["isovist_points"]
    assert len(pts) == 200  # 20 x 10 cells of 2 m
    assert np.allclose(pts["frontage_in_view_m"], 40.0)
    assert np.allclose(pts["seats_in_view"], 1.0)
    assert res.value("visible_from_streets_pct") == pytest.approx(100.0, rel=1e-6)
    assert res.value("prospect_pct") == pytest.approx(100.0)
    assert res.value("concealment_pockets_per_1000m2") == 0
    # The whole south half-plane is open: every isovist is at least the half disc.
    assert (pts["area_m2"] > math.pi * R * R / 2).all()
    written = write_sightlines_outputs(out, tmp_path)
    import pyogrio
    import rasterio

    with rasterio.open(written["raster"]) as src:
        band = src.read(1)
        assert src.crs.to_epsg() == 3006 and src.nodata == -9999
        assert (band != src.nodata).sum() == 200
    layers = {name for name, _ in pyogrio.list_layers(written["gpkg"])}
    assert {"isovist_points", "concealment_pockets", "visible_from_streets",
            "street_viewpoints", "sightlines_figures"} <= layers
    assert (tmp_path / "isovist_area.qml").exists()


def test_cli_sightlines(tmp_path, capsys):
    """`amp-place sightlines --data --out` writes both files and prints the figures."""
    from amp_qgis_plugin.cli import main
    from amp_qgis_plugin.core.data.placedata import write_geopackage

    data, frontage = _toy_place()
    gpkg = tmp_path / "toy.gpkg"
    write_geopackage(data, gpkg)
    fr = tmp_path / "front.gpkg"
    frontage.to_file(fr, layer="frontage", driver="GPKG")
    code = main(["sightlines", "--data", str(gpkg), "--out", str(tmp_path / "o"),
                 "--frontage", str(fr)])
    text = capsys.readouterr().out
    assert code == 0
    assert "visible from adjacent streets: 100.0 %" in text
    assert "Active frontage in view (mean): 40.0 m" in text
    assert (tmp_path / "o" / "isovist_area.tif").exists()
    assert (tmp_path / "o" / "sightlines.gpkg").exists()
    assert main(["sightlines", "--data", str(gpkg), "--out", str(tmp_path / "o2"),
                 "--frontage", str(gpkg)]) != 0  # no 'frontage' layer: clean error
