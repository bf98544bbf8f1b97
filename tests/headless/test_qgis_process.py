"""The real qgis_process binary runs the AMP algorithms; outputs are read back and checked."""

from __future__ import annotations

import pyogrio
import pytest

from amp_qgis_plugin.core.data.placedata import read_geopackage

from .conftest import parse_json


def test_provider_listed(qgis_process):
    result = qgis_process("list")
    assert result.returncode == 0, result.stderr
    assert "amp:fetchplacedata" in result.stdout


def test_help_of_fetch(qgis_process):
    result = qgis_process("help", "amp:fetchplacedata")
    assert result.returncode == 0, result.stderr
    for name in ("OSM_FILE", "PLACE_NAME", "PLACE", "RADIUS", "OUTPUT"):
        assert name in result.stdout


def test_fetchplacedata_end_to_end(qgis_process, tmp_path, sample_osm):
    out = tmp_path / "senaatintori.gpkg"
    result = qgis_process("--json", "run", "amp:fetchplacedata", "--",
                          f"OSM_FILE={sample_osm}", "PLACE_NAME=Senaatintori", "RADIUS=300",
                          f"OUTPUT={out}")
    assert result.returncode == 0, result.stderr  # no crash at exit (one PROJ/GDAL copy)
    doc = parse_json(result.stdout)
    assert doc["results"]["OUTPUT"] == str(out)
    data = read_geopackage(out)
    assert data.name == "Senaatintori" and data.crs == "EPSG:32635"
    assert data.provenance["study_radius_m"] == "300"
    assert data.study_area_polygon.area == pytest.approx(data.place_polygon.buffer(300).area, rel=1e-3)
    assert len(data["lamps"]) > 50 and len(data["buildings"]) > 50
    assert dict(pyogrio.list_layers(out))["buildings"] == "MultiPolygon"


def test_bad_input_fails_cleanly(qgis_process, tmp_path, sample_osm):
    out = tmp_path / "kauppatori.gpkg"
    result = qgis_process("run", "amp:fetchplacedata", "--", f"OSM_FILE={sample_osm}",
                          "PLACE_NAME=Kauppatori", f"OUTPUT={out}")
    assert result.returncode == 1
    assert "cut by the edge" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()
