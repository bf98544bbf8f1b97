"""Read local OSM files (XML, PBF, either compressed or not) into canonical layers.

A file is known by its content, not its name (see :mod:`.osm_format`): JOSM's ``map.osm.xml``,
an Overpass reply saved as ``interpreter`` and a renamed compressed export all read, and the
format found is handed to libosmium explicitly.

A PBF file is first cut down to what lies near the study area (:mod:`.osm_extract`: its blocks
are scanned with numpy, so time follows the file's size and memory the cut's, never the whole
file's): the nodes in the study area, and every way and multipolygon that reaches it, complete.
The cut, or any other file as it is (XML, OPL, o5m, compressed), is then streamed by pyosmium
(libosmium): objects are pre-filtered by key in C++, node locations live in libosmium's index
(in memory for small files, in a temporary file for large ones), multipolygons are assembled by
libosmium's area assembler, and ways and areas whose envelope misses the study area are dropped
before any tag is read in Python. The layers are the same as from reading the whole file, row
for row (rows are sorted by OSM type and id; tests compare both reads on a hand-made file, the
sample and a tiled city-sized extract).

We use pyosmium rather than GDAL's OSM driver because it gives libosmium's multipolygon assembly
with the original OSM ids and every tag (GDAL's driver packs the tags it was not configured for
into one ``other_tags`` string). On the 0.7 MB sample our reader delivers the finished canonical
layers in 0.29 s, against 0.12 s for a raw read of GDAL's three layers and 0.04 s for a bare
pyosmium pass. On an 81 MB tiled city-sized extract one place takes 2.6 s and 217 MiB (the
whole file: 7.7 s and 519 MiB), and 5.7 s and 234 MiB on a file 4x larger; see
benchmarks/bench_read_osm.py and benchmarks/bench_large_extract.py.

Features are kept whole when they intersect the study area (a building cut at the study-area
edge keeps its real footprint).

Finding a place by its name is :mod:`.place_lookup`'s job; :func:`find_place_by_name` is
re-exported here.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from amp_qgis_plugin.core.data import osm_extract, tagmap
from amp_qgis_plugin.core.data.osm_format import detect_osm_format, read_error

# the place-name lookup has its own module; re-exported where callers have always found it
from amp_qgis_plugin.core.data.place_lookup import find_place_by_name
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.place import Place

#: Files larger than this keep node locations in a temporary file instead of memory (the
#: place-name lookup follows it too).
LARGE_FILE_BYTES = 150 * 1024 * 1024

#: Layers built from a way's line geometry; every other layer uses the assembled area.
LINE_LAYERS = ("paths", "barriers")


def check_osm_file(path: os.PathLike | str) -> Tuple[Path, str]:
    """Check that ``path`` is an existing, non-empty OSM file; return it and its format.

    Parameters
    ----------
    path : path-like
        The OSM file, whatever its name (``.osm``, ``.osm.xml``, ``interpreter`` ...).

    Returns
    -------
    path : Path
        ``path`` as a Path.
    format : str
        libosmium's format string for its content (``"pbf"``, ``"osm"``, ``"osm.bz2"`` ...),
        see :func:`.osm_format.detect_osm_format`.

    Raises
    ------
    InputError
        When the file is missing, a folder, or not OSM data.
    DataError
        When it is empty, or named as OSM data but holds something else.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"OSM file not found: {p}. Check the path, or use the Overpass API.",
                         options=("osm_file",))
    if p.is_dir():
        raise InputError(f"{p} is a folder; give an OSM file (.osm or .osm.pbf).",
                         options=("osm_file",))
    if p.stat().st_size == 0:
        raise DataError(f"The OSM file {p} is empty (0 bytes); download it again.",
                        options=("osm_file",))
    return p, detect_osm_format(p)


def check_osm_path(path: os.PathLike | str) -> Path:
    """Return ``path`` as a Path after checking that it exists and holds OSM data.

    See :func:`check_osm_file`, which also returns the format.
    """
    return check_osm_file(path)[0]


def osm_stream(path: Path, file_format: str, keys: Tuple[str, ...],
               tmpdir: str) -> Any:
    """Return a pyosmium FileProcessor over ``path`` with node locations and areas.

    Parameters
    ----------
    path : Path
        A checked OSM file (:func:`check_osm_file`).
    file_format : str
        Its libosmium format, handed over explicitly (the name may say nothing).
    keys : tuple of str
        Only objects with one of these tag keys reach Python (libosmium filters in C++).
    tmpdir : str
        Folder for the node-location index of files above :data:`LARGE_FILE_BYTES`.

    Returns
    -------
    osmium.FileProcessor
        Typed ``Any``: its objects are told apart by ``is_node()`` ..., which type checkers
        cannot follow. Iterate it inside ``try``; turn its exceptions into
        :func:`.osm_format.read_error`.
    """
    import osmium

    if path.stat().st_size > LARGE_FILE_BYTES:
        storage = f"sparse_file_array,{os.path.join(tmpdir, 'nodes.cache')}"
    else:
        storage = "flex_mem"
    return (osmium.FileProcessor(osmium.io.File(str(path), file_format))
            .with_locations(storage).with_areas()
            .with_filter(osmium.filter.KeyFilter(*keys)))


