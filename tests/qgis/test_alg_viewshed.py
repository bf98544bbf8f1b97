"""QGIS tests of ``amp:viewshed`` on the Göteborg DSM fixture (run with QT_QPA_PLATFORM=offscreen).

Layers are deleted before any ``pytest.raises`` block: a QgsRasterLayer kept alive by an
exception traceback's frame makes the process crash at exit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "raster" / "DSM_GA.tif"
#: The SOLWEIG measurement station on Gustaf Adolfs torg (cell row 33, col 77 of the DSM).
STATION = (319289.3393, 6400139.3737)


@pytest.fixture()
def dsm(tmp_path_factory):
    """A copy of the DSM fixture: QGIS writes a .aux.xml with statistics beside rasters it
    opens, which must not land in the source tree."""
    import shutil

    target = tmp_path_factory.mktemp("dsm") / FIXTURE.name
    shutil.copyfile(FIXTURE, target)
    return target


def _station_wgs84() -> str:
    """The station as a Processing point string in WGS 84 (the algorithm must transform it)."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True).transform(*STATION)
    return f"{lon:.9f},{lat:.9f} [EPSG:4326]"


def test_viewshed_help_on_every_parameter(amp_provider):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("amp:viewshed")
    assert alg is not None
    assert "GDAL" in alg.shortHelpString() and "På svenska" in alg.shortHelpString()
    names = {p.name() for p in alg.parameterDefinitions()}
    assert names == {"DSM", "OBSERVER", "OBSERVER_HEIGHT", "TARGET_HEIGHT", "RADIUS", "OUTPUT"}
    for param in alg.parameterDefinitions():
        assert param.help(), f"parameter {param.name()} has no help text"


def test_viewshed_on_gustaf_adolfs_torg(run_alg, dsm, tmp_path):
    """Observer given in WGS 84 on the station (row 33, col 77). Read from the DSM and DEM
    fixtures (see tests/unit/test_viewshed.py): along row 33 a 13-17 m building fills cols
    28-51, open ground in cols 52-76 and ground behind the building in cols 1-27. With eye and
    target 1.6 m and a 150 m radius: station visible, the open ground visible, the ground
    behind the building (within 148 m) hidden; the raster opens in QGIS on the DSM's grid,
    styled visible / not visible from its .qml."""
    import numpy as np
    import rasterio
    from qgis.core import QgsRasterLayer

    out = tmp_path / "viewshed.tif"
    result = run_alg("amp:viewshed", {"DSM": str(dsm), "OBSERVER": _station_wgs84(),
                                      "OBSERVER_HEIGHT": 1.6, "TARGET_HEIGHT": 1.6,
                                      "RADIUS": 150.0, "OUTPUT": str(out)})
    assert Path(result["OUTPUT"]) == out and out.exists()
    with rasterio.open(dsm) as src:
        crs, transform, shape = src.crs, src.transform, (src.height, src.width)
    with rasterio.open(out) as src:
        vs = src.read(1)
        assert src.crs == crs and src.transform == transform and vs.shape == shape
        assert src.nodata == 255
    assert vs[33, 77] == 1 and (vs[33, 52:77] == 1).all()
    xs = transform.c + (np.arange(shape[1]) + 0.5) * transform.a
    behind = [c for c in range(1, 28) if abs(xs[c] - STATION[0]) < 148]
    assert len(behind) > 20 and (vs[33, behind] == 0).all()
    share = 100 * (vs == 1).sum() / np.isin(vs, (0, 1)).sum()
    assert result["VISIBLE_SHARE"] == pytest.approx(share)

    layer = QgsRasterLayer(str(out), "viewshed")
    assert layer.isValid() and layer.crs().authid() == "EPSG:3006"
    message, ok = layer.loadDefaultStyle()
    assert ok, message
    assert layer.renderer().type() == "paletted"
    del layer


def test_viewshed_point_outside_the_dsm(run_alg, dsm, tmp_path):
    from qgis.core import QgsProcessingException

    out = tmp_path / "outside.tif"
    with pytest.raises(QgsProcessingException, match="outside the DSM"):
        run_alg("amp:viewshed", {"DSM": str(dsm), "OBSERVER": "-0.1,51.5 [EPSG:4326]",
                                 "OUTPUT": str(out)})
    assert not out.exists()


def test_viewshed_cancel(run_alg, dsm, tmp_path):
    """Cancelling from the feedback stops GDAL's viewshed (its progress callback); no output."""
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 0 else None)
    out = tmp_path / "cancel.tif"
    with pytest.raises(QgsProcessingException):
        run_alg("amp:viewshed", {"DSM": str(dsm), "OBSERVER": _station_wgs84(),
                                 "RADIUS": 1000.0, "OUTPUT": str(out)}, feedback=feedback)
    assert not out.exists() and not out.with_suffix(".qml").exists()
    assert list(tmp_path.iterdir()) == []
