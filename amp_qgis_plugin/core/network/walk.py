"""The walking network of a place, built from the PlaceData ``paths``, in osmnx's layout.

Which paths
-----------
Every row of ``paths`` is a way where walking is allowed (footways, pedestrian streets,
crossings, steps, paths, and streets without ``foot=no``; see
:data:`~amp_qgis_plugin.core.data.tagmap.WALKABLE_HIGHWAYS`). The same rule is applied again
here, so that paths from other sources or older GeoPackages obey it too: ``foot=no``,
``access=no/private`` without a ``foot`` permission, and the ``highway`` values listed in
``access.json`` (motorways, trunk roads, construction) are left out.

Noding
------
Ways are joined where they share a vertex (an OSM node: ways that meet in OSM share it, so its
projected coordinates are identical; keys are the coordinates rounded to
:data:`PRECISION_M`). Lines that only cross in the drawing, such as a footbridge over a
street, are *not* joined, as in OSM and osmnx. A vertex is a network node when it ends a way,
is shared by two ways (or twice by one), or is an entrance. The stretches between nodes are the
edges; their geometry keeps every vertex, their ``length`` is the geometric length in metres.

Entrances
---------
The entrances of the place are the points where a path meets the edge of the place polygon:
where it crosses it, ends on it, or starts or stops running along it. Each becomes a node (the
path is split there). When no path meets the edge, the network is still usable: every path
within the approach distance of the place gets a start node at its point nearest to the place,
and walking distances start from those at the distance from the place (a fallback the
indicator reports with a warning and a lower coverage).

Limitations: pedestrian areas (``area=yes``) are walked along their outline, not across;
kerbs, crossings and step counts mapped on OSM nodes are not in ``paths``.

Layout
------
:meth:`WalkNetwork.nodes_frame` and :meth:`WalkNetwork.edges_frame` follow osmnx's
``graph_to_gdfs`` layout: nodes with ``osmid``, ``x``, ``y``; edges with ``u``, ``v``,
``key``, ``length`` and the tags, each street in both directions (``reversed``) as in
osmnx's walking networks. ``osmnx.graph_from_gdfs(nodes.set_index("osmid"),
edges.set_index(["u", "v", "key"]))`` rebuilds the graph. Node ids are this network's own
(``0 .. n-1``): the paths layer does not keep OSM node ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.network import engine

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import scipy.sparse as sp

#: Vertices closer than this are one node (metres): OSM shares nodes exactly, so this only
#: absorbs floating-point noise.
PRECISION_M = 0.001

#: The ``paths`` columns carried onto the walk edges (the OSM tags that matter for walking).
WALK_TAGS: Tuple[str, ...] = ("highway", "footway", "name", "lit", "surface", "smoothness",
                              "incline", "width_m", "wheelchair", "access", "foot", "area")

#: ``foot`` values that allow walking where ``access`` forbids it.
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})

#: The four sides of a place, by compass bearing (see :func:`side_of`).
SIDES = ("N", "E", "S", "W")


def walkable(paths: "gpd.GeoDataFrame", exclude_highways: Iterable[str] = ()) -> np.ndarray:
    """Boolean mask of the rows of ``paths`` where walking is allowed.

    Parameters
    ----------
    paths : GeoDataFrame
        The PlaceData ``paths`` layer (``highway``, ``foot``, ``access`` columns).
    exclude_highways : iterable of str
        ``highway`` values never walked (motorways ...).
    """
    n = len(paths)

    def col(name: str) -> np.ndarray:
        if name not in paths.columns:
            return np.full(n, "", dtype=object)
        return paths[name].fillna("").astype(str).str.strip().str.lower().to_numpy()

    highway, foot, access = col("highway"), col("foot"), col("access")
    ok = ~np.isin(highway, list(exclude_highways)) & (foot != "no")
    ok &= ~(np.isin(access, ["no", "private"]) & ~np.isin(foot, list(FOOT_ALLOWED)))
    ok &= ~shapely.is_empty(np.asarray(paths.geometry.values)) if n else ok
    return ok


def side_of(bearing_deg: np.ndarray) -> np.ndarray:
    """The side (N, E, S, W) of each bearing: N is 315° to 45°, E 45° to 135° ...

    >>> side_of(np.array([0.0, 44.9, 45.0, 180.0, 300.0])).tolist()
    ['N', 'N', 'E', 'S', 'W']
    """
    idx = np.floor(((np.asarray(bearing_deg, dtype=float) + 45.0) % 360.0) / 90.0).astype(int)
    return np.asarray(SIDES, dtype=object)[idx % 4]


def bearing_deg(origin: Tuple[float, float], xy: np.ndarray) -> np.ndarray:
    """Bearing (degrees clockwise from grid north) of points ``xy`` seen from ``origin``."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return np.degrees(np.arctan2(xy[:, 0] - origin[0], xy[:, 1] - origin[1])) % 360.0


