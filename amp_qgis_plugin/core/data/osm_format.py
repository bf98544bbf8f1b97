"""Recognise an OSM file by its content, not its name.

JOSM saves ``map.osm.xml``, a browser saves an Overpass reply as ``interpreter``, a colleague
renames a compressed export to ``data.osm``: the name says little about what a file holds.
:func:`detect_osm_format` reads the first bytes of the file instead and returns the format
string libosmium wants (``osmium.io.File(path, format)``), so every reader can hand the format
over explicitly and never guess it from the suffix:

=============================================  ===========
First bytes                                    Format
=============================================  ===========
4-byte big-endian length, BlobHeader           ``pbf``
holding ``OSMHeader``
(UTF-8 BOM) ``<?xml`` ... ``<osm``             ``osm``
``FF E0 04 "o5m2"``                            ``o5m``
``n123 v1 ...`` (osmium's line format)         ``opl``
gzip ``1F 8B`` / bzip2 ``BZh``, holding one    ``osm.gz``, ``osm.bz2``,
of the text formats above                      ``opl.gz`` ...
=============================================  ===========

A compressed file is confirmed by decompressing its first few kilobytes (never more than
:data:`HEAD_BYTES`, so a compression bomb costs nothing here). Anything else is refused with a
message that says what the file looks like (a web page, a GeoPackage, an Overpass reply in JSON,
an OSM change file ...) and what is expected. Whether libosmium can then read the whole file
(truncated, corrupt, XML entities) is found out while reading; :func:`read_error` words those
failures.
"""

from __future__ import annotations

import bz2
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional, Tuple

from amp_qgis_plugin.core.errors import DataError, InputError

#: How much of a file (and of a compressed file's decompressed content) is looked at.
HEAD_BYTES = 64 * 1024

#: At most this much compressed input is fed to find the first decompressed bytes (a bzip2
#: block is at most 900 kB before compression, so its first output comes well before).
MAX_COMPRESSED_PEEK = 4 * 1024 * 1024

#: The PBF format limits a BlobHeader to 64 KiB.
PBF_MAX_BLOB_HEADER = 64 * 1024

#: What is expected, said in every refusal.
EXPECTED = ("Give OSM data as XML (.osm, as JOSM and the Overpass API save it) or PBF "
            "(.osm.pbf), either possibly compressed with gzip or bzip2; the file's name does "
            "not matter.")

#: Names that claim to be OSM data: such a file that holds something else is damaged or
#: mis-saved (a DataError), any other file was simply the wrong one (an InputError).
_OSM_NAME = re.compile(r"(\.(osm|osh|pbf|o5m|opl)(\.xml)?(\.(gz|bz2))?|^interpreter)$", re.I)

_UTF8_BOM = b"\xef\xbb\xbf"
_COMMENT = re.compile(rb"<!--.*?(-->|$)", re.S)
_START_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_OPL_LINE = re.compile(rb"[nwr]-?\d+( [a-zA-Z]|\r?$)")

