"""Scoring thresholds with their sources, loaded from ``resources/scoring/<theme>.json``.

Every threshold an indicator or score uses lives in these data files, never in code, each
with the source it comes from (see docs/methodology.md), so every figure in an output can
name the threshold and the source it was judged against.

File format (one file per theme)::

    {
      "version": "2026-11-27",
      "thresholds": {
        "<id>": {"value": 9.1, "unit": "m2 per linear m",
                 "source": "NYC Zoning Resolution §37-741", "note": "..."}
      }
    }
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

from amp_qgis_plugin.core.errors import DataError

SCORING_DIR = Path(__file__).resolve().parent.parent / "resources" / "scoring"


@lru_cache(maxsize=None)
def load_thresholds(theme: str) -> Dict[str, Any]:
    """Return the parsed threshold file of ``theme`` (e.g. ``"frontage"``, ``"lighting"``).

    Raises
    ------
    DataError
        If the file is missing or not valid JSON (a broken installation).
    """
    path = SCORING_DIR / f"{theme}.json"
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise DataError(f"Scoring thresholds for {theme!r} could not be read from {path}: {exc}. "
                        "Reinstall the plugin.") from exc


def threshold(theme: str, key: str) -> Dict[str, Any]:
    """Return one threshold entry (value, unit, source, ...) of ``theme``."""
    entries = load_thresholds(theme).get("thresholds", {})
    if key not in entries:
        raise DataError(f"Threshold {key!r} is missing from the {theme!r} scoring file.")
    return entries[key]
