"""The QGIS plugin object: registers the AMP Processing provider.

QGIS desktop calls ``initGui()`` (and ``initProcessing()``); ``qgis_process`` calls only
``initProcessing()`` with ``iface`` None. Both install the plugin's Qt translation for the QGIS
language (``i18n/amp_qgis_plugin_<lang>.qm``, when built). Neither imports the geo stack:
algorithms check their own dependencies when run.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsApplication


class AmpPlugin:
    """Plugin entry point created by :func:`amp_qgis_plugin.classFactory`."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider: Optional["object"] = None

    def initProcessing(self) -> None:  # noqa: N802 (QGIS API)
        """Install the translation for the QGIS language and register the provider (idempotent)."""
        if self.provider is not None:
            return
        from amp_qgis_plugin.processing.i18n import install_translator
        from amp_qgis_plugin.processing.provider import AmpProvider

        install_translator()

        self.provider = AmpProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 (QGIS API)
        """Desktop start-up: the algorithms live in the Processing toolbox."""
        self.initProcessing()

    def unload(self) -> None:
        """Remove the provider and the translation when the plugin is unloaded or reloaded."""
        from amp_qgis_plugin.processing.i18n import remove_translators

        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translators()
