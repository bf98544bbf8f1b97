"""Reading OSM files: the real Helsinki sample, place-name lookup, and bad input."""

from __future__ import annotations

import bz2
import time
from pathlib import Path

import osmium
import pytest

from amp_qgis_plugin.core.data.osm_file import find_place_by_name, read_osm_layers
from amp_qgis_plugin.core.errors import DataError, InputError, PlaceNotFoundError
from amp_qgis_plugin.core.place import place_from_point

# A tiny OSM file around a square called "Torget" in Stockholm (Mariatorget's position), with a
# bus stop and a street of the same name, a shop, a bench and a lamp. Coordinates are chosen so
# distances can be checked by hand (1e-4 deg lat = 11.1 m).
TORGET_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="59.3170" lon="18.0700" version="1" timestamp="2024-05-01T10:00:00Z"/>
  <node id="2" lat="59.3170" lon="18.0720"/>
  <node id="3" lat="59.3180" lon="18.0720"/>
  <node id="4" lat="59.3180" lon="18.0700"/>
  <node id="5" lat="59.3165" lon="18.0700"/>
  <node id="6" lat="59.3165" lon="18.0730"/>
  <node id="10" lat="59.3175" lon="18.0710" version="3" timestamp="2024-06-02T08:30:00Z">
    <tag k="amenity" v="bench"/><tag k="backrest" v="yes"/><tag k="seats" v="3"/>
  </node>
  <node id="11" lat="59.3176" lon="18.0711"><tag k="highway" v="street_lamp"/><tag k="height" v="6 m"/></node>
  <node id="12" lat="59.3181" lon="18.0705"><tag k="shop" v="bakery"/><tag k="name" v="Bageri"/>
    <tag k="opening_hours" v="Mo-Fr 07:00-18:00"/></node>
  <node id="13" lat="59.3166" lon="18.0705"><tag k="highway" v="bus_stop"/><tag k="name" v="Torget"/></node>
  <way id="100" version="1" timestamp="2024-01-01T00:00:00Z">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="place" v="square"/><tag k="highway" v="pedestrian"/><tag k="area" v="yes"/>
    <tag k="name" v="Torget"/>
  </way>
  <way id="101"><nd ref="5"/><nd ref="6"/><tag k="highway" v="residential"/><tag k="name" v="Torget"/></way>
