"""Municipal layers: field-mapping presets, reading OGR sources, merging into PlaceData.

Real data: the City of Göteborg building footprints in tests/fixtures/municipal/goteborg-buildings
(EPSG:3007, Latin-1 .dbf without .cpg). The figures asserted on it were checked by reading the
files independently of the code under test: the record count from the .dbf header (bytes 4-8),
the Latin-1 bytes of "Rådhuset"/"Börsen" in the .dbf, the coordinates through pyproj's own
EPSG:3007 -> EPSG:3006 transformation, and the clip count with shapely on those coordinates.
The registers (lamps, benches, trees) are small synthetic files written here with pyogrio.
"""

from __future__ import annotations

import http.server
import json
import multiprocessing
import socket
import struct
import threading
import time
import urllib.parse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from amp_qgis_plugin.core.data.municipal import (
    TARGET_LAYERS,
    FieldMapping,
    add_municipal_layer,
    list_presets,
    load_preset,
    merge_into,
    read_municipal_layer,
    save_preset,
)
from amp_qgis_plugin.core.data.placedata import PlaceData, read_geopackage, write_geopackage
from amp_qgis_plugin.core.errors import CancelledError, DataError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "municipal"
GBG = FIXTURES / "goteborg-buildings" / "buildings.shp"
SWEREF = "EPSG:3006"


# --------------------------------------------------------------------------------------------
# Independent reference figures for the Göteborg file
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gbg_reference():
    """Names and EPSG:3006 geometries of the Göteborg buildings, computed without municipal.py."""
    meta, _, wkb, fields = pyogrio.raw.read(GBG, columns=["BYGGNADSNA"], encoding="latin1")
    geoms = shapely.from_wkb(wkb)
    to_3006 = Transformer.from_crs("EPSG:3007", SWEREF, always_xy=True)
    g3006 = shapely.transform(geoms, lambda xy: np.column_stack(to_3006.transform(xy[:, 0],
                                                                                 xy[:, 1])))
    return {"names": list(fields[0]), "g3007": geoms, "g3006": g3006}


@pytest.fixture(scope="module")
def gbg_buildings():
    fb = RecordingFeedback()
    gdf = read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF, feedback=fb)
    return gdf, fb


def test_goteborg_count_encoding_and_columns(gbg_buildings):
    """137 records per the .dbf header; the Latin-1 bytes R\\xe5dhuset / B\\xf6rsen decode."""
    gdf, fb = gbg_buildings
    dbf = (GBG.with_suffix(".dbf")).read_bytes()
    assert struct.unpack("<I", dbf[4:8])[0] == 137
    assert b"R\xe5dhuset" in dbf and b"B\xf6rsen" in dbf and not GBG.with_suffix(".cpg").exists()
    assert len(gdf) == 137
    names = set(gdf["name"])
    assert {"Rådhuset", "Börsen", "Kronhuset", "Stadshuset"} <= names
    assert "Kretsloppskontoret/Konsument Göteborg" in names
    assert not any("Ã" in n for n in names)
    row = gdf[gdf["name"] == "Rådhuset"].iloc[0]
    assert row["use"] == "Myndighet/Förvaltning" and row["building"] == "O"
    assert (gdf["source"] == "goteborg-buildings").all() and (gdf["osm_id"] == "").all()
    # 120 of 137 buildings have no name in the register: unknown stays "", never "nan"
    assert (gdf["name"] == "").sum() == 120
    assert gdf["levels"].isna().all() and gdf["height_m"].isna().all()
    assert gdf.crs.to_epsg() == 3006
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"} and gdf.is_valid.all()
    # two footprints (rows 83 and 86) are invalid in the source and get repaired
    assert any("2 invalid polygon(s) repaired" in m for m in fb.infos)


def test_goteborg_reprojection_matches_pyproj(gbg_buildings, gbg_reference):
    """EPSG:3007 -> 3006 moves Rådhuset ~171 km east exactly as pyproj's transformation says."""
    gdf, _ = gbg_buildings
    i = gbg_reference["names"].index("Rådhuset")
    ours = shapely.get_coordinates(gdf.geometry.iloc[i])
    expected = shapely.get_coordinates(gbg_reference["g3006"][i])
    src = shapely.get_coordinates(gbg_reference["g3007"][i])
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    shift = ours.mean(axis=0) - src.mean(axis=0)
    assert 170_000 < shift[0] < 173_000  # false easting 150 km -> 500 km, meridian 12° -> 15°


def test_goteborg_clip_to_study_area(gbg_reference):
    """A 150 m circle around Rådhuset's centroid: 39 footprints intersect it (shapely, by hand)."""
    i = gbg_reference["names"].index("Rådhuset")
    circle = shapely.centroid(gbg_reference["g3006"][i]).buffer(150, quad_segs=64)
    expected = int(shapely.intersects(gbg_reference["g3006"], circle).sum())
    assert expected == 39
    gdf = read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF,
                               clip_to=circle)
    assert len(gdf) == expected
    assert shapely.intersects(np.asarray(gdf.geometry.values), circle).all()
    assert "Rådhuset" in set(gdf["name"])
    # whole footprints are kept, not cut at the circle
    raw_area = shapely.area(gbg_reference["g3006"][shapely.intersects(gbg_reference["g3006"],
                                                                    circle)]).sum()
    assert gdf.area.sum() == pytest.approx(raw_area, rel=1e-3)


