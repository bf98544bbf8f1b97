"""Assess one candidate: the same entries as ``amp-place assess``, written under its own stem.

:func:`assess_candidate` runs :func:`~amp_qgis_plugin.core.assess.assess_place` on the
candidate's PlaceData and writes it with :func:`~amp_qgis_plugin.core.assess.write_assessment`,
so its ``candidates/<stem>.gpkg`` holds exactly what a single assessment holds. It runs in the
batch's own process, in a local worker process or on a Dask worker (which may be another
machine: there it writes into a temporary folder and hands the files back as bytes). An error
of the assessment becomes a failed answer with its reason and traceback, never an exception
that would stop the other candidates; only cancellation propagates.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional

from amp_qgis_plugin.core.batch.candidates import FAILURE_ERROR
from amp_qgis_plugin.core.batch.state import (
    CANDIDATES_DIR,
    STATUS_FAILED,
    STATUS_OK,
    CandidateState,
    utc_now,
)
from amp_qgis_plugin.core.errors import CancelledError
from amp_qgis_plugin.core.feedback import Feedback

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.place import Place

#: Keys of the four PPS attributes and the safety index, in the ranking's order.
PROFILE_KEYS = ("uses_activities", "comfort_image", "access_linkages", "sociability", "safety")


def preload_modules() -> List[str]:
    """Modules a local worker process imports once, before its first candidate (the fork
    server imports them, so every worker starts with them loaded)."""
    from amp_qgis_plugin.core.indicators.registry import INDICATORS

    return ["amp_qgis_plugin.core.batch.worker", "amp_qgis_plugin.core.assess",
            "amp_qgis_plugin.core.scoring", "amp_qgis_plugin.core.outputs",
            "amp_qgis_plugin.core.raster", "geopandas", "pyogrio", "rasterio",
            "scipy.sparse.csgraph", *[ind.module for ind in INDICATORS.values()]]


def main_figure_keys() -> List[str]:
    """The main figures of every indicator (registry order), kept for the ranking's columns."""
    from amp_qgis_plugin.core.indicators.registry import INDICATORS

    return [key for ind in INDICATORS.values() for key, _ in ind.outputs()]


@dataclass
class CandidateTask:
    """One candidate to assess.

    Attributes
    ----------
    key, name, stem, fingerprint : str
        The candidate and the hash of its inputs.
    place : Place
        Its place.
    layers : dict of str to GeoDataFrame
        Its layers, cut out of the batch's read (:func:`.subset.cut_layers`); the worker
        finishes them into its PlaceData, so the batch's own process only cuts.
    osm_provenance : dict of str to str
        The read's provenance rows.
    max_place_area_m2 : float
        The largest place allowed (for provenance).
    batch_size : int
        Candidates of the read (for provenance).
    folder : str or None
        The batch folder, when the worker can write into it (same machine or a shared file
        system); None: write into a temporary folder and return the files' bytes.
    """

    key: str
    name: str
    stem: str
    fingerprint: str
    place: "Place"
    layers: Dict[str, "gpd.GeoDataFrame"]
    osm_provenance: Dict[str, str]
    max_place_area_m2: float
    batch_size: int = 1
    folder: Optional[str] = None

    def place_data(self) -> "PlaceData":
        """The candidate's PlaceData (as ``fetch`` would make it for the place alone)."""
        from amp_qgis_plugin.core.batch.subset import assemble_place_data

        return assemble_place_data(self.place, self.layers, self.osm_provenance,
                                   max_place_area_m2=self.max_place_area_m2,
                                   batch_size=self.batch_size)


@dataclass
class CandidateOutcome:
    """The worker's answer: the journal entry and, from a remote worker, the files written."""

    state: CandidateState
    files: Dict[str, bytes] = field(default_factory=dict)


