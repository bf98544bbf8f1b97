"""amp-place batch: one read for all candidates, failures as rows, overlaps, resume, Dask.

The candidates are small (a 200 m study area) so that each assessment takes about a second.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.batch import ranking as rk
from amp_qgis_plugin.core.batch.candidates import (
    FAILURE_ERROR,
    FAILURE_INVALID,
    FAILURE_NO_PLACE,
    FAILURE_OUTSIDE,
    FAILURE_TOO_LARGE,
    read_candidates,
)
from amp_qgis_plugin.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
STUDY = "200"  # study-area radius of the batch tests (m)


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def square(sample_osm):
    """Senaatintori's place polygon in its metric CRS (EPSG:32635)."""
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request

    data = fetch_place_data(sample_request("Senaatintori", study_radius_m=200))
    return data.place_polygon, data.crs


def _write(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.index = range(1, len(frame) + 1)  # feature ids 1..n, as a GeoPackage numbers them
    frame.to_file(path, driver="GPKG")
    return path


@pytest.fixture(scope="module")
def candidates_file(square, tmp_path_factory):
    """Four candidates in WGS 84: Senaatintori's polygon, a point with a 15 m radius inside it
    (at least 15 m from its edge), a point 200 km east of the extract, and a line."""
    polygon, crs = square
    c = polygon.centroid
    inside = polygon.buffer(-16).representative_point()
    rows = [{"namn": "Senaatintori", "r": None, "geometry": polygon},
            {"namn": "Tuomiokirkon porras", "r": 15.0, "geometry": inside},
            {"namn": "Far away", "r": 40.0, "geometry": Point(c.x + 200_000, c.y)},
            {"namn": "A line", "r": None, "geometry": LineString([(c.x, c.y), (c.x + 10, c.y)])}]
    frame = gpd.GeoDataFrame(rows, crs=crs).to_crs("EPSG:4326")
    return _write(frame, tmp_path_factory.mktemp("cand") / "candidates.gpkg")


def _batch_args(candidates, osm, out, *extra):
    return ["batch", "--candidates", str(candidates), "--osm", str(osm), "--out", str(out),
            "--radius-field", "r", "--name-field", "namn", "--study-radius", STUDY, *extra]


@pytest.fixture(scope="module")
def serial_batch(candidates_file, sample_osm, tmp_path_factory):
    """The four candidates run once in this process; returns (folder, stdout)."""
    out = tmp_path_factory.mktemp("serial") / "run"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(_batch_args(candidates_file, sample_osm, out, "--workers", "1")) == 0
    return out, buffer.getvalue()


# -- one read of the file, cut per candidate --------------------------------------------------


def _same_layers(a, b, name):
    assert list(a.osm_id) == list(b.osm_id), name
    assert list(a.columns) == list(b.columns), name
    assert bool((a.geometry.values == b.geometry.values).all()), name
    assert a.drop(columns="geometry").astype(str).equals(b.drop(columns="geometry").astype(str)), name


def test_each_candidate_cut_from_one_read_equals_a_read_of_its_own(sample_osm):
    """Features, geometry, attributes and order equal to fetching each place alone."""
    from amp_qgis_plugin.core.batch.subset import candidate_place_data, read_union_layers
    from amp_qgis_plugin.core.data.schema import FEATURE_LAYERS
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request
    from amp_qgis_plugin.core.place import Place

    singles = [fetch_place_data(sample_request(name, study_radius_m=300))
               for name in ("Senaatintori", "Kasarmitori", "Lasipalatsinaukio")]
    places = [Place(name=d.name, geometry=d.place_polygon, crs=d.crs, study_radius_m=300)
              for d in singles]
    layers, provenance, crs = read_union_layers(sample_osm, places)
    assert crs == "EPSG:32635"
    for single, place in zip(singles, places):
        cut = candidate_place_data(place, layers, crs, provenance, max_place_area_m2=100_000,
                                   batch_size=3)
        for name in FEATURE_LAYERS:
            if name in ("place", "study_area"):
                assert cut[name].geometry.iloc[0].equals(single[name].geometry.iloc[0])
            else:
                _same_layers(cut[name], single[name], name)
        assert len(cut["buildings"]) > 50 and len(cut["paths"]) > 50
        # the one provenance row that differs: the newest object of the whole read
        assert cut.provenance["osm_timestamp"] == provenance["osm_timestamp"] >= \
            single.provenance["osm_timestamp"]
        assert cut.provenance["batch.osm_read"].startswith("one read of the OSM file for 3 ")


def test_a_candidate_in_another_crs_gets_the_same_features(sample_osm):
    """A place drawn in ETRS-TM35FIN (EPSG:3067) among places in UTM 35N: its layers are cut
    from the UTM read and reprojected; the same features as reading the file in EPSG:3067."""
    from amp_qgis_plugin.core.batch.subset import cut_layers, read_union_layers
    from amp_qgis_plugin.core.data.osm_file import read_osm_layers
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request
    from amp_qgis_plugin.core.place import Place

    utm = [fetch_place_data(sample_request(n, study_radius_m=250)) for n in ("Senaatintori",
                                                                            "Kasarmitori")]
    places = [Place(name=d.name, geometry=d.place_polygon, crs=d.crs, study_radius_m=250)
              for d in utm]
    other = gpd.GeoSeries([places[0].geometry], crs=places[0].crs).to_crs("EPSG:3067").iloc[0]
    tm35 = Place(name="Senaatintori TM35", geometry=other, crs="EPSG:3067", study_radius_m=250)
    layers, _, crs = read_union_layers(sample_osm, places + [tm35])
    assert crs == "EPSG:32635"  # the CRS most places share
    cut = cut_layers(layers, crs, tm35)
    alone, _ = read_osm_layers(sample_osm, tm35)
    for name, frame in alone.items():
        assert list(cut[name].osm_id) == list(frame.osm_id), name
        assert cut[name].crs.to_epsg() == 3067
        gap = shapely.hausdorff_distance(cut[name].geometry.values, frame.geometry.values)
        assert float(gap.max(initial=0.0)) < 1e-3, name


# -- the candidate layer --------------------------------------------------------------------------


def test_candidates_from_any_crs_points_and_polygons(square, tmp_path):
    polygon, crs = square
    c = polygon.centroid
    bowtie = Polygon([(c.x, c.y), (c.x + 40, c.y + 40), (c.x + 40, c.y), (c.x, c.y + 40)])
    rows = [{"name": "Torget", "radius": None, "geometry": polygon},
            {"name": "Point with radius", "radius": 25.0, "geometry": Point(c.x, c.y)},
            {"name": None, "radius": None, "geometry": Point(c.x + 5, c.y)},
            {"name": "Bow-tie", "radius": None, "geometry": bowtie},
            {"name": "Flat", "radius": None, "geometry": None},
            {"name": "Path", "radius": None, "geometry": LineString([(c.x, c.y), (c.x, c.y + 9)])},
            {"name": "Huge", "radius": None, "geometry": box(c.x, c.y, c.x + 400, c.y + 400)},
            {"name": "Torget", "radius": None, "geometry": None}]
    frame = gpd.GeoDataFrame(rows, crs=crs).to_crs("EPSG:3857")
    x, y = frame.geometry.iloc[1].coords[0]  # a polygon collapsed to a line, drawn in EPSG:3857
    frame.loc[4, "geometry"] = Polygon([(x, y), (x + 10, y), (x + 20, y)])
    path = _write(frame, tmp_path / "c.gpkg")
    # without a default radius, the point without a radius value gives no place
    got = read_candidates(path, radius_field="radius", study_radius_m=300)
    by_key = {c.key: c for c in got}
    assert got.crs == "EPSG:3857" and list(by_key) == [str(i) for i in range(1, 9)]
    assert by_key["1"].place.crs == "EPSG:32635"
    assert by_key["1"].place.area_m2 == pytest.approx(polygon.area, rel=1e-6)
    assert by_key["1"].place.study_radius_m == 300
    assert by_key["2"].radius_m == 25.0
    # a circle of 128 segments: the area of the regular 128-gon inscribed in it
    assert by_key["2"].place.area_m2 == pytest.approx(64 * math.sin(2 * math.pi / 128) * 25 ** 2)
    assert (by_key["3"].name, by_key["3"].failure) == ("candidate 3", FAILURE_NO_PLACE)
    assert by_key["3"].reason.startswith("The candidate is a point without a radius")
    assert by_key["4"].failure == "" and by_key["4"].place.area_m2 == pytest.approx(800.0)
    assert "invalid" in by_key["4"].warnings[0] and "repaired" in by_key["4"].warnings[0]
    assert by_key["5"].failure == FAILURE_INVALID and "no area left" in by_key["5"].reason
    assert by_key["6"].failure == FAILURE_INVALID
    assert by_key["6"].reason == ("The candidate is a LineString, not a place: give a polygon, or "
                                  "one point and a radius.")
    assert by_key["7"].failure == FAILURE_TOO_LARGE and "160,000 m²" in by_key["7"].reason
    assert (by_key["8"].failure, by_key["8"].reason) == (FAILURE_NO_PLACE,
                                                         "The candidate has no geometry.")
    # two candidates called Torget: each file stem carries the feature id
    assert [c.stem for c in got][:4] == ["torget-1", "point-with-radius", "candidate-3", "bow-tie"]
    assert by_key["8"].stem == "torget-8"
    # a default radius serves the points without a value
    again = read_candidates(path, radius_field="radius", radius_m=15.0)
    assert {c.key: c.radius_m for c in again if c.geometry is not None and
            c.geometry.geom_type == "Point"} == {"2": 25.0, "3": 15.0}


def test_candidate_layer_errors_name_the_input(tmp_path, square):
    polygon, crs = square
    empty = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs).to_file(empty)
    with pytest.raises(InputError) as err:
        read_candidates(empty)
    assert str(err.value) == ("The candidate layer has no features: nothing was assessed and "
                              "nothing was written. Choose a layer with candidate polygons or "
                              "points.")
    assert err.value.options == ("candidates",)
    path = _write(gpd.GeoDataFrame({"name": ["A"]}, geometry=[polygon], crs=crs), tmp_path / "a.gpkg")
    with pytest.raises(InputError) as err:
        read_candidates(path, radius_field="radie")
    assert str(err.value) == "The candidate layer has no field 'radie'; its fields are name."
    assert err.value.options == ("radius_field",)
    with pytest.raises(InputError) as err:
        read_candidates(tmp_path / "missing.gpkg")
    assert err.value.options == ("candidates",)


