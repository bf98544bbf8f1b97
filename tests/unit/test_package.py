"""The release zip (``make package`` = ``scripts/package.sh``) as plugins.qgis.org checks it.

One top folder ``amp_qgis_plugin/``; metadata.txt with the fields the repository requires;
LICENSE inside; the compiled Swedish translation; no caches, tests or translation sources;
every committed file of the plugin present; under 25 MB.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 25 * 1024 * 1024
#: The first bytes of every compiled Qt translation (QTranslator's magic number).
QM_MAGIC = bytes([0x3C, 0xB8, 0x64, 0x18, 0xCA, 0xEF, 0x9C, 0x95,
                  0xCD, 0x21, 0x1C, 0xBF, 0x60, 0xA1, 0xBD, 0xDD])
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
            "repository", "tracker")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The zip built by the script ``make package`` runs, into a temporary folder."""
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("packaging reads the committed tree: needs git and the repository")
    if not (shutil.which("lrelease") or shutil.which("lrelease-qt5")):
        pytest.skip("lrelease is not installed (Debian: qttools5-dev-tools)")
    out = tmp_path_factory.mktemp("dist") / "amp_qgis_plugin.zip"
    result = subprocess.run(["bash", str(ROOT / "scripts" / "package.sh"), str(out)],
                            env=dict(os.environ, PYTHON=sys.executable), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(out))
    return out


def _names(package: Path):
    with zipfile.ZipFile(package) as zf:
        return zf.namelist()


def test_make_package_runs_the_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^package:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert target and "scripts/package.sh dist/amp_qgis_plugin.zip" in target.group(1)


def test_one_top_folder_and_under_25_mb(package):
    names = _names(package)
    assert {n.split("/")[0] for n in names} == {"amp_qgis_plugin"}
    assert all(n.startswith("amp_qgis_plugin/") for n in names)
    assert package.stat().st_size < LIMIT
    with zipfile.ZipFile(package) as zf:
        assert zf.testzip() is None
        assert sum(i.file_size for i in zf.infolist()) < LIMIT


def test_metadata_has_what_plugins_qgis_org_requires(package):
    from amp_qgis_plugin import __version__

    with zipfile.ZipFile(package) as zf:
        text = zf.read("amp_qgis_plugin/metadata.txt").decode("utf-8")
        names = set(zf.namelist())
    meta = configparser.ConfigParser(interpolation=None)
    meta.read_string(text)
    general = meta["general"]
    missing = [key for key in REQUIRED if not general.get(key, "").strip()]
    assert missing == []
    assert general["version"] == __version__
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", general["qgisMinimumVersion"])
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", general["email"])
    for key in ("repository", "tracker", "homepage"):
        assert re.match(r"https?://\S+$", general[key]), key
    assert general["hasProcessingProvider"] == "yes"
    assert f"amp_qgis_plugin/{general['icon']}" in names
    assert "amp_qgis_plugin/__init__.py" in names  # classFactory


def test_license_inside(package):
    with zipfile.ZipFile(package) as zf:
        licence = zf.read("amp_qgis_plugin/LICENSE")
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert b"GNU GENERAL PUBLIC LICENSE" in licence


def test_compiled_translation_inside_and_no_sources(package):
    names = _names(package)
    assert [n for n in names if n.endswith(".qm")] == ["amp_qgis_plugin/i18n/amp_qgis_plugin_sv.qm"]
    assert [n for n in names if n.endswith(".ts")] == []
    with zipfile.ZipFile(package) as zf:
        qm = zf.read("amp_qgis_plugin/i18n/amp_qgis_plugin_sv.qm")
    assert qm[:16] == QM_MAGIC
    # the Swedish of a display name is in it (Qt stores texts as UTF-16 big-endian)
    assert "Hämta platsdata".encode("utf-16-be") in qm


def test_no_caches_or_tests(package):
    names = _names(package)
    bad = [n for n in names
           if "__pycache__" in n or n.endswith((".pyc", ".pyo")) or "/tests/" in n
           or re.search(r"/(test_[^/]*|[^/]*_test|conftest)\.py$", n)
           or "/.git" in n or "/.pytest_cache" in n or ".DS_Store" in n]
    assert bad == []


def test_every_committed_plugin_file_is_inside(package):
    tracked = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD", "amp_qgis_plugin"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    expected = {n for n in tracked if not n.endswith((".ts", ".qm"))}
    assert len(expected) > 100
    assert expected - set(_names(package)) == set()
