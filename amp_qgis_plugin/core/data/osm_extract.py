"""Cut the objects near a study area out of an OSM PBF file before any object reaches Python.

Reading a whole city or country extract object by object in Python costs time and memory in
proportion to the file. This module scans the file's PBF blocks with numpy instead (each
block's packed varints are decoded at once, in C), keeps only what lies near the study area,
and writes that cut as a small OPL file that the layer reader and the place-name lookup read
with pyosmium exactly as they read a whole file. Memory follows the cut, not the file: one
block at a time is decoded (at most 32 MiB, the PBF limit), and what is kept is bounded by the
area around the study area.

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

Only uncompressed, zlib- or lzma-compressed PBF blocks of current data (no history, no
locations on ways) are scanned; anything else raises :class:`UnsupportedPbfError` and the caller
reads the whole file as before. A truncated or damaged file raises :class:`CorruptPbfError`.
"""

from __future__ import annotations

import bisect
import functools
import lzma
import math
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np

from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

#: PBF files from this size (bytes) on are cut before they are read; smaller ones are read
#: whole, which is as fast for them (the 0.7 MB sample: 0.23 s whole, 0.47 s cut).
CUT_FROM_BYTES = 8 * 1024 * 1024

#: Nodes this far (m) around the study-area boxes are kept with their locations, so that the
#: envelope of every way and relation near the study area is known exactly.
NEAR_MARGIN_M = 1000.0

#: PBF limits (the format's own: a BlobHeader is at most 64 KiB, a blob at most 32 MiB).
MAX_BLOB_HEADER = 64 * 1024
MAX_BLOB = 32 * 1024 * 1024

#: Relation types libosmium assembles into areas.
AREA_RELATION_TYPES = ("multipolygon", "boundary")

#: Header features the scanner reads; any other required feature makes the file unsupported.
_KNOWN_FEATURES = {"OsmSchema-V0.6", "DenseNodes"}

_FIXED = 10 ** 7  # libosmium's coordinate precision (1e-7 degree)
Box = Tuple[float, float, float, float]


class UnsupportedPbfError(Exception):
    """The file is not a PBF the scanner reads (history, locations on ways, another
    compression ...): read the whole file with libosmium instead."""


class CorruptPbfError(ValueError):
    """The PBF file is truncated or damaged."""


# --- varints ------------------------------------------------------------------------------

def _varint(buf: bytes, pos: int) -> Tuple[int, int]:
    """Decode one varint of ``buf`` at ``pos``; return the value and the next position."""
    result, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise CorruptPbfError("a varint runs past the end of its block")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes, start: int, end: int) -> Iterator[Tuple[int, int, int, int]]:
    """Walk the fields of one protobuf message in ``buf[start:end]``.

    Yields ``(field, wire_type, a, b)``: for a varint ``a`` is the value; for a length-delimited
    field ``buf[a:b]`` is the payload.
    """
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        wire = key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield key >> 3, 0, value, pos
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise CorruptPbfError("a field runs past the end of its message")
            yield key >> 3, 2, pos, pos + length
            pos += length
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise CorruptPbfError(f"unknown protobuf wire type {wire}")
    if pos != end:
        raise CorruptPbfError("a message runs past its end")


