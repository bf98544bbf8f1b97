"""QGIS adapter tests under pytest-qgis (headless): the provider registered once per session."""

from __future__ import annotations

import pytest

#: Python references to the providers we register: QGIS owns the C++ object, but the Python
#: subclass dies with its last Python reference (as in a plugin, which keeps ``self.provider``).
_KEEP_ALIVE = []


@pytest.fixture()
def amp_provider(qgis_processing):
    """The AMP provider registered in QGIS's Processing registry (as the plugin does it).

    Function-scoped: plugin load/unload tests remove (and so delete) the provider, so each test
    looks it up again and registers a fresh one when needed.
    """
    from qgis.core import QgsApplication

    from amp_qgis_plugin.processing.provider import AmpProvider

    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("amp")
    if provider is None:
        provider = AmpProvider()
        assert registry.addProvider(provider)
        _KEEP_ALIVE.append(provider)
    yield provider


@pytest.fixture()
def run_alg(amp_provider):
    """Run ``amp:<name>`` through QGIS's own ``processing.run`` with a real feedback object."""
    from qgis import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    def _run(alg_id: str, parameters: dict, feedback=None):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        return processing.run(alg_id, parameters, context=context,
                              feedback=feedback or QgsProcessingFeedback())

    return _run
