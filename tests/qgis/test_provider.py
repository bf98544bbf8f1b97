"""The plugin loads in QGIS: provider id, algorithm ids, help on every parameter, icons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def test_qgis_processing_is_not_shadowed(qgis_processing):
    from qgis import processing
    from qgis.core import QgsApplication

    assert "amp_qgis_plugin" not in Path(processing.__file__).parts
    assert QgsApplication.processingRegistry().providerById("native") is not None


def test_provider_and_algorithm_ids(amp_provider):
    assert amp_provider.id() == "amp"
    ids = [alg.id() for alg in amp_provider.algorithms()]
    assert "amp:fetchplacedata" in ids
    for alg_id in ids:
        assert re.fullmatch(r"amp:[a-z0-9]+", alg_id), alg_id
    assert not amp_provider.icon().isNull()


def test_every_parameter_has_help(amp_provider):
    for alg in amp_provider.algorithms():
        assert alg.shortHelpString(), alg.id()
        assert "På svenska" in alg.shortHelpString(), alg.id()
        for param in alg.parameterDefinitions():
            assert param.help() and len(param.help()) > 15, f"{alg.id()} {param.name()}"


def test_plugin_class_factory_without_iface(qgis_app):
    """qgis_process calls classFactory(None) then initProcessing(); unload removes the provider."""
    from qgis.core import QgsApplication

    import amp_qgis_plugin

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("amp")
    if existing is not None:
        registry.removeProvider(existing)
    plugin = amp_qgis_plugin.classFactory(None)
    plugin.initProcessing()
    plugin.initProcessing()  # idempotent
    assert registry.providerById("amp") is not None
    plugin.unload()
    assert registry.providerById("amp") is None


def test_plugin_init_gui_with_iface(qgis_iface):
    from qgis.core import QgsApplication

    import amp_qgis_plugin

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("amp")
    if existing is not None:
        registry.removeProvider(existing)
    plugin = amp_qgis_plugin.classFactory(qgis_iface)
    plugin.initGui()
    assert registry.providerById("amp") is not None
    plugin.unload()
    assert registry.providerById("amp") is None


def test_missing_dependency_refuses_to_run(amp_provider, monkeypatch, tmp_path):
    """canExecute names the missing package and how to install it; nothing is installed.

    A package name that cannot exist stands in for a missing geo package (making a real one
    unimportable in this process would break the other tests).
    """
    from qgis.core import QgsProcessingException

    from amp_qgis_plugin.processing.algorithms.fetch_place_data import FetchPlaceDataAlgorithm

    monkeypatch.setattr(FetchPlaceDataAlgorithm, "REQUIRES",
                        FetchPlaceDataAlgorithm.REQUIRES + ("amp_no_such_geo_package",))
    alg = FetchPlaceDataAlgorithm()
    ok, message = alg.canExecute()
    assert not ok
    assert "amp_no_such_geo_package (missing)" in message and "install" in message
    alg.initAlgorithm()
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    with pytest.raises(QgsProcessingException, match="amp_no_such_geo_package"):
        alg.processAlgorithm({"OUTPUT": str(tmp_path / "x.gpkg")}, QgsProcessingContext(),
                             QgsProcessingFeedback())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("system, words", [("Windows", "OSGeo4W"), ("Darwin", "QGIS.app"),
                                           ("Linux", "apt")])
def test_install_hint_per_platform(system, words):
    from amp_qgis_plugin.core.deps import install_hint

    assert words in install_hint(system)


def test_swedish_user_interface(amp_provider):
    """With QGIS set to Swedish, names and parameter help come in Swedish."""
    from qgis.core import QgsSettings

    from amp_qgis_plugin.processing import i18n
    from amp_qgis_plugin.processing.algorithms.fetch_place_data import FetchPlaceDataAlgorithm

    settings = QgsSettings()
    old = (settings.value("locale/userLocale", ""), settings.value("locale/overrideFlag", False))
    settings.setValue("locale/userLocale", "sv_SE")
    settings.setValue("locale/overrideFlag", True)
    i18n.ui_language.cache_clear()
    try:
        alg = FetchPlaceDataAlgorithm()
        alg.initAlgorithm()
        assert alg.displayName() == "Hämta platsdata"
        assert alg.parameterDefinition("RADIUS").help().startswith("Hur långt runt platsen")
    finally:
        settings.setValue("locale/userLocale", old[0])
        settings.setValue("locale/overrideFlag", old[1])
        i18n.ui_language.cache_clear()
    assert FetchPlaceDataAlgorithm().displayName() == "Fetch place data"


def test_indicator_algorithms_share_the_data_parameter(amp_provider):
    """Scripts and models pass the PlaceData GeoPackage to every indicator as DATA."""
    for alg in amp_provider.algorithms():
        if alg.id() in ("amp:fetchplacedata", "amp:viewshed", "amp:sitereport", "amp:scorecandidates"):
            continue
        param = alg.parameterDefinition("DATA")
        assert param is not None and param.type() == "file", alg.id()
        assert "amp:fetchplacedata" in param.help(), alg.id()
