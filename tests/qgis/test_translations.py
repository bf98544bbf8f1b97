"""The plugin's Qt translation in QGIS: the compiled .qm translates, tr() uses it, and without it
the inline Swedish still shows; figure lines follow the QGIS language.

Run with QT_QPA_PLATFORM=offscreen (pytest-qgis starts QGIS).
"""

from __future__ import annotations

import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    """``scripts/i18n.py`` as a module (extracts the pairs, compiles with lrelease)."""
    if "amp_i18n_script" not in sys.modules:
        spec = importlib.util.spec_from_file_location("amp_i18n_script",
                                                      ROOT / "scripts" / "i18n.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["amp_i18n_script"] = module
        spec.loader.exec_module(module)
    return sys.modules["amp_i18n_script"]


@pytest.fixture()
def qm_dir(tmp_path):
    """A folder holding ``amp_qgis_plugin_sv.qm`` compiled from the committed .ts."""
    script = _script()
    try:
        script.lrelease()
    except SystemExit as exc:
        pytest.skip(str(exc))
    script.compile_ts(script.ts_path("sv"), tmp_path / "amp_qgis_plugin_sv.qm")
    return tmp_path


@contextmanager
def qgis_language(locale: str):
    """QGIS set to ``locale`` (as a user's "override system locale"), restored afterwards."""
    from qgis.core import QgsSettings

    from amp_qgis_plugin.processing import i18n

    settings = QgsSettings()
    old = (settings.value("locale/userLocale", ""), settings.value("locale/overrideFlag", False))
    settings.setValue("locale/userLocale", locale)
    settings.setValue("locale/overrideFlag", True)
    i18n.ui_language.cache_clear()
    try:
        yield
    finally:
        i18n.remove_translators()
        settings.setValue("locale/userLocale", old[0])
        settings.setValue("locale/overrideFlag", old[1])
        i18n.ui_language.cache_clear()


def test_compiled_qm_translates_in_qt(qgis_app, qm_dir):
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    assert translator.load(str(qm_dir / "amp_qgis_plugin_sv.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("AmpPlaceAnalysis", "Fetch place data") == "Hämta platsdata"
        assert QCoreApplication.translate("AmpPlaceAnalysis", "Seat width (m)") == "Sittbredd (m)"
        assert QCoreApplication.translate("AmpPlaceAnalysis", "2 Uses and comfort") == \
            "2 Användning och komfort"
        assert QCoreApplication.translate("OtherContext", "Fetch place data") == "Fetch place data"
    finally:
        QCoreApplication.removeTranslator(translator)


def test_tr_takes_the_qm_when_qgis_speaks_swedish(qgis_app, qm_dir, monkeypatch):
    from amp_qgis_plugin.processing import i18n

    monkeypatch.setattr(i18n, "I18N_DIR", qm_dir)
    with qgis_language("sv_SE"):
        assert i18n.install_translator() == qm_dir / "amp_qgis_plugin_sv.qm"
        # no inline Swedish given: the text can only come from the .qm
        assert i18n.tr("Fetch place data") == "Hämta platsdata"
        assert i18n.tr("Place polygon") == "Platsens polygon"
        # a text built at run time is not in the .qm: the inline Swedish
        assert i18n.tr("Municipal layer 7", "Kommunalt lager 7") == "Kommunalt lager 7"
    assert i18n.tr("Fetch place data", "Hämta platsdata") == "Fetch place data"


def test_without_a_qm_the_inline_swedish_shows(qgis_app, tmp_path, monkeypatch):
    from amp_qgis_plugin.processing import i18n
    from amp_qgis_plugin.processing.algorithms.fetch_place_data import FetchPlaceDataAlgorithm

    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)  # a source checkout: nothing compiled
    with qgis_language("sv_SE"):
        assert i18n.install_translator() is None
        assert i18n.tr("Fetch place data") == "Fetch place data"
        assert FetchPlaceDataAlgorithm().displayName() == "Hämta platsdata"


def test_english_qgis_installs_nothing(qgis_app, qm_dir, monkeypatch):
    from amp_qgis_plugin.processing import i18n

    monkeypatch.setattr(i18n, "I18N_DIR", qm_dir)
    with qgis_language("en_GB"):
        assert i18n.install_translator() is None
        assert i18n.tr("Fetch place data", "Hämta platsdata") == "Fetch place data"


def test_figure_lines_follow_the_qgis_language(amp_provider, senaatintori_gpkg, tmp_path):
    """amp:mapfrontage pushes the engine's figure lines in Swedish when QGIS is Swedish."""
    import processing
    from qgis.core import QgsProcessingFeedback

    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.frontage import compute_frontage

    class Recording(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.infos = []

        def pushInfo(self, info):  # noqa: N802
            self.infos.append(info)
            super().pushInfo(info)

    expected = compute_frontage(read_geopackage(senaatintori_gpkg))
    for locale, lang in (("sv_SE", "sv"), ("en_US", "en")):
        feedback = Recording()
        with qgis_language(locale):
            processing.run("amp:mapfrontage", {"DATA": str(senaatintori_gpkg),
                                               "OUTPUT": str(tmp_path / f"frontage-{lang}.gpkg")},
                           feedback=feedback)
        lines = expected.lines(lang=lang)
        assert [line for line in feedback.infos if line in lines] == lines
    assert expected.lines(lang="sv")[1].startswith("Andel aktiv fasadlängd: ")
    assert expected.lines(lang="en")[1].startswith("Active frontage share: ")