@dataclass
class WalkNetwork:
    """A walking network: nodes, edges with walking tags, and where walks start.

    Attributes
    ----------
    crs : str
        The metric CRS of the coordinates.
    xy : ndarray, shape (n, 2)
        Node coordinates.
    u, v : ndarray of int
        Edge end nodes; each edge's geometry runs from ``u`` to ``v``.
    length : ndarray of float
        Edge lengths (metres).
    geometry : ndarray of LineString
        Edge geometries.
    tags : DataFrame
        One row per edge: ``osm_id``, :data:`WALK_TAGS` and ``in_place`` (the edge runs inside
        the place).
    entrances : ndarray of int
        Nodes where a path meets the edge of the place (empty when none does).
    starts : ndarray of int
        Nodes the walking distances start from: the entrances, or (fallback) the points of the
        paths nearest to the place.
    start_offsets : ndarray of float
        Distance (metres) from the place to each start node (0 for entrances).
    """

    crs: str
    xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    geometry: np.ndarray
    tags: pd.DataFrame
    entrances: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    start_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(len(self.xy))

    @property
    def n_edges(self) -> int:
        """Number of (undirected) edges."""
        return int(len(self.u))

    @cached_property
    def matrix(self) -> "sp.csr_matrix":
        """The symmetric sparse matrix of edge lengths (see :func:`engine.graph_matrix`)."""
        return engine.graph_matrix(self.n_nodes, self.u, self.v, self.length)

    @cached_property
    def component(self) -> np.ndarray:
        """Connected-component label of every node."""
        return engine.components(self.matrix)

    @cached_property
    def street_count(self) -> np.ndarray:
        """Number of edge ends at each node (osmnx's ``street_count``; 1 = a dead end)."""
        return np.bincount(np.concatenate([self.u, self.v]), minlength=self.n_nodes)

    def distances(self, limit: float = np.inf) -> np.ndarray:
        """Walking distance (metres) of every node from the nearest start, ``inf`` beyond ``limit``."""
        return engine.multi_source_distances(self.matrix, self.starts, limit=limit,
                                             offsets=self.start_offsets)

    # -- osmnx layout ---------------------------------------------------------------------
    def nodes_frame(self) -> "gpd.GeoDataFrame":
        """Nodes in osmnx's layout: ``osmid``, ``x``, ``y``, ``street_count``, ``entrance``
        (1 where a path meets the place's edge), ``start_m`` (distance from the place of a
        start node, empty otherwise), ``component``."""
        import geopandas as gpd

        start_m = np.full(self.n_nodes, np.nan)
        start_m[self.starts] = self.start_offsets
        entrance = np.zeros(self.n_nodes, dtype=np.int64)
        entrance[self.entrances] = 1
        return gpd.GeoDataFrame(
            {"osmid": np.arange(self.n_nodes, dtype=np.int64), "x": self.xy[:, 0],
             "y": self.xy[:, 1], "street_count": self.street_count.astype(np.int64),
             "entrance": entrance, "start_m": start_m,
             "component": self.component.astype(np.int64)},
            geometry=shapely.points(self.xy) if self.n_nodes else [], crs=self.crs)

    def edge_keys(self) -> np.ndarray:
        """osmnx's ``key`` of each edge: 0, 1 ... among the edges joining the same two nodes."""
        lo, hi = np.minimum(self.u, self.v), np.maximum(self.u, self.v)
        order = np.lexsort((np.arange(self.n_edges), hi, lo))
        keys = np.zeros(self.n_edges, dtype=np.int64)
        if self.n_edges:
            slo, shi = lo[order], hi[order]
            new = np.ones(self.n_edges, dtype=bool)
            new[1:] = (slo[1:] != slo[:-1]) | (shi[1:] != shi[:-1])
            group_start = np.maximum.accumulate(np.where(new, np.arange(self.n_edges), 0))
            keys[order] = np.arange(self.n_edges) - group_start
        return keys

    def edges_frame(self) -> "gpd.GeoDataFrame":
        """Edges in osmnx's layout, each in both directions (self-loops once).

        Columns: ``u``, ``v``, ``key``, ``osm_id``, ``length`` (metres), the walking tags,
        ``in_place``, ``oneway`` (always False: walking), ``reversed`` (the row runs against
        the way's drawing direction), ``component``.
        """
        import geopandas as gpd

        keys = self.edge_keys()
        back = self.u != self.v
        u = np.concatenate([self.u, self.v[back]])
        v = np.concatenate([self.v, self.u[back]])
        geoms = np.concatenate([self.geometry, shapely.reverse(self.geometry[back])]) \
            if self.n_edges else np.zeros(0, dtype=object)
        tags = pd.concat([self.tags, self.tags.loc[back]], ignore_index=True)
        frame = pd.DataFrame({"u": u.astype(np.int64), "v": v.astype(np.int64),
                              "key": np.concatenate([keys, keys[back]]).astype(np.int64)})
        frame["osm_id"] = tags["osm_id"].to_numpy()
        frame["length"] = np.concatenate([self.length, self.length[back]])
        for col in WALK_TAGS + ("in_place",):
            frame[col] = tags[col].to_numpy()
        frame["oneway"] = False
        frame["reversed"] = np.concatenate([np.zeros(self.n_edges, dtype=bool),
                                            np.ones(int(back.sum()), dtype=bool)])
        frame["component"] = self.component[u].astype(np.int64) if len(u) else \
            np.zeros(0, dtype=np.int64)
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)


