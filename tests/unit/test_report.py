"""``amp-place report``: the QGIS-free site-assessment report (PDF + HTML) of an assessment.

The expected texts are read from the assessment's own tables with pyogrio (not through the
report's content model), so the PDF is checked against the data it reports; ``pdftotext`` and
``pdfinfo`` (poppler-utils) read the PDF back.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyogrio
import pytest

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.errors import CancelledError, InputError
from amp_qgis_plugin.core.report import texts
from amp_qgis_plugin.core.report.content import ReportContent, place_extent
from amp_qgis_plugin.core.report.maps import _columns, fit_extent, scale_length

PROFILE_KEYS = ("uses_activities", "comfort_image", "access_linkages", "sociability", "safety")


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def assessment(senaatintori_gpkg, tmp_path_factory) -> Path:
    """Senaatintori assessed from its PlaceData: the folder's ``senaatintori.gpkg``."""
    from amp_qgis_plugin.core.assess import assess_place, write_assessment
    from amp_qgis_plugin.core.data.placedata import read_geopackage

    folder = tmp_path_factory.mktemp("assessed")
    return write_assessment(assess_place(read_geopackage(senaatintori_gpkg)), folder)["gpkg"]


def _run(argv):
    """``(exit code, stdout, stderr)`` of the CLI run in-process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def reports(assessment, tmp_path_factory):
    """The report in both languages: ``{lang: (pdf, stdout)}``."""
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for lang in ("en", "sv"):
        pdf = out / f"senaatintori-{lang}.pdf"
        code, printed, err = _run(["report", "--assessment", str(assessment), "--out", str(pdf),
                                   "--lang", lang])
        assert code == 0, err
        made[lang] = (pdf, printed)
    return made


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _text(pdf: Path, page: int = 0, layout: bool = True) -> str:
    """The PDF's text (one page, or all with 0), no-break spaces as spaces."""
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if page:
        cmd += ["-f", str(page), "-l", str(page)]
    done = subprocess.run(cmd + [str(pdf), "-"], check=True, capture_output=True, text=True)
    return done.stdout.replace("\u00a0", " ")


def _flat(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())


def _scores(path: Path):
    return pyogrio.read_dataframe(path, layer="scores", read_geometry=False)


