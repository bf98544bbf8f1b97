"""Benchmark: reading the bundled Helsinki extract into PlaceData, side by side with peers.

Each contender reads the same file in its own fresh subprocess (so import costs and memory
are not shared), after a warm-up run, ``--repeat`` times; we report the median wall time and
the peak resident memory above the process's baseline after imports.

Contenders
----------
amp        read_osm_layers(): all canonical layers, classified, projected, clipped to a study
           area covering the whole extract (what `amp-place fetch` does after the place lookup)
pyosmium   a bare FileProcessor pass with areas, building WKB for tagged objects (no classification,
           no projection): the floor our reader is built on
gdal-osm   GDAL's OSM driver through pyogrio: the points, lines and multipolygons layers read into
           GeoDataFrames (on_invalid="ignore": rings cut at the extract's edge are broken)

Run: ``.venv/bin/python benchmarks/bench_read_osm.py [--repeat 5] [--file X.osm.pbf]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"

CHILD = r'''
import json, sys, time
which, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])

def rss_mib():  # peak RSS of this process (VmHWM; ru_maxrss would include the parent's)
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024

if which == "amp":
    from amp_qgis_plugin.core.data.osm_file import read_osm_layers
    from amp_qgis_plugin.core.place import place_from_point
    import osmium
    box = osmium.io.Reader(path, osmium.osm.NODE).header().box()
    lon = (box.bottom_left.lon + box.top_right.lon) / 2
    lat = (box.bottom_left.lat + box.top_right.lat) / 2
    place = place_from_point(lon, lat, 10, study_radius_m=3000)
    def run():
        layers, _ = read_osm_layers(path, place)
        return sum(len(g) for g in layers.values())
elif which == "pyosmium":
    import osmium
    from osmium.geom import WKBFactory
    keys = ("amenity", "shop", "building", "highway", "entrance", "natural", "barrier",
            "leisure", "tourism", "office", "craft", "public_transport", "railway")
    def run():
        f = WKBFactory(); n = 0
        for o in osmium.FileProcessor(path).with_areas().with_filter(osmium.filter.KeyFilter(*keys)):
            try:
                if o.is_node(): f.create_point(o)
                elif o.is_way(): f.create_linestring(o)
                elif o.is_area(): f.create_multipolygon(o)
                else: continue
                n += 1
            except Exception:
                pass
        return n
elif which == "gdal-osm":
    import pyogrio
    def run():
        n = 0
        for layer in ("points", "lines", "multipolygons"):
            n += len(pyogrio.read_dataframe(path, layer=layer, on_invalid="ignore"))
        return n
else:
    raise SystemExit(f"unknown contender {which}")

base = rss_mib()
count = run()  # warm-up
times = []
for _ in range(repeat):
    t = time.perf_counter(); count = run(); times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "features": count, "peak_mib": rss_mib() - base}))
'''


def measure(which: str, path: Path, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, which, str(path), str(repeat)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--file", type=Path, default=SAMPLE)
    args = parser.parse_args()
    rows = {w: measure(w, args.file, args.repeat) for w in ("amp", "pyosmium", "gdal-osm")}
    amp = statistics.median(rows["amp"]["times"])
    print(f"Reading {args.file.name} ({args.file.stat().st_size / 1e6:.2f} MB), median of "
          f"{args.repeat} runs after a warm-up, each contender in its own process:")
    print(f"{'contender':<10} {'median s':>9} {'features':>9} {'peak MiB':>9} {'amp / peer':>11}")
    for which, row in rows.items():
        med = statistics.median(row["times"])
        print(f"{which:<10} {med:9.3f} {row['features']:9d} {row['peak_mib']:9.1f} "
              f"{amp / med:10.2f}x")
    print("amp = canonical layers, classified, projected and clipped; pyosmium = bare geometry "
          "pass; gdal-osm = GDAL OSM driver layers (no classification).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
