"""Seating audit (C1-C3, S6, C6) on a hand-built 30 m x 30 m square (900 m²), answers by hand."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.indicators.seating import (
    SeatingOptions, audit_seating, parse_direction, parse_seats)

CRS = "EPSG:3006"


def _gdf(cols, geoms):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def scene(bins=True, trees=True):
    """Square 0..30 x 0..30 (900 m²) with
    b1 bench seats=3 backrest=yes direction=0 at (10,10)     -> 3 x 0.6 = 1.8 m, backed
    b2 bench seats=many backrest=no direction=90 at (12,10)  -> default 1.8 m, 2 m from b1 at 90° -> social
    b3 bench length 4 m backrest="" at (25,25)               -> 4.0 m, backrest unknown, alone
    t1 picnic table at (5,25)                                -> 3.6 m default, social by itself
    b4 bench "4;6" seats at (100,100) outside the place      -> not audited
    café with outdoor_seating=yes at (29,15)                 -> audited, credits 0 m
    bin at (10,20): b1 10 m, b2 ~10.2 m -> near; b3 15.8 m, t1 7.1 m
    tree at (25,21), crown 10 m (radius 5): b3 4 m -> shaded.
    """
    d = PlaceData(crs=CRS)
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, 30, 30)])
    d["seating"] = _gdf({"osm_id": ["n1", "n2", "n3", "n4", "n5"],
                         "seating_type": ["bench", "bench", "bench", "picnic_table", "bench"],
                         "seats": ["3", "many", "", "", "4;6"], "backrest": ["yes", "no", "", "", ""],
                         "length_m": [None, None, 4.0, None, None],
                         "direction": ["0", "E", "", "", ""]},
                        [Point(10, 10), Point(12, 10), Point(25, 25), Point(5, 25), Point(100, 100)])
    d["pois"] = _gdf({"osm_id": ["n9"], "category": ["food_drink"], "outdoor_seating": ["yes"]}, [Point(29, 15)])
    if bins:
        d["bins"] = _gdf({"osm_id": ["n20"]}, [Point(10, 20)])
    if trees:
        d["trees"] = _gdf({"osm_id": ["n30"], "crown_diameter_m": [10.0]}, [Point(25, 21)])
    return d


def test_parse_seats_and_direction():
    assert parse_seats("4") == 4 and parse_seats("4;6") == 4 and parse_seats("2-3") == 2
    assert parse_seats("many") is None and parse_seats("") is None and parse_seats("0") is None
    assert parse_seats("~6") == 6 and parse_seats(None) is None and parse_seats("500") is None
    assert parse_direction("NE") == 45 and parse_direction("370") == 10 and parse_direction("up") is None


def test_hand_built_audit():
    res = audit_seating(scene())
    a = res.layers["seating_audit"].set_index("osm_id")
    assert list(a.index) == ["n1", "n2", "n3", "n4", "n9"]          # n5 outside
    assert a.loc["n1", "length_m"] == pytest.approx(1.8) and a.loc["n1", "length_basis"] == "seats x 0.6 m"
    assert a.loc["n2", "length_m"] == pytest.approx(1.8) and a.loc["n2", "seats_known"] == 0
    assert a.loc["n3", "length_m"] == pytest.approx(4.0) and a.loc["n4", "length_m"] == pytest.approx(3.6)
    assert a.loc["n9", "length_m"] == 0.0 and a.loc["n9", "audit_type"] == "cafe_outdoor"
    assert list(a.social) == ["yes", "yes", "no", "yes", "unknown"]
    assert list(a.near_bin) == ["yes", "yes", "no", "yes", "no"]
    assert list(a.near_shade_tree) == ["no", "no", "yes", "no", "no"]
    # C1: 1.8 + 1.8 + 4.0 + 3.6 = 11.2 m on 900 m² -> 1.244 m/100 m²; requirement 900/9.1 = 98.9 m
    assert res.value("linear_seating_m") == pytest.approx(11.2)
    assert res.value("seating_per_100m2") == pytest.approx(11.2 / 9)
    assert res.value("seating_vs_requirement") == pytest.approx(11.2 / (900 / 9.1) * 100)
    # C2: backrest known for n1 (1.8 yes) and n2 (1.8 no) -> 50 %
    assert res.value("backs_share") == pytest.approx(50.0)
    # C3: bench_backed, bench, picnic_table, cafe_outdoor -> 4 (900 m² > 465 m² -> target 3)
    assert res.value("seating_types") == 4 and res.figure("seating_types").threshold == 3
    # S6: public seats n1..n4: yes, yes, no, yes -> 75 %
    assert res.value("social_share") == pytest.approx(75.0)
    assert res.value("seats_near_bin") == pytest.approx(75.0)
    assert res.value("seats_near_shade_tree") == pytest.approx(25.0)
    assert any("'many'" in w for w in res.warnings)
    assert res.parameters["default_bench_length_m"] == "1.8" and res.parameters["seat_width_m"] == "0.6"
    assert "§37-741" in res.figure("seating_per_100m2").source


def test_parameters_change_the_answer():
    res = audit_seating(scene(), SeatingOptions(default_bench_length_m=2.0, cafe_seating_m=3.0))
    assert res.value("linear_seating_m") == pytest.approx(1.8 + 2.0 + 4.0 + 3.6 + 3.0)
    with pytest.raises(InputError):
        SeatingOptions(seat_width_m=-1)


def test_no_data_rules():
    res = audit_seating(scene(bins=False, trees=False))
    assert res.value("seats_near_bin") is None and res.value("seats_near_shade_tree") is None
    assert set(res.layers["seating_audit"].near_bin) == {"unknown"}
    d = scene()
    d["seating"] = d["seating"].iloc[0:0]
    d["pois"] = d["pois"].iloc[0:0]
    res = audit_seating(d)
    assert res.value("linear_seating_m") is None and res.figure("linear_seating_m").formatted() == "no data"
    assert res.value("backs_share") is None and res.layers["seating_audit"].empty
    # mapped nearby but none in the place -> 0 m, not no data
    d = scene()
    d["seating"] = d["seating"].iloc[[4]]
    d["pois"] = d["pois"].iloc[0:0]
    assert audit_seating(d).value("linear_seating_m") == 0.0


def test_empty_place():
    d = scene()
    d["place"] = d["place"].iloc[0:0]
    with pytest.raises(DataError, match="no place polygon"):
        audit_seating(d)


def test_senaatintori_real_data(senaatintori_data):
    """Senaatintori (bundled 2019 Helsinki extract, ODbL (c) OpenStreetMap contributors).

    Checked by reading the data myself: the PlaceData has 125 seating features in the study area
    but none within 2 m of the place polygon (geopandas ``distance`` to r2919121: the square is an
    open paved area; benches are in the Esplanadi and around), so the linear seating is a true 0 m
    (seating mapped nearby) and not "no data"; backs and social seating have no seats to judge.
    The area of the place polygon is 6,706 m², so §37-741 asks for 6706 / 9.1 = 737 m.
    """
    from amp_qgis_plugin.core.indicators.amenities import amenity_figures

    d = senaatintori_data
    near = d["seating"].distance(d.place_polygon) <= 2.0
    assert len(d["seating"]) > 0 and not near.any()
    res = audit_seating(d)
    assert res.value("linear_seating_m") == 0.0
    assert res.figure("linear_seating_m").threshold == pytest.approx(d.place_polygon.area / 9.1, abs=0.1)
    assert res.value("backs_share") is None and res.value("social_share") is None
    amen = amenity_figures(d)
    # no tree inside the square (trees layer non-empty in the study area) -> 0, requirement 70.1
    assert amen.value("trees") == 0
    assert amen.figure("trees").threshold == pytest.approx(4 + (d.place_polygon.area - 557) / 93, abs=0.1)