</osm>
"""


@pytest.fixture()
def torget_osm(tmp_path) -> Path:
    path = tmp_path / "torget.osm"
    path.write_text(TORGET_OSM, encoding="utf-8")
    return path


def test_name_shared_by_bus_stop_street_and_square_picks_the_area(torget_osm):
    place = find_place_by_name(torget_osm, "torget")
    assert place.osm_id == "w100" and place.kind == "square" and place.crs == "EPSG:3006"
    # 0.0020 deg lon x 0.0010 deg lat at 59.3175 N: 113.7 m x 111.4 m (WGS 84 ellipsoid)
    assert place.area_m2 == pytest.approx(113.7 * 111.4, rel=0.01)


def test_bz2_file_reads_like_xml(torget_osm, tmp_path):
    packed = tmp_path / "torget.osm.bz2"
    packed.write_bytes(bz2.compress(torget_osm.read_bytes()))
    place = find_place_by_name(packed, "Torget")
    layers, prov = read_osm_layers(packed, place)
    assert len(layers["seating"]) == 1 and len(layers["lamps"]) == 1
    assert prov["osm_timestamp"] == "2024-06-02T08:30:00+00:00"  # newest object read


def test_layers_and_columns_from_tags(torget_osm):
    place = find_place_by_name(torget_osm, "Torget")
    layers, _ = read_osm_layers(torget_osm, place)
    bench = layers["seating"].iloc[0]
    assert (bench.osm_id, bench.seating_type, bench.backrest, bench.seats) == ("n10", "bench", "yes", "3")
    assert layers["lamps"].iloc[0].height_m == 6.0
    shop = layers["pois"].iloc[0]
    assert (shop.category, shop.value, shop.opening_hours) == ("retail", "bakery", "Mo-Fr 07:00-18:00")
    stop = layers["transit_stops"].iloc[0]
    assert (stop["name"], stop["mode"], stop["capacity"]) == ("Torget", "bus", "low")
    assert set(layers["paths"].osm_id) == {"w100", "w101"}


def test_sample_senaatintori_counts(sample_osm):
    """Counts checked against the extract with pyosmium (see the comparison below)."""
    place = find_place_by_name(sample_osm, "Senaatintori")
    assert place.osm_id == "r2919121" and place.kind == "square"
    layers, prov = read_osm_layers(sample_osm, place)
    assert prov["osm_timestamp"].startswith("2019-04-21")
    # independent count: every street_lamp node of the file inside the study area
    from pyproj import Transformer
    from shapely.geometry import Point

    tr = Transformer.from_crs("EPSG:4326", place.crs, always_xy=True)
    study = place.study_area
    coords = [(o.location.lon, o.location.lat)
              for o in osmium.FileProcessor(str(sample_osm), osmium.osm.NODE)
              if o.tags.get("highway") == "street_lamp"]
    xs, ys = tr.transform([c[0] for c in coords], [c[1] for c in coords])
    lamps = sum(1 for x, y in zip(xs, ys) if study.intersects(Point(x, y)))
    assert len(layers["lamps"]) == lamps > 300
    assert len(layers["buildings"]) > 300
    assert layers["buildings"].geometry.is_valid.all()
    assert set(layers["buildings"].geom_type) <= {"Polygon", "MultiPolygon"}


def test_square_cut_by_extract_edge_is_refused(sample_osm):
    """Kauppatori's multipolygon (r2919185) is cut by the edge of the Helsinki extract."""
    with pytest.raises(PlaceNotFoundError, match=r"r2919185.*cut by the edge") as err:
        find_place_by_name(sample_osm, "Kauppatori")
    assert "give the place as a polygon" in str(err.value)
    assert err.value.options == ("osm_file", "place")


def test_place_name_only_on_points_and_lines(sample_osm):
    with pytest.raises(PlaceNotFoundError) as err:
        find_place_by_name(sample_osm, "Mikonkatu")
    message = str(err.value)
    assert "No square or pedestrian area" in message
    assert message.endswith("Give the place as a polygon, or as a point and a radius.")
    assert "--" not in message  # the interfaces add their own flags, from the options
    assert err.value.options == ("place", "point", "place_radius_m")


def test_unknown_place_name(sample_osm):
    with pytest.raises(PlaceNotFoundError, match="No object named") as err:
        find_place_by_name(sample_osm, "Nowhere Square")
    assert err.value.options == ("place_name", "place", "point", "place_radius_m")


def test_square_mapped_only_as_a_point_suggests_the_point(tmp_path):
    """A square with no outline: the message gives its position and a radius, in words."""
    path = tmp_path / "lilltorget.osm"
    path.write_text(TORGET_OSM.replace(
        "</osm>", '<node id="20" lat="59.3190" lon="18.0740"><tag k="place" v="square"/>'
                  '<tag k="name" v="Lilltorget"/></node>\n</osm>'), encoding="utf-8")
    with pytest.raises(PlaceNotFoundError) as err:
        find_place_by_name(path, "Lilltorget")
    assert ("It is mapped as a point at 18.074000,59.319000: give that point and a radius of "
            "about 40 m.") in str(err.value)
    assert "--" not in str(err.value)
    assert err.value.options == ("place", "point", "place_radius_m")