def _way_coords(way) -> List[Tuple[float, float]]:
    """Coordinates of the way's nodes whose locations are known (cut ways keep their inside part)."""
    coords = []
    for n in way.nodes:
        loc = n.location
        if loc.valid():
            coords.append((loc.lon, loc.lat))
    return coords


@dataclass
class _Collected:
    """Per-layer rows gathered while streaming (geometries as WKB in WGS 84)."""

    wkb: Dict[str, list] = field(default_factory=lambda: defaultdict(list))
    rows: Dict[str, list] = field(default_factory=lambda: defaultdict(list))
    newest: Optional[datetime] = None
    cut_ways: int = 0
    building_nodes: int = 0

    def add(self, layer: str, wkb: str, osm_id: str, attrs, to_point: str = "") -> None:
        """Add a row; ``to_point`` = "surface" (area) or "middle" (line) makes it a point later."""
        self.wkb[layer].append(wkb)
        self.rows[layer].append({"osm_id": osm_id, "source": "osm", "_to_point": to_point,
                                 **attrs})


def _in_box(hex_wkb: str, box: Tuple[float, float, float, float]) -> bool:
    """True if the envelope of a libosmium (little-endian, hex) LineString/MultiPolygon WKB
    intersects ``box`` (west, south, east, north).

    Runs on every way and area of the file, so objects far from the study area never reach the
    Python tag handling; plain ``struct`` beats numpy here (about 1 µs for a short way).
    """
    raw = bytes.fromhex(hex_wkb)
    if _UINT.unpack_from(raw, 1)[0] == 2:  # LineString: header, count, coordinates
        coords = struct.unpack_from(f"<{2 * _UINT.unpack_from(raw, 5)[0]}d", raw, 9)
    else:  # MultiPolygon: walk polygons and rings, keep the outer rings' coordinates
        coords, pos = (), 9
        for _ in range(_UINT.unpack_from(raw, 5)[0]):
            rings = _UINT.unpack_from(raw, pos + 5)[0]
            pos += 9
            for r in range(rings):
                n = _UINT.unpack_from(raw, pos)[0]
                if r == 0:
                    coords += struct.unpack_from(f"<{2 * n}d", raw, pos + 4)
                pos += 4 + 16 * n
    x, y = coords[0::2], coords[1::2]
    west, south, east, north = box
    return min(x) <= east and max(x) >= west and min(y) <= north and max(y) >= south


_UINT = struct.Struct("<I")


def _stamp(col: _Collected, obj) -> None:
    ts = obj.timestamp
    if ts is not None and ts.year > 1970 and (col.newest is None or ts > col.newest):
        col.newest = ts


#: The tag keys the layer reader reads (the place-name key is the lookup's).
READER_KEYS: Tuple[str, ...] = tuple(k for k in tagmap.RELEVANT_KEYS if k != "name")


def study_boxes(place: Place) -> List[Tuple[float, float, float, float]]:
    """The study area's boxes in WGS 84 (west, south, east, north) that the area cut keeps.

    One box for a single study area (the reader's own box); for a study area of several parts
    (a union of candidates) one box per part, padded by about a metre, so the cut holds what is
    near each part rather than everything between them.
    """
    study = place.study_area
    parts = list(getattr(study, "geoms", [study]))
    if len(parts) <= 1:
        return [place.study_area_wgs84_bounds()]
    from pyproj import Transformer

    tr = Transformer.from_crs(place.crs, "EPSG:4326", always_xy=True)
    pad = 1e-5
    boxes = []
    for part in parts:
        minx, miny, maxx, maxy = part.bounds
        w, s, e, n = tr.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
        boxes.append((w - pad, s - pad, e + pad, n + pad))
    return boxes