def test_goteborg_with_the_wrong_encoding_says_so():
    """Latin-1 byte D6 ('Ö' in the field name OPERATÖR) is not UTF-8: a clear message, no crash."""
    mapping = load_preset("goteborg-buildings")
    mapping.encoding = "utf-8"
    with pytest.raises(InputError, match="not in the encoding 'utf-8'.*byte 0xd6.*Set the right "
                                         "'encoding' in the mapping"):
        read_municipal_layer(GBG, mapping, crs=SWEREF)


def test_empty_after_clipping_warns_and_gives_empty_layer():
    far = shapely.Point(674000, 6580000).buffer(500)  # Stockholm: far from Göteborg
    fb = RecordingFeedback()
    gdf = read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF, clip_to=far,
                               feedback=fb)
    assert len(gdf) == 0 and "name" in gdf.columns and gdf.crs.to_epsg() == 3006
    assert any("no feature in the study area" in w for w in fb.warnings)


# --------------------------------------------------------------------------------------------
# Synthetic registers
# --------------------------------------------------------------------------------------------

LAMPS_3006 = [(319000.0, 6400300.0), (319020.0, 6400300.0), (319040.0, 6400310.0),
              (325000.0, 6400300.0)]  # the last one is 6 km away, outside the study area


@pytest.fixture(scope="module")
def lamp_geojson(tmp_path_factory):
    """A GeoJSON lamp register (WGS 84, as GeoJSON must be) with heights in millimetres."""
    to_wgs = Transformer.from_crs(SWEREF, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(*np.array(LAMPS_3006).T)
    gdf = gpd.GeoDataFrame(
        {"ljuspunktshojd": [8000, 6000, 4500, 10000], "lumen": [3200.0, None, 1800.0, 5000.0],
         "effekt_w": [29, 21, 15, 40], "armatur": ["Ljusskäret", "Öglan", "Åkern", "X"],
         "optik": ["asymmetrisk", "", "rund", "asymmetrisk"]},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    path = tmp_path_factory.mktemp("lamps") / "belysning.geojson"
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    return path


def _lamp_mapping(**changes) -> FieldMapping:
    data = load_preset("lamp-register-example").to_dict()
    data["transforms"] = {"height_m": {"scale": 0.001}}
    data.update(changes)
    return FieldMapping.from_dict(data)


def test_lamp_register_geojson_with_mm_transform(lamp_geojson):
    study = shapely.Point(319020, 6400300).buffer(200)
    gdf = read_municipal_layer(lamp_geojson, _lamp_mapping(), crs=SWEREF, clip_to=study)
    assert len(gdf) == 3
    assert list(gdf["height_m"]) == pytest.approx([8.0, 6.0, 4.5])
    assert gdf["lumen"].iloc[0] == 3200.0 and np.isnan(gdf["lumen"].iloc[1])  # unknown, not 0
    assert list(gdf["wattage"]) == [29.0, 21.0, 15.0]
    assert list(gdf["lamp_type"]) == ["Ljusskäret", "Öglan", "Åkern"]
    assert list(gdf["optic"]) == ["asymmetrisk", "", "rund"]
    # back to SWEREF 99 TM within a millimetre of where the lamps were put
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), LAMPS_3006[:3],
                               atol=1e-3)


def test_candidate_fields_and_decimal_comma(tmp_path):
    """'hojd' is used when 'ljuspunktshojd' is absent; '8,5' (decimal comma) reads as 8.5."""
    gdf = gpd.GeoDataFrame({"HOJD": ["8,5", "6", "okänd"], "lumen": [1, 2, 3],
                            "effekt_w": [1, 2, 3], "armatur": ["a", "b", "c"],
                            "optik": ["", "", ""]},
                           geometry=gpd.points_from_xy([319000, 319010, 319020], [6400300] * 3),
                           crs=SWEREF)
    path = tmp_path / "lamps.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="lampor")
    fb = RecordingFeedback()
    out = read_municipal_layer(path, load_preset("lamp-register-example"), crs=SWEREF,
                               feedback=fb)
    assert out["height_m"].iloc[0] == 8.5 and out["height_m"].iloc[1] == 6.0
    assert np.isnan(out["height_m"].iloc[2])
    assert any("1 value(s) of height_m are not numbers (e.g. 'okänd')" in w for w in fb.warnings)


def _bench_frame():
    return gpd.GeoDataFrame(
        {"antal_platser": [3, 4, 2, 6], "ryggstod": ["Ja", "Nej", "ja", None],
         "langd_m": [1.8, 2.4, None, 3.0], "typ": ["Bänk", "Parksoffa", "Picknickbord", None],
         "material": ["trä", "trä", "stål", "sten"]},
        geometry=gpd.points_from_xy([319000, 319010, 319020, 319030], [6400300] * 4),
        crs=SWEREF)


def _write_shp(gdf, path: Path, encoding: str, keep_cpg: bool) -> Path:
    pyogrio.write_dataframe(gdf, path, encoding=encoding)
    if not keep_cpg:
        path.with_suffix(".cpg").unlink()
    return path


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("benches")


