"""Read OSM PBF files block by block with numpy, for the study-area cut (:mod:`.osm_extract`).

A PBF file is a sequence of blobs (a length, a BlobHeader, a Blob, usually zlib-compressed); each
data blob holds a PrimitiveBlock with its own string table and groups of nodes (mostly as
DenseNodes), ways or relations (see the OSM wiki's "PBF Format" page and libosmium's
``osmformat.proto``). Nearly everything in them is a varint or a packed list of varints, so a
block is decoded here with a few numpy operations over all its objects at once instead of one
Python object per OSM object:

* :func:`decode_varints` decodes a packed field in one go, :func:`varints_at` the varints that
  start at given offsets;
* :func:`message_bounds` finds the repeated Way/Relation messages of a group by pointer
  doubling over the bytes that may start one, and :class:`Messages` their fields, one field per
  round for all messages together;
* :class:`NodeGroup` holds a node group's ids and coordinates (libosmium's fixed 1e-7 degree
  integers, truncated as libosmium's C++ does); tags and timestamps are decoded when asked for.

Blobs are decompressed by helper threads a few blocks ahead (zlib releases the GIL), one block
is decoded at a time, and every size is checked against the PBF limits (a BlobHeader at most
64 KiB, a block at most 32 MiB), so a hostile file costs no more than a large one.

Only what the cut needs is read: uncompressed, zlib- or lzma-compressed blocks of current data
(no history, no locations on ways). Anything else raises :class:`UnsupportedPbfError` (the caller
then reads the whole file with libosmium); a truncated or damaged file raises
:class:`CorruptPbfError`.
"""

from __future__ import annotations

import bisect
import lzma
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np

from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

#: PBF limits (the format's own: a BlobHeader is at most 64 KiB, a blob at most 32 MiB).
MAX_BLOB_HEADER = 64 * 1024
MAX_BLOB = 32 * 1024 * 1024

#: Header features the scanner reads; any other required feature makes the file unsupported.
KNOWN_FEATURES = {"OsmSchema-V0.6", "DenseNodes"}

FIXED = 10 ** 7  # libosmium's coordinate precision (1e-7 degree)


class UnsupportedPbfError(Exception):
    """The file is not a PBF the scanner reads (history, locations on ways, another
    compression ...): read the whole file with libosmium instead."""


class CorruptPbfError(ValueError):
    """The PBF file is truncated or damaged."""


# --- varints ------------------------------------------------------------------------------

def varint(buf: bytes, pos: int) -> Tuple[int, int]:
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


def fields(buf: bytes, start: int, end: int) -> Iterator[Tuple[int, int, int, int]]:
    """Walk the fields of one protobuf message in ``buf[start:end]``.

    Yields ``(field, wire_type, a, b)``: for a varint ``a`` is the value; for a length-delimited
    field ``buf[a:b]`` is the payload.
    """
    pos = start
    while pos < end:
        key, pos = varint(buf, pos)
        wire = key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
            yield key >> 3, 0, value, pos
        elif wire == 2:
            length, pos = varint(buf, pos)
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


