"""Benchmark: the whole sample batch, every square and pedestrian area, on 1 and 2 workers.

The candidates are every area of the bundled Helsinki extract that the place lookup takes for
a square or a pedestrian area (``tagmap.place_kind``: place=square, highway=pedestrian,
area:highway=pedestrian), found with pyosmium, named by their ``name`` tag or by kind and OSM
id. Each run is ``run_batch`` in a fresh process (a fresh output folder), with the default
study area (800 m), and reports:

* wall time of each stage: candidates, the one OSM read, cutting each PlaceData out of it, the
  assessments, the ranking;
* candidates per minute over the assessment stage and over the whole run;
* parallel efficiency of 2 workers: ``rate(2) / (2 * rate(1))`` over the assessment stage
  (goal: at least 80 %), next to the machine's own ceiling at that moment (pure arithmetic in
  1 and 2 processes: on a shared machine another session may hold a core) and the CPU of the
  whole run with 1 and with 2 workers (the work running in parallel adds);
* the cost per place: wall seconds of each assessment (mean, median, max) and the mean of each
  indicator's stage;
* peak resident memory of the batch process and of its worker processes;
* for comparison, a ``fetch_place_data`` per place (the file read for each place).

With ``--big FILE`` (a tiled extract built by ``bench_large_extract.py --keep DIR``), the
candidates are also copied into the middle ``--big-side`` x ``--big-side`` tiles and the
batch's one read and the cut of every candidate are measured on that file (time per feature,
peak memory per feature, cut per candidate): the read stage of a large batch.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--workers 1 2] [--big FILE] [--json FILE]``.
On a shared machine, run it when the cores are idle: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"

#: Place kinds benchmarked (the lookup's squares and pedestrian areas).
KINDS = ("square", "pedestrian area")


def sample_candidates(path: Path) -> int:
    """Write every square and pedestrian area of the sample to ``path``; return how many."""
    import geopandas as gpd
    import osmium
    from osmium.geom import WKBFactory
    from shapely import wkb

    from amp_qgis_plugin.core.data import tagmap

    factory = WKBFactory()
    rows = []
    processor = osmium.FileProcessor(str(SAMPLE)).with_locations().with_areas() \
        .with_filter(osmium.filter.KeyFilter("place", "highway", "area:highway"))
    for obj in processor:
        if not obj.is_area():
            continue
        tags = dict(obj.tags)
        kind = tagmap.place_kind(tags)
        if kind is None or kind[1] not in KINDS:
            continue
        osm_id = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
        try:
            geom = wkb.loads(factory.create_multipolygon(obj))
        except RuntimeError:
            continue
        rows.append({"name": tags.get("name") or f"{kind[1]} {osm_id}", "kind": kind[1],
                     "osm_id": osm_id, "geometry": geom})
    frame = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    frame.index = range(1, len(frame) + 1)
    frame.to_file(path, driver="GPKG")
    return len(frame)


def _peak_mib(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024.0


def run_one(candidates: Path, workers: int, out: Path) -> Dict[str, Any]:
    """One batch in this process; the measurements as a dict (run in a fresh process)."""
    import resource

    from amp_qgis_plugin.core.batch.runner import BatchRequest, run_batch

    started = time.perf_counter()
    summary = run_batch(BatchRequest(candidates=str(candidates), osm_file=str(SAMPLE),
                                     out_dir=str(out), workers=workers))
    wall = time.perf_counter() - started
    states = [s for s in summary.states.values() if s.status == "ok"]
    seconds = [s.seconds for s in states]
    cpu = [s.cpu_seconds for s in states]
    stages: Dict[str, List[float]] = {}
    for state in states:
        for stage, value in state.timings.items():
            stages.setdefault(stage, []).append(value)
    worker_peaks = [s.peak_rss_mib for s in states if s.peak_rss_mib]
    return {
        "workers": workers, "candidates": summary.total, "ok": summary.ok,
        "failed": summary.failed, "wall_s": round(wall, 2),
        "timings_s": {k: round(v, 3) for k, v in summary.timings.items()},
        "osm_features": summary.osm_features,
        "per_place_s": {"mean": round(statistics.mean(seconds), 3),
                        "median": round(statistics.median(seconds), 3),
                        "max": round(max(seconds), 3), "sum": round(sum(seconds), 2)},
        "cpu_per_place_s": {"mean": round(statistics.mean(cpu), 3),
                            "sum": round(sum(cpu), 2)},
        # CPU of the whole run: the batch process, plus its workers when they are others
        "cpu_total_s": round(summary.timings["batch_cpu"] + (sum(cpu) if workers > 1 else 0), 2),
        "per_stage_mean_s": {k: round(statistics.mean(v), 3) for k, v in stages.items()},
        "subset_per_place_s": round(summary.timings.get("subset", 0.0) / max(summary.total, 1), 4),
        "peak_mib": {"batch_process": round(_peak_mib(resource.RUSAGE_SELF), 1),
                     "largest_worker": round(max(worker_peaks), 1) if worker_peaks else None},
        "failures": sorted({f"{s.name}: {s.failure}" for s in summary.states.values()
                            if s.status != "ok"}),
    }


def shifted_candidates(source: Path, target: Path, side: int) -> int:
    """The candidates of ``source`` copied into the middle ``side`` x ``side`` tiles of a tiled
    extract made by benchmarks/bench_large_extract.py (tile (i, j) is the sample shifted by i
    and j times its own width and height); returns how many were written."""
    import geopandas as gpd
    import osmium
    import pandas as pd
    from shapely import affinity

    box = osmium.io.Reader(str(SAMPLE), osmium.osm.NODE).header().box()
    dlon = box.top_right.lon - box.bottom_left.lon
    dlat = box.top_right.lat - box.bottom_left.lat
    frame = gpd.read_file(source)
    half = side // 2
    parts = []
    for i in range(-half, side - half):
        for j in range(-half, side - half):
            part = frame.copy()
            part["geometry"] = [affinity.translate(g, i * dlon, j * dlat) for g in frame.geometry]
            part["name"] = part["name"] + f" ({i},{j})"
            parts.append(part)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=frame.crs)
    out.index = range(1, len(out) + 1)
    out.to_file(target, driver="GPKG")
    return len(out)


def read_stage(candidates: Path, osm: Path) -> Dict[str, Any]:
    """The batch's one read and the cut of every candidate (no assessment), measured."""
    from amp_qgis_plugin.core.batch.candidates import read_candidates
    from amp_qgis_plugin.core.batch.subset import cut_layers, read_union_layers

    def hwm_mib() -> float:
        with open("/proc/self/status") as handle:
            return next(int(line.split()[1]) for line in handle
                        if line.startswith("VmHWM")) / 1024.0

    started = time.perf_counter()
    found = read_candidates(str(candidates))
    places = found.places
    base = hwm_mib()
    read_started = time.perf_counter()
    layers, _, crs = read_union_layers(str(osm), places)
    read_s = time.perf_counter() - read_started
    features = sum(len(g) for g in layers.values())
    read_peak = hwm_mib()
    cut_started = time.perf_counter()
    cut_features = 0
    for place in places:
        cut_features += sum(len(g) for g in cut_layers(layers, crs, place).values())
    cut_s = time.perf_counter() - cut_started
    return {"file_mb": round(osm.stat().st_size / 1e6, 1), "candidates": len(places),
            "features": features, "read_s": round(read_s, 2),
            "read_ms_per_feature": round(1000 * read_s / max(features, 1), 4),
            "read_peak_growth_mib": round(read_peak - base, 1),
            "kib_per_feature": round(1024 * (read_peak - base) / max(features, 1), 2),
            "cut_s": round(cut_s, 2), "cut_ms_per_candidate": round(1000 * cut_s / len(places), 2),
            "features_per_candidate": round(cut_features / len(places)),
            "total_s": round(time.perf_counter() - started, 2)}


