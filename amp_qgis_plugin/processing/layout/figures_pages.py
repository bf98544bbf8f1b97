"""The key-figure pages: every indicator with value, score, threshold, status and source.

Two tables, each from the top of a page and over more pages when needed: the four PPS
attributes with their indicators, then the perceived-safety index by group with the other
measured figures at its end; a row for each attribute and group gives its score and coverage.
The numbered list of the sources, which the tables refer to as ``[n]``, ends the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from qgis.core import QgsPrintLayout

from amp_qgis_plugin.processing.layout.items import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    INK,
    MARGIN,
    MUTED,
    PAGE_W,
)
from amp_qgis_plugin.processing.layout.pages import Pages
from amp_qgis_plugin.processing.layout.profile_page import score_cell
from amp_qgis_plugin.processing.layout.tables import SECTION_BACKGROUND, Cell, add_table
from amp_qgis_plugin.processing.layout.texts import text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import ProfileScore, ReportContent

#: Column widths of the key-figure table, mm (Id, indicator, value, score, threshold, status,
#: source); they fill the page between the margins.
KEY_WIDTHS = (19.0, 83.0, 33.0, 24.0, 78.0, 17.0, 11.0)
#: The two key-figure tables (a list: scripts/i18n.py reads 2-tuples of words as text pairs).
PARTS = ["attributes", "safety"]
#: Column widths of the sources' list (number, source).
SOURCE_WIDTHS = (11.0, 254.0)


def _ref(number: int) -> str:
    return f"[{number}]" if number else ""


def _section_row(score: "ProfileScore", content: "ReportContent") -> List[Cell]:
    """A bold row naming an attribute, the index or a safety group, with score and coverage."""
    bg = SECTION_BACKGROUND
    head = f"{score.name} · {content.t('coverage').lower()} {score.coverage_text}"
    cell = score_cell(score, content)
    cell.bold = True
    return [Cell("", background=bg), Cell(head, bold=True, background=bg),
            Cell("", background=bg), cell, Cell("", background=bg), Cell("", background=bg),
            Cell("", background=bg)]


def key_figure_rows(content: "ReportContent", part: str) -> List[List[Cell]]:
    """The rows of one key-figure table: ``part`` "attributes" (the four PPS attributes) or
    "safety" (the perceived-safety index by group, then the other measured figures)."""
    rows: List[List[Cell]] = []
    if part == "safety":
        rows.append(_section_row(content.index, content))
    for section in content.sections:
        if (section.score.level == "group") != (part == "safety"):
            continue
        rows.append(_section_row(section.score, content))
        for fig in section.figures:
            score = score_cell(fig, content)
            if not fig.weighted:
                score.text = f"{score.text} · {content.t('not_scored')}" if fig.has_data else \
                    content.t("not_scored")
                score.color = MUTED
            rows.append([Cell(fig.key), Cell(fig.name),
                         Cell(fig.value_text, align="right",
                              color=MUTED if fig.value is None else INK),
                         score, Cell(fig.threshold), Cell(fig.status),
                         Cell(_ref(fig.source_ref), align="right")])
    if part == "safety" and content.other_figures:
        bg = SECTION_BACKGROUND
        rows.append([Cell("", background=bg), Cell(content.t("other_figures"), bold=True,
                                                    background=bg)]
                    + [Cell("", background=bg) for _ in range(5)])
        for other in content.other_figures:
            rows.append([Cell(""), Cell(other.label),
                         Cell(other.value_text, align="right"), Cell(""),
                         Cell(other.threshold_text), Cell(""),
                         Cell(_ref(other.source_ref), align="right")])
    return rows


def add_figure_pages(layout: QgsPrintLayout, pages: Pages, content: "ReportContent") -> None:
    """Add the key-figure tables: the PPS attributes, then the safety index and the other
    measured figures, each from the top of a page (and over more pages when needed)."""
    width = PAGE_W - 2 * MARGIN
    top, height = CONTENT_TOP + 1, CONTENT_BOTTOM - CONTENT_TOP - 1
    headers = [content.t(k) for k in ("col_key", "col_indicator", "col_value", "col_score",
                                      "col_threshold", "col_status", "col_source")]
    title = content.t("key_figures")
    for part in PARTS:
        page = pages.add(title if part == "attributes" else
                         text("continued", content.lang, title=title), content.t("status_note"))
        add_table(layout, page, MARGIN, top, width, height, headers, KEY_WIDTHS,
                  key_figure_rows(content, part), size=7.5, item_id=f"key-figures-{part}",
                  align=("left", "left", "right", "right", "left", "left", "right"))
        pages.continued(page)


def add_source_pages(layout: QgsPrintLayout, pages: Pages, content: "ReportContent") -> None:
    """Add the numbered list of the thresholds' sources (the report's last pages)."""
    top, height = CONTENT_TOP + 1, CONTENT_BOTTOM - CONTENT_TOP - 1
    first = pages.add(content.t("sources"), content.place_name)
    rows = [[Cell(_ref(i + 1), align="right"), Cell(source)]
            for i, source in enumerate(content.sources)]
    add_table(layout, first, MARGIN, top, PAGE_W - 2 * MARGIN, height,
              ["", content.t("col_source")], SOURCE_WIDTHS, rows, size=7, item_id="sources",
              align=["right", "left"])
    pages.continued(first)
