"""The report of a scenario's assessment (``<place>-scenario.gpkg``): "Scenario: before and after".

Senaatintori with one 2 m bench and one lamp added. The expected texts are read from the
``scenario_diff`` table and the ``scenario_changes`` layer with pyogrio (not through the report's
content model); ``pdftotext`` reads the PDF back.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from amp_qgis_plugin.core.report.build import timed_report

HEADING = {"en": "Scenario: before and after", "sv": "Scenario: före och efter"}
NO_DATA = {"en": "no data", "sv": "inga data"}


@pytest.fixture(scope="module")
def scenario_run(senaatintori_gpkg, tmp_path_factory):
    """``(plain <place>.gpkg, <place>-scenario.gpkg)`` with a 2 m bench and a lamp added."""
    from amp_qgis_plugin.core.assess import assess_scenario, write_scenario
    from amp_qgis_plugin.core.data.placedata import read_geopackage

    data = read_geopackage(senaatintori_gpkg)
    spot = data.place_polygon.representative_point()
    layer = gpd.GeoDataFrame({"action": ["add", "add"], "kind": ["bench", "lamp"],
                              "length_m": [2.0, None], "height_m": [None, 6.0],
                              "lumen": [None, 8000.0]},
                             geometry=[Point(spot.x + 5, spot.y), spot], crs=data.crs)
    folder = tmp_path_factory.mktemp("scenario-report")
    written = write_scenario(assess_scenario(data, layer), folder)
    return written["gpkg"], written["scenario_gpkg"]


@pytest.fixture(scope="module")
def reports(scenario_run, tmp_path_factory):
    """``{lang: ReportRun}`` of the scenario's assessment, and ``"plain"``: the plain one."""
    plain, scenario = scenario_run
    out = tmp_path_factory.mktemp("scenario-reports")
    made = {lang: timed_report(scenario, out / f"scenario-{lang}.pdf", lang=lang)
            for lang in ("en", "sv")}
    made["plain"] = timed_report(plain, out / "plain-en.pdf", lang="en")
    return made


def _text(pdf: Path, page: int = 0, layout: bool = True) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if page:
        cmd += ["-f", str(page), "-l", str(page)]
    done = subprocess.run(cmd + [str(pdf), "-"], check=True, capture_output=True, text=True)
    return done.stdout.replace("\u00a0", " ")


def _number(value: float, lang: str, decimals: int) -> str:
    out = f"{value:,.{decimals}f}"
    return out.replace(",", " ").replace(".", ",") if lang == "sv" else out


def _scores(row, lang: str):
    """``(before, after, change)`` as the section writes them, from a ``scenario_diff`` row:
    one decimal, two when the change is under 0.05; no data as words."""
    before, after = row.score_before, row.score_after
    has = not math.isnan(before) and not math.isnan(after)
    change = after - before if has else None
    decimals = 2 if change is not None and 0 < abs(change) < 0.05 else 1
    shown = [NO_DATA[lang] if math.isnan(v) else _number(v, lang, decimals)
             for v in (before, after)]
    if change is None:
        delta = None
    elif round(abs(change), decimals) == 0:
        delta = _number(0.0, lang, decimals)
    else:
        delta = ("+" if change > 0 else "\u2212") + _number(abs(change), lang, decimals)
    return shown[0], shown[1], delta


def _line(page: str, start: str) -> str:
    lines = [ln.strip() for ln in page.splitlines() if ln.strip().startswith(start)]
    assert lines, f"no line starting with {start!r}"
    return " ".join(lines[0].split())


