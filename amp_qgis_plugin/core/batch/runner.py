"""Run a batch: read the candidates, read the OSM file once, assess each, journal, rank.

:func:`run_batch` is the engine behind ``amp-place batch`` and ``amp:scorecandidates``:

1. read the candidate layer (an empty layer stops here: nothing is written);
2. connect to the Dask scheduler when one is given (an unreachable one stops here);
3. read the journal of the output folder and skip the candidates already finished with the
   same inputs;
4. read the OSM file once for the study areas of all the others, and cut each candidate's
   PlaceData out of that read as its turn comes;
5. assess them (this process, local processes, or the cluster), journalling each as it
   finishes; a candidate outside the extract, or whose assessment fails, gets a failed entry
   and the others go on;
6. write ``DIR/ranking.gpkg`` (also every :data:`RANKING_REFRESH_S` seconds on the way, with
   the unfinished candidates as ``pending``, and when the run is cancelled).

The output folder::

    DIR/ranking.gpkg                 one row per candidate (see ranking.py)
    DIR/candidates/<stem>.gpkg       each candidate's assessment, as amp-place assess writes it
    DIR/candidates/<stem>-<raster>.tif
    DIR/state/candidate-<key>.json   the journal
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Protocol, Union

from amp_qgis_plugin.core.batch.candidates import (
    FAILURE_OUTSIDE,
    FINAL_FAILURES,
    Candidate,
    CandidateSet,
    place_options,
    read_candidates,
)
from amp_qgis_plugin.core.batch.state import (
    CANDIDATES_DIR,
    STATE_DIR,
    STATUS_FAILED,
    STATUS_OK,
    CandidateState,
    Journal,
    fingerprint,
    osm_identity,
    scoring_identity,
    utc_now,
)
from amp_qgis_plugin.core.batch.worker import CandidateOutcome, CandidateTask
from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, ScaledFeedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: Seconds between two refreshes of ranking.gpkg while a batch runs.
RANKING_REFRESH_S = 300.0


@dataclass
class BatchRequest:
    """Everything a batch needs.

    Attributes
    ----------
    candidates : path-like or GeoDataFrame
        The candidate layer (any OGR file, or a frame whose index holds the feature ids).
    osm_file : str
        The OSM file read once for all candidates.
    out_dir : str
        The batch folder (created; a folder of an earlier run of the same batch is resumed).
    candidates_layer : str, optional
        Layer of a multi-layer candidate file.
    radius_m : float, optional
        Radius of point candidates (when no radius field gives one).
    radius_field, name_field : str, optional
        Fields of the candidate layer.
    study_radius_m, max_place_area_m2 : float, optional
        As for one place (data-file defaults).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``); without it, this machine.
    workers : int
        Local processes when no scheduler is given (1: in this process).
    """

    candidates: Union[str, "os.PathLike[str]", "gpd.GeoDataFrame"]
    osm_file: str
    out_dir: str
    candidates_layer: Optional[str] = None
    radius_m: Optional[float] = None
    radius_field: Optional[str] = None
    name_field: Optional[str] = None
    study_radius_m: Optional[float] = None
    max_place_area_m2: Optional[float] = None
    scheduler: Optional[str] = None
    workers: int = 1


class BatchProgress(Protocol):
    """What the batch tells its interface (the CLI's progress bar, QGIS's log)."""

    def start(self, total: int, finished: int, failed: int, where: str) -> None:
        """The batch starts: ``finished`` of ``total`` are done already (``failed`` of them)."""

    def candidate_done(self, state: CandidateState, resumed: bool = False) -> None:
        """One more candidate finished (``resumed``: from the journal of an earlier run)."""

    def close(self) -> None:
        """The batch ended (or stopped)."""


class _NoProgress:
    def start(self, total: int, finished: int, failed: int, where: str) -> None:
        pass

    def candidate_done(self, state: CandidateState, resumed: bool = False) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class BatchSummary:
    """What a batch did.

    Attributes
    ----------
    ranking : Path
        ``DIR/ranking.gpkg``.
    total, ok, failed : int
        Candidates in the layer; assessed; failed (invalid, no place, outside the extract, an
        error).
    resumed : int
        Candidates found finished in the journal and not assessed again.
    assessed : int
        Candidates assessed by this run.
    timings : dict of str to float
        Seconds per stage: ``candidates``, ``osm_read``, ``subset`` (cutting all candidates'
        layers out of the read, in the batch's process; the workers finish them into
        PlaceData), ``assess`` (wall time from the first task to the last answer, cutting
        included), ``ranking``, ``total``; ``batch_cpu`` is the CPU time of the batch's own
        process (reading, cutting, journalling; the assessments too when run in it).
    states : dict of str to CandidateState
        The journal entry of every candidate, by key.
    where : str
        Where the assessments ran.
    osm_features : int
        Features of the one read of the OSM file (all layers).
    """

    ranking: Path
    total: int
    ok: int
    failed: int
    resumed: int
    assessed: int
    timings: Dict[str, float] = field(default_factory=dict)
    states: Dict[str, CandidateState] = field(default_factory=dict)
    where: str = ""
    osm_features: int = 0


def run_batch(request: BatchRequest, *, feedback: Optional[Feedback] = None,
              progress: Optional[BatchProgress] = None) -> BatchSummary:
    """Assess and rank every candidate of ``request`` (see the module's description).

    Parameters
    ----------
    request : BatchRequest
        The inputs.
    feedback : Feedback, optional
        Progress over the whole batch, cancellation (also inside each assessment when run in
        this process), messages.
    progress : BatchProgress, optional
        Told of each finished candidate (the CLI draws its progress bar from it).

    Returns
    -------
    BatchSummary

    Raises
    ------
    InputError
        Before any work: the candidate layer is empty or unreadable, a field is missing, the
        OSM file cannot be used, the scheduler cannot be reached, another run holds the folder.
    CancelledError
        When cancelled; finished candidates are kept and a new run continues from them.
    """
    from amp_qgis_plugin.core.data.osm_file import check_osm_file

    feedback = feedback or NullFeedback()
    progress = progress or _NoProgress()
    timings: Dict[str, float] = {}
    start = time.perf_counter()
    candidates = read_candidates(request.candidates, layer=request.candidates_layer,
                                 radius_m=request.radius_m, radius_field=request.radius_field,
                                 name_field=request.name_field,
                                 study_radius_m=request.study_radius_m,
                                 max_place_area_m2=request.max_place_area_m2)
    timings["candidates"] = time.perf_counter() - start
    check_osm_file(request.osm_file)
    if request.workers < 1:
        raise InputError(f"The number of workers must be at least 1, not {request.workers}.",
                         options=("workers",))
    executor = _executor(request)
    try:
        with _FolderLock(request.out_dir):
            return _run(request, candidates, executor, feedback, progress, timings, start)
    finally:
        executor.close()
        progress.close()


def _executor(request: BatchRequest):
    from amp_qgis_plugin.core.batch import executors

    if request.scheduler:
        return executors.DaskExecutor.connect(request.scheduler)
    if request.workers > 1:
        return executors.ProcessExecutor(request.workers)
    return executors.SerialExecutor()


def _run(request: BatchRequest, candidates: CandidateSet, executor, feedback: Feedback,
         progress: BatchProgress, timings: Dict[str, float], start: float) -> BatchSummary:
    from amp_qgis_plugin.core.batch.ranking import ranking_frame, write_ranking

    cpu_start = time.process_time()
    folder = Path(request.out_dir)
    journal = Journal(folder)
    options = place_options(request.study_radius_m, request.max_place_area_m2)
    settings = {"osm": osm_identity(request.osm_file), "study_radius_m": options.study_radius_m,
                "max_place_area_m2": options.max_place_area_m2, "scoring": scoring_identity()}
    prints = {c.key: fingerprint(c, candidates.crs, settings) for c in candidates}
    states: Dict[str, CandidateState] = {}
    for candidate in candidates:
        entry = journal.read(candidate.key)
        if entry is not None and entry.fingerprint == prints[candidate.key] and \
                (entry.status == STATUS_OK or entry.failure in FINAL_FAILURES) and \
                (entry.status != STATUS_OK or (folder / entry.gpkg).is_file()):
            states[candidate.key] = entry
    resumed = len(states)
    _clean_work_folders(folder)
    total = len(candidates)
    failed_before = sum(s.status == STATUS_FAILED for s in states.values())
    pending = [c for c in candidates if c.key not in states]
    # largest places first: their assessments take longest (sightlines and lighting grids grow
    # with the area), so the last ones to finish are short and no worker idles long at the end
    with_place = sorted((c for c in pending if c.place is not None),
                        key=lambda c: -c.place.area_m2)  # type: ignore[union-attr]
    where = executor.description if with_place else "nothing left to assess"
    progress.start(total, resumed, failed_before, where)
    for state in states.values():
        progress.candidate_done(state, resumed=True)
    if resumed:
        feedback.pushInfo(f"{resumed} of {total} candidates were finished by an earlier run "
                          "with the same inputs and are kept.")
    last_ranking = [time.perf_counter()]

    def record(state: CandidateState) -> None:
        journal.write(state)
        states[state.key] = state
        progress.candidate_done(state)
        feedback.setProgress(100.0 * len(states) / max(total, 1))
        if time.perf_counter() - last_ranking[0] > RANKING_REFRESH_S:
            write_ranking(ranking_frame(candidates, states, folder), folder)
            last_ranking[0] = time.perf_counter()

    def finished(outcome: CandidateOutcome) -> None:
        if outcome.files:
            _write_files(folder / CANDIDATES_DIR, outcome.files)
        record(outcome.state)

    summary_extra: Dict[str, Any] = {"osm_features": 0}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for candidate in pending:
            if candidate.place is None:  # failed when read: journalled at once
                record(_failed(candidate, prints[candidate.key], candidate.failure,
                               candidate.reason))
        if with_place:
            tasks = _tasks(request, with_place, prints, folder, feedback, timings, record,
                           summary_extra)
            started = time.perf_counter()
            base = 100.0 * (total - len(with_place)) / max(total, 1)
            executor.run(tasks, len(with_place), finished,
                         feedback=ScaledFeedback(feedback, base, 100.0))
            # the one read happens before the first task; cutting overlaps the workers
            timings["assess"] = time.perf_counter() - started - timings.get("osm_read", 0.0)
    except (CancelledError, KeyboardInterrupt) as exc:
        if states:
            write_ranking(ranking_frame(candidates, states, folder), folder)
        done = len(states)
        raise CancelledError(
            f"Cancelled after {done} of {total} candidates; the finished ones are kept in "
            f"{folder}, and running the batch again with the same inputs continues from "
            "there.") from exc
    started = time.perf_counter()
    path = write_ranking(ranking_frame(candidates, states, folder), folder)
    timings["ranking"] = time.perf_counter() - started
    timings["total"] = time.perf_counter() - start
    timings["batch_cpu"] = time.process_time() - cpu_start
    feedback.setProgress(100.0)
    ok = sum(s.status == STATUS_OK for s in states.values())
    return BatchSummary(ranking=path, total=total, ok=ok, failed=len(states) - ok,
                        resumed=resumed, assessed=len(states) - resumed, timings=timings,
                        states=dict(states), where=where,
                        osm_features=int(summary_extra["osm_features"]))


def _tasks(request: BatchRequest, candidates: List[Candidate], prints: Dict[str, str],
           folder: Path, feedback: Feedback, timings: Dict[str, float], record,
           extra: Dict[str, Any]) -> Iterator[CandidateTask]:
    """Read the OSM file once, then yield each candidate's task as the executor asks for it.

    A candidate whose study area holds no OSM feature at all is outside the extract: it is
    journalled as failed here and never reaches a worker.
    """
    from amp_qgis_plugin.core.batch.subset import cut_layers, has_osm_features, read_union_layers

    options = place_options(request.study_radius_m, request.max_place_area_m2)
    started = time.perf_counter()
    feedback.pushInfo(f"Reading {request.osm_file} once for {len(candidates)} candidates.")
    layers, provenance, crs = read_union_layers(
        request.osm_file, [c.place for c in candidates],  # type: ignore[misc]
        feedback=_WithoutProgress(feedback))
    timings["osm_read"] = time.perf_counter() - started
    extra["osm_features"] = sum(len(g) for g in layers.values())
    timings["subset"] = 0.0
    for candidate in candidates:
        check_cancelled(feedback)
        place = candidate.place
        if place is None:  # pragma: no cover - only candidates with a place come here
            continue
        started = time.perf_counter()
        cut = cut_layers(layers, crs, place)
        timings["subset"] += time.perf_counter() - started
        if not has_osm_features(cut):
            record(_failed(candidate, prints[candidate.key], FAILURE_OUTSIDE,
                           f"No OSM feature at all within {place.study_radius_m:g} m of the "
                           "candidate: it lies outside the OSM extract (or in an empty area). "
                           "Use an extract that covers it."))
            continue
        yield CandidateTask(key=candidate.key, name=candidate.name, stem=candidate.stem,
                            fingerprint=prints[candidate.key], place=place, layers=cut,
                            osm_provenance=dict(provenance),
                            max_place_area_m2=options.max_place_area_m2,
                            batch_size=len(candidates), folder=str(folder))


class _WithoutProgress:
    """The batch's feedback for the one read: cancellation and messages, not its progress
    (which counts candidates)."""

    def __init__(self, parent: Feedback) -> None:
        self.parent = parent

    def setProgress(self, progress: float) -> None:  # noqa: N802
        pass

    def isCanceled(self) -> bool:  # noqa: N802
        return self.parent.isCanceled()

    def pushInfo(self, info: str) -> None:  # noqa: N802
        self.parent.pushInfo(info)

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        self.parent.pushWarning(warning)


def _failed(candidate: Candidate, print_: str, failure: str, reason: str) -> CandidateState:
    return CandidateState(key=candidate.key, name=candidate.name, stem=candidate.stem,
                          fingerprint=print_, status=STATUS_FAILED, failure=failure,
                          reason=reason, warnings=list(candidate.warnings),
                          finished_at=utc_now())


def _write_files(target: Path, files: Dict[str, bytes]) -> None:
    """Write the files a remote worker sent back, each atomically."""
    from amp_qgis_plugin.core.atomic import atomic_output

    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        with atomic_output(target / name, suffix=f".partial{Path(name).suffix}") as tmp:
            tmp.write_bytes(content)


def _clean_work_folders(folder: Path) -> None:
    """Remove the temporary folders of assessments a killed run left unfinished."""
    for work in (folder / CANDIDATES_DIR).glob(".work-*"):
        shutil.rmtree(work, ignore_errors=True)


class _FolderLock:
    """One batch at a time per output folder (an advisory lock the system drops with the
    process, so a killed run never leaves the folder locked)."""

    def __init__(self, folder: "os.PathLike[str] | str") -> None:
        self.path = Path(folder) / STATE_DIR / ".lock"
        self.handle: Any = None

    def __enter__(self) -> "_FolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return self
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise InputError(f"Another batch is running in {self.path.parent.parent}; wait for "
                             "it to end or choose another output folder.",
                             options=("output",)) from None
        return self

    def __exit__(self, *exc: Any) -> None:
        self.handle.close()
