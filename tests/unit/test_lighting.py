"""Tests of the street-lighting indicator (``core.indicators.lighting``), its kernel
(``lighting_kernel``) and lamp preparation (``lamps``).

Analytic cases use the point-source law E = I cos^3(gamma) / h^2 (methodology 4.4) with values
computed by hand in the docstrings; bad-input cases build small PlaceData objects by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators.lamps import prepare_lamps
from amp_qgis_plugin.core.indicators.lighting import LightingOptions, compute_lighting, p_class_reached
from amp_qgis_plugin.core.indicators.lighting_kernel import LampSet, evaluate
from amp_qgis_plugin.core.indicators.photometry import LambertianPhotometry, TablePhotometry, read_ldt

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "lighting"
CRS = "EPSG:3006"


def _rel(a, b):
    return abs(a - b) / abs(b)


# ----------------------------------------------------------------------------- analytic


def test_isotropic_point_source_matches_inverse_square_cosine_law():
    """A constant 1000 cd/klm table with scale 0.5 is a 500 cd point source; at h = 6 m:
    nadir 500/36 = 13.889 lx; d = 6 m (gamma 45 deg) 500 * cos^3(45)/36 = 4.910 lx;
    d = 20 m: cos(gamma) = 6/sqrt(436), E = 500 * 0.023717 / 36 = 0.3294 lx."""
    iso = TablePhotometry(name="iso", c_angles=[0.0], gamma_angles=[0.0, 90.0, 180.0],
                          table=[[1000.0, 1000.0, 1000.0]])
    lamps = LampSet.single(0.0, 0.0, 6.0, 0.5, iso)
    px = np.array([0.0, 6.0, 0.0, 20.0])
    py = np.array([0.0, 0.0, 6.0, 0.0])
    e = evaluate(lamps, px, py)["eh"]
    for value, (dx, dy) in zip(e, zip(px, py)):
        g = math.atan2(math.hypot(dx, dy), 6.0)
        assert _rel(value, 500 * math.cos(g) ** 3 / 36) < 0.01
    assert _rel(e[0], 13.889) < 0.01 and _rel(e[1], 4.910) < 0.01 and _rel(e[3], 0.3294) < 0.01


def test_generic_lambertian_reproduces_methodology_worked_example():
    """Methodology 4.4: Phi = 3000 lm, h = 5 m, MF = 0.8 gives E(0) = 30.6, E(5) = 7.6,
    E(10) = 1.2 lx (E = Phi MF cos^4 / (pi h^2): 30.558, 7.639, 1.222)."""
    lamps = LampSet.single(100.0, 200.0, 5.0, 0.8 * 3000 / 1000, LambertianPhotometry())
    e = evaluate(lamps, np.array([100.0, 105.0, 100.0]), np.array([200.0, 200.0, 190.0]))["eh"]
    assert _rel(e[0], 30.558) < 0.01
    assert _rel(e[1], 7.639) < 0.01
    assert _rel(e[2], 1.222) < 0.01


def test_two_lamps_superpose():
    """Two 3000 lm Lambertian lamps at h = 5 m, 10 m apart: at the midpoint each gives
    E(5 m) = 7.639 lx, so 15.279 lx; under one lamp 30.558 + 1.222 = 31.780 lx."""
    lamps = LampSet.from_arrays([0.0, 10.0], [0.0, 0.0], [5.0, 5.0], [2.4, 2.4])
    e = evaluate(lamps, np.array([5.0, 0.0]), np.array([0.0, 0.0]))["eh"]
    assert _rel(e[0], 15.279) < 0.01
    assert _rel(e[1], 31.780) < 0.01
    one = evaluate(LampSet.single(0.0, 0.0, 5.0, 2.4), np.array([5.0]), np.array([0.0]))["eh"]
    assert e[0] == pytest.approx(2 * one[0], rel=1e-12)


def test_semicylindrical_worst_and_mean_direction():
    """Isotropic 500 cd source at 6.5 m, face at 1.5 m (effective height 5 m), point 5 m away:
    r^2 = 50, sin(eps) = 5/sqrt(50); K = I sin(eps) / (pi r^2) = 500 * 0.70711 / (pi * 50) = 2.2508.
    One lamp: worst direction (back to the lamp) 0, mean over directions K. A second lamp on the
    opposite side cancels the direction vector: worst direction 2K = 4.5016 lx."""
    iso = TablePhotometry(name="iso", c_angles=[0.0], gamma_angles=[0.0, 90.0, 180.0],
                          table=[[1000.0, 1000.0, 1000.0]])
    one = evaluate(LampSet.single(5.0, 0.0, 6.5, 0.5, iso), np.array([0.0]), np.array([0.0]),
                   face_height=1.5)
    assert one["esc_min"][0] == pytest.approx(0.0, abs=1e-9)
    assert _rel(one["esc_mean"][0], 2.2508) < 0.01
    two = evaluate(LampSet.from_arrays([5.0, -5.0], [0.0, 0.0], [6.5, 6.5], [0.5, 0.5], iso),
                   np.array([0.0]), np.array([0.0]), face_height=1.5)
    assert _rel(two["esc_min"][0], 4.5016) < 0.01


def test_cutoff_error_is_below_the_negligible_level():
    """With the 0.01 lx per-lamp cut-off the grid differs from the exact sum by < 0.01 lx per
    lamp skipped; far cells (beyond every reach) get exactly 0."""
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 200, 30), rng.uniform(0, 200, 30)
    exact = LampSet.from_arrays(x, y, np.full(30, 6.0), np.full(30, 3.2), negligible_lux=0.0)
    cut = LampSet.from_arrays(x, y, np.full(30, 6.0), np.full(30, 3.2), negligible_lux=0.01)
    assert (cut.reach < 300).all() and (cut.reach > 20).all()
    px, py = rng.uniform(-50, 250, 500), rng.uniform(-50, 250, 500)
    a = evaluate(exact, px, py, chunk_pairs=997)["eh"]
    b = evaluate(cut, px, py, chunk_pairs=997)["eh"]
    assert np.all(a >= b - 1e-12)
    assert np.max(a - b) < 30 * 0.01


# ----------------------------------------------------------------------------- photometric file


def test_ldt_fixture_is_read_with_its_header_and_table():
    """symmetric_post_top.ldt (hand-written, see README): ISYM 1, 19 gamma angles 0-90 deg,
    4000 lm lamp, I(0) = 112.5, I(30) = 144.0, I(60) = 182.2 cd/klm."""
    p = read_ldt(FIX / "symmetric_post_top.ldt")
    assert p.rotationally_symmetric
    assert p.file_flux_lm == 4000.0
    assert p.light_output_ratio == 75.4
    assert p.table.shape == (1, 19)
    got = p.relative_intensity(None, np.array([0.0, 2.5, 30.0, 60.0, 95.0]))
    assert got.tolist() == pytest.approx([112.5, 112.95, 144.0, 182.2, 0.0])


def test_ldt_lamp_illuminance_uses_the_table():
    """The file's 4000 lm at MF 0.8 gives scale 3.2: at h = 5 m, nadir 112.5*3.2/25 = 14.4 lx;
    at gamma = 30 deg (d = 2.8868 m) 144.0*3.2*cos^3(30)/25 = 11.972 lx; at gamma = 60 deg
    (d = 8.6603 m) 182.2*3.2*0.125/25 = 2.9152 lx."""
    lamps = gpd.GeoDataFrame({"lamp_type": ["post_top"], "height_m": [5.0]},
                             geometry=[Point(0, 0)], crs=CRS)
    lamp_set, table, _ = prepare_lamps(lamps, photometry={"post_top":
                                                          FIX / "symmetric_post_top.ldt"})
    assert table["lumen_used"].iloc[0] == 4000.0
    assert table["photometry"].iloc[0] == "symmetric_post_top.ldt"
    d30, d60 = 5 * math.tan(math.radians(30)), 5 * math.tan(math.radians(60))
    e = evaluate(lamp_set, np.array([0.0, d30, 0.0]), np.array([0.0, 0.0, -d60]))["eh"]
    assert _rel(e[0], 14.4) < 0.01
    assert _rel(e[1], 11.972) < 0.01
    assert _rel(e[2], 2.9152) < 0.01


def test_asymmetric_ldt_interpolates_between_c_planes():
    """asymmetric_4plane.ldt: I(gamma=45) is 200/400/50/300 cd/klm at C = 0/90/180/270.
    C = 45 gives (200+400)/2 = 300; C = 315 gives (300+200)/2 = 250. With C0 along grid east,
    a point north of the lamp lies in C = 90."""
    p = read_ldt(FIX / "asymmetric_4plane.ldt")
    assert not p.rotationally_symmetric
    got = p.relative_intensity(np.array([0.0, 45.0, 90.0, 315.0]), np.full(4, 45.0))
    assert got.tolist() == pytest.approx([200.0, 300.0, 400.0, 250.0])
    lamps = LampSet.single(0.0, 0.0, 5.0, 1.0, p)
    e = evaluate(lamps, np.array([0.0, 5.0]), np.array([5.0, 0.0]))["eh"]
    assert _rel(e[0], 400 * math.cos(math.radians(45)) ** 3 / 25) < 0.01   # north: C90
    assert _rel(e[1], 200 * math.cos(math.radians(45)) ** 3 / 25) < 0.01   # east: C0


def test_truncated_ldt_is_rejected(tmp_path):
    text = (FIX / "symmetric_post_top.ldt").read_text(encoding="latin-1").splitlines()
    bad = tmp_path / "bad.ldt"
    bad.write_text("\n".join(text[:-10]) + "\n", encoding="latin-1")
    with pytest.raises(InputError, match="bad.ldt"):
        read_ldt(bad)
    with pytest.raises(InputError, match="not found"):
        read_ldt(tmp_path / "missing.ldt")


# ----------------------------------------------------------------------------- place level


def _place(lamps=None, paths=None) -> PlaceData:
    """A 40 x 40 m square at (1000, 1000)-(1040, 1040) in SWEREF 99 TM, study area 300 m."""
    data = PlaceData(crs=CRS)
    sq = box(1000, 1000, 1040, 1040)
    data["place"] = gpd.GeoDataFrame({"name": ["Test torg"]}, geometry=[sq], crs=CRS)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Test torg"]}, geometry=[sq.buffer(300)],
                                          crs=CRS)
    if lamps is not None:
        data["lamps"] = lamps
    if paths is not None:
        data["paths"] = paths
    return data


def _lamps(points, **cols):
    return gpd.GeoDataFrame({"osm_id": [f"n{i}" for i in range(len(points))], **cols},
                            geometry=[Point(p) for p in points], crs=CRS)


def test_place_figures_single_central_lamp():
    """One 3000 lm lamp at 5 m in the centre of a 40 x 40 m square, no paths, 1 m grid.
    The cells nearest the lamp have centres 0.5*sqrt(2) m away (d^2 = 0.5):
    E = 30.558 * (25/25.5)^2 = 29.371 lx (cos^4 = (h^2/(h^2+d^2))^2). The corner cell centres are 19.5*sqrt(2) = 27.58 m away:
    E = 2400 cos^4 / (pi 25) with cos = 5/sqrt(25+760.5) = 0.17845 -> 0.0310 lx.
    So E min = 0.031 lx, dark share > 0, no P class. Ebar is bounded by the closed form of the
    Lambertian source: the flux within radius R is Phi MF R^2/(R^2+h^2), and the square lies
    between the circles R = 20 m and R = 28.3 m."""
    data = _place(_lamps([(1020, 1020)], height_m=[5.0], lumen=[3000.0]))
    r = compute_lighting(data, LightingOptions(cell_size_m=1.0))
    illuminance = r.rasters["illuminance"]
    assert r.value("lamp_count") == 1
    assert r.value("walkable_area_m2") == pytest.approx(1600.0)
    assert illuminance.grid.shape == (40, 40)
    assert np.isfinite(illuminance.array).sum() == 1600
    assert illuminance.array.max() == pytest.approx(30.558 * (25 / 25.5) ** 2, rel=0.01)
    assert r.value("emin") == pytest.approx(0.0310, rel=0.02)
    assert r.value("p_class") == "below P6"
    assert 0 < r.value("dark_share") < 100
    lo, hi = 2400 * 400 / 425 / 1600, 2400 * 800 / 825 / 1600
    assert lo < r.value("eavg") < hi


def test_p_class_table():
    """EN 13201-2 Table 3 (lighting.json): P2 needs 10/2 lx, P4 5/1 lx, P6 2/0.4 lx."""
    assert p_class_reached(10.0, 2.0) == "P2"
    assert p_class_reached(12.0, 1.2) == "P4"
    assert p_class_reached(2.0, 0.4) == "P6"
    assert p_class_reached(1.9, 5.0) is None


def test_missing_and_absurd_heights_get_situation_defaults_with_warning():
    """Lamp n0 has no height, n1 0 m, n2 300 m, n3 7 m. A footway passes n0-n2 (situation
    'footpath', default 5 m and 2500 lm); n3 keeps 7 m and gets the 7-m height class flux 8000 lm
    (classes < 5.5: 2500, < 7: 4000, else 8000)."""
    paths = gpd.GeoDataFrame({"highway": ["footway"]},
                             geometry=[LineString([(990, 1005), (1050, 1005)])], crs=CRS)
    lamps = _lamps([(1000, 1006), (1020, 1006), (1040, 1006), (1020, 1030)],
                   height_m=[np.nan, 0.0, 300.0, 7.0])
    fb = RecordingFeedback()
    lamp_set, table, warnings = prepare_lamps(lamps, paths, feedback=fb)
    assert table["height_used_m"].tolist() == [5.0, 5.0, 5.0, 7.0]
    assert table["height_source"].tolist()[:3] == ["default (footpath)"] * 3
    assert table["lumen_used"].tolist() == [2500.0, 2500.0, 2500.0, 8000.0]
    assert len(warnings) == 1 and "n1: 0 m" in warnings[0] and "n2: 300 m" in warnings[0]
    assert any("no height" in m for m in fb.infos)
    assert table["assumed"].tolist() == ["height, flux"] * 3 + ["flux"]
    assert lamp_set.scale.tolist() == pytest.approx([2.0, 2.0, 2.0, 6.4])


def test_wattage_and_light_count_set_the_flux():
    """40 W x 100 lm/W = 4000 lm per light, light_count 2 -> 8000 lm; a mercury lamp of 125 W
    at 21 lm/W gives 2625 lm (lighting.json efficacy)."""
    lamps = _lamps([(0, 0), (50, 0)], height_m=[6.0, 6.0], wattage=[40.0, 125.0],
                   light_count=[2.0, np.nan], light_source=["led", "mercury"])
    _, table, _ = prepare_lamps(lamps)
    assert table["lumen_used"].tolist() == [8000.0, 2625.0]


def test_duplicated_lamps_are_dropped_with_warning():
    """n0 and n1 are 0.3 m apart (one lamp mapped twice); n2 is 5 m away and stays."""
    lamps = _lamps([(0, 0), (0.3, 0), (5, 0)], height_m=[6.0, 6.0, 6.0])
    lamp_set, table, warnings = prepare_lamps(lamps)
    assert len(lamp_set) == 2 and table["osm_id"].tolist() == ["n0", "n2"]
    assert len(warnings) == 1 and "1 duplicated lamp" in warnings[0] and "n1" in warnings[0]


def test_no_lamps_reports_no_data_not_darkness():
    """No lamps: no raster at all (zeros would read as darkness), every figure "no data"."""
    data = _place()
    fb = RecordingFeedback()
    r = compute_lighting(data, feedback=fb)
    assert r.rasters == {}
    for key in ("eavg", "emin", "u0", "dark_share", "esc_min", "lamp_count"):
        assert r.value(key) is None
    assert any("no data" in w for w in fb.warnings)
    assert len(r.layers["dark_gaps"]) == 0 and len(r.layers["lamps_used"]) == 0


def test_no_lamps_but_lit_paths_says_so():
    """A 60 m footway tagged lit=yes crosses the square: 'lamps: no data; 60 m of paths tagged
    lit=yes' (the path lies inside the 50 m approach zone entirely)."""
    paths = gpd.GeoDataFrame({"highway": ["footway"], "lit": ["yes"]},
                             geometry=[LineString([(990, 1020), (1050, 1020)])], crs=CRS)
    r = compute_lighting(_place(paths=paths))
    fig = r.figure("lamp_count")
    assert fig.value is None and fig.note == "no data; 60 m of paths tagged lit=yes"
    assert r.value("lit_yes_path_m") == pytest.approx(60.0)
    assert r.value("dark_share") is None
    assert any("lit=yes" in w for w in r.warnings)


