"""The perceived-safety index (trygghet) on hand-built indicator results.

The component values are chosen by hand; their scores and the index are derived in the comments
from the floors, targets and weights of ``resources/scoring/profile.json`` (methodology §8.6).
Visibility weights are the file's 0.3333 / 0.3333 / 0.1667 / 0.1667 (they sum to 1).
"""

from __future__ import annotations

import pytest

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators.registry import INDICATORS
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult, figures_frame
from amp_qgis_plugin.core.indicators.safety import SafetyOptions, compute_safety
from amp_qgis_plugin.core.scoring import score_profile


def result(theme: str, **figures) -> IndicatorResult:
    return IndicatorResult(theme=theme, figures=[Figure(k, k, v, u) for k, (v, u) in figures.items()])


def scene(access: bool = True) -> dict:
    """A place with every OSM-side component measured (P2 and P10 need municipal data)."""
    share = "% of length"
    results = {
        # P1 grade mix: 20 % A (100) + 30 % C (50) + 50 % E (0) = 35 -> score 35
        # P1 active share 60 % on 0 -> 80 % = 75; P9 open at 20:00 25 % on 0 -> 50 % = 50
        "frontage": result("frontage", grade_A_share=(20.0, share), grade_B_share=(0.0, share),
                           grade_C_share=(30.0, share), grade_D_share=(0.0, share),
                           grade_E_share=(50.0, share), active_share=(60.0, "%"),
                           evening_open_share=(25.0, "%")),
        # P3 prospect 55 % on 30 -> 80 % = 50; P5 occlusivity 30 % on 50 -> 10 % = 50;
        # P4 1 pocket/1,000 m2 on 5 -> 0 = 80
        "sightlines": result("sightlines", prospect_pct=(55.0, "%"), occlusivity_pct=(30.0, "%"),
                             concealment_pockets_per_1000m2=(1.0, "pockets/1000 m2")),
        # P7 E_min 1.2 lx on 0.4 -> 2.0 = 50; E_sc,min 0.6 lx on 0.2 -> 1.0 = 50;
        # P8 dark share 5 % on 20 -> 0 % = 75
        "lighting": result("lighting", emin=(1.2, "lx"), esc_min=(0.6, "lx"), dark_share=(5.0, "%")),
    }
    if access:
        # P6 entrances on 3 sides on 1 -> 2 = 100; dead ends 10 % on 50 -> 0 % = 80
        results["access"] = result("access", entrance_sides=(3, "sides"), dead_end_share=(10.0, "%"))
    return results


# group scores of scene():
SURVEILLANCE = 0.5 * 35 + 0.5 * 75                                  # 55 (P2 weight 0)
VISIBILITY = 0.3333 * 50 + 0.3333 * 50 + 0.1667 * 100 + 0.1667 * 80   # 63.336
LIGHTING = 0.25 * 50 + 0.25 * 50 + 0.5 * 75                        # 62.5
CONCEALMENT = 80.0
ACTIVITY = 50.0                                                     # P9 only; P10 no data
# PSI = 0.25 S + 0.25 V + 0.25 L + 0.15 C + 0.10 A
INDEX = 0.25 * SURVEILLANCE + 0.25 * VISIBILITY + 0.25 * LIGHTING + 0.15 * CONCEALMENT + 0.10 * ACTIVITY
# coverage: every group full except activity/care (P10 missing: half its weight)
COVERAGE = 100 * (0.25 + 0.25 + 0.25 + 0.15 + 0.10 * 0.5)


def test_components_groups_and_index_by_hand():
    res = compute_safety(None, results=scene())
    assert res.theme == "safety"
    values = {k: res.value(k) for k in ("p1_grade", "p1_active", "p3", "p5", "p6_sides",
                                        "p6_deadends", "p4", "p7_emin", "p7_esc", "p8", "p9")}
    assert values == pytest.approx({"p1_grade": 35, "p1_active": 60, "p3": 55, "p5": 30,
                                    "p6_sides": 3, "p6_deadends": 10, "p4": 1, "p7_emin": 1.2,
                                    "p7_esc": 0.6, "p8": 5, "p9": 25})
    scores = {k: res.value(f"{k}_score") for k in values}
    assert scores == pytest.approx({"p1_grade": 35, "p1_active": 75, "p3": 50, "p5": 50,
                                    "p6_sides": 100, "p6_deadends": 80, "p4": 80, "p7_emin": 50,
                                    "p7_esc": 50, "p8": 75, "p9": 50})
    assert res.value("surveillance_score") == pytest.approx(SURVEILLANCE)
    assert res.value("visibility_score") == pytest.approx(VISIBILITY)
    assert res.value("lighting_score") == pytest.approx(LIGHTING)
    assert res.value("concealment_score") == pytest.approx(CONCEALMENT)
    assert res.value("activity_care_score") == pytest.approx(ACTIVITY)
    assert res.value("safety_index") == pytest.approx(INDEX)        # 62.209
    assert res.value("safety_coverage") == pytest.approx(COVERAGE)  # 95 %
    assert res.extras["index"].band == "yellow"