def test_bench_shapefile_latin1_ja_nej(bench_dir):
    """A Latin-1 .dbf without .cpg: 'Bänk' is byte E4; 'antal_platser' is truncated to 10."""
    with pytest.warns(RuntimeWarning, match="antal_plat"):
        path = _write_shp(_bench_frame(), bench_dir / "banker.shp", "latin1", keep_cpg=False)
    dbf = path.with_suffix(".dbf").read_bytes()
    assert b"B\xe4nk" in dbf and b"antal_plat\x00" in dbf
    mapping = load_preset("bench-register-example")
    assert mapping.encoding == "latin1"
    gdf = read_municipal_layer(path, mapping, crs=SWEREF)
    assert list(gdf["seats"]) == ["3", "4", "2", "6"]
    assert list(gdf["backrest"]) == ["yes", "no", "yes", ""]  # "ja" matches ignoring case
    assert list(gdf["seating_type"]) == ["bench", "bench", "picnic_table", "bench"]  # default
    assert gdf["length_m"].iloc[0] == 1.8 and np.isnan(gdf["length_m"].iloc[2])
    assert (gdf["source"] == "bench-register-example").all()


def test_cpg_wins_over_mapping_encoding(bench_dir):
    """With a .cpg saying LATIN1, a mapping that claims UTF-8 is ignored (it would not decode)."""
    path = _write_shp(_bench_frame().drop(columns="antal_platser"), bench_dir / "cpg.shp",
                      "latin1", keep_cpg=True)
    assert path.with_suffix(".cpg").read_text().strip().upper() == "LATIN1"
    mapping = FieldMapping(name="benches", target="seating", fields={"seating_type": "typ"},
                           encoding="utf-8")
    gdf = read_municipal_layer(path, mapping, crs=SWEREF)
    assert list(gdf["seating_type"])[:2] == ["Bänk", "Parksoffa"]
    # without the .cpg the mapping's utf-8 is used, and Latin-1 bytes cannot be decoded
    path.with_suffix(".cpg").unlink()
    with pytest.raises(InputError, match="not in the encoding 'utf-8'.*'encoding' in the mapping"):
        read_municipal_layer(path, mapping, crs=SWEREF)


def test_utf8_without_cpg_is_detected(bench_dir):
    """UTF-8 text read as Latin-1 ('BÃ¤nk') is noticed and re-read as UTF-8, with a warning."""
    path = _write_shp(_bench_frame().drop(columns="antal_platser"), bench_dir / "utf8.shp",
                      "utf-8", keep_cpg=False)
    assert "Bänk".encode("utf-8") in path.with_suffix(".dbf").read_bytes()
    mapping = FieldMapping(name="benches", target="seating",
                           fields={"seating_type": "typ", "material": "material"})
    fb = RecordingFeedback()
    gdf = read_municipal_layer(path, mapping, crs=SWEREF, feedback=fb)
    assert list(gdf["seating_type"])[:2] == ["Bänk", "Parksoffa"]
    assert list(gdf["material"]) == ["trä", "trä", "stål", "sten"]
    assert any("BÃ¤nk" in w and "re-read as UTF-8" in w for w in fb.warnings)
    assert gdf.attrs["amp_municipal"]["encoding"] == "utf-8 (detected)"
    # said explicitly in the mapping, there is nothing to warn about
    fb2 = RecordingFeedback()
    mapping.encoding = "utf-8"
    gdf2 = read_municipal_layer(path, mapping, crs=SWEREF, feedback=fb2)
    assert list(gdf2["material"]) == ["trä", "trä", "stål", "sten"] and not fb2.warnings


def test_bench_lines_get_their_length(tmp_path):
    """Benches drawn as lines become points on the line; length_m = the line's length."""
    lines = [shapely.LineString([(319000, 6400300), (319002, 6400300)]),
             shapely.LineString([(319010, 6400300), (319013, 6400304)])]  # 3-4-5: 5 m
    gdf = gpd.GeoDataFrame({"langd_m": [None, 4.0], "ryggstod": ["Ja", "Nej"]},
                           geometry=lines, crs=SWEREF)
    path = tmp_path / "banklinjer.shp"
    pyogrio.write_dataframe(gdf, path)
    mapping = FieldMapping(name="bench-lines", target="seating",
                           fields={"length_m": "langd_m", "backrest": "ryggstod"},
                           constants={"seating_type": "bench"})
    out = read_municipal_layer(path, mapping, crs=SWEREF)
    assert list(out.geom_type) == ["Point", "Point"]
    assert out["length_m"].iloc[0] == pytest.approx(2.0)  # from the geometry
    assert out["length_m"].iloc[1] == 4.0                 # the register's own figure wins
    assert all(line.distance(pt) < 1e-9 for line, pt in zip(lines, out.geometry))
    assert list(out["seating_type"]) == ["bench", "bench"]


