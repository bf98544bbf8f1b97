"""Assess a place: every indicator through its one entry, the place profile, one folder.

:func:`assess_place` runs the indicators of :data:`~amp_qgis_plugin.core.indicators.registry.INDICATORS`
in order on one PlaceData (each with its default options unless given), hands each the products
it reuses (the sightlines count the frontage in view, the safety index reads the other
results), scores the results into the place profile (:mod:`amp_qgis_plugin.core.scoring`) and
returns one :class:`Assessment`. :func:`write_assessment` writes it as one folder:

``DIR/<place>.gpkg``
    the PlaceData layers (so the file can be reused as PlaceData), every indicator layer with
    its style, the ``figures`` table, the ``scores`` table (one row per indicator, per PPS
    attribute and for the safety index: value, unit, score 0-100, threshold source, coverage),
    the ``sensitivity`` table and the provenance;
``DIR/<place>-<raster>.tif``
    the rasters (illuminance, semi-cylindrical illuminance, isovist area), styled.

An indicator that cannot be computed for this place (no walkable area, a data gap the engine
refuses) does not stop the assessment: its figures are "no data", the profile's coverage drops,
and the reason is a warning. Cancelling stops everything and writes nothing.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from amp_qgis_plugin.core.errors import AmpError, CancelledError, DependencyError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, ScaledFeedback, check_cancelled
from amp_qgis_plugin.core.indicators.registry import INDICATORS
from amp_qgis_plugin.core.indicators.result import IndicatorResult

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.options import Options
    from amp_qgis_plugin.core.scenario import ScenarioOptions
    from amp_qgis_plugin.core.scoring import ProfileResult

#: Share of the progress bar each indicator takes (the rest is scoring and writing).
_WEIGHT = {"frontage": 10, "seating": 4, "amenities": 2, "lighting": 25, "sightlines": 35,
           "access": 15, "safety": 1}


@dataclass
class Assessment:
    """The outcome of :func:`assess_place`.

    Attributes
    ----------
    data : PlaceData
        The place's data.
    results : dict of str to IndicatorResult
        One result per indicator, in running order (a failed indicator has an empty result
        whose warnings say why).
    profile : ProfileResult
        Scores, the four PPS attributes, the safety index, coverage and sensitivity.
    timings : dict of str to float
        Seconds per stage (each indicator, ``scoring``), for benchmarks.
    warnings : list of str
        Everything the user should read, indicator by indicator.
    """

    data: "PlaceData"
    results: Dict[str, IndicatorResult]
    profile: "ProfileResult"
    timings: Dict[str, float] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)


def assess_place(data: "PlaceData", *, options: Optional[Mapping[str, "Options"]] = None,
                 population: Optional["gpd.GeoDataFrame"] = None,
                 weights: Any = None,
                 feedback: Optional[Feedback] = None) -> Assessment:
    """Run every indicator on ``data`` and score the place profile.

    Parameters
    ----------
    data : PlaceData
        The place's data (fetched, or read from a PlaceData or assessment GeoPackage).
    options : mapping of str to Options, optional
        Options per indicator name; others run with their defaults.
    population : GeoDataFrame, optional
        Population grid or polygons for the access figures (any CRS).
    weights : mapping, str or path, optional
        Indicator weights overriding ``resources/scoring/profile.json``: ``{key: weight}``,
        ``"U1=2; C7=0.5"`` or a partial JSON file of the profile's shape.
    feedback : Feedback, optional
        Progress over the whole assessment, cancellation, warnings.

    Returns
    -------
    Assessment

    Raises
    ------
    CancelledError
        When the user cancels (nothing is kept).
    """
    from amp_qgis_plugin.core.scoring import score_profile

    feedback = feedback or NullFeedback()
    options = dict(options or {})
    if weights is not None and "safety" not in options:
        from amp_qgis_plugin.core.indicators.safety import SafetyOptions

        # the same weights for the index as reported by the safety indicator and the profile
        options["safety"] = SafetyOptions(weights=weights)
    if population is not None:
        population = _load_population(data, population, options.get("access"))
    results: Dict[str, IndicatorResult] = {}
    timings: Dict[str, float] = {}
    warnings: List[str] = []
    total = sum(_WEIGHT.get(name, 5) for name in INDICATORS) * 1.05
    done = 0.0
    for name, indicator in INDICATORS.items():
        check_cancelled(feedback)
        share = _WEIGHT.get(name, 5)
        sub = ScaledFeedback(feedback, 100 * done / total, 100 * (done + share) / total)
        feedback.pushInfo(f"{name}: computing")
        inputs: Dict[str, Any] = {}
        if name == "sightlines" and "frontage" in results and "frontage" in results["frontage"].layers:
            inputs["frontage"] = results["frontage"].layers["frontage"]
        if name == "access" and population is not None:
            inputs["population"] = population
        if name == "safety":
            inputs["results"] = dict(results)
        start = time.perf_counter()
        try:
            result = indicator.run(data, options.get(name), sub, **inputs)
        except CancelledError:
            raise
        except DependencyError:
            raise
        except AmpError as exc:
            reason = " ".join(str(exc).split())
            result = IndicatorResult(theme=name, warnings=[f"{name} could not be computed: {reason}"])
            feedback.pushWarning(result.warnings[0])
        timings[name] = time.perf_counter() - start
        results[name] = result
        warnings.extend(f"{name}: {w}" for w in result.warnings)
        done += share
    check_cancelled(feedback)
    start = time.perf_counter()
    profile = score_profile(results, weights=weights)
    timings["scoring"] = time.perf_counter() - start
    already = {w.split(": ", 1)[-1] for w in warnings}
    for text in profile.warnings:
        if text not in already:  # the safety indicator reports the same weight warnings
            feedback.pushWarning(text)
            warnings.append(text)
    feedback.setProgress(100 * done / total)
    return Assessment(data=data, results=results, profile=profile, timings=timings,
                      warnings=warnings)


def _load_population(data: "PlaceData", population: Any, options: Optional["Options"]) -> Any:
    """Read and check the population layer once, before any work: a layer the user gave that
    cannot be used (no CRS, no population field) stops the assessment with its message, rather
    than becoming a data gap in the access figures. The access indicator uses what is read here."""
    from amp_qgis_plugin.core.indicators.access import AccessOptions
    from amp_qgis_plugin.core.indicators.population import load_population
    from amp_qgis_plugin.core.thresholds import load_thresholds

    field = getattr(options, "population_field", "") if options is not None else \
        AccessOptions().population_field
    return load_population(population, data.crs, field,
                           load_thresholds("access").get("population_fields", ()))


def place_slug(name: str) -> str:
    """A file-name-safe form of a place name (``"Gustaf Adolfs torg"`` -> ``"gustaf-adolfs-torg"``).

    Letters outside ASCII (å, ä, ö) are kept: every file system the plugin runs on takes them.
    """
    slug = re.sub(r"[^\w]+", "-", name.strip().lower(), flags=re.UNICODE).strip("-_")
    return slug or "place"


def write_assessment(assessment: Assessment, folder: "os.PathLike[str] | str", *,
                     extra_provenance: Optional[Mapping[str, str]] = None,
                     feedback: Optional[Feedback] = None) -> Dict[str, Path]:
    """Write an assessment as ``folder/<place>.gpkg`` and its rasters beside it.

    Returns
    -------
    dict of str to Path
        ``"gpkg"`` and each raster name written.
    """
    from amp_qgis_plugin.core.outputs import write_results

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    slug = place_slug(assessment.data.name)
    results = list(assessment.results.values())
    raster_paths = {name: folder / f"{slug}-{name}.tif"
                    for r in results for name in r.rasters}
    tables = {"scores": assessment.profile.scores_frame(),
              "sensitivity": assessment.profile.sensitivity_frame()}
    prov = {"assessment.timings_s": "; ".join(f"{k}={v:.2f}" for k, v in assessment.timings.items())}
    prov.update(assessment.profile.provenance())
    prov.update(extra_provenance or {})
    return write_results(results, assessment.data, folder / f"{slug}.gpkg",
                         raster_paths=raster_paths, tables=tables, place_data=True,
                         extra_provenance=prov, feedback=feedback)


@dataclass
class ScenarioAssessment:
    """A place assessed as it is and with a scenario's changes.

    Attributes
    ----------
    before, after : Assessment
        The assessments of the place as it is and as changed.
    changes : GeoDataFrame
        What the scenario added or removed (``scenario_changes``).
    diff : DataFrame
        Value and score of every indicator, attribute and the index, before and after.
    """

    before: Assessment
    after: Assessment
    changes: "gpd.GeoDataFrame"
    diff: "pd.DataFrame"


def assess_scenario(data: "PlaceData", scenario: Any, *,
                    options: Optional[Mapping[str, "Options"]] = None,
                    population: Optional["gpd.GeoDataFrame"] = None, weights: Any = None,
                    scenario_options: Optional["ScenarioOptions"] = None,
                    feedback: Optional[Feedback] = None) -> ScenarioAssessment:
    """Assess ``data`` as it is and with the changes of ``scenario`` (a layer or its path).

    Both runs use the same entries, options and weights; progress 0-50 % before, 50-100 % after.

    Raises
    ------
    InputError
        For a scenario layer that cannot be applied (before any indicator runs).
    """
    from amp_qgis_plugin.core.scenario import apply_scenario, compare

    feedback = feedback or NullFeedback()
    applied = apply_scenario(data, scenario, scenario_options)
    feedback.pushInfo("Scenario: " + "; ".join(f"{k} {v}" for k, v in applied.counts.items()))
    before = assess_place(data, options=options, population=population, weights=weights,
                          feedback=ScaledFeedback(feedback, 0, 50))
    after = assess_place(applied.data, options=options, population=population, weights=weights,
                         feedback=ScaledFeedback(feedback, 50, 100))
    return ScenarioAssessment(before=before, after=after, changes=applied.changes,
                              diff=compare(before.profile, after.profile))


def write_scenario(result: ScenarioAssessment, folder: "os.PathLike[str] | str", *,
                   feedback: Optional[Feedback] = None) -> Dict[str, Path]:
    """Write the place as it is (``<place>.gpkg``) and as changed (``<place>-scenario.gpkg``).

    The scenario GeoPackage holds the changed place's layers and scores, the
    ``scenario_changes`` layer and the ``scenario_diff`` table; its rasters are named
    ``<place>-scenario-<raster>.tif``.

    Returns
    -------
    dict of str to Path
        ``"gpkg"``, ``"scenario_gpkg"`` and the rasters of both.
    """
    from amp_qgis_plugin.core.outputs import write_results

    folder = Path(folder)
    written = write_assessment(result.before, folder, feedback=feedback)
    after = result.after
    slug = place_slug(after.data.name) + "-scenario"
    results = list(after.results.values())
    changes = IndicatorResult(theme="scenario", layers={"scenario_changes": result.changes},
                              geometry_types={"scenario_changes": "Point"})
    tables = {"scores": after.profile.scores_frame(),
              "sensitivity": after.profile.sensitivity_frame(),
              "scenario_diff": result.diff}
    prov = dict(after.profile.provenance())
    paths = write_results(results + [changes], after.data, folder / f"{slug}.gpkg",
                          raster_paths={name: folder / f"{slug}-{name}.tif"
                                        for r in results for name in r.rasters},
                          tables=tables, place_data=True, extra_provenance=prov,
                          feedback=feedback)
    written.update({("scenario_gpkg" if k == "gpkg" else f"scenario_{k}"): v
                    for k, v in paths.items()})
    return written