def test_each_component_shows_value_score_and_source():
    res = compute_safety(None, results=scene())
    p3 = res.figure("p3")
    assert (p3.indicator, p3.unit, p3.threshold, p3.threshold_id) == ("P3", "%", 80, "profile:P3")
    assert "Benedikt 1979" in p3.source and p3.verified is False
    assert p3.note == "score 50 (yellow); from sightlines:prospect_pct"
    p8 = res.figure("p8_score")
    assert p8.unit == "score 0-100" and p8.threshold == "20 → 0 %" and "Nasar & Jones 1997" in p8.source
    assert res.figure("p7_emin").verified is True
    frame = figures_frame(res)
    assert {"p3", "p3_score", "safety_index", "safety_coverage"} <= set(frame.key)
    table = res.extras["scores"]
    assert list(table.key) == ["P1_grade", "P1_active", "P2", "P3", "P5", "P6_sides",
                               "P6_deadends", "P4", "P7_emin", "P7_esc", "P8", "P9", "P10"]


def test_missing_components_lower_coverage_not_the_score():
    # no access result: P6 no data. Visibility = (0.3333*50 + 0.3333*50) / 0.6666 = 50,
    # its coverage 0.6666; index = 0.25*55 + 0.25*50 + 0.25*62.5 + 0.15*80 + 0.10*50 = 58.875;
    # coverage = 0.25 + 0.25*0.6666 + 0.25 + 0.15 + 0.10*0.5 = 86.665 %
    res = compute_safety(None, results=scene(access=False))
    assert res.value("p6_sides") is None and res.value("p6_sides_score") is None
    assert res.figure("p6_sides").note == "the access indicator did not run"
    assert res.value("visibility_score") == pytest.approx(50)
    assert res.value("safety_index") == pytest.approx(0.25 * 55 + 0.25 * 50 + 0.25 * 62.5 + 0.15 * 80 + 5)
    assert res.value("safety_coverage") == pytest.approx(100 * (0.25 + 0.25 * 0.6666 + 0.25 + 0.15 + 0.05))


def test_a_dark_place_scores_zero_lighting_but_unlit_data_is_no_data():
    # measured darkness is a score of 0 ...
    dark = scene()
    dark["lighting"] = result("lighting", emin=(0.0, "lx"), esc_min=(0.0, "lx"), dark_share=(60.0, "%"))
    assert compute_safety(None, results=dark).value("lighting_score") == 0
    # ... while no lamp data is no data: the lighting group drops out and the coverage with it
    unknown = scene()
    unknown["lighting"] = result("lighting", emin=(None, "lx"), esc_min=(None, "lx"),
                                 dark_share=(None, "%"))
    res = compute_safety(None, results=unknown)
    assert res.value("lighting_score") is None
    rest = (0.25 * SURVEILLANCE + 0.25 * VISIBILITY + 0.15 * CONCEALMENT + 0.10 * ACTIVITY) / 0.75
    assert res.value("safety_index") == pytest.approx(rest)
    assert res.value("safety_coverage") == pytest.approx(COVERAGE - 25)


def test_no_results_at_all_is_no_data_never_zero():
    res = compute_safety(None, results={})
    assert res.value("safety_index") is None and res.value("safety_coverage") == 0
    assert all(res.value(f.key) is None for f in res.figures if f.key.endswith("_score"))
    assert "Perceived-safety index (trygghet): no component could be computed (coverage 0 %); " \
           "it is reported as no data, not as 0." in res.warnings


def test_weights_from_options_are_normalised_with_a_warning():
    # lighting 0.5: groups sum 1.25, each divided by 1.25
    res = compute_safety(None, SafetyOptions(weights="lighting=0.5"), results=scene())
    expected = (0.25 * SURVEILLANCE + 0.25 * VISIBILITY + 0.5 * LIGHTING + 0.15 * CONCEALMENT
                + 0.10 * ACTIVITY) / 1.25
    assert res.value("safety_index") == pytest.approx(expected)
    assert res.warnings[0].startswith("The weights of Perceived-safety index (trygghet) (groups) "
                                      "sum to 1.25, not 1; they were normalised to surveillance 0.200")
    assert res.parameters["weights"] == "lighting=0.5"
    with pytest.raises(InputError) as err:
        SafetyOptions(weights="bogus=1")
    assert err.value.options == ("weights",)


def test_the_profile_index_is_the_safety_result():
    results = scene()
    safety = compute_safety(None, results=results)
    profile = score_profile(results)
    assert profile.index.score == pytest.approx(safety.value("safety_index"))
    assert profile.index.coverage_pct == pytest.approx(safety.value("safety_coverage"))


def test_registry_entry():
    entry = INDICATORS["safety"]
    assert list(INDICATORS)[-1] == "safety"       # after every indicator it reads
    res = entry.run(None, None, None, results=scene())
    for key, _ in entry.outputs():
        assert res.value(key) is not None
    assert entry.options().weights == ""
