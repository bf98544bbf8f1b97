"""One source for every default: a value changed in resources/scoring/*.json is the new default
of the Processing parameters (the CLI side is tested in tests/unit/test_options.py)."""

from __future__ import annotations


def _default(alg_class, name):
    alg = alg_class()
    alg.initAlgorithm()
    return alg.parameterDefinition(name).defaultValue()


def test_changed_data_files_change_the_processing_defaults(amp_provider, set_default):
    from amp_qgis_plugin.processing.algorithms.fetch_place_data import FetchPlaceDataAlgorithm
    from amp_qgis_plugin.processing.algorithms.map_frontage import MapFrontageAlgorithm
    from amp_qgis_plugin.processing.algorithms.viewshed import ViewshedAlgorithm

    assert _default(MapFrontageAlgorithm, "DISTANCE") == 30
    assert _default(FetchPlaceDataAlgorithm, "RADIUS") == 800
    set_default("frontage", "edge_buffer", 42)
    set_default("frontage", "grade_by", "segment")
    set_default("place", "study_radius", 900)
    set_default("viewshed", "radius", 150)
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
