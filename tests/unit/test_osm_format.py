"""Knowing an OSM file by its first bytes (osm_format), on real files and hand-made heads."""

from __future__ import annotations

import bz2
import gzip
import io
import time
import zlib

import pytest

from amp_qgis_plugin.core.data.osm_format import (
    HEAD_BYTES,
    claims_osm,
    detect_osm_format,
    sniff_bytes,
    sniff_file,
)
from amp_qgis_plugin.core.errors import DataError, InputError

XML = (b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"JOSM\">\n"
       b"  <node id=\"1\" lat=\"59.317\" lon=\"18.07\"/>\n</osm>\n")
OPL = b"n1 v1 dV c0 t2024-05-01T10:00:00Z i0 u T x18.07 y59.317\nn2 v0 dV c0 t i0 u T x18.072 y59.317\n"


def test_real_pbf_head(sample_osm):
    head = sample_osm.read_bytes()[:HEAD_BYTES]
    assert sniff_bytes(head).format == "pbf"
    assert detect_osm_format(sample_osm) == "pbf"


def test_pbf_needs_a_plausible_osm_header(sample_osm):
    head = sample_osm.read_bytes()[:64]
    assert sniff_bytes(head[:3]).format == ""  # shorter than the length prefix
    assert sniff_bytes(b"\x00\x01\x00\x01" + head[4:]).format == ""  # over 64 KiB: no PBF
    assert sniff_bytes(head.replace(b"OSMHeader", b"OSMData\x00\x00")).format == ""


@pytest.mark.parametrize("head", [
    XML,
    b"\xef\xbb\xbf" + XML,  # UTF-8 byte-order mark
    b"<osm version='0.6'><node id='1' lat='1' lon='1'/></osm>",  # no declaration
    b"\n  <osm version='0.6'/>",  # blank space before the root is allowed
    b"<?xml version='1.0'?>\n<!-- exported 2024-05-01 <osmChange> -->\n<osm version='0.6'/>",
    b"<?xml version='1.0'?>\n<!DOCTYPE osm [\n<!ENTITY lol \"lol\">\n]>\n<osm version='0.6'/>",
    b"<?xml version='1.0'?>\n<!DOCTYPE osm [\n" + b"<!ENTITY x \"y\">\n" * 5000,  # root beyond
])
def test_osm_xml(head):
    assert sniff_bytes(head).format == "osm"


def test_blank_space_before_the_declaration_is_named():
    sniffed = sniff_bytes(b"\n\n" + XML)
    assert sniffed.format == "" and "blank space before its XML declaration" in sniffed.broken


@pytest.mark.parametrize("head, words", [
    (b"<?xml version='1.0'?><osmChange version='0.6'><create/></osmChange>",
     "an OSM change file (osmChange)"),
    (b"<!DOCTYPE html>\n<html><body>429 Too Many Requests</body></html>",
     "a web page (HTML)"),
    (b"<?xml version='1.0'?>\n<gpx version='1.1' creator='phone'><trk/></gpx>",
     "an XML file of another kind (its root element is <gpx>, not <osm>)"),
    (b'{"version": 0.6, "generator": "Overpass API", "elements": []}',
     "an Overpass API reply in JSON"),
    (b'{"type": "FeatureCollection", "features": []}', "GeoJSON"),
    (b"[1, 2, 3]", "JSON"),
    (b"SQLite format 3\x00" + b"\x00" * 84, "an SQLite database (a GeoPackage?)"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive"),
    (b"\xfd7zXZ\x00\x00", "xz-compressed data"),
    (b"\xff\xe0\x04o5c2", "an OSM change file (o5c)"),
    (b"name,lon,lat\nTorget,18.07,59.317\n", "text starting 'name,lon,lat"),
    (b"\x00\x00\x00\x0dthis is not a protobuf blob at all",
     "binary data starting with the bytes 00 00 00 0d 74 68 69 73"),
])
def test_what_other_content_looks_like(head, words):
    sniffed = sniff_bytes(head)
    assert sniffed.format == "" and words in sniffed.looks_like


def test_o5m_and_opl():
    assert sniff_bytes(b"\xff\xe0\x04o5m2\xdc").format == "o5m"
    assert sniff_bytes(OPL).format == "opl"
    assert sniff_bytes(b"# osmium cat\n\n" + OPL).format == "opl"
    assert sniff_bytes(b"w-5 v1 dV c0 t i0 u Thighway=path Nn1,n2\n").format == "opl"
    assert sniff_bytes(b"nothing like opl\n").format == ""


@pytest.mark.parametrize("compress, suffix", [(gzip.compress, "gz"), (bz2.compress, "bz2")])
def test_compressed_text_formats(compress, suffix):
    assert sniff_file(io.BytesIO(compress(XML))).format == f"osm.{suffix}"
    assert sniff_file(io.BytesIO(compress(OPL))).format == f"opl.{suffix}"
    change = sniff_file(io.BytesIO(compress(b"<osmChange version='0.6'/>")))
    assert change.format == "" and "osmChange" in change.looks_like and change.fix


def test_compressed_pbf_and_broken_streams(sample_osm):
    again = sniff_file(io.BytesIO(gzip.compress(sample_osm.read_bytes()[:200_000])))
    assert again.format == "" and again.looks_like == "OSM PBF compressed again with gzip"
    assert "cannot be decompressed" in sniff_file(io.BytesIO(b"BZh9garbage-garbage")).broken
    cut = gzip.compress(XML)[:8]  # inside the gzip header
    assert "truncated or corrupt" in sniff_file(io.BytesIO(cut)).broken
    empty = sniff_file(io.BytesIO(bz2.compress(b"")))
    assert empty.looks_like == "a bzip2-compressed file that is empty once decompressed"


def test_compression_bomb_costs_only_the_head():
    """64 MB of zeros in 64 kB of gzip: only the first HEAD_BYTES are decompressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\x00" * (1 << 20)
    bomb = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()
    start = time.perf_counter()
    sniffed = sniff_file(io.BytesIO(bomb))
    assert time.perf_counter() - start < 0.5
    assert sniffed.format == "" and "binary data" in sniffed.looks_like


@pytest.mark.parametrize("name, claims", [
    ("helsinki.osm.pbf", True), ("map.osm.xml", True), ("a.osm", True), ("a.osm.bz2", True),
    ("a.opl.gz", True), ("a.o5m", True), ("interpreter", True), ("place.gpkg", False),
    ("export.xml", False), ("download", False), ("notes.txt", False),
])
def test_claims_osm(name, claims):
    assert claims_osm(name) is claims


def test_refusal_depends_on_what_the_name_claims(tmp_path):
    """A file named as OSM holding something else is damaged (DataError); any other file was
    the wrong file (InputError). Both say what it looks like and name the osm_file input."""
    page = b"<!DOCTYPE html><html><body>504 Gateway Timeout</body></html>"
    saved = tmp_path / "interpreter"
    saved.write_bytes(page)
    with pytest.raises(DataError, match=r"^The OSM file interpreter could not be read: it is a "
                                        r"web page \(HTML\)") as err:
        detect_osm_format(saved)
    assert err.value.options == ("osm_file",)
    other = tmp_path / "page.html"
    other.write_bytes(page)
    with pytest.raises(InputError, match=r"^page.html is not an OSM file: it is a web page "
                                         r"\(HTML\).*Give OSM data as XML") as err:
        detect_osm_format(other)
    assert err.value.options == ("osm_file",)
