"""Text layout for the PDF report on matplotlib figures: measuring, wrapping, flowing blocks.

matplotlib draws text where it is told and never wraps or paginates it. This module measures
text with the Agg renderer (the same font metrics the PDF uses), wraps it greedily by words to
a width in inches, and flows blocks (headings, paragraphs, tables whose header repeats, spacers)
down pages, splitting paragraphs by lines and tables by rows.

Coordinates are inches from the page's top-left corner; :class:`Page` turns them into figure
coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Text colours by style.
COLOURS = {"normal": "#1a1a1a", "muted": "#6b6b6b", "bold": "#1a1a1a", "italic": "#6b6b6b",
           "warn": "#a3260f", "heading": "#1f4e79",
           # bands, dark enough to read as text
           "red": "#b2181b", "yellow": "#9a6700", "green": "#1a7f37"}
#: Line height as a multiple of the font size.
LEADING = 1.3


@lru_cache(maxsize=1)
def _renderer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(10, 10, 72)


@lru_cache(maxsize=8)
def _font(size: float, bold: bool, italic: bool):
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size, weight="bold" if bold else "normal",
                          style="italic" if italic else "normal")


@lru_cache(maxsize=20000)
def text_width(value: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of ``value`` in inches at ``size`` points."""
    if not value:
        return 0.0
    width, _, _ = _renderer().get_text_width_height_descent(value, _font(size, bold, italic),
                                                            ismath=False)
    return width / 72.0


def wrap(value: str, width_in: float, size: float, bold: bool = False,
         italic: bool = False) -> List[str]:
    """``value`` broken into lines no wider than ``width_in`` (words longer than a line are
    cut). Line breaks in ``value`` are kept."""
    lines: List[str] = []
    for paragraph in str(value).split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold, italic) <= width_in:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            # a word longer than the line: break after a slash or underscore first
            while text_width(line, size, bold, italic) > width_in:
                cuts = [i + 1 for i, ch in enumerate(line[:-1]) if ch in "/_"
                        and text_width(line[:i + 1], size, bold, italic) <= width_in]
                if not cuts:
                    break
                lines.append(line[:cuts[-1]])
                line = line[cuts[-1]:]
            while text_width(line, size, bold, italic) > width_in and len(line) > 1:
                cut = len(line)
                while cut > 1 and text_width(line[:cut], size, bold, italic) > width_in:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def line_height(size: float) -> float:
    """Height of one line of ``size`` points, in inches."""
    return size * LEADING / 72.0


# --------------------------------------------------------------------------------------------
# The page


class Page:
    """One figure of the PDF, addressed in inches from its top-left corner."""

    def __init__(self, fig: "Figure") -> None:
        self.fig = fig
        self.width, self.height = (float(v) for v in fig.get_size_inches())

    def text(self, x: float, y: float, value: str, size: float = 9.0, style: str = "normal",
             ha: str = "left", va: str = "top", colour: Optional[str] = None) -> None:
        """Write ``value`` with its top (``va="top"``) at ``y`` inches from the top."""
        self.fig.text(x / self.width, 1 - y / self.height, value, fontsize=size,
                      fontweight="bold" if style in ("bold", "heading") else "normal",
                      fontstyle="italic" if style == "italic" else "normal",
                      color=colour or COLOURS.get(style, COLOURS["normal"]), ha=ha, va=va,
                      parse_math=False)

    def rect(self, x: float, y: float, w: float, h: float, colour: str,
             edge: Optional[str] = None, linewidth: float = 0.0) -> None:
        """A filled rectangle with its top-left corner at ``(x, y)``."""
        from matplotlib.patches import Rectangle

        self.fig.add_artist(Rectangle((x / self.width, 1 - (y + h) / self.height),
                                      w / self.width, h / self.height, facecolor=colour,
                                      edgecolor=edge or "none", linewidth=linewidth,
                                      transform=self.fig.transFigure))

    def hline(self, x0: float, x1: float, y: float, colour: str = "#bbbbbb",
              linewidth: float = 0.6) -> None:
        """A horizontal rule."""
        from matplotlib.lines import Line2D

        self.fig.add_artist(Line2D([x0 / self.width, x1 / self.width],
                                   [1 - y / self.height, 1 - y / self.height], color=colour,
                                   linewidth=linewidth, transform=self.fig.transFigure))

    def axes(self, x: float, y: float, w: float, h: float, **kwargs):
        """An axes occupying the box with top-left ``(x, y)``, ``w`` × ``h`` inches."""
        return self.fig.add_axes((x / self.width, 1 - (y + h) / self.height,
                                  w / self.width, h / self.height), **kwargs)


# --------------------------------------------------------------------------------------------
# Blocks


Run = Tuple[str, str]  # (text, style)
Cell = Union[str, Sequence[Run]]


@dataclass
class Column:
    """A table column: header, width (inches), alignment."""

    header: str
    width: float
    align: str = "left"


