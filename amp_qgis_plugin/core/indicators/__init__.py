"""Indicators: PlaceData (+ options) -> figures with units, thresholds and sources.

Each module computes one theme from the canonical PlaceData layers and returns an
:class:`~amp_qgis_plugin.core.indicators.result.IndicatorResult`: place-level
:class:`~amp_qgis_plugin.core.indicators.result.Figure` objects (value, unit, threshold, source;
``None`` = "no data") plus output layers. Nothing here imports qgis.
"""
