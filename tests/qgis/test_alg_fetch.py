"""amp:fetchplacedata through QGIS Processing, with real layers and files read back."""

from __future__ import annotations

import pytest


def _layer(path, name):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def test_fetch_by_name_matches_the_cli(run_alg, tmp_path, sample_osm):
    """The algorithm and the engine (as the CLI calls it) write the same layers and counts."""
    from amp_qgis_plugin.core.data.placedata import layer_counts, read_geopackage
    from amp_qgis_plugin.core.fetch import fetch_to_geopackage, sample_request

    out = tmp_path / "alg.gpkg"
    result = run_alg("amp:fetchplacedata", {"PLACE_NAME": "Senaatintori", "OSM_FILE": str(sample_osm),
                                            "OUTPUT": str(out)})
    assert result["OUTPUT"] == str(out)
    cli_path, _ = fetch_to_geopackage(sample_request(), tmp_path / "cli.gpkg")
    assert layer_counts(read_geopackage(out)) == layer_counts(read_geopackage(cli_path))
    lamps = _layer(out, "lamps")
    assert lamps.crs().authid() == "EPSG:32635"
    assert lamps.featureCount() == len(read_geopackage(cli_path)["lamps"])
    # the embedded default style is applied when QGIS opens the layer: the renderer equals the
    # one QGIS builds from the bundled QML itself, and not QGIS's own default for a new layer
    from qgis.core import QgsVectorLayer

    from amp_qgis_plugin.core.styles import style_path

    reference = QgsVectorLayer("Point?crs=EPSG:32635", "reference", "memory")
    unstyled = reference.renderer().dump()
    message, ok = reference.loadNamedStyle(str(style_path("lamps")))
    assert ok, message
    assert lamps.renderer().dump() == reference.renderer().dump()
    assert lamps.renderer().dump() != unstyled


def test_fetch_from_polygon_layer_in_wgs84(run_alg, tmp_path, sample_osm):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:4326&field=namn:string", "plats", "memory")
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["Testtorget"])
    feature.setGeometry(QgsGeometry.fromWkt(
        "POLYGON((24.9510 60.1690, 24.9540 60.1690, 24.9540 60.1700, 24.9510 60.1700, 24.9510 60.1690))"))
    layer.dataProvider().addFeatures([feature])
    out = tmp_path / "poly.gpkg"
    run_alg("amp:fetchplacedata", {"PLACE": layer, "OSM_FILE": str(sample_osm), "RADIUS": 150,
                                   "OUTPUT": str(out)})
    place = _layer(out, "place")
    feat = next(place.getFeatures())
    assert feat["name"] == "Testtorget"
    assert feat.geometry().area() == pytest.approx(167.4 * 111.3, rel=0.02)
    assert layer.featureCount() == 1  # the input layer is untouched


def test_fetch_by_point(run_alg, tmp_path, sample_osm):
    out = tmp_path / "point.gpkg"
    run_alg("amp:fetchplacedata", {"POINT": "24.9525,60.1695 [EPSG:4326]", "PLACE_RADIUS": 30,
                                   "RADIUS": 100, "OSM_FILE": str(sample_osm), "OUTPUT": str(out)})
    feat = next(_layer(out, "place").getFeatures())
    assert feat.geometry().area() == pytest.approx(3.14159 * 30 ** 2, rel=0.01)


def test_bad_input_is_a_processing_error_and_writes_nothing(run_alg, tmp_path, sample_osm):
    from qgis.core import QgsProcessingException

    out = tmp_path / "bad.gpkg"
    with pytest.raises(QgsProcessingException, match="cut by the edge"):
        run_alg("amp:fetchplacedata", {"PLACE_NAME": "Kauppatori", "OSM_FILE": str(sample_osm),
                                       "OUTPUT": str(out)})
    assert not out.exists()


def test_cancel_from_feedback_writes_nothing(run_alg, tmp_path, sample_osm):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelSoon(QgsProcessingFeedback):
        def setProgress(self, progress):  # noqa: N802
            super().setProgress(progress)
            if progress > 3:
                self.cancel()

    out = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException):
        run_alg("amp:fetchplacedata", {"PLACE_NAME": "Senaatintori", "OSM_FILE": str(sample_osm),
                                       "OUTPUT": str(out)}, feedback=CancelSoon())
    assert list(tmp_path.iterdir()) == []


def test_fetch_from_overpass_with_cache(run_alg, tmp_path):
    """SOURCE=Overpass against the local replay server (recorded Brooklyn reply), then a
    cache-only rerun that makes no request."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
    from overpass_replay import ReplayServer, Reply

    with ReplayServer() as server:
        server.script(Reply.fixture("overpass-response-10.json.gz"))
        params = {"SOURCE": 1, "OVERPASS_URL": server.url, "OVERPASS_CACHE": str(tmp_path / "c"),
                  "POINT": "-73.98,40.68 [EPSG:4326]", "PLACE_RADIUS": 40, "RADIUS": 300}
        run_alg("amp:fetchplacedata", {**params, "OUTPUT": str(tmp_path / "a.gpkg")})
        run_alg("amp:fetchplacedata", {**params, "CACHE_ONLY": True,
                                       "OUTPUT": str(tmp_path / "b.gpkg")})
        assert server.request_count == 1
    paths_a = _layer(tmp_path / "a.gpkg", "paths").featureCount()
    assert paths_a > 20 and paths_a == _layer(tmp_path / "b.gpkg", "paths").featureCount()
