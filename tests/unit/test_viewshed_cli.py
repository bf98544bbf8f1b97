"""``amp-place viewshed`` on the Göteborg DSM fixture (Gustaf Adolfs torg, 2 m grid, EPSG:3006)
and on small hand-built DSMs (western longitudes, bad input)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from amp_qgis_plugin.cli import main

rasterio = pytest.importorskip("rasterio")
pytest.importorskip("osgeo.gdal")

RASTER = Path(__file__).resolve().parent.parent / "fixtures" / "raster"
DSM = RASTER / "DSM_GA.tif"
DEM = RASTER / "DEM_GA.tif"
#: The SOLWEIG measurement station on Gustaf Adolfs torg (poi.geojson of the same data set).
STATION = (319289.3393, 6400139.3737)


def _lonlat(x, y, crs="EPSG:3006"):
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)


def _run(capsys, *args):
    code = main(["viewshed", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_gustaf_adolfs_torg(tmp_path, capsys):
    """Observer at the station given as LON,LAT (pyproj from its SWEREF 99 TM coordinates).

    Read from the fixture (DSM and DEM with rasterio, as in test_viewshed.py): the station is
    cell (row 33, col 77) on open ground; along row 33 a 13-17 m building fills cols 28-51
    (DSM - DEM), cols 52-76 are open ground, and cols 1-27 are ground behind the building (those
    within 150 m of the station are checked). Expected with eye 1.6 m and target 1.6 m, radius
    150 m: open ground between station and building visible; ground behind the building hidden; cells beyond 150 m
    nodata.
    """
    with rasterio.open(DSM) as src:
        dsm = src.read(1)
        profile = src.profile
        rows, cols = np.indices(dsm.shape)
        t = src.transform
        xs, ys = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    with rasterio.open(DEM) as src:
        dem = src.read(1)
    height = dsm - dem
    assert height[33, 77] < 0.1
    assert (height[33, 28:52] > 12).all() and (height[33, 52:77] < 0.5).all()
    assert (height[33, 1:28] < 0.5).all()

    out = tmp_path / "sub" / "viewshed.tif"
    lon, lat = _lonlat(*STATION)
    code, stdout, err = _run(capsys, "--dsm", DSM, "--point", f"{lon:.8f},{lat:.8f}",
                             "--target-height", 1.6, "--radius", 150, "--out", out)
    assert code == 0, err
    assert str(out) in stdout and (tmp_path / "sub" / "viewshed.qml").exists()

    with rasterio.open(out) as src:
        vs = src.read(1)
        assert src.crs == profile["crs"]
        assert src.transform == profile["transform"]
        assert (src.width, src.height) == (profile["width"], profile["height"])
        assert src.nodata == 255 and src.dtypes[0] == "uint8"
    assert vs[33, 77] == 1  # the observer's own cell
    assert (vs[33, 52:77] == 1).all()  # open ground up to the building
    # ground behind the building within the 150 m radius
    dist = np.hypot(xs - STATION[0], ys - STATION[1])
    behind = [c for c in range(1, 28) if dist[33, c] < 148]
    assert len(behind) > 20 and (vs[33, behind] == 0).all()
    # range: nodata beyond 150 m (plus a cell diagonal for GDAL's cell-centre test), data inside
    assert (vs[dist > 150 + 2.9] == 255).all() and (dist > 150 + 2.9).any()
    assert np.isin(vs[dist < 150 - 2.9], (0, 1)).all()
    # the printed share is the file's share of visible cells among those in range
    share = (vs == 1).sum() / np.isin(vs, (0, 1)).sum()
    assert f"{100 * share:.1f} %" in stdout
    assert 0.2 < share < 0.9


def _flat_dsm(path, crs, x0, y1, heights):
    """Write ``heights`` (rows north to south) as a 1 m DSM with its top-left corner at x0, y1."""
    from affine import Affine

    heights = np.asarray(heights, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=heights.shape[1],
                       height=heights.shape[0], count=1, dtype="float32", crs=crs,
                       transform=Affine(1.0, 0, x0, 0, -1.0, y1), nodata=-9999.0) as dst:
        dst.write(heights, 1)
    return path


def test_western_longitude_and_a_wall(tmp_path, capsys):
    """A flat DSM (81 rows x 41 columns of 1 m) in British National Grid (EPSG:27700) around
    ``--point -0.1,51.5`` with an 11 m long, 10 m high wall in column 25 (rows 35-45). Observer
    at cell (40, 20), eye and target 1.6 m. By hand: the ray from the eye to a target behind the
    wall crosses column 25 at row 40 + (r - 40) * 5 / (c - 20) at a height below 10 m, so the
    cell is hidden when that row lies on the wall (35-45) and visible when it passes the wall's
    ends. Cells whose ray passes within 3.5 m of the wall's ends are left out: GDAL interpolates
    each cell's horizon from neighbouring cells already processed, which widens a tall
    obstacle's shadow sideways (here up to about 2.5 m at the raster's edge, 15 m behind the
    wall; seen by printing the output), so its edge is not the exact geometric one."""
    from pyproj import Transformer

    cx, cy = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(-0.1, 51.5)
    x0, y1 = np.floor(cx) - 20, np.floor(cy) + 41
    heights = np.zeros((81, 41))
    heights[35:46, 25] = 10.0
    dsm = _flat_dsm(tmp_path / "dsm.tif", "EPSG:27700", x0, y1, heights)
    out = tmp_path / "vs.tif"
    code, stdout, err = _run(capsys, "--dsm", dsm, "--point", "-0.1,51.5", "--target-height",
                             1.6, "--radius", 100, "--out", out)
    assert code == 0, err
    with rasterio.open(out) as src:
        vs = src.read(1)
    assert vs[40, 20] == 1
    assert (vs[:, :25] == 1).all()  # open ground on the observer's side of the wall
    rows, cols = np.indices(vs.shape)
    behind = cols >= 26
    cross = 40 + (rows - 40) * 5.0 / np.where(behind, cols - 20, 1)
    hidden = behind & (cross >= 35) & (cross <= 45)
    seen = behind & ((cross < 35 - 3.5) | (cross > 45 + 3.5))
    assert hidden.sum() > 100 and seen.sum() > 100
    assert (vs[hidden] == 0).all()
    assert (vs[seen] == 1).all()


@pytest.mark.parametrize("case", ["missing", "outside", "no_crs", "radius0", "radius_neg",
                                  "bad_point"])
def test_bad_input_one_line_exit_1_no_output(tmp_path, capsys, case):
    lon, lat = _lonlat(*STATION)
    dsm, point, radius = DSM, f"{lon},{lat}", "100"
    if case == "missing":
        dsm = tmp_path / "missing.tif"
    elif case == "outside":
        point = "-0.1,51.5"
    elif case == "no_crs":
        with rasterio.open(DSM) as src:
            dsm = _flat_dsm(tmp_path / "nocrs.tif", None, src.transform.c, src.transform.f,
                            src.read(1))
    elif case == "radius0":
        radius = "0"
    elif case == "radius_neg":
        radius = "-5"
    elif case == "bad_point":
        point = "11.97;57.71"
    out = tmp_path / "vs.tif"
    code, stdout, err = _run(capsys, "--dsm", dsm, "--point", point, "--radius", radius,
                             "--out", out)
    assert code == 1
    assert err.startswith("amp-place viewshed: ") and len(err.strip().splitlines()) == 1
    words = {"missing": "not found", "outside": "outside the DSM", "no_crs": "no coordinate",
             "radius0": "--radius", "radius_neg": "--radius", "bad_point": "--point"}[case]
    assert words in err
    assert not out.exists() and not (tmp_path / "vs.qml").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
