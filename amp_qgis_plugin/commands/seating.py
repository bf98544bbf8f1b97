"""``amp-place seating``: seating audit and amenities of a place (NYC ZR §37-741/742/744, PPS)."""

from __future__ import annotations

import argparse

from amp_qgis_plugin.commands._options import add_option, options_from_args
from amp_qgis_plugin.core.indicators.amenities import AmenityOptions
from amp_qgis_plugin.core.indicators.seating import SeatingOptions

NAME = "seating"
HELP = ("Audit a place's seating (m per 100 m², backs, types, social seating) and amenities "
        "(trees, bins, food).")
ORDER = 31


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the seating and amenity options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="FILE.gpkg",
                        help="output GeoPackage: the 'seating_audit' point layer (styled by type), "
                             "'figures' (seating and amenities) and 'provenance' tables")
    add_option(parser, SeatingOptions, "default_bench_length_m", "--bench-length",
               "assumed length of a bench without length/seats")
    add_option(parser, SeatingOptions, "seat_width_m", "--seat-width",
               "linear metres per seat when 'seats' is mapped")
    add_option(parser, SeatingOptions, "cafe_seating_m", "--cafe-seating",
               "metres of public seating credited per café with outdoor seating (customers only)")
    add_option(parser, AmenityOptions, "food_edge_m", "--food-edge",
               "food and drink within this distance of the place count")
    add_option(parser, AmenityOptions, "reasons_edge_m", "--reasons-edge",
               "activities within this distance of the place count as reasons to be there")


def run(args: argparse.Namespace, feedback) -> int:
    """Run the seating and amenity indicators, write one GeoPackage and print the figures."""
    from amp_qgis_plugin.commands._output import print_result, say
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.feedback import ScaledFeedback
    from amp_qgis_plugin.core.indicators.amenities import compute_amenities
    from amp_qgis_plugin.core.indicators.seating import compute_seating
    from amp_qgis_plugin.core.outputs import write_results

    seating_options = options_from_args(SeatingOptions, args)
    amenity_options = options_from_args(AmenityOptions, args)
    data = read_geopackage(args.data)
    results = [compute_seating(data, seating_options, ScaledFeedback(feedback, 0, 80)),
               compute_amenities(data, amenity_options, ScaledFeedback(feedback, 80, 100))]
    written = write_results(results, data, args.out, feedback=feedback)
    place = data.name or say("the place", "platsen")
    print_result(say(f"Seating and amenities of {place} -> {written['gpkg']}",
                     f"Sittplatser och service på {place} -> {written['gpkg']}"), results)
    return 0
