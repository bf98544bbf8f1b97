"""Isovists per second at Senaatintori: the AMP kernel vs pysovist (exact) vs shapely ray casting.

All three run in the same process, on the same observers (the walkable cells of a 2 m grid over
Senaatintori in the bundled Helsinki sample) and the same walls (the edges of the unioned
building footprints within the radius of the place), with a 100 m radius.

- **amp**: :func:`amp_qgis_plugin.core.indicators.isovist_kernel.sweep` in batches of 256
  observers, computing area, perimeter, occlusivity, compactness and max/min radial.
- **amp x2**: the same split over 2 worker processes (optional, ``--jobs 2``).
- **pysovist**: ``pysovist.isovist_field(plan, observers, max_distance=R)`` (exact wedge
  sweep, one observer per Python call, all of its metrics), single process and ``n_jobs=2``.
- **shapely 720 rays**: per observer 720 rays as LineStrings, an STRtree query for the walls
  each crosses, nearest intersection per ray, area of the ray-end polygon (the plain baseline).

A second table times :func:`amp_qgis_plugin.core.indicators.isovist.isovist`, the one-observer
call for scripts, in a loop of single calls (``--single-observers``): given the raw building
polygons within the radius of the place (repaired and unioned again on every call) and given
:class:`~amp_qgis_plugin.core.indicators.isovist.Obstacles` prepared once from all the sample's
buildings, next to the batch engine's polygons and measures for the same observers.

Each timing is the best of ``--repeat`` runs after a warm-up; shapely runs on a subset
(``--shapely-observers``) because it is slow. Peak memory is the tracemalloc peak (numpy and
shapely allocations) of one run. pysovist is a benchmark-only dependency::

    .venv/bin/pip install -c requirements/constraints.txt pysovist

Run::

    .venv/bin/python benchmarks/bench_isovist.py [--repeat 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import shapely

from amp_qgis_plugin.core.indicators import isovist_kernel as kernel
from amp_qgis_plugin.core.indicators.isovist import IsovistEngine, Obstacles, isovist


def load(cell: float, radius: float):
    """Observers (walkable 2 m cells of Senaatintori) and the candidate walls."""
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request
    from amp_qgis_plugin.core.raster import Grid

    data = fetch_place_data(sample_request("Senaatintori"))
    place = data.place_polygon
    obstacles = Obstacles.build(data["buildings"].geometry.values)
    walk = shapely.difference(place, obstacles.solid)
    grid = Grid.over(place, cell, data.crs)
    mask = grid.mask(walk)
    xs, ys = grid.cell_centres()
    obs = np.c_[xs[mask], ys[mask]]
    obs = obs[~obstacles.blocked(obs)]
    walls = kernel.candidate_walls(obstacles.walls(), place.bounds, radius)
    return data, obs, walls, obstacles


def amp_areas(obs: np.ndarray, walls: kernel.WallSet, radius: float) -> np.ndarray:
    out = []
    for sl in kernel.batches(len(obs)):
        pts = obs[sl]
        cand = kernel.candidate_walls(walls, (*pts.min(axis=0), *pts.max(axis=0)), radius)
        out.append(kernel.sweep(pts, cand, radius).measures()["area"])
    return np.concatenate(out)


def amp_parallel(obs, walls, radius, jobs, pool):
    parts = np.array_split(obs, jobs)
    return np.concatenate(list(pool.map(amp_areas, parts, [walls] * jobs, [radius] * jobs)))


def shapely_areas(obs: np.ndarray, walls: kernel.WallSet, radius: float, rays: int = 720):
    """720 LineString rays per observer; an STRtree finds the walls each ray crosses."""
    segs = shapely.linestrings(np.stack([walls.a, walls.b], axis=1))
    tree = shapely.STRtree(segs)
    ang = np.linspace(0, 2 * np.pi, rays, endpoint=False)
    cos, sin = np.cos(ang), np.sin(ang)
    out = np.empty(len(obs))
    for i, (x, y) in enumerate(obs):
        ends = np.c_[x + radius * cos, y + radius * sin]
        coords = np.stack([np.broadcast_to([x, y], ends.shape), ends], axis=1)
        ray_geoms = shapely.linestrings(coords)
        ray_idx, seg_idx = tree.query(ray_geoms, predicate="intersects")
        hits = shapely.intersection(ray_geoms[ray_idx], segs[seg_idx])
        d = shapely.distance(shapely.points(x, y), hits)
        r = np.full(rays, radius)
        np.minimum.at(r, ray_idx, d)
        out[i] = shapely.area(shapely.polygons(np.c_[x + r * cos, y + r * sin]))
    return out


def single_calls(data, obs: np.ndarray, obstacles: Obstacles, radius: float, repeat: int):
    """Isovists per second of single ``isovist()`` calls (raw polygons, prepared obstacles) and
    of the batch engine (polygons, measures) on the same observers."""
    from shapely.geometry import Point

    place = data.place_polygon
    buildings = data["buildings"].geometry.values
    near = list(buildings[shapely.intersects(buildings, place.buffer(radius))])
    points = [Point(xy) for xy in obs]
    engine = IsovistEngine(obstacles, radius)
    rows = []
    for name, fn in (
            (f"isovist(), {len(near)} raw polygons", lambda: [isovist(p, near, radius) for p in points]),
            ("isovist(), prepared Obstacles", lambda: [isovist(p, obstacles, radius) for p in points]),
            ("IsovistEngine.polygons (batch)", lambda: engine.polygons(obs)),
            ("IsovistEngine.field (batch)", lambda: engine.field(obs))):
        t, _, _ = timed(fn, repeat)
        rows.append((name, len(obs), t))
    single = [isovist(p, obstacles, radius).area for p in points]
    batch = [p.area for p in engine.polygons(obs)]
    worst = float(np.max(np.abs(np.subtract(single, batch))))
    return rows, worst


def timed(fn, repeat: int):
    """Best wall time of ``repeat`` runs after one warm-up, the result and the memory peak."""
    fn()
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, result, peak


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--radius", type=float, default=100.0)
    ap.add_argument("--cell", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2, help="processes for the parallel rows")
    ap.add_argument("--shapely-observers", type=int, default=300)
    ap.add_argument("--single-observers", type=int, default=300,
                    help="observers of the single-call table")
    ap.add_argument("--single-only", action="store_true", help="only the single-call table")
    args = ap.parse_args(argv)
    R = args.radius
    data, obs, walls, obstacles = load(args.cell, R)
    k = min(args.single_observers, len(obs))
    single_rows, worst = single_calls(data, obs[np.linspace(0, len(obs) - 1, k).astype(int)],
                                      obstacles, R, args.repeat)
    print(f"Single isovist() calls at Senaatintori ({k} observers, radius {R:g} m):")
    print(f"{'method':36s} {'observers':>9s} {'time s':>8s} {'isovists/s':>11s}")
    for name, cnt, tt in single_rows:
        print(f"{name:36s} {cnt:9d} {tt:8.3f} {cnt / tt:11.0f}")
    print(f"largest area difference single prepared call vs batch polygon: {worst:.2e} m2")
    print()
    if args.single_only:
        return 0
    n = len(obs)
    print(f"Senaatintori: {n} observers on a {args.cell:g} m grid, {len(walls)} wall segments "
          f"within {R:g} m of the place, radius {R:g} m")
    rows = []
    t, amp, mem = timed(lambda: amp_areas(obs, walls, R), args.repeat)
    rows.append(("amp (1 core)", n, t, mem, amp))
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            t2, amp2, _ = timed(lambda: amp_parallel(obs, walls, R, args.jobs, pool), args.repeat)
        rows.append((f"amp ({args.jobs} processes)", n, t2, float("nan"), amp2))
    try:
        import pysovist
    except ImportError:
        pysovist = None
        print("pysovist is not installed: pip install pysovist (benchmark only)", file=sys.stderr)
    ref = None
    if pysovist is not None:
        plan = pysovist.Plan(np.stack([walls.a, walls.b], axis=1))
        tp, df, memp = timed(lambda: pysovist.isovist_field(plan, obs, max_distance=R),
                             max(1, args.repeat - 1))
        ref = df["area"].to_numpy()
        rows.append(("pysovist 0.3 (1 core)", n, tp, memp, ref))
        if args.jobs > 1:
            tpj, dfj, _ = timed(lambda: pysovist.isovist_field(plan, obs, max_distance=R,
                                                                n_jobs=args.jobs), 1)
            rows.append((f"pysovist ({args.jobs} processes)", n, tpj, float("nan"),
                         dfj["area"].to_numpy()))
    k = min(args.shapely_observers, n)
    sub = np.linspace(0, n - 1, k).astype(int)
    ts, sha, mems = timed(lambda: shapely_areas(obs[sub], walls, R), 1)
    rows.append(("shapely 720 rays (1 core)", k, ts, mems, (sub, sha)))

    peers = {name: cnt / tt for name, cnt, tt, _, _ in rows if not name.startswith("amp")}
    best_peer = max(peers.values()) if peers else float("nan")
    best_1core = max((v for nme, v in peers.items() if "1 core" in nme), default=float("nan"))
    print()
    print(f"{'method':28s} {'observers':>9s} {'time s':>8s} {'isovists/s':>11s} "
          f"{'x best peer':>11s} {'peak MiB':>9s} {'mean |dA| vs pysovist':>22s}")
    for name, cnt, tt, mem, res in rows:
        rate = cnt / tt
        if ref is None:
            diff = "n/a"
        elif isinstance(res, tuple):
            idx, a = res
            diff = f"{100 * np.mean(np.abs(a - ref[idx]) / ref[idx]):.4f} %"
        else:
            diff = f"{100 * np.mean(np.abs(res - ref) / ref):.2e} %"
        memtxt = "-" if mem != mem else f"{mem / 2**20:.1f}"
        print(f"{name:28s} {cnt:9d} {tt:8.3f} {rate:11.0f} {rate / best_peer:11.2f} "
              f"{memtxt:>9s} {diff:>22s}")
    amp_rate = rows[0][1] / rows[0][2]
    print()
    print(f"amp 1 core vs best single-core peer: {amp_rate / best_1core:.1f}x; "
          f"vs best peer overall: {amp_rate / best_peer:.1f}x")
    if ref is not None:
        worst = float(np.max(np.abs(amp - ref) / ref))
        print(f"largest relative area difference amp vs pysovist: {worst:.2e} "
              f"({'within' if worst <= 0.005 else 'OUTSIDE'} 0.5 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
