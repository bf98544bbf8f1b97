"""The batch journal: one small JSON file per finished candidate, written atomically.

``DIR/state/candidate-<key>.json`` is written (under a temporary name, flushed to disk, then
renamed) as each candidate finishes, after its assessment GeoPackage is in place. A run killed
at any moment (``kill -9`` included) therefore leaves every candidate either finished, with its
journal entry and its files, or not started as far as the next run is concerned; the next run
with the same inputs reads the journal and skips what is finished.

Each entry carries the candidate's *fingerprint*: a hash of everything its result depends on
(its geometry, name, radius and file stem, the study-area settings, the OSM file's path, size
and modification time, the plugin version and the bundled scoring files). An entry whose
fingerprint no longer matches (the candidate was moved, the OSM file replaced) is assessed
again; candidates no longer in the layer are left out of the ranking.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from amp_qgis_plugin.core.atomic import atomic_output

#: Folder of the journal inside the batch's output folder.
STATE_DIR = "state"
#: Folder of the candidates' assessments inside the batch's output folder.
CANDIDATES_DIR = "candidates"

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_PENDING = "pending"


@dataclass
class CandidateState:
    """What the journal keeps of one finished candidate (also the worker's answer).

    Attributes
    ----------
    key, name, stem : str
        The candidate (see :class:`~amp_qgis_plugin.core.batch.candidates.Candidate`).
    fingerprint : str
        Hash of everything the result depends on.
    status : str
        ``"ok"`` or ``"failed"``.
    failure, reason : str
        The failure code and its explanation (empty when ok).
    gpkg : str
        The assessment GeoPackage, relative to the batch folder (``candidates/<stem>.gpkg``).
    scores, coverage, bands : dict
        Per PPS attribute and for the safety index: score 0-100 (None = no data), weight
        coverage in percent, band (red/yellow/green, empty without data).
    figures : dict
        The indicators' main figures (registry ``main_figures``; None = no data).
    place_area_m2 : float or None
        Area of the place polygon.
    warnings : list of str
        The assessment's warnings.
    seconds : float
        Wall time of the assessment and its writing.
    cpu_seconds : float
        CPU time of the process that assessed it, over the same span.
    timings : dict
        Seconds per stage of the assessment (each indicator, scoring).
    peak_rss_mib : float or None
        Peak resident memory of the process that assessed it.
    finished_at : str
        UTC time the candidate finished.
    traceback : str
        For an assessment error: the Python traceback, for a bug report.
    """

    key: str
    name: str
    stem: str
    fingerprint: str
    status: str
    failure: str = ""
    reason: str = ""
    gpkg: str = ""
    scores: Dict[str, Optional[float]] = field(default_factory=dict)
    coverage: Dict[str, float] = field(default_factory=dict)
    bands: Dict[str, str] = field(default_factory=dict)
    figures: Dict[str, Optional[float]] = field(default_factory=dict)
    place_area_m2: Optional[float] = None
    warnings: List[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    timings: Dict[str, float] = field(default_factory=dict)
    peak_rss_mib: Optional[float] = None
    finished_at: str = ""
    traceback: str = ""

    def to_json(self) -> str:
        """The entry as JSON text."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "CandidateState":
        """Read an entry written by :meth:`to_json` (unknown keys are ignored)."""
        raw = json.loads(text)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in names})


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Journal:
    """The journal of one batch folder."""

    def __init__(self, folder: "os.PathLike[str] | str") -> None:
        self.folder = Path(folder)
        self.state_dir = self.folder / STATE_DIR

    def path(self, key: str) -> Path:
        """The entry file of candidate ``key``."""
        from amp_qgis_plugin.core.assess import place_slug

        slug = place_slug(key)
        if slug != key:  # keys are feature ids; anything else gets a hash to stay unique
            slug = f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
        return self.state_dir / f"candidate-{slug}.json"

    def read(self, key: str) -> Optional[CandidateState]:
        """The entry of candidate ``key``, or None (missing, or unreadable: assessed again)."""
        try:
            return CandidateState.from_json(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, state: CandidateState) -> Path:
        """Write the entry of ``state.key`` atomically and durably (flushed before the rename)."""
        target = self.path(state.key)
        with atomic_output(target, suffix=".partial.json") as tmp:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(state.to_json())
                handle.flush()
                os.fsync(handle.fileno())
        return target


def osm_identity(path: "os.PathLike[str] | str") -> Dict[str, Any]:
    """Path, size and modification time of the OSM file (a replaced file is a new one)."""
    p = Path(path).resolve()
    stat = p.stat()
    return {"path": str(p), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def scoring_identity() -> str:
    """Hash of the plugin version and the bundled scoring files (thresholds, profile)."""
    from amp_qgis_plugin.__about__ import __version__

    digest = hashlib.sha256(__version__.encode("utf-8"))
    scoring = Path(__file__).resolve().parent.parent.parent / "resources" / "scoring"
    for item in sorted(scoring.glob("*.json")):
        digest.update(item.name.encode("utf-8"))
        digest.update(item.read_bytes())
    return digest.hexdigest()


def fingerprint(candidate: Any, crs: str, settings: Mapping[str, Any]) -> str:
    """Hash of everything a candidate's result depends on.

    Parameters
    ----------
    candidate : Candidate
        Its geometry (as given), name, radius and stem count.
    crs : str
        The candidate layer's CRS.
    settings : mapping
        The batch-wide inputs: OSM file identity, study radius, largest place, scoring files.
    """
    geometry = candidate.geometry.wkb_hex if candidate.geometry is not None else ""
    payload = {"geometry": geometry, "crs": crs, "name": candidate.name, "stem": candidate.stem,
               "radius_m": candidate.radius_m, "settings": dict(settings)}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
