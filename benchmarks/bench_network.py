"""Shortest walking distances from many origins: the AMP engine vs networkx vs cityseer.

All run in the same process on the same graph: the walking network of Senaatintori in the
bundled Helsinki sample (study radius 800 m, :func:`build_walk_network`), ``--origins``
random nodes of its main piece (seeded), cut off at ``--cutoff`` metres (780 m = 10 minutes
at 1.3 m/s). Every method answers the question the access indicator asks: for every node, the
walking distance to the *nearest* origin within the cut-off.

- **amp one pass**: :func:`engine.multi_source_distances`, one ``scipy.sparse.csgraph.dijkstra``
  call with all origins as sources (``min_only=True``, ``limit``).
- **amp per origin**: :func:`engine.per_source_distances`, one tree per origin in one compiled
  call (a distance matrix), then the minimum; what a per-origin tool computes.
- **networkx single_source_dijkstra**: one ``nx.single_source_dijkstra(G, o, cutoff=...)`` per
  origin (distances and paths, the call named in the issue), minimum merged in Python; also
  ``single_source_dijkstra_path_length`` (distances only) and networkx's own one-pass
  ``multi_source_dijkstra_path_length``.
- **cityseer**: ``NetworkStructure.dijkstra_tree_shortest(origin, max_seconds, speed)`` per origin
  (Rust; the per-source shortest-path call of cityseer's public API, speed 1 m/s so seconds are
  metres), minimum merged with numpy. cityseer keeps distances in float32. Also
  ``poll_reach_hits`` (Rust, parallel over origins), which gives reach counts, not distances.

Pandana is not timed: cityseer installs from PyPI as a wheel here (``pip install cityseer``;
5.8.0 with numpy < 2), is the peer the issue names first and, like this engine, works on a
projected graph in metres; pandana would add about twenty packages (PyTables, scikit-learn ...)
to the venv for the same comparison. Both are benchmark-only: the plugin does not need them.

Times are the best of ``--repeat`` runs after a warm-up (networkx: of ``min(repeat, 3)``).
Graph building is timed apart. Peak memory is the growth of this process's peak resident set
(``VmHWM``, reset through ``/proc/self/clear_refs`` before each method). Every method's reached
set and distances are checked against the AMP one-pass result.

Run::

    .venv/bin/pip install -c requirements/constraints.txt cityseer   # once, optional
    .venv/bin/python benchmarks/bench_network.py [--origins 200] [--cutoff 780] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Callable, Dict, List, Optional, Tuple

import networkx as nx
import numpy as np
import shapely

from amp_qgis_plugin.core.network import engine
from amp_qgis_plugin.core.network.walk import WalkNetwork, build_walk_network


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field))


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def measure(fn: Callable[[], np.ndarray], repeat: int) -> Tuple[float, float, np.ndarray]:
    """Best wall time (s), peak RSS growth (MiB) and the result of ``fn``."""
    result = fn()  # warm-up
    best = float("inf")
    gc.collect()
    reset_peak()
    base = rss_kib("VmRSS")
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    peak = (rss_kib("VmHWM") - base) / 1024
    return best, peak, result


def load() -> WalkNetwork:
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request

    data = fetch_place_data(sample_request("Senaatintori"))
    return build_walk_network(data["paths"], data.place_polygon, crs=data.crs)


def nx_graph(net: WalkNetwork) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(net.n_nodes))
    for a, b, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist()):
        if a != b and (not G.has_edge(a, b) or G[a][b]["length"] > w):
            G.add_edge(a, b, length=w)
    return G


def cityseer_structure(net: WalkNetwork):
    """cityseer's NetworkStructure of the same graph (both directions of every edge)."""
    from cityseer import rustalgos

    ns = rustalgos.graph.NetworkStructure()
    for i, (x, y) in enumerate(net.xy.tolist()):
        ns.add_street_node(i, x, y, True, 1.0)
    forward = shapely.to_wkt(net.geometry, rounding_precision=-1)
    backward = shapely.to_wkt(shapely.reverse(net.geometry), rounding_precision=-1)
    k = 0
    for e, (a, b) in enumerate(zip(net.u.tolist(), net.v.tolist())):
        if a == b:
            continue
        ns.add_street_edge(a, b, k, a, b, forward[e])
        ns.add_street_edge(b, a, k + 1, b, a, backward[e])
        k += 2
    return ns


def merge_min(n: int, per_origin: List[Dict[int, float]]) -> np.ndarray:
    out = np.full(n, np.inf)
    for lengths in per_origin:
        idx = np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))
        val = np.fromiter(lengths.values(), dtype=float, count=len(lengths))
        np.minimum.at(out, idx, val)
    return out