_CHANGE_FIX = ("it lists edits, not the map itself; give a full OSM extract (from "
               "Geofabrik, BBBike, JOSM or the Overpass API)")


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say it is.

    Attributes
    ----------
    format : str
        libosmium's format string (``"pbf"``, ``"osm"``, ``"osm.gz"`` ...) when the content is
        OSM data libosmium reads; ``""`` otherwise.
    looks_like : str
        The content in plain words, to complete "it is ..." (``"OSM XML"``,
        ``"a web page (HTML)"``).
    fix : str
        For OSM data in a form that cannot be used (a change file, a gzipped PBF): what to do.
    broken : str
        For OSM data that is malformed at its very start: what is wrong.
    """

    format: str = ""
    looks_like: str = ""
    fix: str = ""
    broken: str = ""


def claims_osm(name: str) -> bool:
    """True if the file name says OSM data (``.osm``, ``.osm.pbf``, ``interpreter`` ...).

    Examples
    --------
    >>> claims_osm("map.osm.xml"), claims_osm("interpreter"), claims_osm("place.gpkg")
    (True, True, False)
    """
    return bool(_OSM_NAME.search(name))


def detect_osm_format(path: Path) -> str:
    """Return the libosmium format string of the OSM file at ``path``, judged by its content.

    Parameters
    ----------
    path : Path
        An existing, non-empty file.

    Returns
    -------
    str
        ``"pbf"``, ``"osm"``, ``"o5m"``, ``"opl"``, or one of the text formats with ``".gz"``
        or ``".bz2"``; hand it to ``osmium.io.File(path, format)``.

    Raises
    ------
    InputError
        When the file is not OSM data (and its name does not claim it is), or is OSM data in a
        form that cannot be used (a change file, a PBF compressed again); the message says what
        the file looks like and what is expected.
    DataError
        When a file named as OSM data holds something else (an error page saved in place of
        the data, a damaged download) or is malformed at its start.
    """
    with open(path, "rb") as fh:
        sniffed = sniff_file(fh)
    if sniffed.format:
        return sniffed.format
    options = ("osm_file",)
    if sniffed.broken:
        raise DataError(f"The OSM file {path.name} could not be read: {sniffed.broken}.",
                        options=options)
    if sniffed.fix:
        raise InputError(f"{path.name} cannot be used: it is {sniffed.looks_like}; "
                         f"{sniffed.fix}.", options=options)
    if claims_osm(path.name):
        raise DataError(f"The OSM file {path.name} could not be read: it is "
                        f"{sniffed.looks_like}, not OSM data. Download or export the file "
                        "again.", options=options)
    raise InputError(f"{path.name} is not an OSM file: it is {sniffed.looks_like}. {EXPECTED}",
                     options=options)


def sniff_file(fh: BinaryIO) -> Sniffed:
    """Sniff an open binary file from its current position (see :func:`sniff_bytes`).

    Compressed content (gzip, bzip2) is decompressed up to :data:`HEAD_BYTES` and sniffed in
    turn.
    """
    head = fh.read(HEAD_BYTES)
    for magic, name, suffix in ((b"\x1f\x8b", "gzip", "gz"), (b"BZh", "bzip2", "bz2")):
        if head.startswith(magic):
            try:
                inner_head, ended = _decompressed_head(fh, head, name)
            except (OSError, EOFError, ValueError, zlib.error) as exc:
                return Sniffed(looks_like=f"{name}-compressed data", broken=(
                    f"it is {name}-compressed, but cannot be decompressed ({exc}). Download "
                    "or export the file again"))
            if not inner_head and not ended:
                return Sniffed(looks_like=f"{name}-compressed data", broken=(
                    f"it is {name}-compressed, but truncated or corrupt (nothing decompresses "
                    "from it). Download or export the file again"))
            inner = sniff_bytes(inner_head)
            if inner.format == "pbf":
                return Sniffed(looks_like=f"OSM PBF compressed again with {name}",
                               fix="decompress it first (PBF is compressed inside already)")
            if inner.format:
                return Sniffed(format=f"{inner.format}.{suffix}",
                               looks_like=f"{inner.looks_like} compressed with {name}")
            what = ("that is empty once decompressed" if not inner_head
                    else f"holding {inner.looks_like}")
            return Sniffed(looks_like=f"a {name}-compressed file {what}", fix=inner.fix,
                           broken=inner.broken)
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> Sniffed:
    """Say what uncompressed content starting with ``head`` is.

    Parameters
    ----------
    head : bytes
        The first bytes of the content (a few kB are plenty).

    Returns
    -------
    Sniffed
        With ``format`` set when it is OSM data libosmium reads.

    Examples
    --------
    >>> sniff_bytes(b"<?xml version='1.0'?>\\n<osm version='0.6'>").format
    'osm'
    >>> sniff_bytes(b"<!DOCTYPE html><html><body>Error</body></html>").looks_like
    'a web page (HTML), such as an error page saved in place of the data'
    """
    if not head:
        return Sniffed(looks_like="empty")
    if _is_pbf(head):
        return Sniffed(format="pbf", looks_like="OSM PBF")
    if head.startswith(b"\xff\xe0\x04o5m2"):
        return Sniffed(format="o5m", looks_like="OSM o5m")
    if head.startswith(b"\xff\xe0\x04o5c2"):
        return Sniffed(looks_like="an OSM change file (o5c)", fix=_CHANGE_FIX)
    text = head[len(_UTF8_BOM):] if head.startswith(_UTF8_BOM) else head
    stripped = text.lstrip()
    if stripped.startswith(b"<"):
        return _sniff_xml(text, stripped)
    if stripped[:1] in (b"{", b"["):
        return _sniff_json(stripped)
    if _is_opl(text):
        return Sniffed(format="opl", looks_like="OSM OPL")
    return Sniffed(looks_like=_describe_other(head))


def _is_pbf(head: bytes) -> bool:
    """A PBF file starts with a BlobHeader (its length as a 4-byte big-endian integer) of type
    ``OSMHeader``."""
    if len(head) < 4:
        return False
    size = struct.unpack(">I", head[:4])[0]
    return 0 < size <= PBF_MAX_BLOB_HEADER and b"OSMHeader" in head[4:4 + size]


def _is_opl(text: bytes) -> bool:
    """The first line that is neither empty nor a ``#`` comment looks like ``n123 v1 ...``."""
    for line in text.split(b"\n")[:50]:
        if line.strip() and not line.startswith(b"#"):
            return bool(_OPL_LINE.match(line))
    return False