def test_dark_gaps_along_a_path():
    """One 3000 lm Lambertian lamp at 5 m above x = 1020 on a straight east-west footway.
    E(d) = 2400 (25/(25+d^2))^2 / (25 pi) < 1 lx for d > 9.57 m (solve: (25+d^2)^2 = 764 * 25...
    precisely 25 + d^2 = 5 sqrt(2400/pi) = 138.2 -> d = 10.64 m). The path runs from x = 960 to
    1080 (60 m each side), so the gaps are 60 - 10.64 = 49.4 m long on each side (+-1 m)."""
    lamps = _lamps([(1020, 1020)], height_m=[5.0], lumen=[3000.0])
    paths = gpd.GeoDataFrame({"osm_id": ["w1"], "highway": ["footway"], "lit": ["yes"]},
                             geometry=[LineString([(960, 1020), (1080, 1020)])], crs=CRS)
    d_lit = math.sqrt(5 * math.sqrt(2400 / math.pi) - 25)
    assert d_lit == pytest.approx(10.64, abs=0.01)
    r = compute_lighting(_place(lamps, paths), LightingOptions(cell_size_m=2.0))
    gaps = r.layers["dark_gaps"]
    assert len(gaps) == 2
    assert gaps["length_m"].tolist() == pytest.approx([60 - d_lit] * 2, abs=1.0)
    assert (gaps["e_max_lx"] < 1.0).all() and (gaps["osm_id"] == "w1").all()
    assert r.value("dark_gap_length_m") == pytest.approx(2 * (60 - d_lit), abs=2.0)