def segment_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (delta decoding of many packed fields)."""
    sums = np.cumsum(values)
    first = np.cumsum(counts) - counts
    offset = np.zeros(counts.size, values.dtype)
    filled = counts > 0
    offset[filled] = sums[first[filled]] - values[first[filled]]
    return sums - np.repeat(offset, counts)


def gather(tokens: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
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


# --- blocks -----------------------------------------------------------------------------------

@dataclass
class BlobRef:
    """Where a data blob is, and what it holds (learnt on the first pass)."""

    offset: int
    size: int
    first: Dict[str, int] = field(default_factory=dict)  # kind -> id of its first object


def unpack_blob(blob: bytes) -> bytes:
    """The uncompressed content of a Blob message."""
    raw_size = None
    for number, _, a, _ in fields(blob, 0, len(blob)):
        if number == 2:
            raw_size = a
            if raw_size > MAX_BLOB:
                raise CorruptPbfError(f"a block claims {raw_size} bytes, more than the PBF limit")
    for number, wire, a, b in fields(blob, 0, len(blob)):
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


def decompressed(raw: Iterator[Tuple[BlobRef, bytes]]) -> Iterator[Tuple[BlobRef, bytes]]:
    """Decompress ``raw`` blobs in a helper thread, a few ahead, yielding them in order."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=DECOMPRESSORS, thread_name_prefix="amp-pbf")
    pending: deque = deque()
    try:
        for ref, blob in raw:
            pending.append((ref, pool.submit(unpack_blob, blob)))
            if len(pending) >= PREFETCH:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class PbfReader:
    """Sequential or random access to the blobs of a PBF file."""

    def __init__(self, path: Path, feedback: Optional[Feedback]):
        self.path = path
        self.size = path.stat().st_size
        self.feedback = feedback
        self.blobs: List[BlobRef] = []

    def scan(self, progress: Tuple[float, float]) -> Iterator[Tuple[BlobRef, bytes]]:
        """Every data blob of the file in order, decompressed; records :attr:`blobs`."""
        return decompressed(self._raw(progress))

    def _raw(self, progress: Tuple[float, float]) -> Iterator[Tuple[BlobRef, bytes]]:
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
                for number, wire, a, b in fields(header, 0, len(header)):
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
                    self._check_header(unpack_blob(blob))
                    seen_header = True
                elif kind == b"OSMData":
                    if not seen_header:
                        raise CorruptPbfError("data comes before the file header")
                    ref = BlobRef(start, size)
                    self.blobs.append(ref)
                    if len(self.blobs) % 8 == 0:
                        check_cancelled(self.feedback)
                        if self.feedback is not None and hi > lo:
                            self.feedback.setProgress(lo + (hi - lo) * offset / self.size)
                    yield ref, blob

    def read(self, refs: Sequence[BlobRef]) -> Iterator[Tuple[BlobRef, bytes]]:
        """The given blobs again, decompressed."""
        def raw() -> Iterator[Tuple[BlobRef, bytes]]:
            with open(self.path, "rb") as fh:
                for i, ref in enumerate(refs):
                    if i % 8 == 0:
                        check_cancelled(self.feedback)
                    fh.seek(ref.offset)
                    yield ref, fh.read(ref.size)
        return decompressed(raw())

    @staticmethod
    def _check_header(data: bytes) -> None:
        for number, wire, a, b in fields(data, 0, len(data)):
            if number == 4 and wire == 2:
                feature = data[a:b].decode("utf-8", "replace")
                if feature not in KNOWN_FEATURES:
                    raise UnsupportedPbfError(f"the file requires the PBF feature {feature}")


class Block:
    """One decompressed PrimitiveBlock: string table, coordinates and its groups."""

    def __init__(self, data: bytes):
        self.data = data
        self.granularity, self.lat_offset, self.lon_offset, self.date_granularity = 100, 0, 0, 1000
        self.table = (0, 0)
        self.groups: List[Tuple[int, int]] = []
        for number, wire, a, b in fields(data, 0, len(data)):
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


