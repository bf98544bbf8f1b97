"""``amp-place batch``: rank candidate places from one read of an OSM file, resumable.

On a terminal a progress bar (tqdm) shows the candidates done, the failed ones and the time
left; when the output goes to a file or a pipe, one plain line per candidate instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Optional

from amp_qgis_plugin.commands._options import remember_flag

NAME = "batch"
HELP = ("Rank candidate places: assess every candidate of a layer (polygons, or points with a "
        "radius; any CRS) from one read of an OSM file, as 'assess' does each place, into "
        "DIR/ranking.gpkg (one row per candidate) and DIR/candidates/. Killed or cancelled, the "
        "same command continues where it stopped. Runs in local processes, or on a Dask "
        "cluster with --scheduler.")
ORDER = 25


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the batch options to ``parser``."""
    from amp_qgis_plugin.core.place import PlaceOptions

    parser.add_argument("--candidates", required=True, metavar="FILE",
                        help="candidate places: polygons, or points with --radius or "
                             "--radius-field; any OGR format and CRS")
    parser.add_argument("--candidates-layer", metavar="LAYER",
                        help="layer of a multi-layer --candidates file")
    parser.add_argument("--osm", required=True, metavar="FILE",
                        help="local OSM file covering the candidates (XML or PBF, any name), "
                             "read once for all of them")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: DIR/ranking.gpkg, DIR/candidates/<name>.gpkg and "
                             "the journal DIR/state/ (an earlier run's folder is continued)")
    parser.add_argument("--radius", type=float, metavar="M",
                        help="radius in metres of point candidates (those without a "
                             "--radius-field value)")
    parser.add_argument("--radius-field", metavar="FIELD",
                        help="numeric field with each point candidate's radius in metres")
    parser.add_argument("--name-field", metavar="FIELD",
                        help="field with the candidates' names (default: a field called "
                             "name or namn, else 'candidate <id>')")
    parser.add_argument("--study-radius", type=float, metavar="M",
                        help="study-area radius around each place in metres (default "
                             f"{PlaceOptions.default('study_radius_m'):g})")
    parser.add_argument("--max-place-area", type=float, metavar="M2",
                        help="candidates larger than this many m² fail (default "
                             f"{PlaceOptions.default('max_place_area_m2'):g})")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask distributed cluster: its scheduler, e.g. "
                             "tcp://10.0.0.5:8786 (workers need the plugin installed); without "
                             "it, local processes")
    parser.add_argument("--workers", type=int, metavar="N", default=None,
                        help="local processes without --scheduler (default: the CPU cores, "
                             f"{default_workers()} here; 1 runs in this process)")
    remember_flag(parser, "candidates", "--candidates")
    remember_flag(parser, "osm_file", "--osm")
    remember_flag(parser, "output", "--out DIR")
    remember_flag(parser, "place_radius_m", "--radius M")
    remember_flag(parser, "radius_field", "--radius-field")
    remember_flag(parser, "name_field", "--name-field")
    remember_flag(parser, "study_radius_m", "--study-radius")
    remember_flag(parser, "max_place_area_m2", "--max-place-area")
    remember_flag(parser, "scheduler", "--scheduler")
    remember_flag(parser, "workers", "--workers")


def request_from_args(args: argparse.Namespace):
    """The :class:`BatchRequest` the options describe."""
    from amp_qgis_plugin.core.batch.runner import BatchRequest

    return BatchRequest(candidates=args.candidates, candidates_layer=args.candidates_layer,
                        osm_file=args.osm, out_dir=args.out, radius_m=args.radius,
                        radius_field=args.radius_field, name_field=args.name_field,
                        study_radius_m=args.study_radius, max_place_area_m2=args.max_place_area,
                        scheduler=args.scheduler,
                        workers=args.workers if args.workers is not None else default_workers())


def run(args: argparse.Namespace, feedback) -> int:
    """Run the batch and print the ranking's head and where everything is."""
    from amp_qgis_plugin.core.batch.runner import run_batch

    request = request_from_args(args)
    fancy = sys.stderr.isatty() and sys.stdout.isatty()
    progress = TerminalProgress() if fancy else LineProgress()
    summary = run_batch(request, feedback=feedback, progress=progress)
    print_summary(summary, verbose=bool(getattr(args, "verbose", False)))
    return 0


