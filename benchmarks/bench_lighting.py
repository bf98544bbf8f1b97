"""Benchmark of the illuminance grid: cell x lamp evaluations per second and peak memory.

Run from the repository root::

    .venv/bin/python benchmarks/bench_lighting.py [--place Senaatintori] [--cell-size 1]

Three measurements in one run, on the bundled Helsinki sample (Senaatintori, 800 m study area):

1. ``engine``: the grid of :func:`~amp_qgis_plugin.core.indicators.lighting.compute_lighting`
   (horizontal + semi-cylindrical illuminance) as used, with the per-lamp 0.01 lx cut-off;
   rate = (cell, lamp) pairs within reach per second.
2. ``engine, no cut-off``: the kernel's
   :func:`~amp_qgis_plugin.core.indicators.lighting_kernel.evaluate` of every lamp of the study
   area at a subset of cells (horizontal only), so the work equals the baseline's.
3. ``naive``: a plain-Python double loop (``math``; the usual hand-written point-by-point code)
   over the same subset of cells and all lamps, horizontal only.

It prints the rates, the ratio engine / naive on identical work, the largest difference between
the two (a correctness check) and the peak memory of the grid step (``tracemalloc``, numpy
allocations included).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def naive(xs, ys, lamps_x, lamps_y, heights, scales):
    """Plain-Python point-by-point sum with the generic Lambertian distribution."""
    out = []
    inv_pi = 1000.0 / math.pi
    for px, py in zip(xs, ys):
        total = 0.0
        for lx, ly, h, s in zip(lamps_x, lamps_y, heights, scales):
            d = math.hypot(px - lx, py - ly)
            gamma = math.atan2(d, h)
            intensity = s * inv_pi * math.cos(gamma)
            total += intensity * math.cos(gamma) ** 3 / (h * h)
        out.append(total)
    return np.array(out)


def main(argv=None) -> int:
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.fetch import fetch_to_geopackage, sample_request
    from amp_qgis_plugin.core.indicators.lamps import prepare_lamps
    from amp_qgis_plugin.core.indicators.lighting import LightingOptions, compute_lighting
    from amp_qgis_plugin.core.indicators.lighting_kernel import EvaluationStats, evaluate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--place", default="Senaatintori")
    parser.add_argument("--cell-size", type=float, default=1.0)
    parser.add_argument("--subset", type=int, default=400, help="cells for the naive baseline")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        gpkg, _ = fetch_to_geopackage(sample_request(args.place), Path(tmp) / "p.gpkg")
        data = read_geopackage(gpkg)

    # 1. the engine as used
    opts = LightingOptions(cell_size_m=args.cell_size)
    compute_lighting(data, opts)  # warm-up (imports, caches)
    tracemalloc.start()
    t0 = time.perf_counter()
    result = compute_lighting(data, opts)
    t_engine = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    st = result.extras["evaluation_stats"]
    illuminance = result.rasters["illuminance"]
    cells = int(np.isfinite(illuminance.array).sum())
    print(f"place {data.name}: {len(data['lamps'])} lamps in the study area, "
          f"{result.value('lamp_count')} reaching the walkable area; {cells} cells of "
          f"{args.cell_size:g} m; plus {st.points - cells} path samples")
    print(f"whole indicator (areas, lamp defaults, E_h + E_sc grid, dark gaps): "
          f"{t_engine * 1000:.0f} ms, {st.pairs_within_reach:,} pairs within reach, "
          f"peak memory {peak / 2**20:.1f} MiB")

    # 1b. the grid step alone (E_h + E_sc on every walkable cell, with the cut-off)
    grid_lamps, _, _ = prepare_lamps(data["lamps"], data["paths"])
    xs, ys = illuminance.grid.cell_centres()
    mask = np.isfinite(illuminance.array)
    tracemalloc.start()
    gstats = EvaluationStats()
    t0 = time.perf_counter()
    evaluate(grid_lamps, xs[mask], ys[mask], face_height=opts.face_height_m, stats=gstats)
    t_grid = time.perf_counter() - t0
    _, gpeak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"grid step alone (E_h + E_sc, {cells} cells x {len(grid_lamps)} lamps, cut-off): "
          f"{t_grid * 1000:.0f} ms, {gstats.pairs_within_reach:,} pairs within reach = "
          f"{gstats.pairs_within_reach / t_grid / 1e6:.1f} M evaluations/s "
          f"({gstats.pairs_computed / t_grid / 1e6:.1f} M pairs/s computed incl. masked), "
          f"peak memory {gpeak / 2**20:.1f} MiB")

    # 2. + 3. identical work: every lamp at a subset of cells, horizontal only
    lamp_set, table, _ = prepare_lamps(data["lamps"], data["paths"], negligible_lux=0.0)
    rng = np.random.default_rng(0)
    pick = rng.choice(np.count_nonzero(mask), size=min(args.subset, int(mask.sum())),
                      replace=False)
    sx, sy = xs[mask][pick], ys[mask][pick]
    pairs = sx.size * len(lamp_set)
    stats = EvaluationStats()
    t0 = time.perf_counter()
    reps = 0
    while True:
        fast = evaluate(lamp_set, sx, sy, stats=stats)["eh"]
        reps += 1
        if time.perf_counter() - t0 > 0.5:
            break
    t_fast = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    slow = naive(sx, sy, lamp_set.x, lamp_set.y, lamp_set.height, lamp_set.scale)
    t_naive = time.perf_counter() - t0
    rate_fast, rate_naive = pairs / t_fast, pairs / t_naive
    print(f"same work ({sx.size} cells x {len(lamp_set)} lamps = {pairs:,} pairs, no cut-off):")
    print(f"  engine (numpy, chunked): {rate_fast / 1e6:8.2f} M evaluations/s")
    print(f"  naive (plain Python):    {rate_naive / 1e6:8.2f} M evaluations/s")
    print(f"  ratio engine / naive:    {rate_fast / rate_naive:8.1f} x; "
          f"largest difference {np.max(np.abs(fast - slow)):.2e} lx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
