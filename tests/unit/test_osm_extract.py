"""The study-area cut of PBF files (osm_extract, osm_pbf): the same layers as reading the whole
file."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import osmium
import pytest

from amp_qgis_plugin.core.data import osm_extract, osm_pbf
from amp_qgis_plugin.core.data.osm_extract import BoxSet, table_entry_pattern
from amp_qgis_plugin.core.data.osm_file import find_place_by_name, read_osm_layers
from amp_qgis_plugin.core.data.osm_pbf import (
    CorruptPbfError,
    decode_varints,
    fixed_coordinate,
    message_bounds,
    varints_at,
    zigzag,
)
from amp_qgis_plugin.core.errors import DataError, PlaceNotFoundError
from amp_qgis_plugin.core.feedback import CancelledError, RecordingFeedback
from amp_qgis_plugin.core.place import Place, place_from_point

ROOT = Path(__file__).resolve().parents[2]


def assert_same_layers(whole, cut):
    """Every layer: same ids in the same order (the reader sorts rows by OSM type and id), same
    columns and values, same geometry."""
    assert set(whole) == set(cut)
    for name in whole:
        a, b = whole[name], cut[name]
        assert list(a.columns) == list(b.columns), name
        assert a["osm_id"].tolist() == b["osm_id"].tolist(), name
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry")), name
        assert (a.geometry.to_wkb() == b.geometry.to_wkb()).all(), name
        assert a.crs == b.crs, name


def _varint_bytes(value: int) -> bytes:
    """Protobuf's varint encoding, written out plainly (negative int64 as 10 bytes)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


# --- decoding ----------------------------------------------------------------------------------

def test_varints_decode_like_protobuf():
    values = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 35 + 7, 2 ** 63 - 1, -1, -(2 ** 40)]
    data = b"".join(_varint_bytes(v) for v in values)
    decoded, starts, ends = decode_varints(np.frombuffer(data, np.uint8))
    assert decoded.view(np.int64).tolist() == values
    assert (ends - starts).tolist() == [len(_varint_bytes(v)) for v in values]


def test_varint_cut_short_is_corrupt():
    with pytest.raises(CorruptPbfError):
        decode_varints(np.frombuffer(b"\x05\xac", np.uint8))  # 300 without its last byte


def test_zigzag_and_fixed_coordinates():
    assert zigzag(np.array([0, 1, 2, 3, 4, 2 ** 64 - 1], np.uint64)).tolist() == \
        [0, -1, 1, -2, 2, -(2 ** 63)]
    # nanodegrees to 1e-7 degree, truncated toward zero like libosmium's C++ (not floored)
    assert fixed_coordinate(np.array([249370245, -249370245]), 100, 0).tolist() == \
        [249370245, -249370245]
    assert fixed_coordinate(np.array([-7, 7, -13]), 10, 0).tolist() == [0, 0, -1]
    assert fixed_coordinate(np.array([3]), 1000, -150).tolist() == [28]  # (3000 - 150) / 100


def test_message_bounds_follow_lengths():
    # three messages with key 0x1A: payloads of 2, 0 and 130 bytes (the last length takes two
    # bytes); payload bytes equal to the key must not be taken for message starts
    payloads = [b"\x1a\x1a", b"", bytes([0x1A]) * 130]
    stream = b"".join(b"\x1a" + _varint_bytes(len(p)) + p for p in payloads)
    starts, ends = message_bounds(np.frombuffer(stream, np.uint8), 0x1A)
    assert starts.tolist() == [2, 6, 9] and ends.tolist() == [4, 6, 139]
    with pytest.raises(CorruptPbfError):
        message_bounds(np.frombuffer(stream[:-1], np.uint8), 0x1A)
    values, sizes = varints_at(np.frombuffer(stream, np.uint8), np.array([7, 138]))
    assert values.tolist() == [130, 0x1A] and sizes.tolist() == [2, 1]


def test_box_grid_never_misses():
    rng = np.random.default_rng(7)
    corners = rng.uniform([18.0, 59.0], [18.5, 59.3], (40, 2))
    boxes = [(x, y, x + 0.01, y + 0.005) for x, y in corners]
    exact, grid = BoxSet(boxes[:16]), BoxSet(boxes)
    assert exact.grid is None and grid.grid is not None
    x = rng.integers(180_000_000, 185_000_000, 200_000)
    y = rng.integers(590_000_000, 593_000_000, 200_000)
    truth = np.zeros(x.size, bool)
    for w, s, e, n in boxes:
        truth |= (x >= w * 1e7) & (x <= e * 1e7) & (y >= s * 1e7) & (y <= n * 1e7)
    hits = grid.points(x, y)
    assert truth.any() and not (truth & ~hits).any()  # a superset of the exact test
    assert hits.sum() < 3 * truth.sum()  # and not much more
    env = grid.envelopes(x, y, x + 50_000, y + 50_000)
    assert not (truth & ~env).any()