class NodeGroup:
    """The nodes of a node group: ids and fixed coordinates; tags and timestamps on demand."""

    def __init__(self, block: "Block", ids: np.ndarray, x: np.ndarray, y: np.ndarray,
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


def dense_nodes(block: "Block", a: int, b: int) -> NodeGroup:
    """Decode a DenseNodes group's ids and coordinates (tags and timestamps wait until asked)."""
    data = block.data
    parts: Dict[int, Tuple[int, int]] = {}
    stamps = None
    for number, wire, pa, pb in fields(data, a, b):
        if wire != 2:
            continue
        if number in (1, 8, 9, 10):
            parts[number] = (pa, pb)
        elif number == 5:
            for f, w, x, y in fields(data, pa, pb):
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
    return NodeGroup(block, ids, fixed_coordinate(lon, block.granularity, block.lon_offset),
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
PACKED_FIELDS = (2, 3, 4, 8, 9, 10)


class Messages:
    """The Way or Relation messages of a group, walked all at once; fields as byte ranges.

    The messages' bounds come from :func:`message_bounds`; their fields are then found one
    round at a time for all messages together (key byte, then a varint value or length), and a
    packed field is decoded only when asked for, for the messages asked for (a relation's
    members only for the relations that may be kept).
    """

    def __init__(self, block: "Block", a: int, b: int, tag: int, walk_all: bool = False):
        self.data = block.data
        stream = np.frombuffer(self.data, np.uint8, b - a, a)
        starts, ends = message_bounds(stream, tag)
        n = starts.size
        # all messages' fields at once, one field per round; without ``walk_all`` only the id,
        # keys and values that lead each message, the rest is walked when asked for
        pos = starts.copy()
        ids = np.zeros(n, np.uint64)
        self.ranges = {f: (np.full(n, -1, np.int64), np.full(n, -1, np.int64))
                       for f in PACKED_FIELDS}
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
            for f in PACKED_FIELDS:
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
            for number, wire, lo, hi in fields(data, self._rest[row], self._ends[row]):
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
        raw, sizes = gather(np.frombuffer(self.data, np.uint8), lo, hi)
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
        for number, wire, value, _ in fields(self.data, int(lo[row]), int(hi[row])):
            if number == 2 and wire == 0:
                return value
        return None


def note_first(ref: BlobRef, block: "Block", group: Tuple[int, int], kind: str) -> None:
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
    _, pos = varint(data, a)
    length, pos = varint(data, pos)
    end = pos + length
    if kind == "dense":  # DenseNodes: the first id of the packed, delta-coded ids
        for number, wire, x, y in fields(data, pos, end):
            if number == 1 and wire == 2 and y > x:
                value, _ = varint(data, x)
                ref.first[label] = (value >> 1) ^ -(value & 1)
            break
        return
    key, pos = varint(data, pos)
    if key == 0x08:
        value, _ = varint(data, pos)
        if kind == "node":
            ref.first[label] = (value >> 1) ^ -(value & 1)
        else:
            ref.first[label] = value - (1 << 64) if value >= 1 << 63 else value


def blobs_holding(blobs: Sequence[BlobRef], label: str, wanted: np.ndarray) -> List[BlobRef]:
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


def plain_nodes(block: Block, a: int, b: int) -> NodeGroup:
    """Non-dense nodes (rare: most writers use DenseNodes), decoded into the dense form."""
    ids: List[int] = []
    xs: List[int] = []
    ys: List[int] = []
    kvs: List[int] = []
    ends: List[int] = []
    counts: List[int] = []
    stamps: List[int] = []
    data = block.data
    for number, wire, pa, pb in fields(data, a, b):
        if number != 1 or wire != 2:
            raise UnsupportedPbfError("a node group holds something else")
        lat = lon = node_id = stamp = 0
        keys: List[int] = []
        vals: List[int] = []
        for f, w, x, y in fields(data, pa, pb):
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
                for g, gw, u, _ in fields(data, x, y):
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
    nodes = NodeGroup(block, np.array(ids, np.int64),
                   fixed_coordinate(np.array(xs, np.int64), block.granularity, block.lon_offset),
                   fixed_coordinate(np.array(ys, np.int64), block.granularity, block.lat_offset))
    nodes.set_tags(np.array(kvs, np.int64), np.array(ends, np.int64),
                   np.array(counts, np.int64), np.array(stamps, np.int64))
    return nodes


def node_groups(block: Block) -> Iterator[NodeGroup]:
    for group in block.groups:
        yield from group_nodes(block, group)


def group_nodes(block: Block, group: Tuple[int, int]) -> Iterator[NodeGroup]:
    kind = block.group_kind(group)
    if kind == "dense":
        for number, wire, a, b in fields(block.data, *group):
            if number == 2 and wire == 2:
                yield dense_nodes(block, a, b)
    elif kind == "node":
        yield plain_nodes(block, *group)


__all__ = ["FIXED", "KNOWN_FEATURES", "MAX_BLOB", "MAX_BLOB_HEADER", "PACKED_FIELDS", "BlobRef",
           "Block", "CorruptPbfError", "Messages", "NodeGroup", "PbfReader", "UnsupportedPbfError",
           "blobs_holding", "decode_varints", "decompressed", "dense_nodes", "fields",
           "fixed_coordinate", "gather", "group_nodes", "message_bounds", "node_groups",
           "note_first", "plain_nodes", "segment_cumsum", "unpack_blob", "varint", "varints_at",
           "zigzag"]