def decode_varints(data: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a byte array made only of varints, all at once.

    Parameters
    ----------
    data : ndarray of uint8
        Concatenated varints (a packed field, or a whole message made only of varint and
        length-delimited varint fields).

    Returns
    -------
    values : ndarray of uint64
    starts, ends : ndarray of int64
        Byte offsets of each varint (``ends`` exclusive).

    Examples
    --------
    >>> v, s, e = decode_varints(np.array([0x08, 0xAC, 0x02, 0x01], np.uint8))
    >>> v.tolist(), s.tolist(), e.tolist()
    ([8, 300, 1], [0, 1, 3], [1, 3, 4])
    """
    n = data.size
    if n == 0:
        empty = np.zeros(0, np.int64)
        return np.zeros(0, np.uint64), empty, empty
    is_end = data < 0x80
    if not is_end[-1]:
        raise CorruptPbfError("a varint runs past the end of its field")
    ends = np.flatnonzero(is_end)
    starts = np.empty(ends.size, np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    if ends.size == n:  # every varint is one byte
        return data.astype(np.uint64), starts, starts + 1
    extra = ends - starts  # bytes after the first of each varint
    if int(extra.max()) > 9:
        raise CorruptPbfError("a varint is longer than 10 bytes")
    values = (data[starts] & 0x7F).astype(np.uint64)
    rows = np.flatnonzero(extra)
    k = 1
    while rows.size:  # the k-th byte of the varints that have one
        values[rows] |= (data[starts[rows] + k] & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        rows = rows[extra[rows] > k]
        k += 1
    return values, starts, ends + 1


def zigzag(values: np.ndarray) -> np.ndarray:
    """Protobuf's sint64 decoding: 0, 1, 2, 3 ... -> 0, -1, 1, -2 ...

    Examples
    --------
    >>> zigzag(np.array([0, 1, 2, 3, 4], np.uint64)).tolist()
    [0, -1, 1, -2, 2]
    """
    v = values.astype(np.uint64)
    return ((v >> np.uint64(1)).astype(np.int64)) ^ -((v & np.uint64(1)).astype(np.int64))


def _segment_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (delta decoding of many packed fields)."""
    sums = np.cumsum(values)
    first = np.cumsum(counts) - counts
    offset = np.zeros(counts.size, values.dtype)
    filled = counts > 0
    offset[filled] = sums[first[filled]] - values[first[filled]]
    return sums - np.repeat(offset, counts)


def _gather(tokens: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Concatenate ``tokens[lo[i]:hi[i]]`` for all i (absent fields have lo = hi = -1)."""
    counts = np.where(lo >= 0, hi - lo, 0)
    total = int(counts.sum())
    first = np.cumsum(counts) - counts
    index = np.arange(total) - np.repeat(first - lo, counts)
    return tokens[index], counts


def fixed_coordinate(raw: np.ndarray, granularity: int, offset: int) -> np.ndarray:
    """PBF coordinates to libosmium's fixed 1e-7 degree integers (truncated like C++).

    Examples
    --------
    >>> fixed_coordinate(np.array([249370245, -249370245]), 100, 0).tolist()
    [249370245, -249370245]
    >>> fixed_coordinate(np.array([-7]), 10, 0).tolist()  # -70 nanodegrees: 0, as in C++
    [0]
    """
    nano = raw.astype(np.int64) * granularity + offset
    return np.sign(nano) * (np.abs(nano) // 100)


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
        self.boxes = np.array([[math.floor(w * _FIXED), math.floor(s * _FIXED),
                                math.ceil(e * _FIXED), math.ceil(n * _FIXED)]
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
        for w, s, e, n in self.boxes / _FIXED:
            dlat = metres / 111_320.0
            lat = min(max(abs(s), abs(n)) + dlat, 89.0)
            dlon = metres / (111_320.0 * math.cos(math.radians(lat)))
            out.append((w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0)))
        return BoxSet(out)


# --- blocks -----------------------------------------------------------------------------------

@dataclass
class _BlobRef:
    """Where a data blob is, and what it holds (learnt on the first pass)."""

    offset: int
    size: int
    first: Dict[str, int] = field(default_factory=dict)  # kind -> id of its first object


def _unpack_blob(blob: bytes) -> bytes:
    """The uncompressed content of a Blob message."""
    raw_size = None
    for number, _, a, _ in _fields(blob, 0, len(blob)):
        if number == 2:
            raw_size = a
            if raw_size > MAX_BLOB:
                raise CorruptPbfError(f"a block claims {raw_size} bytes, more than the PBF limit")
    for number, wire, a, b in _fields(blob, 0, len(blob)):
        if number == 1 and wire == 2:
            return blob[a:b]
        if number == 3 and wire == 2:
            inflater = zlib.decompressobj()
            try:
                out = inflater.decompress(blob[a:b], MAX_BLOB)
            except zlib.error as exc:
                raise CorruptPbfError(f"a block does not decompress ({exc})") from exc
            if inflater.unconsumed_tail or not inflater.eof:
                raise CorruptPbfError("a block is truncated or larger than the PBF limit")
            if raw_size is not None and len(out) != raw_size:
                raise CorruptPbfError("a block's size differs from its header")
            return out
        if number == 4 and wire == 2:
            try:
                out = lzma.LZMADecompressor().decompress(blob[a:b], MAX_BLOB)
            except lzma.LZMAError as exc:
                raise CorruptPbfError(f"a block does not decompress ({exc})") from exc
            return out
        if number in (5, 6, 7):
            raise UnsupportedPbfError("blocks compressed with bzip2, lz4 or zstd")
    raise CorruptPbfError("a block holds no data")


#: Blobs decompressed ahead by helper threads (zlib releases the GIL, so decompressing the
#: next blocks overlaps decoding this one).
PREFETCH = 6
DECOMPRESSORS = 2


def _decompressed(raw: Iterator[Tuple[_BlobRef, bytes]]) -> Iterator[Tuple[_BlobRef, bytes]]:
    """Decompress ``raw`` blobs in a helper thread, a few ahead, yielding them in order."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=DECOMPRESSORS, thread_name_prefix="amp-pbf")
    pending: deque = deque()
    try:
        for ref, blob in raw:
            pending.append((ref, pool.submit(_unpack_blob, blob)))
            if len(pending) >= PREFETCH:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Reader:
    """Sequential or random access to the blobs of a PBF file."""

    def __init__(self, path: Path, feedback: Optional[Feedback]):
        self.path = path
        self.size = path.stat().st_size
        self.feedback = feedback
        self.blobs: List[_BlobRef] = []

    def scan(self, progress: Tuple[float, float]) -> Iterator[Tuple[_BlobRef, bytes]]:
        """Every data blob of the file in order, decompressed; records :attr:`blobs`."""
        return _decompressed(self._raw(progress))

    def _raw(self, progress: Tuple[float, float]) -> Iterator[Tuple[_BlobRef, bytes]]:
        lo, hi = progress
        with open(self.path, "rb") as fh:
            offset, seen_header = 0, False
            while True:
                head = fh.read(4)
                if not head:
                    break
                if len(head) < 4:
                    raise CorruptPbfError("the file ends inside a block header")
                (length,) = struct.unpack(">I", head)
                if length > MAX_BLOB_HEADER:
                    raise CorruptPbfError("a block header is larger than the PBF limit")
                header = fh.read(length)
                if len(header) < length:
                    raise CorruptPbfError("the file ends inside a block header")
                kind, size = b"", -1
                for number, wire, a, b in _fields(header, 0, len(header)):
                    if number == 1 and wire == 2:
                        kind = header[a:b]
                    elif number == 3 and wire == 0:
                        size = a
                if size < 0 or size > MAX_BLOB:
                    raise CorruptPbfError("a block's size is missing or larger than the PBF limit")
                blob = fh.read(size)
                if len(blob) < size:
                    raise CorruptPbfError("the file ends inside a block")
                start = offset + 4 + length
                offset = start + size
                if kind == b"OSMHeader":
                    self._check_header(_unpack_blob(blob))
                    seen_header = True
                elif kind == b"OSMData":
                    if not seen_header:
                        raise CorruptPbfError("data comes before the file header")
                    ref = _BlobRef(start, size)
                    self.blobs.append(ref)
                    if len(self.blobs) % 8 == 0:
                        check_cancelled(self.feedback)
                        if self.feedback is not None and hi > lo:
                            self.feedback.setProgress(lo + (hi - lo) * offset / self.size)
                    yield ref, blob

    def read(self, refs: Sequence[_BlobRef]) -> Iterator[Tuple[_BlobRef, bytes]]:
        """The given blobs again, decompressed."""
        def raw() -> Iterator[Tuple[_BlobRef, bytes]]:
            with open(self.path, "rb") as fh:
                for i, ref in enumerate(refs):
                    if i % 8 == 0:
                        check_cancelled(self.feedback)
                    fh.seek(ref.offset)
                    yield ref, fh.read(ref.size)
        return _decompressed(raw())

    @staticmethod
    def _check_header(data: bytes) -> None:
        for number, wire, a, b in _fields(data, 0, len(data)):
            if number == 4 and wire == 2:
                feature = data[a:b].decode("utf-8", "replace")
                if feature not in _KNOWN_FEATURES:
                    raise UnsupportedPbfError(f"the file requires the PBF feature {feature}")


class _Block:
    """One decompressed PrimitiveBlock: string table, coordinates and its groups."""

    def __init__(self, data: bytes):
        self.data = data
        self.granularity, self.lat_offset, self.lon_offset, self.date_granularity = 100, 0, 0, 1000
        self.table = (0, 0)
        self.groups: List[Tuple[int, int]] = []
        for number, wire, a, b in _fields(data, 0, len(data)):
            if number == 1 and wire == 2:
                self.table = (a, b)
            elif number == 2 and wire == 2:
                self.groups.append((a, b))
            elif number == 17 and wire == 0:
                self.granularity = a
            elif number == 18 and wire == 0:
                self.date_granularity = a
            elif number == 19 and wire == 0:
                self.lat_offset = a - (1 << 64) if a >= 1 << 63 else a
            elif number == 20 and wire == 0:
                self.lon_offset = a - (1 << 64) if a >= 1 << 63 else a
        self._strings: Optional[List[str]] = None
        self._bounds: Optional[Tuple[List[int], List[int]]] = None
        self._decoded: Dict[int, str] = {}

    def _entry_bounds(self) -> Tuple[List[int], List[int]]:
        """Where each string of the table starts and ends (found all at once)."""
        if self._bounds is None:
            a, b = self.table
            starts, ends = message_bounds(np.frombuffer(self.data, np.uint8, b - a, a), 0x0A)
            self._bounds = ((starts + a).tolist(), (ends + a).tolist())
        return self._bounds

    def string(self, index: int) -> str:
        """One string of the table (decoded once)."""
        text = self._decoded.get(index)
        if text is None:
            starts, ends = self._entry_bounds()
            if not 0 <= index < len(starts):
                raise CorruptPbfError("a tag points past the string table")
            text = self._decoded[index] = \
                self.data[starts[index]:ends[index]].decode("utf-8", "replace")
        return text

    def indices_of(self, texts: Set[str]) -> np.ndarray:
        """The table indices of the strings equal to one of ``texts`` (found by byte search,
        without decoding the table)."""
        a, b = self.table
        starts = self._entry_bounds()[0]
        found = []
        for text in texts:
            raw = text.encode("utf-8")
            if len(raw) >= 0x80:
                continue
            needle = bytes((0x0A, len(raw))) + raw
            at = self.data.find(needle, a, b)
            while at >= 0:
                i = bisect.bisect_left(starts, at + 2)
                if i < len(starts) and starts[i] == at + 2:
                    found.append(i)
                at = self.data.find(needle, at + 1, b)
        return np.array(sorted(found), np.uint64)

    def strings(self) -> List[str]:
        """The block's whole string table, decoded."""
        if self._strings is None:
            self._strings = [self.string(i) for i in range(len(self._entry_bounds()[0]))]
        return self._strings

    def table_text(self) -> str:
        """The whole string table as text, for a fast containment test."""
        return self.data[self.table[0]:self.table[1]].decode("utf-8", "replace")

    def group_kind(self, group: Tuple[int, int]) -> str:
        a, b = group
        if a == b:
            return ""
        key = self.data[a]
        return {0x0A: "node", 0x12: "dense", 0x1A: "way", 0x22: "relation"}.get(key, "other")

    def tags(self, keys: Sequence[int], vals: Sequence[int]) -> Dict[str, str]:
        string = self.string
        return {string(k): string(v) for k, v in zip(keys, vals)}

    def timestamp(self, raw: int) -> int:
        return raw * self.date_granularity // 1000


class _Dense:
    """The nodes of a node group: ids and fixed coordinates; tags and timestamps on demand."""

    def __init__(self, block: "_Block", ids: np.ndarray, x: np.ndarray, y: np.ndarray,
                 kv_range: Optional[Tuple[int, int]] = None,
                 stamp_range: Optional[Tuple[int, int]] = None):
        self.block, self.ids, self.x, self.y = block, ids, x, y
        self._kv_range, self._stamp_range = kv_range, stamp_range
        self._kv: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]] = None
        self._stamps: Optional[np.ndarray] = None

    def _packed(self, rng: Tuple[int, int]) -> np.ndarray:
        data = self.block.data
        return decode_varints(np.frombuffer(data, np.uint8, rng[1] - rng[0], rng[0]))[0]

    def _tag_runs(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._kv is None:
            n = self.ids.size
            kv = self._packed(self._kv_range).astype(np.int64) if self._kv_range \
                else np.zeros(0, np.int64)
            if kv.size:
                zeros = np.flatnonzero(kv == 0)
                if zeros.size != n:
                    raise CorruptPbfError("a node block's tags do not match its nodes")
                prev = np.concatenate(([-1], zeros[:-1]))
                self._kv = (kv, zeros, zeros - prev - 1)
            else:
                self._kv = (kv, np.full(n, -1, np.int64), np.zeros(n, np.int64))
        return self._kv

    def set_tags(self, kv: np.ndarray, ends: np.ndarray, counts: np.ndarray,
                 stamps: np.ndarray) -> None:
        self._kv, self._stamps = (kv, ends, counts), stamps

    def has_tags(self) -> np.ndarray:
        """True for the nodes with at least one tag."""
        return self._tag_runs()[2] > 0

    def tags(self, i: int) -> Dict[str, str]:
        kv, ends, counts = self._tag_runs()
        count = int(counts[i])
        if count <= 0:
            return {}
        end = int(ends[i])
        pairs = kv[end - count:end].tolist()
        return self.block.tags(pairs[0::2], pairs[1::2])

    def timestamp(self, i: int) -> Optional[int]:
        if self._stamps is None and self._stamp_range is not None:
            raw = np.cumsum(zigzag(self._packed(self._stamp_range)))
            self._stamps = raw if raw.size == self.ids.size else np.zeros(0, np.int64)
        if self._stamps is None or not self._stamps.size:
            return None
        return self.block.timestamp(int(self._stamps[i]))


def _dense(block: "_Block", a: int, b: int) -> _Dense:
    """Decode a DenseNodes group's ids and coordinates (tags and timestamps wait until asked)."""
    data = block.data
    parts: Dict[int, Tuple[int, int]] = {}
    stamps = None
    for number, wire, pa, pb in _fields(data, a, b):
        if wire != 2:
            continue
        if number in (1, 8, 9, 10):
            parts[number] = (pa, pb)
        elif number == 5:
            for f, w, x, y in _fields(data, pa, pb):
                if f == 2 and w == 2:
                    stamps = (x, y)

    def packed(number: int) -> np.ndarray:
        rng = parts.get(number)
        if rng is None:
            return np.zeros(0, np.uint64)
        return decode_varints(np.frombuffer(data, np.uint8, rng[1] - rng[0], rng[0]))[0]

    ids = np.cumsum(zigzag(packed(1)))
    lat = np.cumsum(zigzag(packed(8)))
    lon = np.cumsum(zigzag(packed(9)))
    if not (ids.size == lat.size == lon.size):
        raise CorruptPbfError("a node block's ids and coordinates differ in number")
    return _Dense(block, ids, fixed_coordinate(lon, block.granularity, block.lon_offset),
                  fixed_coordinate(lat, block.granularity, block.lat_offset),
                  parts.get(10), stamps)


def varints_at(data: np.ndarray, positions: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Decode the varints that start at ``positions`` of ``data``, all at once.

    Returns the values and their lengths in bytes (-1 where a varint runs past the end).

    Examples
    --------
    >>> v, n = varints_at(np.array([0xAC, 0x02, 0x05, 0x80], np.uint8), np.array([0, 2, 3]))
    >>> v.tolist(), n.tolist()
    ([300, 5, 0], [2, 1, -1])
    """
    values = np.zeros(positions.size, np.uint64)
    lengths = np.full(positions.size, -1, np.int64)
    active = np.arange(positions.size)
    for k in range(10):
        at = positions[active] + k
        inside = at < data.size
        active, at = active[inside], at[inside]
        if not active.size:
            break
        byte = data[at]
        values[active] |= (byte & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        done = byte < 0x80
        lengths[active[done]] = k + 1
        active = active[~done]
    return values, lengths


def message_bounds(stream: np.ndarray, tag: int) -> Tuple[np.ndarray, np.ndarray]:
    """Where each message of a repeated field (all with key byte ``tag``) starts and ends.

    The messages follow each other (key, length, payload), so each one's place depends on the
    one before. Instead of walking them in Python, every byte equal to ``tag`` is taken as a
    possible start, its successor computed, and the chain from the first byte followed by
    pointer doubling: about log2(number of messages) gathers over the candidates.

    Returns the payload start and end offsets (in ``stream``) of each message, in order.

    Examples
    --------
    >>> s = np.array([0x1A, 2, 0x1A, 0x1A, 0x1A, 1, 7], np.uint8)  # 2 messages; bytes 2-3 payload
    >>> [x.tolist() for x in message_bounds(s, 0x1A)]
    [[2, 6], [4, 7]]
    """
    size = stream.size
    if size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    if stream[0] != tag:
        raise UnsupportedPbfError("a group mixes kinds of objects")
    cand = np.flatnonzero(stream == tag)
    length, length_size = varints_at(stream, cand + 1)
    start = cand + 1 + length_size
    nxt = start + length.astype(np.int64)
    n = cand.size
    end_sink, bad_sink = n, n + 1
    idx = np.minimum(np.searchsorted(cand, nxt), n - 1)
    step = np.where(cand[idx] == nxt, idx, bad_sink)
    step[nxt == size] = end_sink
    step[(length_size < 0) | (nxt > size)] = bad_sink
    jump = np.concatenate([step, [end_sink, bad_sink]])
    chain = np.zeros(1, np.int64)
    while jump[0] < n:  # f^(2^k)(first) is a message not yet in the chain
        chain = np.concatenate([chain, jump[chain]])
        jump = jump[jump]
    chain = chain[chain < n]
    chain = np.unique(chain)
    # the chain must walk message by message to the end of the stream
    last = step[chain[-1]]
    if last != end_sink or (step[chain[:-1]] >= n).any() or \
            not (step[chain[:-1]] == chain[1:]).all():
        raise CorruptPbfError("a message runs past the end of its group")
    return start[chain], nxt[chain]


#: The length-delimited fields of Way and Relation messages the scanner reads.
_PACKED_FIELDS = (2, 3, 4, 8, 9, 10)


class _ByteMessages:
    """The Way or Relation messages of a group, walked all at once; fields as byte ranges.

    The messages' bounds come from :func:`message_bounds`; their fields are then found one
    round at a time for all messages together (key byte, then a varint value or length), and a
    packed field is decoded only when asked for, for the messages asked for (a relation's
    members only for the relations that may be kept).
    """

    def __init__(self, block: "_Block", a: int, b: int, tag: int, walk_all: bool = False):
        self.data = block.data
        stream = np.frombuffer(self.data, np.uint8, b - a, a)
        starts, ends = message_bounds(stream, tag)
        n = starts.size
        # all messages' fields at once, one field per round; without ``walk_all`` only the id,
        # keys and values that lead each message, the rest is walked when asked for
        pos = starts.copy()
        ids = np.zeros(n, np.uint64)
        self.ranges = {f: (np.full(n, -1, np.int64), np.full(n, -1, np.int64))
                       for f in _PACKED_FIELDS}
        active = np.flatnonzero(pos < ends)
        while active.size:
            key = stream[pos[active]]
            number = key >> 3
            if not walk_all:
                going = number <= 3
                active, key, number = active[going], key[going], number[going]
                if not active.size:
                    break
            wire = key & 7
            if (key >= 0x80).any() or not ((wire == 0) | (wire == 2)).all():
                raise UnsupportedPbfError("a message has a field the scanner does not read")
            value, size = varints_at(stream, pos[active] + 1)
            if (size < 0).any():
                raise CorruptPbfError("a field runs past the end of its message")
            after = pos[active] + 1 + size
            is_id = (number == 1) & (wire == 0)
            ids[active[is_id]] = value[is_id]
            delimited = wire == 2
            after[delimited] += value[delimited].astype(np.int64)
            for f in _PACKED_FIELDS:
                sel = delimited & (number == f)
                if sel.any():
                    rows = active[sel]
                    self.ranges[f][1][rows] = after[sel] + a
                    self.ranges[f][0][rows] = after[sel] - value[sel].astype(np.int64) + a
            pos[active] = after
            if (after > ends[active]).any():
                raise CorruptPbfError("a field runs past the end of its message")
            active = active[after < ends[active]]
        self.ids = ids.view(np.int64)
        self._rest, self._ends = (pos + a).tolist(), (ends + a).tolist()
        self._walked = np.full(n, walk_all)

    def _walk(self, rows: Sequence[int]) -> None:
        """Find the remaining fields (info, members) of ``rows``."""
        data = self.data
        for row in rows:
            if self._walked[row]:
                continue
            self._walked[row] = True
            for number, wire, lo, hi in _fields(data, self._rest[row], self._ends[row]):
                if wire == 2 and number in self.ranges:
                    self.ranges[number][0][row] = lo
                    self.ranges[number][1][row] = hi

    def _decode(self, lo: int, hi: int) -> np.ndarray:
        return decode_varints(np.frombuffer(self.data, np.uint8, hi - lo, lo))[0]

    def values(self, number: int, row: int) -> List[int]:
        if number > 3:
            self._walk([row])
        lo, hi = self.ranges[number]
        if lo[row] < 0:
            return []
        return self._decode(int(lo[row]), int(hi[row])).tolist()

    def packed(self, number: int, rows: Optional[np.ndarray] = None
               ) -> Tuple[np.ndarray, np.ndarray]:
        if number > 3:
            self._walk(range(self.ids.size) if rows is None else rows.tolist())
        lo, hi = self.ranges[number]
        if rows is not None:
            lo, hi = lo[rows], hi[rows]
        raw, sizes = _gather(np.frombuffer(self.data, np.uint8), lo, hi)
        values, starts, _ = decode_varints(raw)
        # varints per message: count the varint starts in each message's run of bytes
        first = np.cumsum(sizes) - sizes
        counts = np.searchsorted(starts, first + sizes) - np.searchsorted(starts, first)
        return values, counts

    def info_timestamps(self, rows: np.ndarray) -> np.ndarray:
        """The raw Info timestamps of ``rows`` (-1 where there is none), read all at once."""
        self._walk(rows.tolist())
        lo, hi = self.ranges[4]
        lo, hi = lo[rows], hi[rows]
        data = np.frombuffer(self.data, np.uint8)
        out = np.full(rows.size, -1, np.int64)
        pos = lo.copy()
        active = np.flatnonzero(lo >= 0)
        while active.size:  # Info's fields are varints: version, timestamp, changeset ...
            key = data[pos[active]]
            value, size = varints_at(data, pos[active] + 1)
            stamp = key == 0x10
            out[active[stamp]] = value[stamp].astype(np.int64)
            after = pos[active] + 1 + np.maximum(size, 0)
            pos[active] = after
            active = active[~stamp & ((key & 7) == 0) & (size > 0) & (after < hi[active])]
        return out

    def info_timestamp(self, row: int) -> Optional[int]:
        self._walk([row])
        lo, hi = self.ranges[4]
        if lo[row] < 0:
            return None
        for number, wire, value, _ in _fields(self.data, int(lo[row]), int(hi[row])):
            if number == 2 and wire == 0:
                return value
        return None


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


def _note_first(ref: _BlobRef, block: "_Block", group: Tuple[int, int], kind: str) -> None:
    """Record the id of the group's first object (blocks of a sorted file then cover id ranges
    that follow from these, without decoding a block to find its last id)."""
    if kind in ("dense", "node"):
        label = "node"
    elif kind in ("way", "relation"):
        label = kind
    else:
        return
    if label in ref.first:
        return
    data = block.data
    a, b = group
    if a >= b:
        return
    _, pos = _varint(data, a)
    length, pos = _varint(data, pos)
    end = pos + length
    if kind == "dense":  # DenseNodes: the first id of the packed, delta-coded ids
        for number, wire, x, y in _fields(data, pos, end):
            if number == 1 and wire == 2 and y > x:
                value, _ = _varint(data, x)
                ref.first[label] = (value >> 1) ^ -(value & 1)
            break
        return
    key, pos = _varint(data, pos)
    if key == 0x08:
        value, _ = _varint(data, pos)
        if kind == "node":
            ref.first[label] = (value >> 1) ^ -(value & 1)
        else:
            ref.first[label] = value - (1 << 64) if value >= 1 << 63 else value


def _blobs_holding(blobs: Sequence[_BlobRef], label: str, wanted: np.ndarray) -> List[_BlobRef]:
    """The blobs that may hold any of the (sorted) ids ``wanted`` of kind ``label``."""
    refs = [r for r in blobs if label in r.first]
    firsts = [r.first[label] for r in refs]
    if firsts != sorted(firsts):  # not sorted by id: any block may hold any id
        return refs
    out = []
    for i, ref in enumerate(refs):
        j = int(np.searchsorted(wanted, firsts[i]))
        if j < wanted.size and (i + 1 == len(refs) or wanted[j] < firsts[i + 1]):
            out.append(ref)
    return out


def _plain_nodes(block: _Block, a: int, b: int) -> _Dense:
    """Non-dense nodes (rare: most writers use DenseNodes), decoded into the dense form."""
    ids: List[int] = []
    xs: List[int] = []
    ys: List[int] = []
    kvs: List[int] = []
    ends: List[int] = []
    counts: List[int] = []
    stamps: List[int] = []
    data = block.data
    for number, wire, pa, pb in _fields(data, a, b):
        if number != 1 or wire != 2:
            raise UnsupportedPbfError("a node group holds something else")
        lat = lon = node_id = stamp = 0
        keys: List[int] = []
        vals: List[int] = []
        for f, w, x, y in _fields(data, pa, pb):
            if w == 0 and f in (1, 8, 9):
                value = (x >> 1) ^ -(x & 1)
                if f == 1:
                    node_id = value
                elif f == 8:
                    lat = value
                else:
                    lon = value
            elif f == 2 and w == 2:
                keys = decode_varints(np.frombuffer(data, np.uint8, y - x, x))[0].tolist()
            elif f == 3 and w == 2:
                vals = decode_varints(np.frombuffer(data, np.uint8, y - x, x))[0].tolist()
            elif f == 4 and w == 2:
                for g, gw, u, _ in _fields(data, x, y):
                    if g == 2 and gw == 0:
                        stamp = u
        if len(keys) != len(vals):
            raise CorruptPbfError("a node's keys and values differ in number")
        ids.append(node_id)
        xs.append(lon)
        ys.append(lat)
        for k, v in zip(keys, vals):
            kvs.extend((k, v))
        counts.append(2 * len(keys))
        kvs.append(0)
        ends.append(len(kvs) - 1)
        stamps.append(stamp)
    nodes = _Dense(block, np.array(ids, np.int64),
                   fixed_coordinate(np.array(xs, np.int64), block.granularity, block.lon_offset),
                   fixed_coordinate(np.array(ys, np.int64), block.granularity, block.lat_offset))
    nodes.set_tags(np.array(kvs, np.int64), np.array(ends, np.int64),
                   np.array(counts, np.int64), np.array(stamps, np.int64))
    return nodes


def _node_groups(block: _Block) -> Iterator[_Dense]:
    for group in block.groups:
        yield from _node_groups_one(block, group)


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


def _way_rows(block: _Block, msgs: _ByteMessages, wanted: Sequence[int], kept: _Kept,
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


def _relation_row(block: _Block, msgs: _ByteMessages, row: int
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


def _rows_with_keys(block: _Block, msgs: "_ByteMessages", rows: np.ndarray,
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


def _area_relation_rows(block: _Block, msgs: _ByteMessages, keys: Set[str]) -> np.ndarray:
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


def _way_refs(msgs: _ByteMessages) -> Tuple[np.ndarray, np.ndarray]:
    """All ways' node ids (concatenated) and their counts."""
    deltas, counts = msgs.packed(8)
    return _segment_cumsum(zigzag(deltas), counts), counts


def _complete(reader: _Reader, kept: _Kept, near: _NearNodes, way_ids: Set[int],
              stats: CutStats) -> None:
    """Add the ways ``way_ids`` (not yet kept), then every node of the kept ways."""
    way_ids = {w for w in way_ids if w not in kept.ways}
    if way_ids:
        wanted = np.array(sorted(way_ids), np.int64)
        refs = _blobs_holding(reader.blobs, "way", wanted)
        stats.blocks_read_again += len(refs)
        for _, data in reader.read(refs):
            block = _Block(data)
            for group in block.groups:
                if block.group_kind(group) != "way":
                    continue
                msgs = _ByteMessages(block, *group, 0x1A, walk_all=True)
                rows = np.flatnonzero(np.isin(msgs.ids, wanted))
                _way_rows(block, msgs, rows.tolist(), kept)
    from itertools import chain

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
    refs = _blobs_holding(reader.blobs, "node", wanted)
    stats.blocks_read_again += len(refs)
    for _, data in reader.read(refs):
        block = _Block(data)
        for nodes in _node_groups(block):
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
    reader = _Reader(path, feedback)
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
        block = _Block(data)
        for group in block.groups:
            kind = block.group_kind(group)
            if kind in ("dense", "node"):
                if seen_after_nodes:
                    order_broken = True
                _note_first(ref, block, group, kind)
                for nodes in _node_groups_one(block, group):
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
                _note_first(ref, block, group, kind)
                msgs = _ByteMessages(block, *group, 0x1A, walk_all=True)
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
                _note_first(ref, block, group, kind)
                msgs = _ByteMessages(block, *group, 0x22)
                stats.relations_scanned += msgs.ids.size
                if not env_ids.size:
                    continue
                rows = _area_relation_rows(block, msgs, key_set)
                if not rows.size:
                    continue
                memids, counts = msgs.packed(9, rows)
                memids = _segment_cumsum(zigzag(memids), counts)
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


def _node_groups_one(block: _Block, group: Tuple[int, int]) -> Iterator[_Dense]:
    kind = block.group_kind(group)
    if kind == "dense":
        for number, wire, a, b in _fields(block.data, *group):
            if number == 2 and wire == 2:
                yield _dense(block, a, b)
    elif kind == "node":
        yield _plain_nodes(block, *group)


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
    reader = _Reader(path, feedback)
    kept = _Kept()
    stats = CutStats()
    member_ways: Set[int] = set()
    key_set = set(keys)
    pattern = table_entry_pattern(name)
    for ref, data in reader.scan((0.0, 0.0)):
        stats.blocks += 1
        block = _Block(data)
        wanted_here = bool(pattern.search(block.table_text().casefold()))
        for group in block.groups:
            kind = block.group_kind(group)
            _note_first(ref, block, group, kind)
            if not wanted_here:
                continue
            if kind in ("dense", "node"):
                for nodes in _node_groups_one(block, group):
                    stats.nodes_scanned += nodes.ids.size
                    for i in _named_nodes(nodes, key_set, name):
                        tags = nodes.tags(i)
                        if matches(tags):
                            kept.nodes[int(nodes.ids[i])] = (int(nodes.x[i]), int(nodes.y[i]),
                                                             tags, nodes.timestamp(i))
            elif kind == "way":
                msgs = _ByteMessages(block, *group, 0x1A, walk_all=True)
                stats.ways_scanned += msgs.ids.size
                _way_rows(block, msgs, _named_rows(block, msgs, key_set, name, matches), kept)
            elif kind == "relation":
                msgs = _ByteMessages(block, *group, 0x22)
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


def _name_ids(block: _Block, keys: Set[str], wanted: str) -> Tuple[np.ndarray, np.ndarray]:
    """String-table indices of the name keys, and of the entries that are ``wanted``."""
    table = block.strings()
    key_ids = [i for i, s in enumerate(table) if s in keys]
    value_ids = [i for i, s in enumerate(table) if s.strip().casefold() == wanted]
    return np.array(key_ids, np.uint64), np.array(value_ids, np.uint64)


def _named_rows(block: _Block, msgs: _ByteMessages, keys: Set[str], wanted: str,
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


def _named_nodes(nodes: _Dense, keys: Set[str], wanted: str) -> List[int]:
    """Indices of the nodes with a name key whose value is ``wanted``."""
    key_ids, value_ids = _name_ids(nodes.block, keys, wanted)
    if not key_ids.size or not value_ids.size:
        return []
    return np.flatnonzero(_nodes_with(nodes, key_ids, value_ids)).tolist()


def _nodes_with(nodes: _Dense, key_ids: np.ndarray,
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
    whole, frac = divmod(abs(fixed), _FIXED)
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
    whole, frac = np.divmod(np.abs(fixed), _FIXED)
    sign = np.where(fixed < 0, "-", "")
    return [f"{s}{w}.{f:07d}" for s, w, f in zip(sign.tolist(), whole.tolist(), frac.tolist())]


__all__ = ["AREA_RELATION_TYPES", "BoxSet", "CUT_FROM_BYTES", "CorruptPbfError", "CutStats", "NEAR_MARGIN_M",
           "UnsupportedPbfError", "cut_area", "cut_named", "decode_varints", "fixed_coordinate",
           "write_opl", "zigzag"]