def read_osm_layers(
    path: os.PathLike | str,
    place: Place,
    *,
    feedback: Optional[Feedback] = None,
    area_cut: Optional[bool] = None,
) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """Read the canonical layers that touch the place's study area from an OSM file.

    Parameters
    ----------
    path : path-like
        OSM file: XML or PBF, compressed or not, whatever its name.
    place : Place
        The place; its study area bounds what is kept. It may be a union of many places (a
        MultiPolygon): the cut then keeps what is near each part.
    feedback : Feedback, optional
        Progress and cancellation (between blocks of the file and between stages).
    area_cut : bool, optional
        Cut the study area out of a PBF file first (:mod:`.osm_extract`). None (default) does so
        for PBF files of :data:`.osm_extract.CUT_FROM_BYTES` and more, True for any PBF file,
        False never (the whole file is read with pyosmium).

    Returns
    -------
    layers : dict of str to GeoDataFrame
        The canonical layers (without ``place``/``study_area``) that have features in the study
        area, in the place's metric CRS, rows sorted by OSM type and id.
    provenance : dict of str to str
        ``osm_timestamp`` (newest object read), counts, and how the file was read
        (``osm_read``: ``study-area cut`` with ``osm_cut_*`` counts, or ``whole file``).
    """
    path, file_format = check_osm_file(path)
    box = place.study_area_wgs84_bounds()
    provenance: Dict[str, str] = {"osm_read": "whole file"}
    with tempfile.TemporaryDirectory(prefix="amp-osm-") as tmpdir:
        source, source_format, span = path, file_format, (0.0, 90.0)
        if area_cut is None:
            area_cut = path.stat().st_size >= osm_extract.CUT_FROM_BYTES
        if file_format == "pbf" and area_cut:
            cut = Path(tmpdir) / "cut.opl"
            try:
                stats = osm_extract.cut_area(path, study_boxes(place), cut, keys=READER_KEYS,
                                             feedback=feedback, progress=(0.0, 70.0))
            except osm_extract.UnsupportedPbfError as exc:
                if feedback is not None:
                    feedback.pushInfo(f"Reading the whole OSM file: {exc}.")
            except osm_extract.CorruptPbfError as exc:
                raise read_error(path, exc) from exc
            else:
                source, source_format, span = cut, "opl", (70.0, 90.0)
                provenance = {"osm_read": "study-area cut", **stats.as_provenance()}
            check_cancelled(feedback)
        col, count = _collect(source, source_format, box, tmpdir, feedback, span)
    check_cancelled(feedback)
    layers = _to_frames(col, place)
    _link_entrances(layers)
    provenance.update({
        "osm_file": str(path.resolve()),
        "osm_file_bytes": str(path.stat().st_size),
        "osm_timestamp": col.newest.isoformat() if col.newest else "unknown",
        "osm_objects_read": str(count),
        "osm_ways_cut_at_extract_edge": str(col.cut_ways),
        "osm_building_nodes_without_footprint": str(col.building_nodes),
    })
    if col.cut_ways and feedback is not None:
        feedback.pushInfo(f"{col.cut_ways} OSM ways/areas are cut by the edge of the extract; "
                          "their parts inside it were kept, cut areas were left out.")
    return layers, provenance


def _collect(path: Path, file_format: str, box: Tuple[float, float, float, float], tmpdir: str,
             feedback: Optional[Feedback], span: Tuple[float, float]) -> Tuple[_Collected, int]:
    """Stream ``path`` and gather the rows of every layer whose envelope meets ``box``.

    Returns the rows and the number of objects read. libosmium's failures become
    :func:`.osm_format.read_error` (worded for ``path``'s name).
    """
    import osmium
    from osmium.geom import WKBFactory
    from shapely import geometry as sg

    west, south, east, north = box
    factory = WKBFactory()
    col = _Collected()
    count = 0
    lo, hi = span
    try:
        for obj in osm_stream(path, file_format, READER_KEYS, tmpdir):
            count += 1
            if count % 5000 == 0:
                check_cancelled(feedback)
                if feedback is not None:
                    feedback.setProgress(min(hi, lo + count / 2000.0))
            if obj.is_node():
                loc = obj.location
                if not (loc.valid() and west <= loc.lon <= east and south <= loc.lat <= north):
                    continue
                tags = dict(obj.tags)
                matched = list(tagmap.layers_for(tags))
                if not matched:
                    continue
                _stamp(col, obj)
                point = factory.create_point(obj)
                for layer, attrs in matched:
                    if layer == "buildings":  # a building without a footprint
                        col.building_nodes += 1
                    elif layer not in LINE_LAYERS:
                        col.add(layer, point, f"n{obj.id}",
                                tagmap.columns_for(layer, tags, attrs))
            elif obj.is_way():
                try:
                    line = factory.create_linestring(obj)
                except (osmium.InvalidLocationError, RuntimeError):
                    coords = _way_coords(obj)
                    if len(coords) < 2:
                        continue
                    col.cut_ways += 1
                    line = sg.LineString(coords).wkb_hex
                if not _in_box(line, box):
                    continue
                tags = dict(obj.tags)
                closed = obj.is_closed()
                wanted = [(lay, a) for lay, a in tagmap.layers_for(tags)
                          if lay in LINE_LAYERS or (not closed and lay != "buildings")]
                if not wanted:
                    continue
                _stamp(col, obj)
                for layer, attrs in wanted:
                    col.add(layer, line, f"w{obj.id}", tagmap.columns_for(layer, tags, attrs),
                            "" if layer in LINE_LAYERS else "middle")
            elif obj.is_area():
                try:
                    poly = factory.create_multipolygon(obj)
                except (osmium.InvalidLocationError, RuntimeError):
                    col.cut_ways += 1
                    continue
                if not _in_box(poly, box):
                    continue
                tags = dict(obj.tags)
                wanted = [(lay, a) for lay, a in tagmap.layers_for(tags)
                          if lay not in LINE_LAYERS]
                if not wanted:
                    continue
                _stamp(col, obj)
                osm_id = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
                for layer, attrs in wanted:
                    col.add(layer, poly, osm_id, tagmap.columns_for(layer, tags, attrs),
                            "" if layer == "buildings" else "surface")
    except (RuntimeError, ValueError, OSError) as exc:
        raise read_error(path, exc) from exc
    return col, count


