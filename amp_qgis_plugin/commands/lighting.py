"""``amp-place lighting``: illuminance map, lighting figures and dark gaps of a place."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, Iterable, Optional

from amp_qgis_plugin.commands._options import add_option, options_from_args, remember_flag
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators.lighting import LightingOptions

NAME = "lighting"
HELP = ("Street lighting: horizontal illuminance map (GeoTIFF), E avg / E min / U0, EN 13201-2 "
        "P class, dark share and dark gaps along paths, semi-cylindrical illuminance at 1.5 m.")
ORDER = 40

#: Name of the GeoPackage written in the ``--out`` folder (the rasters go beside it).
GPKG_NAME = "lighting.gpkg"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the lighting options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="PLACE.gpkg",
                        help="PlaceData GeoPackage written by 'amp-place fetch'")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help=f"output folder: illuminance.tif (+ .qml style), semicylindrical.tif, "
                             f"{GPKG_NAME} (dark_gaps, lamps_used, figures, provenance)")
    add_option(parser, LightingOptions, "cell_size_m", "--cell-size", "grid cell size")
    parser.add_argument("--ldt", action="append", default=[], metavar="[TYPE=]FILE.ldt",
                        help="EULUMDAT photometric file; TYPE=FILE applies it to lamps whose "
                             "lamp_type or optic is TYPE, a bare FILE to all other lamps. "
                             "Repeat for several types. Default: a generic downward Lambertian "
                             "distribution (conservative)")
    remember_flag(parser, "photometry", "--ldt")
    add_option(parser, LightingOptions, "maintenance_factor", "--maintenance-factor",
               "maintenance factor applied to every lamp", metavar="MF")
    add_option(parser, LightingOptions, "approach_distance_m", "--approach",
               "include walkable paths within this distance of the place")


def parse_ldt_options(values: Optional[Iterable[str]]) -> Dict[str, str]:
    """Turn ``--ldt`` values into the photometry mapping (``"*"`` for a bare file).

    Raises
    ------
    InputError
        When a file does not exist; ``options`` is ``("photometry",)``.
    """
    mapping: Dict[str, str] = {}
    for value in values or []:
        key, sep, path = value.partition("=")
        if not sep:
            key, path = "*", value
        key = key.strip() or "*"
        if not Path(path).is_file():
            which = "every other lamp" if key == "*" else f"lamp type {key!r}"
            raise InputError(f"Photometric file not found: {path} (for {which}).",
                             options=("photometry",))
        mapping[key] = path
    return mapping


def run(args: argparse.Namespace, feedback) -> int:
    """Compute the lighting indicator, write the outputs and print the figures."""
    from amp_qgis_plugin.commands._output import number, print_result, say
    from amp_qgis_plugin.core.data.placedata import read_geopackage
    from amp_qgis_plugin.core.indicators.lighting import compute_lighting
    from amp_qgis_plugin.core.outputs import write_results

    options = options_from_args(LightingOptions, args, photometry=parse_ldt_options(args.ldt))
    data = read_geopackage(args.data)
    result = compute_lighting(data, options, feedback=feedback)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = write_results([result], data, out_dir / GPKG_NAME, feedback=feedback)
    place = data.name or say("the place", "platsen")
    cell = number(options.cell_size_m)
    print_result(say(f"Lighting of {place} ({cell} m grid):",
                     f"Belysning på {place} ({cell} m rutnät):"), [result], written)
    if "illuminance" not in written:
        from amp_qgis_plugin.commands._output import say

        print(say("No illuminance map written: no lamp data (see the warning above).",
                  "Ingen belysningskarta skrevs: inga lampdata (se varningen ovan)."))
    return 0