def _burn(n: int) -> float:
    """Pure arithmetic for ``n`` steps; returns the wall seconds it took."""
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def machine_ceiling(n: int = 20_000_000) -> float:
    """The 2-process efficiency this machine gives right now to pure arithmetic (the ceiling of
    any 2-worker measurement: 1.0 when two cores are free, 0.5 when one is busy elsewhere)."""
    from concurrent.futures import ProcessPoolExecutor

    one = _burn(n)
    with ProcessPoolExecutor(2) as pool:
        started = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        two = time.perf_counter() - started
    return one / two


def fetch_cost(candidates: Path, n: int = 5) -> float:
    """Mean seconds of ``fetch_place_data`` (one read of the file per place) for ``n`` places."""
    import geopandas as gpd

    from amp_qgis_plugin.core.fetch import FetchRequest, fetch_place_data

    frame = gpd.read_file(candidates).head(n)
    started = time.perf_counter()
    for i in range(len(frame)):
        fetch_place_data(FetchRequest(place_frame=frame.iloc[[i]], osm_file=str(SAMPLE)))
    return (time.perf_counter() - started) / len(frame)


def main() -> int:
    """Run the benchmark and print (and optionally save) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--big", metavar="FILE", type=Path,
                        help="also measure the one read and the cuts on a tiled extract built "
                             "by bench_large_extract.py --keep DIR (e.g. DIR/tiled-11x11.osm.pbf)")
    parser.add_argument("--big-side", type=int, default=5,
                        help="copy the candidates into the middle N x N tiles of --big "
                             "(default 5: 25 tiles)")
    parser.add_argument("--one", nargs=3, metavar=("CANDIDATES", "WORKERS", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--read-stage", nargs=2, metavar=("CANDIDATES", "OSM"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = run_one(Path(args.one[0]), int(args.one[1]), Path(args.one[2]))
        print(json.dumps(result))
        return 0
    if args.read_stage:
        print(json.dumps(read_stage(Path(args.read_stage[0]), Path(args.read_stage[1]))))
        return 0
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results: Dict[str, Any] = {"runs": [], "load_average_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="amp-bench-batch-") as tmp:
        candidates = Path(tmp) / "candidates.gpkg"
        n = sample_candidates(candidates)
        print(f"{n} candidates: every square and pedestrian area of {SAMPLE.name}")
        results["fetch_per_place_s"] = round(fetch_cost(candidates), 3)
        ceilings = []
        for workers in args.workers:
            out = Path(tmp) / f"batch-{workers}"
            if workers == 2:
                ceilings.append(machine_ceiling())
            proc = subprocess.run([sys.executable, __file__, "--one", str(candidates),
                                   str(workers), str(out)], capture_output=True, text=True,
                                  check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            results["runs"].append(run)
            t = run["timings_s"]
            assessed = run["candidates"] - sum(f.endswith(("invalid geometry", "no place",
                                                           "too large", "outside extract"))
                                               for f in run["failures"])
            run["per_minute_assess"] = round(60.0 * assessed / t["assess"], 1)
            run["per_minute_total"] = round(60.0 * run["candidates"] / run["wall_s"], 1)
            print(f"\n{workers} worker(s): {run['ok']} ok, {run['failed']} failed of "
                  f"{run['candidates']} in {run['wall_s']:.1f} s "
                  f"({run['per_minute_total']:.1f} candidates/min overall, "
                  f"{run['per_minute_assess']:.1f}/min over the assessments)")
            print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
            print(f"  per place: mean {run['per_place_s']['mean']:.2f} s, median "
                  f"{run['per_place_s']['median']:.2f} s, max {run['per_place_s']['max']:.2f} s; "
                  f"CPU {run['cpu_per_place_s']['mean']:.2f} s; cutting its data out of the one "
                  f"read {run['subset_per_place_s']:.3f} s")
            print("  mean per stage: " + ", ".join(f"{k} {v:.2f} s" for k, v in
                                                   run["per_stage_mean_s"].items()))
            print(f"  peak memory: batch process {run['peak_mib']['batch_process']:.0f} MiB, "
                  f"largest worker {run['peak_mib']['largest_worker']:.0f} MiB")
            if run["failures"]:
                print("  failed: " + "; ".join(run["failures"]))
        if ceilings:  # around the 2-worker run: before it and after it
            ceilings.append(machine_ceiling())
            results["machine_ceiling_2"] = round(statistics.mean(ceilings), 3)
        by_workers = {r["workers"]: r for r in results["runs"]}
        if 1 in by_workers and 2 in by_workers:
            eff = by_workers[2]["per_minute_assess"] / (2 * by_workers[1]["per_minute_assess"])
            results["parallel_efficiency_2"] = round(eff, 3)
            inflation = by_workers[2]["cpu_per_place_s"]["mean"] / \
                by_workers[1]["cpu_per_place_s"]["mean"]
            results["cpu_per_place_ratio_2_to_1"] = round(inflation, 3)
            cpu_eff = by_workers[1]["cpu_total_s"] / by_workers[2]["cpu_total_s"]
            results["cpu_efficiency_2"] = round(cpu_eff, 3)
            ceiling = results["machine_ceiling_2"]
            print(f"\nparallel efficiency of 2 workers over the assessments: {100 * eff:.0f} % "
                  f"(goal: at least 80 %); the machine's ceiling right now (pure arithmetic in 2 "
                  f"processes): {100 * ceiling:.0f} %, so {100 * eff / ceiling:.0f} % of what "
                  "the free cores allowed")
            print(f"CPU seconds per place, 2 workers / 1 worker: {inflation:.2f}; CPU of the whole "
                  f"run, 1 worker / 2 workers: {100 * cpu_eff:.0f} % (the efficiency on free "
                  "cores: work added by running in parallel, the batch process included)")
        print(f"fetch_place_data per place (one read of the file each): "
              f"{results['fetch_per_place_s']:.2f} s")
        if args.big:
            many = Path(tmp) / "many.gpkg"
            count = shifted_candidates(candidates, many, args.big_side)
            proc = subprocess.run([sys.executable, __file__, "--read-stage", str(many),
                                   str(args.big)], capture_output=True, text=True, check=True,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT)))
            big = results["read_stage"] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"\none read of {big['file_mb']:.0f} MB for {count} candidates "
                  f"({args.big_side}x{args.big_side} tiles): {big['read_s']:.1f} s for "
                  f"{big['features']} features ({big['read_ms_per_feature']:.3f} ms each), peak "
                  f"memory +{big['read_peak_growth_mib']:.0f} MiB ({big['kib_per_feature']:.1f} "
                  f"KiB per feature); cutting {big['cut_ms_per_candidate']:.1f} ms per candidate "
                  f"({big['features_per_candidate']} features each)")
    results["load_average_end"] = os.getloadavg()[0]
    print(f"load average at the end: {results['load_average_end']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
