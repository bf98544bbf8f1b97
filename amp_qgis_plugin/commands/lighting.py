"""``amp-place lighting``: illuminance map, lighting figures and dark gaps of a place."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict

from amp_qgis_plugin.core.errors import InputError

NAME = "lighting"
HELP = ("Street lighting: horizontal illuminance map (GeoTIFF), E avg / E min / U0, EN 13201-2 "
        "P class, dark share and dark gaps along paths, semi-cylindrical illuminance at 1.5 m.")
ORDER = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the lighting options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: illuminance.tif (+ .qml style), semicylindrical.tif, "
                             "lighting.gpkg (dark_gaps, lamps_used, lighting_figures)")
    parser.add_argument("--cell-size", type=float, default=1.0, metavar="M",
                        help="grid cell size in metres (default 1)")
    parser.add_argument("--ldt", action="append", default=[], metavar="[TYPE=]FILE.ldt",
                        help="EULUMDAT photometric file; TYPE=FILE applies it to lamps whose "
                             "lamp_type or optic is TYPE, a bare FILE to all other lamps. "
                             "Repeat for several types. Default: a generic downward Lambertian "
                             "distribution (conservative)")
    parser.add_argument("--maintenance-factor", type=float, default=None, metavar="MF",
                        help="maintenance factor applied to every lamp (default 0.8)")
    parser.add_argument("--approach", type=float, default=None, metavar="M",
                        help="include walkable paths within this distance of the place "
                             "(default 50 m)")


def parse_ldt_options(values) -> Dict[str, str]:
    """Turn ``--ldt`` values into the photometry mapping (``"*"`` for a bare file)."""
    mapping: Dict[str, str] = {}
    for value in values or []:
        key, sep, path = value.partition("=")
        if not sep:
            key, path = "*", value
        key = key.strip() or "*"
        if not Path(path).is_file():
            raise InputError(f"--ldt: photometric file not found: {path}")
        mapping[key] = path
    return mapping


def run(args: argparse.Namespace, feedback) -> int:
    """Compute the lighting indicator, write the outputs and print the figures."""
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.lighting import (LightingOptions, compute_lighting,
                                                          write_lighting_outputs)

    options = LightingOptions(cell_size=args.cell_size, photometry=parse_ldt_options(args.ldt),
                              maintenance_factor=args.maintenance_factor,
                              approach_distance_m=args.approach)
    data = read_geopackage(args.data)
    out = compute_lighting(data, options, feedback=feedback)
    written = write_lighting_outputs(out, args.out, feedback=feedback)
    print(f"Lighting of {data.name or 'the place'} ({options.cell_size:g} m grid):")
    for line in out.result.lines():
        print(f"  {line}")
    for key in ("illuminance", "semicylindrical", "gpkg"):
        if key in written:
            print(f"Wrote {written[key]}")
    if "illuminance" not in written:
        print("No illuminance map written: no lamp data (see the warning above).")
    return 0
