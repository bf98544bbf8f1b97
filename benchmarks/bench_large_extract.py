"""Benchmark: one place out of a large, city-sized extract, with bounded memory.

There is no few-hundred-MB extract in the repository, so this script builds one: the bundled
Helsinki extract tiled ``--tiles`` x ``--tiles`` times side by side (ids offset per tile,
coordinates shifted by the extract's own size), written with pyosmium. It then times
``fetch`` of Senaatintori in the middle tile — the place lookup and the feature read both
stream the whole file — and reports wall time, peak resident memory and the file size, once
with node locations in memory and once with the file-backed index used above
``LARGE_FILE_BYTES``. The features that come from the middle tile must be exactly those read
from the original extract (the study area also reaches into neighbouring tiles).

Run: ``.venv/bin/python benchmarks/bench_large_extract.py [--tiles 11]`` (11 x 11 = 121 copies,
about 80 MB of .pbf; build time is not part of the figures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"


def build_tiled(path: Path, tiles: int) -> None:
    """Write ``tiles`` x ``tiles`` shifted copies of the sample into ``path``."""
    import osmium

    box = osmium.io.Reader(str(SAMPLE), osmium.osm.NODE).header().box()
    dlon = box.top_right.lon - box.bottom_left.lon
    dlat = box.top_right.lat - box.bottom_left.lat
    half = tiles // 2
    offset = 10 ** 10  # larger than any id in the sample
    # the middle tile first: ids must grow through the file (it keeps its ids, others get offsets)
    shifts = sorted(((i, j) for i in range(-half, tiles - half) for j in range(-half, tiles - half)),
                    key=lambda s: s != (0, 0))
    writer = osmium.SimpleWriter(str(path), 512 * 1024 * 1024)
    try:
        for kind in (osmium.osm.NODE, osmium.osm.WAY, osmium.osm.RELATION):
            for k, (i, j) in enumerate(shifts):
                base = k * offset
                for obj in osmium.FileProcessor(str(SAMPLE), kind):
                    tags = dict(obj.tags)
                    if base:  # only the middle tile keeps the real names
                        tags = {k: f"{v} ({i},{j})" if "name" in k else v
                                for k, v in tags.items()}
                    if kind == osmium.osm.NODE:
                        loc = obj.location
                        writer.add_node(osmium.osm.mutable.Node(
                            id=obj.id + base, tags=tags,
                            location=(loc.lon + i * dlon, loc.lat + j * dlat)))
                    elif kind == osmium.osm.WAY:
                        writer.add_way(osmium.osm.mutable.Way(
                            id=obj.id + base, tags=tags, nodes=[n.ref + base for n in obj.nodes]))
                    else:
                        members = [(m.type, m.ref + base, m.role) for m in obj.members]
                        writer.add_relation(osmium.osm.mutable.Relation(
                            id=obj.id + base, tags=tags, members=members))
    finally:
        writer.close()


CHILD = r'''
import json, sys, time
from amp_qgis_plugin.core.data import osm_file
from amp_qgis_plugin.core.fetch import FetchRequest, fetch_place_data
path, mode = sys.argv[1], sys.argv[2]
if mode == "file-backed":
    osm_file.LARGE_FILE_BYTES = 0
else:
    osm_file.LARGE_FILE_BYTES = 10 ** 12
def hwm_kib():  # this process's peak RSS (ru_maxrss would include the parent's, Linux keeps it over exec)
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM"))
base = hwm_kib()
t = time.perf_counter()
data = fetch_place_data(FetchRequest(place_name="Senaatintori", osm_file=path))
elapsed = time.perf_counter() - t
peak = hwm_kib()
print(json.dumps({"seconds": elapsed, "peak_mib": peak / 1024, "growth_mib": (peak - base) / 1024,
                  # features of the middle tile (ids below the first tile offset)
                  "counts": {k: int((v["osm_id"].str[1:].astype("int64") < 10 ** 10).sum())
                             for k, v in data.layers.items() if "osm_id" in v and len(v)}}))
'''


def run(path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"{mode} run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amp-large-") as tmp:
        big = Path(tmp) / "tiled.osm.pbf"
        t = time.perf_counter()
        build_tiled(big, args.tiles)
        print(f"built {big.name}: {args.tiles}x{args.tiles} copies of the sample, "
              f"{big.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - t:.0f} s")
        small = run(SAMPLE, "in-memory")
        print(f"{'file':<14} {'node index':<12} {'seconds':>8} {'peak MiB':>9} {'growth MiB':>11}")
        print(f"{'sample':<14} {'in memory':<12} {small['seconds']:8.2f} {small['peak_mib']:9.0f} "
              f"{small['growth_mib']:11.0f}")
        for mode in ("in-memory", "file-backed"):
            row = run(big, mode)
            same = row["counts"] == small["counts"]
            print(f"{'tiled':<14} {mode:<12} {row['seconds']:8.2f} {row['peak_mib']:9.0f} "
                  f"{row['growth_mib']:11.0f}   middle-tile features identical to the sample: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
