"""Tables of the report: manual tables that wrap their text and run on over further pages.

A table is a ``QgsLayoutItemManualTable`` (editable in QGIS's table designer) in frames: the
first frame where the caller puts it, and, when the rows do not fit, new pages with a frame at
the same place (``RepeatUntilFinished``), the header row repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

from qgis.core import (
    QgsLayoutFrame,
    QgsLayoutItemManualTable,
    QgsLayoutMultiFrame,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsPrintLayout,
    QgsTableCell,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from amp_qgis_plugin.processing.layout.items import INK, RULE, place, text_format

#: Space between a cell's border and its text, mm.
CELL_MARGIN = 0.8
#: Background of the header row and of section rows.
HEADER_BACKGROUND, SECTION_BACKGROUND = "#e8edf3", "#f4f6f8"


@dataclass
class Cell:
    """One table cell: text and how it looks.

    Attributes
    ----------
    text : str
        The text (wrapped to the column's width).
    bold : bool
        Bold text.
    background : str, optional
        Background colour (``#rrggbb``).
    color : str
        Text colour.
    align : str
        ``"left"``, ``"right"`` or ``"center"``.
    """

    text: str
    bold: bool = False
    background: Optional[str] = None
    color: str = INK
    align: str = "left"


_ALIGN = {"left": Qt.AlignmentFlag.AlignLeft, "right": Qt.AlignmentFlag.AlignRight,
          "center": Qt.AlignmentFlag.AlignHCenter}


def _cell(cell: Cell, size: float) -> QgsTableCell:
    out = QgsTableCell(cell.text)
    out.setTextFormat(text_format(size, cell.bold, cell.color))
    out.setHorizontalAlignment(_ALIGN[cell.align])
    out.setVerticalAlignment(Qt.AlignmentFlag.AlignTop)
    if cell.background:
        out.setBackgroundColor(QColor(cell.background))
    return out


def add_table(layout: QgsPrintLayout, page: int, x: float, y: float, w: float, h: float,
              headers: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[Cell]], *,
              size: float = 7.5, item_id: str = "", flow: bool = True,
              align: Optional[Sequence[str]] = None) -> QgsLayoutItemManualTable:
    """Add a table with its first frame at (x, y), ``w`` x ``h`` mm, on ``page``.

    Parameters
    ----------
    headers : sequence of str
        Column titles (repeated at the top of every frame).
    widths : sequence of float
        Relative column widths: scaled so that the columns with their cell margins fill ``w``
        exactly (the text wraps to them).
    rows : sequence of sequence of Cell
        The rows.
    size : float
        Font size of the cells, points.
    flow : bool
        Run on to new pages when the rows do not fit (else the frame's height is the limit).
    align : sequence of str, optional
        Alignment of each column's header.

    Returns
    -------
    QgsLayoutItemManualTable
        The table (its frames are ``table.frames()``).
    """
    room = w - 2 * CELL_MARGIN * len(widths)
    mm = [room * float(v) / sum(widths) for v in widths]
    table = QgsLayoutItemManualTable.create(layout)
    layout.addMultiFrame(table)
    table.setContentTextFormat(text_format(size))
    table.setHeaderTextFormat(text_format(size, bold=True))
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setCellMargin(CELL_MARGIN)
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor(RULE))
    table.setHorizontalGrid(True)
    table.setVerticalGrid(False)
    table.setShowGrid(True)
    table.setBackgroundColor(QColor("#ffffff"))
    table.setHeaderMode(QgsLayoutTable.HeaderMode.AllFrames)
    table.setIncludeTableHeader(True)
    columns: List[QgsLayoutTableColumn] = []
    for index, title in enumerate(headers):
        column = QgsLayoutTableColumn(title)
        column.setWidth(mm[index])
        if align:
            column.setHAlignment(_ALIGN[align[index]])
        columns.append(column)
    table.setHeaders(columns)
    table.setColumnWidths(mm)
    table.setTableContents([[_cell(cell, size) for cell in row] for row in rows])
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.RepeatUntilFinished if flow
                        else QgsLayoutMultiFrame.ResizeMode.UseExistingFrames)
    frame = QgsLayoutFrame(layout, table)
    if item_id:
        frame.setId(item_id)
    place(frame, page, x, y, w, h)
    table.addFrame(frame)
    table.recalculateFrameSizes()
    return table


def table_bottom(table: QgsLayoutItemManualTable) -> float:
    """Where the table's last frame ends on its page, mm from the page's top."""
    frame = table.frames()[-1]
    layout = frame.layout()
    top = layout.pageCollection().positionOnPage(frame.pos()).y()
    return top + frame.rect().height()


def table_last_page(table: QgsLayoutItemManualTable) -> int:
    """The page the table's last frame is on."""
    return table.frames()[-1].page()
