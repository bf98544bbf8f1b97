"""The site-assessment report as a PDF, drawn with matplotlib (no QGIS, no network).

Why matplotlib's ``PdfPages``: it is already a dependency of the report (the radar chart and
the maps), it comes from Debian (``python3-matplotlib``) and is bundled with QGIS on Windows and
macOS, and it embeds the fonts as TrueType (``pdf.fonttype`` 42), so ``pdftotext`` and a
reader's search find every word, å, ä and ö included. A second PDF library (ReportLab, not
installed here) would add a dependency for text flow that :mod:`~amp_qgis_plugin.core.report.layout`
does in a few hundred lines.

Pages (A4 portrait):

1. the place, its area and data date, the profile as a radar chart, the scores of the four PPS
   attributes and the safety index (with its groups), what the bands mean;
   (for the assessment of a scenario, ``<place>-scenario.gpkg``: "Scenario: before and after",
   the proposed changes, the attributes and the index before and after, and every indicator
   whose score moved;)
2. the place map: frontage grades, seating, lamps, illuminance;
3. the sightlines map (isovist field) and the walking catchments;
4. and on: the key figures under their attribute or safety group (value with unit, score,
   threshold, status, numbered source), other measured figures, data coverage (indicators
   without data and why), provenance, the assessment's warnings, and the numbered sources.

The file is written under a temporary name and renamed when complete
(:func:`~amp_qgis_plugin.core.atomic.atomic_output`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, check_cancelled
from amp_qgis_plugin.core.report.layout import (
    Block,
    Cell,
    Column,
    Frame,
    Page,
    Paragraph,
    Row,
    Spacer,
    Table,
    draw_flow,
    flow,
    text_width,
)
from amp_qgis_plugin.core.report.radar import BAND_COLOURS, NO_DATA_COLOUR
from amp_qgis_plugin.core.report.texts import number_text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import KeyFigure, ProfileScore, ReportContent

#: A4 portrait, inches.
PAGE_SIZE = (8.27, 11.69)
MARGIN_X = 0.6
MARGIN_TOP = 0.55
MARGIN_BOTTOM = 0.65
#: The text area of every page.
FRAME = Frame(MARGIN_X, MARGIN_TOP, PAGE_SIZE[0] - 2 * MARGIN_X,
              PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM)


class PageBreak(Block):
    """Start a new page."""

    def height(self, width: float) -> float:
        return 0.0

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        return None


class Drawing(Block):
    """A block of fixed height drawn by a function ``draw(page, x, y, width)``."""

    def __init__(self, height: float, draw: Callable[[Page, float, float, float], None]) -> None:
        self._height, self._draw = height, draw

    def height(self, width: float) -> float:
        return self._height

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        self._draw(page, x, y, width)


def _heading(value: str, size: float = 13.0, before: float = 0.05) -> List[Block]:
    return [Spacer(before), Paragraph(value, size, "heading", space_after=0.1,
                                      keep_with_next=True)]


def _score_cell(item: "ProfileScore"):
    return [(item.score_text, "normal" if item.has_data else "italic")]


def _band_cell(item: "ProfileScore"):
    return [(item.band_text, item.band)] if item.band_text else "–"


# --------------------------------------------------------------------------------------------
# Page 1: the place and its profile


def _summary(content: "ReportContent") -> List[Block]:
    from amp_qgis_plugin.core.report.radar import draw_radar

    t = content.t
    facts = "   ·   ".join(x for x in (
        f"{t('area')} {content.area_text}",
        f"{t('osm_date')} {content.osm_date}" if content.osm_date else "",
        f"{t('assessed')} {content.assessed_at}" if content.assessed_at else "",
        f"{t('plugin')} {content.plugin_version}" if content.plugin_version else "") if x)
    blocks: List[Block] = [
        Paragraph(f"{t('title')}: {content.place_name}", 20.0, "heading", space_after=0.08),
        Paragraph(t("subtitle"), 10.0, "muted", space_after=0.05),
        Paragraph(facts, 8.5, "normal", space_after=0.12),
    ]
    blocks += _heading(t("profile"), 13.0, 0.0)

    def radar(page: Page, x: float, y: float, width: float) -> None:
        size = 2.75
        ax = page.axes(x + (width - size) / 2, y + 0.55, size, size, projection="polar")
        draw_radar(ax, content.profile, content.bands, no_data=t("no_data"), label_size=8.5)

    blocks.append(Drawing(3.95, radar))
    columns = [Column(t("attribute"), 3.4), Column(t("score"), 1.0, "right"),
               Column(t("band"), 1.2, "center"), Column(t("coverage"), 1.47, "right")]
    rows = [Row([[(p.name, "bold" if p.level == "index" else "normal")], _score_cell(p),
                 _band_cell(p), p.coverage_text]) for p in content.profile]
    blocks.append(Table(columns, rows, size=8.5, space_after=0.15))
    blocks += _heading(t("safety_groups"), 11.0, 0.0)
    columns = [Column(t("group"), 3.4), Column(t("group_weight"), 1.0, "right"),
               Column(t("score"), 0.9, "right"), Column(t("band"), 0.9, "center"),
               Column(t("coverage"), 0.87, "right")]
    rows = [Row([g.name, number_text(g.weight, content.lang, 2),
                 _score_cell(g), _band_cell(g), g.coverage_text])
            for g in content.safety_groups]
    blocks.append(Table(columns, rows, size=8.0, space_after=0.12))
    blocks.append(Paragraph(t("profile_note", bands=content.bands_text()), 8.0, "muted"))
    if content.scenario is not None:
        blocks.append(Paragraph(t("scen_summary", n=content.scenario.total), 8.0, "bold",
                                space_after=0.04))
    for note in content.notes:
        blocks.append(Paragraph(note, 8.0, "warn", space_after=0.04))
    return blocks


# --------------------------------------------------------------------------------------------
# A scenario: before and after (only when the assessment holds one)


def _change_cell(row) -> "Cell":
    return [(row.change_text, "normal" if row.change is not None else "italic")]


def _before_after(before: str, after: str, has_before: bool, has_after: bool) -> "Cell":
    return [(f"{before} → {after}", "normal" if has_before and has_after else "italic")]


def _scenario(content: "ReportContent") -> List[Block]:
    scenario = content.scenario
    if scenario is None:
        return []
    t = content.t
    blocks: List[Block] = [PageBreak(), *_heading(t("scenario"), 13.0, 0.0),
                           Paragraph(t("scen_intro", n=scenario.total), 8.5, "normal",
                                     space_after=0.1)]
    blocks += _heading(t("scen_changes"), 11.0, 0.0)
    columns = [Column(t("scen_action"), 1.6), Column(t("scen_kind"), 3.0),
               Column(t("scen_count"), 1.0, "right")]
    blocks.append(Table(columns, [Row([a, k, str(n)]) for a, k, n in scenario.changes],
                        size=8.5, space_after=0.15))
    blocks += _heading(t("scen_profile"), 11.0, 0.0)
    columns = [Column(t("attribute"), 2.45), Column(t("scen_before"), 0.9, "right"),
               Column(t("scen_after"), 0.9, "right"), Column(t("scen_change"), 1.02, "right"),
               Column(t("scen_coverage"), 1.8, "right")]
    rows = [Row([[(r.name, "bold" if r.level == "index" else "normal")],
                 [(r.score_before_text, "normal" if r.score_before is not None else "italic")],
                 [(r.score_after_text, "normal" if r.score_after is not None else "italic")],
                 _change_cell(r), r.coverage_text or "–"]) for r in scenario.profile]
    blocks.append(Table(columns, rows, size=8.5, space_after=0.15))
    blocks += _heading(t("scen_indicators"), 11.0, 0.0)
    if scenario.indicators:
        columns = [Column(t("col_key"), 0.65), Column(t("col_indicator"), 2.2),
                   Column(t("scen_value"), 1.75, "right"), Column(t("scen_score"), 1.45, "right"),
                   Column(t("scen_change"), 1.02, "right")]
        rows = [Row([r.key, r.name,
                     _before_after(r.value_before_text, r.value_after_text,
                                   r.value_before_text != t("no_data"),
                                   r.value_after_text != t("no_data")),
                     _before_after(r.score_before_text, r.score_after_text,
                                   r.score_before is not None, r.score_after is not None),
                     _change_cell(r)]) for r in scenario.indicators]
        blocks.append(Table(columns, rows, size=8.0, space_after=0.1))
    else:
        blocks.append(Paragraph(t("scen_no_indicator"), 8.5))
    if scenario.value_only:
        items = "; ".join(f"{r.key} {r.value_before_text} → {r.value_after_text}"
                          for r in scenario.value_only)
        blocks.append(Paragraph(t("scen_value_only", items=items), 8.0, "normal",
                                space_after=0.08))
    blocks.append(Paragraph(t("scen_note"), 8.0, "muted"))
    return blocks


# --------------------------------------------------------------------------------------------
# Pages 2 and 3: maps


def _map_notes(page: Page, notes: List[str], x: float, y: float, width: float) -> float:
    for note in notes:
        para = Paragraph(note, 8.0, "warn", space_after=0.03)
        para.draw(page, x, y, width)
        y += para.height(width)
    return y


def _place_map(content: "ReportContent") -> List[Block]:
    from amp_qgis_plugin.core.report.maps import draw_legend, draw_place_map

    t = content.t
    map_h, legend_h = 6.05, 2.85

    def draw(page: Page, x: float, y: float, width: float) -> None:
        ax = page.axes(x, y, width, map_h)
        result = draw_place_map(ax, content)
        legend_ax = page.axes(x, y + map_h + 0.15, width, legend_h)
        used = draw_legend(legend_ax, result, font=7.5, columns=2)
        below = _map_notes(page, result.notes, x, y + map_h + 0.25 + used, width)
        Paragraph(t("map_note_place"), 8.0, "muted").draw(page, x, below, width)

    return [PageBreak(), *_heading(t("map_place"), 13.0, 0.0),
            Drawing(map_h + legend_h + 0.75, draw)]


def _sight_maps(content: "ReportContent") -> List[Block]:
    from amp_qgis_plugin.core.report.maps import (
        draw_catchment_map,
        draw_legend,
        draw_sightlines_map,
    )

    t = content.t
    map_w, map_h, gap = 4.75, 3.95, 0.2

    def panel(drawer, title: str) -> Drawing:
        def draw(page: Page, x: float, y: float, width: float) -> None:
            page.text(x, y, title, 10.5, "bold")
            ax = page.axes(x, y + 0.25, map_w, map_h)
            result = drawer(ax, content)
            legend_ax = page.axes(x + map_w + gap, y + 0.25, width - map_w - gap, map_h)
            draw_legend(legend_ax, result, font=7.0, columns=1)
            _map_notes(page, result.notes, x, y + 0.3 + map_h, width)

        return Drawing(map_h + 0.75, draw)

    return [PageBreak(), *_heading(t("map_sight_page"), 13.0, 0.0),
            panel(draw_sightlines_map, t("map_sight")),
            panel(draw_catchment_map, t("map_access"))]


# --------------------------------------------------------------------------------------------
# Key figures, coverage, provenance, sources


def _band_colour(band: str) -> str:
    return BAND_COLOURS.get(band, NO_DATA_COLOUR)


def _figure_row(fig: "KeyFigure") -> Row:
    name = [(fig.name, "normal")]
    if not fig.has_data:
        name.append((fig.why, "italic"))
    value = [(fig.value_text, "normal" if fig.value is not None else "italic")]
    score = [(fig.score_text, "normal" if fig.has_data else "italic")]
    return Row([fig.key, name, value, score, fig.threshold or "–", fig.status,
                f"[{fig.source_ref}]" if fig.source_ref else ""])


def _key_figures(content: "ReportContent") -> List[Block]:
    t = content.t
    columns = [Column(t("col_key"), 0.82), Column(t("col_indicator"), 1.9),
               Column(t("col_value"), 1.05, "right"), Column(t("col_score"), 0.62, "right"),
               Column(t("col_threshold"), 1.53), Column(t("col_status"), 0.6),
               Column(t("col_source"), 0.55, "right")]
    blocks: List[Block] = [PageBreak(), *_heading(t("key_figures"), 13.0, 0.0)]
    attribute_rows: List[Row] = []
    group_rows: List[Row] = []
    for section in content.sections:
        s = section.score
        band = f" ({s.band_text})" if s.band_text else ""
        title = f"{s.name}: {s.score_text}{band}, {t('coverage').lower()} {s.coverage_text}"
        if s.level == "group":
            title += f" ({t('group_weight').lower()} {number_text(s.weight, content.lang, 2)})"
        rows = group_rows if s.level == "group" else attribute_rows
        rows.append(Row([title], section=True, swatch=_band_colour(s.band)))
        rows.extend(_figure_row(f) for f in section.figures)
    blocks.append(Table(columns, attribute_rows, size=7.5))
    index = content.index
    band = f" ({index.band_text})" if index.band_text else ""
    blocks += _heading(f"{index.name}: {index.score_text}{band}, {t('coverage').lower()} "
                       f"{index.coverage_text}", 11.0, 0.05)
    blocks.append(Table(columns, group_rows, size=7.5))
    blocks.append(Paragraph(t("status_note"), 7.5, "muted"))
    if content.other_figures:
        blocks += _heading(t("other_figures"), 11.0, 0.1)
        cols = [Column(t("col_indicator"), 3.3), Column(t("col_value"), 1.35, "right"),
                Column(t("col_threshold").split(" (")[0], 1.6, "right"),
                Column(t("col_source"), 0.82, "right")]
        rows = [Row([f.label, f.value_text, f.threshold_text or "–",
                     f"[{f.source_ref}]" if f.source_ref else ""]) for f in content.other_figures]
        blocks.append(Table(cols, rows, size=7.5))
    return blocks


def _coverage(content: "ReportContent") -> List[Block]:
    t = content.t
    blocks: List[Block] = [*_heading(t("coverage_title"), 13.0, 0.15)]
    blocks += _heading(t("coverage_table"), 11.0, 0.0)
    columns = [Column(t("attribute"), 2.6), Column(t("score"), 0.8, "right"),
               Column(t("coverage"), 0.9, "right"), Column(t("not_computed"), 2.77)]
    rows = []
    for p in content.profile:
        members = [s for s in content.sections if s.score.key == p.key]
        if p.level == "index":
            members = [s for s in content.sections if s.score.level == "group"]
        missing = [f.key for s in members for f in s.figures if f.weighted and not f.has_data]
        rows.append(Row([p.name, _score_cell(p), p.coverage_text, ", ".join(missing) or "–"]))
    blocks.append(Table(columns, rows, size=8.0))
    if content.gaps:
        cols = [Column(t("col_key"), 0.75), Column(t("col_indicator"), 3.0),
                Column(t("why"), 3.32)]
        blocks.append(Table(cols, [Row([f.key, f.name, [(f.why, "italic")]])
                                   for f in content.gaps], size=7.5))
    if content.unweighted:
        blocks.append(Paragraph(f"{t('why_not_weighted').capitalize()}: "
                                + ", ".join(f.key for f in content.unweighted) + ".", 8.0,
                                "muted"))
    blocks += _heading(t("provenance"), 11.0, 0.1)
    cols = [Column("", 2.0), Column("", 5.07)]
    blocks.append(Table(cols, [Row([[(k, "bold")], v]) for k, v in content.provenance],
                        size=8.0, header=False))
    blocks += _heading(f"{t('warnings')} {t('warnings_english')}", 11.0, 0.1)
    if content.warnings:
        for warning in content.warnings:
            blocks.append(Paragraph(f"•  {warning}", 8.0, "normal", indent=0.15,
                                    space_after=0.04))
    else:
        blocks.append(Paragraph(t("no_warnings"), 8.0))
    for note in content.notes:
        blocks.append(Paragraph(f"•  {note}", 8.0, "warn", indent=0.15, space_after=0.04))
    blocks += _heading(t("sources"), 11.0, 0.15)
    digits = len(str(len(content.sources)))
    hang = text_width(f"[{len(content.sources)}]  ", 7.5)
    for i, source in enumerate(content.sources, 1):
        figure_spaces = "\u2007" * (digits - len(str(i)))  # digit-wide: the texts line up
        blocks.append(Paragraph(f"[{i}]{figure_spaces}  {source}", 7.5, indent=hang,
                                space_after=0.035))
    return blocks


def report_blocks(content: "ReportContent") -> List[Block]:
    """Every block of the report, in order (page breaks included)."""
    return (_summary(content) + _scenario(content) + _place_map(content)
            + _sight_maps(content) + _key_figures(content) + _coverage(content))


def paginate(content: "ReportContent") -> List[List]:
    """The report laid out: one list of ``(block, y)`` per page."""
    blocks = report_blocks(content)
    pages: List[List] = []
    chunk: List[Block] = []
    for block in blocks + [PageBreak()]:
        if isinstance(block, PageBreak):
            if chunk:
                pages.extend(flow(chunk, FRAME))
            chunk = []
        else:
            chunk.append(block)
    return pages


def _footer(page: Page, content: "ReportContent", number: int, total: int) -> None:
    y = PAGE_SIZE[1] - MARGIN_BOTTOM + 0.2
    page.hline(MARGIN_X, PAGE_SIZE[0] - MARGIN_X, y, "#999999", 0.5)
    left = f"{content.t('title')}: {content.place_name}"
    if content.osm_date:
        left += f"  ·  {content.t('osm_date')} {content.osm_date}"
    page.text(MARGIN_X, y + 0.06, left, 7.0, "muted")
    page.text(PAGE_SIZE[0] - MARGIN_X, y + 0.06, content.t("page", n=number, total=total), 7.0,
              "muted", ha="right")


def write_pdf(content: "ReportContent", path: "os.PathLike[str] | str", *,
              pages: Optional[List[List]] = None,
              feedback: Optional[Feedback] = None) -> Path:
    """Write the report of ``content`` to ``path`` (a ``.pdf``), atomically.

    Parameters
    ----------
    content : ReportContent
        What the report says.
    path : path-like
        The PDF; its folder is created when missing. An existing file stays as it was until the
        new one is complete.
    pages : list, optional
        The layout from :func:`paginate` when already made (to know the page count first).
    feedback : Feedback, optional
        Progress per page and cancellation.

    Returns
    -------
    Path
        ``path``.
    """
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    feedback = feedback or NullFeedback()
    path = Path(path)
    pages = pages if pages is not None else paginate(content)
    total = len(pages)
    meta = {"Title": f"{content.t('title')}: {content.place_name}",
            "Subject": content.t("subtitle"),
            "Creator": f"AMP QGIS plugin {content.plugin_version}".strip(),
            "Keywords": "PPS place diagram; perceived safety; OpenStreetMap"}
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans",
                                "hatch.linewidth": 0.6}):
        with atomic_output(path, suffix=".partial.pdf") as tmp:
            with PdfPages(tmp, metadata=meta) as pdf:
                for number, placed in enumerate(pages, 1):
                    check_cancelled(feedback)
                    fig = Figure(figsize=PAGE_SIZE)
                    page = Page(fig)
                    draw_flow(page, placed, FRAME)
                    _footer(page, content, number, total)
                    pdf.savefig(fig)
                    feedback.setProgress(100.0 * number / total)
    return path
