"""The place profile: indicator values → 0-100 scores → the four PPS attributes and the safety index.

Methodology §8.1. Every rule lives in ``resources/scoring/profile.json`` (read and checked by
:mod:`amp_qgis_plugin.core.scoring_profile`): which figure of which indicator result is scored,
its floor and target or graded classes, the source of those thresholds, its PPS attribute or
safety group, and its weight.

Scores
------
A value ``x`` becomes ``100 · clamp((x − floor) / (target − floor), 0, 1)`` (``direction`` up or
down follows from floor and target), or, for graded classes (Gehl A-E, EN 13201 P classes), the
score of the highest class it reaches. A value that is missing ("no data") has no score: it is
never scored 0.

Aggregation and coverage
------------------------
An attribute's score is the weighted mean of the scores of its indicators that have data, the
weights renormalised over them. Its coverage is the share of its weight whose indicators could
be computed; an attribute with no data at all has score None and coverage 0. The safety index is
the same one level up: each group (surveillance, visibility, lighting, concealment,
activity/care) is the weighted mean of its components, and the index the weighted mean of the
groups with data (methodology §8.6: 0.25, 0.25, 0.25, 0.15, 0.10); its coverage is the
group-weighted mean of the groups' coverages. So a missing component lowers the coverage and
leaves the score to the components that were measured.

Sensitivity
-----------
For every weight in force, the weight is multiplied by 0.8 and by 1.2 (the others of its
attribute or group unchanged, the set renormalised), and the change of the attribute's (or the
index's) score is reported in score points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult
from amp_qgis_plugin.core.scoring_profile import (
    IndicatorSpec,
    Profile,
    Scorer,
    load_profile,
    parse_weights,
    read_weights,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AggregateScore", "IndicatorScore", "ProfileResult", "ScoreRow", "SCORE_COLUMNS",
           "SENSITIVITY_COLUMNS", "aggregate", "linear_score", "load_profile", "parse_weights",
           "read_weights", "score_indicator", "score_index", "score_profile", "sensitivity",
           "step_score"]

#: Relative change of each weight in the sensitivity run (±20 %, issue 8).
SENSITIVITY_STEP = 0.2

#: Columns of the ``scores`` table.
SCORE_COLUMNS = ("level", "key", "name", "name_sv", "attribute", "group", "theme", "figure",
                 "value", "unit", "score", "band", "threshold", "source", "status", "verified",
                 "coverage_pct", "weight", "data", "note")
#: Columns of the ``sensitivity`` table.
SENSITIVITY_COLUMNS = ("indicator", "level", "attribute", "weight", "score", "delta_minus",
                       "delta_plus")


# --------------------------------------------------------------------------------------------
# Result types


@dataclass
class IndicatorScore:
    """One indicator scored for one place.

    Attributes
    ----------
    spec : IndicatorSpec
        The profile entry.
    value : float or None
        The value scored (for combined entries, the deciding part's); None = no data.
    unit : str
        Unit of ``value``.
    score : float or None
        0-100, or None when there is no data (never 0 for missing data).
    threshold : str
        The rule applied, e.g. ``"30 → 80 %"`` (with the area-dependent target when used).
    figure : str
        ``"theme:key"`` of the figure scored.
    note : str
        Why there is no data, or the parts of a combined score.
    """

    spec: IndicatorSpec
    value: Optional[float]
    unit: str
    score: Optional[float]
    threshold: str
    figure: str = ""
    note: str = ""

    @property
    def has_data(self) -> bool:
        """True when the indicator was scored."""
        return self.score is not None


@dataclass
class AggregateScore:
    """A PPS attribute, the safety index or one of its groups, scored.

    Attributes
    ----------
    key, name, name_sv : str
        Id and names.
    level : str
        ``"attribute"``, ``"index"`` or ``"group"``.
    score : float or None
        Weighted mean of the members with data; None when none has data.
    coverage_pct : float
        Share (%) of the members' weight that could be computed.
    band : str
        ``"red"``, ``"yellow"``, ``"green"`` or ``""`` (no score).
    weight : float
        Weight of a group in the index (1 for attributes and the index).
    source : str
        Source of the attribute or of the aggregation rule.
    members : tuple of str
        Keys of the indicators (or of the groups, for the index).
    groups : dict of str to AggregateScore
        The groups of the index (empty otherwise).
    """

    key: str
    name: str
    name_sv: str
    level: str
    score: Optional[float]
    coverage_pct: float
    band: str = ""
    weight: float = 1.0
    source: str = ""
    members: Tuple[str, ...] = ()
    groups: Dict[str, "AggregateScore"] = field(default_factory=dict)

    def line(self) -> str:
        """``"Comfort & Image: 42 (yellow), coverage 75 %"`` or ``"...: no data, coverage 0 %"``."""
        score = "no data" if self.score is None else f"{self.score:.0f} ({self.band})"
        return f"{self.name}: {score}, coverage {self.coverage_pct:.0f} %"


@dataclass
class ScoreRow:
    """One row of the ``scores`` table (see :data:`SCORE_COLUMNS`); None = no data."""

    level: str
    key: str
    name: str
    name_sv: str = ""
    attribute: str = ""
    group: str = ""
    theme: str = ""
    figure: str = ""
    value: Optional[float] = None
    unit: str = ""
    score: Optional[float] = None
    band: str = ""
    threshold: str = ""
    source: str = ""
    status: str = ""
    verified: Optional[bool] = None
    coverage_pct: Optional[float] = None
    weight: Optional[float] = None
    data: str = ""
    note: str = ""


@dataclass
class ProfileResult:
    """The place profile: indicator scores, the four attributes, the safety index.

    Attributes
    ----------
    attributes : dict of str to AggregateScore
        The four PPS attributes, in profile order.
    index : AggregateScore
        The perceived-safety index, with its groups.
    indicators : dict of str to IndicatorScore
        Every indicator of the profile.
    rows : list of ScoreRow
        The ``scores`` table: each attribute followed by its indicators, then the index, each
        group and its components.
    warnings : list of str
        Weight normalisations, figures that could not be read, attributes without data.
    sensitivity : DataFrame
        Score change of the attribute (or index) when each weight moves by ±20 %.
    profile : Profile
        The profile used (weights in force, files read).
    """

    attributes: Dict[str, AggregateScore]
    index: AggregateScore
    indicators: Dict[str, IndicatorScore]
    rows: List[ScoreRow]
    warnings: List[str]
    sensitivity: "pd.DataFrame"
    profile: Profile

    def scores_frame(self) -> "pd.DataFrame":
        """The ``scores`` table (columns :data:`SCORE_COLUMNS`; no data = NaN/empty, never 0)."""
        return scores_frame(self.rows)

    def sensitivity_frame(self) -> "pd.DataFrame":
        """The ``sensitivity`` table (columns :data:`SENSITIVITY_COLUMNS`)."""
        return self.sensitivity

    def provenance(self) -> Dict[str, str]:
        """Provenance rows: profile version, files, weights given, each score and coverage."""
        prov = {"profile.version": self.profile.version,
                "profile.files": "; ".join(self.profile.files),
                "profile.weights_given": "; ".join(f"{k}={v:g}" for k, v in
                                                   self.profile.overrides.items()) or "none",
                "profile.weights": "; ".join(f"{k}={v:.4g}" for k, v in
                                             self.profile.weights().items() if v > 0)}
        for agg in list(self.attributes.values()) + [self.index]:
            prov[f"profile.{agg.key}"] = agg.line().split(": ", 1)[1]
        return prov

    def lines(self, detail: bool = False, lang: str = "en") -> List[str]:
        """The profile as printable lines in ``lang`` (``"en"``/``"sv"``); ``detail`` adds each
        indicator's value and score."""
        from amp_qgis_plugin.core.i18n import aggregate_line, indicator_line

        out = []
        for agg in list(self.attributes.values()) + [self.index]:
            out.append(agg.line() if lang == "en" else aggregate_line(agg, lang))
            if not detail:
                continue
            members = self.profile.members(agg.key)
            for spec in members:
                item = self.indicators[spec.key]
                if spec.weight <= 0 and not item.has_data:
                    continue
                out.append("  " + (_indicator_line(item) if lang == "en"
                                   else indicator_line(item, lang)))
        return out


def _indicator_line(item: IndicatorScore) -> str:
    spec = item.spec
    if item.score is None:
        why = item.note[len("no data"):].lstrip(":; ") if item.note.startswith("no data") \
            else item.note
        return f"{spec.key} {spec.name}: no data" + (f" ({why})" if why else "")
    value = f"{item.value:.3g} {item.unit}".strip()
    return f"{spec.key} {spec.name}: {value} → {item.score:.0f} [{item.threshold}]"


# --------------------------------------------------------------------------------------------
# Scoring one value


def linear_score(value: float, floor: float, target: float) -> float:
    """``100 · clamp((value − floor) / (target − floor), 0, 1)``.

    >>> linear_score(55.0, 30.0, 80.0)
    50.0
    >>> linear_score(2.0, 5.0, 0.0)  # down: fewer is better
    60.0
    """
    return 100.0 * min(1.0, max(0.0, (value - floor) / (target - floor)))


def step_score(value: float, steps: Sequence[Tuple[float, float]], below: float) -> float:
    """The score of the highest class ``(threshold, score)`` that ``value`` reaches.

    >>> step_score(6.0, [(2, 25), (6, 50), (10, 75), (15, 100)], 0)
    50.0
    """
    score = float(below)
    for threshold, step in steps:
        if value >= threshold - 1e-9:
            score = float(step)
    return score


def _find_result(results: Mapping[str, IndicatorResult], theme: str) -> Optional[IndicatorResult]:
    if theme in results:
        return results[theme]
    for result in results.values():
        if result.theme == theme:
            return result
    return None


def _figure(results: Mapping[str, IndicatorResult], spec: IndicatorSpec, theme: str,
            key: str) -> Tuple[Optional[Figure], str]:
    """The figure ``theme:key`` and, when it cannot be used, why."""
    result = _find_result(results, theme)
    if result is None:
        if spec.data == "M":
            return None, "needs municipal or field data"
        return None, f"the {theme} indicator did not run"
    try:
        return result.figure(key), ""
    except KeyError:
        if not result.figures:
            return None, f"the {theme} indicator could not be computed"
        # Not a warning: the profile lists indicators no module computes yet (C5, A4); the
        # bundled keys are checked against the indicators' figures by the unit tests.
        return None, f"the {theme} indicator does not compute {key!r} yet"


def _number(fig: Figure, spec: IndicatorSpec, unit: Optional[str], warnings: List[str]
            ) -> Tuple[Optional[float], str]:
    """The figure's value as a float, or None and why."""
    if not fig.has_data:
        note = fig.note.strip()
        return None, (note if note.startswith("no data") else f"no data: {note}") if note \
            else "no data"
    value = fig.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        warnings.append(f"{spec.key} ({spec.name}): figure {fig.key!r} holds {value!r}, not a "
                        "number; it is counted as no data.")
        return None, f"figure {fig.key!r} is not a number"
    if unit is not None and fig.unit.strip().lower() != unit.strip().lower():
        warnings.append(f"{spec.key} ({spec.name}): figure {fig.key!r} is in {fig.unit!r} but "
                        f"the profile's thresholds are in {unit!r}; it is counted as no data.")
        return None, f"unit {fig.unit!r} differs from the profile's {unit!r}"
    return float(value), ""


def _score_part(scorer: Scorer, spec: IndicatorSpec, results: Mapping[str, IndicatorResult],
                warnings: List[str]) -> Tuple[Optional[float], Optional[float], str, str]:
    """``(value, score, threshold text, why no data)`` of one scorer."""
    if scorer.method == "grade_mix":
        total = 0.0
        for grade, key in scorer.grade_figures:
            fig, why = _figure(results, spec, scorer.theme, key)
            if fig is None:
                return None, None, scorer.threshold_text(), why
            share, why = _number(fig, spec, None, warnings)
            if share is None:
                return None, None, scorer.threshold_text(), why
            total += share / 100.0 * dict(scorer.grade_scores)[grade]
        value: Optional[float] = total
        fig_threshold = None
    else:
        fig, why = _figure(results, spec, scorer.theme, scorer.figure)
        if fig is None:
            return None, None, scorer.threshold_text(), why
        value, why = _number(fig, spec, scorer.unit, warnings)
        if value is None:
            return None, None, scorer.threshold_text(), why
        fig_threshold = fig.threshold
    if value is None:  # pragma: no cover - every branch above returns or sets a number
        return None, None, scorer.threshold_text(), "no data"
    if scorer.method == "steps":
        return value, step_score(value, scorer.steps, scorer.below), scorer.threshold_text(), ""
    if scorer.floor is None or scorer.target is None:
        return value, None, scorer.threshold_text(), "not calibrated (REL): no floor and target"
    target = scorer.target
    if scorer.target_from_figure and _is_number(fig_threshold):
        candidate = float(fig_threshold)  # type: ignore[arg-type]
        if (candidate > scorer.floor) == (scorer.direction == "up") and candidate != scorer.floor:
            target = candidate
    return (value, linear_score(value, scorer.floor, target), scorer.threshold_text(target), "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(float(value))


def score_indicator(spec: IndicatorSpec, results: Mapping[str, IndicatorResult],
                    warnings: Optional[List[str]] = None) -> IndicatorScore:
    """Score one profile entry from the indicator results.

    Parameters
    ----------
    spec : IndicatorSpec
        The profile entry.
    results : mapping of str to IndicatorResult
        Results by indicator name (or holding the entry's theme).
    warnings : list of str, optional
        Receives mismatches: a figure in another unit than the profile's, or not a number.

    Returns
    -------
    IndicatorScore
        With ``score`` None when the figure is missing or "no data". Combined entries score
        their parts: ``max`` keeps the best part with data, ``min`` needs every part.
    """
    warnings = warnings if warnings is not None else []
    parts = [_score_part(s, spec, results, warnings) for s in spec.scorers]
    figures = [f"{s.theme}:{s.figure or 'grade mix'}" for s in spec.scorers]
    if len(parts) == 1:
        value, score, threshold, why = parts[0]
        return IndicatorScore(spec, value, spec.unit, score, threshold, figures[0], why)
    scored = [i for i, p in enumerate(parts) if p[1] is not None]
    summary = "; ".join(
        f"{figures[i]} " + (f"{p[0]:.4g} {spec.scorers[i].unit} → {p[1]:.0f}" if p[1] is not None
                            else f"no data ({p[3]})") for i, p in enumerate(parts))
    if not scored or (spec.combine == "min" and len(scored) < len(parts)):
        return IndicatorScore(spec, None, spec.unit, None,
                              " | ".join(p[2] for p in parts), ", ".join(figures),
                              summary if scored else parts[0][3])
    pick = max if spec.combine == "max" else min
    best = pick(scored, key=lambda i: parts[i][1])  # type: ignore[arg-type, return-value]
    value, score, threshold, _ = parts[best]
    return IndicatorScore(spec, value, spec.scorers[best].unit, score,
                          " | ".join(p[2] for p in parts), figures[best],
                          f"{spec.combine} of: {summary}")


# --------------------------------------------------------------------------------------------
# Aggregation


def _mean(members: Sequence[Tuple[float, Optional[float], float]]) -> Tuple[Optional[float], float]:
    """``(weighted mean score of members with data, coverage 0-1)`` of ``(weight, score, coverage)``."""
    total = sum(w for w, _, _ in members if w > 0)
    if total <= 0:
        return None, 0.0
    have = [(w, s) for w, s, _ in members if w > 0 and s is not None]
    wsum = sum(w for w, _ in have)
    score = sum(w * s for w, s in have) / wsum if wsum > 0 else None
    coverage = sum(w * c for w, _, c in members if w > 0) / total
    return score, coverage


def aggregate(profile: Profile, scores: Mapping[str, IndicatorScore],
              weights: Optional[Mapping[str, float]] = None
              ) -> Tuple[Dict[str, AggregateScore], AggregateScore]:
    """The four attributes and the safety index from indicator scores.

    Parameters
    ----------
    profile : Profile
        Attributes, groups and weights.
    scores : mapping of str to IndicatorScore
        Scores by indicator key.
    weights : mapping of str to float, optional
        Weights replacing the profile's for some indicator or group keys (sensitivity runs);
        not renormalised here: each mean divides by the weights of its members.

    Returns
    -------
    (dict of str to AggregateScore, AggregateScore)
        The attributes and the index (with its groups).
    """
    weights = weights or {}

    def weight(key: str, default: float) -> float:
        return float(weights.get(key, default))

    def members_of(parent: str) -> Tuple[List[IndicatorSpec], List[Tuple[float, Optional[float], float]]]:
        specs = profile.members(parent)
        rows = [(weight(s.key, s.weight), scores[s.key].score,
                 1.0 if scores[s.key].score is not None else 0.0) for s in specs]
        return specs, rows

    attributes: Dict[str, AggregateScore] = {}
    for key, attr in profile.attributes.items():
        specs, rows = members_of(key)
        score, coverage = _mean(rows)
        attributes[key] = AggregateScore(key, attr.name, attr.name_sv, "attribute", score,
                                         100.0 * coverage, profile.band(score), 1.0, attr.source,
                                         tuple(s.key for s in specs if weight(s.key, s.weight) > 0))
    groups: Dict[str, AggregateScore] = {}
    group_rows = []
    for key, grp in profile.groups.items():
        specs, rows = members_of(key)
        score, coverage = _mean(rows)
        gw = weight(key, grp.weight)
        groups[key] = AggregateScore(key, grp.name, grp.name_sv, "group", score, 100.0 * coverage,
                                     profile.band(score), gw, grp.source,
                                     tuple(s.key for s in specs if weight(s.key, s.weight) > 0))
        group_rows.append((gw, score, coverage))
    score, coverage = _mean(group_rows)
    idx = profile.index
    index = AggregateScore(idx.key, idx.name, idx.name_sv, "index", score, 100.0 * coverage,
                           profile.band(score), 1.0, idx.source,
                           tuple(k for k, g in groups.items() if g.weight > 0), groups)
    return attributes, index


# --------------------------------------------------------------------------------------------
# Sensitivity


def sensitivity(profile: Profile, scores: Mapping[str, IndicatorScore],
                step: float = SENSITIVITY_STEP) -> "pd.DataFrame":
    """How each attribute (or the index) moves when each weight changes by ±``step``.

    Each weight in force is multiplied by ``1 − step`` and ``1 + step`` in turn, the other
    weights of its attribute or group unchanged; the means renormalise, so the set still sums
    to one. An indicator without data has deltas 0 (its weight does not enter the score); an
    attribute without a score has deltas None.

    Returns
    -------
    DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`: ``indicator`` (indicator or group key), ``level``
        (indicator / group), ``attribute`` (attribute or index key), ``weight`` (normalised),
        ``score`` (the attribute's), ``delta_minus``, ``delta_plus`` (score points).
    """
    import pandas as pd

    base_attrs, base_index = aggregate(profile, scores)
    rows: List[Dict[str, Any]] = []

    def moved(key: str, w: float, parent: str) -> Tuple[Optional[float], Optional[float]]:
        out = []
        for factor in (1.0 - step, 1.0 + step):
            attrs, index = aggregate(profile, scores, {key: w * factor})
            new = index.score if parent == profile.index.key else attrs[parent].score
            base = base_index.score if parent == profile.index.key else base_attrs[parent].score
            out.append(None if new is None or base is None else round(new - base, 9))
        return out[0], out[1]

    for spec in profile.indicators.values():
        if spec.weight <= 0:
            continue
        parent = spec.attribute
        base = base_index if parent == profile.index.key else base_attrs[parent]
        minus, plus = moved(spec.key, spec.weight, parent)
        rows.append({"indicator": spec.key, "level": "indicator", "attribute": parent,
                     "weight": spec.weight, "score": base.score,
                     "delta_minus": minus, "delta_plus": plus})
    for key, grp in profile.groups.items():
        if grp.weight <= 0:
            continue
        minus, plus = moved(key, grp.weight, profile.index.key)
        rows.append({"indicator": key, "level": "group", "attribute": profile.index.key,
                     "weight": grp.weight, "score": base_index.score,
                     "delta_minus": minus, "delta_plus": plus})
    frame = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    for col in ("weight", "score", "delta_minus", "delta_plus"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


# --------------------------------------------------------------------------------------------
# The profile


def _load(profile: Optional[Profile], weights: Any, user_file: Any) -> Profile:
    if profile is not None:
        if weights is not None or user_file is not None:
            raise TypeError("give a profile or weights/user_file, not both")
        return profile
    return load_profile(user_file=user_file, weights=weights)


def score_index(results: Mapping[str, IndicatorResult], profile: Optional[Profile] = None, *,
                weights: Any = None, user_file: Any = None
                ) -> Tuple[AggregateScore, List[IndicatorScore], List[str]]:
    """Score only the perceived-safety index (for the safety indicator's entry).

    Returns
    -------
    (AggregateScore, list of IndicatorScore, list of str)
        The index with its groups, its components in profile order, warnings (the profile's
        weight normalisations included).
    """
    profile = _load(profile, weights, user_file)
    warnings = list(profile.warnings)
    scores = {k: score_indicator(s, results, warnings) for k, s in profile.indicators.items()}
    _, index = aggregate(profile, scores)
    comps = [scores[s.key] for s in profile.members(profile.index.key)]
    return index, comps, warnings


def score_profile(results: Mapping[str, IndicatorResult], *, weights: Any = None,
                  user_file: Any = None, profile: Optional[Profile] = None,
                  step: float = SENSITIVITY_STEP) -> ProfileResult:
    """Score a place's indicator results into the place profile.

    Parameters
    ----------
    results : mapping of str to IndicatorResult
        The indicator results by name (``"frontage"``, ``"lighting"`` ...). Results that are
        absent or empty count as no data. A ``"safety"`` result is not read: the index is
        scored from the other results, as :func:`compute_safety` does.
    weights : mapping or str, optional
        Weight overrides ``{key: weight}``, ``"U1=2; lighting=0.3"`` or a user JSON file.
    user_file : path, optional
        A user profile file (same shape as ``profile.json``, partial).
    profile : Profile, optional
        An already loaded profile (instead of ``weights``/``user_file``).
    step : float
        Relative weight change of the sensitivity run (0.2 = ±20 %).

    Returns
    -------
    ProfileResult

    Raises
    ------
    DataError, InputError
        For a broken profile or weights (naming the file, line, entry and field).
    """
    profile = _load(profile, weights, user_file)
    warnings = list(profile.warnings)
    scores = {k: score_indicator(s, results, warnings) for k, s in profile.indicators.items()}
    attributes, index = aggregate(profile, scores)
    for agg in list(attributes.values()) + [index]:
        if agg.score is None:
            warnings.append(f"{agg.name}: no indicator could be computed (coverage 0 %); it is "
                            "reported as no data, not as a score of 0.")
    rows = _rows(profile, scores, attributes, index)
    return ProfileResult(attributes=attributes, index=index, indicators=scores, rows=rows,
                         warnings=warnings, sensitivity=sensitivity(profile, scores, step),
                         profile=profile)


def _rows(profile: Profile, scores: Mapping[str, IndicatorScore],
          attributes: Mapping[str, AggregateScore], index: AggregateScore) -> List[ScoreRow]:
    rows: List[ScoreRow] = []
    for key, agg in attributes.items():
        rows.append(_aggregate_row(agg, ""))
        rows.extend(indicator_row(scores[s.key], profile) for s in profile.members(key))
    rows.append(_aggregate_row(index, ""))
    for key, grp in index.groups.items():
        rows.append(_aggregate_row(grp, index.key))
        rows.extend(indicator_row(scores[s.key], profile) for s in profile.members(key))
    return rows


def _aggregate_row(agg: AggregateScore, parent: str) -> ScoreRow:
    return ScoreRow(level=agg.level, key=agg.key, name=agg.name, name_sv=agg.name_sv,
                    attribute=parent, group=agg.key if agg.level == "group" else "",
                    score=agg.score, band=agg.band, source=agg.source,
                    coverage_pct=agg.coverage_pct, weight=agg.weight,
                    note=f"members: {', '.join(agg.members)}" if agg.members else "")


def indicator_row(item: IndicatorScore, profile: Profile) -> ScoreRow:
    """The ``scores`` row of one indicator."""
    spec = item.spec
    theme, _, figure = item.figure.partition(":")
    notes = ["not weighted (weight 0)"] if spec.weight <= 0 else []
    notes += [n for n in (item.note, spec.note) if n]
    note = "; ".join(notes)
    return ScoreRow(level="indicator", key=spec.key, name=spec.name, name_sv=spec.name_sv,
                    attribute=spec.attribute, group=spec.group, theme=theme, figure=figure,
                    value=item.value, unit=item.unit, score=item.score,
                    band=profile.band(item.score), threshold=item.threshold, source=spec.source,
                    status=spec.status, verified=spec.verified,
                    coverage_pct=None, weight=spec.weight, data=spec.data, note=note)


def scores_frame(rows: Sequence[ScoreRow]) -> "pd.DataFrame":
    """``rows`` as a table: numbers as floats (no data = NaN), texts as text."""
    import pandas as pd

    frame = pd.DataFrame([{c: getattr(r, c) for c in SCORE_COLUMNS} for r in rows],
                         columns=list(SCORE_COLUMNS))
    for col in ("value", "score", "coverage_pct", "weight"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["verified"] = frame["verified"].map({True: "true", False: "false"}).fillna("")
    return frame
