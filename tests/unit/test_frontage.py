"""Frontage mapping (issue 3): hand-built scenes with answers computed by hand, and Senaatintori."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import CancelledError, DataError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators.frontage import (
    FrontageOptions,
    gehl_grade,
    is_ground_floor,
    map_frontage,
    municipal_use,
)

CRS = "EPSG:3006"


def _gdf(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def scene(extra_buildings=(), entrances=None, pois=None, buildings_use=None):
    """A 40 m x 40 m square (0..40, 0..40) with:

    * building N: 40 m x 15 m, façade y = 45 (5 m north of the square), 4 shop entrances at
      x = 5, 15, 25, 35 and a shop POI 2 m inside behind each;
    * building S: 20 m x 10 m, façade y = -10 (10 m south), no doors;
    * building H: hidden behind N (façade y = 65, 25 m from the square but N is in between);
    * building F: 35 m east of the square (beyond 30 m).
    """
    data = PlaceData(crs=CRS)
    data["place"] = _gdf({"name": ["Test square"], "kind": ["square"]}, [box(0, 0, 40, 40)])
    bl = [("wN", box(0, 45, 40, 60)), ("wS", box(10, -20, 30, -10)), ("wH", box(0, 65, 40, 75)),
          ("wF", box(75, 0, 90, 40))] + list(extra_buildings)
    rows = {"osm_id": [b[0] for b in bl], "source": ["osm"] * len(bl), "building": ["yes"] * len(bl)}
    if buildings_use:
        rows["use"] = [buildings_use.get(b[0], ("", "osm"))[0] for b in bl]
        rows["source"] = [buildings_use.get(b[0], ("", "osm"))[1] for b in bl]
    data["buildings"] = _gdf(rows, [b[1] for b in bl])
    if entrances is None:
        entrances = [("n1", "shop", Point(5, 45)), ("n2", "shop", Point(15, 45)),
                     ("n3", "shop", Point(25, 45)), ("n4", "shop", Point(35, 45))]
    data["entrances"] = _gdf({"osm_id": [e[0] for e in entrances], "entrance": [e[1] for e in entrances]},
                             [e[2] for e in entrances])
    if pois is None:
        pois = [(f"n1{i}", "retail", "", Point(x, 47)) for i, x in enumerate((5, 15, 25, 35))]
    data["pois"] = _gdf({"osm_id": [p[0] for p in pois], "category": [p[1] for p in pois],
                         "level": [p[2] for p in pois]}, [p[3] for p in pois])
    return data


def test_gehl_grade_bands_from_scoring_file():
    # thresholds in frontage.json: A >= 15, B >= 10, C >= 6, D >= 2, else E
    assert [gehl_grade(v) for v in (20, 15, 14.9, 10, 9.9, 6, 5.5, 2, 1.9, 0)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"]
    assert gehl_grade(None) is None


def test_two_buildings_four_shop_doors_on_40m_is_grade_b():
    res = map_frontage(scene())
    fr = res.layers["frontage"]
    # only the south façade of N (40 m, 4 pieces of 10 m) and the north façade of S (20 m, 2 pieces)
    assert sorted(fr.building_id.unique()) == ["wN", "wS"]
    n = fr[fr.building_id == "wN"]
    s = fr[fr.building_id == "wS"]
    assert n.length_m.sum() == pytest.approx(40.0)
    assert s.length_m.sum() == pytest.approx(20.0)
    assert len(n) == 4 and all(n.doors == 1)
    # 4 doors / 40 m = 10 doors per 100 m -> grade B; the 4 POIs use the 4 mapped shop doors
    assert n.facade_doors_per_100m.iloc[0] == pytest.approx(10.0)
    assert set(n.grade) == {"B"} and set(s.grade) == {"E"}
    assert set(n.use) == {"retail"} and set(s.use) == {"blank"}
    assert set(n.poi_ids) == {"n10", "n11", "n12", "n13"}
    assert all(fr.source == "osm")
    # place: 4 doors on 60 m = 6.67 doors/100 m -> C; active 40/60 = 66.7 %; mix B 66.7 %, E 33.3 %
    assert res.value("frontage_length") == pytest.approx(60.0)
    assert res.value("doors_per_100m") == pytest.approx(400 / 60)
    assert res.value("grade") == "C"
    assert res.value("active_share") == pytest.approx(200 / 3)
    assert res.value("grade_B_share") == pytest.approx(200 / 3)
    assert res.value("grade_E_share") == pytest.approx(100 / 3)
    fig = res.figure("doors_per_100m")
    assert fig.unit == "doors/100 m" and "Gehl" in fig.source and fig.threshold == 10


def test_hidden_and_far_buildings_get_no_frontage():
    fr = map_frontage(scene()).layers["frontage"]
    assert "wH" not in set(fr.building_id)   # hidden behind N
    assert "wF" not in set(fr.building_id)   # 35 m away
    # with 40 m reach F's west façade (35 m) counts; H stays hidden
    fr40 = map_frontage(scene(), FrontageOptions(max_distance_m=40)).layers["frontage"]
    assert "wF" in set(fr40.building_id) and "wH" not in set(fr40.building_id)
    assert fr40[fr40.building_id == "wF"].length_m.sum() == pytest.approx(40.0)


def test_per_edge_segments_and_segment_grading():
    ents = [("n1", "shop", Point(5, 45)), ("n2", "shop", Point(8, 45))]
    res = map_frontage(scene(entrances=ents, pois=[]), FrontageOptions(segment_length_m=0, grade_by="segment"))
    n = res.layers["frontage"].query("building_id == 'wN'")
    # one piece for the whole 40 m edge, 2 doors -> 5 doors/100 m -> D (D is [M] in the scoring file)
    assert len(n) == 1 and n.doors.iloc[0] == 2 and n.grade.iloc[0] == "D"
    # 10 m pieces graded alone: the piece with both doors is 20/100 m (A), the others E
    res10 = map_frontage(scene(entrances=ents, pois=[]), FrontageOptions(grade_by="segment"))
    n10 = res10.layers["frontage"].query("building_id == 'wN'").sort_values("doors")
    assert list(n10.grade) == ["E", "E", "E", "A"]


def test_pois_without_entrances_count_as_doors_and_residential_entrances():
    # no entrances mapped; two cafés and one bank inside N -> 3 doors on 40 m = 7.5/100 m -> C
    pois = [("c1", "food_drink", "", Point(4, 47)), ("c2", "food_drink", "0", Point(7, 47)),
            ("b1", "services", "", Point(33, 47)), ("o1", "office", "2", Point(20, 47))]
    ents = [("h1", "staircase", Point(15, 45)), ("x1", "emergency", Point(22, 45))]
    res = map_frontage(scene(entrances=ents, pois=pois))
    n = res.layers["frontage"].query("building_id == 'wN'")
    n = n.assign(x=n.geometry.centroid.x).sort_values("x")
    assert list(n.doors) == [2, 1, 0, 1]           # emergency exit is no door; staircase is
    assert list(n.use) == ["food_drink", "residential", "blank", "services"]
    assert n.facade_doors_per_100m.iloc[0] == pytest.approx(10.0) and set(n.grade) == {"B"}
    assert any("upper or basement" in w for w in res.warnings)   # the office on level 2


def test_municipal_use_overrides_osm_and_is_the_source():
    res = map_frontage(scene(buildings_use={"wS": ("Restaurang", "goteborg-byggnader"),
                                            "wN": ("Bostäder", "goteborg-byggnader")}))
    fr = res.layers["frontage"]
    assert set(fr[fr.building_id == "wS"].use) == {"food_drink"}
    assert set(fr[fr.building_id == "wN"].use) == {"residential"}
    assert set(fr.source) == {"goteborg-byggnader"}
    assert res.value("active_share") == pytest.approx(100 / 3)
    assert municipal_use("Myndighet/Förvaltning") == "public" and municipal_use("Kyrka/Kapell") == "worship"


def test_ground_floor_levels():
    assert is_ground_floor("") and is_ground_floor("0") and is_ground_floor("0;1")
    assert is_ground_floor("-1-1") and not is_ground_floor("1") and not is_ground_floor("-1")


def test_bad_input_nodes_only_overlaps_far_pois():
    # a building mapped as a node (no footprint), a near-duplicate of S and a POI in the square
    extra = [("nB", Point(20, 20).buffer(0).centroid), ("wS2", box(10, -20, 30, -10.5))]
    pois = [("k1", "food_drink", "", Point(20, 20))] +         [(f"n1{i}", "retail", "", Point(x, 47)) for i, x in enumerate((5, 15, 25, 35))]
    res = map_frontage(scene(extra_buildings=extra, pois=pois))
    text = " ".join(res.warnings)
    assert "no footprint" in text and "overlap" in text and "more than 3 m from any building" in text
    fr = res.layers["frontage"]
    assert fr.length_m.sum() == pytest.approx(60.0)  # the duplicate adds no frontage


def test_empty_place_and_no_buildings_are_no_data():
    data = scene()
    data["place"] = data["place"].iloc[0:0]
    with pytest.raises(DataError, match="no place polygon"):
        map_frontage(data)
    data = scene()
    data["buildings"] = data["buildings"].iloc[0:0]
    res = map_frontage(data)
    assert res.layers["frontage"].empty
    assert res.value("active_share") is None and res.value("doors_per_100m") is None
    assert res.figure("doors_per_100m").formatted() == "no data"
    # buildings but nothing mapped on them at all -> doors are no data, not 0
    res = map_frontage(scene(entrances=[], pois=[]))
    assert res.value("frontage_length") == pytest.approx(60.0) and res.value("doors_per_100m") is None
    with pytest.raises(InputError):
        map_frontage(scene(), FrontageOptions(max_distance_m=0))


def test_cancel():
    with pytest.raises(CancelledError):
        map_frontage(scene(), feedback=RecordingFeedback(cancel_after=1))



def test_senaatintori_real_data(senaatintori_data):
    """Senaatintori from the bundled 2019 Helsinki extract (ODbL, (c) OpenStreetMap contributors).

    Checked by reading the data myself: with pyosmium (``osmium.SimpleHandler`` over
    ``resources/sample/helsinki-centre.osm.pbf``) and by listing ``buildings`` within 30 m of the
    place polygon (r2919121) in the PlaceData with geopandas. Seven buildings are within 30 m:
    w4253124 (Unioninkatu 29, 13.8 m), w33084558 (14.0 m), the University main building r1320784
    (21.7 m), Heleniuksen talo w87318457 (28.4 m), Sunnin talo w17426256 (28.6 m), Kiseleffin talo
    w87318458 (28.7 m), w22115431 (29.3 m). The shop and café nodes inside them are
    n307465178 'Cafe Engel' (amenity=cafe, Aleksanterinkatu 26, opening_hours
    'Mo-Fr 08:00-21:00; Sa 09:00-21:00; Su 10:00-19:00') and n1621458422 'Palmroth' (shop=shoes)
    in Sunnin talo, and n2291085087 'Cafe Köket' (amenity=cafe, Aleksanterinkatu 28) in
    Kiseleffin talo. No other building facing the square carries a ground-floor POI, so the
    active frontage is the square-facing walls of those two buildings only.
    """
    res = map_frontage(senaatintori_data)
    fr = res.layers["frontage"]
    assert set(fr.building_id) == {"w4253124", "w33084558", "r1320784", "w87318457", "w17426256",
                                   "w87318458", "w22115431"}
    pois = {p for v in fr.poi_ids for p in v.split(";") if p}
    assert pois == {"n307465178", "n1621458422", "n2291085087"}
    active = fr[fr.active == 1]
    assert set(active.building_id) == {"w17426256", "w87318458"}
    assert set(fr[fr.building_id == "r1320784"].use) == {"blank"}
    # Sunnin talo (w17426256) faces the square with its south wall: the last edge of its OSM
    # outline (23.27 m) and the 0.5 m jog before it, measured here from the way's own nodes.
    sunni = senaatintori_data["buildings"]
    outline = sunni[sunni.osm_id == "w17426256"].geometry.iloc[0]
    outline = outline.geoms[0] if outline.geom_type == "MultiPolygon" else outline
    xy = list(outline.exterior.coords)
    edges = [Point(a).distance(Point(b)) for a, b in zip(xy[:-1], xy[1:])]
    assert edges[-1] == pytest.approx(23.27, abs=0.01) and edges[-2] == pytest.approx(0.5, abs=0.01)
    sunni_front = fr[fr.building_id == "w17426256"]
    assert sunni_front.facade_length_m.iloc[0] == pytest.approx(edges[-1] + edges[-2], abs=0.01)
    # its two shops (Cafe Engel, Palmroth) sit on the 23.27 m wall: all of it is active
    assert sunni_front[sunni_front.active == 1].length_m.sum() == pytest.approx(edges[-1], abs=0.01)
    # doors counted by hand: Cafe Engel and Palmroth (no mapped shop entrance: one door each),
    # Cafe Köket and the mapped entrance of Kiseleffin talo = 4 doors on the whole frontage
    assert fr.doors.sum() == 4
    assert res.value("doors_per_100m") == pytest.approx(400 / res.value("frontage_length"))
    assert res.value("grade") == "E"  # 1.6 doors/100 m < 2 (Gehl E, methodology §3.2)
    # active share: the active walls over all frontage; the denominator is the total length
    assert res.value("active_share") == pytest.approx(
        100 * active.length_m.sum() / res.value("frontage_length"))
    assert 0 < res.value("active_share") < 30
    assert all(fr.source == "osm")
