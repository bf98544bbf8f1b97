"""Messages fit where they are read: failing algorithms in QGIS never tell a QGIS user to use a
command-line flag, and they name the parameter to change."""

from __future__ import annotations

import re

import pytest

FLAG = re.compile(r"(^|\s|\()--[a-z]")


class Recorder:
    """A QGIS feedback object that keeps every message the algorithm pushed."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class _Feedback(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.messages = []

            def reportError(self, error, fatalError=False):  # noqa: N802, N803
                self.messages.append(error)

            def pushInfo(self, info):  # noqa: N802
                self.messages.append(info)

            def pushWarning(self, warning):  # noqa: N802
                self.messages.append(warning)

        return _Feedback()


def _fail(run_alg, alg, params):
    from qgis.core import QgsProcessingException

    feedback = Recorder()
    with pytest.raises(QgsProcessingException) as err:
        run_alg(alg, params, feedback=feedback)
    text = str(err.value)
    for message in [text, *feedback.messages]:
        assert not FLAG.search(message), message
    return text


def test_a_street_name_as_place(run_alg, tmp_path, sample_osm):
    text = _fail(run_alg, "amp:fetchplacedata", {
        "PLACE_NAME": "Mikonkatu", "OSM_FILE": str(sample_osm),
        "OUTPUT": str(tmp_path / "street.gpkg")})
    assert "No square or pedestrian area named 'Mikonkatu'" in text
    assert "street or path" in text
    assert "PLACE" in text and "POINT" in text  # the parameters to use instead
    assert not (tmp_path / "street.gpkg").exists()


def test_a_square_cut_by_the_edge_of_the_extract(run_alg, tmp_path, sample_osm):
    text = _fail(run_alg, "amp:fetchplacedata", {
        "PLACE_NAME": "Kauppatori", "OSM_FILE": str(sample_osm),
        "OUTPUT": str(tmp_path / "edge.gpkg")})
    assert "cut by the edge of the OSM extract" in text
    assert "PLACE" in text
    assert not (tmp_path / "edge.gpkg").exists()


@pytest.mark.parametrize("alg, params", [
    ("amp:lightingmap", {"CELL_SIZE": 0.1, "APPROACH": 400}),  # 0.1 m: the smallest allowed
    ("amp:sightlines", {"CELL_SIZE": 0.01}),
])
def test_a_cell_size_too_small(run_alg, tmp_path, senaatintori_gpkg, alg, params):
    out = {"amp:lightingmap": {"OUTPUT": str(tmp_path / "e.tif"),
                               "OUTPUT_SEMICYLINDRICAL": str(tmp_path / "esc.tif"),
                               "OUTPUT_LAYERS": str(tmp_path / "l.gpkg")},
           "amp:sightlines": {"OUTPUT": str(tmp_path / "i.tif"),
                              "OUTPUT_LAYERS": str(tmp_path / "s.gpkg")}}[alg]
    text = _fail(run_alg, alg, {"DATA": str(senaatintori_gpkg), **params, **out})
    assert "use a larger cell size" in text
    assert "(parameter CELL_SIZE)" in text
    assert not list(tmp_path.iterdir())  # nothing that looks like a result
