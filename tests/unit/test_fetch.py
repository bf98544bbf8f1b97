"""fetch: the PlaceData GeoPackage written, read back and checked; atomic writes; cancel."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from amp_qgis_plugin.core.data.buildings import clean_buildings
from amp_qgis_plugin.core.data.placedata import read_geopackage
from amp_qgis_plugin.core.data.schema import FEATURE_LAYERS, LAYERS
from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.fetch import FetchRequest, fetch_place_data, fetch_to_geopackage, sample_request


def test_geopackage_layers_schema_and_provenance(senaatintori_gpkg):
    listed = dict(pyogrio.list_layers(senaatintori_gpkg))
    for name in FEATURE_LAYERS:
        assert listed[name] == LAYERS[name].geometry_type, name
        info = pyogrio.read_info(senaatintori_gpkg, layer=name)
        assert info["crs"] == "EPSG:32635"
        assert list(info["fields"])[: len(LAYERS[name].columns)] == [c for c, _ in LAYERS[name].columns]
    data = read_geopackage(senaatintori_gpkg)
    prov = data.provenance
    assert prov["place_osm_id"] == "r2919121" and prov["crs"] == "EPSG:32635"
    assert prov["osm_timestamp"].startswith("2019-04-21")
    assert json.loads(prov["software"])["osmium"]
    assert json.loads(prov["parameters"])["study_radius_m"] == 800
    assert "ODbL" in prov["licence"]
    # the place sits inside its study area, which is the place buffered by 800 m
    assert data.study_area_polygon.contains(data.place_polygon)
    assert data.study_area_polygon.area == pytest.approx(data.place_polygon.buffer(800).area, rel=1e-3)
    # every kept feature touches the study area
    for name in ("buildings", "lamps", "paths", "pois"):
        assert data[name].intersects(data.study_area_polygon).all()


def test_buildings_are_cleaned_once_at_fetch(senaatintori_gpkg):
    """Senaatintori: 361 OSM footprints, all valid; 10 near-duplicates (building parts mapped
    twice) go, 3 overlapping pairs stay. The GeoPackage is schema version 2."""
    data = read_geopackage(senaatintori_gpkg)
    prov = data.provenance
    assert prov["schema_version"] == "2"
    assert {k: int(v) for k, v in prov.items() if k.startswith("buildings.")} == {
        "buildings.input": 361, "buildings.repaired": 0, "buildings.no_footprint": 0,
        "buildings.empty_after_repair": 0, "buildings.near_duplicates_removed": 10,
        "buildings.overlapping_pairs": 3, "buildings.kept": 351}
    assert len(data["buildings"]) == 351 == json.loads(prov["layer_counts"])["buildings"]
    # what was written is clean: cleaning it again changes nothing
    again, counts = clean_buildings(data["buildings"])
    assert len(again) == 351 and counts["near_duplicates_removed"] == counts["repaired"] == 0
    assert counts["overlapping_pairs"] == 3


def test_building_cleaning_is_reported(sample_osm):
    feedback = RecordingFeedback()
    fetch_place_data(sample_request("Senaatintori"), feedback=feedback)
    assert any(w.startswith("10 near-duplicate building footprint(s) were left out")
               for w in feedback.warnings)
    assert any(i.startswith("3 pair(s) of building footprints overlap") for i in feedback.infos)


def test_default_styles_are_embedded(senaatintori_gpkg):
    con = sqlite3.connect(senaatintori_gpkg)
    rows = dict(con.execute("select f_table_name, useAsDefault from layer_styles").fetchall())
    con.close()
    assert {"place", "buildings", "lamps", "pois", "seating", "paths"} <= set(rows)
    assert all(rows.values())


def test_cancel_leaves_no_output(tmp_path):
    out = tmp_path / "cancelled.gpkg"
    with pytest.raises(CancelledError):
        fetch_to_geopackage(sample_request(), out, feedback=RecordingFeedback(cancel_after=2))
    assert list(tmp_path.iterdir()) == []


def test_failed_run_keeps_previous_output_untouched(tmp_path):
    out = tmp_path / "place.gpkg"
    out.write_bytes(b"previous results")
    with pytest.raises(InputError):
        fetch_to_geopackage(sample_request("Nowhere Square"), out)
    assert out.read_bytes() == b"previous results"
    assert [p.name for p in tmp_path.iterdir()] == ["place.gpkg"]


def test_place_polygon_file_in_wgs84_is_not_modified(tmp_path, sample_osm):
    place_file = tmp_path / "place.geojson"
    gdf = gpd.GeoDataFrame({"namn": ["Testplats"]},
                           geometry=[Point(24.9525, 60.1695).buffer(0.0004)], crs="EPSG:4326")
    gdf.to_file(place_file, driver="GeoJSON")
    before = hashlib.sha256(place_file.read_bytes()).hexdigest()
    path, data = fetch_to_geopackage(
        FetchRequest(place_file=str(place_file), osm_file=str(sample_osm), study_radius_m=200),
        tmp_path / "out.gpkg")
    assert hashlib.sha256(place_file.read_bytes()).hexdigest() == before
    assert data.name == "Testplats" and data.crs == "EPSG:32635"
    assert len(data["buildings"]) > 10


def test_empty_area_warns_and_writes_valid_empty_layers(tmp_path, sample_osm):
    feedback = RecordingFeedback()
    path, data = fetch_to_geopackage(
        FetchRequest(point=(25.3, 60.0), point_radius_m=30, osm_file=str(sample_osm),
                     study_radius_m=100), tmp_path / "sea.gpkg", feedback=feedback)
    assert any("No OSM features" in w for w in feedback.warnings)
    back = read_geopackage(path)
    assert len(back["place"]) == 1
    assert all(len(back[n]) == 0 for n in FEATURE_LAYERS if n not in ("place", "study_area"))


def test_too_large_place_is_refused(tmp_path, sample_osm):
    request = FetchRequest(point=(24.95, 60.17), point_radius_m=300, osm_file=str(sample_osm),
                           max_place_area_m2=50_000)
    with pytest.raises(InputError, match=r"28[0-9],[0-9]{3} m².*50,000 m²"):
        fetch_to_geopackage(request, tmp_path / "big.gpkg")
    assert not (tmp_path / "big.gpkg").exists()


@pytest.mark.parametrize("kwargs, words", [
    ({}, "exactly one place"),
    ({"place_name": "A", "point": (1.0, 2.0), "point_radius_m": 5}, "exactly one place"),
    ({"place_name": "A", "osm_file": ""}, "exactly one OSM source"),
    ({"point": (24.9, 60.1)}, "needs a radius"),
])
def test_request_validation(kwargs, words, sample_osm):
    kwargs = {"osm_file": str(sample_osm), **kwargs}
    with pytest.raises(InputError, match=words):
        FetchRequest(**kwargs).validate()


def test_output_must_be_gpkg(tmp_path):
    with pytest.raises(InputError, match=r"\.gpkg"):
        fetch_to_geopackage(sample_request(), tmp_path / "out.shp")
