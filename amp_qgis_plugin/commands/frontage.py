"""``amp-place frontage``: ground-floor frontage (Gehl A–E), doors and evening opening of a place."""

from __future__ import annotations

import argparse

NAME = "frontage"
HELP = "Map the ground-floor frontage facing a place (uses, doors/100 m, Gehl grade A-E, evening opening)."
ORDER = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the frontage options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="FILE.gpkg",
                        help="output GeoPackage with the 'frontage' line layer (styled by grade)")
    parser.add_argument("--distance", type=float, default=30.0, metavar="M",
                        help="façades within this distance of the place count (default 30 m)")
    parser.add_argument("--segment-length", type=float, default=10.0, metavar="M",
                        help="length of façade segments; 0 = one segment per building edge (default 10 m)")
    parser.add_argument("--grade-by", choices=("facade", "segment"), default="facade",
                        help="grade each building's whole frontage (default) or each segment alone")


def run(args: argparse.Namespace, feedback) -> int:
    """Run the frontage mapping, write the layer and print the place-level figures."""
    from amp_qgis_plugin.core.data.placedata import read_geopackage, write_layers
    from amp_qgis_plugin.core.indicators.frontage import FrontageOptions, active_pois, map_frontage
    from amp_qgis_plugin.core.indicators.opening_hours import (
        OpeningHoursOptions, opening_hours_figures, place_coords)

    data = read_geopackage(args.data)
    options = FrontageOptions(max_distance_m=args.distance, segment_length_m=args.segment_length,
                              grade_by=args.grade_by)
    result = map_frontage(data, options, feedback)
    pois = active_pois(data, options.max_distance_m)
    hours = opening_hours_figures(
        pois, OpeningHoursOptions(coords=place_coords(data.place_polygon, data.crs)), feedback)
    result.figures.extend(hours.figures)
    prov = dict(data.provenance)
    prov.update(result.provenance())
    path = write_layers({"frontage": result.layers["frontage"]}, args.out, provenance=prov,
                        geometry_types={"frontage": "LineString"}, feedback=feedback)
    print(f"Frontage of {data.name or 'the place'} -> {path}")
    for line in result.lines():
        print("  " + line)
    return 0