def test_table_entry_pattern_is_exact_enough():
    table = "\n\x0cSenaatintori\n\x12Senaatintori (1,2)\n\x05Torig\n\x08 Straße ".casefold()
    assert table_entry_pattern("senaatintori").search(table)
    assert table_entry_pattern("strasse").search(table)  # ß case-folds to ss
    assert not table_entry_pattern("senaatintori (1,")  .search(table)
    assert not table_entry_pattern("tori").search(table)


# --- a hand-made file: crossing ways, far members, missing nodes ----------------------------------

# Around (18.0710, 59.3175); the study area is 100 m around a 40 m point place, so its box is
# about +-0.0025 deg lon and +-0.0013 deg lat. 0.006 deg lon = 340 m (inside the 1 km margin),
# 0.06 deg lon = 3.4 km (outside).
CROSSING_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="59.3175" lon="18.0710" version="1" timestamp="2024-05-01T10:00:00Z">
    <tag k="amenity" v="bench"/></node>
  <node id="2" lat="59.3175" lon="18.0650"/>
  <node id="3" lat="59.3176" lon="18.0770"/>
  <node id="4" lat="59.3174" lon="18.0712"/>
  <node id="5" lat="59.3174" lon="18.1310"/>
  <node id="6" lat="59.3177" lon="18.0708"/>
  <node id="7" lat="59.3177" lon="18.1300"/>
  <node id="8" lat="59.3180" lon="18.1300"/>
  <node id="9" lat="59.4000" lon="18.2000" timestamp="2024-07-01T00:00:00Z">
    <tag k="amenity" v="bench"/></node>
  <node id="30" lat="59.4000" lon="18.3000"/><node id="31" lat="59.4000" lon="18.3010"/>
  <node id="32" lat="59.4010" lon="18.3010"/><node id="33" lat="59.4010" lon="18.3000"/>
  <node id="40" lat="59.3176" lon="18.0705"/>
  <way id="10" timestamp="2024-06-02T08:30:00Z"><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="footway"/><tag k="name" v="Crossing, with no node inside"/></way>
  <way id="11"><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/></way>
  <way id="21"><nd ref="6"/><nd ref="7"/></way>
  <way id="22"><nd ref="7"/><nd ref="8"/></way>
  <way id="23"><nd ref="8"/><nd ref="6"/></way>
  <way id="24"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/><nd ref="30"/>
    <tag k="building" v="yes"/></way>
  <way id="25"><nd ref="40"/><nd ref="999"/><nd ref="4"/><tag k="barrier" v="fence"/></way>
  <relation id="20" timestamp="2024-08-01T00:00:00Z">
    <member type="way" ref="21" role="outer"/><member type="way" ref="22" role="outer"/>
    <member type="way" ref="23" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation>
</osm>
"""


@pytest.fixture(params=["pbf", "pbf,pbf_dense_nodes=false", "pbf,pbf_compression=none"])
def crossing_pbf(request, tmp_path) -> Path:
    """The hand-made file as PBF: dense nodes, plain nodes, uncompressed blocks."""
    xml = tmp_path / "crossing.osm"
    xml.write_text(CROSSING_OSM, encoding="utf-8")
    pbf = tmp_path / "crossing.osm.pbf"
    with osmium.SimpleWriter(osmium.io.File(str(pbf), request.param)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return pbf


def test_crossing_ways_far_members_and_missing_nodes_read_as_from_the_whole_file(crossing_pbf):
    place = place_from_point(18.0710, 59.3175, 40, study_radius_m=100)
    whole, _ = read_osm_layers(crossing_pbf, place, area_cut=False)
    cut, prov = read_osm_layers(crossing_pbf, place, area_cut=True)
    assert_same_layers(whole, cut)
    assert prov["osm_read"] == "study-area cut"
    # what the reader keeps, derived by hand: the bench inside, not the one far away
    assert cut["seating"]["osm_id"].tolist() == ["n1"]
    # w10 crosses the study area with both nodes outside its box; w11 runs 3.5 km east
    assert set(cut["paths"]["osm_id"]) == {"w10", "w11"}
    assert cut["paths"].set_index("osm_id").geometry["w11"].length > 3000
    # the building r20 reaches 3.4 km east: its far way w22 and nodes came in later passes
    assert cut["buildings"]["osm_id"].tolist() == ["r20"]
    assert cut["buildings"].geometry.iloc[0].bounds[2] - cut["buildings"].geometry.iloc[0] \
        .bounds[0] > 3000
    assert int(prov["osm_cut_blocks_read_again"]) >= 2
    # w25 points at a node the file lacks: kept in part, counted as cut, in both reads
    assert cut["barriers"]["osm_id"].tolist() == ["w25"]
    assert prov["osm_ways_cut_at_extract_edge"] == "1"
    assert prov["osm_timestamp"] == "2024-08-01T00:00:00+00:00"


# Two outlines around the study area whose near corners are all east of it (340 m) and whose
# other corners are 3.4 km west: the corners near the study area do not span it, yet it lies
# inside. A building way, and a multipolygon whose far half is a way of its own.
SURROUNDING_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="59.3125" lon="18.0770"/><node id="2" lat="59.3225" lon="18.0770"/>
  <node id="3" lat="59.3225" lon="18.0110"/><node id="4" lat="59.3125" lon="18.0110"/>
  <node id="11" lat="59.3130" lon="18.0765"/><node id="12" lat="59.3220" lon="18.0765"/>
  <node id="13" lat="59.3220" lon="18.0120"/><node id="14" lat="59.3130" lon="18.0120"/>
  <way id="50"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="building" v="yes"/></way>
  <way id="61"><nd ref="14"/><nd ref="11"/><nd ref="12"/><nd ref="13"/></way>
  <way id="62"><nd ref="13"/><nd ref="14"/></way>
  <relation id="60"><member type="way" ref="61" role="outer"/>
    <member type="way" ref="62" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="amenity" v="university"/></relation>
</osm>
"""


