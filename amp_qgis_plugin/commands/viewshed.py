"""``amp-place viewshed``: what a person standing at a point can see over a DSM (GDAL viewshed)."""

from __future__ import annotations

import argparse
import math
from typing import Tuple

from amp_qgis_plugin.commands._options import add_option, options_from_args
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators.viewshed import ViewshedOptions

NAME = "viewshed"
HELP = ("DSM viewshed: the cells a person standing at a point can see over a digital surface "
        "model (terrain and buildings), within a radius, as a GeoTIFF (1 visible, 0 not "
        "visible), with the visible share of the cells within the radius.")
ORDER = 55


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the viewshed options to ``parser``."""
    parser.add_argument("--dsm", required=True, metavar="DSM.tif",
                        help="digital surface model (heights in metres, projected CRS in metres)")
    parser.add_argument("--point", required=True, metavar="X,Y",
                        help="observer position, LON,LAT in degrees by default "
                             "(e.g. 11.96689,57.70704); see --point-crs")
    parser.add_argument("--point-crs", default="EPSG:4326", metavar="CRS",
                        help="CRS of --point (default EPSG:4326, longitude,latitude)")
    add_option(parser, ViewshedOptions, "observer_height_m", "--observer-height",
               "eye height above the DSM")
    add_option(parser, ViewshedOptions, "target_height_m", "--target-height",
               "height above the DSM of what must be seen (0: the surface itself; 1.6 for "
               "person-to-person sight)")
    add_option(parser, ViewshedOptions, "radius_m", "--radius",
               "range (Gehl's social field of vision)")
    parser.add_argument("--out", required=True, metavar="VIEWSHED.tif",
                        help="output GeoTIFF on the DSM's grid (+ .qml style beside it)")


def parse_point(text: str) -> Tuple[float, float]:
    """Parse ``X,Y`` into two finite floats; InputError otherwise."""
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--point must be X,Y (LON,LAT in degrees by default), e.g. "
                         f"11.96689,57.70704; got {text!r}.") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"--point must be two finite numbers, not {text!r}.")
    return x, y


def point_in_crs(point: Tuple[float, float], point_crs: str, target_crs: str) -> Tuple[float, float]:
    """Transform ``point`` from ``point_crs`` to ``target_crs`` (x/y order, i.e. lon,lat)."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(point_crs)
    except CRSError as exc:
        raise InputError(f"--point-crs: unknown CRS {point_crs!r} ({exc}).") from exc
    if source.is_geographic and not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
        raise InputError(f"--point {point[0]},{point[1]} is not LON,LAT in degrees; give "
                         "--point-crs for projected coordinates.")
    x, y = Transformer.from_crs(source, CRS.from_user_input(target_crs),
                                always_xy=True).transform(*point)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"--point {point[0]},{point[1]} cannot be transformed to the DSM's CRS.")
    return x, y


def run(args: argparse.Namespace, feedback) -> int:
    """Compute the viewshed, write the GeoTIFF and print the visible share."""
    from amp_qgis_plugin.core.indicators.viewshed import read_dsm_info, viewshed, write_viewshed

    options = options_from_args(ViewshedOptions, args)
    if not str(args.out).lower().endswith((".tif", ".tiff")):
        raise InputError(f"--out must be a GeoTIFF ending in .tif, not {args.out!r}.")
    point = parse_point(args.point)
    dsm = read_dsm_info(args.dsm)
    observer = point_in_crs(point, args.point_crs, dsm.crs)
    vs = viewshed(dsm.path, observer, observer_height=options.observer_height_m,
                  target_height=options.target_height_m, max_distance=options.radius_m,
                  feedback=feedback)
    params = {"observer_x": f"{observer[0]:.2f}", "observer_y": f"{observer[1]:.2f}"}
    params.update(options.parameters())
    path = write_viewshed(vs, dsm, args.out, parameters=params)
    share = vs.visible_share
    n = int(vs.in_range.sum())
    from amp_qgis_plugin.commands._output import say, wrote

    eye, target, radius = options.observer_height_m, options.target_height_m, options.radius_m
    print(say(f"Viewshed from ({observer[0]:.1f}, {observer[1]:.1f}) in {dsm.crs}, eye {eye:g} m, "
              f"target {target:g} m, radius {radius:g} m:",
              f"Siktområde från ({observer[0]:.1f}, {observer[1]:.1f}) i {dsm.crs}, ögonhöjd "
              f"{eye:g} m, målhöjd {target:g} m, radie {radius:g} m:"))
    if share is None:
        print(say("  Visible share: no data (no DSM cell within the radius)",
                  "  Synlig andel: inga data (ingen DSM-cell inom radien)"))
    else:
        print(say(f"  Visible share: {100 * share:.1f} % of {n} cells within {radius:g} m",
                  f"  Synlig andel: {100 * share:.1f} % av {n} celler inom {radius:g} m"))
    print(wrote(path))
    return 0