def test_cancel_inside_the_chunk_loop():
    lamps = _lamps([(1010 + 10 * i, 1010 + 10 * j) for i in range(3) for j in range(3)],
                   height_m=[6.0] * 9)
    fb = RecordingFeedback(cancel_after=2)
    with pytest.raises(CancelledError):
        compute_lighting(_place(lamps), LightingOptions(cell_size_m=1.0, chunk_pairs=500),
                         feedback=fb)
    assert fb.cancel_checks >= 2


def test_bad_options_name_the_option():
    """Out-of-range options are refused on creation with the label, range and option id."""
    with pytest.raises(InputError) as exc:
        compute_lighting(_place(), LightingOptions(cell_size_m=0))
    assert str(exc.value) == "The grid cell size must be 0.1 to 50 m, not 0."
    assert exc.value.options == ("cell_size_m",)
    lamps = _lamps([(0, 0)], height_m=[6.0])
    with pytest.raises(InputError, match="EULUMDAT") as exc:
        prepare_lamps(lamps, photometry={"*": FIX / "README.md"})
    assert exc.value.options == ("photometry",)
    with pytest.raises(InputError) as exc:
        prepare_lamps(lamps, maintenance_factor=1.5)
    assert str(exc.value) == "The maintenance factor must be more than 0 and at most 1, not 1.5."
    assert exc.value.options == ("maintenance_factor",)
    with pytest.raises(InputError) as exc:
        compute_lighting(_place(lamps), LightingOptions(photometry={"*": FIX / "missing.ldt"}))
    assert str(exc.value) == f"Photometric file not found: {FIX / 'missing.ldt'}."
    assert exc.value.options == ("photometry",)


