"""Perceived-safety index (trygghet) from the other indicators' results (methodology §8.6).

The index combines design-side proxies of the CPTED principles with lighting and visibility,
each component taken from a figure another indicator already computed:

==================  ==========================================  =================================
group (weight)      component                                   figure
==================  ==========================================  =================================
surveillance 0.25   P1 active edges: Gehl grade by frontage     frontage ``grade_*_share``
                    P1 active edges: active frontage share      frontage ``active_share``
                    P2 overlooking windows (REL, weight 0)      municipal data
visibility 0.25     P3 prospect                                 sightlines ``prospect_pct``
                    P5 occlusivity                              sightlines ``occlusivity_pct``
                    P6 escape: sides with an entrance           access ``entrance_sides``
                    P6 escape: dead ends                        access ``dead_end_share``
lighting 0.25       P7 minimum illuminance                      lighting ``emin``
                    P7 semi-cylindrical illuminance             lighting ``esc_min``
                    P8 dark share                               lighting ``dark_share``
concealment 0.15    P4 concealment pockets                      sightlines ``concealment_pockets_per_1000m2``
activity/care 0.10  P9 open at 20:00                            frontage ``evening_open_share``
                    P10 stewardship                             municipal data
==================  ==========================================  =================================

Which figure feeds which component, its floor, target, source and weight are entries of
``resources/scoring/profile.json`` (attribute ``"safety"``), scored by
:mod:`amp_qgis_plugin.core.scoring`; the place profile's safety index is the same computation.
A component whose indicator did not run, or whose figure is "no data", has no score: it lowers
the index's coverage and never counts as 0.

Every component is reported as two figures, its value (``p3``, with the threshold and source)
and its score (``p3_score``, 0-100), then each group's score (``lighting_score``), the index
(``safety_index``) and its coverage (``safety_coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, List, Mapping, Optional

from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.scoring import IndicatorScore, indicator_row, score_index, scores_frame
from amp_qgis_plugin.core.scoring_profile import Profile, load_profile

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.data.placedata import PlaceData

THEME = "safety"
SCORE_UNIT = "score 0-100"


@dataclass
class SafetyOptions(Options):
    """Options of :func:`compute_safety` (the profile's defaults live in ``profile.json``).

    Attributes
    ----------
    weights : str or mapping
        Weights overriding the profile's: ``{key: weight}``, text ``"P8=0.6; lighting=0.3"``
        (component or group ids) or the path of a user JSON file of the profile's shape.
        Empty: the bundled weights (methodology §8.6).
    """

    THEME: ClassVar[str] = "profile"

    weights: Any = option(None, label="weights", default="")

    def check(self) -> None:
        """Read the weights against the profile now, so a mistake is reported before a run."""
        self.profile()

    def profile(self) -> Profile:
        """The profile with these weights (InputError/DataError naming the mistake)."""
        return load_profile(weights=self.weights if self.weights not in (None, "") else None)


def compute_safety(data: Optional["PlaceData"], options: Optional[SafetyOptions] = None,
                   feedback: Optional[Feedback] = None, *,
                   results: Mapping[str, IndicatorResult]) -> IndicatorResult:
    """The perceived-safety index and its components, from the other indicators' results.

    Parameters
    ----------
    data : PlaceData or None
        The place (not read: every component comes from ``results``).
    options : SafetyOptions, optional
        Weights (default the profile's).
    feedback : Feedback, optional
        Progress, cancellation and warnings.
    results : mapping of str to IndicatorResult
        Results of the other indicators by name (frontage, lighting, sightlines, access ...);
        missing ones count as no data.

    Returns
    -------
    IndicatorResult
        Theme ``"safety"``; figures: each component's value and score, each group's score,
        ``safety_index`` (0-100, None when no component has data) and ``safety_coverage`` (%).
        ``extras["scores"]`` is the components' rows of the ``scores`` table and
        ``extras["index"]`` the :class:`~amp_qgis_plugin.core.scoring.AggregateScore`.
    """
    options = options or SafetyOptions()
    if feedback is not None:
        feedback.setProgress(0)
    check_cancelled(feedback)
    profile = options.profile()
    index, components, warnings = score_index(results, profile)
    figures: List[Figure] = []
    for comp in components:
        figures.extend(component_figures(comp, profile))
    for key, grp in index.groups.items():
        figures.append(Figure(
            f"{key}_score", f"{grp.name} (safety group score)", grp.score, SCORE_UNIT, "PSI",
            threshold_id=f"profile:index.groups.{key}", source=profile.index.source,
            verified=False,
            note=f"weight {grp.weight:.3g} in the index; coverage {grp.coverage_pct:.0f} %; "
                 f"components {', '.join(grp.members) or 'none'}"))
    bands = ", ".join(f"{name} from {low:g}" for name, _, low in profile.bands)
    figures.append(Figure(
        "safety_index", profile.index.name, index.score, SCORE_UNIT, "PSI",
        threshold_id="profile:index", threshold=bands, source=profile.index.source,
        verified=False,
        note=(f"band {index.band}; coverage {index.coverage_pct:.0f} %" if index.score is not None
              else "no data: no component of the index could be computed")))
    figures.append(Figure(
        "safety_coverage", f"{profile.index.name}: data coverage", index.coverage_pct, "%", "PSI",
        source="Methodology §8.1 data coverage (share of the weights that could be computed)",
        note="components without data lower the coverage; they never score 0"))
    if index.score is None:
        warnings.append(f"{profile.index.name}: no component could be computed (coverage 0 %); "
                        "it is reported as no data, not as 0.")
    for text in warnings:
        if feedback is not None:
            feedback.pushWarning(text)
    params = options.parameters()
    params["profile_version"] = profile.version
    params["profile_files"] = "; ".join(profile.files)
    params["weights_in_force"] = "; ".join(
        f"{s.key}={s.weight:.4g}" for s in profile.members(profile.index.key) if s.weight > 0) + \
        "; " + "; ".join(f"{k}={g.weight:.4g}" for k, g in profile.groups.items())
    if feedback is not None:
        feedback.setProgress(100)
    return IndicatorResult(
        theme=THEME, figures=figures, parameters=params, warnings=warnings,
        extras={"index": index,
                "scores": scores_frame([indicator_row(c, profile) for c in components])})


def component_figures(comp: IndicatorScore, profile: Profile) -> List[Figure]:
    """The value figure (``<id>``) and the score figure (``<id>_score``) of one component."""
    spec = comp.spec
    key = spec.key.lower()
    indicator = spec.key.split("_")[0]
    scorer = spec.scorers[0]
    numeric_target = scorer.target if len(spec.scorers) == 1 and scorer.method != "steps" else None
    if comp.score is not None:
        where = f"from {comp.figure}"
        value_note = f"score {comp.score:.0f} ({profile.band(comp.score)}); {where}"
    else:
        value_note = comp.note or "no data"
    if spec.weight <= 0:
        value_note += "; not weighted (weight 0)"
    group = profile.groups[spec.group].name if spec.group in profile.groups else spec.group
    return [
        Figure(key, spec.name, comp.value, comp.unit, indicator,
               threshold_id=f"profile:{spec.key}",
               threshold=numeric_target if numeric_target is not None else comp.threshold,
               source=spec.source, verified=spec.verified, note=value_note),
        Figure(f"{key}_score", f"{spec.name}: score", comp.score, SCORE_UNIT, indicator,
               threshold_id=f"profile:{spec.key}", threshold=comp.threshold, source=spec.source,
               verified=spec.verified,
               note=f"weight {spec.weight:.3g} in {group}" + ("" if comp.score is not None
                                                              else f"; {comp.note or 'no data'}")),
    ]


__all__ = ["SafetyOptions", "compute_safety", "component_figures"]
