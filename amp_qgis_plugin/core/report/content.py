"""What a site-assessment report says, read from an assessment GeoPackage (no QGIS, no drawing).

:meth:`ReportContent.from_assessment` reads the ``<place>.gpkg`` an assessment wrote (its
``scores``, ``figures`` and ``provenance`` tables, the place outline and the rasters beside it)
and returns everything a report shows, already worded in English or Swedish:

- the place: name, area, date of the OSM data, when it was assessed, plugin version;
- the profile: the four PPS attributes and the perceived-safety index (score, band, coverage),
  and the index's groups. "No data" is a score of None and the text "no data"/"inga data",
  never 0;
- the key figures: every indicator of the profile under its attribute or safety group, with
  value and unit, score, threshold rule, status and source (numbered in :attr:`sources`);
- other measured figures (frontage length, lamps, mean isovist area, ...);
- data coverage (indicators without data and why), provenance highlights, the engine's
  warnings and the report's own notes (an attribute without data, a missing raster);
- the map extents (the place plus a margin; the walking catchments) and the rasters found;
- for the assessment of a scenario (``<place>-scenario.gpkg``, with a ``scenario_diff`` table):
  the proposed changes counted by action and kind, the attributes and the index before and
  after, and every indicator whose score moved (:class:`ScenarioContent`).

Both reports use it: the QGIS-free PDF/HTML (:mod:`amp_qgis_plugin.core.report.pdf`,
:mod:`~amp_qgis_plugin.core.report.html`) and the QGIS print layout.

Examples
--------
>>> content = ReportContent.from_assessment("out/senaatintori.gpkg", lang="sv")  # doctest: +SKIP
>>> [(p.name, p.score_text, p.band_text) for p in content.profile]  # doctest: +SKIP
[('Användning och aktiviteter', '24', 'röd'), ..., ('Social samvaro', 'inga data', '')]
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.i18n import figure_label, value_text
from amp_qgis_plugin.core.report.texts import (
    LANGUAGES,
    TEXTS,
    band_text,
    default_language,
    number_text,
    quantity_text,
    score_text,
    text,
    unit_text,
)

#: Columns of the ``scores`` table the report reads (an older table without them is refused).
REQUIRED_SCORE_COLUMNS = ("level", "key", "name", "name_sv", "attribute", "group", "value",
                          "unit", "score", "band", "threshold", "source", "status",
                          "coverage_pct", "weight", "note")

#: The rasters an assessment writes beside its GeoPackage (``<slug>-<name>.tif``).
RASTERS = ("illuminance", "isovist_area", "semicylindrical")

#: Figures listed besides the scores: ``(theme, key)``, in report order.
OTHER_FIGURES: Tuple[Tuple[str, str], ...] = (
    ("frontage", "frontage_length"), ("frontage", "doors_per_100m"),
    ("seating", "linear_seating_m"), ("seating", "seating_per_100m2"),
    ("amenities", "trees"), ("amenities", "bins"),
    ("lighting", "lamp_count"), ("lighting", "p_class"), ("lighting", "walkable_area_m2"),
    ("lighting", "dark_gap_length_m"),
    ("sightlines", "mean_isovist_area_m2"),
    ("access", "nearest_highcap_stop_m"), ("access", "population_long"),
)

#: Margin around the place on the place maps, as a share of the place's larger side (and at
#: least :data:`MIN_MARGIN_M`).
MAP_MARGIN = 0.35
#: Smallest margin around the place on a map, in metres.
MIN_MARGIN_M = 40.0

Bounds = Tuple[float, float, float, float]


@dataclass(frozen=True)
class ProfileScore:
    """A PPS attribute, the safety index or one of the index's groups, scored and worded.

    Attributes
    ----------
    key : str
        ``uses_activities``, ``comfort_image``, ``access_linkages``, ``sociability``, ``safety``
        or a safety group key.
    name : str
        Name in the report's language.
    level : str
        ``"attribute"``, ``"index"`` or ``"group"``.
    score : float or None
        0-100; None when no indicator of it has data (never 0 for missing data).
    band : str
        ``"red"``, ``"yellow"``, ``"green"``, or ``""`` without a score (English ids, for colours).
    coverage_pct : float
        Share (%) of its weight that could be computed.
    weight : float
        Weight of a group in the index (1 for attributes and the index).
    score_text, band_text, coverage_text : str
        ``"24"`` / ``"no data"``, ``"red"`` / ``"röd"`` / ``""``, ``"83 %"``.
    """

    key: str
    name: str
    level: str
    score: Optional[float]
    band: str
    coverage_pct: float
    weight: float
    score_text: str
    band_text: str
    coverage_text: str

    @property
    def has_data(self) -> bool:
        """True when the attribute (or index, group) has a score."""
        return self.score is not None


@dataclass(frozen=True)
class KeyFigure:
    """One indicator of the profile for one place: value, score, threshold and source.

    Attributes
    ----------
    key : str
        The profile's id (``U1``, ``C8_emin``, ``P7_esc``).
    name : str
        Name in the report's language.
    section : str
        Attribute key, or safety group key for the index's components.
    value : float or None
        The value scored (None = no data).
    unit : str
        The unit as the engine writes it.
    value_text : str
        Value with its unit in the language (``"1.61 doors/100 m"``, ``"inga data"``).
    score : float or None
        0-100 or None.
    score_text : str
        ``"16"`` or ``"no data"``.
    band : str
        Band id or ``""``.
    threshold : str
        The scoring rule in the language (``"0 → 80 %"``).
    status : str
        Evidence tag: V, V-sec, M, REL, proposal (``förslag`` in Swedish).
    source : str
        The threshold's source (as the profile writes it).
    source_ref : int
        Its number in :attr:`ReportContent.sources` (1-based).
    weight : float
        Weight within its attribute or group (0 = not scored until calibrated).
    data : str
        O, O+M, O/M or M (municipal or field data needed).
    why : str
        Why there is no data, in the language (``""`` with data).
    """

    key: str
    name: str
    section: str
    value: Optional[float]
    unit: str
    value_text: str
    score: Optional[float]
    score_text: str
    band: str
    threshold: str
    status: str
    source: str
    source_ref: int
    weight: float
    data: str
    why: str

    @property
    def has_data(self) -> bool:
        """True when the indicator was scored."""
        return self.score is not None

    @property
    def weighted(self) -> bool:
        """True when the indicator counts in its attribute or group (weight above 0)."""
        return self.weight > 0


@dataclass(frozen=True)
class Section:
    """An attribute (or a safety group) with its indicators, for the key-figure tables."""

    score: ProfileScore
    figures: Tuple[KeyFigure, ...]


@dataclass(frozen=True)
class MeasuredFigure:
    """A figure an indicator measured that is not itself scored (or shown again for context).

    Attributes
    ----------
    theme, key : str
        The indicator and the figure's key in the ``figures`` table.
    label : str
        In the report's language (English from the table, Swedish from the plugin's catalog,
        :func:`amp_qgis_plugin.core.i18n.figure_label`).
    value_text : str
        Value and unit, or "no data".
    threshold_text : str
        The threshold the indicator compares it with (with unit), or ``""``.
    source_ref : int
        Number of its source in :attr:`ReportContent.sources`, 0 without a source.
    """

    theme: str
    key: str
    label: str
    value_text: str
    threshold_text: str
    source_ref: int


@dataclass(frozen=True)
class RasterRef:
    """A raster of the assessment: where it is, or why it is not there.

    Attributes
    ----------
    name : str
        ``illuminance``, ``isovist_area`` or ``semicylindrical``.
    path : Path or None
        The GeoTIFF beside the assessment; None when missing.
    message : str
        In the language: what is missing and what that means for the map (``""`` when found).
    """

    name: str
    path: Optional[Path]
    message: str = ""


@dataclass(frozen=True)
class ScenarioRow:
    """An attribute, the safety index or an indicator before and after a scenario's changes.

    Attributes
    ----------
    key, name, level : str
        As in the ``scores`` table (name in the report's language).
    unit : str
        The indicator's unit as the engine writes it (``""`` for attributes).
    score_before, score_after, change : float or None
        0-100 scores and their difference (None: no data on that side; the change is None
        unless both sides have a score).
    value_before_text, value_after_text : str
        Values with their units, or "no data" (indicators).
    score_before_text, score_after_text : str
        Scores with one decimal (two when the change is under 0.05), or "no data".
    change_text : str
        ``"+2.5"``, ``"−0.30"``, ``"0.0"``, or in words when one side has no data
        ("newly scored", "no longer scored"); ``"–"`` when neither has.
    coverage_text : str
        Coverage before → after (attributes and the index).
    """

    key: str
    name: str
    level: str
    unit: str
    score_before: Optional[float]
    score_after: Optional[float]
    change: Optional[float]
    value_before_text: str
    value_after_text: str
    score_before_text: str
    score_after_text: str
    change_text: str
    coverage_text: str

    @property
    def moved(self) -> bool:
        """True when the score changed (including from or to no data)."""
        if self.score_before is None or self.score_after is None:
            return (self.score_before is None) != (self.score_after is None)
        return abs(self.score_after - self.score_before) > 1e-9


@dataclass(frozen=True)
class ScenarioContent:
    """What a scenario changed, read from the ``scenario_changes`` layer and ``scenario_diff``.

    Attributes
    ----------
    changes : list of (str, str, int)
        ``(action, kind, count)`` worded in the language (``("added", "bench", 1)``), adds first.
    total : int
        Number of proposed changes.
    profile : list of ScenarioRow
        The four PPS attributes, then the safety index.
    indicators : list of ScenarioRow
        Every indicator whose score moved, in profile order.
    value_only : list of ScenarioRow
        Indicators whose value changed while their score did not.
    """

    changes: List[Tuple[str, str, int]]
    total: int
    profile: List[ScenarioRow]
    indicators: List[ScenarioRow]
    value_only: List[ScenarioRow]


@dataclass
class ReportContent:
    """Everything a site-assessment report says, in one language.

    Attributes
    ----------
    path : Path
        The assessment GeoPackage.
    lang : str
        ``"en"`` or ``"sv"``.
    place_name : str
        The place's name.
    area_m2 : float or None
        The place's area.
    area_text : str
        ``"6,706 m²"`` / ``"6 706 m²"``.
    osm_date : str
        Date of the OSM data (``YYYY-MM-DD``), or ``""`` when unknown.
    assessed_at : str
        When the assessment ran (``YYYY-MM-DD HH:MM`` UTC), or ``""``.
    plugin_version : str
        Version of the plugin that assessed the place.
    profile_version : str
        Version of the scoring profile used.
    profile : list of ProfileScore
        The four PPS attributes, then the safety index (the radar chart's axes).
    safety_groups : list of ProfileScore
        The index's groups with their weights.
    sections : list of Section
        Each attribute and each safety group with its indicators.
    other_figures : list of MeasuredFigure
        Measured figures shown besides the scores.
    gaps : list of KeyFigure
        Weighted indicators without data (the data-coverage table).
    unweighted : list of KeyFigure
        Indicators not weighted until calibrated (weight 0).
    sources : list of str
        Threshold sources, numbered from 1 by their order here.
    provenance : list of (str, str)
        Labelled provenance highlights.
    warnings : list of str
        The assessment's warnings as the engine wrote them (English).
    notes : list of str
        The report's own notes in the language (an attribute without data, a missing raster).
    bands : list of (str, str, float)
        ``(band id, name in the language, lowest score)``, rising.
    rasters : dict of str to RasterRef
        Each raster of :data:`RASTERS`.
    layers : tuple of str
        The layers in the GeoPackage.
    crs : str
        The place's CRS.
    place_bounds : tuple of float
        The place outline's bounds.
    place_extent : tuple of float
        The place plus a margin: the extent of the place maps.
    catchment_extent : tuple of float or None
        The walking catchments' bounds (None without catchments).
    made_at : str
        When the content was read (``YYYY-MM-DD``).
    scenario : ScenarioContent or None
        Before and after a scenario's changes, when the assessment holds a ``scenario_diff``
        table (``<place>-scenario.gpkg``); None for a plain assessment.
    """

    path: Path
    lang: str
    place_name: str
    area_m2: Optional[float]
    area_text: str
    osm_date: str
    assessed_at: str
    plugin_version: str
    profile_version: str
    profile: List[ProfileScore]
    safety_groups: List[ProfileScore]
    sections: List[Section]
    other_figures: List[MeasuredFigure]
    gaps: List[KeyFigure]
    unweighted: List[KeyFigure]
    sources: List[str]
    provenance: List[Tuple[str, str]]
    warnings: List[str]
    notes: List[str]
    bands: List[Tuple[str, str, float]]
    rasters: Dict[str, RasterRef]
    layers: Tuple[str, ...]
    crs: str
    place_bounds: Bounds
    place_extent: Bounds
    catchment_extent: Optional[Bounds]
    made_at: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d"))
    scenario: Optional[ScenarioContent] = None

    # ----------------------------------------------------------------------------------------

    @classmethod
    def from_assessment(cls, path: "os.PathLike[str] | str",
                        lang: Optional[str] = None) -> "ReportContent":
        """Read the report's content from an assessment GeoPackage.

        Parameters
        ----------
        path : path-like
            ``DIR/<place>.gpkg`` as written by an assessment (the rasters are looked for
            beside it as ``<place>-<raster>.tif``).
        lang : {"en", "sv"}, optional
            The report's language; default from the environment's locale
            (:func:`~amp_qgis_plugin.core.report.texts.default_language`).

        Returns
        -------
        ReportContent

        Raises
        ------
        InputError
            When the file is missing or not a GeoPackage, is not an assessment (fetched place
            data, one indicator's output), or was written by an older version (no ``scores``
            table, a scores table without the columns read here, an older data schema): the
            message says to run the assessment again. Its ``options`` are ``("assessment",)``
            (``("language",)`` for an unknown language).
        """
        lang = _language(lang)
        path = Path(path)
        tables = _read_tables(path, lang)
        return _build(path, lang, *tables)

    # ----------------------------------------------------------------------------------------

    def t(self, key: str, **fields: object) -> str:
        """A fixed text of the report in this content's language."""
        return text(key, self.lang, **fields)

    @property
    def attributes(self) -> List[ProfileScore]:
        """The four PPS attributes (without the index)."""
        return [p for p in self.profile if p.level == "attribute"]

    @property
    def index(self) -> ProfileScore:
        """The perceived-safety index."""
        return next(p for p in self.profile if p.level == "index")

    def bands_text(self) -> str:
        """``"red 0-39, yellow 40-69, green 70-100"`` in the language."""
        parts = []
        for i, (_, name, low) in enumerate(self.bands):
            high = self.bands[i + 1][2] - 1 if i + 1 < len(self.bands) else 100
            parts.append(f"{name} {low:g}-{high:g}")
        return ", ".join(parts)

    def raster_path(self, name: str) -> Optional[Path]:
        """The raster ``name`` beside the assessment, or None when it is missing."""
        ref = self.rasters.get(name)
        return ref.path if ref is not None else None


# --------------------------------------------------------------------------------------------
# Reading and checking


def _language(lang: Optional[str]) -> str:
    if lang is None or not str(lang).strip():
        return default_language()
    value = str(lang).strip().lower()
    if value in LANGUAGES:
        return value
    if value.startswith("sv"):
        return "sv"
    if value.startswith("en"):
        return "en"
    raise InputError(text("err_lang", "en", given=lang), options=("language",))


def _fail(key: str, lang: str, **fields: object) -> InputError:
    return InputError(text(key, lang, **fields), options=("assessment",))


def _read_tables(path: Path, lang: str):
    """``(layers, scores, figures, provenance)`` after checking the file is a current assessment."""
    import pyogrio

    from amp_qgis_plugin.core.data.placedata import schema_version_of
    from amp_qgis_plugin.core.data.schema import SCHEMA_VERSION

    name = path.name
    if not path.exists():
        raise _fail("err_missing", lang, file=str(path))
    if path.is_dir() or path.suffix.lower() != ".gpkg":
        raise _fail("err_not_gpkg", lang, file=name)
    try:
        layers = tuple(str(row[0]) for row in pyogrio.list_layers(path))
    except Exception as exc:  # pyogrio's DataSourceError and friends
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise _fail("err_unreadable", lang, file=name, reason=reason) from exc
    provenance: Dict[str, str] = {}
    if "provenance" in layers:
        prov = pyogrio.read_dataframe(path, layer="provenance", read_geometry=False)
        if {"key", "value"} <= set(prov.columns):
            provenance = dict(zip(prov["key"].astype(str), prov["value"].astype(str)))
    looks_assessed = any(k.startswith(("profile.", "assessment.")) for k in provenance)
    if "scores" not in layers:
        if looks_assessed:
            raise _fail("err_old", lang, file=name, why=text("err_old_scores", lang))
        kind = ("kind_indicator" if "figures" in layers else
                "kind_placedata" if "place" in layers and provenance else "kind_other")
        raise _fail("err_not_assessment", lang, file=name, table="scores", kind=text(kind, lang))
    version = schema_version_of(provenance)
    if version != SCHEMA_VERSION:
        if version is not None and version > SCHEMA_VERSION:
            raise _fail("err_new_schema", lang, file=name, found=version, expected=SCHEMA_VERSION)
        found = provenance.get("schema_version", "") or "1"
        raise _fail("err_old", lang, file=name,
                    why=text("err_old_schema", lang, found=found, expected=SCHEMA_VERSION))
    scores = pyogrio.read_dataframe(path, layer="scores", read_geometry=False)
    missing = [c for c in REQUIRED_SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise _fail("err_old", lang, file=name,
                    why=text("err_old_columns", lang, columns=", ".join(missing)))
    if "place" not in layers:
        raise _fail("err_no_place", lang, file=name)
    figures = (pyogrio.read_dataframe(path, layer="figures", read_geometry=False)
               if "figures" in layers else None)
    return layers, scores, figures, provenance


def _float(value) -> Optional[float]:
    """A finite float, or None for empty text, NaN and anything not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _str(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    out = str(value).strip()
    return "" if out.lower() in ("nan", "none") else out


# --------------------------------------------------------------------------------------------
# Wording


def _threshold_text(rule: str, lang: str) -> str:
    """The scoring rule in the language: units translated, Swedish decimal commas."""
    rule = _str(rule)
    if not rule:
        return ""
    if rule.startswith("not calibrated"):
        return "ej kalibrerad (REL)" if lang == "sv" else rule
    for unitless in ("ratio", "count", "POIs"):  # the indicator's name says what is counted
        if lang == "en" or unitless == "ratio":
            rule = re.sub(rf"(\d) {unitless}(?![\w/])", r"\1", rule)
    if lang == "sv":
        rule = re.sub(r"(\d)\.(\d)", r"\1,\2", rule)
        rule = rule.replace("frontage-weighted grade score", "fasadlängdsviktad klasspoäng")
        rule = re.sub(r"\bbelow\b", "under", rule)
        rule = re.sub(r"(\d) score\b", r"\1 poäng", rule)
        for en in sorted(("doors/100 m", "categories", "POIs", "types", "sides", "count",
                          "pockets/1000 m2", "ratio"), key=len, reverse=True):
            sv = unit_text(en, "sv")
            rule = re.sub(rf"(?<![\w/]){re.escape(en)}(?![\w/])", sv, rule)
        rule = re.sub(r" +([;,)])", r"\1", rule).replace("  ", " ")
    rule = re.sub(r"\bm2\b", "m²", rule)
    rule = re.sub(r"\b1000 m²", "1,000 m²" if lang == "en" else "1 000 m²", rule)
    return rule.strip()


def _why(note: str, weight: float, lang: str) -> str:
    """Why an indicator has no data, in the language."""
    note = _str(note)
    reasons: List[str] = []
    if weight <= 0:
        reasons.append(text("why_not_weighted", lang))
    low = note.lower()
    if "needs municipal or field data" in low:
        reasons.append(text("why_municipal", lang))
    elif "does not compute" in low:
        reasons.append(text("why_not_yet", lang))
    elif "could not be computed" in low or "did not run" in low:
        match = re.search(r"the (\w+) indicator", note)
        reasons.append(text("why_could_not", lang, theme=match.group(1) if match else "?"))
    elif "no population layer" in low:
        reasons.append(text("why_no_population", lang))
    elif re.search(r"no data: no seats?\b", low):
        reasons.append(text("why_no_seats", lang))
    elif re.search(r"only [\d.]+ % of the paths.*numeric (\w+) tag", note):
        match = re.search(r"only ([\d.]+) % of the paths.*numeric (\w+) tag \(at least ([\d.]+) %",
                          note)
        if match:
            reasons.append(text("why_tags", lang, share=_decimal(match.group(1), lang),
                                tag=match.group(2), need=_decimal(match.group(3), lang)))
        else:
            reasons.append(note)
    else:
        detail = note
        for prefix in ("not weighted (weight 0); ", "not weighted (weight 0)"):
            detail = detail.replace(prefix, "")
        detail = re.sub(r"^no data:?\s*", "", detail.split("; ")[0] if detail else "").strip()
        if detail:
            reasons.append(detail)
    if not reasons:
        reasons.append(text("no_data", lang))
    return "; ".join(reasons)


def _decimal(number: str, lang: str) -> str:
    """A number as written in the engine's text, with a decimal comma in Swedish."""
    return number.replace(".", ",") if lang == "sv" else number


def _status_text(status: str, lang: str) -> str:
    status = _str(status)
    return text("proposal", lang) if status == "proposal" else status


def _bands(lang: str) -> List[Tuple[str, str, float]]:
    from amp_qgis_plugin.core.scoring_profile import load_profile

    try:
        profile = load_profile()
        return [(en, sv if lang == "sv" else en, float(low)) for en, sv, low in profile.bands]
    except Exception:  # a broken bundled profile must not stop a report: the usual bands
        return [(b, text(b, lang), low) for b, low in (("red", 0.0), ("yellow", 40.0),
                                                       ("green", 70.0))]


# --------------------------------------------------------------------------------------------
# Building the content


class _Sources:
    """Numbers sources in order of first use."""

    def __init__(self) -> None:
        self.items: List[str] = []
        self._index: Dict[str, int] = {}

    def ref(self, source: str) -> int:
        source = " ".join(_str(source).split())
        if not source:
            return 0
        if source not in self._index:
            self.items.append(source)
            self._index[source] = len(self.items)
        return self._index[source]


def _profile_score(row, lang: str) -> ProfileScore:
    score = _float(row["score"])
    coverage = _float(row["coverage_pct"]) or 0.0
    band = _str(row["band"]) if score is not None else ""
    name = _str(row["name_sv"]) if lang == "sv" and _str(row["name_sv"]) else _str(row["name"])
    return ProfileScore(key=_str(row["key"]), name=name, level=_str(row["level"]), score=score,
                        band=band, coverage_pct=coverage, weight=_float(row["weight"]) or 0.0,
                        score_text=score_text(score, lang), band_text=band_text(band, lang),
                        coverage_text=f"{number_text(coverage, lang, 0)}\u00a0%")


def _key_figure(row, section: str, lang: str, sources: _Sources) -> KeyFigure:
    value = _float(row["value"])
    score = _float(row["score"])
    weight = _float(row["weight"]) or 0.0
    unit = _str(row["unit"])
    name = _str(row["name_sv"]) if lang == "sv" and _str(row["name_sv"]) else _str(row["name"])
    if score is None:
        value_shown = text("no_data", lang) if value is None else quantity_text(value, unit, lang)
    else:
        value_shown = quantity_text(value, unit, lang)
    return KeyFigure(key=_str(row["key"]), name=name, section=section, value=value, unit=unit,
                     value_text=value_shown, score=score, score_text=score_text(score, lang),
                     band=_str(row["band"]) if score is not None else "",
                     threshold=_threshold_text(row["threshold"], lang),
                     status=_status_text(row["status"], lang), source=_str(row["source"]),
                     source_ref=sources.ref(row["source"]), weight=weight,
                     data=_str(row.get("data", "")),
                     why="" if score is not None else _why(row["note"], weight, lang))


def _other_figures(figures, lang: str, sources: _Sources) -> List[MeasuredFigure]:
    if figures is None or figures.empty:
        return []
    out: List[MeasuredFigure] = []
    by_key = {(_str(r["theme"]), _str(r["key"])): r for _, r in figures.iterrows()}
    for theme, key in OTHER_FIGURES:
        row = by_key.get((theme, key))
        if row is None:
            continue
        unit = _str(row.get("unit", ""))
        number = _float(row.get("value"))
        raw = _str(row.get("value"))
        if number is not None:
            value = quantity_text(number, unit, lang)
        elif raw:
            value = value_text(raw, lang)
        else:
            value = text("no_data", lang)
        threshold = _float(row.get("threshold"))
        threshold_text = quantity_text(threshold, unit, lang) if threshold is not None else \
            _threshold_text(_str(row.get("threshold")), lang)
        label = figure_label(theme, key, _str(row.get("label")), lang)
        out.append(MeasuredFigure(theme=theme, key=key, label=label, value_text=value,
                                  threshold_text=threshold_text,
                                  source_ref=sources.ref(_str(row.get("source")))))
    return out


def _when(value: str, with_time: bool) -> str:
    value = _str(value)
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value[:16 if with_time else 10]
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def _provenance(prov: Mapping[str, str], path: Path, lang: str) -> List[Tuple[str, str]]:
    rows: List[Tuple[str, str]] = []

    def add(label: str, value: str) -> None:
        if _str(value):
            rows.append((text(label, lang), _str(value)))

    place = prov.get("place_name", "")
    osm_id = prov.get("place_osm_id", "")
    kind = _str(prov.get("place_kind", ""))
    kind = text(f"kind_{kind}", lang) if f"kind_{kind}" in TEXTS else kind
    add("prov_place", f"{place} ({kind})" if kind else place)
    add("prov_place_source", f"{prov.get('place_source', '')} {osm_id}".strip())
    osm_file = _str(prov.get("osm_file", ""))
    add("prov_osm_file", Path(osm_file).name if osm_file else prov.get("overpass_url", ""))
    add("prov_osm_date", _when(prov.get("osm_timestamp", ""), False))
    add("prov_licence", prov.get("licence", ""))
    radius = _float(prov.get("study_radius_m"))
    if radius is not None:
        add("prov_study_radius", quantity_text(radius, "m", lang))
    add("prov_crs", prov.get("crs", ""))
    kept, given = _float(prov.get("buildings.kept")), _float(prov.get("buildings.input"))
    if kept is not None and given is not None:
        dupes = _float(prov.get("buildings.near_duplicates_removed")) or 0
        add("prov_buildings", text("prov_buildings_value", lang, kept=number_text(kept, lang, 0),
                                   input=number_text(given, lang, 0),
                                   dupes=number_text(dupes, lang, 0)))
    walk = _str(prov.get("access.param.walk_network", ""))
    if walk:
        walk = walk.split(";")[0]
        if lang == "sv":
            walk = walk.replace("nodes", "noder").replace("edges", "länkar")
        add("prov_walk", walk)
    photometry = _str(prov.get("lighting.param.photometry", ""))
    if photometry:
        add("prov_lamps", text("prov_lamps_none", lang) if photometry == "none" else photometry)
    add("prov_profile", " ".join(x for x in (prov.get("profile.version", ""),) if x))
    given_w = _str(prov.get("profile.weights_given", ""))
    add("prov_weights", text("prov_weights_none", lang) if given_w in ("", "none") else given_w)
    run = " ".join(x for x in (_when(prov.get("run.at", ""), True),
                               f"AMP {prov.get('run.plugin_version', '')}".strip()
                               if prov.get("run.plugin_version") else "") if x)
    add("prov_run", run)
    add("prov_assessment", path.name)
    return rows


def _warnings(prov: Mapping[str, str]) -> List[str]:
    out: List[str] = []
    for key in sorted(k for k in prov if k.endswith(".warnings")):
        theme = key[:-len(".warnings")]
        for item in str(prov[key]).split(" | "):
            item = " ".join(item.split())
            if item and f"{theme}: {item}" not in out:
                out.append(f"{theme}: {item}")
    return out


def _rasters(path: Path, lang: str) -> Dict[str, RasterRef]:
    refs: Dict[str, RasterRef] = {}
    for name in RASTERS:
        tif = path.with_name(f"{path.stem}-{name}.tif")
        if tif.is_file():
            refs[name] = RasterRef(name, tif)
        else:
            refs[name] = RasterRef(name, None, text("raster_missing", lang,
                                                    what=text(f"what_{name}", lang),
                                                    file=tif.name))
    return refs


def _extents(path: Path, layers: Sequence[str], lang: str
             ) -> Tuple[str, Bounds, Bounds, Optional[Bounds]]:
    import pyogrio

    place = pyogrio.read_dataframe(path, layer="place")
    if place.empty or place.crs is None:
        raise _fail("err_no_place", lang, file=path.name)
    bounds = tuple(float(v) for v in place.total_bounds)
    if not all(math.isfinite(v) for v in bounds):
        raise _fail("err_no_place", lang, file=path.name)
    place_bounds: Bounds = bounds  # type: ignore[assignment]
    catchments: Optional[Bounds] = None
    if "catchments" in layers:
        frame = pyogrio.read_dataframe(path, layer="catchments")
        if not frame.empty:
            values = tuple(float(v) for v in frame.total_bounds)
            if all(math.isfinite(v) for v in values):
                catchments = values  # type: ignore[assignment]
    return place.crs.to_string(), place_bounds, place_extent(place_bounds), catchments


def place_extent(bounds: Bounds, margin: float = MAP_MARGIN,
                 min_margin_m: float = MIN_MARGIN_M) -> Bounds:
    """The place's bounds grown by ``margin`` of its larger side (at least ``min_margin_m``).

    >>> place_extent((0, 0, 100, 50))
    (-40.0, -40.0, 140.0, 90.0)
    """
    minx, miny, maxx, maxy = bounds
    pad = max(min_margin_m, margin * max(maxx - minx, maxy - miny))
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _build(path: Path, lang: str, layers, scores, figures, prov) -> ReportContent:
    sources = _Sources()
    rows = [r for _, r in scores.iterrows()]
    profile: List[ProfileScore] = []
    groups: List[ProfileScore] = []
    sections: List[Section] = []
    current: Optional[ProfileScore] = None
    members: List[KeyFigure] = []

    def close() -> None:
        if current is not None:
            sections.append(Section(current, tuple(members)))

    for row in rows:
        level = _str(row["level"])
        if level in ("attribute", "index", "group"):
            item = _profile_score(row, lang)
            if level == "group":
                groups.append(item)
            else:
                profile.append(item)
            if level == "index":
                continue  # its groups carry its indicators
            close()
            current, members = item, []
        elif level == "indicator" and current is not None:
            members.append(_key_figure(row, current.key, lang, sources))
    close()
    # the index last on the radar, whatever the table's order
    profile.sort(key=lambda p: p.level == "index")
    figures_all = [f for s in sections for f in s.figures]
    gaps = [f for f in figures_all if f.weighted and not f.has_data]
    unweighted = [f for f in figures_all if not f.weighted]
    other = _other_figures(figures, lang, sources)
    notes = [text("attribute_no_data", lang, name=p.name) for p in profile if not p.has_data]
    rasters = _rasters(path, lang)
    notes.extend(r.message for r in rasters.values() if r.message and r.name != "semicylindrical")
    crs, bounds, extent, catchments = _extents(path, layers, lang)
    area = _float(prov.get("place_area_m2"))
    return ReportContent(
        path=path, lang=lang,
        place_name=_str(prov.get("place_name")) or path.stem,
        area_m2=area, area_text=quantity_text(area, "m2", lang, 0),
        osm_date=_when(prov.get("osm_timestamp", ""), False),
        assessed_at=_when(prov.get("run.at", ""), True),
        plugin_version=_str(prov.get("run.plugin_version")),
        profile_version=_str(prov.get("profile.version")),
        profile=profile, safety_groups=groups, sections=sections, other_figures=other,
        gaps=gaps, unweighted=unweighted, sources=sources.items,
        provenance=_provenance(prov, path, lang), warnings=_warnings(prov), notes=notes,
        bands=_bands(lang), rasters=rasters, layers=tuple(layers), crs=crs,
        place_bounds=bounds, place_extent=extent, catchment_extent=catchments,
        scenario=_scenario(path, layers, lang))


# --------------------------------------------------------------------------------------------
# A scenario: before and after


def _scenario(path: Path, layers: Sequence[str], lang: str) -> Optional[ScenarioContent]:
    """The scenario section's content, or None without a ``scenario_diff`` table."""
    import pyogrio

    if "scenario_diff" not in layers:
        return None
    diff = pyogrio.read_dataframe(path, layer="scenario_diff", read_geometry=False)
    counts: Dict[Tuple[str, str], int] = {}
    if "scenario_changes" in layers:
        changes = pyogrio.read_dataframe(path, layer="scenario_changes", read_geometry=False)
        for action, kind in zip(changes.get("action", []), changes.get("kind", [])):
            key = (_str(action).lower(), _str(kind).lower())
            counts[key] = counts.get(key, 0) + 1
    order = {"add": 0, "remove": 1}
    worded = [(text(f"scen_{a}", lang) if f"scen_{a}" in TEXTS else a,
               text(f"scen_kind_{k}", lang) if f"scen_kind_{k}" in TEXTS else k, n)
              for (a, k), n in sorted(counts.items(), key=lambda i: (order.get(i[0][0], 2),
                                                                      i[0][1]))]
    rows = [_scenario_row(r, lang) for _, r in diff.iterrows()]
    profile = [r for r in rows if r.level == "attribute"]
    profile += [r for r in rows if r.level == "index"]
    indicators = [r for r in rows if r.level == "indicator"]
    return ScenarioContent(
        changes=worded, total=sum(counts.values()), profile=profile,
        indicators=[r for r in indicators if r.moved],
        value_only=[r for r in indicators if not r.moved
                    and r.value_before_text != r.value_after_text])


def _signed(change: float, lang: str, decimals: int) -> str:
    shown = number_text(abs(change), lang, decimals)
    if float(f"{abs(change):.{decimals}f}") == 0:
        return shown
    return ("+" if change > 0 else "\u2212") + shown


def _scenario_row(row, lang: str) -> ScenarioRow:
    before, after = _float(row.get("score_before")), _float(row.get("score_after"))
    change = after - before if before is not None and after is not None else None
    decimals = 2 if change is not None and 0 < abs(change) < 0.05 else 1
    if change is not None:
        change_text = _signed(change, lang, decimals)
    elif after is not None:
        change_text = text("scen_newly_scored", lang)
    elif before is not None:
        change_text = text("scen_no_longer_scored", lang)
    else:
        change_text = "–"
    unit = _str(row.get("unit"))
    name = _str(row.get("name_sv")) if lang == "sv" and _str(row.get("name_sv")) else \
        _str(row.get("name"))
    coverage = [_float(row.get(c)) for c in ("coverage_before", "coverage_after")]
    coverage_text = "" if coverage[0] is None and coverage[1] is None else \
        " → ".join(f"{number_text(c, lang, 0)}\u00a0%" if c is not None else
                   text("no_data", lang) for c in coverage)
    return ScenarioRow(
        key=_str(row.get("key")), name=name, level=_str(row.get("level")), unit=unit,
        score_before=before, score_after=after, change=change,
        value_before_text=quantity_text(_float(row.get("value_before")), unit, lang),
        value_after_text=quantity_text(_float(row.get("value_after")), unit, lang),
        score_before_text=number_text(before, lang, decimals),
        score_after_text=number_text(after, lang, decimals),
        change_text=change_text, coverage_text=coverage_text)