def _copy_assessment(assessment: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for item in assessment.parent.iterdir():
        if item.name.startswith(assessment.stem) and item.suffix in (".gpkg", ".tif", ".qml"):
            shutil.copy2(item, folder / item.name)
    return folder / assessment.name


# --------------------------------------------------------------------------------------------
# The PDF: pages, text, both languages


PAGE_TITLES = {
    "en": ["Site assessment: Senaatintori", "The place: frontage, seating, lamps and illuminance",
           "Sightlines and walking catchments", "Key figures with thresholds and sources"],
    "sv": ["Platsbedömning: Senaatintori",
           "Platsen: fasader, sittplatser, belysningspunkter och belysningsstyrka",
           "Siktlinjer och gångavstånd", "Nyckeltal med gränsvärden och källor"],
}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_pdf_has_the_expected_pages(reports, lang):
    pdf, printed = reports[lang]
    total = _pages(pdf)
    # summary, place map, sightlines + catchments, then the figures, coverage and sources
    assert total >= 6
    for number, title in enumerate(PAGE_TITLES[lang], 1):
        assert _flat(_text(pdf, number)).startswith(title), (number, title)
    word = {"en": "Page", "sv": "Sida"}[lang]
    of = {"en": "of", "sv": "av"}[lang]
    for number in range(1, total + 1):
        assert f"{word} {number} {of} {total}" in _text(pdf, number)
    last = _flat(_text(pdf, total))
    assert re.search(r"\[\d+\]", last)  # the numbered sources end the report
    # the HTML page beside it, in the same language
    page = pdf.with_suffix(".html")
    assert page.is_file() and f'<html lang="{lang}">' in page.read_text(encoding="utf-8")
    wrote = {"en": "Wrote", "sv": "Skrev"}[lang]
    assert f"{wrote} {pdf} ({total} " in printed
    assert f"{wrote} {page}" in printed
    assert not [p for p in pdf.parent.iterdir() if ".partial" in p.name]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_pdf_text_holds_the_place_the_profile_scores_and_the_threshold_sources(
        assessment, reports, lang):
    pdf, _ = reports[lang]
    scores = _scores(assessment)
    summary = _text(pdf, 1)
    assert "Senaatintori" in summary
    no_data = {"en": "no data", "sv": "inga data"}[lang]
    bands = {"en": {"red": "red", "yellow": "yellow", "green": "green"},
             "sv": {"red": "röd", "yellow": "gul", "green": "grön"}}[lang]
    lines = [_flat(line) for line in summary.splitlines()]
    for key in PROFILE_KEYS:
        row = scores[scores["key"] == key].iloc[0]
        name = row["name_sv"] if lang == "sv" else row["name"]
        # the table's row: the name, then a score or "no data" (not a radar label or heading)
        line = next(ln for ln in lines
                    if re.match(rf"{re.escape(name)} (\d+|{no_data}) .*\d ?%$", ln))
        rest = line[len(name):].split()
        coverage = f"{row['coverage_pct']:.0f}"
        if math.isnan(row["score"]):
            # no data: the words, never a score of 0
            assert line == f"{name} {no_data} – {coverage} %" or \
                line == f"{name} {no_data} – {coverage}%", line
        else:
            assert rest[:2] == [f"{row['score']:.0f}", bands[row["band"]]], line
            assert line.endswith(f"{coverage} %"), line
    # the area and the date of the OSM data
    area = {"en": "Area 6,706 m²", "sv": "Yta 6 706 m²"}[lang]
    assert area in _flat(summary)
    assert "2019-04-21" in summary
    # every weighted indicator's threshold source, and its rule
    everything = _flat(_text(pdf, layout=False))
    weighted = scores[(scores["level"] == "indicator") & (scores["weight"] > 0)]
    for source in weighted["source"]:
        assert _flat(source)[:60] in everything, source
    u2 = weighted[weighted["key"] == "U2"].iloc[0]
    assert u2["threshold"] == "0 → 80 %"
    value = f"{u2['value']:.1f}".replace(".", "," if lang == "sv" else ".")
    name = u2["name_sv"] if lang == "sv" else u2["name"]
    rows = [_flat(ln) for ln in _text(pdf).splitlines()]
    assert any(ln.startswith(f"U2 {name} {value} % {u2['score']:.0f} 0 → 80 %") for ln in rows)


def test_swedish_report_is_in_swedish(reports):
    pdf, _ = reports["sv"]
    text = _flat(_text(pdf, layout=False))
    for swedish in ("Platsprofil", "Tillgänglighet och kopplingar", "Trygghetsindex",
                    "Teckenförklaring", "Horisontell belysningsstyrka (lx)", "Gångavstånd",
                    "Datatäckning och ursprung", "Källor till gränsvärdena", "3,60 lx",
                    "kräver kommunala data eller fältdata"):
        assert swedish in text, swedish
    for english in ("Place profile", "Key figures", "Legend", "no data", "Page "):
        assert english not in text, english


def test_no_data_is_never_shown_as_zero(reports, assessment):
    scores = _scores(assessment)
    missing = scores[(scores["level"] == "indicator") & scores["score"].isna() &
                     (scores["weight"] > 0)]
    assert {"U6", "S1", "S2"} <= set(missing["key"])
    for lang, words in (("en", "no data"), ("sv", "inga data")):
        lines = [_flat(ln) for ln in _text(reports[lang][0]).splitlines()]
        for key in ("U6", "S1", "S2"):
            line = next(ln for ln in lines if ln.startswith(f"{key} "))
            # value and score both say so; no score of 0 on the row
            assert f"{words} {words}" in line, line
            assert " 0 " not in f" {line} ", line


def test_an_attribute_without_any_score(assessment, tmp_path):
    """Every score of Uses & Activities removed: the report says "no data", never 0."""
    path = _copy_assessment(assessment, tmp_path / "nodata")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE scores SET score = NULL, band = '', coverage_pct = 0 "
                   "WHERE key = 'uses_activities' OR attribute = 'uses_activities'")
    content = ReportContent.from_assessment(path, "sv")
    uses = next(p for p in content.profile if p.key == "uses_activities")
    assert (uses.score, uses.score_text, uses.band_text, uses.coverage_text) == \
        (None, "inga data", "", "0\u00a0%")
    assert all(f.score is None and f.score_text == "inga data"
               for s in content.sections if s.score.key == "uses_activities" for f in s.figures)
    assert "Användning och aktiviteter: ingen indikator kunde beräknas (täckning 0 %); den " \
        "visas som inga data, inte som poäng 0." in content.notes
    pdf = tmp_path / "r.pdf"
    assert _run(["report", "--assessment", str(path), "--out", str(pdf), "--lang", "sv"])[0] == 0
    lines = [_flat(ln) for ln in _text(pdf, 1).splitlines()]
    assert "Användning och aktiviteter inga data – 0 %" in lines or \
        "Användning och aktiviteter inga data – 0%" in lines