def test_tree_crown_polygons_become_points(tmp_path):
    crowns = [shapely.Point(319000, 6400300).buffer(4), shapely.Point(319050, 6400300).buffer(3)]
    gdf = gpd.GeoDataFrame({"tradslag": ["Skogslönn", "Lind"], "hojd": [12.5, 9],
                            "kronbredd": [8.0, 6.0]}, geometry=crowns, crs=SWEREF)
    path = tmp_path / "trad.gpkg"
    pyogrio.write_dataframe(gdf, path)
    out = read_municipal_layer(path, load_preset("tree-register-example"), crs=SWEREF)
    assert list(out.geom_type) == ["Point", "Point"]
    assert all(c.contains(p) for c, p in zip(crowns, out.geometry))
    assert list(out["species"]) == ["Skogslönn", "Lind"]
    assert list(out["height_m"]) == [12.5, 9.0] and list(out["crown_diameter_m"]) == [8.0, 6.0]


def test_multipoints_and_line_layers(tmp_path):
    """A MultiPoint of 3 bins gives 3 bins; hedge areas become outlines on 'barriers', points
    on a line layer are skipped with a warning."""
    bins = gpd.GeoDataFrame({"typ": ["papperskorg"]},
                            geometry=[shapely.MultiPoint([(319000, 6400300), (319005, 6400300),
                                                          (319010, 6400300)])], crs=SWEREF)
    path = tmp_path / "korgar.geojson"
    pyogrio.write_dataframe(bins.to_crs("EPSG:4326"), path, driver="GeoJSON")
    out = read_municipal_layer(path, FieldMapping(name="bins", target="bins",
                                                  fields={"bin_type": "typ"}), crs=SWEREF)
    assert len(out) == 3 and list(out["bin_type"]) == ["papperskorg"] * 3
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry.values)[:, 0],
                               [319000, 319005, 319010], atol=1e-3)

    hedge = shapely.box(319000, 6400300, 319010, 6400302)
    wall = shapely.LineString([(319020, 6400300), (319040, 6400300)])
    mixed = gpd.GeoDataFrame({"slag": ["häck", "mur", "stolpe"], "hojd": [1.2, 0.8, 1.0]},
                             geometry=[hedge, wall, shapely.Point(319050, 6400300)], crs=SWEREF)
    gpkg = tmp_path / "barriarer.gpkg"
    pyogrio.write_dataframe(mixed, gpkg, geometry_type="Unknown")
    fb = RecordingFeedback()
    mapping = FieldMapping(name="barriers", target="barriers",
                           fields={"barrier": "slag", "height_m": "hojd"},
                           transforms={"barrier": {"map": {"häck": "hedge", "mur": "wall"}}})
    out = read_municipal_layer(gpkg, mapping, crs=SWEREF, feedback=fb)
    assert list(out["barrier"]) == ["hedge", "wall"]
    assert list(out.length) == pytest.approx([24.0, 20.0])  # the hedge's outline: 2 * (10 + 2)
    assert any("1 point feature(s) skipped" in w for w in fb.warnings)


# --------------------------------------------------------------------------------------------
# Merging into PlaceData
# --------------------------------------------------------------------------------------------

def _placedata() -> PlaceData:
    """A hand-made place: study area = 200 m around (319020, 6400300); three OSM lamps inside,
    one OSM lamp outside the study area (as a layer read from a larger extract could have)."""
    centre = shapely.Point(319020, 6400300)
    data = PlaceData(crs=SWEREF)
    data["place"] = gpd.GeoDataFrame({"name": ["Testtorget"], "kind": ["square"]},
                                     geometry=[centre.buffer(30)], crs=SWEREF)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Testtorget"], "radius_m": [200.0]},
                                          geometry=[centre.buffer(200)], crs=SWEREF)
    data["lamps"] = gpd.GeoDataFrame(
        {"osm_id": ["n1", "n2", "n3", "n4"], "source": ["osm"] * 4,
         "height_m": [5.0, np.nan, 7.0, 6.0]},
        geometry=gpd.points_from_xy([318950, 319000, 319100, 330000], [6400300] * 4), crs=SWEREF)
    return data


def test_merge_replace_append_and_idempotence(lamp_geojson, tmp_path):
    mapping = _lamp_mapping(mode="replace")
    data = _placedata()
    fb = RecordingFeedback()
    counts = add_municipal_layer(data, lamp_geojson, mapping, feedback=fb)
    assert counts == {"added": 3, "removed_osm": 3, "removed_previous": 0}
    lamps = data["lamps"]
    assert sorted(lamps["osm_id"]) == ["", "", "", "n4"]  # n4 lies outside the study area
    assert (lamps.loc[lamps["osm_id"] == "", "source"] == mapping.name).all()
    assert data.provenance[f"municipal:{mapping.name}"] == str(lamp_geojson)
    assert data.provenance[f"municipal:{mapping.name}:features"] == "3"
    assert data.provenance[f"municipal:{mapping.name}:removed_osm"] == "3"
    assert json.loads(data.provenance[f"municipal:{mapping.name}:mapping"]) == mapping.to_dict()
    # merging the same register again does not double it
    again = add_municipal_layer(data, lamp_geojson, mapping)
    assert again == {"added": 3, "removed_osm": 0, "removed_previous": 3}
    assert len(data["lamps"]) == 4
    # written and read back as a GeoPackage
    back = read_geopackage(write_geopackage(data, tmp_path / "place.gpkg", layers=["place",
                                            "study_area", "lamps"]))
    assert sorted(back["lamps"]["height_m"].dropna()) == [4.5, 6.0, 6.0, 8.0]
    assert back.provenance[f"municipal:{mapping.name}:features"] == "3"

    data = _placedata()
    counts = add_municipal_layer(data, lamp_geojson, _lamp_mapping(mode="append"))
    assert counts == {"added": 3, "removed_osm": 0, "removed_previous": 0}
    assert len(data["lamps"]) == 7
    assert sorted(data["lamps"]["source"]) == ["lamp-register-example"] * 3 + ["osm"] * 4


