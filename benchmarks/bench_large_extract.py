"""Benchmark: one place, or many candidates at once, out of large city-sized extracts.

There is no few-hundred-MB extract in the repository, so this script builds them: the bundled
Helsinki extract tiled ``--tiles`` x ``--tiles`` times side by side (ids offset per tile,
coordinates shifted by the extract's own size, names outside the middle tile suffixed with the
tile), and a file with twice as many tiles each way (4x the size). It then measures, each in a
fresh process (wall time and peak resident memory, VmHWM):

* ``fetch``: ``fetch_place_data`` of Senaatintori in the middle tile (place lookup and read);
* ``read``: ``read_osm_layers`` for that place, the place given (what a batch does);
* ``union``: ``read_osm_layers`` for the union of the study areas of the squares of several
  tiles (the batch runner's one read for all candidates);

on the sample, on the tiled file and on the 4x file, with the study-area cut
(:mod:`amp_qgis_plugin.core.data.osm_extract`) and, with ``--before``, with the whole-file read
it replaced. The middle tile's features must be exactly those read from the sample, and with
``--before`` both reads must give identical layers. CPU seconds (all threads) are printed too:
on a shared machine they say more than the wall time.

Run: ``.venv/bin/python benchmarks/bench_large_extract.py [--tiles 11] [--before]
[--keep DIR]`` (11 x 11 copies: 75 MB; 22 x 22: 300 MB; building both takes about a minute and
a half, ``--keep`` reuses them).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"

#: Added to every id per tile (larger than any id in the sample).
TILE_OFFSET = 10 ** 10


def _sample_lines() -> Tuple[List[str], List[str], List[str]]:
    """The sample as OPL lines (nodes, ways, relations), without metadata but the timestamp."""
    import osmium

    with tempfile.TemporaryDirectory(prefix="amp-bench-") as tmp:
        opl = Path(tmp) / "sample.opl"
        with osmium.SimpleWriter(str(opl)) as writer:
            for obj in osmium.FileProcessor(str(SAMPLE)):
                writer.add(obj)
        lines = opl.read_text(encoding="utf-8").splitlines()
    kinds: Dict[str, List[str]] = {"n": [], "w": [], "r": []}
    for line in lines:
        kinds[line[0]].append(line)
    return kinds["n"], kinds["w"], kinds["r"]


def _shift_line(line: str, base: int, tile: Tuple[int, int], dlon: float, dlat: float) -> str:
    """One OPL line moved to ``tile``: ids and references + ``base``, coordinates shifted,
    names suffixed with the tile."""
    out = []
    i, j = tile
    for part in line.split(" "):
        head, rest = part[:1], part[1:]
        if head in "nwr" and not out:
            out.append(f"{head}{int(rest) + base}")
        elif head == "T" and rest:
            tags = []
            for tag in rest.split(","):
                key, _, value = tag.partition("=")
                if "name" in key:
                    value += f"%20%({i}%2c%{j})"
                tags.append(f"{key}={value}")
            out.append("T" + ",".join(tags))
        elif head in "xy" and rest:
            shift = i * dlon if head == "x" else j * dlat
            out.append(f"{head}{math.floor((float(rest) + shift) * 1e7 + 0.5) / 1e7:.7f}")
        elif head == "N" and rest:
            out.append("N" + ",".join(f"n{int(r[1:]) + base}" for r in rest.split(",")))
        elif head == "M" and rest:
            members = []
            for member in rest.split(","):
                ref, _, role = member.partition("@")
                members.append(f"{ref[0]}{int(ref[1:]) + base}@{role}")
            out.append("M" + ",".join(members))
        elif head in "TNM" or head == "t":
            out.append(part)
    return " ".join(out)


def build_tiled(path: Path, tiles: int) -> None:
    """Write ``tiles`` x ``tiles`` shifted copies of the sample into ``path`` (PBF).

    The copies are made as OPL text (fast string work) and written through libosmium one tile
    at a time, so memory stays that of one tile.
    """
    import osmium

    box = osmium.io.Reader(str(SAMPLE), osmium.osm.NODE).header().box()
    dlon = box.top_right.lon - box.bottom_left.lon
    dlat = box.top_right.lat - box.bottom_left.lat
    half = tiles // 2
    # the middle tile first (it keeps its ids and names), then the others with growing offsets
    shifts = sorted(((i, j) for i in range(-half, tiles - half) for j in range(-half, tiles - half)),
                    key=lambda s: s != (0, 0))
    kinds = _sample_lines()
    writer = osmium.SimpleWriter(str(path), 512 * 1024 * 1024)
    try:
        for lines in kinds:
            for k, tile in enumerate(shifts):
                if k == 0:
                    text = "\n".join(" ".join(p for p in line.split(" ")
                                              if p[:1] in "nwrtTxyNM") for line in lines)
                else:
                    text = "\n".join(_shift_line(line, k * TILE_OFFSET, tile, dlon, dlat)
                                     for line in lines)
                osmium.apply(osmium.io.FileBuffer((text + "\n").encode("utf-8"), "opl"), writer)
    finally:
        writer.close()


def tile_places(tiles: int) -> Iterator[Tuple[int, int]]:
    """Tiles whose squares form the union read: the middle and five around it (the same tiles in
    both files, so the union reads the same features from each)."""
    half = tiles // 2
    for t in [(0, 0), (1, 1), (-3, -3), (3, 2), (2, -3), (-2, 3)]:
        if -half <= t[0] < tiles - half and -half <= t[1] < tiles - half:
            yield t


CHILD = r'''
import json, sys, time
from amp_qgis_plugin.core.data import osm_extract
path, mode, what, tiles = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "before":
    osm_extract.CUT_FROM_BYTES = 10 ** 15
def hwm_kib():  # this process's peak RSS (ru_maxrss would include the parent's)
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM"))
import geopandas, shapely, pyproj, osmium  # imported before the base line, as in QGIS
from amp_qgis_plugin.core.data.osm_file import find_place_by_name, read_osm_layers
from amp_qgis_plugin.core.fetch import FetchRequest, fetch_place_data
sample = sys.argv[5]
place = find_place_by_name(sample, "Senaatintori")
if what == "union":
    from bench_large_extract import union_place_for
    place = union_place_for(sample, tiles)
import resource
base = hwm_kib()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c = cpu()
t = time.perf_counter()
if what == "fetch":
    layers = fetch_place_data(FetchRequest(place_name="Senaatintori", osm_file=path)).layers
else:
    layers, _ = read_osm_layers(path, place)
elapsed = time.perf_counter() - t
cpu_s = cpu() - c
peak = hwm_kib()
digest = {k: sorted(v["osm_id"].tolist()) for k, v in layers.items()
          if "osm_id" in v and len(v)}
print(json.dumps({"seconds": elapsed, "cpu": cpu_s, "peak_mib": peak / 1024, "growth_mib": (peak - base) / 1024,
                  "features": sum(len(v) for v in digest.values()),
                  # features of the middle tile (ids below the first tile offset)
                  "middle": {k: sum(1 for i in v if int(i[1:]) < 10 ** 10)
                             for k, v in digest.items()},
                  "digest": digest}))
'''


def union_place_for(sample: Path, tiles: int):
    """The union of the study areas of Senaatintori, Rautatientori and Kasarmitori in the
    tiles of :func:`tile_places` (the batch runner's one read for all candidates)."""
    import osmium
    from shapely import affinity

    from amp_qgis_plugin.core.batch.subset import union_place
    from amp_qgis_plugin.core.data.osm_file import find_place_by_name
    from amp_qgis_plugin.core.place import Place

    box = osmium.io.Reader(str(sample), osmium.osm.NODE).header().box()
    dlon = box.top_right.lon - box.bottom_left.lon
    dlat = box.top_right.lat - box.bottom_left.lat
    import geopandas as gpd

    places = []
    for name in ("Senaatintori", "Rautatientori", "Kasarmitori"):
        found = find_place_by_name(sample, name)
        wgs = gpd.GeoSeries([found.geometry], crs=found.crs).to_crs(4326).iloc[0]
        for i, j in tile_places(tiles):
            moved = gpd.GeoSeries([affinity.translate(wgs, i * dlon, j * dlat)], crs=4326)
            places.append(Place(name=f"{name} ({i},{j})", geometry=moved.to_crs(found.crs).iloc[0],
                                crs=found.crs, study_radius_m=found.study_radius_m))
    return union_place(places)


def run(path: Path, mode: str, what: str, tiles: int) -> dict:
    env_path = f"{ROOT / 'benchmarks'}"
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, what, str(tiles),
                          str(SAMPLE)], capture_output=True, text=True, cwd=ROOT,
                         env={**__import__("os").environ, "PYTHONPATH": env_path})
    if out.returncode:
        raise SystemExit(f"{mode} {what} run on {path.name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=11)
    parser.add_argument("--before", action="store_true",
                        help="also measure the whole-file read the cut replaced (75 MB file; "
                             "with --before-large also the 4x file, slow)")
    parser.add_argument("--before-large", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the tiled files here and reuse them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amp-large-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for tiles in (args.tiles, 2 * args.tiles):
            path = folder / f"tiled-{tiles}x{tiles}.osm.pbf"
            if not path.exists():
                t = time.perf_counter()
                part = path.with_suffix(".part.pbf")
                build_tiled(part, tiles)
                part.rename(path)
                print(f"built {path.name}: {tiles}x{tiles} copies of the sample, "
                      f"{path.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - t:.0f} s")
            files.append((path, tiles))
        small = run(SAMPLE, "cut", "fetch", 1)
        print(f"{'file':<22} {'read':<7} {'what':<6} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9} "
              f"{'growth MiB':>11} {'features':>9}")

        def show(name: str, mode: str, what: str, row: dict, note: str = "") -> None:
            print(f"{name:<22} {mode:<7} {what:<6} {row['seconds']:8.2f} {row['cpu']:6.2f} "
                  f"{row['peak_mib']:9.0f} "
                  f"{row['growth_mib']:11.0f} {row['features']:9d}  {note}")

        show("sample (0.7 MB)", "whole", "fetch", small)
        for path, tiles in files:
            label = f"{path.stat().st_size / 1e6:.0f} MB ({tiles}x{tiles})"
            modes = ["cut"] + (["before"] if args.before and (tiles == args.tiles
                                                              or args.before_large) else [])
            rows: Dict[Tuple[str, str], dict] = {}
            for what in ("fetch", "read", "union"):
                for mode in modes:
                    row = rows[(mode, what)] = run(path, mode, what, tiles)
                    note = ""
                    if what == "fetch":
                        note = f"middle tile = sample: {row['middle'] == small['middle']}"
                    if mode == "before":
                        note += f"  identical to the cut: {row['digest'] == rows[('cut', what)]['digest']}"
                    show(label, "whole" if mode == "before" else "cut", what, row, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