def print_summary(summary, *, verbose: bool = False, top: int = 10) -> None:
    """Print the counts, the best-ranked candidates and the files written."""
    from collections import Counter

    from amp_qgis_plugin.core.batch.ranking import read_ranking
    from amp_qgis_plugin.core.batch.state import CANDIDATES_DIR

    failures = Counter(s.failure for s in summary.states.values() if s.status == "failed")
    why = ", ".join(f"{n} {code}" for code, n in failures.most_common())
    print(f"{summary.ok} of {summary.total} candidates assessed, {summary.failed} failed"
          + (f" ({why})" if why else "")
          + (f"; {summary.resumed} kept from an earlier run" if summary.resumed else "") + ".")
    ranking = read_ranking(summary.ranking)
    ranked = ranking[ranking["rank"].notna()].head(top)
    if len(ranked):
        print("Ranking (mean of the attribute scores and the safety index with data; ties by "
              "coverage):")
        for row in ranked.itertuples(index=False):
            overlap = " [overlaps another candidate]" if row.overlaps else ""
            print(f"  {int(row.rank):>3}. {row.name}: {row.ranking_score:.1f}, coverage "
                  f"{row.coverage_pct:.0f} %{overlap}")
        if len(ranking[ranking["rank"].notna()]) > top:
            print(f"  ... {int(ranking['rank'].notna().sum()) - top} more in the ranking")
    if verbose and summary.timings:
        print("Timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in summary.timings.items())
              + f"; assessed {summary.where}")
    print(f"Wrote {summary.ranking} (one row per candidate) and the assessments in "
          f"{summary.ranking.parent / CANDIDATES_DIR}")


def _line(state) -> str:
    if state.status == "ok":
        from amp_qgis_plugin.core.batch.ranking import ranking_score

        score = ranking_score(state.scores)
        text = "no score (no data)" if score is None else f"score {score:.1f}"
        return f"{state.name}: ok, {text} ({state.seconds:.1f} s)"
    return f"{state.name}: failed ({state.failure}): {state.reason.rstrip('.')}"


class LineProgress:
    """One plain line per finished candidate on stdout (for logs and pipes)."""

    def __init__(self, stream: Optional[Any] = None) -> None:
        self.stream = stream
        self.total = self.done = self.failed = 0
        self.started = 0.0
        self.new = 0

    def start(self, total: int, finished: int, failed: int, where: str) -> None:
        import time

        self.total, self.done, self.failed = total, finished, failed
        self.started = time.perf_counter()
        out = self.stream or sys.stdout
        if finished:
            print(f"{finished} of {total} candidates were finished by an earlier run and are "
                  "kept.", file=out, flush=True)
        if finished < total:
            print(f"Assessing {total - finished} candidates {where}.", file=out, flush=True)

    def candidate_done(self, state, resumed: bool = False) -> None:
        import time

        if resumed:
            return
        self.done += 1
        self.new += 1
        self.failed += state.status == "failed"
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.new * (self.total - self.done)
        print(f"[{self.done}/{self.total}] {_line(state)}; {self.failed} failed; about "
              f"{_duration(left)} left", file=self.stream or sys.stdout, flush=True)

    def close(self) -> None:
        """Nothing to close."""


class TerminalProgress:
    """A tqdm progress bar on stderr: candidates done of all, failed, time left."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.failed = 0

    def start(self, total: int, finished: int, failed: int, where: str) -> None:
        from tqdm import tqdm

        self.failed = failed
        if finished:
            print(f"{finished} of {total} candidates were finished by an earlier run and are "
                  "kept.", file=sys.stderr)
        self.bar = tqdm(total=total, initial=finished, unit="place", desc="Candidates",
                        file=sys.stderr, dynamic_ncols=True, smoothing=0.1,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                   "[{elapsed}<{remaining}, {rate_fmt}{postfix}]")
        self.bar.set_postfix_str(f"failed {failed}")

    def candidate_done(self, state, resumed: bool = False) -> None:
        if resumed or self.bar is None:
            return
        if state.status == "failed":
            self.failed += 1
            self.bar.write(f"  {_line(state)}", file=sys.stderr)
        self.bar.set_postfix_str(f"failed {self.failed}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:.0f} s"
    return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:.0f} min"