def test_option_defaults_come_from_the_data_file():
    """Every default is the "defaults" entry of lighting.json, read independently here."""
    import json

    from amp_qgis_plugin.core.thresholds import SCORING_DIR

    defaults = json.loads((SCORING_DIR / "lighting.json").read_text(encoding="utf-8"))["defaults"]
    opts = LightingOptions()
    for name in ("cell_size_m", "maintenance_factor", "approach_distance_m", "face_height_m",
                 "negligible_lux", "path_sample_m", "chunk_pairs"):
        assert getattr(opts, name) == defaults[name]["value"], name
        assert defaults[name]["source"] and "unit" in defaults[name], name
    assert (opts.cell_size_m, opts.maintenance_factor, opts.approach_distance_m) == (1.0, 0.8, 50.0)
    assert opts.chunk_pairs == 400_000 and isinstance(opts.chunk_pairs, int)
    assert opts.photometry == {}
    params = LightingOptions(photometry={"post_top": TablePhotometry(name="x.ldt")}).parameters()
    assert params["photometry"] == "post_top=x.ldt"
    assert params["maintenance_factor"] == "0.8" and params["chunk_pairs"] == "400000"


def test_grid_too_fine_for_the_area_names_the_cell_size():
    """A 320 x 320 m square at 0.1 m would be 3200 x 3200 = 10,240,000 cells, above the
    10,000,000 of lighting.json's max_grid_cells; the smallest cell size suggested,
    sqrt(320 * 320 / 1e7) = 0.1012 m rounded up to the centimetre, is 0.11 m, and a 0.11 m grid
    (2910 x 2910 = 8,468,100 cells) passes."""
    from amp_qgis_plugin.core.indicators.lighting import lighting_grid
    from amp_qgis_plugin.core.raster import Grid

    data = PlaceData(crs=CRS)
    sq = box(0, 0, 320, 320)
    data["place"] = gpd.GeoDataFrame({"name": ["Stort torg"]}, geometry=[sq], crs=CRS)
    data["study_area"] = gpd.GeoDataFrame({"name": ["Stort torg"]}, geometry=[sq.buffer(300)],
                                          crs=CRS)
    data["lamps"] = _lamps([(160, 160)], height_m=[6.0])
    with pytest.raises(InputError) as exc:
        compute_lighting(data, LightingOptions(cell_size_m=0.1))
    assert str(exc.value) == (
        "The illuminance grid over the walkable area (320 x 320 m) would have 10,240,000 cells "
        "of 0.1 m, more than the 10,000,000 evaluated at most; use a larger cell size (at least "
        "0.11 m).")
    assert exc.value.options == ("cell_size_m",)
    assert "--" not in str(exc.value)
    assert Grid.over(sq, 0.11, CRS).size == 2910 * 2910
    assert lighting_grid(sq, 0.11, CRS).size == 8_468_100


