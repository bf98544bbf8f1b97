"""``qgis_process run amp:sitereport``: the report's layout exports headless, as a script runs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import parse_json


@pytest.fixture(scope="module")
def assessment(tmp_path_factory) -> Path:
    """Senaatintori from the bundled sample, assessed by the engine (no QGIS in this process)."""
    from amp_qgis_plugin.core.assess import assess_place, write_assessment
    from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request

    folder = tmp_path_factory.mktemp("assessment")
    data = fetch_place_data(sample_request("Senaatintori"))
    return Path(write_assessment(assess_place(data), folder)["gpkg"])


def _pages(pdf: Path) -> list:
    assert shutil.which("pdftotext"), "pdftotext missing: apt-get install poppler-utils"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = text.replace("\ufb01", "fi").replace("\ufb02", "fl")  # the fonts' ligatures
    return text.split("\f")[:-1]


def test_help_lists_the_parameters(qgis_process):
    result = qgis_process("help", "amp:sitereport")
    assert result.returncode == 0, result.stderr
    for name in ("ASSESSMENT", "LANGUAGE", "OUTPUT", "LAYOUT", "PAGES"):
        assert name in result.stdout


def test_sitereport_end_to_end(qgis_process, assessment, tmp_path):
    out = tmp_path / "senaatintori-rapport.pdf"
    result = qgis_process("--json", "run", "amp:sitereport", "--", f"ASSESSMENT={assessment}",
                          "LANGUAGE=1", f"OUTPUT={out}")
    assert result.returncode == 0, result.stderr + result.stdout
    doc = parse_json(result.stdout)
    assert doc["results"]["OUTPUT"] == str(out)
    assert doc["results"]["LAYOUT"] == "Senaatintori – Platsbedömning"
    pages = _pages(out)
    assert len(pages) == doc["results"]["PAGES"] == 8
    assert pages[0].lstrip().startswith("Platsbedömning: Senaatintori")
    assert "Platsprofil" in pages[0] and "inga data" in pages[0]
    assert pages[1].lstrip().startswith("Senaatintori: fasader, sittplatser och belysning")
    assert "© OpenStreetMap contributors" in pages[1] and "Teckenförklaring" in pages[1]
    assert "Sida 8 av 8" in " ".join(pages[7].split())


def test_not_an_assessment_fails_cleanly(qgis_process, sample_osm, tmp_path):
    from amp_qgis_plugin.core.fetch import fetch_to_geopackage, sample_request

    data, _ = fetch_to_geopackage(sample_request("Senaatintori"), tmp_path / "senaatintori.gpkg")
    out = tmp_path / "r.pdf"
    result = qgis_process("run", "amp:sitereport", "--", f"ASSESSMENT={data}", "LANGUAGE=2",
                          f"OUTPUT={out}")
    text = result.stdout + result.stderr
    assert result.returncode == 1
    assert "is not an assessment (it has no scores table)" in text
    assert "(amp:assessplace)" in text and "ASSESSMENT" in text
    assert "Traceback" not in text
    assert not out.exists()
