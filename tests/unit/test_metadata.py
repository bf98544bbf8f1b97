"""Packaging facts: one version, QGIS-free core and CLI, plugin metadata QGIS needs."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_and_cli_import_without_qgis():
    code = ("import sys, amp_qgis_plugin, amp_qgis_plugin.core.fetch, amp_qgis_plugin.cli, "
            "amp_qgis_plugin.core.data.osm_file, amp_qgis_plugin.core.data.overpass, "
            "amp_qgis_plugin.core.data.municipal; "
            "import pkgutil, importlib, amp_qgis_plugin.core as c; "
            "[importlib.import_module(m.name) for m in pkgutil.walk_packages(c.__path__, 'amp_qgis_plugin.core.')]; "
            "import amp_qgis_plugin.cli as cli; cli.build_parser(); "
            "assert not [m for m in sys.modules if m == 'qgis' or m.startswith('qgis.')], 'qgis imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_qgis_import_in_core_sources():
    offenders = [p for p in (ROOT / "amp_qgis_plugin" / "core").rglob("*.py")
                 if re.search(r"^\s*(from|import)\s+qgis", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


def test_metadata_fields_and_version():
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(ROOT / "amp_qgis_plugin" / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in ("name", "description", "about", "version", "qgisMinimumVersion", "author",
                "email", "repository", "tracker", "icon"):
        assert general.get(key), key
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert (ROOT / "amp_qgis_plugin" / general["icon"]).exists()
    from amp_qgis_plugin import __version__

    assert general["version"] == __version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)} - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def test_sample_data_attribution_is_bundled():
    sample = ROOT / "amp_qgis_plugin" / "resources" / "sample"
    text = (sample / "README.md").read_text(encoding="utf-8")
    assert "ODbL" in text and "OpenStreetMap contributors" in text
    assert (ROOT / "amp_qgis_plugin" / "LICENSE").exists()


def test_qt_only_through_qgis_pyqt():
    bad = [p for p in (ROOT / "amp_qgis_plugin").rglob("*.py")
           if re.search(r"^\s*(from|import)\s+PyQt[56]", p.read_text(encoding="utf-8"), re.M)]
    assert bad == []


def test_nothing_reaches_the_network_or_installs_at_import():
    """Importing the package, the engine and every command opens no socket and runs no pip."""
    code = (
        "import socket, subprocess, sys\n"
        "def refuse(*a, **k): raise AssertionError('network access at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "def no_subprocess(*a, **k): raise AssertionError('subprocess at import')\n"
        "subprocess.Popen.__init__ = no_subprocess\n"
        "import importlib, pkgutil, amp_qgis_plugin, amp_qgis_plugin.core as core\n"
        "import amp_qgis_plugin.commands as cmds\n"
        "for pkg in (core, cmds):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import amp_qgis_plugin.cli as cli; cli.build_parser()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
