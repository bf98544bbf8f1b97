"""One source for every default: a value changed in resources/scoring/*.json is the new default
of the Processing parameters (the CLI side is tested in tests/unit/test_options.py)."""

from __future__ import annotations

import json
import shutil

import pytest


@pytest.fixture()
def scoring_copy(tmp_path, monkeypatch):
    from amp_qgis_plugin.core import thresholds

    copy = tmp_path / "scoring"
    shutil.copytree(thresholds.SCORING_DIR, copy)
    monkeypatch.setattr(thresholds, "SCORING_DIR", copy)
    thresholds.load_thresholds.cache_clear()
    yield copy
    thresholds.load_thresholds.cache_clear()


def _set(folder, theme, key, value):
    from amp_qgis_plugin.core import thresholds

    path = folder / f"{theme}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    section = "defaults" if key in doc.get("defaults", {}) else "thresholds"
    doc[section][key]["value"] = value
    path.write_text(json.dumps(doc), encoding="utf-8")
    thresholds.load_thresholds.cache_clear()


def _default(alg_class, name):
    alg = alg_class()
    alg.initAlgorithm()
    return alg.parameterDefinition(name).defaultValue()


def test_changed_data_files_change_the_processing_defaults(amp_provider, scoring_copy):
    from amp_qgis_plugin.processing.algorithms.fetch_place_data import FetchPlaceDataAlgorithm
    from amp_qgis_plugin.processing.algorithms.map_frontage import MapFrontageAlgorithm
    from amp_qgis_plugin.processing.algorithms.viewshed import ViewshedAlgorithm

    assert _default(MapFrontageAlgorithm, "DISTANCE") == 30
    assert _default(FetchPlaceDataAlgorithm, "RADIUS") == 800
    _set(scoring_copy, "frontage", "edge_buffer", 42)
    _set(scoring_copy, "frontage", "grade_by", "segment")
    _set(scoring_copy, "place", "study_radius", 900)
    _set(scoring_copy, "viewshed", "radius", 150)
    assert _default(MapFrontageAlgorithm, "DISTANCE") == 42
    assert _default(MapFrontageAlgorithm, "GRADE_BY") == 1  # the second choice: segment
    assert _default(FetchPlaceDataAlgorithm, "RADIUS") == 900
    assert _default(ViewshedAlgorithm, "RADIUS") == 150


def test_parameter_help_names_the_source_of_the_default(amp_provider):
    from amp_qgis_plugin.processing.algorithms.map_frontage import MapFrontageAlgorithm

    alg = MapFrontageAlgorithm()
    alg.initAlgorithm()
    help_text = alg.parameterDefinition("DISTANCE").help()
    assert "Methodology §8.1 default geometry parameters (edge buffer 30 m" in help_text
