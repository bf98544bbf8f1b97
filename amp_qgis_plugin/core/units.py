"""Units of the rules the engine reads: NYC plaza rules are kept in feet, converted exactly.

The NYC Zoning Resolution states its plaza rules in feet and square feet (§37-741 one linear
foot of seating per 30 sq ft, §37-744 a litter receptacle per 1,500 sq ft ...). Truncated metric
constants (139 m² for 1,500 sq ft) give one receptacle too many at each step, so the data files
keep the rules in their own units and the engine converts with the exact definition of the foot.
"""

from __future__ import annotations

from amp_qgis_plugin.core.errors import DataError
from amp_qgis_plugin.core.thresholds import threshold

#: One international foot in metres (exact by definition).
FOOT_M = 0.3048
#: One square foot in square metres (exactly 0.09290304).
SQUARE_FOOT_M2 = FOOT_M * FOOT_M

#: Slack for whole-number steps computed in floating point (an area of exactly 1,500 sq ft given
#: in m² may come back as 1,500.0000000001 sq ft and must not need a second bin).
STEP_EPS = 1e-9


def square_feet(area_m2: float) -> float:
    """An area in m² in square feet (exact conversion).

    >>> round(square_feet(557.0), 1)
    5995.5
    """
    return float(area_m2) / SQUARE_FOOT_M2


def above(area_m2: float, limit_sq_ft: float) -> bool:
    """True when ``area_m2`` is more than ``limit_sq_ft`` (a place of exactly the limit, give or
    take floating-point noise of the conversion, is not above it)."""
    return square_feet(area_m2) > limit_sq_ft * (1 + STEP_EPS)


def nyc_value(theme: str, key: str, unit: str) -> float:
    """The value of threshold ``key`` of ``theme``, checked to be stored in ``unit``.

    The NYC rules are stored in their own units ("sq ft", "sq ft per bin", "ft" ...); a value
    in another unit (an edited data file) would silently change every requirement.

    Raises
    ------
    DataError
        When the entry is not in ``unit``.
    """
    entry = threshold(theme, key)
    if str(entry.get("unit", "")) != unit:
        raise DataError(f"The {theme!r} scoring file gives {key!r} in {entry.get('unit')!r}; "
                        f"the rule is read in {unit!r}. Restore resources/scoring/{theme}.json.")
    return float(entry["value"])