def test_two_separate_squares_of_one_name_are_refused(tmp_path):
    """A second square called Torget 1 km away: ambiguous, both ids listed."""
    second = "".join(f'<node id="{30 + i}" lat="{59.3270 + dy}" lon="{18.0700 + dx}"/>'
                     for i, (dx, dy) in enumerate([(0, 0), (0.001, 0), (0.001, 0.001), (0, 0.001)]))
    second += ('<way id="200"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/>'
               '<nd ref="30"/><tag k="place" v="square"/><tag k="name" v="Torget"/></way>')
    path = tmp_path / "two.osm"
    path.write_text(TORGET_OSM.replace("</osm>", second + "\n</osm>"), encoding="utf-8")
    with pytest.raises(PlaceNotFoundError, match=r"2 separate squares.*w100.*w200") as err:
        find_place_by_name(path, "Torget")
    assert str(err.value).endswith("Give the place as a polygon, or as a point and a radius.")
    assert err.value.options == ("place", "point", "place_radius_m")


def test_lookup_is_re_exported_from_osm_file():
    from amp_qgis_plugin.core.data import osm_file, place_lookup

    assert osm_file.find_place_by_name is place_lookup.find_place_by_name


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        find_place_by_name(tmp_path / "missing.osm.pbf", "X")


def test_not_an_osm_file(tmp_path):
    path = tmp_path / "place.gpkg"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match="not an OSM file"):
        find_place_by_name(path, "X")


def test_truncated_pbf(sample_osm, tmp_path):
    data = sample_osm.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) // 2])
    place = place_from_point(24.952, 60.169, 40)
    with pytest.raises(DataError, match="truncated or corrupt"):
        read_osm_layers(cut, place)


