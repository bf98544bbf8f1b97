"""GDAL viewshed on the Göteborg DSM fixture (Gustaf Adolfs torg, 2 m grid, EPSG:3006)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators.viewshed import viewshed

RASTER = Path(__file__).resolve().parent.parent / "fixtures" / "raster"
DSM = RASTER / "DSM_GA.tif"
DEM = RASTER / "DEM_GA.tif"
#: The SOLWEIG measurement station on the square (poi.geojson of the same data set).
STATION = (319289.3393, 6400139.3737)


def _read(path):
    rasterio = pytest.importorskip("rasterio")
    with rasterio.open(path) as src:
        return src.read(1), src.transform


def _line_of_sight(dsm, r0, c0, r1, c1, eye=1.6, target=1.6, steps=400):
    """Own check: sample the DSM along the straight line; blocked if it rises above the ray."""
    z0 = dsm[r0, c0] + eye
    z1 = dsm[r1, c1] + target
    f = np.linspace(0, 1, steps)[1:-1]
    rr = np.rint(r0 + f * (r1 - r0)).astype(int)
    cc = np.rint(c0 + f * (c1 - c0)).astype(int)
    inner = ~(((rr == r1) & (cc == c1)) | ((rr == r0) & (cc == c0)))
    ray = z0 + f * (z1 - z0)
    return not np.any(dsm[rr, cc][inner] > ray[inner] + 0.01)


def test_square_sees_open_ground_not_behind_building():
    """Row 33 through the station, read from the fixture: the station (col 77) stands on open
    ground (DSM - DEM = 0.01 m); a 13-17 m building occupies cols 28-51 (DSM - DEM read per
    cell); cols 52-76 are open ground. Eye and target 1.6 m above the DSM (person to person).
    Expected: open ground between station and building is visible; the ground behind the building (cols 1-27) is hidden. Our own line-of-sight
    sampling of the DSM agrees with GDAL on every one of these cells."""
    import rasterio

    dsm, transform = _read(DSM)
    dem, _ = _read(DEM)
    r, c = rasterio.transform.rowcol(transform, *STATION)
    assert (r, c) == (33, 77)
    height = dsm[r] - dem[r]
    assert height[c] < 0.1
    assert (height[28:52] > 12).all() and (height[52:77] < 0.5).all() and (height[1:28] < 0.5).all()
    vs = viewshed(DSM, STATION, observer_height=1.6, target_height=1.6)
    assert vs.visible.shape == dsm.shape
    assert vs.visible[r, 52:77].all()
    assert not vs.visible[r, 1:28].any()
    for col in list(range(1, 28)) + list(range(52, 77)):
        assert _line_of_sight(dsm, r, c, r, col) == bool(vs.visible[r, col]), col
    assert 0.2 < vs.visible_share < 0.7


def test_max_distance_and_bad_input():
    vs = viewshed(DSM, STATION, max_distance=20.0)
    assert vs.in_range.sum() < 400  # a 20 m disc holds about pi * 10^2 = 314 cells of 4 m2
    assert not vs.visible[~vs.in_range].any()
    with pytest.raises(InputError):
        viewshed(DSM, (0.0, 0.0))
    with pytest.raises(InputError):
        viewshed(RASTER / "missing.tif", STATION)
    with pytest.raises(InputError):
        viewshed(DSM, STATION, observer_height=-1)


def test_cancel():
    with pytest.raises(CancelledError):
        viewshed(DSM, STATION, feedback=RecordingFeedback(cancel_after=1))