def compare(ref: np.ndarray, other: np.ndarray) -> Tuple[bool, float]:
    same = np.array_equal(np.isfinite(ref), np.isfinite(other))
    fin = np.isfinite(ref) & np.isfinite(other)
    return same, float(np.abs(ref[fin] - other[fin]).max()) if fin.any() else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=200)
    parser.add_argument("--cutoff", type=float, default=780.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    net = load()
    main_piece = np.flatnonzero(net.component == np.argmax(np.bincount(net.component)))
    rng = np.random.default_rng(args.seed)
    origins = np.sort(rng.choice(main_piece, size=min(args.origins, len(main_piece)), replace=False))
    cutoff = args.cutoff
    print(f"Senaatintori walking network (sample, study radius 800 m): {net.n_nodes} nodes, "
          f"{net.n_edges} edges, {net.length.sum() / 1000:.1f} km; {len(origins)} origins, "
          f"cut-off {cutoff:g} m; best of {args.repeat} runs")

    t = time.perf_counter()
    matrix = engine.graph_matrix(net.n_nodes, net.u, net.v, net.length)
    build = {"amp (scipy CSR)": time.perf_counter() - t}
    t = time.perf_counter()
    G = nx_graph(net)
    build["networkx Graph"] = time.perf_counter() - t
    ns = None
    try:
        t = time.perf_counter()
        ns = cityseer_structure(net)
        build["cityseer NetworkStructure"] = time.perf_counter() - t
    except ImportError:
        print("cityseer is not installed: .venv/bin/pip install -c requirements/constraints.txt cityseer")
    print("graph building (not in the times below): " +
          ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in build.items()))

    olist = origins.tolist()
    methods: List[Tuple[str, Callable[[], np.ndarray], int]] = [
        ("amp one pass (scipy, min_only)",
         lambda: engine.multi_source_distances(matrix, origins, limit=cutoff), args.repeat),
        ("amp per origin (scipy matrix) + min",
         lambda: engine.per_source_distances(matrix, origins, limit=cutoff).min(axis=0), args.repeat),
        ("networkx single_source_dijkstra x N",
         lambda: merge_min(net.n_nodes, [nx.single_source_dijkstra(G, o, cutoff=cutoff, weight="length")[0]
                                         for o in olist]), min(args.repeat, 3)),
        ("networkx ..._path_length x N",
         lambda: merge_min(net.n_nodes, [nx.single_source_dijkstra_path_length(G, o, cutoff=cutoff,
                                                                               weight="length")
                                         for o in olist]), min(args.repeat, 3)),
        ("networkx multi_source (one pass)",
         lambda: merge_min(net.n_nodes, [nx.multi_source_dijkstra_path_length(G, set(olist), cutoff=cutoff,
                                                                              weight="length")]),
         args.repeat),
    ]
    if ns is not None:
        def cityseer_trees() -> np.ndarray:
            out = np.full(net.n_nodes, np.inf)
            for o in olist:
                visited, states = ns.dijkstra_tree_shortest(o, int(cutoff), 1.0)
                d = np.fromiter((states[i].short_dist for i in visited), dtype=float, count=len(visited))
                np.minimum.at(out, np.asarray(visited, dtype=np.int64), d)
            return out

        def cityseer_reach() -> np.ndarray:
            hits = np.asarray(ns.poll_reach_hits(olist, [int(cutoff)], 1.0)[0])
            return np.where(hits > 0, 0.0, np.inf)  # reach only: no distances

        methods.append(("cityseer dijkstra_tree_shortest x N", cityseer_trees, args.repeat))
        methods.append(("cityseer poll_reach_hits (reach only)", cityseer_reach, args.repeat))

    rows: List[Tuple[str, float, float, bool, Optional[float]]] = []
    ref: Optional[np.ndarray] = None
    for name, fn, repeat in methods:
        seconds, peak, result = measure(fn, repeat)
        if ref is None:
            ref = result
        same, diff = compare(ref, result)
        rows.append((name, seconds, peak, same, None if "reach only" in name else diff))
    amp, amp_per_origin = rows[0][1], rows[1][1]
    print(f"\n{'method':40} {'time ms':>9} {'/ amp one pass':>15} {'peak +MiB':>10} "
          f"{'same reach':>10} {'max |d diff| m':>15}")
    for name, seconds, peak, same, diff in rows:
        print(f"{name:40} {seconds * 1000:9.2f} {seconds / amp:15.1f} {peak:10.1f} "
              f"{str(same):>10} {'-' if diff is None else f'{diff:.2e}':>15}")
    by_name = {r[0]: r[1] for r in rows}
    print(f"\nreached: {int(np.isfinite(ref).sum())} of {net.n_nodes} nodes; the process holds "
          f"{rss_kib('VmRSS') / 1024:.0f} MiB (Python with geopandas, networkx, scipy, cityseer)")
    print(f"amp one pass vs networkx single_source_dijkstra per origin: "
          f"{by_name['networkx single_source_dijkstra x N'] / amp:.0f}x faster")
    if ns is not None:
        cs = by_name["cityseer dijkstra_tree_shortest x N"]
        print(f"amp one pass vs cityseer per origin: {cs / amp:.0f}x faster; like for like (one tree "
              f"per origin) amp {amp_per_origin * 1000:.1f} ms vs cityseer {cs * 1000:.1f} ms "
              f"({cs / amp_per_origin:.1f}x) vs networkx "
              f"{by_name['networkx ..._path_length x N'] * 1000:.0f} ms "
              f"({by_name['networkx ..._path_length x N'] / amp_per_origin:.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
