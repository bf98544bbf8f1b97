"""Find a place (a square, a pedestrian area) by its name in a local OSM file.

One pass over the file collects every object carrying the name (in any of :data:`NAME_KEYS`);
:func:`_choose_place` then decides: areas win over points and lines (a bus stop or a street
called after the square), squares over pedestrian areas, marketplaces and parks, parts of one
place closer than :data:`SAME_PLACE_GAP_M` are merged, and an outline cut by the extract's edge
or a name shared by separate places is refused rather than guessed. Refusals say what was found
and name the inputs to change through ``options`` (the place polygon, a point and a radius).

The file is opened like the layer reader opens it (:func:`.osm_file.check_osm_file`: judged by
its content). A PBF file (of :data:`.osm_extract.CUT_FROM_BYTES` and more) is first cut down to
the objects that may carry the name (:func:`.osm_extract.cut_named`: blocks whose string table
lacks the name are skipped without decoding an object), complete with their member ways and
nodes, so a lookup in a large extract costs a pass over its bytes and memory for what it finds;
other files are read whole.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from amp_qgis_plugin.core.data import osm_extract, tagmap
from amp_qgis_plugin.core.data.osm_format import read_error
from amp_qgis_plugin.core.errors import InputError, PlaceNotFoundError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.place import DEFAULT_STUDY_RADIUS_M, Place, metric_crs_for, repair_polygon

#: Name tags searched by the place-name lookup.
NAME_KEYS = ("name", "name:sv", "name:en", "name:fi", "alt_name", "official_name", "short_name",
             "loc_name")

#: Place candidates of the same kind closer than this (m) are one place (e.g. a square in two ways).
SAME_PLACE_GAP_M = 30.0

#: The inputs that give a place without a name: a polygon, or a point and a radius.
PLACE_OPTIONS = ("place", "point", "place_radius_m")

#: Radius (m) suggested for a square mapped only as a point.
POINT_RADIUS_HINT_M = 40

@dataclass
class _Candidate:
    """An object of the file carrying the name asked for."""

    osm_id: str
    kind: str
    rank: int
    geometry: Any  # shapely geometry in WGS 84, or None for an outline that could not be built
    complete: bool
    element: str  # "area", "line", "point"
    tags: Dict[str, str]


def _name_matches(tags, wanted: str) -> bool:
    return any((tags.get(k) or "").strip().casefold() == wanted for k in NAME_KEYS)


def find_place_by_name(
    path: os.PathLike | str,
    name: str,
    *,
    study_radius_m: float = DEFAULT_STUDY_RADIUS_M,
    feedback: Optional[Feedback] = None,
) -> Place:
    """Find the square or pedestrian area called ``name`` in an OSM file.

    Areas win over points and lines of the same name (a bus stop and a street called after the
    square are passed over). Among areas, squares rank before pedestrian areas, marketplaces
    and parks; parts of one place closer than 30 m are merged (a square mapped as two ways).

    Parameters
    ----------
    path : path-like
        OSM file: XML or PBF, compressed or not, whatever its name.
    name : str
        The place's name, matched in any case against :data:`NAME_KEYS`.
    study_radius_m : float, optional
        Study-area radius of the returned place.
    feedback : Feedback, optional
        Cancellation.

    Returns
    -------
    Place
        The place, in the metric CRS of its location, with its OSM id(s).

    Raises
    ------
    PlaceNotFoundError
        When no area of that name exists (the message names what was found instead), when
        the area's outline is cut by the extract's edge (never a wrong polygon), or when
        several distinct areas share the name (their OSM ids are listed).
    InputError, DataError
        When the name is empty or the file cannot be read (see
        :func:`.osm_file.check_osm_file`).
    """
    # imported here: osm_file re-exports this function, so it imports this module first
    from amp_qgis_plugin.core.data.osm_file import check_osm_file

    path, file_format = check_osm_file(path)
    wanted = name.strip().casefold()
    if not wanted:
        raise InputError("The place name is empty.", options=("place_name",))
    with tempfile.TemporaryDirectory(prefix="amp-osm-") as tmpdir:
        source, source_format = path, file_format
        if file_format == "pbf" and path.stat().st_size >= osm_extract.CUT_FROM_BYTES:
            cut = Path(tmpdir) / "named.opl"
            try:
                osm_extract.cut_named(path, lambda tags: _name_matches(tags, wanted), wanted,
                                      NAME_KEYS, cut, feedback=feedback)
            except osm_extract.UnsupportedPbfError:
                pass  # read the whole file below
            except osm_extract.CorruptPbfError as exc:
                raise read_error(path, exc) from exc
            else:
                source, source_format = cut, "opl"
        found, area_ids = _named_objects(source, source_format, wanted, tmpdir, feedback, path)
    return _choose_place(found, area_ids, name, path, study_radius_m)


def _named_objects(source: Path, file_format: str, wanted: str, tmpdir: str,
                   feedback: Optional[Feedback], path: Path) -> Tuple[List[_Candidate], set]:
    """Every object of ``source`` carrying the name ``wanted`` (case-folded), and the ids of
    the areas libosmium assembled; read failures are worded for ``path``."""
    import osmium
    from osmium.geom import WKBFactory
    from shapely import wkb as swkb

    from amp_qgis_plugin.core.data.osm_file import osm_stream

    factory = WKBFactory()
    found: List[_Candidate] = []
    area_ids = set()
    try:
        for i, obj in enumerate(osm_stream(source, file_format, NAME_KEYS, tmpdir)):
            if i % 5000 == 0:
                check_cancelled(feedback)
            tags = obj.tags
            if not _name_matches(tags, wanted):
                continue
            tagd = dict(tags)
            kind = tagmap.place_kind(tagd)
            rank, label = kind if kind else (99, _describe(tagd))
            if obj.is_area():
                osm_id = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
                try:
                    geom = swkb.loads(factory.create_multipolygon(obj))
                except (osmium.InvalidLocationError, RuntimeError):
                    continue
                area_ids.add(osm_id)
                found.append(_Candidate(osm_id, label, rank, geom, True, "area", tagd))
            elif obj.is_node():
                geom = swkb.loads(factory.create_point(obj)) if obj.location.valid() else None
                found.append(_Candidate(f"n{obj.id}", label, rank, geom, True, "point", tagd))
            elif obj.is_way():
                complete = all(n.location.valid() for n in obj.nodes)
                closed_ids = obj.nodes[0].ref == obj.nodes[-1].ref if len(obj.nodes) else False
                element = "area" if closed_ids and (kind or tagd.get("area") == "yes") \
                    else "line"
                found.append(_Candidate(f"w{obj.id}", label, rank, None, complete, element,
                                        tagd))
            elif obj.is_relation():
                if tagd.get("type") in ("multipolygon", "boundary"):
                    found.append(_Candidate(f"r{obj.id}", label, rank, None, False, "area",
                                            tagd))
    except (RuntimeError, ValueError, OSError) as exc:
        raise read_error(path, exc) from exc
    return found, area_ids


def _describe(tags: Dict[str, str]) -> str:
    """Say in a few words what a named object that is no place candidate is."""
    if tags.get("highway") == "bus_stop" or tags.get("public_transport"):
        return "public transport stop"
    if "highway" in tags:
        return f"street or path (highway={tags['highway']})"
    if "railway" in tags:
        return f"railway={tags['railway']}"
    for key in ("amenity", "shop", "tourism", "building", "leisure", "landuse", "place"):
        if key in tags:
            return f"{key}={tags[key]}"
    return "other object"


def _choose_place(found: List[_Candidate], area_ids, name: str, path: Path,
                  study_radius_m: float) -> Place:
    """Pick the place among the named objects found, or refuse and say why.

    Parameters
    ----------
    found : list of _Candidate
        Every object of the file carrying the name.
    area_ids : set of str
        OSM ids of the areas libosmium assembled (ways and relations not in it are broken).
    name : str
        The name asked for (for messages).
    path : Path
        The OSM file (for messages).
    study_radius_m : float
        Study-area radius of the returned place.

    Returns
    -------
    Place

    Raises
    ------
    PlaceNotFoundError
        See :func:`find_place_by_name`.
    """
    import geopandas as gpd
    from shapely import union_all

    # a building is never the public place, even when it carries the name (a town hall
    # called after its square); unranked named areas of other kinds may be (a plaza with area=yes)
    areas = [c for c in found if c.element == "area" and c.geometry is not None
             and not (c.rank == 99 and c.tags.get("building", "no") != "no")]
    # outlines that libosmium could not assemble (ways/relations without an assembled area)
    broken = [c for c in found if c.element == "area" and c.geometry is None
              and c.osm_id not in area_ids]
    best_rank = min([c.rank for c in areas] + [c.rank for c in broken if c.rank < 99] + [99])
    if best_rank == 99 and not areas:
        others = sorted({f"{c.kind if c.element == 'area' else _describe(c.tags)} ({c.osm_id})"
                         for c in found})
        hint = ""
        points = [c for c in found if c.element == "point" and c.geometry is not None
                  and c.rank < 99]
        if points:
            p = points[0].geometry
            hint = (f" It is mapped as a point at {p.x:.6f},{p.y:.6f}: give that point and a "
                    f"radius of about {POINT_RADIUS_HINT_M} m.")
        if not found:
            raise PlaceNotFoundError(
                f"No object named {name!r} in {path.name}. Check the spelling (names are matched "
                "in any case, also name:sv/name:en/alt_name), or give the place as a polygon, or "
                "as a point and a radius.", options=("place_name",) + PLACE_OPTIONS)
        listing = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8
                                           else "")
        raise PlaceNotFoundError(
            f"No square or pedestrian area named {name!r} in {path.name}; found only: "
            f"{listing}.{hint} Give the place as a polygon, or as a point and a radius.",
            options=PLACE_OPTIONS)
    best_broken = [c for c in broken if c.rank == best_rank]
    best = [c for c in areas if c.rank == best_rank]
    if best_broken and not best:
        ids = ", ".join(c.osm_id for c in best_broken)
        raise PlaceNotFoundError(
            f"The {best_broken[0].kind} {name!r} ({ids}) is cut by the edge of the OSM extract "
            f"{path.name}: its outline is incomplete, so no polygon is made from it. Use a larger "
            "extract, the Overpass API, or give the place as a polygon.",
            options=("osm_file", "place"))
    if not best:  # only unranked named areas (e.g. a building called like the square)
        best = [c for c in areas if c.rank == min(c.rank for c in areas)]
    # merge parts closer than SAME_PLACE_GAP_M; several separate clusters are ambiguous
    lon, lat = best[0].geometry.representative_point().coords[0]
    crs = metric_crs_for(lon, lat)
    metric_geoms = gpd.GeoSeries([c.geometry for c in best], crs="EPSG:4326").to_crs(crs)
    metric = list(zip(best, metric_geoms))
    clusters: List[List[Tuple[_Candidate, object]]] = []
    for item in metric:
        for cluster in clusters:
            if any(item[1].distance(other[1]) <= SAME_PLACE_GAP_M for other in cluster):
                cluster.append(item)
                break
        else:
            clusters.append([item])
    if len(clusters) > 1:
        listing = "; ".join(", ".join(c.osm_id for c, _ in cl) for cl in clusters)
        raise PlaceNotFoundError(
            f"{len(clusters)} separate {best[0].kind}s are named {name!r} in {path.name} "
            f"({listing}). Give the place as a polygon, or as a point and a radius.",
            options=PLACE_OPTIONS)
    notes: Dict[str, str] = {}
    geom = repair_polygon(union_all([g for _, g in clusters[0]]), notes)
    ids = ",".join(c.osm_id for c, _ in clusters[0])
    display = clusters[0][0][0].tags.get("name", name)
    return Place(name=display, geometry=geom, crs=crs, study_radius_m=study_radius_m,
                 kind=best[0].kind, osm_id=ids, source="osm", notes=notes)
