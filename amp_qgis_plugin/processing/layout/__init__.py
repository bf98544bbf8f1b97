"""The site-assessment print layout (``amp:sitereport``), one module per job.

What the report says comes from the engine's report content
(:class:`amp_qgis_plugin.core.report.content.ReportContent`, which also refuses files that are
not a current assessment) and its radar chart (:mod:`amp_qgis_plugin.core.report.radar`); these
modules lay it out as a QGIS print layout:

:mod:`.builder`
    the whole layout, added to the project's layout manager under a unique name;
:mod:`.pages`
    pages in order, with headers, footers and "(continued)" titles;
:mod:`.profile_page`
    the place profile: radar chart, scores, the safety index by group;
:mod:`.map_pages`
    the place map, and the isovist and catchment maps;
:mod:`.maps`
    one map panel: zoomed to the place at a round scale, legend, scale bar, north arrow, credit;
:mod:`.layers`
    the assessment's layers and rasters in the project, styled, in the place's layer-tree group;
:mod:`.figures_pages`
    the key figures with thresholds, status and numbered sources; the list of sources;
:mod:`.coverage_page`
    data coverage, provenance, notes and the assessment's warnings;
:mod:`.tables`
    tables that wrap their text and run on over further pages;
:mod:`.items`
    text formats, labels and placement shared by every page;
:mod:`.texts`
    the layout's own words in English and Swedish;
:mod:`.export`
    the PDF export.
"""
