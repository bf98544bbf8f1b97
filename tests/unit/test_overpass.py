"""Tests of the Overpass API client against a real HTTP server on 127.0.0.1.

The server (tests/unit/overpass_replay.py) replays the real recorded Overpass replies in
tests/fixtures/overpass/ (see its README.md for sources) and scripted error sequences. Element
counts were counted by reading the fixture files with grep, e.g.
``grep -o '"type": "node", "id"' new_river_head.json | wc -l`` -> 34 (ways 3, relations 1) and
``zcat overpass-response-10.json.gz | grep -c '"type": "node"'`` -> 2550 (ways 831, relations 0).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from pathlib import Path

import osmium
import osmium.io
import pytest
from overpass_replay import FIXTURES, OVERPASS_400_PAGE, OVERPASS_429_PAGE, ReplayServer, Reply

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.core.data.overpass import (
    OverpassConfig,
    build_name_query,
    build_query,
    elements_to_osm_file,
    fetch_overpass_osm,
    osm_base_timestamp,
    run_query,
    run_query_with_info,
)
from amp_qgis_plugin.core.errors import CancelledError, InputError, OverpassError
from amp_qgis_plugin.core.feedback import RecordingFeedback

# Clerkenwell, London, around the New River Head fixture (south, west, north, east).
BBOX = (51.5275, -0.1085, 51.5292, -0.1065)


@pytest.fixture
def server(monkeypatch):
    """The replay server on 127.0.0.1, on a free port, stopped after the test.

    ``no_proxy`` keeps a proxy configured in the environment out of the loopback requests.
    """
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with ReplayServer() as replay:
        yield replay


def _config(server, tmp_path: Path, **kwargs) -> OverpassConfig:
    defaults = dict(url=server.url, cache_dir=tmp_path / "cache", timeout_s=5.0,
                    max_retries=2, backoff_s=0.01, max_backoff_s=0.5)
    defaults.update(kwargs)
    return OverpassConfig(**defaults)


def _read_osm(path: Path) -> dict:
    """Read an OSM file back with pyosmium: {'node': {id: obj}, 'way': ..., 'relation': ...}."""
    out: dict = {"node": {}, "way": {}, "relation": {}}
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            out["node"][obj.id] = (dict(obj.tags), obj.location.lon, obj.location.lat)
        elif obj.is_way():
            out["way"][obj.id] = (dict(obj.tags), [n.ref for n in obj.nodes])
        elif obj.is_relation():
            out["relation"][obj.id] = (dict(obj.tags),
                                       [(m.type, m.ref, m.role) for m in obj.members])
    return out


def _cache_files(cache_dir: Path) -> list:
    return sorted(p for p in cache_dir.rglob("*") if p.is_file()) if cache_dir.exists() else []


class CancelOnceServerCalled(RecordingFeedback):
    """Feedback whose user presses Cancel as soon as the server has seen a request."""

    def __init__(self, server) -> None:
        super().__init__()
        self.server = server

    def isCanceled(self) -> bool:  # noqa: N802
        self.cancel_checks += 1
        return self.server.request_count >= 1


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def test_build_query_is_one_self_contained_json_query():
    config = OverpassConfig(query_timeout_s=77)
    query = build_query(BBOX, config=config)
    assert query.startswith("[out:json][timeout:77][bbox:51.5275,-0.1085,51.5292,-0.1065];")
    for selector in ("nwr[building]", "nwr[amenity]", "way[highway]", "node[highway]",
                     'node[natural="tree"]', "nwr[barrier]", "nwr[public_transport]",
                     "node[entrance]", 'nwr[place~"^(square|plaza)$"]'):
        assert f"  {selector};" in query
    assert query.rstrip().endswith("out body;\n>;\nout skel qt;")
    assert "nwr[landuse]" not in query
    assert "nwr[landuse];" in build_query(BBOX, config=config, include_landuse=True)


@pytest.mark.parametrize("bbox", [(51.6, -0.1, 51.5, 0.0), (51.5, 0.1, 51.6, 0.0),
                                  (91, 0, 92, 1), (float("nan"), 0, 1, 1), (1, 2, 3)])
def test_build_query_refuses_a_bad_bbox(bbox):
    with pytest.raises(InputError, match="(south, west, north, east)|Bounding box"):
        build_query(bbox, config=OverpassConfig())


def test_build_name_query_escapes_and_covers_name_keys():
    query = build_name_query('Gustaf "Adolfs" torg\\', config=OverpassConfig(),
                             bbox=(57.70, 11.96, 57.71, 11.97))
    assert '[bbox:57.7,11.96,57.71,11.97]' in query
    for key in ("name", "name:sv", "name:en", "alt_name"):
        assert f'nwr["{key}"="Gustaf \\"Adolfs\\" torg\\\\"][place="square"];' in query
    assert '[highway="pedestrian"]' in query and '[amenity="marketplace"]' in query
    assert '[leisure="park"]' in query
    assert query.rstrip().endswith("out body;\n>;\nout skel qt;")
    with pytest.raises(InputError, match="empty"):
        build_name_query("  ", config=OverpassConfig())


def test_config_refuses_cwd_cache_and_cache_only_without_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="current directory"):
        OverpassConfig(cache_dir=Path("."))
    with pytest.raises(InputError, match="Cache-only mode needs a cache folder"):
        OverpassConfig(cache_only=True)
    with pytest.raises(InputError, match="not an http"):
        OverpassConfig(url="overpass-api.de")
    relative = OverpassConfig(cache_dir=Path("sub"))
    assert relative.cache_dir == tmp_path.resolve() / "sub"
    assert f"/{__version__}" in OverpassConfig().user_agent


# ---------------------------------------------------------------------------------------------
# Success, cache
# ---------------------------------------------------------------------------------------------


def test_fetch_writes_pbf_with_all_elements_and_provenance(server, tmp_path):
    """New River Head (London, 2019): 34 nodes, 3 ways, 1 multipolygon relation (grep counts).

    Relation 9246394 and way 665593284 were read off the JSON file by eye.
    """
    server.script(Reply.fixture("new_river_head.json"))
    config = _config(server, tmp_path)
    out = tmp_path / "out" / "place.osm.pbf"
    feedback = RecordingFeedback()

    path, prov = fetch_overpass_osm(BBOX, out, config=config, feedback=feedback)

    assert path == out and out.is_file()
    got = _read_osm(out)
    assert {k: len(v) for k, v in got.items()} == {"node": 34, "way": 3, "relation": 1}
    tags, members = got["relation"][9246394]
    assert tags["name"] == "New River Head" and tags["building:levels"] == "6"
    assert tags["type"] == "multipolygon"
    assert members == [("w", 45887554, "outer"), ("w", 665593284, "inner"),
                       ("w", 665593283, "inner")]
    way_tags, refs = got["way"][665593284]
    assert way_tags == {"building": "yes", "building:levels": "1"}
    assert refs == [6229772236, 6229772233, 6229772234, 6229772235, 6229772236]
    assert got["node"][584412507][1:] == pytest.approx((-0.1077998, 51.5280552), abs=1e-7)
    reader = osmium.io.Reader(str(out))
    try:
        assert reader.header().get("osmosis_replication_timestamp") == "2019-06-01T14:11:02Z"
    finally:
        reader.close()

    # The server got the very query build_query makes, by POST, with our User-Agent.
    assert server.request_count == 1
    sent = server.requests[0]
    assert sent.method == "POST" and sent.path == "/api/interpreter"
    assert sent.query == build_query(BBOX, config=config)
    assert f"/{__version__}" in sent.headers["User-Agent"]

    assert prov["overpass_url"] == server.url
    assert prov["overpass_query"] == sent.query
    assert prov["osm_base_timestamp"] == "2019-06-01T14:11:02Z"
    assert prov["overpass_cache_hit"] == "no"
    assert prov["overpass_elements"] == "nodes: 34, ways: 3, relations: 1"
    assert feedback.progress[0] == 0.0 and feedback.progress[-1] == 100.0


def test_cache_hit_makes_no_request_and_is_content_addressed(server, tmp_path):
    server.script(Reply.fixture("way-02.json"))
    config = _config(server, tmp_path)
    query = build_query(BBOX, config=config)

    first, info1 = run_query_with_info(query, config=config)
    second, info2 = run_query_with_info(query, config=config)

    assert server.request_count == 1
    assert (info1["cache_hit"], info2["cache_hit"]) == (False, True)
    assert first == second and len(first["elements"]) == 7
    key = hashlib.sha256((server.url + "\n" + query).encode()).hexdigest()
    expected = tmp_path / "cache" / key[:2] / f"{key}.json"
    # Exactly one file, at the content address, holding the bytes the server sent: no temp files.
    assert _cache_files(tmp_path / "cache") == [expected]
    assert expected.read_bytes() == (FIXTURES / "way-02.json").read_bytes()

    # Another query (or the same query to another server) is another entry.
    other = build_query((51.0, -0.2, 51.1, -0.1), config=config)
    run_query(other, config=config)
    assert server.request_count == 2
    assert len(_cache_files(tmp_path / "cache")) == 2

    # Cache-only mode answers from the cache without the network.
    offline = _config(server, tmp_path, cache_only=True)
    assert run_query(query, config=offline) == first
    assert server.request_count == 2


def test_cache_only_miss_names_the_query_and_how_to_fill_it(server, tmp_path):
    config = _config(server, tmp_path, cache_only=True)
    query = build_query(BBOX, config=config)
    with pytest.raises(OverpassError) as err:
        run_query(query, config=config)
    message = str(err.value)
    assert "Cache-only mode" in message and "not in the cache" in message
    assert "[bbox:51.5275,-0.1085,51.5292,-0.1065]" in message
    assert "Run it once with network access" in message
    assert server.request_count == 0


def test_gzip_fixture_served_as_is_is_decompressed(server, tmp_path):
    """Brooklyn street network (2017), served gzip-compressed with Content-Encoding: gzip.

    2550 nodes, 831 ways, 0 relations (zcat | grep -c); way 5673843 is East Drive, a cycleway
    with 66 node refs from 42461168 to 544352966.
    """
    server.script(Reply.fixture("overpass-response-10.json.gz"))
    config = _config(server, tmp_path)
    data = run_query(build_query(BBOX, config=config), config=config)
    assert len(data["elements"]) == 2550 + 831
    assert osm_base_timestamp(data) == "2017-10-21T00:04:02Z"
    # The cache holds the decompressed JSON.
    (cached,) = _cache_files(tmp_path / "cache")
    assert json.loads(cached.read_bytes()) == json.loads(
        gzip.decompress((FIXTURES / "overpass-response-10.json.gz").read_bytes()))

    out = elements_to_osm_file(data, tmp_path / "brooklyn.osm")
    got = _read_osm(out)
    assert {k: len(v) for k, v in got.items()} == {"node": 2550, "way": 831, "relation": 0}
    tags, refs = got["way"][5673843]
    assert tags["name"] == "East Drive" and tags["highway"] == "cycleway"
    assert (len(refs), refs[0], refs[-1]) == (66, 42461168, 544352966)


# ---------------------------------------------------------------------------------------------
# Retries
# ---------------------------------------------------------------------------------------------


def test_429_then_200_is_retried_after_backoff(server, tmp_path):
    server.script(Reply.html(429, OVERPASS_429_PAGE), Reply.fixture("way-02.json"))
    config = _config(server, tmp_path, backoff_s=0.3)
    feedback = RecordingFeedback()
    start = time.monotonic()
    data = run_query(build_query(BBOX, config=config), config=config, feedback=feedback)
    elapsed = time.monotonic() - start
    assert len(data["elements"]) == 7
    assert server.request_count == 2
    assert elapsed >= 0.3  # the first backoff is backoff_s * 2**0
    assert any("HTTP 429" in w and "rate_limited" in w for w in feedback.warnings)


def test_retry_after_header_is_honoured_and_capped(server, tmp_path):
    server.script(Reply.html(429, OVERPASS_429_PAGE, headers={"Retry-After": "1"}),
                           Reply.fixture("way-02.json"))
    config = _config(server, tmp_path, backoff_s=0.001, max_backoff_s=5)
    start = time.monotonic()
    run_query(build_query(BBOX, config=config), config=config)
    assert 1.0 <= time.monotonic() - start < 3.0

    server.script(Reply.html(429, OVERPASS_429_PAGE, headers={"Retry-After": "3600"}),
                           Reply.fixture("way-02.json"))
    capped = _config(server, tmp_path / "b", backoff_s=0.001, max_backoff_s=0.2)
    start = time.monotonic()
    run_query(build_query(BBOX, config=capped), config=capped)
    assert time.monotonic() - start < 1.5


def test_504_every_time_gives_up_after_max_retries_plus_one(server, tmp_path):
    server.script(Reply.html(504, "<html><body>504 Gateway Time-out</body></html>"))
    config = _config(server, tmp_path, max_retries=3)
    with pytest.raises(OverpassError) as err:
        run_query(build_query(BBOX, config=config), config=config)
    message = str(err.value)
    assert server.request_count == 4
    assert "after 4 attempts" in message and "HTTP 504" in message
    assert "another server" in message and "cache-only mode" in message
    assert _cache_files(tmp_path / "cache") == []


def test_dropped_connection_is_retried(server, tmp_path):
    server.script(Reply(drop=True), Reply.fixture("way-02.json"))
    config = _config(server, tmp_path)
    data = run_query(build_query(BBOX, config=config), config=config)
    assert len(data["elements"]) == 7 and server.request_count == 2


def test_slow_server_times_out_is_retried_then_fails_fast(server, tmp_path):
    server.script(Reply.fixture("way-02.json", delay_s=3.0))
    config = _config(server, tmp_path, timeout_s=0.3, max_retries=1)
    start = time.monotonic()
    with pytest.raises(OverpassError) as err:
        run_query(build_query(BBOX, config=config), config=config)
    elapsed = time.monotonic() - start
    assert server.request_count == 2
    assert "after 2 attempts" in str(err.value) and "socket timeout" in str(err.value)
    assert elapsed < 2.0


def test_cut_off_body_is_retried_then_fails(server, tmp_path):
    body = (FIXTURES / "new_river_head.json").read_bytes()
    server.script(Reply(body=body[:1000], content_length=len(body)))
    config = _config(server, tmp_path, max_retries=1)
    with pytest.raises(OverpassError, match="after 2 attempts.*IncompleteRead"):
        run_query(build_query(BBOX, config=config), config=config)
    assert _cache_files(tmp_path / "cache") == []


def test_cancel_during_backoff_stops_quickly(server, tmp_path):
    server.script(Reply.html(429, OVERPASS_429_PAGE))
    config = _config(server, tmp_path, backoff_s=30, max_backoff_s=60)
    feedback = CancelOnceServerCalled(server)
    start = time.monotonic()
    with pytest.raises(CancelledError):
        run_query(build_query(BBOX, config=config), config=config, feedback=feedback)
    assert time.monotonic() - start < 1.0
    assert server.request_count == 1


def test_cancel_after_download_leaves_no_osm_file(server, tmp_path):
    server.script(Reply.fixture("new_river_head.json"))
    config = _config(server, tmp_path)
    out = tmp_path / "out.osm.pbf"
    # Cancels once setProgress has been called twice: 0 % (start) and 80 % (query done).
    with pytest.raises(CancelledError):
        fetch_overpass_osm(BBOX, out, config=config, feedback=RecordingFeedback(cancel_after=2))
    assert list(tmp_path.glob("*out.osm.pbf*")) == []


# ---------------------------------------------------------------------------------------------
# Errors that are not retried
# ---------------------------------------------------------------------------------------------


def test_timeout_remark_is_an_error_and_not_cached(server, tmp_path):
    """The real reply python-overpy recorded: HTTP 200, no elements, a runtime-error remark."""
    server.script(Reply.fixture("remark-runtime-error-01.json"))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError) as err:
        run_query(build_query(BBOX, config=config), config=config)
    message = str(err.value)
    assert 'Query timed out in "query" at line 4 after 2 seconds' in message
    assert "smaller study radius" in message and "query_timeout_s" in message
    assert server.request_count == 1
    assert _cache_files(tmp_path / "cache") == []


def test_memory_remark_is_an_error(server, tmp_path):
    reply = {"version": 0.6, "generator": "Overpass API", "elements": [],
             "remark": "runtime error: Query run out of memory using about 2048 MB of RAM."}
    server.script(Reply(body=json.dumps(reply).encode()))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError, match="out of memory.*smaller study radius"):
        run_query(build_query(BBOX, config=config), config=config)
    assert _cache_files(tmp_path / "cache") == []


def test_truncated_json_is_an_error_and_not_cached(server, tmp_path):
    body = (FIXTURES / "new_river_head.json").read_bytes()
    server.script(Reply(body=body[: len(body) // 2]))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError, match="not valid JSON.*truncated"):
        run_query(build_query(BBOX, config=config), config=config)
    assert server.request_count == 1
    assert _cache_files(tmp_path / "cache") == []


def test_http_400_quotes_the_servers_message(server, tmp_path):
    server.script(Reply.html(400, OVERPASS_400_PAGE))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError) as err:
        run_query("[out:json];\nnwx[amenity];\nout;", config=config)
    assert 'HTTP 400' in str(err.value)
    assert 'line 2: parse error: Unknown type "nwx"' in str(err.value)
    assert "<" not in str(err.value)
    assert server.request_count == 1


def test_html_instead_of_json_is_an_error(server, tmp_path):
    server.script(Reply.html(200, "<html><body><h1>Captive portal</h1></body></html>"))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError, match="HTML page.*instead of JSON.*Captive portal"):
        run_query(build_query(BBOX, config=config), config=config)
    assert _cache_files(tmp_path / "cache") == []


def test_http_404_names_the_status(server, tmp_path):
    server.script(Reply(status=404, body=b"Not Found", content_type="text/plain"))
    config = _config(server, tmp_path)
    with pytest.raises(OverpassError, match="HTTP 404.*Check the server URL"):
        run_query(build_query(BBOX, config=config), config=config)
    assert server.request_count == 1


def test_corrupt_cache_entry_is_fetched_again(server, tmp_path):
    server.script(Reply.fixture("way-02.json"))
    config = _config(server, tmp_path)
    query = build_query(BBOX, config=config)
    run_query(query, config=config)
    (cached,) = _cache_files(tmp_path / "cache")
    cached.write_bytes(cached.read_bytes()[:100])
    feedback = RecordingFeedback()
    data, info = run_query_with_info(query, config=config, feedback=feedback)
    assert not info["cache_hit"] and len(data["elements"]) == 7
    assert server.request_count == 2
    assert any("corrupt Overpass cache entry" in w for w in feedback.warnings)
    assert cached.read_bytes() == (FIXTURES / "way-02.json").read_bytes()


# ---------------------------------------------------------------------------------------------
# OSM file writing
# ---------------------------------------------------------------------------------------------


def test_bare_elements_array_is_accepted(tmp_path):
    """Goteborg toilets (2025): a bare array of 108 tagged nodes, 34 with wheelchair=yes (grep)."""
    data = json.loads((FIXTURES / "toaletter.json").read_text(encoding="utf-8"))
    assert osm_base_timestamp(data) is None
    got = _read_osm(elements_to_osm_file(data, tmp_path / "toilets.osm.pbf"))
    assert len(got["node"]) == 108 and not got["way"] and not got["relation"]
    assert sum(t.get("wheelchair") == "yes" for t, _, _ in got["node"].values()) == 34
    tags, lon, lat = got["node"][313609654]
    assert tags["opening_hours"] == "24/7" and tags["contact:phone"] == "+46969314123"
    assert (lon, lat) == pytest.approx((11.969783, 57.69892), abs=1e-7)


def test_repeated_elements_from_out_skel_keep_their_tags(tmp_path):
    """``out body; >; out skel qt;`` repeats a tagged node (an entrance on a building) bare."""
    data = {"osm3s": {"timestamp_osm_base": "2024-05-01T10:00:00Z"}, "elements": [
        {"type": "node", "id": 7, "lat": 57.7, "lon": 11.9, "tags": {"entrance": "main"}},
        {"type": "way", "id": 3, "nodes": [7, 8, 9, 7], "tags": {"building": "yes"}},
        {"type": "node", "id": 9, "lat": 57.7002, "lon": 11.9},
        {"type": "node", "id": 8, "lat": 57.7001, "lon": 11.9001},
        {"type": "node", "id": 7, "lat": 57.7, "lon": 11.9},
    ]}
    got = _read_osm(elements_to_osm_file(data, tmp_path / "dup.osm.pbf"))
    assert sorted(got["node"]) == [7, 8, 9]
    assert got["node"][7][0] == {"entrance": "main"}
    assert got["way"][3] == ({"building": "yes"}, [7, 8, 9, 7])


def test_ways_with_missing_nodes_are_written_as_they_are(tmp_path):
    """way-02 (Bonn, 2014): way 317146077 has 7 refs over 6 nodes; drop node 3233854233."""
    data = json.loads((FIXTURES / "way-02.json").read_text(encoding="utf-8"))
    data["elements"] = [e for e in data["elements"] if e.get("id") != 3233854233]
    got = _read_osm(elements_to_osm_file(data, tmp_path / "cut.osm"))
    assert len(got["node"]) == 5
    assert got["way"][317146077][1] == [3233854241, 3233854238, 3233854233, 3233854234,
                                        3233854236, 3233854237, 3233854241]


def test_relation_without_outer_and_area_elements(tmp_path):
    """relation_no_outer (Dar es Salaam, 2019): 16 nodes, 2 ways, relation 7417759 with one
    inner member. area-01 holds 4 Overpass 'area' elements, which are not OSM objects."""
    data = json.loads((FIXTURES / "relation_no_outer.json").read_text(encoding="utf-8"))
    got = _read_osm(elements_to_osm_file(data, tmp_path / "rel.osm.pbf"))
    assert {k: len(v) for k, v in got.items()} == {"node": 16, "way": 2, "relation": 1}
    assert got["relation"][7417759] == ({"building": "yes", "type": "multipolygon"},
                                        [("w", 510134636, "inner")])

    areas = json.loads((FIXTURES / "area-01.json").read_text(encoding="utf-8"))
    feedback = RecordingFeedback()
    got = _read_osm(elements_to_osm_file(areas, tmp_path / "areas.osm.pbf", feedback=feedback))
    assert not any(got.values())
    assert any("4 area" in w for w in feedback.warnings)


def test_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"\*\.osm\.pbf"):
        elements_to_osm_file({"elements": []}, tmp_path / "out.json")


def test_cancel_while_the_server_is_still_working(server, tmp_path):
    """Overpass may think for minutes before answering; Cancel must not wait for timeout_s."""
    server.script(Reply.fixture("way-02.json", delay_s=20.0))
    config = _config(server, tmp_path, timeout_s=60.0)
    feedback = CancelOnceServerCalled(server)
    start = time.monotonic()
    with pytest.raises(CancelledError):
        run_query(build_query(BBOX, config=config), config=config, feedback=feedback)
    assert time.monotonic() - start < 1.5
    assert _cache_files(tmp_path / "cache") == []


def test_out_meta_fields_are_kept(tmp_path):
    """node-01 (Bonn, 2014): node 3233854234 carries version 1, changeset 23456789, user
    TestUser (uid 345678), timestamp 2014-12-14T07:27:19Z; node 100793192 is a turning circle."""
    data = json.loads((FIXTURES / "node-01.json").read_text(encoding="utf-8"))
    out = elements_to_osm_file(data, tmp_path / "meta.osm.pbf")
    # pyosmium objects live only inside the loop: copy what we check.
    nodes = {n.id: (n.version, n.changeset, n.user, n.uid, n.timestamp, dict(n.tags))
             for n in osmium.FileProcessor(str(out))}
    assert sorted(nodes) == [50878400, 100793192, 3233854234]
    version, changeset, user, uid, ts, _tags = nodes[3233854234]
    assert (version, changeset, user, uid) == (1, 23456789, "TestUser", 345678)
    assert ts.isoformat() == "2014-12-14T07:27:19+00:00"
    assert nodes[100793192][5] == {"highway": "turning_circle"}