# ------------------------------------------------------------------------------------------
# Building the network


def outline(place: shapely.Geometry) -> shapely.Geometry:
    """The outer edge of the place: the exterior rings of its polygons (holes are not edges
    one enters the place by)."""
    rings = [shapely.get_exterior_ring(p) for p in shapely.get_parts(place)
             if shapely.get_type_id(p) == 3 and not p.is_empty]
    return shapely.multilinestrings(rings) if rings else shapely.MultiLineString()


def facing_bearing(place: shapely.Geometry, xy: np.ndarray, half_window_m: float = 2.0) -> np.ndarray:
    """Bearing (degrees from grid north) the place's edge faces at points ``xy`` on it.

    The outward normal of the edge's chord from ``half_window_m`` before to ``half_window_m``
    after the point's nearest position on the exterior ring (so a point at a corner faces
    between the two sides).
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    polys = [shapely.orient_polygons(p) if hasattr(shapely, "orient_polygons")
             else shapely.geometry.polygon.orient(p, 1.0)
             for p in shapely.get_parts(place) if shapely.get_type_id(p) == 3 and not p.is_empty]
    if not len(xy) or not polys:
        return np.zeros(len(xy))
    rings = np.asarray([p.exterior for p in polys], dtype=object)  # counter-clockwise
    pts = shapely.points(xy)
    nearest = np.argmin(shapely.distance(pts[:, None], rings[None, :]), axis=1)
    ring = rings[nearest]
    t = shapely.line_locate_point(ring, pts)
    total = shapely.length(ring)
    a = shapely.line_interpolate_point(ring, np.mod(t - half_window_m, total))
    b = shapely.line_interpolate_point(ring, np.mod(t + half_window_m, total))
    dx = shapely.get_x(b) - shapely.get_x(a)
    dy = shapely.get_y(b) - shapely.get_y(a)
    # outward normal of a counter-clockwise ring: the direction (dy, -dx)
    return np.degrees(np.arctan2(dy, -dx)) % 360.0


def _keys(coords: np.ndarray) -> np.ndarray:
    """Integer grid keys of coordinates (rounded to :data:`PRECISION_M`)."""
    return np.round(np.asarray(coords, dtype=float) / PRECISION_M).astype(np.int64)


def _meeting_points(line: shapely.LineString, boundary: shapely.Geometry) -> np.ndarray:
    """Where ``line`` meets ``boundary``: crossing/touching points, and the ends of stretches
    that run along it."""
    inter = shapely.intersection(line, boundary)
    if inter.is_empty:
        return np.zeros((0, 2))
    pts: List[np.ndarray] = []
    for part in shapely.get_parts(inter):
        if shapely.get_type_id(part) == 0:  # Point
            pts.append(shapely.get_coordinates(part))
        elif shapely.get_type_id(part) in (1, 2):  # a stretch along the edge: its two ends
            pts.append(shapely.get_coordinates(shapely.boundary(part)))
        else:
            pts.append(shapely.get_coordinates(part))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def _insert_vertices(line: shapely.LineString, points: np.ndarray) -> Tuple[shapely.LineString, np.ndarray]:
    """``line`` with ``points`` (lying on it) inserted as vertices.

    Returns the new line and the coordinates the points ended up at (an existing vertex
    within :data:`PRECISION_M` is reused).
    """
    coords = shapely.get_coordinates(line)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    placed = []
    inserts: Dict[int, List[Tuple[float, np.ndarray]]] = {}
    for p in np.asarray(points, dtype=float).reshape(-1, 2):
        t = float(line.project(shapely.Point(p)))
        near = np.flatnonzero(np.hypot(*(coords - p).T) <= PRECISION_M)
        if len(near):
            placed.append(coords[near[0]])
            continue
        pos = int(np.clip(np.searchsorted(cum, t, side="right"), 1, len(coords) - 1))
        # the exact point on that segment (the intersection may be off the line by 1e-9 m)
        a, b = coords[pos - 1], coords[pos]
        frac = 0.0 if seg[pos - 1] == 0 else (t - cum[pos - 1]) / seg[pos - 1]
        q = a + np.clip(frac, 0.0, 1.0) * (b - a)
        inserts.setdefault(pos, []).append((t, q))
        placed.append(q)
    if not inserts:
        return line, np.asarray(placed).reshape(-1, 2)
    out: List[np.ndarray] = []
    for i, c in enumerate(coords):
        for _, q in sorted(inserts.get(i, []), key=lambda tq: tq[0]):
            out.append(q)
        out.append(c)
    return shapely.linestrings(np.asarray(out)), np.asarray(placed).reshape(-1, 2)


def _approach_points(lines: np.ndarray, place: shapely.Geometry,
                     within_m: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each line within ``within_m`` of the place: its point nearest to the place.

    Returns the line positions, the points (n, 2) and their distances from the place.
    """
    near = np.flatnonzero(shapely.dwithin(lines, place, within_m))
    if not len(near):
        return near, np.zeros((0, 2)), np.zeros(0)
    links = shapely.shortest_line(lines[near], place)
    xy = shapely.get_coordinates(shapely.get_point(links, 0))
    return near, xy, shapely.length(links)


