"""Shared test set-up. No qgis imports here (pytest-qgis must own QGIS start-up)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_OSM = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"


@pytest.fixture(scope="session")
def sample_osm() -> Path:
    """The bundled central-Helsinki extract (OSM 2019-04-21, ODbL)."""
    return SAMPLE_OSM


@pytest.fixture(scope="session")
def senaatintori_gpkg(tmp_path_factory) -> Path:
    """Senaatintori fetched from the bundled sample with the default study radius (800 m)."""
    from amp_qgis_plugin.core.fetch import fetch_to_geopackage, sample_request

    out = tmp_path_factory.mktemp("senaatintori") / "senaatintori.gpkg"
    path, _ = fetch_to_geopackage(sample_request("Senaatintori"), out)
    return path


@pytest.fixture(scope="session")
def senaatintori_data(senaatintori_gpkg):
    """The PlaceData of Senaatintori, read back from its GeoPackage."""
    from amp_qgis_plugin.core.data.placedata import read_geopackage

    return read_geopackage(senaatintori_gpkg)


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """Run every test in an English locale (a developer's Swedish locale would otherwise make the
    CLI answer in Swedish); tests of the Swedish output set their own."""
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture()
def set_default(tmp_path, monkeypatch):
    """``set_default(theme, key, value)``: change a default in a copy of resources/scoring that
    the engine reads instead of the bundled files (``defaults`` first, else ``thresholds``)."""
    import json
    import shutil

    from amp_qgis_plugin.core import thresholds

    copy = tmp_path / "scoring"
    shutil.copytree(thresholds.SCORING_DIR, copy)
    monkeypatch.setattr(thresholds, "SCORING_DIR", copy)
    thresholds.load_thresholds.cache_clear()

    def _set(theme: str, key: str, value) -> None:
        path = copy / f"{theme}.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        section = "defaults" if key in doc.get("defaults", {}) else "thresholds"
        doc[section][key]["value"] = value
        path.write_text(json.dumps(doc), encoding="utf-8")
        thresholds.load_thresholds.cache_clear()

    yield _set
    thresholds.load_thresholds.cache_clear()


@pytest.fixture()
def seating_scene_gpkg(tmp_path) -> str:
    """A PlaceData GeoPackage of a 30 x 30 m square (900 m² = 9,687.5 sq ft) with two benches
    (one backed), a picnic table, a café with outdoor seating 10 m out, a restaurant 20 m out, one
    bin and one tree inside."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from amp_qgis_plugin.core.data.placedata import PlaceData, write_geopackage

    def gdf(cols, geoms):
        return gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:3006")

    d = PlaceData(crs="EPSG:3006")
    d["place"] = gdf({"name": ["Sq"]}, [box(0, 0, 30, 30)])
    d["seating"] = gdf({"osm_id": ["n1", "n2", "n3"],
                        "seating_type": ["bench", "bench", "picnic_table"],
                        "seats": ["3", "", ""], "backrest": ["yes", "no", ""],
                        "direction": ["0", "90", ""]},
                       [Point(10, 10), Point(12, 10), Point(5, 25)])
    d["pois"] = gdf({"osm_id": ["c", "r"], "category": ["food_drink", "food_drink"],
                     "key": ["amenity", "amenity"], "value": ["cafe", "restaurant"],
                     "outdoor_seating": ["yes", ""]}, [Point(40, 15), Point(50, 15)])
    d["bins"] = gdf({"osm_id": ["x"]}, [Point(10, 20)])
    d["trees"] = gdf({"osm_id": ["t"]}, [Point(20, 20)])
    d.provenance = {"place_name": "Sq"}
    return str(write_geopackage(d, tmp_path / "sq.gpkg"))
