"""fetch through the Overpass API, end to end, against the local replay server.

The recorded reply is a real Overpass street-network response for Brooklyn (osmnx test data,
2017): 3,381 elements, 1,407 with a highway tag. The server answers every query with it.
"""

from __future__ import annotations

import json

import pytest
from overpass_replay import Reply  # the server fixture comes from tests/unit/conftest.py

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.overpass import OverpassConfig
from amp_qgis_plugin.core.data.placedata import read_geopackage
from amp_qgis_plugin.core.errors import OverpassError
from amp_qgis_plugin.core.fetch import FetchRequest, fetch_to_geopackage

BROOKLYN = (-73.9800, 40.6800)  # Park Slope, the densest part of the recorded reply


def test_overpass_fetch_then_cache_only(overpass_server, tmp_path):
    overpass_server.script(Reply.fixture("overpass-response-10.json.gz"))
    cache = tmp_path / "cache"
    request = FetchRequest(point=BROOKLYN, point_radius_m=40, study_radius_m=400,
                           overpass=OverpassConfig(url=overpass_server.url, cache_dir=cache,
                                                   backoff_s=0.01))
    path, data = fetch_to_geopackage(request, tmp_path / "online.gpkg")
    assert overpass_server.request_count == 1
    assert data.crs == "EPSG:32618"  # UTM 18N for New York
    assert len(data["paths"]) > 20 and data["paths"]["highway"].isin(["residential"]).any()
    prov = read_geopackage(path).provenance
    assert prov["overpass_url"] == overpass_server.url
    assert "[bbox:" in prov["overpass_query"] and prov["overpass_cache_hit"] == "no"
    assert prov["osm_timestamp"].startswith("2017-10-21")  # the reply's osm3s timestamp_osm_base
    # the batch rerun: cache only, same answer, no request to the server
    request.overpass = OverpassConfig(url=overpass_server.url, cache_dir=cache, cache_only=True)
    _, again = fetch_to_geopackage(request, tmp_path / "cached.gpkg")
    assert overpass_server.request_count == 1
    assert len(again["paths"]) == len(data["paths"])


def test_overpass_timeout_remark_writes_nothing(overpass_server, tmp_path):
    overpass_server.script(Reply.fixture("remark-runtime-error-01.json"))
    request = FetchRequest(point=BROOKLYN, point_radius_m=40, study_radius_m=200,
                           overpass=OverpassConfig(url=overpass_server.url,
                                                   cache_dir=tmp_path / "cache"))
    with pytest.raises(OverpassError, match="timed out"):
        fetch_to_geopackage(request, tmp_path / "out" / "x.gpkg")
    assert not (tmp_path / "out" / "x.gpkg").exists()


def test_cli_overpass(overpass_server, tmp_path, capsys):
    overpass_server.script(Reply.fixture("overpass-response-10.json.gz"))
    out = tmp_path / "cli.gpkg"
    code = main(["fetch", "--overpass", overpass_server.url, "--overpass-cache",
                 str(tmp_path / "c"), "--point", "-73.98,40.68", "--radius", "30",
                 "--study-radius", "300", "--out", str(out)])
    assert code == 0
    params = json.loads(read_geopackage(out).provenance["parameters"])
    assert params["overpass_url"] == overpass_server.url


def test_place_name_search_is_limited_to_the_search_bbox(overpass_server, tmp_path, capsys):
    """The name query carries the search area. The recorded New River Head reply (London,
    2019) holds only a building multipolygon of that name, which is not taken as the place."""
    overpass_server.script(Reply.fixture("new_river_head.json"))
    code = main(["fetch", "--overpass", overpass_server.url, "--overpass-cache",
                 str(tmp_path / "c"), "--place-name", "New River Head", "--search-bbox",
                 "-0.12,51.52,-0.10,51.53", "--study-radius", "100", "--max-place-area", "1e6",
                 "--out", str(tmp_path / "n.gpkg")])
    first_query = overpass_server.requests[0].query
    assert "[bbox:51.52,-0.12,51.53,-0.1]" in first_query.replace(" ", "")
    assert code == 1 and not (tmp_path / "n.gpkg").exists()
    assert "found only: building=residential (r" in capsys.readouterr().err
