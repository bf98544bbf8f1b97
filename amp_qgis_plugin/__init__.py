"""AMP Place Analysis: QGIS plugin and QGIS-free engine.

This module must stay importable without QGIS and without the geo stack: QGIS calls
:func:`classFactory`, and the CLI (``amp-place``) imports the package on servers that
have no QGIS at all. Nothing heavy is imported here.
"""

from __future__ import annotations

from amp_qgis_plugin.__about__ import __title__, __version__

__all__ = ["__title__", "__version__", "classFactory"]


def classFactory(iface):  # noqa: N802 (QGIS API name)
    """Return the plugin instance; called by QGIS desktop (``iface``) and qgis_process (``None``)."""
    from amp_qgis_plugin.plugin import AmpPlugin

    return AmpPlugin(iface)