# -- the ranking rule ----------------------------------------------------------------------------


def test_ranking_score_is_the_mean_of_the_scores_with_data():
    assert rk.ranking_score({"uses_activities": 40.0, "comfort_image": 60.0,
                             "access_linkages": None, "sociability": None,
                             "safety": 80.0}) == pytest.approx(60.0)
    assert rk.ranking_score({"uses_activities": None, "safety": None}) is None
    assert rk.mean_coverage({"uses_activities": 100, "comfort_image": 50, "access_linkages": 0,
                             "sociability": 0, "safety": 100}) == pytest.approx(50.0)


def test_ranks_by_score_then_coverage_ties_share_a_rank():
    rows = [{"status": "ok", "ranking_score": 50.0, "coverage_pct": 80.0},
            {"status": "ok", "ranking_score": 50.0, "coverage_pct": 60.0},
            {"status": "ok", "ranking_score": 50.0, "coverage_pct": 80.0},
            {"status": "ok", "ranking_score": 70.0, "coverage_pct": 10.0},
            {"status": "ok", "ranking_score": None, "coverage_pct": 0.0},
            {"status": "failed", "ranking_score": None, "coverage_pct": None}]
    rk.assign_ranks(rows)
    assert [r["rank"] for r in rows] == [2, 4, 2, 1, None, None]


