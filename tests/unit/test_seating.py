"""Seating audit (C1-C3, S6, C6) on a hand-built 30 m x 30 m square (900 m²), answers by hand.

NYC rules by hand with the exact foot: 1 ft = 0.3048 m, 1 sq ft = 0.3048² = 0.09290304 m².
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.indicators.seating import (
    SeatingOptions,
    compute_seating,
    parse_direction,
    parse_seats,
    required_seating_m,
    variety_type,
)

CRS = "EPSG:3006"
SQ_FT = 0.3048 ** 2


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
    bin at (10,20): b1 10 m, b2 ~10.2 m -> near; b3 15.8 m (> 50 ft = 15.24 m), t1 7.1 m
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
    res = compute_seating(scene())
    a = res.layers["seating_audit"].set_index("osm_id")
    assert list(a.index) == ["n1", "n2", "n3", "n4", "n9"]          # n5 outside
    assert a.loc["n1", "length_m"] == pytest.approx(1.8) and a.loc["n1", "length_basis"] == "seats x 0.6 m"
    assert a.loc["n2", "length_m"] == pytest.approx(1.8) and a.loc["n2", "seats_known"] == 0
    assert a.loc["n3", "length_m"] == pytest.approx(4.0) and a.loc["n4", "length_m"] == pytest.approx(3.6)
    assert a.loc["n9", "length_m"] == 0.0 and a.loc["n9", "audit_type"] == "cafe_outdoor"
    assert list(a.audit_type) == ["bench_backed", "bench", "bench", "picnic_table", "cafe_outdoor"]
    assert list(a.social) == ["yes", "yes", "no", "yes", "unknown"]
    assert list(a.near_bin) == ["yes", "yes", "no", "yes", "no"]
    assert list(a.near_shade_tree) == ["no", "no", "yes", "no", "no"]
    # C1: 1.8 + 1.8 + 4.0 + 3.6 = 11.2 m on 900 m² -> 1.244 m/100 m²; §37-741 1 linear ft per
    # 30 sq ft: 900 m² = 9,687.5 sq ft -> 322.92 ft = 98.43 m (was 900/9.1 = 98.9 m)
    required = 900 / SQ_FT / 30 * 0.3048
    assert required == pytest.approx(98.425, abs=1e-3)
    assert res.value("linear_seating_m") == pytest.approx(11.2)
    assert res.figure("linear_seating_m").threshold == pytest.approx(98.4)
    assert res.value("seating_per_100m2") == pytest.approx(11.2 / 9)
    assert res.figure("seating_per_100m2").threshold == pytest.approx(10.94)  # 100/9.144
    assert res.value("seating_vs_requirement") == pytest.approx(11.2 / required * 100)
    # C2: backrest known for n1 (1.8 yes) and n2 (1.8 no) -> 50 %; judged over the whole place,
    # the methodology's proposal (§37-741 asks it of the street-frontage seating only)
    backs = res.figure("backs_share")
    assert res.value("backs_share") == pytest.approx(50.0)
    assert backs.verified is False and "Methodology §8.3 C2" in backs.source
    assert "§37-741" in backs.source and "street-frontage" in backs.source
    # C3: bench with and without back are one type (§37-741), café seating is for customers only
    # -> bench, picnic_table = 2; 900 m² = 9,687.5 sq ft > 5,000 sq ft -> target 3
    assert res.value("seating_types") == 2 and res.figure("seating_types").threshold == 3
    assert res.figure("seating_types").note.startswith("bench, picnic_table (café outdoor seating")
    # S6: public seats n1..n4: yes, yes, no, yes -> 75 %
    assert res.value("social_share") == pytest.approx(75.0)
    assert res.value("seats_near_bin") == pytest.approx(75.0)
    assert res.value("seats_near_shade_tree") == pytest.approx(25.0)
    # n2 ('many') and n4 (picnic table) took a default length; n3 has a length tag
    assert res.warnings == ["2 seat(s) have no usable 'seats'/'length' value ('many'); the default "
                            "length of their type was used."]
    assert res.parameters["default_bench_length_m"] == "1.8" and res.parameters["seat_width_m"] == "0.6"
    assert res.parameters["bin_reach_m"] == "15.24" and res.parameters["cafe_seating_m"] == "0.0"
    assert "§37-741" in res.figure("seating_per_100m2").source
    assert res.geometry_types == {"seating_audit": "Point"}


def test_section_37_741_seating_requirement_in_feet():
    # 30 sq ft of plaza ask 1 linear ft of seating: 2.7870912 m² -> 0.3048 m
    assert required_seating_m(30 * SQ_FT) == pytest.approx(0.3048, rel=1e-12)
    # 1,000 m² = 10,763.91 sq ft -> 358.80 ft -> 109.36 m
    assert required_seating_m(1000) == pytest.approx(1000 / SQ_FT / 30 * 0.3048, rel=1e-12)
    assert required_seating_m(1000) == pytest.approx(109.361, abs=1e-3)


@pytest.mark.parametrize("area_m2, target", [(5000 * SQ_FT, 2), (5000 * SQ_FT + 0.1, 3), (465.0, 3)])
def test_section_37_741_types_target_steps_at_5000_sq_ft(area_m2, target):
    # the 5,000 sq ft step is 464.5152 m² (a 465 m² place was 'small' with the rounded constant)
    d = scene()
    side = area_m2 ** 0.5
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, side, side)])
    assert compute_seating(d).figure("seating_types").threshold == target


def test_movable_chairs_are_credited_30_inches_each():
    # §37-741: each movable chair counts as 30 in of seating; 4 chairs = 120 in = 10 ft = 3.048 m
    d = scene()
    d["seating"] = _gdf({"osm_id": ["c1"], "seating_type": ["chair"], "seats": ["4"],
                         "backrest": [""], "length_m": [None], "direction": [""]}, [Point(15, 15)])
    d["pois"] = d["pois"].iloc[0:0]
    res = compute_seating(d)
    assert res.value("linear_seating_m") == pytest.approx(10 * 0.3048)
    assert res.layers["seating_audit"].length_basis.tolist() == ["movable chair x 0.762 m (NYC ZR §37-741)"]


def test_variety_types():
    assert variety_type("bench") == variety_type("bench_backed") == "bench"
    assert variety_type("cafe_outdoor") is None
    assert [variety_type(t) for t in ("picnic_table", "chair", "seat_wall", "lounger")] == \
        ["picnic_table", "chair", "seat_wall", "lounger"]


def test_outdoor_seating_area_is_for_customers():
    # a leisure=outdoor_seating area (seating layer) with 12 seats: credited cafe_seating_m, not
    # 12 x 0.6 m, and no seating type
    d = scene()
    extra = _gdf({"osm_id": ["w7"], "seating_type": ["outdoor_seating"], "seats": ["12"],
                  "backrest": [""], "length_m": [None], "direction": [""]}, [Point(20, 5)])
    d["seating"] = gpd.GeoDataFrame(pd.concat([d["seating"], extra], ignore_index=True), crs=CRS)
    res = compute_seating(d)
    a = res.layers["seating_audit"].set_index("osm_id")
    assert a.loc["w7", "audit_type"] == "cafe_outdoor" and a.loc["w7", "length_m"] == 0.0
    assert res.value("linear_seating_m") == pytest.approx(11.2)
    assert res.value("seating_types") == 2
    res = compute_seating(d, SeatingOptions(cafe_seating_m=1.5))
    assert res.value("linear_seating_m") == pytest.approx(11.2 + 1.5 + 1.5)  # n9 and w7


def test_parameters_change_the_answer():
    res = compute_seating(scene(), SeatingOptions(default_bench_length_m=2.0, cafe_seating_m=3.0))
    assert res.value("linear_seating_m") == pytest.approx(1.8 + 2.0 + 4.0 + 3.6 + 3.0)
    # a larger bin reach reaches b3 (15.8 m from the bin): all 4 public seats served
    res = compute_seating(scene(), SeatingOptions(bin_reach_m=16.0))
    assert res.value("seats_near_bin") == pytest.approx(100.0)


def test_option_errors_name_the_option():
    with pytest.raises(InputError) as err:
        SeatingOptions(seat_width_m=-1)
    assert str(err.value) == "The seat width must be more than 0 and at most 2 m, not -1."
    assert err.value.options == ("seat_width_m",)
    with pytest.raises(InputError) as err:
        SeatingOptions(social_min_angle_deg=200)
    assert str(err.value) == "The social seating angle must be 0 to 180 degrees, not 200."
    assert err.value.options == ("social_min_angle_deg",) and "--" not in str(err.value)


def test_defaults_come_from_the_data_file():
    from amp_qgis_plugin.core.thresholds import load_thresholds

    doc = load_thresholds("seating")
    opts = SeatingOptions()
    assert opts.default_bench_length_m == doc["thresholds"]["default_bench_length"]["value"]
    assert opts.seat_width_m == doc["thresholds"]["seat_width"]["value"]
    assert opts.bin_reach_m == doc["thresholds"]["bin_reach"]["value"] == 50 * 0.3048
    assert opts.cafe_seating_m == doc["defaults"]["cafe_seating"]["value"] == 0
    assert opts.cafe_reach_m == doc["defaults"]["cafe_reach"]["value"]


def test_no_data_rules():
    res = compute_seating(scene(bins=False, trees=False))
    assert res.value("seats_near_bin") is None and res.value("seats_near_shade_tree") is None
    assert set(res.layers["seating_audit"].near_bin) == {"unknown"}
    d = scene()
    d["seating"] = d["seating"].iloc[0:0]
    d["pois"] = d["pois"].iloc[0:0]
    res = compute_seating(d)
    assert res.value("linear_seating_m") is None and res.figure("linear_seating_m").formatted() == "no data"
    assert res.value("backs_share") is None and res.layers["seating_audit"].empty
    # mapped nearby but none in the place -> 0 m, not no data
    d = scene()
    d["seating"] = d["seating"].iloc[[4]]
    d["pois"] = d["pois"].iloc[0:0]
    assert compute_seating(d).value("linear_seating_m") == 0.0


def test_empty_place():
    d = scene()
    d["place"] = d["place"].iloc[0:0]
    with pytest.raises(DataError, match="no place polygon"):
        compute_seating(d)


def test_senaatintori_real_data(senaatintori_data):
    """Senaatintori (bundled 2019 Helsinki extract, ODbL (c) OpenStreetMap contributors).

    Checked by reading the data myself: the PlaceData has 125 seating features in the study area
    but none within 2 m of the place polygon (geopandas ``distance`` to r2919121: the square is an
    open paved area; benches are in the Esplanadi and around), so the linear seating is a true 0 m
    (seating mapped nearby) and not "no data"; backs and social seating have no seats to judge.
    The area of the place polygon is 6,706.2 m² = 72,185 sq ft, so §37-741 (1 linear ft per
    30 sq ft) asks for 2,406.2 ft = 733.4 m (737.0 m from the rounded 1 m per 9.1 m² before);
    §37-742 asks for 4 + round((72,185 − 6,000) / 1,000) = 4 + 66 = 70 trees (70.1 before) and
    §37-744 for 4 + ceil(66,185 / 2,000) = 4 + 34 = 38 bins (38 before).
    """
    from amp_qgis_plugin.core.indicators.amenities import compute_amenities

    d = senaatintori_data
    area_ft = d.place_polygon.area / SQ_FT
    assert area_ft == pytest.approx(72185.4, abs=0.1)
    near = d["seating"].distance(d.place_polygon) <= 2.0
    assert len(d["seating"]) > 0 and not near.any()
    res = compute_seating(d)
    assert res.value("linear_seating_m") == 0.0
    assert res.figure("linear_seating_m").threshold == pytest.approx(area_ft / 30 * 0.3048, abs=0.05)
    assert res.figure("linear_seating_m").threshold == pytest.approx(733.4)
    assert res.value("backs_share") is None and res.value("social_share") is None
    assert res.value("seating_types") == 0 and res.figure("seating_types").threshold == 3
    amen = compute_amenities(d)
    # no tree inside the square (trees layer non-empty in the study area) -> 0, requirement 70
    assert amen.value("trees") == 0
    assert amen.figure("trees").threshold == 4 + round((area_ft - 6000) / 1000) == 70
    assert amen.figure("bins").threshold == 4 + math.ceil((area_ft - 6000) / 2000) == 38