def test_outlines_around_the_study_area_with_far_corners_are_kept(tmp_path):
    xml = tmp_path / "around.osm"
    xml.write_text(SURROUNDING_OSM, encoding="utf-8")
    pbf = tmp_path / "around.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    place = place_from_point(18.0710, 59.3175, 40, study_radius_m=100)
    whole, _ = read_osm_layers(pbf, place, area_cut=False)
    cut, prov = read_osm_layers(pbf, place, area_cut=True)
    assert_same_layers(whole, cut)
    # the building surrounds the study area: kept whole (its area is 3.7 km x 1.1 km)
    assert cut["buildings"]["osm_id"].tolist() == ["w50"]
    assert cut["buildings"].geometry.iloc[0].area == pytest.approx(3_700 * 1_110, rel=0.02)
    # the university's point (on its surface) is 1.5 km west, outside the study area: only
    # the cut's completion is checked here, through the whole read's equality above
    assert int(prov["osm_cut_relations_kept"]) == 1 and int(prov["osm_cut_ways_kept"]) == 3


# --- the sample: places, a union, the sea, the name lookup --------------------------------------

@pytest.mark.parametrize("name", ["Senaatintori", "Rautatientori", "Kasarmitori"])
def test_sample_places_read_as_from_the_whole_file(sample_osm, name):
    place = find_place_by_name(sample_osm, name)
    whole, _ = read_osm_layers(sample_osm, place, area_cut=False)
    cut, prov = read_osm_layers(sample_osm, place, area_cut=True)
    assert_same_layers(whole, cut)
    assert prov["osm_read"] == "study-area cut" and len(cut["buildings"]) > 100


def test_union_of_places_reads_as_from_the_whole_file(sample_osm):
    """A batch's one read: the union of study areas (two parts), each part cut on its own."""
    import shapely

    a = place_from_point(24.9525, 60.1695, 40, study_radius_m=150)  # Senaatintori
    b = place_from_point(24.9440, 60.1630, 40, study_radius_m=150)  # 850 m south-west
    assert a.crs == b.crs  # UTM 35N
    union = Place(name="union", geometry=shapely.union_all([a.study_area, b.study_area]),
                  crs=a.crs, study_radius_m=1e-6)
    assert union.study_area.geom_type == "MultiPolygon"
    whole, _ = read_osm_layers(sample_osm, union, area_cut=False)
    cut, prov = read_osm_layers(sample_osm, union, area_cut=True)
    assert_same_layers(whole, cut)
    # and the union holds exactly the features of the two places read one by one
    one, _ = read_osm_layers(sample_osm, a, area_cut=True)
    two, _ = read_osm_layers(sample_osm, b, area_cut=True)
    for name in set(one) | set(two) | set(cut):
        expected = set(one.get(name, {"osm_id": []})["osm_id"]) | \
            set(two.get(name, {"osm_id": []})["osm_id"])
        assert set(cut[name]["osm_id"]) == expected, name
    assert len(cut["buildings"]) > 20


def test_place_in_the_sea_gives_empty_layers(sample_osm):
    cut, _ = read_osm_layers(sample_osm, place_from_point(25.3, 60.0, 40), area_cut=True)
    assert all(len(gdf) == 0 for gdf in cut.values())


@pytest.mark.parametrize("name", ["Senaatintori", "senaatintori", "Kauppatori", "Mikonkatu",
                                  "Narinkkatori", "Nowhere Square"])
