"""The whole site-assessment layout, added to the project's layout manager under a unique name.

Pages, in order (as in the report without QGIS): (1) the place profile: radar chart, scores,
the safety index by group; (2) the place map: frontage, seating, lamps, illuminance; (3) the
isovist field and the walking catchments; (4...) the key figures with thresholds, status and
sources, then the other measured figures; then data coverage and provenance; last, the numbered
sources. Tables run over onto further pages as needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List

from qgis.core import QgsPrintLayout, QgsProject

from amp_qgis_plugin.processing.compat import TEXT_ALWAYS_TEXT
from amp_qgis_plugin.processing.layout.coverage_page import add_coverage_page
from amp_qgis_plugin.processing.layout.figures_pages import add_figure_pages, add_source_pages
from amp_qgis_plugin.processing.layout.layers import ReportLayers
from amp_qgis_plugin.processing.layout.map_pages import add_map_pages
from amp_qgis_plugin.processing.layout.pages import Pages
from amp_qgis_plugin.processing.layout.profile_page import add_profile_page
from amp_qgis_plugin.processing.layout.texts import text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import ReportContent


@dataclass
class SiteReport:
    """A built report layout.

    Attributes
    ----------
    layout : QgsPrintLayout
        The layout (already in the project's layout manager).
    content : ReportContent
        What it says.
    notes : list of str
        What its maps could not show (a missing raster or layer, an empty layer), in the
        report's language.
    """

    layout: QgsPrintLayout
    content: "ReportContent"
    notes: List[str] = field(default_factory=list)


def unique_layout_name(project: QgsProject, base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)`` ... the first not used by a layout of ``project``."""
    manager = project.layoutManager()
    name, n = base, 1
    while manager.layoutByName(name) is not None:
        n += 1
        name = f"{base} ({n})"
    return name


def footer_text(content: "ReportContent") -> str:
    """The footer: place, report, plugin version, date of the OSM data."""
    return text("footer", content.lang, place=content.place_name, title=content.t("title"),
                version=content.plugin_version or "?", osm=content.t("osm_date"),
                date=content.osm_date or "?")


def build_site_report(project: QgsProject, assessment: "os.PathLike[str] | str",
                      lang: str) -> SiteReport:
    """Build the report layout of the assessment GeoPackage ``assessment`` in ``lang``.

    The assessment's layers are put in ``project`` (see
    :class:`~amp_qgis_plugin.processing.layout.layers.ReportLayers`) and the layout is added to
    its layout manager as "<place> – Site assessment" ("<plats> – Platsbedömning"), numbered when
    that name is taken.

    Raises
    ------
    InputError
        From :meth:`ReportContent.from_assessment` when the file is not a current assessment.
    """
    from amp_qgis_plugin.core.report.content import ReportContent

    content = ReportContent.from_assessment(assessment, lang)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    # text stays text in every export (searchable PDFs), also when the analyst exports again
    layout.renderContext().setTextRenderFormat(TEXT_ALWAYS_TEXT)
    collection = layout.pageCollection()
    while collection.pageCount():
        collection.deletePage(0)
    layout.setName(unique_layout_name(project, f"{content.place_name} – {content.t('title')}"))
    pages = Pages(layout, content.lang, footer_text(content),
                  content.t("page", n="[% @layout_page %]", total="[% @layout_numpages %]"))
    layers = ReportLayers(project, content)
    add_profile_page(layout, pages, content)
    notes = add_map_pages(layout, pages, content, layers)
    add_figure_pages(layout, pages, content)
    add_coverage_page(layout, pages, content, notes)
    add_source_pages(layout, pages, content)
    pages.finish()
    project.layoutManager().addLayout(layout)
    return SiteReport(layout=layout, content=content, notes=notes)