def test_replace_with_nothing_in_study_area_keeps_osm(lamp_geojson):
    data = _placedata()
    far = read_municipal_layer(lamp_geojson, _lamp_mapping(mode="replace"), crs=SWEREF,
                               clip_to=shapely.Point(0, 0).buffer(10))
    fb = RecordingFeedback()
    counts = merge_into(data, far, _lamp_mapping(mode="replace"), feedback=fb)
    assert counts["added"] == 0 and counts["removed_osm"] == 0 and len(data["lamps"]) == 4
    assert any("OSM lamps were kept" in w for w in fb.warnings)


def test_merge_real_goteborg_buildings_replaces_osm():
    """Göteborg's footprints replace a (hand-made) OSM building; the study area is 150 m."""
    centre = shapely.Point(319214.86, 6400132.07)  # Rådhuset's centroid in EPSG:3006
    data = PlaceData(crs=SWEREF)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Gustaf Adolfs torg"], "radius_m": [150.0]},
                                          geometry=[centre.buffer(150, quad_segs=64)], crs=SWEREF)
    data["buildings"] = gpd.GeoDataFrame({"osm_id": ["w1"], "source": ["osm"], "name": ["X"]},
                                         geometry=[centre.buffer(10)], crs=SWEREF)
    counts = add_municipal_layer(data, GBG, "goteborg-buildings")
    assert counts == {"added": 39, "removed_osm": 1, "removed_previous": 0}
    assert "Börsen" in set(data["buildings"]["name"])


# --------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------

def test_bundled_presets_are_valid_and_bilingual():
    names = list_presets()
    assert {"goteborg-buildings", "lamp-register-example", "bench-register-example",
            "tree-register-example"} <= set(names)
    for name in names:
        mapping = load_preset(name)
        assert mapping.name == name and mapping.target in TARGET_LAYERS
        assert mapping.description.get("en") and mapping.description.get("sv")


def test_preset_round_trip_and_user_dir(tmp_path):
    mapping = FieldMapping(
        name="bänkar-malmö", target="seating", mode="replace", encoding="cp1252",
        fields={"seats": ["platser", "antal"], "backrest": "rygg"},
        constants={"seating_type": "bench"},
        transforms={"backrest": {"map": {"J": "yes", "N": "no"}, "default": "no"}},
        description={"en": "Benches", "sv": "Bänkar"})
    path = save_preset(mapping, tmp_path)
    assert path == tmp_path / "bänkar-malmö.json"
    assert "Bänkar" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes
    assert load_preset(path) == mapping
    assert load_preset("bänkar-malmö", user_dir=tmp_path) == mapping
    assert "bänkar-malmö" in list_presets(tmp_path) and "bänkar-malmö" not in list_presets()
    # a user preset of the same name overrides the bundled one
    own = FieldMapping(name="goteborg-buildings", target="buildings", fields={"name": "NAMN"})
    save_preset(own, tmp_path / "goteborg-buildings.json")
    assert load_preset("goteborg-buildings", user_dir=tmp_path).fields == {"name": "NAMN"}
    assert load_preset("goteborg-buildings").fields["name"] == "BYGGNADSNA"


def test_preset_errors(tmp_path):
    with pytest.raises(InputError, match=r"Unknown mapping preset 'nope'\. Available presets: "
                                         r"bench-register-example, goteborg-buildings"):
        load_preset("nope")
    with pytest.raises(InputError, match="Mapping file not found"):
        load_preset(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",\n "target": "lamps",,}', encoding="utf-8")
    with pytest.raises(InputError, match=r"not valid JSON \(line 2, column 20"):
        load_preset(bad)
    bad.write_text('{"name": "x", "target": "lamps", "feilds": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="unknown key 'feilds'. Valid keys: name, description"):
        load_preset(bad)
    bad.write_text('{"name": "x", "target": "lampz"}', encoding="utf-8")
    with pytest.raises(InputError, match="bad.json: Mapping 'x': unknown target layer 'lampz'"):
        load_preset(bad)


# --------------------------------------------------------------------------------------------
# Validation messages
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(target="lampz"), "unknown target layer 'lampz'. Valid target layers: buildings, "
                           "entrances, pois, seating, lamps, trees, bins, paths, transit_stops, "
                           "barriers."),
    (dict(fields={"hight_m": "hojd"}), "'hight_m' in 'fields' is not a column of the 'lamps' "
                                       "layer. Valid columns: height_m, lamp_mount"),
    (dict(constants={"colour": "x"}), "'colour' in 'constants' is not a column"),
    (dict(fields={"osm_id": "id"}), "'osm_id' in 'fields' is filled by the engine"),
    (dict(mode="overwrite"), "unknown mode 'overwrite'"),
    (dict(fields={"height_m": "h"}, transforms={"height_m": {"multiply": 2}}),
     "unknown transform 'multiply' for 'height_m'. Valid transforms: map, scale, default."),
    (dict(fields={"lamp_type": "t"}, transforms={"lamp_type": {"scale": 2}}),
     "'scale' needs a numeric column; 'lamp_type' is text."),
    (dict(fields={"height_m": "h"}, transforms={"height_m": {"scale": "mm"}}),
     "'scale' for 'height_m' must be a number"),
    (dict(transforms={"height_m": {"scale": 0.001}}), "transform for 'height_m', which is not "
                                                      "mapped to a source field"),
    (dict(fields={"lumen": "l"}, constants={"lumen": 100}), "lumen is both mapped to a field"),
    (dict(encoding="latin-99"), "unknown text encoding 'latin-99'"),
    (dict(name="my lamps"), "Mapping name 'my lamps' is not usable"),
    (dict(name="osm"), "'osm' is reserved"),
    (dict(fields={"height_m": []}), "the source field for 'height_m' must be a field name"),
])
def test_mapping_validation_messages(kwargs, message):
    args = dict(name="lamps", target="lamps")
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        FieldMapping(**args)
    assert message in str(err.value)


