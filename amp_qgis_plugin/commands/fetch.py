"""``amp-place fetch``: a place's data from OSM (file or Overpass) and municipal layers."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from amp_qgis_plugin.core.data.overpass.config import DEFAULT_URL, default_cache_dir
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.place import PlaceOptions

NAME = "fetch"
HELP = "Fetch a place's data (OSM file or Overpass API, municipal layers) into one GeoPackage."
ORDER = 10



def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the fetch options to ``parser``."""
    add_place_arguments(parser)
    parser.add_argument("--out", required=True, metavar="FILE.gpkg", help="output GeoPackage")


def add_place_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the OSM source, place and municipal-layer options (shared with ``assess``)."""
    src = parser.add_argument_group("OSM source (one of)")
    src.add_argument("--osm", metavar="FILE",
                     help="local OSM file, XML or PBF, plain, gzip or bzip2, known by its content "
                          "(map.osm.xml from JOSM or an Overpass reply 'interpreter' work too; a "
                          "whole-city extract works)")
    src.add_argument("--overpass", nargs="?", const=DEFAULT_URL, metavar="URL",
                     help=f"download from the Overpass API (default server {DEFAULT_URL})")
    src.add_argument("--overpass-cache", metavar="DIR",
                     help="cache folder for Overpass replies (default: the user cache folder, "
                          "~/.cache/amp-place/overpass)")
    src.add_argument("--cache-only", action="store_true",
                     help="never contact the Overpass server; fail if a reply is not cached "
                          "(for batch runs)")
    place = parser.add_argument_group("place (one of)")
    place.add_argument("--place-name", metavar="NAME",
                       help="name of a square or pedestrian area in the OSM data")
    place.add_argument("--place", metavar="FILE",
                       help="polygon file (GeoPackage, Shapefile, GeoJSON ...); several features "
                            "are merged; any CRS")
    place.add_argument("--place-layer", metavar="LAYER", help="layer in a multi-layer --place file")
    place.add_argument("--place-where", metavar="SQL",
                       help="OGR SQL filter for --place, e.g. \"namn = 'Stortorget'\"")
    place.add_argument("--search-bbox", metavar="W,S,E,N",
                       help="with --overpass and --place-name: where to look for the name "
                            "(degrees, e.g. the municipality: 17.75,59.22,18.20,59.45)")
    place.add_argument("--point", metavar="LON,LAT",
                       help="centre of a circular place (WGS 84 degrees); needs --radius")
    parser.add_argument("--radius", type=float, metavar="M",
                        help="with --point: radius of the place circle in metres; otherwise the "
                             "study-area radius (like --study-radius)")
    parser.add_argument("--study-radius", type=float, metavar="M",
                        help="study-area radius around the place in metres (default "
                             f"{PlaceOptions.default('study_radius_m'):g}: a 10-minute walk at "
                             "1.3 m/s)")
    parser.add_argument("--max-place-area", type=float, metavar="M2", default=None,
                        help="refuse places larger than this many m² (default "
                             f"{PlaceOptions.default('max_place_area_m2'):g})")
    parser.add_argument("--municipal", action="append", default=[], metavar="FILE",
                        help="municipal layer (any OGR source or WFS URL); repeat for several, "
                             "each followed by its --mapping")
    parser.add_argument("--mapping", action="append", default=[], metavar="PRESET",
                        help="field-mapping preset (bundled name or .json file) for the "
                             "--municipal given at the same position")
    parser.add_argument("--mapping-dir", metavar="DIR", default=None,
                        help="folder of your own mapping presets (default: $AMP_MAPPING_DIR or "
                             "~/.config/amp-place/mappings); see 'amp-place presets'")


def request_from_args(args: argparse.Namespace):
    """The :class:`FetchRequest` the place and source options describe."""
    from amp_qgis_plugin.core.fetch import FetchRequest, MunicipalSource
    from amp_qgis_plugin.core.place import PlaceOptions

    point = None
    study_radius = args.study_radius
    if args.point:
        try:
            lon, lat = (float(v) for v in args.point.split(","))
        except ValueError:
            raise InputError(f"--point must be LON,LAT in degrees, e.g. 18.0712,59.3170; got "
                             f"{args.point!r}.") from None
        point = (lon, lat)
        if args.radius is None:
            raise InputError("--point needs --radius M, the radius of the place in metres.")
    elif args.radius is not None:
        study_radius = study_radius or args.radius
    if len(args.municipal) != len(args.mapping):
        raise InputError(f"Give one --mapping per --municipal layer ({len(args.municipal)} "
                         f"layers, {len(args.mapping)} mappings).")
    search_bbox = None
    if args.search_bbox:
        try:
            search_bbox = tuple(float(v) for v in args.search_bbox.split(","))
        except ValueError:
            search_bbox = ()
        if len(search_bbox) != 4:
            raise InputError(f"--search-bbox must be W,S,E,N in degrees, e.g. "
                             f"17.75,59.22,18.20,59.45; got {args.search_bbox!r}.")
    overpass = None
    if args.overpass:
        from amp_qgis_plugin.core.data.overpass import OverpassConfig

        cache = Path(args.overpass_cache) if args.overpass_cache else default_cache_dir()
        overpass = OverpassConfig(url=args.overpass, cache_dir=cache, cache_only=args.cache_only)
    elif args.cache_only or args.overpass_cache:
        raise InputError("--cache-only and --overpass-cache go with --overpass.")
    return FetchRequest(
        place_name=args.place_name or "", place_file=args.place or "",
        place_layer=args.place_layer, place_where=args.place_where or "",
        point=point, point_radius_m=args.radius if point else 0.0,
        study_radius_m=study_radius or PlaceOptions.default("study_radius_m"),
        max_place_area_m2=args.max_place_area or PlaceOptions.default("max_place_area_m2"),
        osm_file=args.osm or "", overpass=overpass,
        municipal=[MunicipalSource(s, m) for s, m in zip(args.municipal, args.mapping)],
        mapping_dir=str(args.mapping_dir or default_mapping_dir()), search_bbox=search_bbox)


def default_mapping_dir() -> Path:
    """The user's own mapping presets: $AMP_MAPPING_DIR or the XDG config folder."""
    if os.environ.get("AMP_MAPPING_DIR"):
        return Path(os.environ["AMP_MAPPING_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "amp-place" / "mappings"


def run(args: argparse.Namespace, feedback) -> int:
    """Run ``fetch`` and print where the GeoPackage is and what it holds."""
    from amp_qgis_plugin.core.data.placedata import layer_counts
    from amp_qgis_plugin.core.fetch import fetch_to_geopackage

    request = request_from_args(args)
    path, data = fetch_to_geopackage(request, args.out, feedback=feedback)
    counts = layer_counts(data)
    from amp_qgis_plugin.commands._output import language, say
    from amp_qgis_plugin.core.i18n import format_number

    area = format_number(float(data.provenance["place_area_m2"]), 0, language())
    date = data.provenance.get("osm_timestamp", say("unknown date", "okänt datum"))
    print(say(f"Wrote {path} for {data.name} ({data.provenance.get('place_kind')}, {area} m², "
              f"{data.crs}; OSM data of {date})",
              f"Skrev {path} för {data.name} ({data.provenance.get('place_kind')}, {area} m², "
              f"{data.crs}; OSM-data från {date})"))
    print("  " + ", ".join(f"{name} {n}" for name, n in counts.items()
                           if name not in ("place", "study_area")))
    return 0
