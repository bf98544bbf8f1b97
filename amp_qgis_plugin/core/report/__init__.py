"""The site-assessment report without QGIS: content, radar chart, maps, PDF and HTML.

:mod:`~amp_qgis_plugin.core.report.content` reads what the report says from an assessment
GeoPackage (both the QGIS print layout and the QGIS-free report use it);
:mod:`~amp_qgis_plugin.core.report.radar` draws the place profile as a radar chart;
:mod:`~amp_qgis_plugin.core.report.maps` draws the maps from the data itself;
:mod:`~amp_qgis_plugin.core.report.pdf` and :mod:`~amp_qgis_plugin.core.report.html` write the
report. Nothing here imports QGIS.
"""
