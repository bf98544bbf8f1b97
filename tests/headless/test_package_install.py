"""The release zip installed into a fresh QGIS profile, as "Install from ZIP" does it.

The zip (``scripts/package.sh``, what ``make package`` runs) is unpacked into
``<profile>/python/plugins`` of a throwaway profile; ``qgis_process`` enables the plugin and
lists the ``amp:`` algorithms (in Swedish when the profile is Swedish), and QGIS's own plugin
loader (``qgis.utils``) starts it from there and uses the zip's compiled translation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
PYTHON = "/usr/bin/python3"  # the interpreter QGIS embeds (python3-qgis)
ALGORITHMS = {"amp:fetchplacedata": "Hämta platsdata", "amp:mapfrontage": "Kartlägg bottenvåningar",
              "amp:auditseating": "Granska sittplatser och service",
              "amp:lightingmap": "Belysningskarta (belysningsstyrka och mörka partier)",
              "amp:sightlines": "Siktlinjer (isovister och synlighet)",
              "amp:assessplace": "Bedöm plats"}

LOADER = textwrap.dedent('''
    import json, os, sys
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QCoreApplication
    QCoreApplication.setOrganizationName("QGIS")  # the profile's QGIS/QGIS3.ini, as QGIS reads it
    QCoreApplication.setApplicationName("QGIS3")
    app = QgsApplication([], False)
    app.initQgis()
    import qgis.utils
    # what QGIS's Python start-up does: the profile's plugin folder, then the plugins found there
    home = os.path.join(QgsApplication.qgisSettingsDirPath(), "python", "plugins")
    sys.path.insert(0, home)
    qgis.utils.plugin_paths = [home]
    qgis.utils.updateAvailablePlugins()
    report = {"found": "amp_qgis_plugin" in qgis.utils.available_plugins}
    report["loaded"] = qgis.utils.loadPlugin("amp_qgis_plugin")
    report["started"] = qgis.utils.startProcessingPlugin("amp_qgis_plugin")
    import amp_qgis_plugin
    from amp_qgis_plugin.processing import i18n
    report["module"] = amp_qgis_plugin.__file__
    report["translators"] = {k: str(i18n.qm_path(k)) for k in i18n._installed}
    report["tr"] = i18n.tr("Fetch place data")  # no inline Swedish: only the .qm knows it
    provider = QgsApplication.processingRegistry().providerById("amp")
    report["algorithms"] = {a.id(): a.displayName() for a in provider.algorithms()} if provider else {}
    print("REPORT" + json.dumps(report))
    qgis.utils.unloadPlugin("amp_qgis_plugin")
    app.exitQgis()
''')


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh QGIS profile (Swedish) with the release zip unpacked into its plugin folder."""
    if not os.path.exists(QGIS_PROCESS):
        pytest.skip("qgis_process.bin is not installed")
    if not (shutil.which("lrelease") or shutil.which("lrelease-qt5")):
        pytest.skip("lrelease is not installed (Debian: qttools5-dev-tools)")
    base = tmp_path_factory.mktemp("release")
    zip_path = base / "amp_qgis_plugin.zip"
    built = subprocess.run(["bash", str(ROOT / "scripts" / "package.sh"), str(zip_path)],
                           env=dict(os.environ, PYTHON=sys.executable), capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    config = base / "config"
    profile = config / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(plugins)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text(
        "[locale]\nuserLocale=sv_SE\noverrideFlag=true\n[qgis]\nshowTips=false\n")
    # the venv's packages (the geo stack) reach QGIS's Python; the plugin itself only from the
    # profile (no QGIS_PLUGINPATH, no link to the checkout)
    env = {k: v for k, v in os.environ.items() if k != "QGIS_PLUGINPATH"}
    env.update(QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=sysconfig.get_paths()["purelib"])
    return plugins, env


def test_qgis_process_enables_the_installed_zip(installed):
    plugins, env = installed
    enabled = subprocess.run([QGIS_PROCESS, "plugins", "enable", "amp_qgis_plugin"], env=env,
                             capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                             cwd=plugins)
    assert enabled.returncode == 0, enabled.stderr
    listed = subprocess.run([QGIS_PROCESS, "list", "--json"], env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=plugins)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout[listed.stdout.index("{"):])
    provider = data["providers"]["amp"]
    names = {alg_id: alg["name"] for alg_id, alg in provider["algorithms"].items()}
    for alg_id, swedish in ALGORITHMS.items():
        assert names.get(alg_id) == swedish, (alg_id, names)
    assert provider["is_active"] and provider["version"] == _zip_version(plugins)
    shown = subprocess.run([QGIS_PROCESS, "plugins"], env=env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL, cwd=plugins)
    assert "* amp_qgis_plugin" in shown.stdout.splitlines()


def _zip_version(plugins: Path) -> str:
    import configparser

    meta = configparser.ConfigParser(interpolation=None)
    meta.read(plugins / "amp_qgis_plugin" / "metadata.txt", encoding="utf-8")
    return meta["general"]["version"]


def test_qgis_loads_the_plugin_from_the_profile_with_its_translation(installed):
    plugins, env = installed
    # Debian's Python as QGIS runs it: the venv's editable install of the checkout is not active
    # (PYTHONPATH does not read .pth files) and the working folder is not the checkout
    result = subprocess.run([PYTHON, "-c", LOADER], env=env, capture_output=True, text=True,
                            timeout=300, stdin=subprocess.DEVNULL, cwd=plugins.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("REPORT"))
    report = json.loads(line[len("REPORT"):])
    assert report["found"] and report["loaded"] and report["started"], report
    assert Path(report["module"]).resolve().parent == (plugins / "amp_qgis_plugin").resolve()
    assert report["translators"] == {
        "sv": str(plugins / "amp_qgis_plugin" / "i18n" / "amp_qgis_plugin_sv.qm")}
    assert report["tr"] == "Hämta platsdata"
    for alg_id, swedish in ALGORITHMS.items():
        assert report["algorithms"].get(alg_id) == swedish, (alg_id, report["algorithms"])
