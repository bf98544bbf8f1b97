"""``amp-place seating``: seating audit and amenities of a place (NYC ZR §37-741/742/744, PPS)."""

from __future__ import annotations

import argparse

NAME = "seating"
HELP = "Audit a place's seating (m per 100 m², backs, types, social seating) and amenities (trees, bins, food)."
ORDER = 31


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the seating options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="FILE.gpkg",
                        help="output GeoPackage with the 'seating_audit' point layer (styled by type)")
    parser.add_argument("--bench-length", type=float, default=None, metavar="M",
                        help="assumed length of a bench without length/seats (default 1.8 m)")
    parser.add_argument("--seat-width", type=float, default=None, metavar="M",
                        help="linear metres per seat when 'seats' is mapped (default 0.6 m)")
    parser.add_argument("--cafe-seating", type=float, default=0.0, metavar="M",
                        help="metres credited per café with outdoor seating (default 0: customers only)")


def run(args: argparse.Namespace, feedback) -> int:
    """Run the seating audit and amenities, write the layer and print the figures."""
    from amp_qgis_plugin.core.data.placedata import read_geopackage, write_layers
    from amp_qgis_plugin.core.indicators.amenities import amenity_figures
    from amp_qgis_plugin.core.indicators.seating import SeatingOptions, audit_seating

    data = read_geopackage(args.data)
    kwargs = {"cafe_seating_m": args.cafe_seating}
    if args.bench_length is not None:
        kwargs["default_bench_length_m"] = args.bench_length
    if args.seat_width is not None:
        kwargs["seat_width_m"] = args.seat_width
    result = audit_seating(data, SeatingOptions(**kwargs), feedback)
    amen = amenity_figures(data, feedback)
    prov = dict(data.provenance)
    prov.update(result.provenance())
    prov.update(amen.provenance())
    path = write_layers({"seating_audit": result.layers["seating_audit"]}, args.out, provenance=prov,
                        geometry_types={"seating_audit": "Point"}, feedback=feedback)
    print(f"Seating and amenities of {data.name or 'the place'} -> {path}")
    for line in result.lines() + amen.lines():
        print("  " + line)
    return 0
