"""The isovist engine: analytic cases, repair of awkward obstacles, prepared obstacles for single
calls, the valid-observer mask, and the real Senaatintori sample against a dense ray cast."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, Point, Polygon, box

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators import isovist_kernel as kernel
from amp_qgis_plugin.core.indicators.isovist import (
    IsovistEngine,
    Obstacles,
    isovist,
    prepare_obstacles,
)

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
    # The repair is the engine's one rule (core.geometry): the same solid as polygonal_part.
    from amp_qgis_plugin.core.geometry import polygonal_part

    assert Obstacles.build([bowtie]).solid.equals(polygonal_part(bowtie))


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


def test_bad_input():
    with pytest.raises(InputError) as err:
        isovist(Point(0, 0), [], -5)
    assert err.value.options == ("radius_m",)
    with pytest.raises(InputError):
        isovist(Point(0, 0), [], float("nan"))
    with pytest.raises(InputError):
        isovist((0, 0), [], 10)
    with pytest.raises(InputError):
        Obstacles.build(["not a geometry"])


def test_default_radius_is_the_data_file_value():
    """No radius: the 100 m of sightlines.json (isovist_radius); a free disc of that radius."""
    from amp_qgis_plugin.core.thresholds import threshold

    assert threshold("sightlines", "isovist_radius")["value"] == 100
    assert IsovistEngine(Obstacles.build([])).radius == 100.0
    assert isovist(Point(0, 0), []).area == pytest.approx(math.pi * 100.0 ** 2, rel=ARC_TOL)


def test_collections_keep_their_polygons_and_count_the_rest():
    """A collection holding a polygon and a line blocks like the polygon; one holding only a
    line, and a point, have no area and are counted as ignored."""
    sq = box(20, -5, 30, 5)
    mixed = GeometryCollection([sq, LineString([(0, 50), (10, 50)])])
    only_line = GeometryCollection([LineString([(0, -50), (10, -50)])])
    obs = Obstacles.build([mixed, only_line, Point(1, 1)])
    assert obs.ignored == 2
    assert obs.solid.equals(sq)
    a_mixed = IsovistEngine(obs, R).field([(0.0, 0.0)]).measures["area"][0]
    a_sq = _measures((0, 0), [sq]).measures["area"][0]
    assert a_mixed == pytest.approx(a_sq, rel=1e-12)


def test_valid_observer_mask_is_returned():
    """Inside, on the outline and outside a 10 m box: the field returns the mask [F, F, T]; the
    engine keeps no state between calls, and polygons are empty exactly where it is False."""
    eng = IsovistEngine(Obstacles.build([box(0, 0, 10, 10)]), R)
    xy = np.array([[5.0, 5.0], [10.0, 5.0], [20.0, 5.0]])
    fld = eng.field(xy)
    assert fld.valid.tolist() == [False, False, True]
    assert eng.valid(xy).tolist() == [False, False, True]
    assert not hasattr(eng, "_last_valid")
    polys = eng.polygons(xy)
    assert [p.is_empty for p in polys] == [True, True, False]
    # A second call with other observers returns its own mask.
    assert eng.field(xy[::-1]).valid.tolist() == [True, False, False]


def test_prepared_obstacles_are_reused():
    """Prepared Obstacles pass through unchanged and build their wall segments once."""
    obs = Obstacles.build([box(0, 0, 10, 10)])
    assert prepare_obstacles(obs) is obs
    assert obs.walls() is obs.walls()
    assert len(obs.walls()) == 4
    assert IsovistEngine(obs, R).walls is obs.walls()
    from_list = prepare_obstacles([box(0, 0, 10, 10), LineString([(20, 0), (20, 10)])])
    assert from_list.solid.equals(box(0, 0, 10, 10))
    assert from_list.free_walls.equals(LineString([(20, 0), (20, 10)]))


def test_single_prepared_isovist_equals_the_engine(senaatintori_data):
    """On Senaatintori: isovist() with prepared obstacles, one observer per call, gives the
    polygon of the batch engine for the same observer (area within 1e-6 m2), and the same
    polygon as isovist() given the raw building list."""
    data = senaatintori_data
    buildings = list(data["buildings"].geometry.values)
    prepared = Obstacles.build(buildings)
    place = data.place_polygon
    x0, y0, x1, y1 = place.bounds
    grid = np.array([(x, y) for x in np.linspace(x0, x1, 9) for y in np.linspace(y0, y1, 9)])
    grid = grid[shapely.contains_xy(place, grid[:, 0], grid[:, 1])]
    eng = IsovistEngine(prepared, R)
    fld = eng.field(grid)
    pts = grid[fld.valid][:12]
    assert len(pts) == 12
    batch = eng.polygons(grid[fld.valid])[:12]
    for xy, poly in zip(pts, batch):
        single = isovist(Point(xy), prepared, R)
        assert single.area == pytest.approx(poly.area, abs=1e-6)
        assert single.symmetric_difference(poly).area < 1e-6
    raw = isovist(Point(pts[0]), buildings, R)
    assert raw.area == pytest.approx(batch[0].area, abs=1e-6)
