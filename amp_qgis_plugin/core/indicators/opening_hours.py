"""Evening, weekend and winter-evening activity from OSM ``opening_hours`` (methodology §8.2 U5).

Parsing uses the maintained parser ``opening-hours-py`` (PyPI ``opening-hours-py``, import name
``opening_hours``; a Rust implementation of the OSM opening_hours specification that follows the
reference JS library's real-world extensions). We only decide *when* to ask it:

* evening: open at 20:00 on an ordinary weekday (default Wednesday 9 April 2025, no holiday);
* weekend: open at any moment of the following Saturday or Sunday;
* winter evening: open at 20:00 on a weekday in January (default Wednesday 15 January 2025).

Sun-relative rules (``sunset-sunrise``) need the place's coordinates, which we pass when known.
Public holidays (``PH``) are not evaluated: the reference days are chosen to be ordinary working
days and weekends without holidays, so no country calendar is needed.

What the library cannot do, and what we do instead:

* Values it rejects (``"Mo-Fr 10-18"``, ``"yes"``, free text) raise ``ParserError``; they are
  counted, listed with the reason, and left out of the shares (never silently dropped).
* Rules whose state is "unknown" (``Sa unknown``, comments like ``"by appointment"`` do not make
  it unknown, but ``unknown`` does) are counted as unknown and are not open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import pandas as pd

from amp_qgis_plugin.core.errors import DependencyError
from amp_qgis_plugin.core.indicators.result import Figure, figure_from_threshold

OPEN, CLOSED, UNKNOWN, INVALID, MISSING = "open", "closed", "unknown", "invalid", "missing"


@dataclass
class OpeningHoursOptions:
    """Reference moments of the opening-hours figures (written into the provenance)."""

    evening: dt.datetime = dt.datetime(2025, 4, 9, 20, 0)
    weekend_start: dt.datetime = dt.datetime(2025, 4, 12, 0, 0)
    winter_evening: dt.datetime = dt.datetime(2025, 1, 15, 20, 0)
    coords: Optional[Tuple[float, float]] = None  # (latitude, longitude) for sunset/sunrise


@dataclass
class OpeningHoursSummary:
    """States of a set of POIs at the reference moments.

    Attributes
    ----------
    states : DataFrame
        One row per POI: ``poi_id``, ``opening_hours``, ``evening``, ``weekend``,
        ``winter_evening`` (each open/closed/unknown/invalid/missing) and ``error``.
    figures : list of Figure
        Evening, weekend and winter-evening shares (%), and counts of unparseable values.
    invalid : list of (poi_id, value, reason)
        Every value the parser rejected.
    """

    states: pd.DataFrame
    figures: List[Figure] = field(default_factory=list)
    invalid: List[Tuple[str, str, str]] = field(default_factory=list)


def _library():
    try:
        import opening_hours  # noqa: WPS433 (import inside: a clear message if it is missing)
    except ImportError as exc:  # pragma: no cover - it is a runtime dependency
        raise DependencyError("The Python package 'opening-hours-py' is missing; install it with "
                              "'pip install opening-hours-py'.") from exc
    return opening_hours


def evaluate(value: str, options: OpeningHoursOptions) -> Tuple[str, str, str, str]:
    """Return (evening, weekend, winter_evening, error) states of one ``opening_hours`` value."""
    oh_mod = _library()
    text = (value or "").strip()
    if not text:
        return MISSING, MISSING, MISSING, ""
    try:
        kwargs = {"coords": options.coords} if options.coords else {}
        parsed = oh_mod.OpeningHours(text, **kwargs)
    except Exception as exc:  # ParserError, SyntaxError and friends from the Rust binding
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return INVALID, INVALID, INVALID, reason
    try:
        evening = _state(parsed.state(options.evening)[0])
        winter = _state(parsed.state(options.winter_evening)[0])
        end = options.weekend_start + dt.timedelta(days=2)
        weekend_states = {_state(s) for _, _, s, _ in parsed.intervals(options.weekend_start, end)}
        weekend = OPEN if OPEN in weekend_states else UNKNOWN if UNKNOWN in weekend_states else CLOSED
    except Exception as exc:  # evaluation errors (rare: e.g. unsupported year ranges)
        return INVALID, INVALID, INVALID, f"cannot be evaluated: {exc}"
    return evening, weekend, winter, ""


def _state(state) -> str:
    name = str(getattr(state, "name", state)).lower()
    return OPEN if "open" in name else UNKNOWN if "unknown" in name else CLOSED


def summarise(pois: pd.DataFrame, options: Optional[OpeningHoursOptions] = None,
              *, target_theme: str = "frontage") -> OpeningHoursSummary:
    """Evaluate the ``opening_hours`` of ``pois`` and build the U5 figures.

    Shares are of the POIs whose hours could be evaluated (open or closed; unknown counts as not
    open). POIs without ``opening_hours`` are reported as a count. With no evaluable POI at all the
    shares are "no data" (None), not 0.
    """
    options = options or OpeningHoursOptions()
    ids = [str(v) if str(v) else f"p{i}" for i, v in
           enumerate(pois["osm_id"].fillna("") if "osm_id" in pois else [""] * len(pois))]
    values = pois["opening_hours"].fillna("").astype(str).tolist() if "opening_hours" in pois \
        else [""] * len(pois)
    rows = []
    invalid = []
    for pid, value in zip(ids, values):
        ev, we, wi, err = evaluate(value, options)
        rows.append({"poi_id": pid, "opening_hours": value, "evening": ev, "weekend": we,
                     "winter_evening": wi, "error": err})
        if ev == INVALID:
            invalid.append((pid, value, err))
    states = pd.DataFrame(rows, columns=["poi_id", "opening_hours", "evening", "weekend",
                                         "winter_evening", "error"])
    n_missing = int((states.evening == MISSING).sum()) if len(states) else 0
    evaluable = states[~states.evening.isin([MISSING, INVALID])] if len(states) else states
    n = len(evaluable)
    note_base = (f"{n} of {len(states)} POIs with evaluable opening_hours; {n_missing} without "
                 f"opening_hours; {len(invalid)} unparseable")

    def share(col: str) -> Optional[float]:
        return float((evaluable[col] == OPEN).sum() / n * 100.0) if n else None

    nodata = "no data: no POI has evaluable opening_hours" if n == 0 else ""
    figures = [
        figure_from_threshold(target_theme, "evening_open_target", "evening_open_share",
                              f"Open at 20:00 on a weekday ({options.evening:%a %d %b %Y})",
                              share("evening"), indicator="U5", note=nodata or note_base),
        Figure("weekend_open_share", f"Open at the weekend ({options.weekend_start:%d %b %Y} + 1 day)",
               share("weekend"), "%", "U5", source="Gehl criterion 2 (no numeric threshold)",
               verified=False, note=nodata or note_base),
        Figure("winter_evening_open_share",
               f"Open at 20:00 on a winter weekday ({options.winter_evening:%a %d %b %Y})",
               share("winter_evening"), "%", "U5", source="Gehl criterion 2 (no numeric threshold)",
               verified=False, note=nodata or note_base),
        Figure("opening_hours_invalid", "Unparseable opening_hours values", len(invalid), "POIs", "U5",
               note="; ".join(f"{pid}: {val!r}" for pid, val, _ in invalid[:20]) +
               (" ..." if len(invalid) > 20 else "")),
    ]
    return OpeningHoursSummary(states=states, figures=figures, invalid=invalid)


def place_coords(geometry, crs: str) -> Optional[Tuple[float, float]]:
    """(latitude, longitude) of a geometry's centroid, for sun-relative rules; None on failure."""
    try:
        from pyproj import Transformer

        c = geometry.centroid
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(c.x, c.y)
        return (float(lat), float(lon))
    except Exception:  # no pyproj grid or odd CRS: sun rules fall back to the library default
        return None


def opening_hours_figures(pois: pd.DataFrame, options: Optional[OpeningHoursOptions] = None,
                          feedback=None) -> OpeningHoursSummary:
    """:func:`summarise` plus a warning on the feedback listing unparseable values."""
    summary = summarise(pois, options)
    if feedback is not None and summary.invalid:
        listed = "; ".join(f"{pid} {val!r} ({why})" for pid, val, why in summary.invalid[:10])
        feedback.pushWarning(f"{len(summary.invalid)} opening_hours value(s) could not be parsed and "
                             f"are left out of the evening shares: {listed}")
    return summary


__all__: Sequence[str] = ("OpeningHoursOptions", "OpeningHoursSummary", "evaluate", "summarise",
                          "opening_hours_figures", "place_coords")
