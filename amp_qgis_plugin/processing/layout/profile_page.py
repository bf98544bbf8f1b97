"""The report's first page: the place profile as a radar chart, the scores, bands and coverage.

Left, the radar chart of the four PPS attributes and the perceived-safety index (drawn by
:func:`amp_qgis_plugin.core.report.radar.render_radar`, embedded in the layout as SVG so the
project carries it); right, the place's facts, the profile table, the safety index by group and
the notes (an attribute without data is "no data", never 0).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, List

from qgis.core import QgsLayoutItemPicture, QgsPrintLayout

from amp_qgis_plugin.processing.compat import PICTURE_SVG
from amp_qgis_plugin.processing.layout.items import (
    CONTENT_TOP,
    MARGIN,
    MUTED,
    NOTE_BACKGROUND,
    PAGE_W,
    add_label,
    place,
)
from amp_qgis_plugin.processing.layout.pages import Pages
from amp_qgis_plugin.processing.layout.tables import Cell, add_table
from amp_qgis_plugin.processing.layout.texts import text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import KeyFigure, ProfileScore, ReportContent

#: The radar chart's frame, mm (its SVG is drawn at this aspect).
RADAR_W, RADAR_H = 132.0, 150.0
#: Left edge and width of the right-hand column, mm.
RIGHT_X = MARGIN + RADAR_W + 8.0
RIGHT_W = PAGE_W - MARGIN - RIGHT_X
#: Height of a one-line table row at 8 pt, mm (header included), for placing what follows.
ROW_H = 5.6


def band_colour(band: str) -> str:
    """The light tint of a band for table cells (white without a band)."""
    from amp_qgis_plugin.core.report.radar import BAND_TINTS

    return BAND_TINTS.get(band, "#ffffff")


def score_cell(item: "ProfileScore | KeyFigure", content: "ReportContent") -> Cell:
    """A score as "24 (red)" on its band's tint; "no data" in grey, never a 0."""
    if item.score is None:
        return Cell(item.score_text, color=MUTED, align="right")
    band_text = content.t(item.band) if item.band in ("red", "yellow", "green") else ""
    shown = f"{item.score_text} ({band_text})" if band_text else item.score_text
    return Cell(shown, background=band_colour(item.band), align="right")


def add_profile_page(layout: QgsPrintLayout, pages: Pages, content: "ReportContent") -> int:
    """Add the profile page; return its index."""
    page = pages.add(f"{content.t('title')}: {content.place_name}", content.t("subtitle"))
    _add_radar(layout, page, content)
    y = CONTENT_TOP + 1
    facts = " · ".join(part for part in (
        f"{content.t('area')} {content.area_text}",
        f"{content.t('osm_date')} {content.osm_date}" if content.osm_date else "",
        f"{content.t('assessed')} {content.assessed_at}" if content.assessed_at else "")
        if part)
    add_label(layout, facts, page, RIGHT_X, y, RIGHT_W, 5.0, size=8.5, item_id="facts")
    y += 8.0
    add_label(layout, content.t("profile"), page, RIGHT_X, y, RIGHT_W, 5.0, size=9.5, bold=True,
              item_id="profile-title")
    y += 6.0
    rows = [[Cell(p.name, bold=p.level == "index"), score_cell(p, content),
             Cell(p.coverage_text, align="right")] for p in content.profile]
    widths = [RIGHT_W - 2 * 30.0 - 6.0, 30.0, 30.0]
    add_table(layout, page, RIGHT_X, y, RIGHT_W, ROW_H * (len(rows) + 1) + 2,
              [content.t("attribute"), content.t("score"), content.t("coverage")], widths, rows,
              size=8.5, item_id="profile-table", flow=False, align=("left", "right", "right"))
    y += ROW_H * (len(rows) + 1) + 3.0
    note = content.t("profile_note", bands=content.bands_text())
    height = 4.0 * (1 + len(note) // 100) + 1.0
    add_label(layout, note, page, RIGHT_X, y, RIGHT_W, height, size=8, color=MUTED,
              item_id="profile-explanation")
    y += height + 5.0
    add_label(layout, content.t("safety_groups"), page, RIGHT_X, y, RIGHT_W, 5.0, size=9.5,
              bold=True, item_id="safety-groups-title")
    y += 6.0
    rows = [[Cell(g.name), Cell(_weight(g.weight, content), align="right"),
             score_cell(g, content), Cell(g.coverage_text, align="right")]
            for g in content.safety_groups]
    widths = [RIGHT_W - 20.0 - 2 * 30.0 - 8.0, 20.0, 30.0, 30.0]
    add_table(layout, page, RIGHT_X, y, RIGHT_W, ROW_H * (len(rows) + 1) + 2,
              [text("group", content.lang), content.t("group_weight"), content.t("score"),
               content.t("coverage")],
              widths, rows, size=8.5, item_id="safety-groups-table", flow=False,
              align=("left", "right", "right", "right"))
    y += ROW_H * (len(rows) + 1) + 6.0
    notes: List[str] = list(content.notes)
    if notes:
        height = 4.2 * sum(1 + len(n) // 95 for n in notes) + 3.0
        add_label(layout, "\n".join(notes), page, RIGHT_X, y, RIGHT_W, height, size=8,
                  background=NOTE_BACKGROUND, margin=1.5, item_id="profile-notes")
        y += height + 4.0
    return page


def _weight(weight: float, content: "ReportContent") -> str:
    from amp_qgis_plugin.core.report.texts import number_text

    return f"{number_text(100 * weight, content.lang, 0)}\u00a0%"


def _add_radar(layout: QgsPrintLayout, page: int, content: "ReportContent") -> None:
    from amp_qgis_plugin.core.report.radar import render_radar

    svg = render_radar(content, "svg", size_in=(RADAR_W / 25.4, RADAR_H / 25.4),
                       label_size=8.5)
    picture = QgsLayoutItemPicture(layout)
    picture.setId("profile-radar")
    picture.setPicturePath("base64:" + base64.b64encode(svg).decode("ascii"), PICTURE_SVG)
    layout.addLayoutItem(picture)
    place(picture, page, MARGIN, CONTENT_TOP + 1, RADAR_W, RADAR_H)
