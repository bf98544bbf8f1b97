"""The place profile: scores, attributes, coverage, the profile file's checks, weights, sensitivity.

Expected numbers are derived by hand in the comments from the floors, targets and weights of
``resources/scoring/profile.json`` (or of a small profile written by the test).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult
from amp_qgis_plugin.core.scoring import (
    SCORE_COLUMNS,
    SENSITIVITY_COLUMNS,
    linear_score,
    score_indicator,
    score_profile,
    step_score,
)
from amp_qgis_plugin.core.scoring_profile import default_profile_path, line_of, load_profile, parse_weights

PROFILE = default_profile_path()


def result(theme: str, **figures) -> IndicatorResult:
    """An IndicatorResult holding ``key=(value, unit[, threshold])`` figures."""
    figs = []
    for key, spec in figures.items():
        value, unit, *rest = spec
        figs.append(Figure(key, key, value, unit, threshold=rest[0] if rest else None))
    return IndicatorResult(theme=theme, figures=figs)


def uses_results(**changes) -> dict:
    """Frontage and amenities results for Uses & Activities (U6 is municipal: absent)."""
    frontage = dict(doors_per_100m=(7.0, "doors/100 m"), active_share=(40.0, "%"),
                    evening_open_share=(10.0, "%"))
    amenities = dict(reasons_to_be_there=(6, "categories"), food_pois=(1, "POIs", 3))
    frontage.update({k: v for k, v in changes.items() if k in frontage})
    amenities.update({k: v for k, v in changes.items() if k in amenities})
    return {"frontage": result("frontage", **frontage), "amenities": result("amenities", **amenities)}


# --------------------------------------------------------------------------------------------
# One value


def test_linear_and_step_scores():
    assert linear_score(55, 30, 80) == 50.0          # (55-30)/(80-30)
    assert linear_score(10, 30, 80) == 0.0           # clipped below the floor
    assert linear_score(120, 30, 80) == 100.0        # clipped above the target
    assert linear_score(2, 5, 0) == pytest.approx(60.0)   # down: (2-5)/(0-5) = 0.6
    gehl = [(2, 25), (6, 50), (10, 75), (15, 100)]
    assert [step_score(v, gehl, 0) for v in (1.99, 2, 5.99, 6, 10, 14.9, 15, 40)] == \
        [0, 25, 25, 50, 75, 75, 100, 100]


def test_uses_and_activities_by_hand():
    # U1 7 doors/100 m: class C (>= 6) = 50; U2 40 % on 0 -> 80 % = 50; U3 6 categories on
    # 2 -> 10 = 50; U4 1 food POI against the place's requirement of 3 (the figure's
    # threshold) = 33.33; U5 10 % on 0 -> 50 % = 20; U6 (vacancy) needs municipal data.
    # Equal weights: mean of the five = (50 + 50 + 50 + 33.333 + 20) / 5 = 40.667 (yellow);
    # coverage 5 of 6 equal weights = 83.33 %.
    prof = score_profile(uses_results())
    scores = {k: prof.indicators[k].score for k in ("U1", "U2", "U3", "U4", "U5", "U6")}
    assert scores["U1"] == 50 and scores["U2"] == 50 and scores["U3"] == 50
    assert scores["U4"] == pytest.approx(100 / 3)
    assert scores["U5"] == pytest.approx(20)
    assert scores["U6"] is None
    assert prof.indicators["U4"].threshold == "0 → 3 POIs"
    attr = prof.attributes["uses_activities"]
    assert attr.score == pytest.approx((50 + 50 + 50 + 100 / 3 + 20) / 5)
    assert attr.coverage_pct == pytest.approx(500 / 6)
    assert attr.band == "yellow"


def test_missing_data_lowers_coverage_and_never_scores_zero():
    # U2 "no data" (value None): the mean is over U1, U3, U4, U5 = (50 + 50 + 33.333 + 20) / 4
    # = 38.333, coverage 4/6 = 66.67 %. Had U2 been scored 0 the mean would be 30.667.
    prof = score_profile(uses_results(active_share=(None, "%")))
    assert prof.indicators["U2"].score is None
    attr = prof.attributes["uses_activities"]
    assert attr.score == pytest.approx((50 + 50 + 100 / 3 + 20) / 4)
    assert attr.coverage_pct == pytest.approx(400 / 6)
    row = prof.scores_frame().set_index("key").loc["U2"]
    assert math.isnan(row["score"]) and math.isnan(row["value"])


def test_an_attribute_without_data_is_none_with_coverage_zero():
    prof = score_profile(uses_results())
    social = prof.attributes["sociability"]
    assert social.score is None and social.coverage_pct == 0.0 and social.band == ""
    assert "Sociability: no indicator could be computed (coverage 0 %); it is reported as no " \
           "data, not as a score of 0." in prof.warnings
    frame = prof.scores_frame()
    row = frame[(frame.level == "attribute") & (frame.key == "sociability")].iloc[0]
    assert math.isnan(row["score"]) and row["coverage_pct"] == 0.0
    sens = prof.sensitivity_frame()
    s1 = sens[sens.indicator == "S1"].iloc[0]
    assert math.isnan(s1.delta_minus) and math.isnan(s1.delta_plus)
    assert "Sociability: no data, coverage 0 %" in prof.lines()


def test_target_from_the_figure_and_its_fallback():
    spec = load_profile().indicators["U4"]
    # a small place needs 1 food POI (the figure's threshold 1): 1 POI = 100
    assert score_indicator(spec, {"amenities": result("amenities", food_pois=(1, "POIs", 1))}).score == 100
    # the figure gives no threshold: the profile's target 1 is used
    assert score_indicator(spec, {"amenities": result("amenities", food_pois=(1, "POIs"))}).score == 100
    # 2 of 3 for a large place = 66.67
    got = score_indicator(spec, {"amenities": result("amenities", food_pois=(2, "POIs", 3))})
    assert got.score == pytest.approx(200 / 3)


def test_combined_parts_max_and_min():
    prof = load_profile()
    # A1: bus/tram (low capacity) 750 m on 1,000 -> 500 m = 50; rail (high capacity) 1,200 m on 2,000 -> 1,000 m = 80; max = 80
    access = result("access", nearest_lowcap_stop_m=(750.0, "m"), nearest_highcap_stop_m=(1200.0, "m"),
                    entrances=(2, "count"), entrance_sides=(2, "sides"))
    a1 = score_indicator(prof.indicators["A1"], {"access": access})
    assert a1.score == pytest.approx(80) and a1.value == 1200.0 and a1.figure == "access:nearest_highcap_stop_m"
    # rail unknown: the bus/tram score alone
    only_bus = result("access", nearest_lowcap_stop_m=(750.0, "m"), nearest_highcap_stop_m=(None, "m"))
    assert score_indicator(prof.indicators["A1"], {"access": only_bus}).score == pytest.approx(50)
    # A3: 2 entrances on 1 -> 3 = 50, 2 sides on 1 -> 2 = 100; both needed: min = 50
    assert score_indicator(prof.indicators["A3"], {"access": access}).score == pytest.approx(50)
    # A3 with the sides unknown: no data (a min needs every part), not 50
    no_sides = result("access", entrances=(2, "count"), entrance_sides=(None, "sides"))
    assert score_indicator(prof.indicators["A3"], {"access": no_sides}).score is None


def test_grade_mix_is_the_frontage_weighted_grade_score():
    # 20 % A (100) + 30 % C (50) + 50 % E (0) = 20 + 15 = 35
    front = result("frontage", grade_A_share=(20.0, "% of length"), grade_B_share=(0.0, "% of length"),
                   grade_C_share=(30.0, "% of length"), grade_D_share=(0.0, "% of length"),
                   grade_E_share=(50.0, "% of length"))
    got = score_indicator(load_profile().indicators["P1_grade"], {"frontage": front})
    assert got.value == pytest.approx(35) and got.score == pytest.approx(35)


def test_a_figure_in_another_unit_or_not_a_number_is_no_data_with_a_warning():
    spec = load_profile().indicators["U2"]
    warnings = []
    got = score_indicator(spec, {"frontage": result("frontage", active_share=(0.4, "ratio"))}, warnings)
    assert got.score is None
    assert warnings == ["U2 (Active frontage share): figure 'active_share' is in 'ratio' but the "
                        "profile's thresholds are in '%'; it is counted as no data."]
    warnings = []
    got = score_indicator(spec, {"frontage": result("frontage", active_share=("E", "%"))}, warnings)
    assert got.score is None and "holds 'E', not a number" in warnings[0]


def test_no_result_and_failed_result_are_no_data_with_the_reason():
    prof = score_profile({"lighting": IndicatorResult(theme="lighting", warnings=["failed"])})
    assert prof.indicators["C7"].score is None
    assert prof.indicators["C7"].note == "the lighting indicator could not be computed"
    assert prof.indicators["A5"].note == "the access indicator did not run"
    assert prof.indicators["S1"].note == "needs municipal or field data"


def test_scores_table_has_one_row_per_indicator_attribute_group_and_index():
    prof = score_profile(uses_results())
    frame = prof.scores_frame()
    assert tuple(frame.columns) == SCORE_COLUMNS
    n_ind = len(load_profile().indicators)
    assert (frame.level == "indicator").sum() == n_ind
    assert list(frame.loc[frame.level == "attribute", "key"]) == \
        ["uses_activities", "comfort_image", "access_linkages", "sociability"]
    assert list(frame.loc[frame.level == "index", "key"]) == ["safety"]
    assert (frame.level == "group").sum() == 5
    u3 = frame.set_index("key").loc["U3"]
    assert u3["value"] == 6 and u3["score"] == 50 and u3["unit"] == "categories"
    assert u3["threshold"] == "2 → 10 categories" and "Power of 10" in u3["source"]
    assert u3["verified"] == "true" and u3["weight"] == pytest.approx(1 / 6)
    prov = prof.provenance()
    assert prov["profile.uses_activities"] == "41 (yellow), coverage 83 %"
    assert prov["profile.weights_given"] == "none"


# --------------------------------------------------------------------------------------------
# The profile file


def test_bundled_profile_is_valid_and_every_threshold_has_a_source():
    raw = json.loads(PROFILE.read_text(encoding="utf-8"))
    attributes = set(raw["attributes"]) | {raw["index"]["key"]}
    for key, entry in raw["indicators"].items():
        assert entry["source"].strip(), key
        assert entry["attribute"] in attributes, key
        for part in entry.get("parts", [entry]):
            for name in ("floor", "target"):
                value = part.get(name)
                assert value is None or isinstance(value, (int, float)), (key, name)
            if part.get("floor") is None and part["method"] != "steps":
                assert entry["weight"] == 0, f"{key}: uncalibrated but weighted"
    prof = load_profile()
    assert prof.warnings == []      # the bundled weights sum to one in every attribute and group
    assert prof.bands_source and prof.index.source
    assert [(n, low) for n, _, low in prof.bands] == [("red", 0), ("yellow", 40), ("green", 70)]
    # weights of each attribute, each safety group and of the groups sum to one
    for parent in list(prof.attributes) + list(prof.groups):
        assert sum(s.weight for s in prof.members(parent)) == pytest.approx(1.0), parent
    assert sum(g.weight for g in prof.groups.values()) == pytest.approx(1.0)
    assert {k: round(g.weight, 2) for k, g in prof.groups.items()} == {
        "surveillance": 0.25, "visibility": 0.25, "lighting": 0.25, "concealment": 0.15,
        "activity_care": 0.10}


def _broken_copy(tmp_path: Path, entry: str, old: str, new: str):
    """A copy of the profile with ``old`` replaced by ``new`` on the first line after the
    line opening ``entry``; returns (path, 1-based line number changed)."""
    lines = PROFILE.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f'"{entry}": {{'))
    at = next(i for i in range(start, len(lines)) if old in lines[i])
    lines[at] = lines[at].replace(old, new, 1)
    path = tmp_path / "profile.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, at + 1


def test_a_typo_in_a_number_names_the_file_line_entry_and_field(tmp_path):
    path, line = _broken_copy(tmp_path, "U2", '"floor": 0,', '"floor": "O",')
    with pytest.raises(DataError) as err:
        load_profile(path)
    assert str(err.value) == (f"The scoring profile {path}, line {line}: entry 'U2', field 'floor': "
                              "must be a number, not 'O'. Restore the file or reinstall the plugin.")


def test_a_typo_in_an_attribute_or_a_field_name(tmp_path):
    path, line = _broken_copy(tmp_path, "C4", '"comfort_image"', '"comfort_imgae"')
    with pytest.raises(DataError, match=rf"line {line}: entry 'C4', field 'attribute': must be one of "
                                        r"'uses_activities', 'comfort_image', 'access_linkages', "
                                        r"'sociability', 'safety', not 'comfort_imgae'"):
        load_profile(path)
    path, line = _broken_copy(tmp_path, "U3", '"source":', '"soruce":')
    with pytest.raises(DataError, match=rf"line {line}: entry 'U3', field 'soruce': unknown field"):
        load_profile(path)


def test_a_missing_source_names_the_entry(tmp_path):
    doc = json.loads(PROFILE.read_text(encoding="utf-8"))
    del doc["indicators"]["P8"]["source"]
    path = tmp_path / "profile.json"
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.split("\n")) if t.strip() == '"P8": {') + 1
    with pytest.raises(DataError, match=rf"line {line}: entry 'P8', field 'source': is missing"):
        load_profile(path)


@pytest.mark.parametrize("entry, old, new, message", [
    ("U2", '"verified": false', '"verified": true', "field 'verified': must be false for status 'proposal'"),
    ("P4", '"direction": "down"', '"direction": "up"',
     "field 'direction': is 'up' but the target 0 is below the floor 5"),
    ("A2", '"weight": 0,', '"weight": 0.1,', "field 'weight': has no floor and target"),
    ("C7", '[3, 40]', '[3, 10]', "field 'steps' [1]: thresholds must rise and scores must not fall"),
    ("U5", '"target": 50', '"target": 0', "field 'target': must differ from the floor (0)"),
])
def test_inconsistent_entries_are_refused(tmp_path, entry, old, new, message):
    path, line = _broken_copy(tmp_path, entry, old, new)
    with pytest.raises(DataError) as err:
        load_profile(path)
    assert f"line {line}: entry '{entry}', {message}" in str(err.value)


def test_invalid_json_names_the_line(tmp_path):
    path, line = _broken_copy(tmp_path, "U3", '"weight": 0.1667,', '"weight": 0.1667,,')
    with pytest.raises(DataError, match=rf"profile {path}, line {line}: not valid JSON"):
        load_profile(path)


def test_line_of_walks_the_json():
    text = '{\n "a": {"x": 1,\n  "b": [10,\n   {"c": "b"}]},\n "b": 2}'
    assert line_of(text, ("a",)) == 2
    assert line_of(text, ("a", "b", 1, "c")) == 4
    assert line_of(text, ("b",)) == 5            # the key "b" inside "a" and the value "b" are skipped
    assert line_of(text, ("a", "z")) is None


# --------------------------------------------------------------------------------------------
# Weights


def test_parse_weights():
    assert parse_weights("U1=2; lighting = 0.3,P8=0") == {"U1": 2.0, "lighting": 0.3, "P8": 0.0}
    assert parse_weights("") == {}
    for text, message in [("U1", "The weight 'U1' is not of the form key=weight (for example "
                                 "U1=0.2; lighting=0.3)."),
                          ("U1=abc", "The weight of 'U1' must be a number of at least 0, not 'abc'."),
                          ("U1=-1", "The weight of 'U1' must be a number of at least 0, not '-1'."),
                          ("U1=1;U1=2", "The weight of 'U1' is given twice.")]:
        with pytest.raises(InputError) as err:
            parse_weights(text)
        assert str(err.value) == message and err.value.options == ("weights",)


def test_weights_not_summing_to_one_are_normalised_with_a_warning():
    # U1 = 2, the other five U weights 0.1667 each: sum 2.8335; U1 -> 2 / 2.8335 = 0.7058
    prof = load_profile(weights={"U1": 2})
    assert prof.warnings == [
        "The weights of Uses & Activities sum to 2.834, not 1; they were normalised to U1 0.706, "
        "U2 0.059, U3 0.059, U4 0.059, U5 0.059, U6 0.059."]
    assert prof.indicators["U1"].weight == pytest.approx(2 / 2.8335)
    assert sum(s.weight for s in prof.members("uses_activities")) == pytest.approx(1.0)
    # the score follows: U1 50 with weight 2, U2-U5 as before with 0.1667 each (U6 no data):
    # (2*50 + 0.1667*(50 + 50 + 33.333 + 20)) / (2 + 4*0.1667)
    got = score_profile(uses_results(), weights="U1=2").attributes["uses_activities"].score
    assert got == pytest.approx((2 * 50 + 0.1667 * (50 + 50 + 100 / 3 + 20)) / (2 + 4 * 0.1667))
    assert any(w.startswith("The weights of Uses & Activities sum to") for w in
               score_profile(uses_results(), weights="U1=2").warnings)


def test_group_weights_and_unknown_or_uncalibrated_keys():
    prof = load_profile(weights="lighting=0.5")
    # groups 0.25 + 0.25 + 0.5 + 0.15 + 0.10 = 1.25 -> lighting 0.4
    assert prof.groups["lighting"].weight == pytest.approx(0.4)
    assert prof.warnings[0].startswith("The weights of Perceived-safety index (trygghet) (groups) "
                                       "sum to 1.25, not 1")
    with pytest.raises(InputError, match=r"No indicator or safety group 'U9' to weight; known: U1, U2"):
        load_profile(weights={"U9": 1})
    with pytest.raises(InputError, match=r"The indicator A2 \(Residents within a 10-minute walk\) "
                                         r"has no floor and target yet"):
        load_profile(weights={"A2": 1})


def test_a_user_file_overrides_and_calibrates(tmp_path):
    user = tmp_path / "weights.json"
    user.write_text(json.dumps({"indicators": {
        "A2": {"floor": 1000, "target": 10000, "weight": 0.1429,
               "source": "Municipal 10th and 90th percentiles 2025 (test)"},
        "U1": {"weight": 0.5}}}, indent=2), encoding="utf-8")
    prof = load_profile(user_file=user)
    assert prof.files == [str(PROFILE), str(user)]
    assert prof.indicators["A2"].calibrated and prof.indicators["A2"].source.startswith("Municipal")
    # 5,500 residents on 1,000 -> 10,000 = 50
    got = score_indicator(prof.indicators["A2"],
                          {"access": result("access", population_long=(5500, "persons"))})
    assert got.score == pytest.approx(50)
    # the same file given as the weights text (a path) is read the same way
    assert load_profile(weights=str(user)).indicators["A2"].calibrated


def test_a_typo_in_the_user_file_is_an_input_error_naming_its_line(tmp_path):
    user = tmp_path / "weights.json"
    user.write_text('{\n  "indicators": {\n    "U1": {"weight": 0.5},\n    "U2": {"weight": "half"}\n  }\n}',
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(user_file=user)
    assert str(err.value) == (f"The weights file {user}, line 4: entry 'U2', field 'weight': "
                              "must be a number, not 'half'.")
    assert err.value.options == ("weights",)
    with pytest.raises(InputError, match="does not exist"):
        load_profile(weights=str(tmp_path / "nothing.json"))


# --------------------------------------------------------------------------------------------
# Sensitivity on a small profile


def _toy_profile(tmp_path: Path):
    entry = {"unit": "%", "method": "linear", "floor": 0, "target": 100, "direction": "up",
             "source": "test", "status": "V", "verified": True, "data": "O"}
    doc = {
        "version": "test",
        "attributes": {"a": {"name": "A", "source": "test"}},
        "index": {"key": "safety", "name": "Index", "source": "test",
                  "groups": {"g1": {"name": "G1", "weight": 0.5}, "g2": {"name": "G2", "weight": 0.5}}},
        "bands": {"source": "test", "classes": [{"name": "red", "min": 0}, {"name": "green", "min": 50}]},
        "indicators": {
            "X1": dict(entry, name="x1", attribute="a", theme="t", figure="x1", weight=0.4),
            "X2": dict(entry, name="x2", attribute="a", theme="t", figure="x2", weight=0.4),
            "X3": dict(entry, name="x3", attribute="a", theme="t", figure="x3", weight=0.2),
            "Y1": dict(entry, name="y1", attribute="safety", group="g1", theme="t", figure="y1", weight=1),
            "Y2": dict(entry, name="y2", attribute="safety", group="g2", theme="t", figure="y2", weight=1),
        }}
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_profile(path)


def test_sensitivity_by_hand(tmp_path):
    profile = _toy_profile(tmp_path)
    results = {"t": result("t", x1=(100.0, "%"), x2=(0.0, "%"), x3=(None, "%"),
                           y1=(80.0, "%"), y2=(20.0, "%"))}
    prof = score_profile(results, profile=profile)
    # A = (0.4*100 + 0.4*0) / 0.8 = 50, coverage 0.8; index = 0.5*80 + 0.5*20 = 50
    assert prof.attributes["a"].score == pytest.approx(50) and prof.attributes["a"].coverage_pct == pytest.approx(80)
    assert prof.index.score == pytest.approx(50) and prof.index.coverage_pct == pytest.approx(100)
    sens = prof.sensitivity_frame().set_index("indicator")
    assert tuple(prof.sensitivity_frame().columns) == SENSITIVITY_COLUMNS
    # X1 x0.8: 0.32*100 / 0.72 = 44.444 -> -5.556; x1.2: 0.48*100 / 0.88 = 54.545 -> +4.545
    assert sens.loc["X1", "delta_minus"] == pytest.approx(32 / 0.72 - 50)
    assert sens.loc["X1", "delta_plus"] == pytest.approx(48 / 0.88 - 50)
    # X2 x0.8: 40 / 0.72 = 55.556 -> +5.556; x1.2: 40 / 0.88 = 45.455 -> -4.545
    assert sens.loc["X2", "delta_minus"] == pytest.approx(40 / 0.72 - 50)
    assert sens.loc["X2", "delta_plus"] == pytest.approx(40 / 0.88 - 50)
    # X3 has no data: its weight does not enter the score
    assert sens.loc["X3", "delta_minus"] == 0 and sens.loc["X3", "delta_plus"] == 0
    # group g1 x0.8: (0.4*80 + 0.5*20) / 0.9 = 46.667 -> -3.333; x1.2: (0.6*80 + 10) / 1.1 = 52.727
    assert sens.loc["g1", "delta_minus"] == pytest.approx(42 / 0.9 - 50)
    assert sens.loc["g1", "delta_plus"] == pytest.approx(58 / 1.1 - 50)
    assert sens.loc["g1", "level"] == "group" and sens.loc["g1", "attribute"] == "safety"
    # Y1 is alone in its group: no effect
    assert sens.loc["Y1", "delta_minus"] == 0 and sens.loc["Y1", "delta_plus"] == 0
    assert sens.loc["X1", "weight"] == pytest.approx(0.4) and sens.loc["X1", "score"] == pytest.approx(50)


# --------------------------------------------------------------------------------------------
# The bundled keys against what the indicators compute


#: Figures the profile lists that no indicator computes yet (they count as no data).
PENDING = {("amenities", "planting_share"), ("access", "street_edge_open_share"),
           ("access", "dead_end_share")}


def test_profile_figures_exist_in_the_indicator_results(senaatintori_data):
    from amp_qgis_plugin.core.indicators.registry import INDICATORS

    results = {}
    for name, ind in INDICATORS.items():
        if name == "safety":
            continue
        inputs = {}
        if name == "sightlines" and "frontage" in results:
            inputs["frontage"] = results["frontage"].layers.get("frontage")
        results[name] = ind.run(senaatintori_data, None, None, **inputs)
    prof = load_profile()
    checked = 0
    for spec in prof.indicators.values():
        for scorer in spec.scorers:
            if scorer.theme not in results:
                continue
            keys = [k for _, k in scorer.grade_figures] or [scorer.figure]
            for key in keys:
                if (scorer.theme, key) in PENDING:
                    continue
                fig = results[scorer.theme].figure(key)   # KeyError = a wrong key in the profile
                if scorer.method != "grade_mix":
                    assert fig.unit == scorer.unit, (spec.key, fig.unit, scorer.unit)
                checked += 1
    assert checked >= 25