def test_missing_source_field_lists_available_fields():
    mapping = FieldMapping(name="gbg", target="buildings",
                           fields={"name": "NAMN", "use": "VERKSAMHET", "height_m": ["HOJD", "H"]})
    with pytest.raises(InputError) as err:
        read_municipal_layer(GBG, mapping, crs=SWEREF)
    text = str(err.value)
    assert "has no field 'NAMN' (for name); no field 'HOJD' or 'H' (for height_m)" in text
    assert "Its fields are: MI_PRINX, SW_MEMBER, BLANKNING" in text
    assert "TYP, URSPRUNG, VERKSAMHET, BYGGNADSNA, REG_DATUM, DATUM, OPERATÖR" in text
    # names also match ignoring case
    ok = FieldMapping(name="gbg", target="buildings", fields={"name": "byggnadsna"})
    assert "Rådhuset" in set(read_municipal_layer(GBG, ok, crs=SWEREF)["name"])


def test_multi_layer_source_needs_a_layer(tmp_path):
    path = tmp_path / "register.gpkg"
    frame = gpd.GeoDataFrame({"hojd": [5.0]}, geometry=[shapely.Point(319000, 6400300)],
                             crs=SWEREF)
    pyogrio.write_dataframe(frame, path, layer="lampor")
    pyogrio.write_dataframe(frame, path, layer="stolpar")
    mapping = FieldMapping(name="l", target="lamps", fields={"height_m": "hojd"})
    with pytest.raises(InputError, match="holds 2 layers; set 'layer' in mapping 'l' to one of: "
                                         "lampor, stolpar"):
        read_municipal_layer(path, mapping, crs=SWEREF)
    mapping.layer = "stolpe"
    with pytest.raises(InputError, match="has no layer 'stolpe'.*Its layers: lampor, stolpar"):
        read_municipal_layer(path, mapping, crs=SWEREF)
    mapping.layer = "stolpar"
    assert list(read_municipal_layer(path, mapping, crs=SWEREF)["height_m"]) == [5.0]
    # a QGIS layer source names its layer itself
    mapping.layer = None
    gdf = read_municipal_layer(f"{path}|layername=lampor", mapping, crs=SWEREF)
    assert list(gdf["height_m"]) == [5.0] and gdf.attrs["amp_municipal"]["layer"] == "lampor"


def test_source_without_crs(tmp_path):
    path = tmp_path / "utan_crs.shp"
    frame = gpd.GeoDataFrame({"hojd": [5.0]}, geometry=[shapely.Point(319000, 6400300)],
                             crs=SWEREF)
    pyogrio.write_dataframe(frame, path)
    path.with_suffix(".prj").unlink()
    mapping = FieldMapping(name="l", target="lamps", fields={"height_m": "hojd"})
    with pytest.raises(InputError, match="has no coordinate reference system.*Define it"):
        read_municipal_layer(path, mapping, crs=SWEREF)


def test_missing_file_and_wrong_geometry_and_crs(tmp_path):
    mapping = FieldMapping(name="l", target="lamps")
    with pytest.raises(InputError, match="Municipal layer not found: .*nowhere.gpkg"):
        read_municipal_layer(tmp_path / "nowhere.gpkg", mapping, crs=SWEREF)
    not_vector = tmp_path / "notes.gpkg"
    not_vector.write_text("not a GeoPackage")
    with pytest.raises(InputError, match="is not a readable vector layer"):
        read_municipal_layer(not_vector, mapping, crs=SWEREF)
    points = tmp_path / "points.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(319000,
                                                                                6400300)],
                                             crs=SWEREF), points)
    with pytest.raises(InputError, match="the 'buildings' layer needs polygons"):
        read_municipal_layer(points, FieldMapping(name="b", target="buildings"), crs=SWEREF)
    with pytest.raises(InputError, match="not a projected \\(metric\\) CRS"):
        read_municipal_layer(points, mapping, crs="EPSG:4326")


