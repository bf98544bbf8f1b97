"""``amp-place sightlines``: isovist field, visibility from streets, prospect and concealment."""

from __future__ import annotations

import argparse

from amp_qgis_plugin.commands._options import add_option, options_from_args, remember_flag
from amp_qgis_plugin.core.indicators.sightlines import SightlineOptions

NAME = "sightlines"
HELP = ("Sightlines: exact 2D isovist field (isovist_area.tif), share of the place visible from "
        "adjacent streets (all-direction proxy for NYC ZR §37-715), prospect, concealment "
        "pockets, occlusivity, active frontage and seats in view.")
ORDER = 50

#: File names written into the ``--out`` folder.
GPKG_NAME = "sightlines.gpkg"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sightline options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: isovist_area.tif (+ .qml style) and sightlines.gpkg "
                             "(isovist_points, concealment_pockets, visible_from_streets, "
                             "street_viewpoints, and the 'figures' and 'provenance' tables)")
    add_option(parser, SightlineOptions, "radius_m", "--radius",
               "visibility radius (Gehl's social field of vision)")
    add_option(parser, SightlineOptions, "cell_size_m", "--cell-size",
               "grid cell size of the isovist field")
    add_option(parser, SightlineOptions, "street_buffer_m", "--street-buffer",
               "streets within this distance of the place edge are 'adjacent'")
    add_option(parser, SightlineOptions, "street_spacing_m", "--street-spacing",
               "spacing of the street viewpoints")
    add_option(parser, SightlineOptions, "use_barriers", "--walls",
               "also let barrier lines (wall, city_wall, hedge, fence; not those known to be "
               "under 1.6 m) block sight", kind=bool)
    parser.add_argument("--frontage", metavar="FRONTAGE.gpkg",
                        help="GeoPackage with a 'frontage' layer (from 'amp-place frontage') for "
                             "metres of active frontage in view")
    remember_flag(parser, "frontage", "--frontage")


def run(args: argparse.Namespace, feedback) -> int:
    """Compute the sightline indicators, write the outputs and print the figures."""
    from pathlib import Path

    from amp_qgis_plugin.commands._output import number, print_result, say
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.sightlines import compute_sightlines, read_frontage_layer
    from amp_qgis_plugin.core.outputs import write_results

    options = options_from_args(SightlineOptions, args)
    data = read_geopackage(args.data)
    frontage = read_frontage_layer(args.frontage, data.crs) if args.frontage else None
    result = compute_sightlines(data, options, feedback, frontage=frontage)
    written = write_results([result], data, Path(args.out) / GPKG_NAME, feedback=feedback)
    p = result.parameters
    place = data.name or say("the place", "platsen")
    cell, radius = number(options.cell_size_m), number(options.radius_m)
    print_result(say(f"Sightlines of {place} ({cell} m grid, radius {radius} m, "
                     f"{p['observers']} observers):",
                     f"Siktlinjer på {place} ({cell} m rutnät, radie {radius} m, "
                     f"{p['observers']} betraktelsepunkter):"), [result], written)
    return 0
