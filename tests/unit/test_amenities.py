"""Amenities (C4 trees, C6 bins, U4 food, U3 reasons to be there) with hand-computed answers."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError
from amp_qgis_plugin.core.indicators.amenities import amenity_figures, required_bins, required_trees

CRS = "EPSG:3006"


def _gdf(cols, geoms):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def test_requirements_by_hand():
    # §37-742: A = 2000 m² -> 4 + (2000 - 557)/93 = 19.516; small plazas 4
    assert required_trees(2000) == pytest.approx(4 + 1443 / 93)
    assert required_trees(300) == 4
    # §37-744: 300 m² -> ceil(300/139) = 3; 2000 m² -> ceil(557/139 + 1443/186) = ceil(11.765) = 12
    assert required_bins(300) == 3 and required_bins(2000) == 12


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
    res = amenity_figures(scene())
    assert res.value("trees") == 3
    assert res.value("trees_vs_requirement") == pytest.approx(3 / (4 + 1443 / 93) * 100)
    assert res.value("bins") == 2 and res.figure("bins").threshold == 12
    assert res.value("bins_vs_requirement") == pytest.approx(200 / 12)
    assert res.value("food_pois") == 1 and res.figure("food_pois").threshold == 3   # > 929 m²
    # food_drink, retail, water, art, seating, transit = 6 (artwork is art, not culture)
    assert res.value("reasons_to_be_there") == 6
    assert res.figure("reasons_to_be_there").note == "art, food_drink, retail, seating, transit, water"
    assert "Power of 10" in res.figure("reasons_to_be_there").source


def test_no_data_and_empty_place():
    d = scene()
    d["trees"] = d["trees"].iloc[0:0]
    d["bins"] = d["bins"].iloc[0:0]
    res = amenity_figures(d)
    assert res.value("trees") is None and res.value("bins_vs_requirement") is None
    d = PlaceData(crs=CRS)
    d["place"] = _gdf({"name": ["Sq"]}, [box(0, 0, 10, 10)])
    res = amenity_figures(d)
    assert res.value("reasons_to_be_there") is None and res.value("food_pois") is None
    d["place"] = d["place"].iloc[0:0]
    with pytest.raises(DataError):
        amenity_figures(d)
