"""The data-coverage and provenance page.

Left: each attribute's and the index's coverage, then every indicator without data and why
(municipal or field data needed, not computed yet, a tag too rarely mapped ...). Right: the
provenance (place, OSM file and date, licence, study radius, buildings kept, profile, run), the
report's notes (missing rasters or layers) and the assessment's own warnings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from qgis.core import QgsPrintLayout

from amp_qgis_plugin.processing.layout.items import CONTENT_BOTTOM, CONTENT_TOP, MARGIN, PAGE_W
from amp_qgis_plugin.processing.layout.pages import Pages
from amp_qgis_plugin.processing.layout.tables import SECTION_BACKGROUND, Cell, add_table
from amp_qgis_plugin.processing.layout.texts import text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import ReportContent

#: Width of each of the two columns and the gap between them, mm.
GAP = 7.0
COLUMN_W = (PAGE_W - 2 * MARGIN - GAP) / 2


def add_coverage_page(layout: QgsPrintLayout, pages: Pages, content: "ReportContent",
                      notes: List[str]) -> None:
    """Add the page (and more when the gaps or warnings run over).

    ``notes`` are the layout's own notes (a missing layer or raster), shown with the content's.
    """
    top = CONTENT_TOP + 1
    first = pages.add(content.t("coverage_title"), content.place_name)
    bg = SECTION_BACKGROUND
    rows = [[Cell(p.name, bold=p.level == "index"), Cell(p.coverage_text)]
            for p in content.profile]
    rows.append([Cell(content.t("not_computed"), bold=True, background=bg),
                 Cell(content.t("why"), bold=True, background=bg)])
    rows += [[Cell(f"{g.key}  {g.name}"), Cell(g.why)] for g in content.gaps + content.unweighted]
    add_table(layout, first, MARGIN, top, COLUMN_W, CONTENT_BOTTOM - top,
              [content.t("coverage_table"), content.t("coverage")], (72.0, COLUMN_W - 72.0 - 5),
              rows, size=7.5, item_id="coverage")
    right = MARGIN + COLUMN_W + GAP
    rows = [[Cell(label), Cell(value)] for label, value in content.provenance]
    rows.append([Cell(content.t("prov_report")), Cell(content.made_at)])
    shown_notes = list(dict.fromkeys(list(content.notes) + list(notes)))
    if shown_notes:
        rows.append([Cell(text("notes", content.lang), bold=True, background=bg),
                     Cell("", background=bg)])
        rows += [[Cell(""), Cell(note)] for note in shown_notes]
    rows.append([Cell(content.t("warnings"), bold=True, background=bg),
                 Cell(content.t("warnings_english") if content.warnings else "",
                      background=bg)])
    rows += [[Cell(""), Cell(w)] for w in content.warnings or [content.t("no_warnings")]]
    add_table(layout, first, right, top, COLUMN_W, CONTENT_BOTTOM - top,
              [content.t("provenance"), ""], (38.0, COLUMN_W - 38.0 - 4), rows, size=7.5,
              item_id="provenance")
    pages.continued(first)