def _sniff_xml(text: bytes, stripped: bytes) -> Sniffed:
    root = _xml_root(stripped)
    declaration = stripped.startswith(b"<?xml")
    # no element in the head: a long prolog (a DOCTYPE); libosmium judges it
    prolog = declaration or stripped.startswith(b"<!DOCTYPE osm")
    if root == "osm" or (root is None and prolog):
        if declaration and text[:1].isspace():
            return Sniffed(looks_like="OSM XML", broken=(
                "it has blank space before its XML declaration (<?xml ...?>), which XML does "
                "not allow. Remove the blank lines at the start of the file, or export it "
                "again"))
        return Sniffed(format="osm", looks_like="OSM XML")
    if root == "osmChange":
        return Sniffed(looks_like="an OSM change file (osmChange)", fix=_CHANGE_FIX)
    if (root or "").lower() == "html" or stripped[:14].lower() == b"<!doctype html":
        return Sniffed(looks_like="a web page (HTML), such as an error page saved in place of "
                                  "the data")
    if root is None:
        return Sniffed(looks_like="text that starts like XML but has no element")
    return Sniffed(looks_like=f"an XML file of another kind (its root element is <{root}>, "
                              "not <osm>)")


def _xml_root(text: bytes) -> Optional[str]:
    """Name of the first element (the root) in ``text``; None when none starts in it.

    The XML declaration, comments and the DOCTYPE (``<?`` and ``<!``) are not elements.
    """
    match = _START_TAG.search(_COMMENT.sub(b"", text))
    return match.group(1).decode("ascii", "replace") if match else None


def _sniff_json(stripped: bytes) -> Sniffed:
    if b'"elements"' in stripped or b"Overpass API" in stripped:
        return Sniffed(looks_like="an Overpass API reply in JSON",
                       fix="ask the Overpass API for XML ([out:xml], its default) and save "
                           "that reply")
    if b'"FeatureCollection"' in stripped or b'"Feature"' in stripped:
        return Sniffed(looks_like="GeoJSON")
    return Sniffed(looks_like="JSON")


#: Other file types people mistake for OSM data, by their first bytes.
_MAGIC = (
    (b"SQLite format 3\x00", "an SQLite database (a GeoPackage?)"),
    (b"PK\x03\x04", "a ZIP archive (unzip it and give the OSM file inside)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it, or compress it with gzip or bzip2)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it, or compress it with gzip or "
                          "bzip2)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)


def _describe_other(head: bytes) -> str:
    for magic, words in _MAGIC:
        if head.startswith(magic):
            return words
    sample = head[:40]
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and all(c.isprintable() or c in "\r\n\t" for c in decoded):
        return f"text starting {decoded.strip()[:30]!r}"
    return "binary data starting with the bytes " + " ".join(f"{b:02x}" for b in head[:8])


def _decompressed_head(fh: BinaryIO, head: bytes, compression: str) -> Tuple[bytes, bool]:
    """The first (up to :data:`HEAD_BYTES`) decompressed bytes of a gzip or bzip2 stream.

    ``head`` is what was already read from ``fh``; more is read only as needed. Output is
    capped, so a file that decompresses to gigabytes costs no more than a small one.

    Returns
    -------
    head : bytes
        The decompressed bytes.
    ended : bool
        True when the compressed stream ended within what was read (with nothing
        decompressed and no end, the file is truncated or corrupt).
    """
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS) if compression == "gzip" \
        else bz2.BZ2Decompressor()
    out, data, fed = b"", head, len(head)
    while True:
        # below the cap the decompressor consumes all its input; at the cap we stop anyway
        out += dec.decompress(data, HEAD_BYTES - len(out))
        if len(out) >= HEAD_BYTES or dec.eof or fed >= MAX_COMPRESSED_PEEK:
            return out, dec.eof
        data = fh.read(HEAD_BYTES)
        if not data:
            return out, False
        fed += len(data)


def read_error(path: Path, exc: Exception) -> DataError:
    """Word a failure of libosmium while reading ``path`` (entities, malformed XML, truncation).

    Parameters
    ----------
    path : Path
        The file being read.
    exc : Exception
        What libosmium raised.

    Returns
    -------
    DataError
        To raise ``from exc``.
    """
    text = str(exc)
    if "entit" in text.lower():
        reason = ("it declares XML entities, which are refused because they can expand to "
                  "gigabytes (a 'billion laughs' file); OSM files never need them")
    elif "xml" in text.lower():
        reason = f"it is not well-formed OSM XML ({text})"
    else:
        reason = f"it is truncated or corrupt ({text})"
    return DataError(f"The OSM file {path.name} could not be read: {reason}. "
                     "Download or export the file again.", options=("osm_file",))