def test_name_lookup_through_the_cut_finds_the_same(sample_osm, name, monkeypatch):
    def lookup():
        try:
            p = find_place_by_name(sample_osm, name)
            return p.osm_id, p.kind, p.geometry.wkb, p.crs
        except PlaceNotFoundError as exc:
            return str(exc), exc.options

    whole = lookup()
    called = []
    monkeypatch.setattr(osm_extract, "CUT_FROM_BYTES", 0)
    real = osm_extract.cut_named
    monkeypatch.setattr(osm_extract, "cut_named",
                        lambda *a, **k: called.append(1) or real(*a, **k))
    assert lookup() == whole and called


# --- a tiled city-sized extract (3 x 3 copies of the sample) -------------------------------------

def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_large_extract", ROOT / "benchmarks" / "bench_large_extract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_large_extract", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiled(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiled") / "tiled.osm.pbf"
    _bench().build_tiled(path, 3)
    return path


def test_tiled_extract_reads_as_from_the_whole_file(tiled, sample_osm):
    """Senaatintori's study area reaches into the neighbouring copies: ways and multipolygons
    cross the cut's edge there."""
    place = find_place_by_name(sample_osm, "Senaatintori")
    whole, _ = read_osm_layers(tiled, place, area_cut=False)
    cut, prov = read_osm_layers(tiled, place, area_cut=True)
    assert_same_layers(whole, cut)
    ids = [int(i[1:]) for v in cut.values() for i in v["osm_id"]]
    assert max(ids) > osm_extract_tile_offset()  # features of other copies are in it
    assert int(prov["osm_cut_nodes_kept"]) < int(prov["osm_cut_nodes_scanned"]) / 2


def osm_extract_tile_offset() -> int:
    return _bench().TILE_OFFSET


def test_tiled_union_of_candidates_reads_as_from_the_whole_file(tiled, sample_osm):
    bench = _bench()
    union = bench.union_place_for(sample_osm, 3)
    whole, _ = read_osm_layers(tiled, union, area_cut=False)
    cut, prov = read_osm_layers(tiled, union, area_cut=True)
    assert_same_layers(whole, cut)
    assert prov["osm_read"] == "study-area cut"


def test_tiled_lookup_through_the_cut(tiled, monkeypatch):
    whole = find_place_by_name(tiled, "Rautatientori (1,1)")
    monkeypatch.setattr(osm_extract, "CUT_FROM_BYTES", 0)
    cut = find_place_by_name(tiled, "Rautatientori (1,1)")
    assert (cut.osm_id, cut.geometry.wkb) == (whole.osm_id, whole.geometry.wkb)
    offset, copy = divmod(int(cut.osm_id[1:]), osm_extract_tile_offset())
    assert cut.osm_id[0] == "r" and copy == 2919118 and offset > 0  # the copy, not the sample


# --- damaged and unusual files, cancellation, temporary files -------------------------------------

def test_truncated_pbf_is_refused_by_the_cut(sample_osm, tmp_path):
    data = sample_osm.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="could not be read: it is truncated or corrupt"):
        read_osm_layers(cut, place_from_point(24.952, 60.169, 40), area_cut=True)


def test_damaged_block_is_refused_by_the_cut(sample_osm, tmp_path):
    data = bytearray(sample_osm.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = bytes(64)  # zeros inside a compressed block
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(bytes(data))
    with pytest.raises(DataError, match="truncated or corrupt"):
        read_osm_layers(bad, place_from_point(24.952, 60.169, 40), area_cut=True)


def test_unsupported_pbf_is_read_whole(sample_osm, monkeypatch):
    """A PBF feature the scanner does not read: libosmium reads the whole file, same layers."""
    place = find_place_by_name(sample_osm, "Senaatintori")
    whole, _ = read_osm_layers(sample_osm, place, area_cut=False)
    monkeypatch.setattr(osm_pbf, "KNOWN_FEATURES", {"OsmSchema-V0.6"})
    feedback = RecordingFeedback()
    layers, prov = read_osm_layers(sample_osm, place, area_cut=True, feedback=feedback)
    assert prov["osm_read"] == "whole file"
    assert feedback.infos[0] == ("Reading the whole OSM file: the file requires the PBF feature "
                                 "DenseNodes.")
    assert_same_layers(whole, layers)


def test_cancelled_cut_stops_and_leaves_no_temporary_file(tiled, sample_osm, tmp_path,
                                                          monkeypatch):
    import tempfile

    place = find_place_by_name(sample_osm, "Senaatintori")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    feedback = RecordingFeedback(cancel_after=1)
    with pytest.raises(CancelledError):
        read_osm_layers(tiled, place, area_cut=True, feedback=feedback)
    assert len(feedback.progress) == 1 and feedback.progress[0] < 70
    assert os.listdir(scratch) == []
    read_osm_layers(tiled, place, area_cut=True)  # and after a full read too
    assert os.listdir(scratch) == []
