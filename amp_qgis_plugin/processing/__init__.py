"""The QGIS adapter: Processing provider, thin algorithms, QGIS <-> GeoDataFrame conversion.

Imported as ``amp_qgis_plugin.processing``; QGIS's own framework is ``from qgis import processing``.
"""