def test_the_radar_draws_no_point_for_an_axis_without_data(assessment):
    from matplotlib.figure import Figure

    from amp_qgis_plugin.core.report.radar import draw_radar, render_radar

    content = ReportContent.from_assessment(assessment, "en")
    with_data = [p for p in content.profile if p.score is not None]
    assert len(with_data) == 4  # Sociability has no data in the sample
    ax = Figure().add_subplot(projection="polar")
    draw_radar(ax, content.profile, content.bands)
    markers = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert sorted(round(float(m.get_ydata()[0]), 6) for m in markers) == \
        sorted(round(p.score, 6) for p in with_data)
    labels = [t.get_text() for t in ax.texts]
    assert "Sociability\nno data" in labels
    assert render_radar(content, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in render_radar(content, "svg")


# --------------------------------------------------------------------------------------------
# Bad input


def test_assessment_without_scores_from_an_older_version(assessment, tmp_path):
    from osgeo import ogr

    path = _copy_assessment(assessment, tmp_path / "old")
    ds = ogr.Open(str(path), update=1)
    index = next(i for i in range(ds.GetLayerCount()) if ds.GetLayer(i).GetName() == "scores")
    ds.DeleteLayer(index)
    ds = None
    code, _, err = _run(["report", "--assessment", str(path), "--out", str(tmp_path / "r.pdf"),
                         "--lang", "en"])
    assert code == 1
    assert err.strip() == (
        "amp-place report: senaatintori.gpkg was written by an older version of the plugin (it "
        "has no scores table). Run the assessment of the place again with this version, then "
        "make the report. (--assessment)")
    assert not (tmp_path / "r.pdf").exists()


def test_assessment_of_an_older_data_schema(assessment, tmp_path):
    path = _copy_assessment(assessment, tmp_path / "schema")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE provenance SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(InputError) as err:
        ReportContent.from_assessment(path, "sv")
    assert str(err.value) == (
        "senaatintori.gpkg skrevs av en äldre version av tillägget (dataschema version 1, denna "
        "version läser 2). Kör bedömningen av platsen igen med denna version och gör sedan "
        "rapporten.")
    assert err.value.options == ("assessment",)


def test_place_data_is_not_an_assessment(senaatintori_gpkg, tmp_path):
    code, _, err = _run(["report", "--assessment", str(senaatintori_gpkg), "--lang", "en"])
    assert code == 1
    assert err.strip() == (
        "amp-place report: senaatintori.gpkg is not an assessment (it has no scores table): it "
        "looks like fetched place data. Assess the place first, then make the report from the "
        "<place>.gpkg it writes. (--assessment)")


def test_missing_file_and_wrong_output(assessment, tmp_path):
    code, _, err = _run(["report", "--assessment", str(tmp_path / "none.gpkg"), "--lang", "en"])
    assert (code, err.strip()) == (
        1, f"amp-place report: The assessment {tmp_path / 'none.gpkg'} does not exist. "
           "(--assessment)")
    code, _, err = _run(["report", "--assessment", str(assessment), "--out",
                         str(tmp_path / "r.docx"), "--lang", "en"])
    assert (code, err.strip()) == (
        1, "amp-place report: The report goes to a PDF file (.pdf), not r.docx. (--out)")


def test_a_missing_raster_is_said_on_the_map_page(assessment, tmp_path):
    path = _copy_assessment(assessment, tmp_path / "noraster")
    (path.parent / "senaatintori-illuminance.tif").unlink()
    pdf = tmp_path / "r.pdf"
    code, _, err = _run(["report", "--assessment", str(path), "--out", str(pdf),
                         "--lang", "en"])
    assert code == 0, err
    page = _flat(_text(pdf, 2))
    assert ("The illuminance raster (senaatintori-illuminance.tif) is missing beside the "
            "assessment: the map is drawn without it. Run the assessment again to restore it."
            ) in page
    assert "Horizontal illuminance (lx)" not in page  # no legend for what is not drawn
    assert "Frontage, Gehl grade" in page


def test_an_existing_report_stays_when_writing_is_cancelled(assessment, tmp_path):
    from amp_qgis_plugin.core.report.pdf import write_pdf

    class Cancel:
        def setProgress(self, value):  # noqa: N802
            pass

        def isCanceled(self):  # noqa: N802
            return True

        def pushInfo(self, text):  # noqa: N802
            pass

        def pushWarning(self, text):  # noqa: N802
            pass

    target = tmp_path / "r.pdf"
    target.write_bytes(b"the earlier report")
    content = ReportContent.from_assessment(assessment, "en")
    with pytest.raises(CancelledError):
        write_pdf(content, target, feedback=Cancel())
    assert target.read_bytes() == b"the earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_language_from_the_locale(assessment, tmp_path, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    code, printed, err = _run(["report", "--assessment", str(assessment), "--out",
                               str(tmp_path / "r.pdf"), "--no-html"])
    assert code == 0, err
    assert printed.startswith(f"Skrev {tmp_path / 'r.pdf'} (")
    assert not (tmp_path / "r.html").exists()
    assert _flat(_text(tmp_path / "r.pdf", 1)).startswith("Platsbedömning: Senaatintori")
    with pytest.raises(InputError) as err:
        ReportContent.from_assessment(assessment, "fi")
    assert str(err.value) == "The report language must be 'en' or 'sv', not 'fi'."


