"""Amenities (C4 trees, C6 bins, U4 food, U3 reasons to be there) with hand-computed answers.

The NYC rules are in square feet; 1 ft = 0.3048 m exactly, so 1 sq ft = 0.09290304 m².
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.indicators.amenities import (
    AmenityOptions,
    compute_amenities,
    required_bins,
    required_trees,
)

CRS = "EPSG:3006"
SQ_FT = 0.3048 ** 2


def _gdf(cols, geoms):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def test_requirements_by_hand():
    # §37-742: 2000 m² = 21,527.8 sq ft; excess 15,527.8 sq ft rounds to 16,000 -> 4 + 16 = 20
    assert 2000 / SQ_FT == pytest.approx(21527.8, abs=0.1)
    assert required_trees(2000) == 20
    assert required_trees(300) == 4
    # §37-744: 300 m² = 3,229.2 sq ft -> ceil(2.15) = 3;
    # 2000 m² -> 6000/1500 + ceil(15,527.8 / 2,000) = 4 + 8 = 12
    assert required_bins(300) == 3 and required_bins(2000) == 12


def test_section_37_744_557_m2_needs_4_bins():
    # 557 m² = 5,995.5 sq ft < 6,000 sq ft -> ceil(5,995.5 / 1,500) = ceil(3.997) = 4
    # (the truncated 139 m² per bin gave ceil(557 / 139) = ceil(4.007) = 5)
    assert 557 / SQ_FT == pytest.approx(5995.5, abs=0.1)
    assert required_bins(557) == 4


@pytest.mark.parametrize("area_sq_ft, bins", [
    (1, 1), (1500, 1), (1500.01, 2), (4500, 3), (4500.01, 4), (6000, 4), (6000.01, 5),
    (8000, 5), (8000.01, 6), (10000, 6), (10000.01, 7)])
def test_section_37_744_steps_in_square_feet(area_sq_ft, bins):
    # 1 per 1,500 sq ft up to 6,000 sq ft, then 1 per further 2,000 sq ft, whole bins rounded up
    assert required_bins(area_sq_ft * SQ_FT) == bins


@pytest.mark.parametrize("area_sq_ft, trees", [
    (2000, 4), (6000, 4), (6499, 4), (6500, 5), (7499, 5), (7500, 6), (16000, 14)])
def test_section_37_742_steps_in_square_feet(area_sq_ft, trees):
    # at least 4; above 6,000 sq ft one 4-inch tree (4 caliper inches) per further 1,000 sq ft,
    # the excess rounded to the nearest 1,000 sq ft (half up)
    assert required_trees(area_sq_ft * SQ_FT) == trees


@pytest.mark.parametrize("area_m2, target", [(10000 * SQ_FT, 1), (10000 * SQ_FT + 0.1, 3),
                                             (929.0, 1)])
def test_section_37_748_food_target_steps_at_10000_sq_ft(area_m2, target):
    # 10,000 sq ft = 929.0304 m²: a 929 m² place is below it
    d = scene()
    side = area_m2 ** 0.5
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, side, side)])
    assert compute_amenities(d).figure("food_pois").threshold == target


def scene():
    """40 x 50 square (2000 m²), 3 trees inside + 1 outside, 2 bins, a café 10 m out, a restaurant
    20 m out, a shop, a fountain, an artwork, a bench, a bus stop 25 m out."""
    d = PlaceData(crs=CRS)
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, 40, 50)])
    d["trees"] = _gdf({"osm_id": list("abcd")}, [Point(5, 5), Point(10, 10), Point(20, 20), Point(60, 60)])
    d["bins"] = _gdf({"osm_id": ["x", "y"]}, [Point(1, 1), Point(2, 2)])
    d["pois"] = _gdf({"osm_id": ["c", "r", "s", "f", "a"],
                      "category": ["food_drink", "food_drink", "retail", "amenity_other", "culture"],
                      "key": ["amenity", "amenity", "shop", "amenity", "tourism"],
                      "value": ["cafe", "restaurant", "clothes", "fountain", "artwork"]},
                     [Point(50, 10), Point(60, 10), Point(45, 45), Point(20, 25), Point(30, 30)])
    d["seating"] = _gdf({"osm_id": ["b"]}, [Point(15, 15)])
    d["transit_stops"] = _gdf({"osm_id": ["t"], "mode": ["bus"]}, [Point(20, 75)])
    return d


def test_hand_built_place():
    res = compute_amenities(scene())
    assert res.value("trees") == 3 and res.figure("trees").threshold == 20
    assert res.value("trees_vs_requirement") == pytest.approx(3 / 20 * 100)
    assert res.value("bins") == 2 and res.figure("bins").threshold == 12
    assert res.value("bins_vs_requirement") == pytest.approx(200 / 12)
    assert res.value("food_pois") == 1 and res.figure("food_pois").threshold == 3   # > 929 m²
    # food_drink, retail, water, art, seating, transit = 6 (artwork is art, not culture)
    assert res.value("reasons_to_be_there") == 6
    assert res.figure("reasons_to_be_there").note == "art, food_drink, retail, seating, transit, water"
    assert "Power of 10" in res.figure("reasons_to_be_there").source
    assert res.parameters["food_edge_m"] == "15.0" and res.parameters["reasons_edge_m"] == "30.0"


def test_distances_are_options():
    # the restaurant is 20 m from the place: counted with a 25 m food edge
    res = compute_amenities(scene(), AmenityOptions(food_edge_m=25.0))
    assert res.value("food_pois") == 2
    assert res.figure("food_pois").label == "Food and drink within the place or 25 m of it"
    # with a 5 m activities edge: no café (10 m), no restaurant (20 m) and no stop (25 m)
    res = compute_amenities(scene(), AmenityOptions(reasons_edge_m=5.0))
    assert res.figure("reasons_to_be_there").note == "art, retail, seating, water"
    with pytest.raises(InputError) as err:
        AmenityOptions(food_edge_m=-1)
    assert str(err.value) == "The food and drink distance must be 0 to 500 m, not -1."
    assert err.value.options == ("food_edge_m",)


def test_no_data_and_empty_place():
    d = scene()
    d["trees"] = d["trees"].iloc[0:0]
    d["bins"] = d["bins"].iloc[0:0]
    res = compute_amenities(d)
    assert res.value("trees") is None and res.value("bins_vs_requirement") is None
    d = PlaceData(crs=CRS)
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, 10, 10)])
    res = compute_amenities(d)
    assert res.value("reasons_to_be_there") is None and res.value("food_pois") is None
    d["place"] = d["place"].iloc[0:0]
    with pytest.raises(DataError):
        compute_amenities(d)