def test_overlaps_are_flagged_with_the_share_covered(square):
    from amp_qgis_plugin.core.batch.candidates import candidates_from_frame

    _, crs = square
    frame = gpd.GeoDataFrame({"name": ["West", "East", "Touching", "Apart"]}, geometry=[
        box(0, 0, 20, 20), box(10, 0, 30, 20), box(30, 0, 40, 20), box(100, 0, 120, 20)],
        crs=crs)
    frame.geometry = frame.geometry.translate(385_000, 6_672_000)  # central Helsinki
    flags = rk.overlaps(candidates_from_frame(frame))
    assert flags == {"0": {"overlaps": "East (1)", "overlap_pct": 50.0},
                     "1": {"overlaps": "West (0)", "overlap_pct": 50.0}}


# -- whole batches ------------------------------------------------------------------------------


def _states(folder: Path):
    """The journal entries (not the temporary files an entry is written through)."""
    return {p.name: json.loads(p.read_text()) for p in sorted((folder / "state").glob("*.json"))
            if not p.name.startswith(".")}


def test_batch_rows_failures_overlaps_and_assessments(serial_batch, sample_osm):
    folder, stdout = serial_batch
    ranking = rk.read_ranking(folder / "ranking.gpkg")
    assert len(ranking) == 4 and sorted(ranking.candidate_id) == ["1", "2", "3", "4"]
    row = ranking.set_index("name")
    assert list(row.status) == ["ok", "ok", "failed", "failed"]  # ranked rows first
    assert set(row["rank"].dropna()) == {1.0, 2.0}
    assert row.loc["Far away", "failure"] == FAILURE_OUTSIDE
    assert row.loc["Far away", "reason"] == (
        "No OSM feature at all within 200 m of the candidate: it lies outside the OSM extract "
        "(or in an empty area). Use an extract that covers it.")
    assert row.loc["A line", "failure"] == FAILURE_INVALID
    assert row.loc["Senaatintori", "overlaps"] == "Tuomiokirkon porras (2)"
    assert row.loc["Tuomiokirkon porras", "overlaps"] == "Senaatintori (1)"
    assert row.loc["Far away", "overlaps"] == ""
    # a 15 m circle inside the square is covered entirely; it covers its area of the square
    circle = 64 * math.sin(2 * math.pi / 128) * 15 ** 2
    assert row.loc["Tuomiokirkon porras", "overlap_pct"] == pytest.approx(100.0)
    assert row.loc["Senaatintori", "overlap_pct"] == pytest.approx(
        round(100 * circle / row.loc["Senaatintori", "place_area_m2"], 1), abs=0.051)
    assert row.loc["Tuomiokirkon porras", "radius_m"] == 15.0
    for name in ("Senaatintori", "Tuomiokirkon porras"):
        gpkg = Path(row.loc[name, "assessment"])
        assert gpkg.is_file() and gpkg.parent == (folder / "candidates").resolve()
        scores = gpd.read_file(gpkg, layer="scores").set_index("key")
        expected = [scores.loc[k, "score"] for k in ("uses_activities", "comfort_image",
                                                     "access_linkages", "sociability", "safety")]
        assert [row.loc[name, k] for k in ("uses_activities", "comfort_image", "access_linkages",
                                           "sociability", "safety")] == \
            pytest.approx([round(v, 2) for v in expected], nan_ok=True)
        with_data = [v for v in expected if v == v]
        assert row.loc[name, "ranking_score"] == pytest.approx(sum(with_data) / len(with_data),
                                                               abs=0.006)
    assert Path(row.loc["Senaatintori", "assessment"]).name == "senaatintori.gpkg"
    assert (folder / "candidates" / "senaatintori-illuminance.tif").is_file()
    # failed rows have no score, never 0
    assert row.loc["Far away", ["ranking_score", "uses_activities"]].isna().all()
    # plain lines when stdout is not a terminal
    assert "Assessing 4 candidates in this process." in stdout
    assert "[4/4] " in stdout and "Far away: failed (outside extract)" in stdout
    assert "2 of 4 candidates assessed, 2 failed (1 invalid geometry, 1 outside extract).\n" \
        in stdout