# --------------------------------------------------------------------------------------------
# Maps and the HTML page


def test_maps_show_the_place_not_the_study_area(assessment):
    from matplotlib.figure import Figure

    from amp_qgis_plugin.core.report.maps import draw_catchment_map, draw_place_map

    content = ReportContent.from_assessment(assessment, "en")
    place = pyogrio.read_dataframe(assessment, layer="place").total_bounds
    study = pyogrio.read_dataframe(assessment, layer="study_area").total_bounds
    fig = Figure(figsize=(7.0, 6.0))
    ax = fig.add_axes((0, 0, 1, 1))
    draw_place_map(ax, content)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # the place plus its margin (35 % of its larger side, at least 40 m), grown to 7:6
    side = max(place[2] - place[0], place[3] - place[1])
    pad = max(40.0, 0.35 * side)
    assert x0 <= place[0] - pad + 1e-6 and x1 >= place[2] + pad - 1e-6
    assert y0 <= place[1] - pad + 1e-6 and y1 >= place[3] + pad - 1e-6
    assert (x1 - x0) / (y1 - y0) == pytest.approx(7.0 / 6.0)
    assert x1 - x0 < (study[2] - study[0]) / 3  # not the 1.6 km study area
    ax = Figure(figsize=(6.0, 6.0)).add_axes((0, 0, 1, 1))
    draw_catchment_map(ax, content)
    catch = pyogrio.read_dataframe(assessment, layer="catchments").total_bounds
    assert ax.get_xlim()[0] < catch[0] and ax.get_xlim()[1] > catch[2]
    assert ax.get_ylim()[0] < catch[1] and ax.get_ylim()[1] > catch[3]