def test_progress_stays_in_the_callers_range_and_cancel_midway():
    fb = RecordingFeedback()
    read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF, feedback=fb,
                         progress=(85, 95))
    assert fb.progress == pytest.approx([86.0, 91.0, 95.0])
    quiet = RecordingFeedback()
    read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF, feedback=quiet)
    assert quiet.progress == [] and quiet.cancel_checks >= 3
    # cancelled once the source's fields are checked: the read itself never starts
    with pytest.raises(CancelledError):
        read_municipal_layer(GBG, load_preset("goteborg-buildings"), crs=SWEREF,
                             feedback=RecordingFeedback(cancel_after=1), progress=(0, 100))


# --------------------------------------------------------------------------------------------
# WFS: unreachable and unresponsive servers fail fast with a clear message
# --------------------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("form", [
    "WFS:http://127.0.0.1:{port}/geoserver/wfs",
    "http://127.0.0.1:{port}/ows?service=WFS&typeName=lampor&apikey=hemlig",
    "https://kalle:hemlig@127.0.0.1:{port}/ows?SERVICE=WFS",
])
def test_unreachable_wfs(form):
    """A closed port on 127.0.0.1: a DataError within seconds, without the credentials."""
    url = form.format(port=_closed_port())
    start = time.monotonic()
    with pytest.raises(DataError) as err:
        read_municipal_layer(url, load_preset("lamp-register-example"), crs=SWEREF)
    assert time.monotonic() - start < 5
    text = str(err.value)
    assert "Could not read the web/WFS source" in text and "127.0.0.1" in text
    assert "Couldn't connect to server" in text and "reachable from this computer" in text
    assert "hemlig" not in text and "kalle" not in text


def test_silent_wfs_server_times_out():
    """A server that accepts the connection and never answers: GDAL's timeout ends it (~2 s)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"WFS:http://user:secret@127.0.0.1:{server.getsockname()[1]}/wfs"
    start = time.monotonic()
    try:
        with pytest.raises(DataError) as err:
            read_municipal_layer(url, load_preset("lamp-register-example"), crs=SWEREF,
                                 http_timeout_s=2)
    finally:
        server.close()
        for conn in held:
            conn.close()
    assert time.monotonic() - start < 8
    assert "timed out" in str(err.value) and "secret" not in str(err.value)
    assert pyogrio.get_gdal_config_option("GDAL_HTTP_TIMEOUT") is None  # restored


# --------------------------------------------------------------------------------------------
# Real place: Senaatintori (Helsinki) from the bundled OSM sample
# --------------------------------------------------------------------------------------------

def test_register_replaces_osm_lamps_of_a_real_place(senaatintori_gpkg, tmp_path):
    """A lamp register (Shapefile in ETRS-TM35FIN, EPSG:3067, heights in mm) built from 40 of
    Senaatintori's OSM lamps plus one lamp 20 km away replaces the OSM lamps of the real place.

    Expected figures are computed here with shapely on the fetched layers, independently of the
    merge: every OSM lamp in the study area goes, the 40 register lamps come in at their OSM
    positions (within 1 mm after 32635 -> 3067 -> 32635), the far one is clipped away.
    """
    data = read_geopackage(senaatintori_gpkg)  # a fresh copy: the session fixture stays intact
    assert data.crs == "EPSG:32635"
    osm = data["lamps"]
    area = data.study_area_polygon
    in_area = int(shapely.intersects(np.asarray(osm.geometry.values), area).sum())
    assert len(osm) > 40 and in_area > 40
    sample = osm.iloc[:40]
    register = gpd.GeoDataFrame(
        {"hojd": [8000.0] * 40 + [6000.0], "armatur": ["Kartanoväylä"] * 41},
        geometry=list(sample.geometry) + [shapely.Point(area.centroid.x + 20_000,
                                                        area.centroid.y)],
        crs=data.crs).to_crs("EPSG:3067")
    path = tmp_path / "valaistus.shp"
    pyogrio.write_dataframe(register, path, encoding="utf-8")
    mapping = FieldMapping(name="helsinki-lamps", target="lamps", mode="replace",
                           fields={"height_m": "hojd", "lamp_type": "armatur"},
                           transforms={"height_m": {"scale": 0.001}})
    counts = add_municipal_layer(data, path, mapping)
    assert counts == {"added": 40, "removed_osm": in_area, "removed_previous": 0}
    lamps = data["lamps"]
    assert len(lamps) == len(osm) - in_area + 40
    ours = lamps[lamps["source"] == "helsinki-lamps"]
    np.testing.assert_allclose(shapely.get_coordinates(ours.geometry.values),
                               shapely.get_coordinates(sample.geometry.values), atol=1e-3)
    assert (ours["height_m"] == 8.0).all() and (ours["lamp_type"] == "Kartanoväylä").all()
    back = read_geopackage(write_geopackage(data, tmp_path / "senaatintori.gpkg"))
    assert len(back["lamps"]) == len(lamps)
    assert set(back["lamps"].geom_type) == {"Point"}
    assert back.provenance["municipal:helsinki-lamps"] == str(path)


# A minimal WFS 1.1.0 service on 127.0.0.1: capabilities, schema and features of one type,
# "amp:lampor", in SWEREF 99 TM with the EPSG axis order (northing first) as real servers do.
_WFS_CAPS = """<?xml version="1.0" encoding="UTF-8"?>
<wfs:WFS_Capabilities version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs"
 xmlns:ows="http://www.opengis.net/ows" xmlns:xlink="http://www.w3.org/1999/xlink">
