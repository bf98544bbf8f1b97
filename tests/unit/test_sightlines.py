"""The sightlines indicator: options, concealment pockets, the Senaatintori sample and a toy
place by hand (the isovist engine itself is tested in test_isovist.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators.isovist import Obstacles
from amp_qgis_plugin.core.indicators.sightlines import (
    STREET_VISIBILITY_LABEL,
    SightlineOptions,
    compute_sightlines,
    concealment_pockets,
)

R = 100.0


def test_options_defaults_and_checks():
    """Defaults from sightlines.json; each bad value names its option; the cell must be
    smaller than the radius."""
    opt = SightlineOptions()
    assert (opt.radius_m, opt.cell_size_m, opt.street_buffer_m, opt.street_spacing_m,
            opt.use_barriers) == (100.0, 2.0, 30.0, 2.0, False)
    with pytest.raises(InputError) as err:
        SightlineOptions(cell_size_m=0)
    assert str(err.value) == "The grid cell size must be more than 0 and at most 50 m, not 0."
    assert err.value.options == ("cell_size_m",)
    with pytest.raises(InputError) as err:
        SightlineOptions(radius_m=40, cell_size_m=40)
    assert str(err.value) == ("The grid cell size (40 m) must be smaller than the visibility "
                              "radius (40 m).")
    assert err.value.options == ("cell_size_m", "radius_m")
    with pytest.raises(InputError) as err:
        SightlineOptions(street_buffer_m=-1)
    assert err.value.options == ("street_buffer_m",)
    assert SightlineOptions(use_barriers=True).parameters()["use_barriers"] == "True"


def test_concealment_pockets_by_hand():
    """A 3x4 grid: a 2-cell nook of small isovists beside open cells is one pocket."""
    area = np.array([[500., 500., 50.],
                     [500., 500., 40.],
                     [500., 500., 500.]])
    walk = np.ones_like(area, dtype=bool)
    pocket, labels = concealment_pockets(area, walk, 100.0)
    assert pocket.sum() == 2 and labels.max() == 1
    # Everything small: nothing to hide from, no pocket.
    pocket, labels = concealment_pockets(np.full((3, 3), 10.0), np.ones((3, 3), bool), 100.0)
    assert labels.max() == 0


def test_senaatintori_field_and_figures(senaatintori_data):
    """Field and figures on the sample; street visibility checked by independent sight lines.

    For 25 random walkable cells, a cell counts as seen from the streets when some street
    viewpoint within 100 m has a straight line to it that does not cross a building interior
    (shapely); that must agree with the union-of-isovists polygon.
    """
    data = senaatintori_data
    fb = RecordingFeedback()
    res = compute_sightlines(data, feedback=fb)
    assert fb.progress and fb.progress[-1] == 100
    raster = res.rasters["isovist_area"]
    assert raster.units == "m2" and raster.array.shape == raster.grid.shape
    walk_cells = np.isfinite(raster.array).sum()
    field = res.extras["isovist_field"]
    assert field.valid.sum() == walk_cells
    assert res.geometry_types == {"isovist_points": "Point", "concealment_pockets": "MultiPolygon",
                                  "visible_from_streets": "MultiPolygon",
                                  "street_viewpoints": "Point"}
    assert walk_cells == len(res.layers["isovist_points"])
    assert walk_cells * 4.0 == pytest.approx(data.place_polygon.area, rel=0.05)
    share = res.value("visible_from_streets_pct")
    assert 0 < share <= 100
    assert res.figure("visible_from_streets_pct").label == (
        "Share of the walkable place visible from adjacent streets (all-direction proxy for "
        "§37-715's perpendicular view)")
    assert 0 < res.value("prospect_pct") <= 100
    assert res.value("mean_isovist_area_m2") < math.pi * R * R
    assert res.value("active_frontage_in_view_m") is None  # no frontage layer given
    # Independent check of the street visibility polygon.
    vis = res.layers["visible_from_streets"].geometry.iloc[0]
    vp = shapely.get_coordinates(res.layers["street_viewpoints"].geometry.values)
    solid = Obstacles.build(data["buildings"].geometry.values).solid
    interior = solid.intersection(data.place_polygon.buffer(R + 40)).buffer(-0.05)
    shapely.prepare(interior)
    pts = shapely.get_coordinates(res.layers["isovist_points"].geometry.values)
    rng = np.random.default_rng(3)
    agree = 0
    sample = pts[rng.choice(len(pts), 25, replace=False)]
    for p in sample:
        near = vp[np.hypot(*(vp - p).T) <= R]
        lines = shapely.linestrings([[tuple(p), tuple(q)] for q in near])
        seen = bool(len(near)) and not shapely.intersects(lines, interior).all()
        inside = vis.buffer(0.01).contains(Point(p))
        agree += seen == inside
    assert agree == 25


def test_cancel_inside_observer_loop(senaatintori_data):
    fb = RecordingFeedback(cancel_after=2)
    with pytest.raises(CancelledError):
        compute_sightlines(senaatintori_data, feedback=fb)


def _toy_place():
    """A 40 x 20 m place, a building on its north edge, a street 10 m south of it."""
    import geopandas as gpd

    from amp_qgis_plugin.core.data.placedata import PlaceData

    crs = "EPSG:3006"
    data = PlaceData(crs=crs)
    data["place"] = gpd.GeoDataFrame({"name": ["Toy"]}, geometry=[box(0, 0, 40, 20)], crs=crs)
    data["buildings"] = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[box(0, 20, 40, 30)],
                                         crs=crs)
    data["seating"] = gpd.GeoDataFrame({"seating_type": ["bench", "bench"]},
                                       geometry=[Point(20, 10), Point(20, 40)], crs=crs)
    data["paths"] = gpd.GeoDataFrame({"highway": ["residential", "footway"]},
                                     geometry=[LineString([(-10, -10), (50, -10)]),
                                               LineString([(-10, 50), (50, 50)])], crs=crs)
    frontage = gpd.GeoDataFrame({"active": [1, 0], "length_m": [40.0, 10.0]},
                                geometry=[LineString([(0, 20), (40, 20)]),
                                          LineString([(40, 20), (40, 30)])], crs=crs)
    return data, frontage


def test_toy_place_by_hand(tmp_path):
    """Every cell of the convex place sees the whole 40 m active façade on its edge, the bench
    in the place and not the bench behind the building; the street 10 m south sees all of
    the place (100 %); nothing is hidden, so no pockets. Files are written and styled."""
    from amp_qgis_plugin.core.outputs import read_figures, write_results

    data, frontage = _toy_place()
    res = compute_sightlines(data, frontage=frontage)
    pts = res.layers["isovist_points"]
    assert len(pts) == 200  # 20 x 10 cells of 2 m
    assert np.allclose(pts["frontage_in_view_m"], 40.0)
    assert np.allclose(pts["seats_in_view"], 1.0)
    assert res.value("visible_from_streets_pct") == pytest.approx(100.0, rel=1e-6)
    assert res.value("prospect_pct") == pytest.approx(100.0)
    assert res.value("concealment_pockets_per_1000m2") == 0
    # The whole south half-plane is open: every isovist is at least the half disc.
    assert (pts["area_m2"] > math.pi * R * R / 2).all()
    written = write_results([res], data, tmp_path / "sightlines.gpkg")
    import pyogrio
    import rasterio

    assert written["isovist_area"] == tmp_path / "isovist_area.tif"
    with rasterio.open(written["isovist_area"]) as src:
        band = src.read(1)
        assert src.crs.to_epsg() == 3006 and src.nodata == -9999
        assert (band != src.nodata).sum() == 200
    layers = {name for name, _ in pyogrio.list_layers(written["gpkg"])}
    assert {"isovist_points", "concealment_pockets", "visible_from_streets",
            "street_viewpoints", "figures", "provenance"} <= layers
    assert (tmp_path / "isovist_area.qml").exists()
    figures = read_figures(written["gpkg"]).set_index("key")
    assert float(figures.loc["visible_from_streets_pct", "value"]) == pytest.approx(100.0,
                                                                                   rel=1e-6)
    assert float(figures.loc["active_frontage_in_view_m", "value"]) == pytest.approx(40.0)



def test_cli_sightlines(tmp_path, capsys):
    """`amp-place sightlines --data --out` writes both files and prints the figures."""
    from amp_qgis_plugin.cli import main
    from amp_qgis_plugin.core.data.placedata import write_geopackage

    data, frontage = _toy_place()
    gpkg = tmp_path / "toy.gpkg"
    write_geopackage(data, gpkg)
    fr = tmp_path / "front.gpkg"
    frontage.to_file(fr, layer="frontage", driver="GPKG")
    code = main(["sightlines", "--data", str(gpkg), "--out", str(tmp_path / "o"),
                 "--frontage", str(fr)])
    text = capsys.readouterr().out
    assert code == 0
    assert f"{STREET_VISIBILITY_LABEL}: 100.0 %" in text
    assert "Active frontage in view (mean): 40.0 m" in text
    assert (tmp_path / "o" / "isovist_area.tif").exists()
    assert (tmp_path / "o" / "sightlines.gpkg").exists()
    assert main(["sightlines", "--data", str(gpkg), "--out", str(tmp_path / "o2"),
                 "--frontage", str(gpkg)]) == 1  # no 'frontage' layer: clean error
    err = capsys.readouterr().err.strip()
    assert err == (f"amp-place sightlines: The frontage file {gpkg} has no 'frontage' layer "
                   f"(layers: {', '.join(_layer_names(gpkg))}); map the frontage of the place "
                   f"first and give its output. (--frontage)")
    assert not (tmp_path / "o2").exists()


def _layer_names(path):
    import pyogrio

    return [name for name, _ in pyogrio.list_layers(path)]


def test_too_coarse_and_too_fine_grids_name_the_cell_size():
    """A 45 m cell on the 40 x 20 m toy place has no centre on it (use a smaller cell size); a
    0.001 m cell would give 8e8 cells, refused before any memory is taken (use a larger one).
    Both name the concept, not a flag."""
    data, _ = _toy_place()
    with pytest.raises(InputError) as err:
        compute_sightlines(data, SightlineOptions(cell_size_m=45))
    assert str(err.value) == ("No 45 m grid cell centre falls on the walkable place; use a "
                              "smaller cell size.")
    assert err.value.options == ("cell_size_m",)
    with pytest.raises(InputError) as err:
        compute_sightlines(data, SightlineOptions(cell_size_m=0.001))
    assert str(err.value).startswith("A 0.001 m grid over 40 m × 20 m would have 800,000,000 "
                                     "cells, more than the 20,000,000 a run may hold; use a "
                                     "larger cell size")
    assert err.value.options == ("cell_size_m",)
    assert "--" not in str(err.value)


def test_frontage_layer_errors_name_the_frontage(tmp_path):
    """A missing file or a layer without 'active': concept words, options == ('frontage',)."""
    from amp_qgis_plugin.core.indicators.sightlines import read_frontage_layer

    with pytest.raises(InputError) as err:
        read_frontage_layer(tmp_path / "none.gpkg", "EPSG:3006")
    assert str(err.value) == f"The frontage file was not found: {tmp_path / 'none.gpkg'}"
    assert err.value.options == ("frontage",)
    data, frontage = _toy_place()
    with pytest.raises(InputError) as err:
        compute_sightlines(data, frontage=frontage.drop(columns="active"))
    assert err.value.options == ("frontage",)
    assert "--" not in str(err.value) and "amp-place" not in str(err.value)


def test_frontage_in_another_crs_is_reprojected(tmp_path):
    """A frontage layer read from a file in WGS 84 counts the same 40 m as in the place's CRS."""
    from amp_qgis_plugin.core.indicators.sightlines import read_frontage_layer

    data, frontage = _toy_place()
    path = tmp_path / "f.gpkg"
    frontage.to_crs("EPSG:4326").to_file(path, layer="frontage", driver="GPKG")
    read = read_frontage_layer(path, data.crs)
    assert str(read.crs) == "EPSG:3006"
    res = compute_sightlines(data, frontage=frontage.to_crs("EPSG:4326"))
    assert res.value("active_frontage_in_view_m") == pytest.approx(40.0, rel=1e-6)