def _diff(path: Path):
    return pyogrio.read_dataframe(path, layer="scenario_diff", read_geometry=False)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_scenario_page_has_the_changes_and_the_profile_before_and_after(
        scenario_run, reports, lang):
    _, scenario = scenario_run
    run = reports[lang]
    assert run.pages == reports["plain"].pages + 1  # one page more: the scenario's
    page = _text(run.written["pdf"], 2)
    assert page.lstrip().startswith(HEADING[lang])
    changes = pyogrio.read_dataframe(scenario, layer="scenario_changes", read_geometry=False)
    assert sorted(zip(changes.action, changes.kind)) == [("add", "bench"), ("add", "lamp")]
    added, bench, lamp = {"en": ("added", "bench", "lamp"),
                          "sv": ("läggs till", "bänk", "belysningspunkt")}[lang]
    flat = " ".join(page.split())
    assert f"{added} {bench} 1 {added} {lamp} 1" in flat  # adds first, by kind
    diff = _diff(scenario)
    name = "name_sv" if lang == "sv" else "name"
    profile = diff[diff.level.isin(["attribute", "index"])]
    assert len(profile) == 5
    for row in profile.itertuples():
        before, after, change = _scores(row, lang)
        line = _line(page, getattr(row, name))
        rest = line[len(getattr(row, name)):].strip()
        assert rest.startswith(f"{before} {after} "), (line, before, after)
        if change is not None:
            assert rest.split()[len(before.split()) + len(after.split())] == change
    uses = profile[profile.key == "uses_activities"].iloc[0]
    assert uses.score_after - uses.score_before == pytest.approx(2.5)  # U3 one category more
    # sociability had no data before: "no data", never 0
    social = profile[profile.key == "sociability"].iloc[0]
    assert math.isnan(social.score_before)
    assert _line(page, social[name])[len(social[name]):].strip().startswith(NO_DATA[lang])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_indicator_whose_score_moved_is_listed_with_values_and_units(
        scenario_run, reports, lang):
    _, scenario = scenario_run
    page = _text(reports[lang].written["pdf"], 2)
    diff = _diff(scenario)
    indicators = diff[diff.level == "indicator"]
    moved = indicators[[(math.isnan(a) != math.isnan(b)) or
                        (not math.isnan(a) and abs(b - a) > 1e-9)
                        for a, b in zip(indicators.score_before, indicators.score_after)]]
    assert "C1" in set(moved.key)
    table = page.split({"en": "Values that changed", "sv": "Värden som ändrades"}[lang])[0]
    listed = [ln.split()[0] for ln in table.splitlines() if re.match(r"^\s*[A-Z]\d+\w*\s", ln)]
    assert listed == list(moved.key)  # all of them, in profile order, and no other
    c1 = moved[moved.key == "C1"].iloc[0]
    before, after, change = _scores(c1, lang)
    line = _line(page, "C1")
    assert f"{before} → {after} {change}" in line
    assert c1.unit == "%" and f"{_number(0.0, lang, 0)} % → " in line  # value with its unit
    assert c1.value_after == pytest.approx(c1.score_after)  # the seating share is its score


def test_swedish_words_and_no_zero_for_no_data(reports):
    page = " ".join(_text(reports["sv"].written["pdf"], 2).split())
    for words in ("Föreslagna ändringar", "Profilen före och efter",
                  "Indikatorer vars poäng ändrades", "nu poängsatt", "inga data → 0 %"):
        assert words in page
    assert "no data" not in page and "added" not in page


def test_the_summary_and_the_place_map_say_there_is_a_scenario(reports):
    run = reports["en"]
    first = " ".join(_text(run.written["pdf"], 1).split())
    assert "With the proposed changes of a scenario (2 in all)" in first
    place_map = " ".join(_text(run.written["pdf"], 3).split())
    assert "Scenario: added" in place_map and "Scenario: removed" not in place_map
    html = run.written["html"].read_text(encoding="utf-8")
    assert '<h2 id="scenario">Scenario: before and after</h2>' in html
    assert "<td>C1</td>" in html


def test_a_plain_assessment_has_no_scenario_section(reports):
    run = reports["plain"]
    text = _text(run.written["pdf"], layout=False)
    assert "Scenario" not in text and "scenario" not in text
    assert "Scenario" not in run.written["html"].read_text(encoding="utf-8")
