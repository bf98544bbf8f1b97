"""``amp-place assess``: every indicator, the place profile and one folder for a place."""

from __future__ import annotations

import argparse
from typing import Optional

from amp_qgis_plugin.commands._options import remember_flag

NAME = "assess"
HELP = ("Assess a place: fetch (or reuse) its data, run every indicator (frontage, seating, "
        "amenities, lighting, sightlines, walking access, perceived safety) and score the PPS "
        "place profile with the safety index, into one folder.")
ORDER = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the assessment options to ``parser``."""
    from amp_qgis_plugin.commands.fetch import add_place_arguments

    parser.add_argument("--data", metavar="PLACE.gpkg",
                        help="reuse fetched data: a PlaceData GeoPackage from 'amp-place fetch' "
                             "or an earlier assessment (instead of --osm/--overpass and a place)")
    add_place_arguments(parser)
    parser.add_argument("--population", metavar="FILE",
                        help="population grid or polygons (any CRS, any OGR format) for the "
                             "residents within walking distance")
    parser.add_argument("--population-field", metavar="FIELD", default="",
                        help="the field holding residents (default: a known name such as "
                             "'population', 'pop', 'befolkning', 'vaesto')")
    parser.add_argument("--weights", metavar="FILE|KEY=W;...",
                        help="indicator weights: a JSON file shaped like profile.json (partial) "
                             "or 'U1=2; C7=0.5' (weights that do not sum to one within an "
                             "attribute are normalised, with a warning)")
    parser.add_argument("--scenario", metavar="FILE",
                        help="a point layer of proposed changes (fields action add/remove, kind "
                             "bench/lamp/tree/bin/facade; optional length_m, backrest, height_m, "
                             "lumen, use): the profile before and after, and the change")
    parser.add_argument("--detail", action="store_true",
                        help="print every indicator's value and score under its attribute")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: DIR/<place>.gpkg (every layer, figures, scores, "
                             "sensitivity, provenance) and the rasters beside it")
    remember_flag(parser, "population", "--population")
    remember_flag(parser, "population_field", "--population-field")
    remember_flag(parser, "weights", "--weights")
    remember_flag(parser, "scenario", "--scenario")
    remember_flag(parser, "output", "--out DIR")


def run(args: argparse.Namespace, feedback) -> int:
    """Assess the place, write the folder and print the profile."""
    from amp_qgis_plugin.commands._output import language, say, wrote
    from amp_qgis_plugin.core.assess import assess_place, write_assessment
    from amp_qgis_plugin.core.errors import InputError
    from amp_qgis_plugin.core.feedback import ScaledFeedback
    from amp_qgis_plugin.core.i18n import format_number

    if args.data and (args.osm or args.overpass):
        raise InputError("Give the place's data once: a PlaceData GeoPackage, or an OSM source "
                         "and a place.", options=("data", "osm_file"))
    options = {}
    if args.population_field:
        from amp_qgis_plugin.core.indicators.access import AccessOptions

        options["access"] = AccessOptions(population_field=args.population_field)
    data = _place_data(args, feedback)
    scaled = feedback if args.data else ScaledFeedback(feedback, 15, 100)
    if args.scenario:
        return _run_scenario(args, data, options, scaled, feedback)
    assessment = assess_place(data, options=options, population=args.population,
                              weights=args.weights, feedback=scaled)
    written = write_assessment(assessment, args.out, feedback=feedback)
    profile = assessment.profile
    lang = language()
    area_m2 = float(data.provenance.get("place_area_m2", "nan"))
    area = format_number(area_m2, 0, lang) if lang == "sv" else f"{area_m2:,.0f}"
    date = (data.provenance.get("osm_timestamp") or "")[:10] or say("unknown date", "okänt datum")
    print(say(f"Place profile of {data.name or 'the place'} ({area} m², OSM data of {date}):",
              f"Platsprofil för {data.name or 'platsen'} ({area} m², OSM-data från {date}):"))
    for line in profile.lines(detail=args.detail, lang=lang):
        print(f"  {line}")
    print(wrote(written["gpkg"], say("layers, figures, scores, sensitivity, provenance",
                                     "lager, värden, poäng, känslighet, ursprung")))
    for key, path in written.items():
        if key != "gpkg":
            print(wrote(path))
    return 0


def _run_scenario(args: argparse.Namespace, data, options, scaled, feedback) -> int:
    """Assess before and after the scenario's changes; print what moves."""
    import math

    from amp_qgis_plugin.core.assess import assess_scenario, write_scenario

    result = assess_scenario(data, args.scenario, options=options, population=args.population,
                             weights=args.weights, feedback=scaled)
    written = write_scenario(result, args.out, feedback=feedback)
    from amp_qgis_plugin.commands._output import language, say, wrote
    from amp_qgis_plugin.core.i18n import format_number, unit_text

    lang = language()
    changes = ", ".join(f"{n} × {k}" for k, n in result.changes["action"].str.cat(
        result.changes["kind"], sep=" ").value_counts().items())
    place = data.name or say("the place", "platsen")
    print(say(f"Scenario for {place} ({changes}): score before → after",
              f"Scenario för {place} ({changes}): poäng före → efter"))

    def fmt(value, unit: str = "", digits: Optional[int] = 1) -> str:
        """A score with ``digits`` decimals, or a value with three significant digits (None)."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            return say("no data", "inga data")
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f"{value} {unit}".strip()
        if digits is None:
            digits = 0 if number.is_integer() or abs(number) >= 100 else \
                min(3, max(0, 2 - math.floor(math.log10(abs(number)))))
        text = format_number(number, digits, lang)
        return f"{text} {unit_text(unit, lang) if unit else ''}".strip()

    def name(row) -> str:
        return str(row["name_sv"] if lang == "sv" and row.get("name_sv") else row["name"])

    diff = result.diff
    for _, row in diff[diff.level.isin(["attribute", "index"])].iterrows():
        change = "" if math.isnan(row.score_change) else \
            f" ({'+' if row.score_change >= 0 else '−'}{fmt(abs(row.score_change))})"
        print(f"  {name(row)}: {fmt(row.score_before)} → {fmt(row.score_after)}{change}")
    moved = diff[(diff.level == "indicator") & ((diff.score_change.abs() > 0.05)
                                               | (diff.score_before.isna() != diff.score_after.isna()))]
    for _, row in moved.iterrows():
        print(f"    {row.key} {name(row)}: {fmt(row.value_before, row.unit, None)} → "
              f"{fmt(row.value_after, row.unit, None)} ({say('score', 'poäng')} "
              f"{fmt(row.score_before)} → {fmt(row.score_after)})")
    print(wrote(written["gpkg"], say("as it is", "som den är")))
    print(wrote(written["scenario_gpkg"], say("with the changes: scenario_changes, scenario_diff",
                                              "med ändringarna: scenario_changes, scenario_diff")))
    return 0


def _place_data(args: argparse.Namespace, feedback):
    """The PlaceData: read from ``--data`` or fetched from the OSM source and place given."""
    from amp_qgis_plugin.core.data.placedata import read_geopackage

    if args.data:
        return read_geopackage(args.data)
    from amp_qgis_plugin.commands.fetch import request_from_args
    from amp_qgis_plugin.core.feedback import ScaledFeedback
    from amp_qgis_plugin.core.fetch import fetch_place_data

    return fetch_place_data(request_from_args(args), feedback=ScaledFeedback(feedback, 0, 15))
