"""The whole assessment of the sample place: time, peak memory and each stage's share.

Runs what ``amp-place assess --osm SAMPLE --place-name Senaatintori --out DIR`` runs, stage by
stage: reading the place's data out of the bundled extract (fetch), every indicator through its
registry entry, scoring the profile, and writing the folder. Each stage is timed over
``--repeat`` runs (the best is reported: the machine is shared) and the process's peak resident
memory (VmHWM) is read at the end. The peer is a planner running the six separate commands of
0.1.0 one after another, each re-reading the PlaceData GeoPackage (``--peer``): the assessment
reads it once.

Usage::

    .venv/bin/python benchmarks/bench_assess.py [--repeat 3] [--peer]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"


def vm_hwm_mib() -> float:
    """Peak resident memory of this process (MiB), from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


def run_once(out: Path) -> dict:
    from amp_qgis_plugin.core.assess import assess_place, write_assessment
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request

    stages = {}
    start = time.perf_counter()
    data = fetch_place_data(sample_request("Senaatintori"))
    stages["fetch (read the OSM extract)"] = time.perf_counter() - start
    assessment = assess_place(data)
    for name, seconds in assessment.timings.items():
        stages[name] = seconds
    start = time.perf_counter()
    write_assessment(assessment, out)
    stages["write the folder"] = time.perf_counter() - start
    return stages


def peer(out: Path) -> float:
    """The 0.1.0 way: fetch once, then one command per indicator, each a new process."""
    amp = [sys.executable, "-m", "amp_qgis_plugin"]
    gpkg = out / "place.gpkg"
    start = time.perf_counter()
    subprocess.run(amp + ["fetch", "--osm", str(SAMPLE), "--place-name", "Senaatintori",
                          "--out", str(gpkg)], check=True, capture_output=True)
    for cmd, target in (("frontage", "f.gpkg"), ("seating", "s.gpkg"), ("lighting", "l"),
                        ("sightlines", "v")):
        subprocess.run(amp + [cmd, "--data", str(gpkg), "--out", str(out / target)], check=True,
                       capture_output=True)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", action="store_true",
                        help="also time the separate commands (no access, no profile)")
    args = parser.parse_args(argv)
    best: dict = {}
    totals = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            stages = run_once(Path(tmp) / f"run{i}")
            totals.append(sum(stages.values()))
            for k, v in stages.items():
                best[k] = min(best.get(k, v), v)
        total = min(totals)
        print(f"Assessment of Senaatintori from the bundled extract, best of {args.repeat}: "
              f"{total:.2f} s, peak memory {vm_hwm_mib():.0f} MiB")
        for name, seconds in sorted(best.items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {seconds:6.3f} s  {100 * seconds / sum(best.values()):5.1f} %")
        if args.peer:
            seconds = peer(Path(tmp))
            print(f"Peer: fetch + frontage, seating, lighting, sightlines as separate commands "
                  f"(0.1.0 workflow, no access/safety/profile): {seconds:.2f} s "
                  f"({seconds / total:.1f}x the whole assessment)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