def test_a_candidate_scores_as_amp_place_assess_scores_it(serial_batch, candidates_file,
                                                         sample_osm, tmp_path):
    """The same entries as assess: the candidate's scores table equals assess --place's."""
    folder, _ = serial_batch
    place = gpd.read_file(candidates_file).iloc[[0]]
    place.to_file(tmp_path / "senaatintori.gpkg")
    assert main(["assess", "--osm", str(sample_osm), "--place", str(tmp_path / "senaatintori.gpkg"),
                 "--study-radius", STUDY, "--out", str(tmp_path / "one")]) == 0
    alone = gpd.read_file(tmp_path / "one" / "senaatintori.gpkg", layer="scores")
    batch = gpd.read_file(folder / "candidates" / "senaatintori.gpkg", layer="scores")
    assert list(alone.key) == list(batch.key)
    assert list(alone.score.fillna(-1).round(9)) == list(batch.score.fillna(-1).round(9))
    assert list(alone.value.fillna(-1).round(9)) == list(batch.value.fillna(-1).round(9))


def test_a_second_run_keeps_everything_finished(serial_batch, candidates_file, sample_osm,
                                                tmp_path, capsys):
    import shutil

    folder, _ = serial_batch
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    before = {p.name: p.stat().st_mtime_ns for p in (copy / "state").glob("*.json")}
    assert main(_batch_args(candidates_file, sample_osm, copy, "--workers", "1")) == 0
    out = capsys.readouterr().out
    assert "4 of 4 candidates were finished by an earlier run and are kept." in out
    assert "Assessing" not in out
    assert {p.name: p.stat().st_mtime_ns for p in (copy / "state").glob("*.json")} == before
    first = rk.read_ranking(folder / "ranking.gpkg").drop(columns="assessment")
    second = rk.read_ranking(copy / "ranking.gpkg").drop(columns="assessment")
    assert first.equals(second)