def test_html_page_is_self_contained_and_holds_the_profile(assessment, reports):
    page = reports["sv"][0].with_suffix(".html").read_text(encoding="utf-8")
    # nothing fetched from elsewhere: no script, no linked image, style or font
    for fetch in ("<script", 'src="http', 'href="http', "url(http", "<link"):
        assert fetch not in page, fetch
    assert page.count("data:image/png;base64,") == 3
    assert "<svg" in page
    scores = _scores(assessment)
    for key in PROFILE_KEYS:
        row = scores[scores["key"] == key].iloc[0]
        score = "inga data" if math.isnan(row["score"]) else f"{row['score']:.0f}"
        assert re.search(rf"<td>(<b>)?{re.escape(row['name_sv'])}(</b>)?</td>"
                         rf'<td class="num">(<span class="nodata">)?{score}', page), key
    assert "Gehl 1990 five-step scale" in page


# --------------------------------------------------------------------------------------------
# Small parts, derived by hand


def test_numbers_in_both_languages():
    assert texts.number_text(6706.246, "en") == "6,706"
    assert texts.number_text(6706.246, "sv") == "6\u00a0706"
    assert texts.number_text(3.6, "sv") == "3,60"
    assert texts.number_text(13.0674, "en") == "13.1"
    assert texts.number_text(float("nan"), "sv") == "inga data"
    assert texts.quantity_text(1.6104, "doors/100 m", "sv") == "1,61\u00a0dörrar/100\u00a0m"
    assert texts.quantity_text(9.0, "count", "en") == "9"
    assert texts.quantity_text(None, "lx", "en") == "no data"
    assert texts.score_text(0.0, "en") == "0"  # a measured 0 stays 0
    assert texts.default_language({"LC_ALL": "", "LANG": "sv_FI.UTF-8"}) == "sv"
    assert texts.default_language({}) == "en"


def test_extents_scale_bar_and_legend_columns():
    assert place_extent((0, 0, 100, 50)) == (-40.0, -40.0, 140.0, 90.0)  # 40 m floor
    assert place_extent((0, 0, 400, 100)) == (-140.0, -140.0, 540.0, 240.0)  # 35 % of 400
    assert fit_extent((0, 0, 100, 100), 2.0) == (-50.0, 0.0, 150.0, 100.0)
    assert fit_extent((0, 0, 200, 50), 2.0) == (0.0, -25.0, 200.0, 75.0)
    assert scale_length(200.0) == 25  # ≤ 22 % of the width: 44 m -> 25
    assert scale_length(1800.0) == 250
    groups = [("", [1, 2, 3, 4, 5]), ("a", [1] * 9), ("b", [1] * 5)]
    # heights 5 | 10.3 | 6.3: best two columns are [loose + b? no: order kept] 5+10.3 | 6.3
    # or 5 | 10.3+6.3; the tallest is smallest for the first split (15.3 < 16.6)
    assert [[name for name, _ in col] for col in _columns(groups, 2)] == [["", "a"], ["b"]]


def test_threshold_rules_in_swedish(assessment):
    content = ReportContent.from_assessment(assessment, "sv")
    rules = {f.key: f.threshold for s in content.sections for f in s.figures}
    assert rules["C7"] == "≥ 2 → 20, ≥ 3 → 40, ≥ 5 → 60, ≥ 7,5 → 80, ≥ 10 → 100 lx; under 2: 0"
    assert rules["C8_u0"] == "0,1 → 0,4"
    assert rules["A3"] == "1 → 3 st | 1 → 2 sidor"
    assert rules["C9"] == "ej kalibrerad (REL)"
    assert rules["P4"] == "5 → 0 gömställen/1 000 m²"
