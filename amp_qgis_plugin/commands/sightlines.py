"""``amp-place sightlines``: isovist field, visibility from streets, prospect and concealment."""

from __future__ import annotations

import argparse

from amp_qgis_plugin.core.errors import InputError

NAME = "sightlines"
HELP = ("Sightlines: exact 2D isovist field (isovist_area.tif), share of the place visible from "
        "adjacent streets (NYC ZR §37-715), prospect, concealment pockets, occlusivity, active "
        "frontage and seats in view.")
ORDER = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sightline options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: isovist_area.tif (+ .qml style) and sightlines.gpkg "
                             "(isovist_points, concealment_pockets, visible_from_streets, "
                             "street_viewpoints, sightlines_figures)")
    parser.add_argument("--radius", type=float, default=None, metavar="M",
                        help="visibility radius in metres (default 100: Gehl's social field of "
                             "vision)")
    parser.add_argument("--cell-size", type=float, default=None, metavar="M",
                        help="grid cell size of the isovist field in metres (default 2)")
    parser.add_argument("--street-buffer", type=float, default=None, metavar="M",
                        help="streets within this distance of the place edge are 'adjacent' "
                             "(default 30)")
    parser.add_argument("--street-spacing", type=float, default=None, metavar="M",
                        help="spacing of the street viewpoints in metres (default 2)")
    parser.add_argument("--walls", action="store_true",
                        help="also let barrier lines (wall, city_wall, hedge, fence; not those "
                             "known to be under 1.6 m) block sight")
    parser.add_argument("--frontage", metavar="FRONTAGE.gpkg",
                        help="GeoPackage with a 'frontage' layer (from 'amp-place frontage') for "
                             "metres of active frontage in view")


def run(args: argparse.Namespace, feedback) -> int:
    """Compute the sightline indicators, write the outputs and print the figures."""
    from pathlib import Path

    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.sightlines import (SightlineOptions, sightlines,
                                                            write_sightlines_outputs)

    options = SightlineOptions(radius_m=args.radius, cell_size_m=args.cell_size,
                               street_buffer_m=args.street_buffer,
                               street_spacing_m=args.street_spacing, use_barriers=args.walls)
    data = read_geopackage(args.data)
    frontage = None
    if args.frontage:
        frontage = read_frontage(args.frontage, data.crs)
    out = sightlines(data, options=options, frontage=frontage, feedback=feedback)
    written = write_sightlines_outputs(out, Path(args.out), feedback=feedback)
    p = out.result.parameters
    print(f"Sightlines of {data.name or 'the place'} ({p['cell_size_m']} m grid, radius "
          f"{p['radius_m']} m, {p['observers']} observers):")
    for line in out.result.lines():
        print(f"  {line}")
    for key in ("raster", "gpkg"):
        if key in written:
            print(f"Wrote {written[key]}")
    return 0


def read_frontage(path: str, crs: str):
    """The 'frontage' layer of a GeoPackage, in ``crs``; InputError when missing."""
    from pathlib import Path

    import pyogrio

    if not Path(path).is_file():
        raise InputError(f"--frontage: file not found: {path}")
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise InputError(f"--frontage: {path} is not a readable GeoPackage: {exc}") from exc
    if "frontage" not in layers:
        raise InputError(f"--frontage: {path} has no 'frontage' layer (layers: "
                         f"{', '.join(layers) or 'none'}); run 'amp-place frontage' first.")
    gdf = pyogrio.read_dataframe(path, layer="frontage")
    if gdf.crs is not None and str(gdf.crs) != str(crs):
        gdf = gdf.to_crs(crs)
    return gdf
