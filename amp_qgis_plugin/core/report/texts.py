"""The report's words in English and Swedish, and numbers written the way each language writes them.

Every fixed text of the report (headings, column names, legends, messages) is one entry of
:data:`TEXTS`: ``key -> (English, Swedish)``; :func:`text` picks one. Texts that come from the
assessment itself (indicator names, sources) are bilingual where the assessment is (the
``scores`` table has ``name_sv``); the engine's warnings are English only and the report says so.

Until the plugin has its own translation layer, this table is the report's; its keys are
stable so that a later ``.ts`` file can take them over.
"""

from __future__ import annotations

import math
import os
import re
from typing import Dict, Mapping, Optional, Tuple

#: The languages of the report.
LANGUAGES = ("en", "sv")

#: Fixed texts: key -> (English, Swedish). ``{name}`` fields are filled by :func:`text`.
TEXTS: Dict[str, Tuple[str, str]] = {
    # title page
    "title": ("Site assessment", "Platsbedömning"),
    "subtitle": ("Place profile after the PPS Place Diagram, with the perceived-safety index",
                 "Platsprofil enligt PPS Place Diagram, med trygghetsindex"),
    "area": ("Area", "Yta"),
    "osm_date": ("OpenStreetMap data of", "OpenStreetMap-data från"),
    "assessed": ("Assessed", "Bedömd"),
    "plugin": ("AMP plugin", "AMP-tillägget"),
    "profile": ("Place profile", "Platsprofil"),
    "profile_note": ("Scores 0-100 per PPS attribute and for the perceived-safety index. "
                     "Bands: {bands}. Coverage: share of the weight whose indicators could be "
                     "computed. No data is never scored 0.",
                     "Poäng 0-100 per PPS-egenskap och för trygghetsindexet. Klasser: {bands}. "
                     "Täckning: andel av vikten vars indikatorer kunde beräknas. Saknade data "
                     "räknas aldrig som 0."),
    "radar_title": ("Place profile (0-100)", "Platsprofil (0-100)"),
    "score": ("Score", "Poäng"),
    "band": ("Band", "Klass"),
    "coverage": ("Coverage", "Täckning"),
    "no_data": ("no data", "inga data"),
    "not_scored": ("not scored", "ej poängsatt"),
    "red": ("red", "röd"),
    "yellow": ("yellow", "gul"),
    "green": ("green", "grön"),
    "attribute": ("Attribute", "Egenskap"),
    "safety_groups": ("Perceived-safety index by group", "Trygghetsindex per grupp"),
    "group_weight": ("Weight", "Vikt"),
    "group": ("Group", "Grupp"),
    "none_on_map": ("none on this map", "inga på kartan"),
    # maps
    "map_place": ("The place: frontage, seating, lamps and illuminance",
                  "Platsen: fasader, sittplatser, belysningspunkter och belysningsstyrka"),
    "map_sight": ("Sightlines: isovist area", "Siktlinjer: isovistyta"),
    "map_access": ("Walking catchments", "Gångavstånd"),
    "map_sight_page": ("Sightlines and walking catchments", "Siktlinjer och gångavstånd"),
    "legend": ("Legend", "Teckenförklaring"),
    "place_outline": ("Place", "Platsen"),
    "buildings": ("Buildings", "Byggnader"),
    "paths": ("Paths and streets", "Gångvägar och gator"),
    "frontage_grade": ("Frontage, Gehl grade", "Fasad, Gehl-klass"),
    "grade_A": ("A active (≥ 15 doors/100 m)", "A aktiv (≥ 15 dörrar/100 m)"),
    "grade_B": ("B friendly (10-14 doors/100 m)", "B vänlig (10-14 dörrar/100 m)"),
    "grade_C": ("C mixed (6-10 doors/100 m)", "C blandad (6-10 dörrar/100 m)"),
    "grade_D": ("D boring (2-5 doors/100 m)", "D tråkig (2-5 dörrar/100 m)"),
    "grade_E": ("E inactive (under 2 doors/100 m)", "E inaktiv (under 2 dörrar/100 m)"),
    "seating": ("Seating (OSM)", "Sittplatser (OSM)"),
    "lamps": ("Lamps used in the lighting model", "Belysningspunkter i belysningsmodellen"),
    "illuminance": ("Horizontal illuminance (lx)", "Horisontell belysningsstyrka (lx)"),
    "isovist": ("Isovist area per viewpoint (m²)", "Isovistyta per betraktelsepunkt (m²)"),
    "catchment_short": ("5 min walk (1.3 m/s)", "5 min gång (1,3 m/s)"),
    "catchment_long": ("10 min walk (1.3 m/s)", "10 min gång (1,3 m/s)"),
    "catchment_short_older": ("5 min, older adults (0.9 m/s)", "5 min, äldre (0,9 m/s)"),
    "catchment_long_older": ("10 min, older adults (0.9 m/s)", "10 min, äldre (0,9 m/s)"),
    "pockets": ("Concealment pockets", "Gömställen"),
    "entrances": ("Access points to the place", "Entréer till platsen"),
    "stops": ("Public-transport stops", "Hållplatser för kollektivtrafik"),
    "raster_missing": ("The {what} raster ({file}) is missing beside the assessment: the map is "
                       "drawn without it. Run the assessment again to restore it.",
                       "Rastret för {what} ({file}) saknas bredvid bedömningen: kartan ritas "
                       "utan det. Kör bedömningen igen för att återskapa det."),
    "raster_unreadable": ("The {what} raster ({file}) could not be read ({reason}): the map is "
                          "drawn without it.",
                          "Rastret för {what} ({file}) kunde inte läsas ({reason}): kartan ritas "
                          "utan det."),
    "what_illuminance": ("illuminance", "belysningsstyrka"),
    "what_isovist_area": ("isovist area", "isovistyta"),
    "what_semicylindrical": ("semi-cylindrical illuminance", "halvcylindrisk belysningsstyrka"),
    "layer_missing": ("The layer '{layer}' is not in the assessment: it is not drawn.",
                      "Lagret '{layer}' finns inte i bedömningen: det ritas inte."),
    "attribution": ("© OpenStreetMap contributors", "© OpenStreetMap contributors"),
    "scale_m": ("{n} m", "{n} m"),
    "north": ("N", "N"),
    "map_note_place": ("Map drawn from the assessment's own data; no background map.",
                       "Kartan är ritad från bedömningens egna data; ingen bakgrundskarta."),
    # figures
    "key_figures": ("Key figures with thresholds and sources",
                    "Nyckeltal med gränsvärden och källor"),
    "col_key": ("Id", "Id"),
    "col_indicator": ("Indicator", "Indikator"),
    "col_value": ("Value", "Värde"),
    "col_score": ("Score", "Poäng"),
    "col_threshold": ("Threshold (0 → 100)", "Gränsvärde (0 → 100)"),
    "col_source": ("Source", "Källa"),
    "col_status": ("Status", "Status"),
    "status_note": ("Status: V read in the source, V-sec secondary source, M from memory (to be "
                    "verified), REL to calibrate per municipality, proposal = the methodology's "
                    "proposal. Sources are numbered in the list at the end.",
                    "Status: V läst i källan, V-sec sekundärkälla, M ur minnet (ska verifieras), "
                    "REL kalibreras per kommun, förslag = metodikens förslag. Källorna är "
                    "numrerade i listan i slutet."),
    "proposal": ("proposal", "förslag"),
    "other_figures": ("Other measured figures", "Andra uppmätta värden"),
    "sources": ("Sources of the thresholds", "Källor till gränsvärdena"),
    # a scenario: before and after
    "scenario": ("Scenario: before and after", "Scenario: före och efter"),
    "scen_intro": ("This assessment is the place with the proposed changes of a scenario ({n} in "
                   "all); the profile on the first page and the key figures are the place as "
                   "changed. Before: the place as it is; after: with the changes.",
                   "Denna bedömning är platsen med ett scenarios föreslagna ändringar ({n} "
                   "st); profilen på första sidan och nyckeltalen gäller platsen efter "
                   "ändringarna. Före: platsen som den är; efter: med ändringarna."),
    "scen_summary": ("With the proposed changes of a scenario ({n} in all): the scores are the "
                     "place as changed. See \"Scenario: before and after\".",
                     "Med ett scenarios föreslagna ändringar ({n} st): poängen gäller platsen "
                     "efter ändringarna. Se \"Scenario: före och efter\"."),
    "scen_changes": ("Proposed changes", "Föreslagna ändringar"),
    "scen_action": ("Action", "Åtgärd"),
    "scen_kind": ("Kind", "Slag"),
    "scen_count": ("Number", "Antal"),
    "scen_add": ("added", "läggs till"),
    "scen_remove": ("removed", "tas bort"),
    "scen_kind_bench": ("bench", "bänk"),
    "scen_kind_lamp": ("lamp", "belysningspunkt"),
    "scen_kind_tree": ("tree", "träd"),
    "scen_kind_bin": ("litter bin", "papperskorg"),
    "scen_kind_facade": ("façade opened with a use", "fasad öppnad med en verksamhet"),
    "scen_profile": ("Profile before and after", "Profilen före och efter"),
    "scen_indicators": ("Indicators whose score moved", "Indikatorer vars poäng ändrades"),
    "scen_no_indicator": ("No indicator's score moved.", "Ingen indikators poäng ändrades."),
    "scen_value_only": ("Values that changed without moving the score: {items}.",
                        "Värden som ändrades utan att poängen ändrades: {items}."),
    "scen_before": ("Before", "Före"),
    "scen_after": ("After", "Efter"),
    "scen_change": ("Change", "Ändring"),
    "scen_value": ("Value before → after", "Värde före → efter"),
    "scen_score": ("Score before → after", "Poäng före → efter"),
    "scen_coverage": ("Coverage before → after", "Täckning före → efter"),
    "scen_newly_scored": ("newly scored", "nu poängsatt"),
    "scen_no_longer_scored": ("no longer scored", "inte längre poängsatt"),
    "scen_note": ("Scores 0-100; a change is after minus before. No data is never scored 0: an "
                  "attribute or indicator without data before or after shows \"no data\".",
                  "Poäng 0-100; ändringen är efter minus före. Saknade data räknas aldrig som 0: "
                  "en egenskap eller indikator utan data före eller efter visas som \"inga "
                  "data\"."),
    "scen_added_map": ("Scenario: added", "Scenario: tillagt"),
    "scen_removed_map": ("Scenario: removed", "Scenario: borttaget"),
    # coverage and provenance
    "coverage_title": ("Data coverage and provenance", "Datatäckning och ursprung"),
    "coverage_table": ("Data coverage", "Datatäckning"),
    "not_computed": ("Indicators without data", "Indikatorer utan data"),
    "why": ("Why", "Varför"),
    "provenance": ("Provenance", "Ursprung"),
    "warnings": ("Warnings from the assessment", "Varningar från bedömningen"),
    "warnings_english": ("(as the engine wrote them, in English)",
                         "(som beräkningen skrev dem, på engelska)"),
    "no_warnings": ("None.", "Inga."),
    "page": ("Page {n} of {total}", "Sida {n} av {total}"),
    "attribute_no_data": ("{name}: no indicator could be computed (coverage 0 %); it is shown as "
                          "no data, not as a score of 0.",
                          "{name}: ingen indikator kunde beräknas (täckning 0 %); den visas som "
                          "inga data, inte som poäng 0."),
    # provenance labels
    "prov_place": ("Place", "Plats"),
    "prov_place_source": ("Place outline", "Platsens avgränsning"),
    "prov_osm_file": ("OSM file", "OSM-fil"),
    "prov_osm_date": ("OSM data of", "OSM-data från"),
    "prov_licence": ("Licence", "Licens"),
    "prov_study_radius": ("Study radius", "Studieradie"),
    "prov_crs": ("Coordinate system", "Koordinatsystem"),
    "prov_buildings": ("Buildings", "Byggnader"),
    "prov_buildings_value": ("{kept} kept of {input} ({dupes} near-duplicates dropped)",
                             "{kept} av {input} behållna ({dupes} nästan-dubbletter borttagna)"),
    "prov_walk": ("Walk network", "Gångnätverk"),
    "prov_lamps": ("Lamp photometry", "Armaturers ljusfördelning"),
    "prov_lamps_none": ("none given: generic lamps of assumed height and flux",
                        "ingen angiven: generiska armaturer med antagen höjd och ljusflöde"),
    "prov_profile": ("Scoring profile", "Poängprofil"),
    "prov_weights": ("Weights given", "Angivna vikter"),
    "prov_weights_none": ("none (the profile's)", "inga (profilens)"),
    "prov_run": ("Assessment run", "Bedömningen kördes"),
    "prov_report": ("Report made", "Rapporten skapades"),
    "prov_assessment": ("Assessment file", "Bedömningsfil"),
    # no-data reasons
    "why_municipal": ("needs municipal or field data", "kräver kommunala data eller fältdata"),
    "why_not_yet": ("not computed by this version yet", "beräknas inte ännu av denna version"),
    "why_not_weighted": ("not weighted until calibrated", "viktas inte förrän kalibrerad"),
    "why_could_not": ("the {theme} indicator could not be computed",
                      "indikatorn {theme} kunde inte beräknas"),
    "why_no_population": ("no population layer given", "inget befolkningslager angivet"),
    "why_tags": ("only {share} % of the paths nearby carry a numeric {tag} tag ({need} % needed)",
                 "bara {share} % av gångvägarna i närheten har en numerisk {tag}-tagg ({need} % "
                 "krävs)"),
    "kind_square": ("square", "torg"),
    "kind_park": ("park", "park"),
    "kind_street": ("street", "gata"),
    "kind_polygon": ("polygon given", "angiven polygon"),
    "kind_point": ("point and radius", "punkt och radie"),
    "why_no_seats": ("no seats in the place", "inga sittplatser på platsen"),
    # errors
    "err_missing": ("The assessment {file} does not exist.", "Bedömningen {file} finns inte."),
    "err_not_gpkg": ("The assessment must be the GeoPackage (.gpkg) an assessment wrote, not "
                     "{file}.",
                     "Bedömningen ska vara den GeoPackage (.gpkg) som en bedömning skrev, inte "
                     "{file}."),
    "err_unreadable": ("The assessment {file} cannot be read as a GeoPackage ({reason}).",
                       "Bedömningen {file} kan inte läsas som GeoPackage ({reason})."),
    "err_not_assessment": ("{file} is not an assessment (it has no {table} table): it looks like "
                           "{kind}. Assess the place first, then make the report from the "
                           "<place>.gpkg it writes.",
                           "{file} är ingen bedömning (tabellen {table} saknas): den ser ut som "
                           "{kind}. Bedöm platsen först och gör sedan rapporten från den "
                           "<plats>.gpkg som bedömningen skriver."),
    "kind_placedata": ("fetched place data", "hämtade platsdata"),
    "kind_indicator": ("the output of a single indicator", "resultatet av en enskild indikator"),
    "kind_other": ("another GeoPackage", "en annan GeoPackage"),
    "err_old": ("{file} was written by an older version of the plugin ({why}). Run the "
                "assessment of the place again with this version, then make the report.",
                "{file} skrevs av en äldre version av tillägget ({why}). Kör bedömningen av "
                "platsen igen med denna version och gör sedan rapporten."),
    "err_old_scores": ("it has no scores table", "tabellen scores saknas"),
    "err_old_columns": ("its scores table lacks {columns}", "tabellen scores saknar {columns}"),
    "err_old_schema": ("data schema version {found}, this version reads {expected}",
                       "dataschema version {found}, denna version läser {expected}"),
    "err_new_schema": ("{file} was written by a newer version of the plugin (data schema "
                       "version {found}, this version reads {expected}). Update the plugin.",
                       "{file} skrevs av en nyare version av tillägget (dataschema version "
                       "{found}, denna version läser {expected}). Uppdatera tillägget."),
    "err_no_place": ("The assessment {file} has no place outline.",
                     "Bedömningen {file} saknar platsens avgränsning."),
    "err_lang": ("The report language must be 'en' or 'sv', not {given!r}.",
                 "Rapportens språk ska vara 'en' eller 'sv', inte {given!r}."),
    "err_out": ("The report goes to a PDF file (.pdf), not {file}.",
                "Rapporten skrivs till en PDF-fil (.pdf), inte {file}."),
}