def test_corrupt_pbf(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dthis is not a protobuf blob at all" * 10)
    with pytest.raises(DataError, match="could not be read"):
        find_place_by_name(bad, "X")


def test_billion_laughs_is_refused_fast(tmp_path):
    lol = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        lol.append(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">')
    text = ('<?xml version="1.0"?>\n<!DOCTYPE osm [\n' + "\n".join(lol) + "\n]>\n"
            '<osm version="0.6"><node id="1" lat="59" lon="18"><tag k="name" v="&lol9;"/>'
            "</node></osm>\n")
    path = tmp_path / "laughs.osm"
    path.write_text(text)
    start = time.perf_counter()
    with pytest.raises(DataError, match="entities"):
        find_place_by_name(path, "lol")
    assert time.perf_counter() - start < 5


def test_empty_area_gives_empty_layers(sample_osm):
    """A point in the sea far off the extract: no features, no error."""
    place = place_from_point(25.3, 60.0, 40)
    layers, prov = read_osm_layers(sample_osm, place)
    # no layer has a feature there; empty layers are PlaceData's canonical ones
    assert layers == {} and prov["osm_objects_read"] == "10591"


def test_file_backed_node_index_gives_the_same_layers(sample_osm, monkeypatch):
    """Large extracts keep node locations in a temporary file (bounded memory); same result."""
    from amp_qgis_plugin.core.data import osm_file

    place = find_place_by_name(sample_osm, "Senaatintori")
    in_memory, _ = read_osm_layers(sample_osm, place)
    monkeypatch.setattr(osm_file, "LARGE_FILE_BYTES", 1)
    on_disk, _ = read_osm_layers(sample_osm, place)
    assert {k: len(v) for k, v in on_disk.items()} == {k: len(v) for k, v in in_memory.items()}
    assert on_disk["buildings"].geometry.area.sum() == pytest.approx(
        in_memory["buildings"].geometry.area.sum())


def test_large_pbf_files_are_cut_to_the_study_area_first(sample_osm, monkeypatch):
    """From CUT_FROM_BYTES on, a PBF file is cut before it is read (bounded memory); the layers
    are those of the whole file, row for row."""
    from amp_qgis_plugin.core.data import osm_extract

    place = find_place_by_name(sample_osm, "Senaatintori")
    whole, prov = read_osm_layers(sample_osm, place)
    assert prov["osm_read"] == "whole file"  # 0.7 MB: below the threshold
    monkeypatch.setattr(osm_extract, "CUT_FROM_BYTES", sample_osm.stat().st_size)
    cut, prov = read_osm_layers(sample_osm, place)
    assert prov["osm_read"] == "study-area cut"
    assert int(prov["osm_cut_nodes_scanned"]) == 24260  # every node of the file looked at
    assert set(cut) == set(whole)
    for name in whole:
        assert cut[name]["osm_id"].tolist() == whole[name]["osm_id"].tolist()
        assert (cut[name].geometry.to_wkb() == whole[name].geometry.to_wkb()).all()


def test_envelope_prefilter_on_libosmium_wkb():
    """The cheap envelope test used before tag handling, on hand-made WKB in libosmium's form."""
    from shapely.geometry import LineString, MultiPolygon, Polygon

    from amp_qgis_plugin.core.data.osm_file import _in_box

    box = (10.0, 50.0, 11.0, 51.0)
    crossing = LineString([(9.0, 50.5), (12.0, 50.6)])  # no vertex inside, crosses the box
    outside = LineString([(12.0, 50.0), (13.0, 51.0)])
    assert _in_box(crossing.wkb_hex, box) and not _in_box(outside.wkb_hex, box)
    ring = [(10.5, 50.5), (10.6, 50.5), (10.6, 50.6), (10.5, 50.5)]
    far = [(20.0, 60.0), (20.1, 60.0), (20.1, 60.1), (20.0, 60.0)]
    holed = Polygon([(9, 49), (12, 49), (12, 52), (9, 52)], [ring])  # box lies in the hole's frame
    assert _in_box(MultiPolygon([Polygon(far), holed]).wkb_hex, box)
    assert not _in_box(MultiPolygon([Polygon(far)]).wkb_hex, box)


# --- files known by their content, not their name --------------------------------------------

@pytest.fixture(scope="module")
def sample_xml(sample_osm, tmp_path_factory) -> Path:
    """The bundled sample converted to OSM XML by libosmium (10 MB, as JOSM or Overpass save it)."""
    path = tmp_path_factory.mktemp("sample-xml") / "helsinki-centre.osm"
    with osmium.SimpleWriter(str(path)) as writer:
        for obj in osmium.FileProcessor(str(sample_osm)):
            writer.add(obj)
    return path


@pytest.fixture(scope="module")
def canonical_counts(sample_osm):
    """Senaatintori and its layer counts, read from the canonical .osm.pbf."""
    place = find_place_by_name(sample_osm, "Senaatintori")
    layers, _ = read_osm_layers(sample_osm, place)
    return place.osm_id, {name: len(gdf) for name, gdf in layers.items()}


def _variant(kind: str, sample_xml: Path, folder: Path) -> Path:
    """The sample's XML saved the way real files arrive."""
    import gzip

    xml = sample_xml.read_bytes()
    names = {"josm": "map.osm.xml", "xml": "export.xml", "overpass": "interpreter",
             "gzip_no_suffix": "download", "bz2_no_suffix": "helsinki.dat",
             "xml_named_pbf": "helsinki.osm.pbf", "bom": "bom.osm"}
    data = {"gzip_no_suffix": lambda: gzip.compress(xml, compresslevel=1),
            "bz2_no_suffix": lambda: bz2.compress(xml, compresslevel=1),
            "bom": lambda: b"\xef\xbb\xbf" + xml}.get(kind, lambda: xml)()
    path = folder / names[kind]
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["josm", "xml", "overpass", "gzip_no_suffix", "bz2_no_suffix",
                                  "xml_named_pbf", "bom"])
def test_osm_file_is_known_by_its_content(kind, sample_xml, canonical_counts, tmp_path):
    """map.osm.xml (JOSM), interpreter (Overpass), a compressed export renamed, a .pbf that is
    XML: the same place and the same layers as the canonical file."""
    path = _variant(kind, sample_xml, tmp_path)
    osm_id, counts = canonical_counts
    place = find_place_by_name(path, "Senaatintori")
    assert place.osm_id == osm_id
    layers, prov = read_osm_layers(path, place)
    assert {name: len(gdf) for name, gdf in layers.items()} == counts
    assert prov["osm_timestamp"].startswith("2019-04-21")


def test_opl_without_suffix_reads(torget_osm, tmp_path):
    """osmium's line format (OPL) is recognised too, here saved without any suffix."""
    opl = tmp_path / "torget.opl"
    with osmium.SimpleWriter(str(opl)) as writer:
        for obj in osmium.FileProcessor(str(torget_osm)):
            writer.add(obj)
    plain = tmp_path / "torget-lines"
    opl.rename(plain)
    place = find_place_by_name(plain, "Torget")
    layers, _ = read_osm_layers(plain, place)
    canonical, _ = read_osm_layers(torget_osm, find_place_by_name(torget_osm, "Torget"))
    assert {k: len(v) for k, v in layers.items()} == {k: len(v) for k, v in canonical.items()}


def test_overpass_json_reply_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "interpreter"
    path.write_text('{\n  "version": 0.6,\n  "generator": "Overpass API 0.7.62",\n'
                    '  "elements": [{"type": "node", "id": 1, "lat": 60.1, "lon": 24.9}]\n}\n')
    with pytest.raises(InputError, match=r"Overpass API reply in JSON.*\[out:xml\]") as err:
        find_place_by_name(path, "X")
    assert err.value.options == ("osm_file",)


def test_error_page_saved_as_interpreter_is_refused(tmp_path):
    """A browser saves Overpass's error page under the reply's name: damaged data."""
    path = tmp_path / "interpreter"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC '
                    '"-//W3C//DTD XHTML 1.0 Strict//EN">\n<html><head><title>OSM3S Response'
                    '</title></head><body><p>runtime error: Query timed out</p></body></html>\n')
    with pytest.raises(DataError, match=r"could not be read: it is a web page \(HTML\)"):
        read_osm_layers(path, place_from_point(24.952, 60.169, 40))