@dataclass
class Row:
    """A table row: cells (text or runs of ``(text, style)``), or a section row spanning the
    table (``section=True``, first cell only) with an optional colour swatch."""

    cells: Sequence[Cell]
    section: bool = False
    swatch: Optional[str] = None


class Block:
    """Something that flows down a page: it measures, draws, and splits at a height."""

    keep_with_next: bool = False

    def height(self, width: float) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def draw(self, page: Page, x: float, y: float, width: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def split(self, width: float, room: float) -> Tuple[Optional["Block"], Optional["Block"]]:
        """``(what fits in room, the rest)``; by default a block does not split."""
        return None, self


@dataclass
class Spacer(Block):
    """Vertical space."""

    space: float

    def height(self, width: float) -> float:
        return self.space

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        return None

    def split(self, width, room):
        return None, None  # dropped at a page break


@dataclass
class Paragraph(Block):
    """Wrapped text; ``indent`` hangs the lines after the first (numbered lists)."""

    value: str
    size: float = 8.5
    style: str = "normal"
    indent: float = 0.0
    space_after: float = 0.06
    keep_with_next: bool = False
    colour: Optional[str] = None
    _lines: Optional[List[str]] = field(default=None, repr=False)
    _width: float = field(default=-1.0, repr=False)

    def lines(self, width: float) -> List[str]:
        if self._lines is None or self._width != width:
            bold = self.style in ("bold", "heading")
            italic = self.style == "italic"
            first = wrap(self.value, width, self.size, bold, italic)
            if self.indent and len(first) > 1:
                head = wrap(self.value, width, self.size, bold, italic)[0]
                rest = self.value[len(head):].strip()
                first = [head] + wrap(rest, width - self.indent, self.size, bold, italic)
            self._lines, self._width = first, width
        return self._lines

    def height(self, width: float) -> float:
        return len(self.lines(width)) * line_height(self.size) + self.space_after

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        for i, line in enumerate(self.lines(width)):
            page.text(x + (self.indent if i else 0.0), y + i * line_height(self.size), line,
                      self.size, self.style, colour=self.colour)

    def split(self, width, room):
        lines = self.lines(width)
        if len(lines) * line_height(self.size) <= room:  # fits without the space below
            return _without_space(self), None
        fit = int(room // line_height(self.size))
        if fit < 2 or fit >= len(lines):
            return None, self
        head = Paragraph("\n".join(lines[:fit]), self.size, self.style, 0.0, 0.0,
                         colour=self.colour)
        head._lines, head._width = lines[:fit], width
        tail = Paragraph("\n".join(lines[fit:]), self.size, self.style, 0.0, self.space_after,
                         colour=self.colour)
        tail._lines, tail._width = lines[fit:], width
        if self.indent:
            tail = _Indented(tail, self.indent)  # type: ignore[assignment]
        return head, tail


def _without_space(block):
    """A copy of a paragraph or table without its space below (at the foot of a page)."""
    import copy

    out = copy.copy(block)
    out.space_after = 0.0
    return out


class _Indented(Block):
    """The continuation of a hanging-indent paragraph on the next page."""

    def __init__(self, inner: Paragraph, indent: float) -> None:
        self.inner, self.indent = inner, indent

    def height(self, width: float) -> float:
        return self.inner.height(width)

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        self.inner.draw(page, x + self.indent, y, width)


@dataclass
class Table(Block):
    """A table whose rows wrap their cells; split between rows, header repeated."""

    columns: Sequence[Column]
    rows: Sequence[Row]
    size: float = 7.5
    pad: float = 0.04
    header: bool = True
    space_after: float = 0.12
    keep_with_next: bool = False
    stripe: str = "#f4f4f4"
    section_fill: str = "#e6ecf2"

    def _cell_lines(self, cell: Cell, width: float) -> List[Tuple[str, str]]:
        runs: Sequence[Run] = [(cell, "normal")] if isinstance(cell, str) else cell
        out: List[Tuple[str, str]] = []
        for value, style in runs:
            if value == "":
                continue
            for line in wrap(value, width - 2 * self.pad, self.size, style == "bold",
                             style == "italic"):
                out.append((line, style))
        return out

    def _row_lines(self, row: Row) -> List[List[Tuple[str, str]]]:
        if row.section:
            indent = 0.22 if row.swatch else 0.0
            width = sum(c.width for c in self.columns) - indent
            return [self._cell_lines([(str(row.cells[0]), "bold")]
                                     if isinstance(row.cells[0], str) else row.cells[0], width)]
        return [self._cell_lines(cell, col.width) for cell, col in zip(row.cells, self.columns)]

    def _row_height(self, row: Row) -> float:
        lines = max((len(c) for c in self._row_lines(row)), default=1)
        return max(1, lines) * line_height(self.size) + 2 * self.pad

    def _header_height(self) -> float:
        if not self.header:
            return 0.0
        lines = max(len(wrap(c.header, c.width - 2 * self.pad, self.size, True))
                    for c in self.columns)
        return lines * line_height(self.size) + 2 * self.pad

    def height(self, width: float) -> float:
        return self._header_height() + sum(self._row_height(r) for r in self.rows) + \
            self.space_after

    def split(self, width, room):
        used = self._header_height()
        count = 0
        for row in self.rows:
            h = self._row_height(row)
            if used + h > room:
                break
            used += h
            count += 1
        # a section row never ends a page, and no row is left alone on the next one
        while count and self.rows[count - 1].section:
            count -= 1
        if count > 2 and len(self.rows) - count == 1:
            count -= 1
        if count == 0:
            return None, self
        if count == len(self.rows):  # fits without the space below
            return _without_space(self), None
        head = Table(self.columns, self.rows[:count], self.size, self.pad, self.header, 0.05,
                     stripe=self.stripe, section_fill=self.section_fill)
        tail = Table(self.columns, self.rows[count:], self.size, self.pad, self.header,
                     self.space_after, stripe=self.stripe, section_fill=self.section_fill)
        return head, tail

    def draw(self, page: Page, x: float, y: float, width: float) -> None:
        total = sum(c.width for c in self.columns)
        lh = line_height(self.size)
        if self.header:
            hh = self._header_height()
            page.rect(x, y, total, hh, "#1f4e79")
            cx = x
            for col in self.columns:
                for i, line in enumerate(wrap(col.header, col.width - 2 * self.pad, self.size,
                                              True)):
                    page.text(_align_x(cx, col, self.pad), y + self.pad + i * lh, line,
                              self.size, "bold", ha=_ha(col), colour="white")
                cx += col.width
            y += hh
        stripe = False
        for row in self.rows:
            h = self._row_height(row)
            cells = self._row_lines(row)
            if row.section:
                page.rect(x, y, total, h, self.section_fill)
                indent = 0.0
                if row.swatch:
                    page.rect(x + self.pad, y + self.pad + 0.02, 0.14, lh - 0.05, row.swatch)
                    indent = 0.22
                for i, (line, style) in enumerate(cells[0]):
                    page.text(x + self.pad + indent, y + self.pad + i * lh, line, self.size,
                              style)
                stripe = False
            else:
                if stripe:
                    page.rect(x, y, total, h, self.stripe)
                stripe = not stripe
                cx = x
                for col, lines in zip(self.columns, cells):
                    for i, (line, style) in enumerate(lines):
                        page.text(_align_x(cx, col, self.pad), y + self.pad + i * lh, line,
                                  self.size, style, ha=_ha(col))
                    cx += col.width
            y += h
        page.hline(x, x + total, y, "#1f4e79", 0.6)


def _ha(col: Column) -> str:
    return {"right": "right", "center": "center"}.get(col.align, "left")


def _align_x(cx: float, col: Column, pad: float) -> float:
    if col.align == "right":
        return cx + col.width - pad
    if col.align == "center":
        return cx + col.width / 2
    return cx + pad


# --------------------------------------------------------------------------------------------
# Flowing


@dataclass
class Frame:
    """The text area of a page: left, top, width, height in inches."""

    x: float
    y: float
    width: float
    height: float


def flow(blocks: Sequence[Block], frame: Frame) -> List[List[Tuple[Block, float]]]:
    """Lay ``blocks`` out down pages of ``frame``: a list of pages, each a list of
    ``(block, y)`` with ``y`` in inches from the top of the page.

    A block that does not fit is split (paragraphs by lines, tables by rows); a heading marked
    ``keep_with_next`` moves to the next page with the block after it.
    """
    pages: List[List[Tuple[Block, float]]] = [[]]
    y = frame.y
    queue = list(blocks)
    bottom = frame.y + frame.height
    while queue:
        block = queue.pop(0)
        h = block.height(frame.width)
        room = bottom - y
        if block.keep_with_next and queue:
            nxt = queue[0]
            need = h + min(nxt.height(frame.width), 4 * line_height(8.0) + 0.3)
            if need > room and pages[-1]:
                pages.append([])
                y = frame.y
                room = bottom - y
        if h <= room:
            pages[-1].append((block, y))
            y += h
            continue
        head, tail = block.split(frame.width, room)
        if head is not None:
            pages[-1].append((head, y))
            y += head.height(frame.width)
        if tail is None:  # it fitted without its space below, or was only space
            continue
        if not pages[-1]:  # does not fit an empty page: place it anyway
            pages[-1].append((tail, y))
            y += tail.height(frame.width)
            continue
        queue.insert(0, tail)
        pages.append([])
        y = frame.y
    if not pages[-1]:
        pages.pop()
    return pages


def draw_flow(page: Page, placed: Sequence[Tuple[Block, float]], frame: Frame) -> None:
    """Draw one page of :func:`flow`'s output."""
    for block, y in placed:
        block.draw(page, frame.x, y, frame.width)

