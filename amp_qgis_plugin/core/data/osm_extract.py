"""Cut the objects near a study area out of an OSM PBF file before any object reaches Python.

Reading a whole city or country extract object by object in Python costs time and memory in
proportion to the file. This module scans the file's PBF blocks with numpy instead
(:mod:`.osm_pbf`: each block's packed varints are decoded at once, in C), keeps only what lies
near the study area, and writes that cut as a small OPL file that the layer reader and the
place-name lookup read with pyosmium exactly as they read a whole file. Memory follows the cut,
not the file: one block at a time is decoded (at most 32 MiB, the PBF limit), and what is kept
is bounded by the area around the study area.

Why not the tools named first for this: ``osmium extract`` (osmium-tool) and pyosmium's
``IdTracker``/``IdFilter`` track ids in libosmium's dense id sets, which allocate 4 MiB for
every range of 2^25 ids touched; the nodes of even a small area are spread over the whole id
range, so ``osmium extract`` of one place needs 1.6 GB on the 0.7 MB sample, and a plain
pyosmium node pass with the box test in Python takes 4.5 s on a 75 MB file (see
benchmarks/bench_large_extract.py).

What is cut (``smart`` completion, as ``osmium extract -s smart`` does it):

* the nodes inside the study-area boxes (with their tags and timestamps);
* every way whose envelope meets a box, whole: all its nodes, also those far outside;
* every multipolygon or boundary relation with a reader key whose envelope meets a box,
  whole: all member ways and their nodes (libosmium assembles it as from the whole file).

Envelopes are taken from the nodes within :data:`NEAR_MARGIN_M` of the boxes (kept, with their
locations, during the node pass). A closed way or an area relation that also runs beyond that
margin is kept whole whenever one of its nodes is within it, since its outline may surround the
study area. So an object is read exactly as from the whole file unless it reaches the study area
only along a straight stretch that starts more than the margin away (a way with no node within
1 km of the study area's box, or an open way whose nodes near the box are all on one side of it
and whose next node is beyond the margin), which does not happen in a town's streets.

Files :mod:`.osm_pbf` does not read raise :class:`UnsupportedPbfError` (the caller reads the
whole file as before); a truncated or damaged file raises :class:`CorruptPbfError`.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

from amp_qgis_plugin.core.data.osm_pbf import (
    FIXED,
    Block,
    CorruptPbfError,
    Messages,
    NodeGroup,
    PbfReader,
    UnsupportedPbfError,
    blobs_holding,
    group_nodes,
    node_groups,
    note_first,
    segment_cumsum,
    zigzag,
)
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

#: PBF files from this size (bytes) on are cut before they are read; smaller ones are read
#: whole, which is as fast for them (the 0.7 MB sample: 0.23 s whole, 0.47 s cut).
CUT_FROM_BYTES = 8 * 1024 * 1024

#: Nodes this far (m) around the study-area boxes are kept with their locations, so that the
#: envelope of every way and relation near the study area is known exactly.
NEAR_MARGIN_M = 1000.0

#: Relation types libosmium assembles into areas.
AREA_RELATION_TYPES = ("multipolygon", "boundary")
Box = Tuple[float, float, float, float]


# --- boxes ----------------------------------------------------------------------------------

class BoxSet:
    """Boxes in WGS 84, tested against points and envelopes in libosmium's fixed coordinates.

    Up to :data:`MAX_EXACT` boxes are tested one by one; more (a union of many candidates'
    study areas) through a grid of cells marked where a box reaches, a superset that never
    misses what a box holds.
    """

    MAX_EXACT = 16
    MAX_CELLS = 4_000_000

    def __init__(self, boxes: Sequence[Box]):
        if not boxes:
            raise ValueError("no box")
        self.boxes = np.array([[math.floor(w * FIXED), math.floor(s * FIXED),
                                math.ceil(e * FIXED), math.ceil(n * FIXED)]
                               for w, s, e, n in boxes], np.int64)
        self.bounds = (int(self.boxes[:, 0].min()), int(self.boxes[:, 1].min()),
                       int(self.boxes[:, 2].max()), int(self.boxes[:, 3].max()))
        self.grid: Optional[np.ndarray] = None
        if len(self.boxes) > self.MAX_EXACT:
            self._build_grid()

    def _build_grid(self) -> None:
        west, south, east, north = self.bounds
        sizes = np.minimum(self.boxes[:, 2] - self.boxes[:, 0], self.boxes[:, 3] - self.boxes[:, 1])
        cell = max(int(np.median(sizes)) // 2, 1)
        while ((east - west) // cell + 1) * ((north - south) // cell + 1) > self.MAX_CELLS:
            cell *= 2
        nx, ny = (east - west) // cell + 1, (north - south) // cell + 1
        grid = np.zeros((nx, ny), bool)
        for w, s, e, n in self.boxes:
            grid[(w - west) // cell:(e - west) // cell + 1,
                 (s - south) // cell:(n - south) // cell + 1] = True
        self.cell = cell
        self.grid = grid
        # summed-area table for envelope tests
        self.sat = np.zeros((nx + 1, ny + 1), np.int64)
        self.sat[1:, 1:] = grid.cumsum(0).cumsum(1)

    def points(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True for the points (fixed coordinates) in a box."""
        west, south, east, north = self.bounds
        inside = (x >= west) & (x <= east) & (y >= south) & (y <= north)
        if not inside.any():
            return inside
        idx = np.flatnonzero(inside)
        px, py = x[idx], y[idx]
        if self.grid is None:
            hit = np.zeros(idx.size, bool)
            for w, s, e, n in self.boxes:
                hit |= (px >= w) & (px <= e) & (py >= s) & (py <= n)
        else:
            hit = self.grid[(px - west) // self.cell, (py - south) // self.cell]
        inside[idx] = hit
        return inside

    def envelopes(self, minx: np.ndarray, miny: np.ndarray, maxx: np.ndarray,
                  maxy: np.ndarray) -> np.ndarray:
        """True for the envelopes (fixed coordinates) that meet a box."""
        west, south, east, north = self.bounds
        inside = (minx <= east) & (maxx >= west) & (miny <= north) & (maxy >= south)
        if not inside.any():
            return inside
        idx = np.flatnonzero(inside)
        ax, ay, bx, by = minx[idx], miny[idx], maxx[idx], maxy[idx]
        if self.grid is None:
            hit = np.zeros(idx.size, bool)
            for w, s, e, n in self.boxes:
                hit |= (ax <= e) & (bx >= w) & (ay <= n) & (by >= s)
        else:
            nx, ny = self.grid.shape
            x0 = np.clip((ax - west) // self.cell, 0, nx - 1)
            x1 = np.clip((bx - west) // self.cell, 0, nx - 1) + 1
            y0 = np.clip((ay - south) // self.cell, 0, ny - 1)
            y1 = np.clip((by - south) // self.cell, 0, ny - 1) + 1
            sat = self.sat
            hit = (sat[x1, y1] - sat[x0, y1] - sat[x1, y0] + sat[x0, y0]) > 0
        inside[idx] = hit
        return inside

    def grown(self, metres: float) -> "BoxSet":
        """These boxes grown by ``metres`` on every side."""
        out = []
        for w, s, e, n in self.boxes / FIXED:
            dlat = metres / 111_320.0
            lat = min(max(abs(s), abs(n)) + dlat, 89.0)
            dlon = metres / (111_320.0 * math.cos(math.radians(lat)))
            out.append((w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0)))
        return BoxSet(out)


# --- what is kept -------------------------------------------------------------------------------

@dataclass
class _Kept:
    """Objects of the cut (written to OPL at the end).

    ``nodes`` holds the tagged nodes of the study area; the nodes that ways only need for their
    geometry are kept as arrays (ids, fixed longitudes, fixed latitudes) in ``plain``.
    """

    nodes: Dict[int, Tuple[int, int, Dict[str, str], Optional[int]]] = field(default_factory=dict)
    plain: List[Tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    ways: Dict[int, Tuple[List[int], Dict[str, str], Optional[int]]] = field(default_factory=dict)
    relations: Dict[int, Tuple[List[Tuple[str, int, str]], Dict[str, str], Optional[int]]] = \
        field(default_factory=dict)


@dataclass
class CutStats:
    """What a cut read and kept (for provenance)."""

    blocks: int = 0
    blocks_read_again: int = 0
    nodes_scanned: int = 0
    ways_scanned: int = 0
    relations_scanned: int = 0
    nodes_kept: int = 0
    ways_kept: int = 0
    relations_kept: int = 0

    def as_provenance(self) -> Dict[str, str]:
        return {f"osm_cut_{k}": str(v) for k, v in self.__dict__.items()}


class _NearNodes:
    """Locations of the nodes near the study area (sorted by id), for envelopes."""

    def __init__(self) -> None:
        self._ids: List[np.ndarray] = []
        self._x: List[np.ndarray] = []
        self._y: List[np.ndarray] = []
        self.ids = np.zeros(0, np.int64)
        self.x = np.zeros(0, np.int64)
        self.y = np.zeros(0, np.int64)

    def add(self, ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
        if ids.size:
            self._ids.append(ids)
            self._x.append(x)
            self._y.append(y)

    def freeze(self) -> None:
        if self._ids:
            ids = np.concatenate([self.ids] + self._ids)
            x = np.concatenate([self.x] + self._x)
            y = np.concatenate([self.y] + self._y)
            order = np.argsort(ids, kind="stable")
            self.ids, self.x, self.y = ids[order], x[order], y[order]
            self._ids, self._x, self._y = [], [], []

    def lookup(self, refs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Index into the arrays for each ref, and whether it is known."""
        if not self.ids.size:
            return np.zeros(refs.size, np.int64), np.zeros(refs.size, bool)
        pos = np.searchsorted(self.ids, refs)
        pos = np.minimum(pos, self.ids.size - 1)
        return pos, self.ids[pos] == refs


def _way_rows(block: Block, msgs: Messages, wanted: Sequence[int], kept: _Kept,
              decoded: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> None:
    """Keep the ways ``wanted`` (rows of ``msgs``: node ids, tags, timestamp), decoded at once.

    ``decoded`` is :func:`_way_refs` of ``msgs`` when it is known already.
    """
    rows = np.asarray(wanted, np.int64)
    if not rows.size:
        return
    refs, counts = decoded if decoded is not None else _way_refs(msgs)
    starts = (np.cumsum(counts) - counts)[rows].tolist()
    sizes = counts[rows].tolist()
    keys, key_counts = msgs.packed(2, rows)
    vals, val_counts = msgs.packed(3, rows)
    if not (key_counts == val_counts).all():
        raise CorruptPbfError("a way's keys and values differ in number")
    stamps = msgs.info_timestamps(rows).tolist()
    string = block.string
    keys_s = [string(k) for k in keys.tolist()]
    vals_s = [string(v) for v in vals.tolist()]
    refs_l = refs.tolist()
    ids = msgs.ids[rows].tolist()
    at = 0
    for i, n in enumerate(key_counts.tolist()):
        tags = dict(zip(keys_s[at:at + n], vals_s[at:at + n]))
        at += n
        stamp = stamps[i]
        kept.ways[ids[i]] = (refs_l[starts[i]:starts[i] + sizes[i]], tags,
                             None if stamp < 0 else block.timestamp(stamp))


_MEMBER_TYPES = {0: "n", 1: "w", 2: "r"}


def _relation_row(block: Block, msgs: Messages, row: int
                  ) -> Tuple[List[Tuple[str, int, str]], Dict[str, str], Optional[int]]:
    roles = msgs.values(8, row)
    ids = np.cumsum(zigzag(np.array(msgs.values(9, row), np.uint64))).tolist()
    types = msgs.values(10, row)
    if not (len(roles) == len(ids) == len(types)):
        raise CorruptPbfError("a relation's members are inconsistent")
    members = [(_MEMBER_TYPES.get(t, "n"), m, block.string(r))
               for t, m, r in zip(types, ids, roles)]
    stamp = msgs.info_timestamp(row)
    return (members, block.tags(msgs.values(2, row), msgs.values(3, row)),
            None if stamp is None else block.timestamp(stamp))


def _rows_with_keys(block: Block, msgs: "Messages", rows: np.ndarray,
                    keys: Set[str]) -> np.ndarray:
    """A mask over ``rows``: the messages with one of ``keys``."""
    wanted = block.indices_of(keys)
    if not wanted.size:
        return np.zeros(rows.size, bool)
    found, counts = msgs.packed(2, rows)
    owner = np.repeat(np.arange(rows.size), counts)
    mask = np.zeros(rows.size, bool)
    mask[owner[np.isin(found, wanted)]] = True
    return mask


def _area_relation_rows(block: Block, msgs: Messages, keys: Set[str]) -> np.ndarray:
    """Rows of relations libosmium makes areas of (type multipolygon or boundary) that carry
    one of ``keys``: found on the tag indices, before any member is decoded."""
    type_key = block.indices_of({"type"})
    area_values = block.indices_of(set(AREA_RELATION_TYPES))
    wanted_keys = block.indices_of(keys)
    if not type_key.size or not area_values.size or not wanted_keys.size:
        return np.zeros(0, np.int64)
    k, counts = msgs.packed(2)
    v, value_counts = msgs.packed(3)
    if k.size != v.size or not (counts == value_counts).all():
        raise CorruptPbfError("a relation's keys and values differ in number")
    owner = np.repeat(np.arange(counts.size), counts)
    is_area = np.zeros(counts.size, bool)
    is_area[owner[np.isin(k, type_key) & np.isin(v, area_values)]] = True
    has_key = np.zeros(counts.size, bool)
    has_key[owner[np.isin(k, wanted_keys)]] = True
    return np.flatnonzero(is_area & has_key)


def _way_refs(msgs: Messages) -> Tuple[np.ndarray, np.ndarray]:
    """All ways' node ids (concatenated) and their counts."""
    deltas, counts = msgs.packed(8)
    return segment_cumsum(zigzag(deltas), counts), counts


def _complete(reader: PbfReader, kept: _Kept, near: _NearNodes, way_ids: Set[int],
              stats: CutStats) -> None:
    """Add the ways ``way_ids`` (not yet kept), then every node of the kept ways."""
    way_ids = {w for w in way_ids if w not in kept.ways}
    if way_ids:
        wanted = np.array(sorted(way_ids), np.int64)
        refs = blobs_holding(reader.blobs, "way", wanted)
        stats.blocks_read_again += len(refs)
        for _, data in reader.read(refs):
            block = Block(data)
            for group in block.groups:
                if block.group_kind(group) != "way":
                    continue
                msgs = Messages(block, *group, 0x1A, walk_all=True)
                rows = np.flatnonzero(np.isin(msgs.ids, wanted))
                _way_rows(block, msgs, rows.tolist(), kept)
    needed = np.unique(np.fromiter(chain.from_iterable(r for r, _, _ in kept.ways.values()),
                                   np.int64))
    if kept.nodes:
        needed = needed[~np.isin(needed, np.fromiter(kept.nodes, np.int64))]
    if not needed.size:
        return
    pos, known = near.lookup(needed)
    kept.plain.append((needed[known], near.x[pos[known]], near.y[pos[known]]))
    wanted = needed[~known]
    if not wanted.size:
        return
    refs = blobs_holding(reader.blobs, "node", wanted)
    stats.blocks_read_again += len(refs)
    for _, data in reader.read(refs):
        block = Block(data)
        for nodes in node_groups(block):
            hit = np.isin(nodes.ids, wanted)
            if hit.any():
                kept.plain.append((nodes.ids[hit], nodes.x[hit], nodes.y[hit]))


# --- the two cuts ---------------------------------------------------------------------------

def cut_area(path: Path, boxes: Sequence[Box], out: Path, *, keys: Sequence[str],
             margin_m: float = NEAR_MARGIN_M, feedback: Optional[Feedback] = None,
             progress: Tuple[float, float] = (0.0, 60.0)) -> CutStats:
    """Write to ``out`` (OPL) what a reader of the study-area ``boxes`` needs from ``path``.

    Parameters
    ----------
    path : Path
        A PBF file.
    boxes : sequence of (west, south, east, north)
        The study area's boxes in WGS 84 (one, or one per part of a union).
    out : Path
        The OPL file to write (in a temporary folder of the caller).
    keys : sequence of str
        Relations are kept only with one of these tag keys (those the reader reads).
    margin_m : float, optional
        Nodes this far around the boxes are kept for envelopes (:data:`NEAR_MARGIN_M`).
    feedback : Feedback, optional
        Progress and cancellation (between blocks).
    progress : (float, float)
        The progress range this cut reports in.

    Returns
    -------
    CutStats

    Raises
    ------
    UnsupportedPbfError
        When the file is not a PBF the scanner reads.
    CorruptPbfError
        When it is truncated or damaged.
    """
    target = BoxSet(boxes)
    near_boxes = target.grown(margin_m)
    reader = PbfReader(path, feedback)
    near = _NearNodes()
    kept = _Kept()
    stats = CutStats()
    # envelopes of the ways with a node near the study area: id -> (minx, miny, maxx, maxy)
    way_env_ids: List[np.ndarray] = []
    way_envs: List[np.ndarray] = []
    way_partial: List[np.ndarray] = []
    member_ways: Set[int] = set()
    key_set = set(keys)
    order_broken = False
    seen_after_nodes = False
    env_ids = np.zeros(0, np.int64)
    env = np.zeros((0, 4), np.int64)
    env_partial = np.zeros(0, bool)
    for ref, data in reader.scan(progress):
        stats.blocks += 1
        block = Block(data)
        for group in block.groups:
            kind = block.group_kind(group)
            if kind in ("dense", "node"):
                if seen_after_nodes:
                    order_broken = True
                note_first(ref, block, group, kind)
                for nodes in group_nodes(block, group):
                    stats.nodes_scanned += nodes.ids.size
                    close = near_boxes.points(nodes.x, nodes.y)
                    near.add(nodes.ids[close], nodes.x[close], nodes.y[close])
                    inside = close.copy()
                    inside[close] = target.points(nodes.x[close], nodes.y[close])
                    if inside.any():  # the tagged nodes the reader reads
                        inside &= _nodes_with(nodes, block.indices_of(key_set))
                    for i in np.flatnonzero(inside).tolist():
                        kept.nodes[int(nodes.ids[i])] = (int(nodes.x[i]), int(nodes.y[i]),
                                                         nodes.tags(i), nodes.timestamp(i))
            elif kind == "way":
                if not seen_after_nodes:
                    near.freeze()
                seen_after_nodes = True
                note_first(ref, block, group, kind)
                msgs = Messages(block, *group, 0x1A, walk_all=True)
                stats.ways_scanned += msgs.ids.size
                refs, counts = _way_refs(msgs)
                pos, known = near.lookup(refs)
                owner = np.repeat(np.arange(counts.size), counts)
                rows = np.unique(owner[known])
                if not rows.size:
                    continue
                big = np.iinfo(np.int64).max
                starts = np.cumsum(counts) - counts
                first = starts[rows]
                kx, ky = near.x[pos], near.y[pos]
                # each run reaches the next kept row; the rows between have no known node
                minx = np.minimum.reduceat(np.where(known, kx, big), first)
                miny = np.minimum.reduceat(np.where(known, ky, big), first)
                maxx = np.maximum.reduceat(np.where(known, kx, -big), first)
                maxy = np.maximum.reduceat(np.where(known, ky, -big), first)
                # ways that also run beyond the margin (their far nodes are not known yet)
                partial = np.bincount(owner[known], minlength=counts.size)[rows] < counts[rows]
                closed = refs[first] == refs[first + counts[rows] - 1]
                way_env_ids.append(msgs.ids[rows])
                way_envs.append(np.stack([minx, miny, maxx, maxy], 1))
                way_partial.append(partial)
                # an outline with a reader key that runs beyond the margin may surround the
                # study area: kept whole
                hit = target.envelopes(minx, miny, maxx, maxy)
                around = np.flatnonzero(partial & closed & ~hit)
                if around.size:
                    hit[around[_rows_with_keys(block, msgs, rows[around], key_set)]] = True
                hit = rows[hit]
                if hit.size:  # ways the reader reads, and untagged ones (multipolygon members)
                    untagged = msgs.ranges[2][0][hit] < 0
                    hit = hit[untagged | _rows_with_keys(block, msgs, hit, key_set)]
                _way_rows(block, msgs, hit, kept, (refs, counts))
            elif kind == "relation":
                if not seen_after_nodes:
                    near.freeze()
                seen_after_nodes = True
                if way_env_ids:
                    env_ids = np.concatenate([env_ids] + way_env_ids)
                    env = np.concatenate([env] + way_envs)
                    env_partial = np.concatenate([env_partial] + way_partial)
                    order = np.argsort(env_ids, kind="stable")
                    env_ids, env, env_partial = env_ids[order], env[order], env_partial[order]
                    way_env_ids, way_envs, way_partial = [], [], []
                note_first(ref, block, group, kind)
                msgs = Messages(block, *group, 0x22)
                stats.relations_scanned += msgs.ids.size
                if not env_ids.size:
                    continue
                rows = _area_relation_rows(block, msgs, key_set)
                if not rows.size:
                    continue
                memids, counts = msgs.packed(9, rows)
                memids = segment_cumsum(zigzag(memids), counts)
                types, type_counts = msgs.packed(10, rows)
                if types.size != memids.size or not (type_counts == counts).all():
                    raise CorruptPbfError("a relation's members are inconsistent")
                pos = np.minimum(np.searchsorted(env_ids, memids), env_ids.size - 1)
                is_way = types == 1
                near_member = is_way & (env_ids[pos] == memids)
                if not near_member.any():
                    continue
                member_owner = np.repeat(np.arange(counts.size), counts)
                # members beyond the margin (far, or running beyond it): the outline may
                # surround the study area, so such a relation with a near member is kept whole
                beyond = np.zeros(counts.size, bool)
                beyond[member_owner[is_way & ~near_member]] = True
                beyond[member_owner[near_member][env_partial[pos[near_member]]]] = True
                owner = member_owner[near_member]
                box = env[pos[near_member]]
                starts = np.flatnonzero(np.diff(owner, prepend=-1))  # owner is sorted
                hit = target.envelopes(np.minimum.reduceat(box[:, 0], starts),
                                       np.minimum.reduceat(box[:, 1], starts),
                                       np.maximum.reduceat(box[:, 2], starts),
                                       np.maximum.reduceat(box[:, 3], starts))
                hit |= beyond[owner[starts]]
                for row in rows[owner[starts[hit]]].tolist():
                    members, tags, stamp = _relation_row(block, msgs, row)
                    rel_id = int(msgs.ids[row])
                    kept.relations[rel_id] = (members, tags, stamp)
                    member_ways.update(m for t, m, _ in members if t == "w")
    if order_broken:
        raise UnsupportedPbfError("nodes come after ways or relations (the file is not sorted)")
    near.freeze()
    check_cancelled(feedback)
    _complete(reader, kept, near, member_ways, stats)
    check_cancelled(feedback)
    write_opl(kept, out)
    stats.nodes_kept = len(kept.nodes) + sum(ids.size for ids, _, _ in kept.plain)
    stats.ways_kept = len(kept.ways)
    stats.relations_kept = len(kept.relations)
    return stats


def table_entry_pattern(name: str) -> "re.Pattern[str]":
    """A pattern that finds, in a case-folded string table decoded as text, every entry that
    is ``name`` once stripped and case-folded (and a few more: it is a pre-filter).

    An entry is stored as the byte 0x0A, its length (one byte, or two for long strings, which
    decode to one or two characters) and its UTF-8 bytes; the next entry starts with 0x0A again.

    Examples
    --------
    >>> table = "\\n\\x05Torig\\n\\x0e Torget (1,2)\\n\\x07 Torget".casefold()
    >>> bool(table_entry_pattern("torget").search(table))
    True
    >>> bool(table_entry_pattern("torget").search(table[:-8]))
    False
    """
    return re.compile(r"\n(?:\ufffd.|.)\s*" + re.escape(name) + r"\s*(?=\n|\Z)", re.S)


def cut_named(path: Path, matches: Callable[[Dict[str, str]], bool], name: str,
              keys: Sequence[str], out: Path, *, feedback: Optional[Feedback] = None
              ) -> CutStats:
    """Write to ``out`` (OPL) every object that may carry ``name``, complete.

    A block is looked at only when its string table holds ``name`` (case-folded); there, every
    object with one of ``keys`` whose tags satisfy ``matches`` is kept, with all member ways of a
    relation and all nodes of its ways, so libosmium builds its geometry as from the whole file.

    Parameters
    ----------
    path : Path
        A PBF file.
    matches : callable
        ``matches(tags)`` is True for an object carrying the name.
    name : str
        The name, case-folded and stripped (the block pre-filter).
    keys : sequence of str
        The name keys.
    out : Path
        The OPL file to write.
    feedback : Feedback, optional
        Cancellation.

    Returns
    -------
    CutStats
    """
    reader = PbfReader(path, feedback)
    kept = _Kept()
    stats = CutStats()
    member_ways: Set[int] = set()
    key_set = set(keys)
    pattern = table_entry_pattern(name)
    for ref, data in reader.scan((0.0, 0.0)):
        stats.blocks += 1
        block = Block(data)
        wanted_here = bool(pattern.search(block.table_text().casefold()))
        for group in block.groups:
            kind = block.group_kind(group)
            note_first(ref, block, group, kind)
            if not wanted_here:
                continue
            if kind in ("dense", "node"):
                for nodes in group_nodes(block, group):
                    stats.nodes_scanned += nodes.ids.size
                    for i in _named_nodes(nodes, key_set, name):
                        tags = nodes.tags(i)
                        if matches(tags):
                            kept.nodes[int(nodes.ids[i])] = (int(nodes.x[i]), int(nodes.y[i]),
                                                             tags, nodes.timestamp(i))
            elif kind == "way":
                msgs = Messages(block, *group, 0x1A, walk_all=True)
                stats.ways_scanned += msgs.ids.size
                _way_rows(block, msgs, _named_rows(block, msgs, key_set, name, matches), kept)
            elif kind == "relation":
                msgs = Messages(block, *group, 0x22)
                stats.relations_scanned += msgs.ids.size
                for row in _named_rows(block, msgs, key_set, name, matches):
                    members, tags, stamp = _relation_row(block, msgs, row)
                    kept.relations[int(msgs.ids[row])] = (members, tags, stamp)
                    member_ways.update(m for t, m, _ in members if t == "w")
    check_cancelled(feedback)
    _complete(reader, kept, _NearNodes(), member_ways, stats)
    write_opl(kept, out)
    stats.nodes_kept = len(kept.nodes) + sum(ids.size for ids, _, _ in kept.plain)
    stats.ways_kept = len(kept.ways)
    stats.relations_kept = len(kept.relations)
    return stats


def _name_ids(block: Block, keys: Set[str], wanted: str) -> Tuple[np.ndarray, np.ndarray]:
    """String-table indices of the name keys, and of the entries that are ``wanted``."""
    table = block.strings()
    key_ids = [i for i, s in enumerate(table) if s in keys]
    value_ids = [i for i, s in enumerate(table) if s.strip().casefold() == wanted]
    return np.array(key_ids, np.uint64), np.array(value_ids, np.uint64)


def _named_rows(block: Block, msgs: Messages, keys: Set[str], wanted: str,
                matches: Callable[[Dict[str, str]], bool]) -> List[int]:
    """Rows of ``msgs`` with a name key whose value is ``wanted`` and whose tags match."""
    key_ids, value_ids = _name_ids(block, keys, wanted)
    if not key_ids.size or not value_ids.size:
        return []
    k, counts = msgs.packed(2)
    v, value_counts = msgs.packed(3)
    if k.size != v.size or not (counts == value_counts).all():
        raise CorruptPbfError("an object's keys and values differ in number")
    owner = np.repeat(np.arange(counts.size), counts)
    rows = np.unique(owner[np.isin(k, key_ids) & np.isin(v, value_ids)]).tolist()
    return [r for r in rows if matches(block.tags(msgs.values(2, r), msgs.values(3, r)))]


def _named_nodes(nodes: NodeGroup, keys: Set[str], wanted: str) -> List[int]:
    """Indices of the nodes with a name key whose value is ``wanted``."""
    key_ids, value_ids = _name_ids(nodes.block, keys, wanted)
    if not key_ids.size or not value_ids.size:
        return []
    return np.flatnonzero(_nodes_with(nodes, key_ids, value_ids)).tolist()


def _nodes_with(nodes: NodeGroup, key_ids: np.ndarray,
                value_ids: Optional[np.ndarray] = None) -> np.ndarray:
    """A mask over the nodes: those with a tag whose key (and value, if given) is one of these
    string-table indices."""
    hit = np.zeros(nodes.ids.size, bool)
    kv, zeros, _ = nodes._tag_runs()
    if not kv.size or not key_ids.size:
        return hit
    tokens = np.flatnonzero(kv)
    owner = np.searchsorted(zeros, tokens)
    run_start = np.where(owner > 0, zeros[np.maximum(owner - 1, 0)] + 1, 0)
    is_key = (tokens - run_start) % 2 == 0
    keys_at, owner_k = tokens[is_key], owner[is_key]
    match = np.isin(kv[keys_at].astype(np.uint64), key_ids)
    if value_ids is not None:
        values_at = np.minimum(keys_at + 1, kv.size - 1)
        match &= np.isin(kv[values_at].astype(np.uint64), value_ids)
    hit[owner_k[match]] = True
    return hit


# --- OPL ----------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-/]")


@functools.lru_cache(maxsize=65536)
def _escape(text: str) -> str:
    """OPL's escaping: anything but plain characters as ``%hex%``.

    Examples
    --------
    >>> _escape("Senaatintori, Helsinki")
    'Senaatintori%2c%%20%Helsinki'
    """
    return _UNSAFE.sub(lambda m: f"%{ord(m.group()):x}%", text)


def _coordinate(fixed: int) -> str:
    sign = "-" if fixed < 0 else ""
    whole, frac = divmod(abs(fixed), FIXED)
    return f"{sign}{whole}.{frac:07d}"


@functools.lru_cache(maxsize=65536)
def _when(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).strftime(" t%Y-%m-%dT%H:%M:%SZ")


def _meta(tags: Dict[str, str], stamp: Optional[int]) -> str:
    text = _when(stamp) if stamp else ""
    return text + " T" + ",".join([f"{_escape(k)}={_escape(v)}" for k, v in tags.items()])


def write_opl(kept: _Kept, out: Path) -> None:
    """Write the kept objects as OPL, sorted by type and id."""
    if kept.plain:
        ids = np.concatenate([p[0] for p in kept.plain])
        xs = np.concatenate([p[1] for p in kept.plain])
        ys = np.concatenate([p[2] for p in kept.plain])
        ids, first = np.unique(ids, return_index=True)
        xs, ys = xs[first], ys[first]
        plain = ~np.isin(ids, np.fromiter(kept.nodes, np.int64)) if kept.nodes else \
            np.ones(ids.size, bool)
        ids, xs, ys = ids[plain], xs[plain], ys[plain]
    else:
        ids = xs = ys = np.zeros(0, np.int64)
    tagged = sorted(kept.nodes)
    order = np.argsort(np.concatenate([ids, np.array(tagged, np.int64)]), kind="stable")
    x_text, y_text = _coordinates(xs), _coordinates(ys)
    id_list = ids.tolist()
    with open(out, "w", encoding="utf-8") as fh:
        lines = []
        for i in order.tolist():
            if i < len(id_list):
                lines.append(f"n{id_list[i]} T x{x_text[i]} y{y_text[i]}\n")
            else:
                node_id = tagged[i - len(id_list)]
                x, y, tags, stamp = kept.nodes[node_id]
                lines.append(f"n{node_id}{_meta(tags, stamp)} x{_coordinate(x)} "
                             f"y{_coordinate(y)}\n")
            if len(lines) >= 65536:
                fh.writelines(lines)
                lines = []
        fh.writelines(lines)
        for way_id in sorted(kept.ways):
            refs, tags, stamp = kept.ways[way_id]
            nodes = "n" + ",n".join(map(str, refs)) if refs else ""
            fh.write(f"w{way_id}{_meta(tags, stamp)} N{nodes}\n")
        for rel_id in sorted(kept.relations):
            members, tags, stamp = kept.relations[rel_id]
            fh.write(f"r{rel_id}{_meta(tags, stamp)} M"
                     + ",".join(f"{t}{m}@{_escape(role)}" for t, m, role in members) + "\n")


def _coordinates(fixed: np.ndarray) -> List[str]:
    """Fixed coordinates as OPL decimals, all at once (see :func:`_coordinate`)."""
    whole, frac = np.divmod(np.abs(fixed), FIXED)
    sign = np.where(fixed < 0, "-", "")
    return [f"{s}{w}.{f:07d}" for s, w, f in zip(sign.tolist(), whole.tolist(), frac.tolist())]


__all__ = ["AREA_RELATION_TYPES", "BoxSet", "CUT_FROM_BYTES", "CorruptPbfError", "CutStats",
           "NEAR_MARGIN_M", "UnsupportedPbfError", "cut_area", "cut_named", "table_entry_pattern",
           "write_opl"]