def test_kill_9_and_restart_ends_with_one_row_per_candidate(candidates_file, sample_osm,
                                                            tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "amp_qgis_plugin",
               *_batch_args(candidates_file, sample_osm, out, "--workers", "1")]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    finished = []
    while time.monotonic() < deadline and proc.poll() is None:
        finished = [s for s in _states(out).values() if s["status"] == "ok"] \
            if (out / "state").is_dir() else []
        if finished:
            break
        time.sleep(0.02)
    assert finished, proc.stderr.read().decode() if proc.poll() is not None else "timed out"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = finished[0]
    assert len([s for s in _states(out).values() if s["status"] == "ok"]) < 2  # killed midway
    restart = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert restart.returncode == 0, restart.stderr
    kept = int(restart.stdout.split(" of 4 candidates were finished")[0].split()[-1])
    assert kept >= 1
    ranking = rk.read_ranking(out / "ranking.gpkg")
    assert sorted(ranking.candidate_id) == ["1", "2", "3", "4"]  # exactly one row each
    assert sorted(ranking.status) == ["failed", "failed", "ok", "ok"]
    again = _states(out)
    # the candidate finished before the kill was not assessed again
    entry = next(s for s in again.values() if s["key"] == first["key"])
    assert entry["finished_at"] == first["finished_at"] and entry["seconds"] == first["seconds"]
    assert not list((out / "candidates").glob(".work-*"))


def test_local_workers_end_with_a_killed_batch_and_the_restart_completes(square, sample_osm,
                                                                         tmp_path):
    """kill -9 of the batch process alone (not its group): its worker processes end by
    themselves, and the same command finishes the batch."""
    import psutil

    polygon, crs = square
    c = polygon.centroid
    offsets = ((0, 0), (-400, 0), (-300, 500), (-500, -300))  # inside the sample, west of the square
    spots = [Point(c.x + dx, c.y + dy) for dx, dy in offsets]
    path = _write(gpd.GeoDataFrame({"name": ["A", "B", "C", "D"]}, geometry=spots, crs=crs),
                  tmp_path / "points.gpkg")
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "amp_qgis_plugin", "batch", "--candidates", str(path),
               "--osm", str(sample_osm), "--out", str(out), "--radius", "15",
               "--study-radius", STUDY, "--workers", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    finished = []
    while time.monotonic() < deadline and proc.poll() is None and not finished:
        finished = [s for s in _states(out).values() if s["status"] == "ok"] \
            if (out / "state").is_dir() else []
        time.sleep(0.02)
    assert finished, proc.stderr.read().decode() if proc.poll() is not None else "timed out"
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 3  # the fork server and two workers (and a resource tracker)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len([s for s in _states(out).values() if s["status"] == "ok"]) < 4  # killed midway
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.cmdline()[:3] for p in alive]
    restart = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert restart.returncode == 0, restart.stderr
    ranking = rk.read_ranking(out / "ranking.gpkg")
    assert sorted(ranking.name) == ["A", "B", "C", "D"] and set(ranking.status) == {"ok"}
    entry = next(s for s in _states(out).values() if s["key"] == finished[0]["key"])
    assert entry["finished_at"] == finished[0]["finished_at"]


