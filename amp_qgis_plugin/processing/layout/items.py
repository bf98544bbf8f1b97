"""Text formats, labels, frames and placement shared by every page of the report.

Sizes and positions are in millimetres on A4 landscape pages (:data:`PAGE_W` x :data:`PAGE_H`),
measured from each page's top-left corner. Labels are styled through ``setTextFormat`` where
QGIS has it (3.24+) and ``setFont`` before that, so one code runs on 3.22 and on 3.40/4.x.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from qgis.core import (
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemPage,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase

#: Page size (A4 landscape) and margins, mm.
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 12.0
#: Top of the content below the page title, and bottom above the footer, mm.
CONTENT_TOP, CONTENT_BOTTOM = 27.0, 192.0

#: Colours of the report: text, muted text, rules, the accent of titles.
INK, MUTED, RULE, ACCENT = "#1f2328", "#5b6470", "#c8ccd2", "#1f4e79"
#: Backgrounds: items over a map (white, slightly see-through; Qt reads #AARRGGBB), notes.
TRANSLUCENT, NOTE_BACKGROUND = "#d9ffffff", "#fff4e0"

#: Font families in order of preference; the first installed one is used.
FAMILIES = ("Open Sans", "Noto Sans", "Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans",
            "DejaVu Sans")


@lru_cache(maxsize=1)
def font_family() -> str:
    """The first of :data:`FAMILIES` installed, else the application's default font."""
    installed = set(QFontDatabase().families())
    for family in FAMILIES:
        if family in installed:
            return family
    return QFont().family()


def qfont(size: float, bold: bool = False) -> QFont:
    """A ``QFont`` of the report's family, ``size`` points."""
    font = QFont(font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def text_format(size: float, bold: bool = False, color: str = INK) -> QgsTextFormat:
    """A ``QgsTextFormat`` of the report's family."""
    fmt = QgsTextFormat()
    fmt.setFont(qfont(size, bold))
    fmt.setSize(size)
    fmt.setColor(QColor(color))
    return fmt


def style_label(label: QgsLayoutItemLabel, size: float, bold: bool = False,
                color: str = INK) -> None:
    """Give a label the report's font (``setTextFormat`` on QGIS >= 3.24, ``setFont`` before)."""
    if hasattr(label, "setTextFormat"):
        label.setTextFormat(text_format(size, bold, color))
    else:  # QGIS 3.22
        label.setFont(qfont(size, bold))
        label.setFontColor(QColor(color))


def place(item: QgsLayoutItem, page: int, x: float, y: float, w: float, h: float) -> None:
    """Size ``item`` to ``w`` x ``h`` mm and put its top-left corner at (x, y) on ``page``."""
    item.attemptResize(QgsLayoutSize(w, h))
    item.attemptMove(QgsLayoutPoint(x, y), page=page)


def add_page(layout: QgsPrintLayout) -> int:
    """Append an A4 landscape page; return its index."""
    page = QgsLayoutItemPage(layout)
    page.setPageSize(QgsLayoutSize(PAGE_W, PAGE_H))
    layout.pageCollection().addPage(page)
    return layout.pageCollection().pageCount() - 1


def add_label(layout: QgsPrintLayout, text: str, page: int, x: float, y: float, w: float,
              h: float, *, size: float = 9.0, bold: bool = False, color: str = INK,
              align: str = "left", valign: str = "top", background: Optional[str] = None,
              item_id: str = "", margin: float = 0.0) -> QgsLayoutItemLabel:
    """Add a plain-text label (expressions in ``[% %]`` are evaluated on export)."""
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    style_label(label, size, bold, color)
    label.setHAlign({"left": Qt.AlignmentFlag.AlignLeft, "right": Qt.AlignmentFlag.AlignRight,
                     "center": Qt.AlignmentFlag.AlignHCenter}[align])
    label.setVAlign({"top": Qt.AlignmentFlag.AlignTop, "bottom": Qt.AlignmentFlag.AlignBottom,
                     "center": Qt.AlignmentFlag.AlignVCenter}[valign])
    label.setMarginX(margin)
    label.setMarginY(margin)
    if background:
        label.setBackgroundEnabled(True)
        label.setBackgroundColor(QColor(background))
    else:
        label.setBackgroundEnabled(False)
    label.setFrameEnabled(False)
    if item_id:
        label.setId(item_id)
    layout.addLayoutItem(label)
    place(label, page, x, y, w, h)
    return label


def add_rule(layout: QgsPrintLayout, page: int, x: float, y: float, w: float,
             color: str = RULE) -> None:
    """A thin horizontal rule (a filled 0.3 mm high shape)."""
    from qgis.core import QgsFillSymbol, QgsLayoutItemShape

    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
    shape.setSymbol(QgsFillSymbol.createSimple({"color": color, "outline_style": "no"}))
    layout.addLayoutItem(shape)
    place(shape, page, x, y, w, 0.3)
