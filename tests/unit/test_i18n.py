"""Swedish throughout: the Qt .ts in step with the code, the engine's Swedish catalog, the CLI.

Expected texts are written out by hand: numbers with a decimal comma and a no-break space
between thousands, the Swedish words of the catalog (resources/i18n/sv.json).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

from amp_qgis_plugin.core import i18n
from amp_qgis_plugin.core.indicators.result import Figure, IndicatorResult

ROOT = Path(__file__).resolve().parents[2]
NB = "\u00a0"


def _script():
    """``scripts/i18n.py`` as a module."""
    if "amp_i18n_script" not in sys.modules:
        spec = importlib.util.spec_from_file_location("amp_i18n_script",
                                                      ROOT / "scripts" / "i18n.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["amp_i18n_script"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["amp_i18n_script"]


# -- the Qt translation source ------------------------------------------------------------------


def test_committed_ts_holds_every_pair_of_the_code():
    """Every tr() pair of the plugin is in the .ts with the same Swedish (and nothing else).

    When this fails, run ``python scripts/i18n.py`` (or ``make translations``) and commit the .ts.
    """
    script = _script()
    pairs, _ = script.extract()
    committed = script.read_ts(script.ts_path("sv"))
    code = {english: pair.swedish for english, pair in pairs.items()}
    missing = {e: s for e, s in code.items() if e not in committed}
    changed = {e: (committed[e], s) for e, s in code.items() if e in committed and committed[e] != s}
    stale = sorted(set(committed) - set(code))
    assert not missing and not changed and not stale, (
        f"the .ts is out of date (run python scripts/i18n.py): missing {missing}, "
        f"Swedish changed (ts, code) {changed}, no longer in the code {stale}")
    assert script.ts_path("sv").read_text(encoding="utf-8") == script.render(pairs)


def test_ts_is_qt_linguist_xml_with_one_context():
    import xml.etree.ElementTree as ET

    root = ET.parse(ROOT / "amp_qgis_plugin" / "i18n" / "amp_qgis_plugin_sv.ts").getroot()
    assert root.tag == "TS" and root.get("language") == "sv_SE" and root.get("sourcelanguage") == "en"
    assert [c.findtext("name") for c in root.iter("context")] == ["AmpPlaceAnalysis"]
    sources = {m.findtext("source"): m.findtext("translation") for m in root.iter("message")}
    assert sources["Fetch place data"] == "Hämta platsdata"
    assert sources["1 Place data"] == "1 Platsdata"
    assert sources["Seat width (m)"] == "Sittbredd (m)"


def test_extraction_rules(tmp_path):
    """tr() literals, .add() help, pair tuples; not HELP, unpacking, identifiers, f-strings."""
    plugin = tmp_path / "plugin"
    (plugin / "processing").mkdir(parents=True)
    (plugin / "plugin.py").write_text("")
    (plugin / "processing" / "alg.py").write_text(textwrap.dedent('''
        DISPLAY = ("Map it", "Kartlägg")
        HELP = ("Long help", "Lång hjälp")
        INK, PAPER = "#1f2328", "#ffffff"
        NAMES = ("OUTPUT", "OUTPUT_LAYERS")
        LABELS = {"A": ("Share (%)", "Andel (%)")}
        def f(self, n, tr):
            tr("Place " "name", "Platsens " + "namn")
            tr(f"Layer {n}", f"Lager {n}")
            self.add(None, "Help text", "Hjälptext")
            raise E("x", options=("data", "osm_file"))
            return tr("Wrote ", "Skrev ")
        '''))
    pairs, dynamic = _script().extract(plugin_dir=plugin)
    assert {e: p.swedish for e, p in pairs.items()} == {
        "Map it": "Kartlägg", "Share (%)": "Andel (%)", "Place name": "Platsens namn",
        "Help text": "Hjälptext", "Wrote ": "Skrev "}
    assert dynamic == 1
    assert pairs["Map it"].files == {"../processing/alg.py"}


def test_one_english_text_with_two_swedish_texts_is_refused(tmp_path):
    plugin = tmp_path / "plugin"
    (plugin / "processing").mkdir(parents=True)
    (plugin / "plugin.py").write_text('tr("Radius (m)", "Radie (m)")\n')
    (plugin / "processing" / "a.py").write_text('tr("Radius (m)", "Sökradie (m)")\n')
    script = _script()
    with pytest.raises(script.ConflictError, match="'Radius \\(m\\)' is 'Sökradie \\(m\\)' here"):
        script.extract(plugin_dir=plugin)


def test_render_escapes_xml():
    script = _script()
    text = script.render({"a < b & c": script.Pair("a < b & c", "a < b & c", {"../x.py"})})
    assert "<source>a &lt; b &amp; c</source>" in text


# -- the engine's catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("env, lang", [
    ({}, "en"), ({"LANG": "sv_SE.UTF-8"}, "sv"), ({"LANG": "sv"}, "sv"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "sv_SE.UTF-8"}, "en"),
    ({"LC_ALL": "", "LC_MESSAGES": "sv_FI.UTF-8", "LANG": "en_US.UTF-8"}, "sv"),
    ({"LC_ALL": "sv_SE", "LC_MESSAGES": "en_US"}, "sv")])
def test_language_from_the_environment(env, lang):
    assert i18n.language_from_environment(env) == lang


@pytest.mark.parametrize("value, digits, sv, en", [
    (12358.904, 2, f"12{NB}358,90", "12358.90"), (3.6, 1, "3,6", "3.6"), (17, 1, "17", "17"),
    (1234567, 0, f"1{NB}234{NB}567", "1234567"), (-0.0004, 2, "0,00", "-0.00"),
    (0.4, 3, "0,400", "0.400")])
def test_numbers(value, digits, sv, en):
    assert i18n.format_number(value, digits, "sv") == sv
    assert i18n.format_number(value, digits, "en") == en


def test_figure_line_in_english_is_unchanged_and_in_swedish_from_the_catalog():
    fig = Figure("doors_per_100m", "Doors per 100 m of frontage", 1.6129, "doors/100 m",
                 threshold=10, source="Gehl 1990", note="4 doors; grades A ≥ 15")
    assert fig.line() == ("Doors per 100 m of frontage: 1.6 doors/100 m (threshold 10 doors/100 m)"
                          " [source: Gehl 1990] - 4 doors; grades A ≥ 15")
    assert fig.line("sv", "frontage") == (
        f"Dörrar per 100 m fasad: 1,6{NB}dörrar/100 m (gränsvärde 10 dörrar/100 m) "
        "[källa: Gehl 1990] – 4 dörrar; klasser A ≥ 15")
    assert fig.formatted(2, lang="sv") == f"1,61{NB}dörrar/100 m"
    assert fig.label_in("sv") == "Dörrar per 100 m fasad"  # the key alone is unique


def test_no_data_unverified_and_unitless_in_swedish():
    fig = Figure("backs_share", "Seating with backs (share of linear metres in the whole place)",
                 None, "%", threshold=50.0, source="Methodology §8.3 C2", verified=False,
                 note="no data: no seats")
    assert fig.line() == ("Seating with backs (share of linear metres in the whole place): no data "
                          "(threshold 50.0 %) [source: Methodology §8.3 C2, unverified] - "
                          "no data: no seats")
    assert fig.line("sv", "seating") == (
        "Sittplatser med ryggstöd (andel av sittplatslängden på hela platsen): inga data "
        "(gränsvärde 50 %) [källa: Methodology §8.3 C2, ej verifierad] – inga data: inga sittplatser")
    u0 = Figure("u0", "Overall uniformity U0 = E min / E avg", 0.25, "ratio", threshold=0.4)
    assert u0.line("sv", "lighting") == "Jämnhet U0 = E min / E avg: 0,2 (gränsvärde 0,4)"
    pclass = Figure("p_class", "EN 13201-2 P class reached", "below P6", "")
    assert pclass.formatted(lang="sv") == "under P6"
    score = Figure("p1_grade_score", "Active edges: Gehl grade weighted by frontage: score", 9.62,
                   "score 0-100", threshold="0 → 100 score")
    assert score.line("sv", "safety") == ("Aktiva kanter: Gehl-klass viktad efter fasadlängd: "
                                          f"poäng: 9,6{NB}poäng (gränsvärde 0 → 100 poäng)")


def test_labels_built_with_values_carry_them_over():
    label = i18n.figure_label("frontage", "evening_open_share",
                              "Open at 20:00 on a weekday (Wed 09 Apr 2025)", "sv")
    assert label == "Öppet kl. 20 en vardag (ons 09 apr 2025)"
    label = i18n.figure_label("access", "population_short_older",
                              "Residents within a 5-minute walk at 0.9 m/s (270 m, older adults)", "sv")
    assert label == "Invånare inom 5 minuters gång i 0,9 m/s (270 m, äldre)"
    # a label the catalog no longer matches stays English (and the sample test below fails)
    assert i18n.figure_label("seating", "seats_near_bin", "Bins near seats", "sv") == "Bins near seats"
    assert not i18n.has_label("seating", "seats_near_bin", "Bins near seats", "sv")


@pytest.mark.parametrize("english, swedish", [
    ("no data: no population layer given", "inga data: inget befolkningslager angivet"),
    ("requirement 70 trees for 6706 m² (72,185 sq ft)", f"krav 70 träd för 6706 m² (72{NB}185 kvadratfot)"),
    ("9 paths meet the edge; access points by side: N 4, E 0, S 4, W 1",
     "9 gångvägar når kanten; entréer per sida: N 4, Ö 0, S 4, V 1"),
    ("score 84 (green); from access:dead_end_share", "poäng 84 (grön); från access:dead_end_share"),
    ("weight 0.333 in Visibility and escape", "vikt 0,333 i Sikt och flyktvägar"),
    ("weight 0 in Natural surveillance; needs municipal or field data",
     "vikt 0 i Naturlig övervakning; kräver kommunala data eller fältdata"),
    ("an unknown note, 1.5 m", "an unknown note, 1,5 m"),
])
def test_notes(english, swedish):
    assert i18n.note_text(english, "sv") == swedish
    assert i18n.note_text(english, "en") == english


def test_threshold_texts():
    assert i18n.threshold_text("≥ 2 → 25, ≥ 15 → 100 doors/100 m; below 2: 0", "sv") == \
        "≥ 2 → 25, ≥ 15 → 100 dörrar/100 m; under 2: 0"
    assert i18n.threshold_text("0.1 → 0.4 ratio", "sv") == "0,1 → 0,4"
    assert i18n.threshold_text("1 → 3 count | 1 → 2 sides", "sv") == "1 → 3 st | 1 → 2 sidor"


def test_safety_labels_are_the_profiles_swedish_names():
    profile = json.loads((ROOT / "amp_qgis_plugin" / "resources" / "scoring" / "profile.json")
                         .read_text(encoding="utf-8"))
    figures = i18n.catalog("sv")["figures"]
    for key, spec in profile["indicators"].items():
        if spec.get("group"):
            assert figures[f"safety:{key.lower()}"] == spec["name_sv"]
            assert figures[f"safety:{key.lower()}_score"] == spec["name_sv"] + ": poäng"
    assert figures["safety:safety_index"] == profile["index"]["name_sv"] == "Trygghetsindex"


@pytest.fixture(scope="module")
def assessed(senaatintori_data):
    from amp_qgis_plugin.core.assess import assess_place

    return assess_place(senaatintori_data)


def test_every_figure_of_the_sample_has_a_swedish_label(assessed):
    figures = [(r.theme, f) for r in assessed.results.values() for f in r.figures]
    assert len(figures) > 90
    untranslated = [f"{theme}:{f.key} ({f.label!r})" for theme, f in figures
                    if not i18n.has_label(theme, f.key, f.label, "sv")]
    assert untranslated == [], "add these to resources/i18n/sv.json"
    units = {f.unit for _, f in figures if f.unit}
    table = i18n.catalog("sv")["units"]
    assert [u for u in units if u not in table and u not in ("m", "%", "lx")] == []


def test_profile_lines_in_swedish():
    from types import SimpleNamespace

    from amp_qgis_plugin.core.scoring import AggregateScore, IndicatorScore

    agg = AggregateScore("comfort_image", "Comfort & Image", "Komfort och image", "attribute",
                         42.4, 75.0, "yellow")
    assert agg.line() == "Comfort & Image: 42 (yellow), coverage 75 %"
    assert i18n.aggregate_line(agg, "sv") == "Komfort och image: 42 (gul), täckning 75 %"
    empty = AggregateScore("sociability", "Sociability", "Social samvaro", "attribute", None, 0.0)
    assert i18n.aggregate_line(empty, "sv") == "Social samvaro: inga data, täckning 0 %"
    spec = SimpleNamespace(key="U2", name="Active frontage share", name_sv="Andel aktiv fasadlängd")
    item = IndicatorScore(spec, 13.07, "%", 16.3, "0 → 80 %")
    assert i18n.indicator_line(item, "sv") == "U2 Andel aktiv fasadlängd: 13,1 % → 16 [0 → 80 %]"
    none = IndicatorScore(spec, None, "%", None, "", note="no data: needs municipal or field data")
    assert i18n.indicator_line(none, "sv") == \
        "U2 Andel aktiv fasadlängd: inga data (kräver kommunala data eller fältdata)"


def test_sample_profile_in_both_languages(assessed):
    en = assessed.profile.lines(detail=True)
    sv = assessed.profile.lines(detail=True, lang="sv")
    assert len(en) == len(sv)
    names = {a.name: a.name_sv for a in list(assessed.profile.attributes.values())
             + [assessed.profile.index]}
    for line_en, line_sv in zip(en, sv):
        if not line_en.startswith("  "):
            name = line_en.split(":")[0]
            assert line_sv.startswith(names[name] + ": ")
    assert "no data" not in " ".join(sv)


# -- the command line -----------------------------------------------------------------------------


def _result() -> IndicatorResult:
    return IndicatorResult("frontage", figures=[
        Figure("frontage_length", "Frontage facing the place", 1248.384, "m"),
        Figure("active_share", "Active frontage share", None, "%", note="no data")])


def test_print_result_in_both_languages(capsys):
    from amp_qgis_plugin.commands._output import print_result

    # the commands give their titles in both languages (say); the figures come from the catalog
    print_result("Fasader vid Senaatintori -> out/frontage.gpkg", [_result()],
                 {"gpkg": Path("out/frontage.gpkg")}, lang="sv")
    assert capsys.readouterr().out.splitlines() == [
        "Fasader vid Senaatintori -> out/frontage.gpkg",
        f"  Fasadlängd mot platsen: 1{NB}248,4{NB}m",
        "  Andel aktiv fasadlängd: inga data – inga data",
        "Skrev out/frontage.gpkg (lager, värden, ursprung)"]
    print_result("Lighting of the place (2.5 m grid):", [_result()], {}, lang="en")
    assert capsys.readouterr().out.splitlines() == [
        "Lighting of the place (2.5 m grid):", "  Frontage facing the place: 1248.4 m",
        "  Active frontage share: no data - no data"]
    from amp_qgis_plugin.commands._output import number, say

    print_result(say(f"Lighting of the place ({number(2.5, 'sv')} m grid):",
                     f"Belysning på platsen ({number(2.5, 'sv')} m rutnät):", "sv"), [], {},
                 lang="sv")
    assert capsys.readouterr().out == "Belysning på platsen (2,5 m rutnät):\n"


@pytest.mark.parametrize("argv, env, lang", [
    (["frontage"], {"LANG": "C.UTF-8"}, "en"),
    (["frontage"], {"LANG": "sv_SE.UTF-8"}, "sv"),
    (["--lang", "en", "frontage"], {"LANG": "sv_SE.UTF-8"}, "en"),
    (["frontage", "--lang", "sv"], {"LANG": "C"}, "sv"),
    (["--lang", "en", "frontage", "--lang", "sv"], {}, "sv"),
    (["presets"], {"LC_ALL": "sv_SE.UTF-8"}, "sv"),
])
def test_lang_flag_and_locale_default(monkeypatch, argv, env, lang):
    from amp_qgis_plugin import cli

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = cli.build_parser().parse_args(argv + (["--data", "x.gpkg", "--out", "o"]
                                                 if "frontage" in argv else []))
    assert args.lang == lang


def test_cli_messages_in_swedish(monkeypatch, capsys):
    from amp_qgis_plugin import cli
    from amp_qgis_plugin.commands import frontage

    def interrupted(args, feedback):
        raise KeyboardInterrupt

    monkeypatch.setattr(frontage, "run", interrupted)
    argv = ["frontage", "--data", "x.gpkg", "--out", "o"]
    assert cli.main(["--lang", "sv"] + argv) == cli.EXIT_CANCELLED
    assert capsys.readouterr().err == "amp-place: avbrutet; ingenting skrevs.\n"
    assert cli.main(["--lang", "en"] + argv) == cli.EXIT_CANCELLED
    assert capsys.readouterr().err == "amp-place: interrupted; no output was written.\n"


def test_assess_prints_the_profile_in_swedish(senaatintori_gpkg, tmp_path, capsys, assessed):
    from amp_qgis_plugin import cli

    assert cli.main(["--lang", "sv", "assess", "--data", str(senaatintori_gpkg),
                     "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Platsprofil för Senaatintori (6{NB}706 m², OSM-data från 2019-04-21):"
    assert out[1:6] == [f"  {line}" for line in assessed.profile.lines(lang="sv")]
    assert out[1].startswith("  Användning och aktiviteter: ")
    assert out[6] == f"Skrev {tmp_path / 'senaatintori.gpkg'} (lager, värden, poäng, känslighet, ursprung)"
