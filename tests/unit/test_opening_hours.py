"""Opening-hours figures (U5) with hand-checked answers at the reference moments.

Reference moments (defaults): evening Wed 9 Apr 2025 20:00, weekend Sat 12 + Sun 13 Apr 2025,
winter evening Wed 15 Jan 2025 20:00.
"""

from __future__ import annotations

import pandas as pd
import pytest

from amp_qgis_plugin.core.feedback import RecordingFeedback
from amp_qgis_plugin.core.indicators.opening_hours import (
    OpeningHoursOptions,
    evaluate,
    opening_hours_figures,
    summarise,
)

HELSINKI = (60.17, 24.95)


def test_single_values():
    o = OpeningHoursOptions()
    assert evaluate("Mo-Fr 10:00-21:00; Sa 10:00-18:00", o)[:3] == ("open", "open", "open")
    assert evaluate("Mo-Fr 08:00-17:00", o)[:3] == ("closed", "closed", "closed")
    assert evaluate("24/7", o)[:3] == ("open", "open", "open")
    assert evaluate("", o)[:3] == ("missing", "missing", "missing")
    ev, we, wi, err = evaluate("Mo-Fr 10-18", o)          # hours without minutes: rejected
    assert (ev, we, wi) == ("invalid", "invalid", "invalid") and err
    assert evaluate("Sa unknown; Mo-Fr 10:00-21:00", o)[:3] == ("open", "unknown", "open")


def test_sun_relative_rule_uses_coordinates():
    # dark-hours opening: at 60 N the sun is up at 20:00 in April (sunset about 20:30) and down in January
    o = OpeningHoursOptions(coords=HELSINKI)
    ev, _, wi, _ = evaluate("sunset-sunrise", o)
    assert ev == "closed" and wi == "open"


def test_shares_count_and_list_unparseable_values():
    pois = pd.DataFrame({
        "osm_id": ["n1", "n2", "n3", "n4", "n5", "n6"],
        "opening_hours": ["Mo-Su 11:00-23:00", "Mo-Fr 09:00-17:00", "Mo-Sa 10:00-20:30; Jan off",
                          "open late", "", "Mo-Fr 10-18"],
    })
    fb = RecordingFeedback()
    s = opening_hours_figures(pois, OpeningHoursOptions(), feedback=fb)
    figs = {f.key: f for f in s.figures}
    # evaluable: n1, n2, n3 -> evening open n1, n3 (2/3); weekend n1, n3 (Sa); winter n1 only (Jan off)
    assert figs["evening_open_share"].value == pytest.approx(200 / 3)
    assert figs["weekend_open_share"].value == pytest.approx(200 / 3)
    assert figs["winter_evening_open_share"].value == pytest.approx(100 / 3)
    assert figs["opening_hours_invalid"].value == 2
    assert [i[0] for i in s.invalid] == ["n4", "n6"]
    assert "n4" in figs["opening_hours_invalid"].note and "n6" in figs["opening_hours_invalid"].note
    assert fb.warnings and "could not be parsed" in fb.warnings[0]
    assert figs["evening_open_share"].unit == "%" and figs["evening_open_share"].threshold == 50
    assert len(s.states) == 6   # nothing dropped


def test_no_evaluable_hours_is_no_data():
    s = summarise(pd.DataFrame({"osm_id": ["n1"], "opening_hours": ["nonsense!"]}))
    fig = {f.key: f for f in s.figures}["evening_open_share"]
    assert fig.value is None and fig.formatted() == "no data"
    s = summarise(pd.DataFrame({"osm_id": [], "opening_hours": []}))
    assert {f.key: f for f in s.figures}["weekend_open_share"].value is None