<ows:OperationsMetadata><ows:Operation name="GetFeature"><ows:DCP><ows:HTTP>
 <ows:Get xlink:href="http://127.0.0.1:{port}/wfs?"/></ows:HTTP></ows:DCP></ows:Operation>
</ows:OperationsMetadata>
<wfs:FeatureTypeList><wfs:FeatureType><wfs:Name>amp:lampor</wfs:Name><wfs:Title>Lampor</wfs:Title>
 <wfs:DefaultSRS>urn:ogc:def:crs:EPSG::3006</wfs:DefaultSRS>
 <ows:WGS84BoundingBox><ows:LowerCorner>11.9 57.6</ows:LowerCorner>
 <ows:UpperCorner>12.1 57.8</ows:UpperCorner></ows:WGS84BoundingBox>
</wfs:FeatureType></wfs:FeatureTypeList></wfs:WFS_Capabilities>"""
_WFS_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:gml="http://www.opengis.net/gml"
 xmlns:amp="http://example.org/amp" targetNamespace="http://example.org/amp"
 elementFormDefault="qualified">
<xsd:complexType name="lamporType"><xsd:complexContent>
<xsd:extension base="gml:AbstractFeatureType"><xsd:sequence>
<xsd:element name="hojd" type="xsd:double" minOccurs="0"/>
<xsd:element name="armatur" type="xsd:string" minOccurs="0"/>
<xsd:element name="geom" type="gml:PointPropertyType" minOccurs="0"/>
</xsd:sequence></xsd:extension></xsd:complexContent></xsd:complexType>
<xsd:element name="lampor" type="amp:lamporType" substitutionGroup="gml:_Feature"/>
</xsd:schema>"""
_WFS_LAMPS = [(6400300.0, 319000.0, 8000, "Öglan"), (6400300.0, 319400.0, 6000, "Åkern")]


def _wfs_features() -> str:
    members = "".join(
        f'<gml:featureMember><amp:lampor gml:id="lampor.{i}"><amp:hojd>{h}</amp:hojd>'
        f"<amp:armatur>{a}</amp:armatur><amp:geom>"
        f'<gml:Point srsName="urn:ogc:def:crs:EPSG::3006"><gml:pos>{n} {e}</gml:pos></gml:Point>'
        "</amp:geom></amp:lampor></gml:featureMember>"
        for i, (n, e, h, a) in enumerate(_WFS_LAMPS))
    return ('<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection '
            'xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" '
            f'xmlns:amp="http://example.org/amp">{members}</wfs:FeatureCollection>')


class _WfsHandler(http.server.BaseHTTPRequestHandler):
    log: Path  # one JSON line per request

    def do_GET(self):  # noqa: N802
        query = {k.upper(): v[0] for k, v in
                 urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(query) + "\n")
        kind = query.get("REQUEST", "").lower()
        if kind == "getcapabilities":
            body = _WFS_CAPS.format(port=self.server.server_port)
        elif kind == "describefeaturetype":
            body = _WFS_XSD
        elif kind == "getfeature":
            body = _wfs_features()
        else:
            self.send_response(400)
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _serve_wfs(log: Path, ports) -> None:
    _WfsHandler.log = log
    server = http.server.HTTPServer(("127.0.0.1", 0), _WfsHandler)
    ports.put(server.server_port)
    server.serve_forever()


def test_wfs_register_over_http(tmp_path):
    """A WFS lamp register read over HTTP: the study area's box goes to the server as BBOX,
    the northing-first axis order is handled, and only the lamp inside the 100 m circle stays.

    The server runs in its own process: pyogrio holds the GIL while GDAL reads, so a server
    thread in the test process would starve.
    """
    log = tmp_path / "requests.jsonl"
    ctx = multiprocessing.get_context("fork")
    ports = ctx.Queue()
    proc = ctx.Process(target=_serve_wfs, args=(log, ports), daemon=True)
    proc.start()
    port = ports.get(timeout=10)
    mapping = FieldMapping(name="wfs-lamps", target="lamps", layer="amp:lampor",
                           fields={"height_m": "hojd", "lamp_type": "armatur"},
                           transforms={"height_m": {"scale": 0.001}})
    study = shapely.Point(319000, 6400300).buffer(100)
    try:
        url = f"http://127.0.0.1:{port}/wfs?service=WFS&apikey=hemlig"
        gdf = read_municipal_layer(url, mapping, crs=SWEREF, clip_to=study, http_timeout_s=5)
    finally:
        proc.terminate()
        proc.join(5)
    assert len(gdf) == 1
    assert gdf["height_m"].iloc[0] == 8.0 and gdf["lamp_type"].iloc[0] == "Öglan"
    assert shapely.get_coordinates(gdf.geometry.values).tolist() == [[319000.0, 6400300.0]]
    requests = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    # every GetFeature is spatially filtered: the layer is never downloaded whole (the first one
    # probes the CRS and fields with a near-empty box, the second reads the study area's box)
    features = [r.get("FILTER", "") for r in requests if r.get("REQUEST") == "GetFeature"]
    assert len(features) == 2 and all("<BBOX>" in f for f in features)
    assert "6400198" in features[1] and "318898" in features[1]  # northing first, 1 % padding
    assert gdf.attrs["amp_municipal"]["source"].endswith("apikey=***")
