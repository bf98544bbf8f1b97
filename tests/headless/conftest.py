"""qgis_process end to end, as a user's script runs it (subprocess, throwaway profile)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"


@pytest.fixture(scope="session")
def qgis_process(tmp_path_factory):
    """Return a function running ``qgis_process.bin`` with the plugin enabled in a temp profile.

    ``QGIS_PLUGINPATH`` points at a folder holding a link to ``amp_qgis_plugin`` (never the
    repository root, which would shadow QGIS's own ``processing``); the venv's packages reach
    QGIS's Python through ``PYTHONPATH``.
    """
    if not os.path.exists(QGIS_PROCESS):
        pytest.skip("qgis_process.bin is not installed")
    base = tmp_path_factory.mktemp("qgis_process")
    plugins, profile = base / "plugins", base / "profile"
    plugins.mkdir()
    profile.mkdir()
    (plugins / "amp_qgis_plugin").symlink_to(ROOT / "amp_qgis_plugin")
    env = dict(os.environ, QGIS_PLUGINPATH=str(plugins), QGIS_CUSTOM_CONFIG_PATH=str(profile),
               QT_QPA_PLATFORM="offscreen", PYTHONPATH=sysconfig.get_paths()["purelib"])

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    enabled = run("plugins", "enable", "amp_qgis_plugin")
    assert enabled.returncode == 0, enabled.stderr
    return run


def parse_json(stdout: str) -> dict:
    """The JSON document qgis_process --json prints (after any log lines)."""
    return json.loads(stdout[stdout.index("{"):])


__all__ = ["parse_json", "sys"]