def build_walk_network(paths: "gpd.GeoDataFrame", place: Optional[shapely.Geometry] = None, *,
                       crs: Optional[str] = None, exclude_highways: Sequence[str] = (),
                       approach_m: float = 30.0) -> WalkNetwork:
    """Build the walking network of ``paths``, with the entrances of ``place``.

    Parameters
    ----------
    paths : GeoDataFrame
        The PlaceData ``paths`` layer (metric CRS); LineStrings or MultiLineStrings.
    place : shapely Polygon or MultiPolygon, optional
        The place: its edge gives the entrances and the start nodes. None: no starts.
    crs : str, optional
        CRS of the result (default the layer's).
    exclude_highways : sequence of str
        ``highway`` values that are never walked.
    approach_m : float
        Fallback when no path meets the place's edge: paths within this distance of the place
        start the walks at their nearest point.

    Returns
    -------
    WalkNetwork
    """
    crs = crs or (paths.crs.to_string() if paths.crs is not None else "")
    rows = paths.loc[walkable(paths, exclude_highways)] if len(paths) else paths
    geoms = np.asarray(rows.geometry.values, dtype=object)
    parts, src = shapely.get_parts(geoms, return_index=True) if len(geoms) else \
        (np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
    if len(parts):
        is_line = shapely.get_type_id(parts) == 1
        parts, src = parts[is_line], src[is_line]
        ok = shapely.get_num_coordinates(parts) >= 2
        parts, src = parts[ok], src[ok]
    lines = np.array(parts, dtype=object)

    # entrances (or fallback start points) become vertices of their lines
    forced: List[np.ndarray] = []
    start_xy = np.zeros((0, 2))
    start_off = np.zeros(0)
    entrance_xy = np.zeros((0, 2))
    if place is not None and len(lines):
        boundary = outline(place)
        hits = np.flatnonzero(shapely.intersects(lines, boundary))
        placed_all = []
        for i in hits:
            pts = _meeting_points(lines[i], boundary)
            if len(pts):
                lines[i], placed = _insert_vertices(lines[i], pts)
                placed_all.append(placed)
        if placed_all:
            entrance_xy = np.concatenate(placed_all)
            start_xy, start_off = entrance_xy, np.zeros(len(entrance_xy))
        else:
            near, xy, off = _approach_points(lines, place, approach_m)
            placed_all, offs = [], []
            for k, i in enumerate(near):
                lines[i], placed = _insert_vertices(lines[i], xy[k:k + 1])
                placed_all.append(placed)
                offs.append(off[k])
            if placed_all:
                start_xy, start_off = np.concatenate(placed_all), np.asarray(offs, dtype=float)
        forced.append(start_xy)

    tags = _edge_tags(rows, src)
    return _node(lines, tags, crs, place, forced, entrance_xy, start_xy, start_off)


def _edge_tags(rows: "gpd.GeoDataFrame", src: np.ndarray) -> pd.DataFrame:
    """The walking tags of each line part (row ``src`` of ``rows``)."""
    out = pd.DataFrame(index=range(len(src)))
    for col in ("osm_id",) + WALK_TAGS:
        if col in rows.columns:
            values = rows[col].to_numpy()[src]
        else:
            values = np.full(len(src), np.nan if col == "width_m" else "", dtype=object)
        if col == "width_m":
            out[col] = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
        else:
            out[col] = pd.Series(values, dtype=object).fillna("").astype(str).to_numpy()
    return out


def _node(lines: np.ndarray, line_tags: pd.DataFrame, crs: str,
          place: Optional[shapely.Geometry], forced: List[np.ndarray],
          entrance_xy: np.ndarray, start_xy: np.ndarray, start_off: np.ndarray) -> WalkNetwork:
    """Split ``lines`` at shared vertices (and forced points) into nodes and edges."""
    empty_tags = line_tags.iloc[0:0].assign(in_place=pd.Series(dtype="int64"))
    if not len(lines):
        return WalkNetwork(crs, np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64),
                           np.zeros(0), np.zeros(0, dtype=object), empty_tags.reset_index(drop=True))
    coords, li = shapely.get_coordinates(lines, return_index=True)
    keys = _keys(coords)
    # drop repeated consecutive vertices (zero-length segments) within a line
    dup = np.zeros(len(coords), dtype=bool)
    dup[1:] = (li[1:] == li[:-1]) & (keys[1:] == keys[:-1]).all(axis=1)
    coords, li, keys = coords[~dup], li[~dup], keys[~dup]
    counts = np.bincount(li, minlength=len(lines))
    good_line = counts >= 2
    if not good_line.all():  # lines that collapsed to one vertex
        keep = good_line[li]
        coords, li, keys = coords[keep], li[keep], keys[keep]
    uniq, vid = np.unique(keys, axis=0, return_inverse=True)
    vid = vid.ravel()
    first = np.ones(len(li), dtype=bool)
    first[1:] = li[1:] != li[:-1]
    last = np.ones(len(li), dtype=bool)
    last[:-1] = li[1:] != li[:-1]
    is_node_vid = np.bincount(vid, minlength=len(uniq)) >= 2
    is_node_vid[vid[first | last]] = True
    forced_keys = np.concatenate([_keys(f) for f in forced if len(f)]) if any(len(f) for f in forced) \
        else np.zeros((0, 2), dtype=np.int64)
    if len(forced_keys):
        is_node_vid[_lookup(uniq, forced_keys)] = True
    node_vids = np.flatnonzero(is_node_vid)
    node_of_vid = np.full(len(uniq), -1, dtype=np.int64)
    node_of_vid[node_vids] = np.arange(len(node_vids))
    # a node's coordinates: its first occurrence
    _, first_pos = np.unique(vid, return_index=True)
    xy = coords[first_pos[node_vids]]
    at_node = is_node_vid[vid]
    coords = coords.copy()
    coords[at_node] = xy[node_of_vid[vid[at_node]]]
    # edges: between consecutive node positions of the same line
    pos = np.flatnonzero(at_node)
    same = li[pos[:-1]] == li[pos[1:]]
    a, b = pos[:-1][same], pos[1:][same]
    n_pts = b - a + 1
    idx = np.repeat(a, n_pts) + (np.arange(n_pts.sum()) - np.repeat(np.cumsum(n_pts) - n_pts, n_pts))
    geoms = shapely.linestrings(coords[idx], indices=np.repeat(np.arange(len(a)), n_pts))
    geoms = np.asarray(geoms, dtype=object).reshape(-1)
    u, v = node_of_vid[vid[a]], node_of_vid[vid[b]]
    tags = line_tags.iloc[li[a]].reset_index(drop=True)
    if place is not None and len(geoms):
        mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
        tags["in_place"] = shapely.contains_xy(place, shapely.get_x(mid), shapely.get_y(mid)).astype(np.int64)
    else:
        tags["in_place"] = np.zeros(len(geoms), dtype=np.int64)
    entrances = np.unique(node_of_vid[_lookup(uniq, _keys(entrance_xy))]) if len(entrance_xy) \
        else np.zeros(0, dtype=np.int64)
    if len(start_xy):
        start_nodes = node_of_vid[_lookup(uniq, _keys(start_xy))]
        # one offset per start node: the smallest
        order = np.lexsort((start_off, start_nodes))
        sn, so = start_nodes[order], np.asarray(start_off, dtype=float)[order]
        keep = np.ones(len(sn), dtype=bool)
        keep[1:] = sn[1:] != sn[:-1]
        starts, offsets = sn[keep], so[keep]
    else:
        starts, offsets = np.zeros(0, dtype=np.int64), np.zeros(0)
    return WalkNetwork(crs=crs, xy=xy, u=u.astype(np.int64), v=v.astype(np.int64),
                       length=shapely.length(geoms).astype(float), geometry=geoms, tags=tags,
                       entrances=entrances.astype(np.int64), starts=starts.astype(np.int64),
                       start_offsets=offsets.astype(float))


def _lookup(uniq: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions of ``keys`` (rows) in the sorted unique key rows ``uniq``."""
    keys = np.asarray(keys, dtype=np.int64).reshape(-1, 2)
    # np.unique(axis=0) sorts rows lexicographically: search on a structured view
    dt = np.dtype([("x", np.int64), ("y", np.int64)])
    u = np.ascontiguousarray(uniq).view(dt).ravel()
    k = np.ascontiguousarray(keys).view(dt).ravel()
    pos = np.searchsorted(u, k)
    if len(k) and ((pos >= len(u)).any() or (u[np.minimum(pos, len(u) - 1)] != k).any()):
        raise AssertionError("a forced vertex is missing from the noded lines")  # pragma: no cover
    return pos
