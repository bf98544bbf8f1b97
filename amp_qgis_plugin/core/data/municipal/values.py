"""Source values -> canonical column values: text, numbers with a decimal comma, transforms."""

from __future__ import annotations

import math
from typing import Any, Optional

from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.data.schema import FLOAT, INT
from amp_qgis_plugin.core.feedback import Feedback


def _to_text(value: Any) -> Optional[str]:
    """Source value as text for ``map`` keys and text columns; None when missing."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    return text if text else None


def _by_unique(values, fn) -> "Any":
    """Apply ``fn`` once per distinct value (``fn(None)`` for missing) and spread the results.

    Registers repeat a few values (luminaire types, Ja/Nej) over many features, so this is
    much faster than calling ``fn`` per feature; returns an object array.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = fn(None)
    return results[codes]  # code -1 (missing) picks the last entry


def _parse_number(value: Any) -> float:
    """A source value as a float (decimal comma allowed); NaN when missing or not a number."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", ".")
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _to_numbers(values, column: str, mapping: FieldMapping, feedback: Optional[Feedback]):
    """Convert to float, reading a decimal comma; warn about values that are not numbers."""
    import numpy as np
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    numbers = _by_unique(series, _parse_number).astype("float64")
    given = _by_unique(series, lambda v: _to_text(v) is not None).astype(bool)
    bad = np.isnan(numbers) & given
    if bad.any() and feedback is not None:
        example = series[bad].iloc[0]
        feedback.pushWarning(f"Mapping {mapping.name!r}: {int(bad.sum())} value(s) of {column} "
                             f"are not numbers (e.g. {example!r}); they count as unknown.")
    return numbers


def _apply_column(values, col: str, kind: str, mapping: FieldMapping,
                  feedback: Optional[Feedback]):
    """Apply ``mapping.transforms[col]`` to the source values and return the canonical values."""
    import numpy as np

    spec = mapping.transforms.get(col, {})
    if "map" in spec:
        table = {str(k): v for k, v in spec["map"].items()}
        folded = {k.strip().casefold(): v for k, v in table.items()}

        def lookup(value):
            key = _to_text(value)
            if key is None:
                return value
            if key in table:
                return table[key]
            return folded.get(key.casefold(), value)

        values = _by_unique(values, lookup)
    if kind in (FLOAT, INT):
        numbers = _to_numbers(values, col, mapping, feedback)
        if "scale" in spec:
            numbers = numbers * float(spec["scale"])
        if "default" in spec:
            numbers = np.where(np.isnan(numbers), float(spec["default"]), numbers)
        return numbers
    default = str(spec["default"]) if "default" in spec else ""
    return _by_unique(values, lambda v: _to_text(v) or default)
