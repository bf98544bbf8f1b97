"""Tests of the shared GeoTIFF grid writer (amp_qgis_plugin.core.raster)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.raster import FLOAT_NODATA, Grid, write_geotiff


def test_grid_snaps_to_cell_multiples_and_covers_bounds():
    """Bounds (0.5, 0.5, 9.2, 5.1) at 2 m snap outward to (0, 0, 10, 6): 5 x 3 cells."""
    grid = Grid.from_bounds((0.5, 0.5, 9.2, 5.1), 2.0, "EPSG:3006")
    assert grid.shape == (3, 5)
    assert grid.bounds == (0.0, 0.0, 10.0, 6.0)
    xs, ys = grid.cell_centres()
    assert xs.shape == ys.shape == (3, 5)
    assert (xs[0, 0], ys[0, 0]) == (1.0, 5.0)       # north-west cell
    assert (xs[-1, -1], ys[-1, -1]) == (9.0, 1.0)   # south-east cell
    assert grid.index_of(9.0, 1.0) == (2, 4)


def test_mask_keeps_cells_whose_centre_is_inside():
    """A 4 x 4 m box at the origin on a 1 m grid over 10 x 10 m keeps exactly 16 cells."""
    grid = Grid.from_bounds((0, 0, 10, 10), 1.0, "EPSG:3006")
    m = grid.mask(box(0, 0, 4, 4))
    assert m.sum() == 16
    assert m[-1, 0] and not m[0, 0]   # south-west corner in, north-west out
    assert grid.mask(None).sum() == 0


def test_write_geotiff_crs_nodata_values_and_sidecar(tmp_path):
    grid = Grid.from_bounds((100, 200, 106, 204), 2.0, "EPSG:3006")
    arr = np.arange(grid.size, dtype=float).reshape(grid.shape)
    arr[0, 0] = np.nan
    qml = tmp_path / "ramp.qml"
    qml.write_text("<qgis/>", encoding="utf-8")
    out = write_geotiff(tmp_path / "sub" / "x.tif", arr, grid, colour_ramp=qml,
                        band_name="E", units="lx", tags={"model": "test"})
    assert (tmp_path / "sub" / "x.qml").read_text() == "<qgis/>"
    assert not [p for p in out.parent.iterdir() if "partial" in p.name]
    assert out.stat().st_mode & 0o044 and out.with_suffix(".qml").stat().st_mode & 0o044
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 3006
        assert src.nodata == FLOAT_NODATA
        assert src.bounds == (100.0, 200.0, 106.0, 204.0)
        assert src.compression.name.lower() == "deflate"
        data = src.read(1, masked=True)
        assert data.mask[0, 0] and data.mask.sum() == 1
        assert data[1, 2] == 5.0
        assert src.tags()["model"] == "test"
        assert src.descriptions[0] == "E"


def test_bad_inputs_raise_input_error(tmp_path):
    with pytest.raises(InputError):
        Grid.from_bounds((0, 0, 1, 1), 0, "EPSG:3006")
    with pytest.raises(InputError):
        Grid.from_bounds((0, 0, float("nan"), 1), 1, "EPSG:3006")
    grid = Grid.from_bounds((0, 0, 4, 4), 1.0, "EPSG:3006")
    with pytest.raises(InputError):
        write_geotiff(tmp_path / "a.tif", np.zeros((3, 3)), grid)
    with pytest.raises(InputError):
        write_geotiff(tmp_path / "a.png", np.zeros(grid.shape), grid)


def test_a_grid_too_fine_is_refused_before_memory_is_taken():
    from amp_qgis_plugin.core.errors import InputError
    from amp_qgis_plugin.core.raster import MAX_GRID_CELLS, Grid

    # 1 km x 1 km at 0.2 m = 5000 x 5000 = 25 million cells > 20 million
    with pytest.raises(InputError) as err:
        Grid.from_bounds((0, 0, 1000, 1000), 0.2, "EPSG:3006")
    assert err.value.options == ("cell_size_m",)
    assert "25,000,000 cells" in str(err.value) and "use a larger cell size" in str(err.value)
    # the smallest cell size it suggests is accepted: sqrt(1e6 m² / 20e6) = 0.22 m
    assert Grid.from_bounds((0, 0, 1000, 1000), 0.23, "EPSG:3006").size <= MAX_GRID_CELLS