#: Units of the scores and figures in Swedish (English units are written as the engine writes
#: them, with ``m2`` as ``m²``).
UNITS_SV: Dict[str, str] = {
    "doors/100 m": "dörrar/100 m",
    "categories": "kategorier",
    "POIs": "st",
    "types": "typer",
    "sides": "sidor",
    "count": "st",
    "persons": "personer",
    "ratio": "",
    "score": "poäng",
    "score 0-100": "poäng",
    "index": "",
    "reports/1000 m2": "anmälningar/1 000 m²",
    "units/100 m": "enheter/100 m",
    "pockets/1000 m2": "gömställen/1 000 m²",
    "% of length": "% av längden",
    "m per 100 m2": "m per 100 m²",
    "features": "st",
    "trees": "träd",
    "bins": "papperskorgar",
    "stops": "hållplatser",
    "grade A-E": "klass A-E",
}

#: Units shown without a word in English (the indicator's name says what is counted).
UNITS_EN: Dict[str, str] = {"ratio": "", "index": "", "count": "", "features": "", "POIs": "",
                            "score 0-100": "score", "pockets/1000 m2": "pockets/1,000 m²",
                            "reports/1000 m2": "reports/1,000 m²"}

def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` with ``fields`` filled in.

    >>> text("page", "sv", n=2, total=5)
    'Sida 2 av 5'
    """
    en, sv = TEXTS[key]
    template = sv if lang == "sv" else en
    return template.format(**fields) if fields else template


def default_language(environ: Optional[Mapping[str, str]] = None) -> str:
    """``"sv"`` when the locale of the environment is Swedish, else ``"en"``.

    The first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides (as for
    gettext); ``sv``, ``sv_SE.UTF-8`` and ``sv_FI`` are Swedish.

    >>> default_language({"LANG": "sv_SE.UTF-8"})
    'sv'
    >>> default_language({"LC_ALL": "en_GB.UTF-8", "LANG": "sv_SE.UTF-8"})
    'en'
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").strip()
        if value:
            return "sv" if value.lower().startswith("sv") else "en"
    return "en"


def unit_text(unit: str, lang: str) -> str:
    """The unit as the report writes it (``m2`` → ``m²``; Swedish words in Swedish)."""
    unit = (unit or "").strip()
    table = UNITS_SV if lang == "sv" else UNITS_EN
    if unit in table:
        return table[unit]
    return re.sub(r"\bm2\b", "m²", unit)


def number_text(value: Optional[float], lang: str, decimals: Optional[int] = None) -> str:
    """A number as the language writes it; None or NaN is "no data" / "inga data".

    Without ``decimals``: none from 100 up, one from 10, two below (three significant digits
    for most figures). Swedish uses a decimal comma and a (no-break) space between thousands.

    >>> number_text(6706.2, "en")
    '6,706'
    >>> number_text(3.6, "sv")
    '3,60'
    >>> number_text(None, "sv")
    'inga data'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return text("no_data", lang)
    value = float(value)
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 100 or value == int(value) else 1 if size >= 10 else 2
    out = f"{value:,.{decimals}f}"
    if out.startswith("-") and float(out.replace(",", "")) == 0:
        out = out[1:]
    if lang == "sv":
        out = out.replace(",", "\u00a0").replace(".", ",")
    return out


def quantity_text(value: Optional[float], unit: str, lang: str,
                  decimals: Optional[int] = None) -> str:
    """``"3.60 lx"``, ``"13.1 %"``, ``"9"``; "no data" without a unit."""
    number = number_text(value, lang, decimals)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return number
    shown = unit_text(unit, lang).replace(" ", "\u00a0")  # a value and its unit stay on a line
    return f"{number}\u00a0{shown}" if shown else number


def score_text(score: Optional[float], lang: str) -> str:
    """A 0-100 score as a whole number, or "no data"."""
    return number_text(score, lang, 0)


def band_text(band: str, lang: str) -> str:
    """``red``/``yellow``/``green`` in ``lang``; ``""`` stays ``""``."""
    band = (band or "").strip()
    return text(band, lang) if band in ("red", "yellow", "green") else band
