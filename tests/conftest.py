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