def test_a_failing_assessment_is_a_row_and_is_retried(square, sample_osm, tmp_path, monkeypatch,
                                                      capsys):
    import amp_qgis_plugin.core.assess as assess

    polygon, crs = square
    small = polygon.centroid.buffer(20)
    path = _write(gpd.GeoDataFrame({"name": ["Good", "Broken"]}, geometry=[small, small],
                                   crs=crs), tmp_path / "c.gpkg")
    real = assess.assess_place

    def flaky(data, **kwargs):
        if data.name == "Broken":
            raise RuntimeError("the engine tripped")
        return real(data, **kwargs)

    monkeypatch.setattr(assess, "assess_place", flaky)
    args = ["batch", "--candidates", str(path), "--osm", str(sample_osm), "--out",
            str(tmp_path / "out"), "--study-radius", "150", "--workers", "1"]
    assert main(args) == 0
    ranking = rk.read_ranking(tmp_path / "out" / "ranking.gpkg").set_index("name")
    assert ranking.loc["Good", "status"] == "ok" and ranking.loc["Good", "rank"] == 1
    assert (ranking.loc["Broken", "status"], ranking.loc["Broken", "failure"],
            ranking.loc["Broken", "reason"]) == ("failed", FAILURE_ERROR,
                                                 "RuntimeError: the engine tripped")
    assert "the engine tripped" in _states(tmp_path / "out")["candidate-2.json"]["traceback"]
    # an error is not final: the next run assesses it again (and keeps the good one)
    monkeypatch.setattr(assess, "assess_place", real)
    capsys.readouterr()
    assert main(args) == 0
    assert "1 of 2 candidates were finished by an earlier run" in capsys.readouterr().out
    ranking = rk.read_ranking(tmp_path / "out" / "ranking.gpkg").set_index("name")
    assert list(ranking.status) == ["ok", "ok"]
    assert ranking.loc["Good", "ranking_score"] == pytest.approx(ranking.loc["Broken",
                                                                             "ranking_score"])


def test_an_empty_candidate_layer_writes_nothing(sample_osm, tmp_path, capsys, square):
    _, crs = square
    empty = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs).to_file(empty)
    out = tmp_path / "out"
    assert main(["batch", "--candidates", str(empty), "--osm", str(sample_osm), "--out",
                 str(out)]) == 1
    assert capsys.readouterr().err.strip() == (
        "amp-place batch: The candidate layer has no features: nothing was assessed and nothing "
        "was written. Choose a layer with candidate polygons or points. (--candidates)")
    assert not out.exists()


def test_local_processes_give_the_same_ranking(serial_batch, candidates_file, sample_osm,
                                               tmp_path):
    folder, _ = serial_batch
    assert main(_batch_args(candidates_file, sample_osm, tmp_path / "pool", "--workers",
                            "2")) == 0
    serial = rk.read_ranking(folder / "ranking.gpkg").drop(columns=["assessment", "seconds",
                                                                    "finished_at"])
    pool = rk.read_ranking(tmp_path / "pool" / "ranking.gpkg").drop(
        columns=["assessment", "seconds", "finished_at"])
    assert serial.drop(columns="warnings").equals(pool.drop(columns="warnings"))


def test_on_a_dask_cluster(serial_batch, candidates_file, sample_osm, tmp_path):
    """The same ranking from a LocalCluster on loopback; the files come back from the worker."""
    from distributed import LocalCluster

    folder, _ = serial_batch
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        assert main(_batch_args(candidates_file, sample_osm, tmp_path / "dask", "--scheduler",
                                address)) == 0
    serial = rk.read_ranking(folder / "ranking.gpkg")
    dask = rk.read_ranking(tmp_path / "dask" / "ranking.gpkg")
    columns = ["rank", "name", "status", "ranking_score", "coverage_pct", "failure", "reason",
               "overlaps", "uses_activities", "safety"]
    assert serial[columns].equals(dask[columns])
    gpkg = tmp_path / "dask" / "candidates" / "senaatintori.gpkg"
    assert gpkg.is_file()
    assert list(gpd.read_file(gpkg, layer="scores").score.fillna(-1)) == \
        list(gpd.read_file(folder / "candidates" / "senaatintori.gpkg", layer="scores")
             .score.fillna(-1))


def test_an_unreachable_scheduler_stops_before_any_work(candidates_file, sample_osm, tmp_path,
                                                        capsys, monkeypatch):
    from amp_qgis_plugin.core.batch import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(_batch_args(candidates_file, sample_osm, out, "--scheduler",
                            f"tcp://127.0.0.1:{port}")) == 1
    assert time.monotonic() - started < 15
    err = capsys.readouterr().err
    assert err.startswith(f"amp-place batch: Could not reach the Dask scheduler at "
                          f"tcp://127.0.0.1:{port} within 1 s")
    assert err.rstrip().endswith("nothing was assessed. (--scheduler)")
    assert not out.exists()