def _to_frames(col: _Collected, place: Place) -> Dict[str, Any]:
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely
    from pyproj import CRS

    from amp_qgis_plugin.core.geometry import repair_polygons

    study = place.study_area
    shapely.prepare(study)
    wgs84, metric = CRS.from_epsg(4326), CRS.from_user_input(place.crs)
    frames = {}
    for layer, wkbs in col.wkb.items():
        rows = pd.DataFrame(col.rows[layer])
        to_point = rows.pop("_to_point").to_numpy()
        geom = np.asarray(gpd.GeoSeries(shapely.from_wkb(np.asarray(wkbs, dtype=object)),
                                        crs=wgs84).to_crs(metric).values)
        middle, surface = to_point == "middle", to_point == "surface"
        if layer == "seating" and middle.any():  # a bench mapped as a line: its length
            no_length = middle & ~(rows["length_m"].to_numpy(dtype=float) > 0)
            rows.loc[no_length, "length_m"] = np.round(shapely.length(geom[no_length]), 2)
        if middle.any():
            geom[middle] = shapely.line_interpolate_point(geom[middle], 0.5, normalized=True)
        if surface.any():
            geom[surface] = shapely.point_on_surface(geom[surface])
        if layer == "buildings":  # self-intersecting outlines: their polygonal part
            geom, _ = repair_polygons(geom)
        keep = shapely.intersects(study, geom)
        if not keep.any():  # no feature in the study area: PlaceData's canonical empty layer
            continue
        gdf = gpd.GeoDataFrame(rows[keep].reset_index(drop=True), geometry=geom[keep], crs=metric)
        gdf = gdf.drop_duplicates(subset=["osm_id"])
        frames[layer] = gdf.iloc[_osm_order(gdf["osm_id"])].reset_index(drop=True)
    return frames


def _osm_order(ids: Any) -> Any:
    """Positions that sort rows by OSM type (nodes, ways, relations) and id.

    Rows come out of libosmium in file order, except that assembled areas are handed over
    whenever its area buffer fills, which differs between a whole file and a cut of it; sorting
    makes the layers of both reads (and of one place and of a union of places) the same, row for
    row.
    """
    import numpy as np

    text = ids.astype(str)
    kind = text.str[0].map({"n": 0, "w": 1, "r": 2}).fillna(3).to_numpy()
    number = text.str[1:].astype("int64").to_numpy()
    return np.lexsort((number, kind))


def _link_entrances(layers: Dict[str, Any]) -> None:
    """Fill ``entrances.building_id`` with the building whose outline is within 1 m."""
    import geopandas as gpd

    ent, bld = layers.get("entrances"), layers.get("buildings")
    if ent is None or bld is None or ent.empty or bld.empty:
        return
    joined = gpd.sjoin_nearest(ent[["geometry"]], bld[["osm_id", "geometry"]], how="left",
                               max_distance=1.0)
    joined = joined[~joined.index.duplicated(keep="first")]
    ent["building_id"] = joined["osm_id_right" if "osm_id_right" in joined else "osm_id"] \
        .fillna("").astype(str).values


__all__ = ["LARGE_FILE_BYTES", "LINE_LAYERS", "READER_KEYS", "check_osm_file", "check_osm_path",
           "find_place_by_name", "osm_stream", "read_osm_layers", "study_boxes"]
