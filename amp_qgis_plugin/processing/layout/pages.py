"""The report's pages: added in order, titled, and given headers and footers at the end.

Tables that run over onto further pages add those pages themselves (QGIS multiframes), so
headers and footers are drawn once every page exists (:meth:`Pages.finish`): a continued page
repeats its section's title with "(continued)".
"""

from __future__ import annotations

from typing import Dict, Tuple

from qgis.core import QgsPrintLayout

from amp_qgis_plugin.processing.layout.items import (
    ACCENT,
    MARGIN,
    MUTED,
    PAGE_W,
    add_label,
    add_page,
    add_rule,
)
from amp_qgis_plugin.processing.layout.texts import text

#: Vertical positions of the header and footer, mm.
TITLE_Y, SUBTITLE_Y, HEADER_RULE_Y = 7.0, 15.5, 24.5
FOOTER_RULE_Y, FOOTER_Y = 196.0, 197.5


class Pages:
    """The pages of one layout with their titles.

    Parameters
    ----------
    layout : QgsPrintLayout
        The layout (its default page removed).
    lang : str
        The report's language.
    footer : str
        The footer's text (place, report, plugin version, data date).
    page_text : str
        The page number text with QGIS expressions (``"Page [% @layout_page %] of ..."``).
    """

    def __init__(self, layout: QgsPrintLayout, lang: str, footer: str, page_text: str) -> None:
        self.layout = layout
        self.lang = lang
        self.footer = footer
        self.page_text = page_text
        self.titles: Dict[int, Tuple[str, str]] = {}

    @property
    def count(self) -> int:
        """Pages in the layout now."""
        return self.layout.pageCollection().pageCount()

    def add(self, title: str, subtitle: str = "") -> int:
        """Append a page with ``title`` and ``subtitle``; return its index."""
        page = add_page(self.layout)
        self.titles[page] = (title, subtitle)
        return page

    def continued(self, first: int) -> None:
        """Title the pages a table added after page ``first`` as its continuation."""
        title, subtitle = self.titles[first]
        for page in range(first + 1, self.count):
            self.titles.setdefault(page, (text("continued", self.lang, title=title), subtitle))

    def finish(self) -> None:
        """Draw every page's header and footer."""
        width = PAGE_W - 2 * MARGIN
        for page in range(self.count):
            title, subtitle = self.titles.get(page, ("", ""))
            add_label(self.layout, title, page, MARGIN, TITLE_Y, width, 8.5, size=15, bold=True,
                      color=ACCENT, item_id=f"title-{page + 1}")
            if subtitle:  # up to two lines
                add_label(self.layout, subtitle, page, MARGIN, SUBTITLE_Y, width, 8.5,
                          size=8.5 if len(subtitle) > 150 else 9.5, color=MUTED,
                          item_id=f"subtitle-{page + 1}")
            add_rule(self.layout, page, MARGIN, HEADER_RULE_Y, width)
            add_rule(self.layout, page, MARGIN, FOOTER_RULE_Y, width)
            add_label(self.layout, self.footer, page, MARGIN, FOOTER_Y, width - 32, 5.0, size=7,
                      color=MUTED, item_id=f"footer-{page + 1}")
            add_label(self.layout, self.page_text, page, PAGE_W - MARGIN - 32, FOOTER_Y, 32, 5.0,
                      size=7, color=MUTED, align="right", item_id=f"page-number-{page + 1}")