# ----------------------------------------------------------------------------- real sample


def _sample_lamps_in(study_area, crs):
    """Count highway=street_lamp nodes of the bundled sample inside ``study_area`` by reading
    the .pbf with osmium directly (independent of the fetch code)."""
    import osmium
    from pyproj import Transformer
    from shapely import contains_xy

    sample = Path(__file__).resolve().parents[2] / "amp_qgis_plugin" / "resources" / "sample" \
        / "helsinki-centre.osm.pbf"
    lons, lats = [], []
    for obj in osmium.FileProcessor(str(sample), osmium.osm.NODE):
        if obj.tags.get("highway") == "street_lamp":
            lons.append(obj.location.lon)
            lats.append(obj.location.lat)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lons, lats)
    return len(lons), int(contains_xy(study_area, np.asarray(x), np.asarray(y)).sum())


def test_senaatintori_real_sample(senaatintori_data, tmp_path):
    """Senaatintori from the bundled Helsinki sample (OSM 2019).

    Checked by reading the data: the .pbf holds 586 street lamps, 416 of them inside the 800 m
    study area (osmium count above), none tagged height/lumen (so every lamp gets its situation
    default and the generic Lambertian distribution). E at the brightest cell is recomputed here
    by a plain loop over all 416 lamps without any cut-off, E = sum MF Phi h^2/(pi (h^2+d^2)^2)
    with the heights and fluxes the lamps table reports; it matches the grid to within the
    cut-off bound (0.01 lx per skipped lamp). The figures are then re-derived from the written
    GeoTIFF."""
    import rasterio

    data = senaatintori_data
    total, inside = _sample_lamps_in(data.study_area_polygon, data.crs)
    assert total == 586
    assert len(data["lamps"]) == inside == 416
    assert data["lamps"]["height_m"].isna().all() and data["lamps"]["lumen"].isna().all()

    r = compute_lighting(data, LightingOptions(cell_size_m=2.0))
    illuminance = r.rasters["illuminance"]
    lamps_used = r.layers["lamps_used"]
    assert r.value("lamp_count") == len(lamps_used) > 10
    assert set(lamps_used["height_used_m"]) <= {5.0, 6.0, 8.0}
    # The default flux goes with the default height (footpath/residential/main).
    pairs = set(zip(lamps_used["height_used_m"], lamps_used["lumen_used"]))
    assert pairs <= {(5.0, 2500.0), (6.0, 4000.0), (8.0, 8000.0)}

    _, all_lamps, _ = prepare_lamps(data["lamps"], data["paths"])
    row, col = np.unravel_index(np.nanargmax(illuminance.array), illuminance.grid.shape)
    xs, ys = illuminance.grid.cell_centres()
    px, py = xs[row, col], ys[row, col]
    by_hand = 0.0
    for geom, h, phi in zip(all_lamps.geometry, all_lamps["height_used_m"],
                            all_lamps["lumen_used"]):
        d2 = (geom.x - px) ** 2 + (geom.y - py) ** 2
        by_hand += 0.8 * phi * h * h / (math.pi * (h * h + d2) ** 2)
    assert illuminance.array[row, col] == pytest.approx(by_hand, abs=0.01 * 416)
    assert illuminance.array[row, col] == pytest.approx(by_hand, rel=0.01)

    from amp_qgis_plugin.core.outputs import read_figures, read_provenance, write_results

    written = write_results([r], data, tmp_path / "lighting.gpkg")
    assert set(written) == {"illuminance", "semicylindrical", "gpkg"}
    assert written["illuminance"] == tmp_path / "illuminance.tif"
    assert (tmp_path / "illuminance.qml").exists() and (tmp_path / "semicylindrical.qml").exists()
    with rasterio.open(written["illuminance"]) as src:
        assert src.crs.to_string() == data.crs
        e = src.read(1, masked=True)
    cells = e.compressed()
    assert cells.size == int(r.parameters["cells"])
    assert r.value("eavg") == pytest.approx(float(cells.mean()), abs=0.01)
    assert r.value("emin") == pytest.approx(float(cells.min()), abs=0.001)
    assert r.value("dark_share") == pytest.approx(100 * float((cells < 1.0).mean()), abs=0.01)
    assert r.value("walkable_area_m2") > data.place_polygon.area

    # The GeoPackage: both layers, the shared figures table and the provenance, read back.
    import pyogrio

    layers = dict(pyogrio.list_layers(written["gpkg"]))
    assert layers["dark_gaps"] == "MultiLineString" and layers["lamps_used"] == "Point"
    assert len(pyogrio.read_dataframe(written["gpkg"], layer="lamps_used")) == len(lamps_used)
    figures = read_figures(written["gpkg"]).set_index("key")
    assert (figures["theme"] == "lighting").all()
    assert list(figures.index) == [f.key for f in r.figures]
    assert float(figures.loc["eavg", "value"]) == r.value("eavg")
    assert figures.loc["p_class", "value"] == r.value("p_class")
    prov = read_provenance(written["gpkg"])
    from amp_qgis_plugin.__about__ import __version__

    assert prov["lighting.param.maintenance_factor"] == "0.8"
    assert prov["lighting.param.cell_size_m"] == "2.0"
    assert prov["run.plugin_version"] == __version__
    assert prov["osm_timestamp"] == data.provenance["osm_timestamp"] == "2019-04-21T09:50:14+00:00"
