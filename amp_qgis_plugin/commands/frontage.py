"""``amp-place frontage``: ground-floor frontage (Gehl A–E), doors and evening opening of a place."""

from __future__ import annotations

import argparse

from amp_qgis_plugin.commands._options import add_option, options_from_args
from amp_qgis_plugin.core.indicators.frontage import FrontageOptions

NAME = "frontage"
HELP = "Map the ground-floor frontage facing a place (uses, doors/100 m, Gehl grade A-E, evening opening)."
ORDER = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the frontage options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="FILE.gpkg",
                        help="output GeoPackage: the 'frontage' line layer (styled by grade), "
                             "'figures' and 'provenance' tables")
    add_option(parser, FrontageOptions, "max_distance_m", "--distance",
               "façades within this distance of the place count")
    add_option(parser, FrontageOptions, "segment_length_m", "--segment-length",
               "length of façade segments; 0 = one segment per building edge")
    add_option(parser, FrontageOptions, "grade_by", "--grade-by",
               "grade each building's whole frontage (facade) or each segment alone")


def run(args: argparse.Namespace, feedback) -> int:
    """Run the frontage indicator, write its GeoPackage and print the place-level figures."""
    from amp_qgis_plugin.commands._output import print_result, say
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.frontage import compute_frontage
    from amp_qgis_plugin.core.outputs import write_results

    data = read_geopackage(args.data)
    result = compute_frontage(data, options_from_args(FrontageOptions, args), feedback)
    written = write_results([result], data, args.out, feedback=feedback)
    place = data.name or say("the place", "platsen")
    print_result(say(f"Frontage of {place} -> {written['gpkg']}",
                     f"Fasader vid {place} -> {written['gpkg']}"), [result])
    return 0