def test_geopackage_is_not_an_osm_file(tmp_path):
    import sqlite3

    path = tmp_path / "place.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT)")
    with pytest.raises(InputError, match=r"not an OSM file: it is an SQLite database.*Give OSM "
                                         r"data as XML") as err:
        find_place_by_name(path, "X")
    assert err.value.options == ("osm_file",)


def test_change_file_is_refused(tmp_path):
    path = tmp_path / "edits.osc"
    path.write_text('<?xml version="1.0"?>\n<osmChange version="0.6"><create>'
                    '<node id="1" lat="59" lon="18" version="1"/></create></osmChange>\n')
    with pytest.raises(InputError, match=r"OSM change file \(osmChange\).*full OSM extract"):
        find_place_by_name(path, "X")


def test_gzipped_pbf_is_refused_with_the_fix(sample_osm, tmp_path):
    import gzip

    path = tmp_path / "helsinki.osm.pbf.gz"
    path.write_bytes(gzip.compress(sample_osm.read_bytes(), compresslevel=1))
    with pytest.raises(InputError, match=r"OSM PBF compressed again with gzip; decompress it"):
        find_place_by_name(path, "Senaatintori")


def test_blank_lines_before_xml_declaration_are_named(torget_osm, tmp_path):
    """XML forbids anything before <?xml ...?>; say so instead of quoting the parser."""
    path = tmp_path / "pasted.osm"
    path.write_bytes(b"\n\n" + torget_osm.read_bytes())
    with pytest.raises(DataError, match=r"could not be read: it has blank space before its XML "
                                        r"declaration") as err:
        find_place_by_name(path, "Torget")
    assert err.value.options == ("osm_file",)


def test_folder_and_empty_file(tmp_path):
    with pytest.raises(InputError, match="is a folder") as err:
        read_osm_layers(tmp_path, place_from_point(24.952, 60.169, 40))
    assert err.value.options == ("osm_file",)
    empty = tmp_path / "empty.osm"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty \(0 bytes\)"):
        find_place_by_name(empty, "X")