class _Quiet:
    """Feedback for one candidate inside a batch: cancellation and progress reach the batch;
    the messages are kept on the candidate's row instead of flooding the log."""

    def __init__(self, parent: Optional[Feedback]) -> None:
        self.parent = parent

    def setProgress(self, progress: float) -> None:  # noqa: N802
        if self.parent is not None:
            self.parent.setProgress(progress)

    def isCanceled(self) -> bool:  # noqa: N802
        return self.parent is not None and self.parent.isCanceled()

    def pushInfo(self, info: str) -> None:  # noqa: N802
        pass

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        pass


def peak_rss_mib() -> Optional[float]:
    """Peak resident memory of this process in MiB (None where the platform does not say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def assess_candidate(task: CandidateTask, feedback: Optional[Feedback] = None) -> CandidateOutcome:
    """Assess ``task``'s place and write its folder entries under ``candidates/<stem>``.

    Parameters
    ----------
    task : CandidateTask
        The candidate and its data.
    feedback : Feedback, optional
        Cancellation and progress (0-100 for this candidate); messages are not forwarded.

    Returns
    -------
    CandidateOutcome
        ``status`` ok with the scores, or failed with ``FAILURE_ERROR`` and the reason.

    Raises
    ------
    CancelledError
        When the user cancels (nothing of this candidate is kept).
    """
    from amp_qgis_plugin.core.assess import assess_place, place_slug, write_assessment

    start, cpu = time.perf_counter(), time.process_time()
    state = CandidateState(key=task.key, name=task.name, stem=task.stem,
                           fingerprint=task.fingerprint, status=STATUS_OK)
    files: Dict[str, bytes] = {}
    try:
        data = task.place_data()
        assessment = assess_place(data, feedback=_Quiet(feedback))
        target = Path(task.folder) / CANDIDATES_DIR if task.folder else None
        if target is not None:
            target.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".work-{task.stem}-", dir=target))
        try:
            written = write_assessment(assessment, work)
            slug = place_slug(data.name)
            for item in sorted(work.iterdir()):
                name = task.stem + item.name[len(slug):] if item.name.startswith(slug) \
                    else f"{task.stem}-{item.name}"
                if target is not None:
                    os.replace(item, target / name)
                else:
                    files[name] = item.read_bytes()
                if item == written["gpkg"]:
                    state.gpkg = f"{CANDIDATES_DIR}/{name}"
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _fill_scores(state, assessment)
    except CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - one candidate's error must not stop the batch
        state.status, state.failure = STATUS_FAILED, FAILURE_ERROR
        state.reason = " ".join(f"{type(exc).__name__}: {exc}".split()) \
            if not hasattr(exc, "options") else " ".join(str(exc).split())
        state.traceback = traceback.format_exc()
        files.clear()
    state.seconds = round(time.perf_counter() - start, 3)
    state.cpu_seconds = round(time.process_time() - cpu, 3)
    state.peak_rss_mib = peak_rss_mib()
    state.finished_at = utc_now()
    return CandidateOutcome(state=state, files=files)


def _fill_scores(state: CandidateState, assessment) -> None:
    """Copy the attribute scores, the safety index, their coverage and the indicators' main
    figures into ``state``."""
    profile = assessment.profile
    aggregates = dict(profile.attributes)
    aggregates["safety"] = profile.index
    for key in PROFILE_KEYS:
        agg = aggregates.get(key)
        state.scores[key] = None if agg is None or agg.score is None else float(agg.score)
        state.coverage[key] = 0.0 if agg is None else float(agg.coverage_pct)
        state.bands[key] = "" if agg is None or agg.score is None else str(agg.band)
    try:
        state.place_area_m2 = round(float(assessment.data.place_polygon.area), 1)
    except Exception:  # noqa: BLE001 - the area is informative only
        state.place_area_m2 = None
    by_key = {f.key: f for r in assessment.results.values() for f in r.figures}
    for key in main_figure_keys():
        fig = by_key.get(key)
        try:
            value = float(fig.value) if fig is not None and fig.has_data else None
        except (TypeError, ValueError):
            value = None
        state.figures[key] = value if value is None or math.isfinite(value) else None
    state.warnings = list(assessment.warnings)
    state.timings = {k: round(float(v), 3) for k, v in assessment.timings.items()}
