"""Overpass API client: one query per place, a content-addressed disk cache, and an OSM file out.

The engine reads OpenStreetMap data from files (see the OSM reader). For a place without a local
extract, this module asks an Overpass API server for everything the canonical layers need within
the study area's bounding box, caches the reply on disk, and writes it as an ``.osm.pbf`` (or
``.osm``) file that the OSM reader then treats like any other extract.

Why hand-written on the standard library rather than ``requests``/``overpy``/``osmnx``: the plugin
must run inside QGIS's Python, where extra dependencies are a burden, and none of those clients
offers all of what the engine needs together: an explicit content-addressed cache with atomic
writes and a cache-only mode, bounded retries that honour ``Retry-After``, cancellation from a
QGIS feedback object during waits and downloads, and the detection of Overpass's in-band
``remark`` errors (a reply with HTTP 200 whose elements are incomplete). ``urllib`` gives a
timeout on every socket operation, which is all the HTTP this needs.

Public API
----------
:class:`OverpassConfig`, :func:`build_query`, :func:`build_name_query`, :func:`run_query`,
:func:`elements_to_osm_file`, :func:`osm_base_timestamp`, :func:`fetch_overpass_osm`.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import gzip
import hashlib
import html
import http.client
import json
import math
import os
import re
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.core.errors import CancelledError, DataError, InputError, OverpassError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

#: The public main instance of the Overpass API.
DEFAULT_URL = "https://overpass-api.de/api/interpreter"

#: Other public Overpass instances a user can switch to (named in error messages).
ALTERNATIVE_URLS: Tuple[str, ...] = (
    "https://overpass.kumi.systems/api/interpreter",
    "https://overpass.private.coffee/api/interpreter",
)

#: HTTP statuses after which the same request is tried again (rate limit, gateway/overload).
RETRY_STATUSES = frozenset({429, 502, 503, 504})

BBox = Tuple[float, float, float, float]

# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Return the per-user cache folder a caller may pass as ``cache_dir`` explicitly.

    ``$XDG_CACHE_HOME/amp-place/overpass`` (``~/.cache/amp-place/overpass`` by default;
    ``%LOCALAPPDATA%\\amp-place\\overpass`` on Windows). :class:`OverpassConfig` never uses it
    on its own: the cache folder is always the caller's explicit choice.
    """
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "amp-place" / "overpass"


@dataclass(frozen=True)
class OverpassConfig:
    """How to talk to the Overpass API.

    Parameters
    ----------
    url : str
        The interpreter endpoint (``.../api/interpreter``).
    cache_dir : Path or None
        Folder of the content-addressed reply cache. ``None`` disables caching. It must be given
        explicitly; the current working directory is refused (a batch run started from the
        user's documents folder must not litter it). Relative paths are resolved when the config
        is made.
    timeout_s : float
        Timeout of every socket operation (connect, each read), in seconds.
    query_timeout_s : int
        The server-side ``[timeout:]`` of the query, in seconds.
    max_retries : int
        Retries after the first attempt on HTTP 429/502/503/504, connection resets and socket
        timeouts (so at most ``max_retries + 1`` attempts).
    backoff_s : float
        Base of the exponential backoff: waits are ``backoff_s * 2**retry`` seconds, or the
        server's ``Retry-After`` when it sends one, never more than ``max_backoff_s``.
    max_backoff_s : float
        Cap of one wait, in seconds.
    cache_only : bool
        Never touch the network: a query missing from the cache raises :class:`OverpassError`.
        For batch runs that must be reproducible and offline.
    user_agent : str
        The ``User-Agent`` header (Overpass operators ask clients to identify themselves).
    """

    url: str = DEFAULT_URL
    cache_dir: Optional[Path] = None
    timeout_s: float = 180.0
    query_timeout_s: int = 120
    max_retries: int = 4
    backoff_s: float = 2.0
    max_backoff_s: float = 120.0
    cache_only: bool = False
    user_agent: str = field(
        default=f"AMP-Place-Analysis-QGIS-plugin/{__version__} (+https://plugins.qgis.org/)"
    )

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlparse(self.url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(
                f"Overpass URL {self.url!r} is not an http(s) URL; give the interpreter endpoint, "
                f"e.g. {DEFAULT_URL}."
            )
        if self.cache_dir is not None:
            raw = str(self.cache_dir)
            if raw.strip() == "":
                raise InputError(
                    "The Overpass cache folder is empty; give an explicit folder or None to "
                    "disable caching."
                )
            resolved = Path(raw).expanduser().resolve()
            if resolved == Path.cwd().resolve():
                raise InputError(
                    f"The Overpass cache folder {resolved} is the current directory; give a "
                    f"dedicated folder such as {default_cache_dir()}."
                )
            object.__setattr__(self, "cache_dir", resolved)
        if self.cache_only and self.cache_dir is None:
            raise InputError(
                "Cache-only mode needs a cache folder (cache_dir) holding earlier Overpass replies."
            )
        for name in ("timeout_s", "backoff_s", "max_backoff_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise InputError(f"Overpass {name} must be a finite number >= 0, got {value!r}.")
        if self.timeout_s <= 0:
            raise InputError(f"Overpass timeout_s must be > 0 seconds, got {self.timeout_s!r}.")
        if int(self.query_timeout_s) < 1:
            raise InputError(
                f"Overpass query_timeout_s must be at least 1 second, got {self.query_timeout_s!r}."
            )
        if int(self.max_retries) < 0:
            raise InputError(f"Overpass max_retries must be >= 0, got {self.max_retries!r}.")


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------

#: What the canonical layers need, one Overpass QL selector per line (read with schema.py).
#: Each is applied within the query's global bounding box.
PLACE_SELECTORS: Tuple[Tuple[str, str], ...] = (
    ("nwr[building]", "buildings"),
    ("nwr[amenity]", "pois, seating (benches), bins (waste baskets), marketplaces"),
    ("nwr[shop]", "pois: retail"),
    ("nwr[office]", "pois: offices"),
    ("nwr[craft]", "pois: crafts"),
    ("nwr[tourism]", "pois: culture, accommodation"),
    ("nwr[leisure]", "pois, parks, playgrounds, picnic tables"),
    ("nwr[historic]", "pois: culture (monuments, memorials)"),
    ("node[entrance]", "entrances"),
    ("way[highway]", "paths (the walkable network), pedestrian areas"),
    ("node[highway]", "lamps (street_lamp), transit stops (bus_stop), crossings"),
    ("relation[highway]", "pedestrian areas mapped as multipolygons"),
    ('nwr["area:highway"]', "pedestrian area outlines"),
    ("nwr[public_transport]", "transit stops and platforms"),
    ('nwr[railway~"^(station|halt|tram_stop|subway_entrance|platform)$"]', "transit stops"),
    ('node[natural="tree"]', "trees"),
    ('way[natural="tree_row"]', "tree rows"),
    ("nwr[barrier]", "barriers, bollards"),
    ('nwr[place~"^(square|plaza)$"]', "the place polygon"),
    ("nwr[man_made]", "street furniture, towers, bridges"),
    ("nwr[emergency]", "defibrillators, phones"),
)

#: Optional: land use polygons (large relations; off by default to keep replies small).
LANDUSE_SELECTOR: Tuple[str, str] = ("nwr[landuse]", "land use")

#: Tag keys that carry a place's name, in the order a planner would look for them.
NAME_KEYS: Tuple[str, ...] = ("name", "name:sv", "name:en", "alt_name")

#: What a named place may be: squares, pedestrian areas, marketplaces, parks.
PLACE_KIND_FILTERS: Tuple[str, ...] = (
    '[place="square"]',
    '[highway="pedestrian"]',
    '["area:highway"="pedestrian"]',
    '[amenity="marketplace"]',
    '[leisure="park"]',
    '[leisure="plaza"]',
)


def _check_bbox(bbox_wgs84: Sequence[float]) -> BBox:
    try:
        south, west, north, east = (float(v) for v in bbox_wgs84)
    except (TypeError, ValueError):
        raise InputError(
            f"Bounding box {bbox_wgs84!r} is not four numbers (south, west, north, east) in "
            f"degrees."
        ) from None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        raise InputError(f"Bounding box {bbox_wgs84!r} has a non-finite coordinate.")
    if not (-90 <= south < north <= 90):
        raise InputError(
            f"Bounding box latitudes must satisfy -90 <= south < north <= 90, got south={south}, "
            f"north={north}. The order is (south, west, north, east) in WGS 84 degrees."
        )
    if not (-180 <= west < east <= 180):
        raise InputError(
            f"Bounding box longitudes must satisfy -180 <= west < east <= 180, got west={west}, "
            f"east={east}. The order is (south, west, north, east) in WGS 84 degrees."
        )
    return south, west, north, east


def _fmt(value: float) -> str:
    # 7 decimals = about 1 cm, OSM's own precision.
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _bbox_ql(bbox: BBox) -> str:
    return ",".join(_fmt(v) for v in bbox)


def _ql_string(value: str) -> str:
    """Quote ``value`` as an Overpass QL string literal (double quotes, backslash escapes)."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _header(config: OverpassConfig, bbox: Optional[BBox]) -> str:
    settings = f"[out:json][timeout:{int(config.query_timeout_s)}]"
    if bbox is not None:
        settings += f"[bbox:{_bbox_ql(bbox)}]"
    return settings + ";"


def build_query(
    bbox_wgs84: Sequence[float],
    *,
    config: OverpassConfig,
    include_landuse: bool = False,
) -> str:
    """Build the one Overpass QL query for everything the canonical layers need in a bbox.

    Parameters
    ----------
    bbox_wgs84 : tuple of float
        ``(south, west, north, east)`` in WGS 84 degrees (Overpass's own order).
    config : OverpassConfig
        Supplies the server-side ``[timeout:]``.
    include_landuse : bool
        Also ask for ``landuse`` polygons (can be large relations).

    Returns
    -------
    str
        The query; ``out body; >; out skel qt;`` brings the nodes of ways and the members of
        relations along, so the reply is a self-contained OSM extract.
    """
    bbox = _check_bbox(bbox_wgs84)
    selectors = list(PLACE_SELECTORS) + ([LANDUSE_SELECTOR] if include_landuse else [])
    lines = [_header(config, bbox), "("]
    lines += [f"  {sel};  // {why}" for sel, why in selectors]
    lines += [");", "out body;", ">;", "out skel qt;"]
    return "\n".join(lines) + "\n"


def build_name_query(
    name: str,
    *,
    config: OverpassConfig,
    bbox: Optional[Sequence[float]] = None,
) -> str:
    """Build a query for squares, pedestrian areas, marketplaces and parks named ``name``.

    Matches ``name``, ``name:sv``, ``name:en`` and ``alt_name`` exactly, on nodes, ways and
    relations (the caller picks the area among them).

    Parameters
    ----------
    name : str
        The place's name, e.g. ``"Gustaf Adolfs torg"``.
    config : OverpassConfig
        Supplies the server-side ``[timeout:]``.
    bbox : tuple of float, optional
        ``(south, west, north, east)`` to search in; without it the search is world-wide and
        slow (give the municipality's bbox when you can).
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError("The place name is empty; give the name of a square as mapped in OSM.")
    if any(ord(c) < 32 and c not in "\t\n" for c in name):
        raise InputError(f"The place name {name!r} contains control characters.")
    checked = _check_bbox(bbox) if bbox is not None else None
    quoted = _ql_string(name.strip())
    lines = [_header(config, checked), "("]
    for kind in PLACE_KIND_FILTERS:
        for key in NAME_KEYS:
            lines.append(f"  nwr[{_ql_string(key)}={quoted}]{kind};")
    lines += [");", "out body;", ">;", "out skel qt;"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def cache_key(url: str, query: str) -> str:
    """Return the sha256 hex digest that names a reply in the cache.

    The digest covers the URL, a newline, and the query text (UTF-8), so the same query to
    another server is a different entry.
    """
    return hashlib.sha256((url + "\n" + query).encode("utf-8")).hexdigest()


def cache_path(config: OverpassConfig, query: str) -> Optional[Path]:
    """Return ``<cache_dir>/<first 2 hex>/<sha256>.json`` for a query, or None without a cache."""
    if config.cache_dir is None:
        return None
    key = cache_key(config.url, query)
    return Path(config.cache_dir) / key[:2] / f"{key}.json"


def _write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a temp file next to ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _query_summary(query: str) -> str:
    lines = [ln.strip() for ln in query.strip().splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    return first if len(first) <= 160 else first[:157] + "..."


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

_ERROR_P = re.compile(r"<strong[^>]*>\s*Error\s*</strong>\s*:?(.*?)</p>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def extract_html_error(body: bytes) -> str:
    """Return the error text of an Overpass HTML error page (or a short excerpt of any body)."""
    text = body.decode("utf-8", errors="replace")
    found = [html.unescape(_TAGS.sub("", m)).strip() for m in _ERROR_P.findall(text)]
    found = [" ".join(f.split()) for f in found if f.strip()]
    if found:
        return "; ".join(found)
    plain = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    return plain[:300] + ("..." if len(plain) > 300 else "")


def _retry_after_s(value: Optional[str]) -> Optional[float]:
    """Parse ``Retry-After`` (delta seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


def _sleep(seconds: float, feedback: Optional[Feedback]) -> None:
    """Wait ``seconds`` in steps of at most 0.1 s, raising CancelledError when asked to stop."""
    deadline = time.monotonic() + seconds
    while True:
        check_cancelled(feedback)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.1, left))


class _RetryableError(Exception):
    """One attempt failed in a way worth trying again."""

    def __init__(self, reason: str, retry_after: Optional[float] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _read_body(resp: Any, stop: Optional[threading.Event], chunk: int = 1 << 16) -> bytes:
    parts: List[bytes] = []
    while True:
        if stop is not None and stop.is_set():
            raise CancelledError()
        block = resp.read(chunk)
        if not block:
            break
        parts.append(block)
    body = b"".join(parts)
    # http.client's read(amt) returns short data silently when the server closes early;
    # compare with the announced length so a cut-off reply is never taken as complete.
    announced = resp.headers.get("Content-Length")
    if announced and announced.strip().isdigit() and int(announced) > len(body):
        raise http.client.IncompleteRead(body, int(announced) - len(body))
    return body


def _decode(body: bytes, encoding: Optional[str]) -> bytes:
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity"):
        # Some servers gzip without saying so; the gzip magic number is unambiguous.
        if body[:2] == b"\x1f\x8b":
            enc = "gzip"
        else:
            return body
    try:
        if enc in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if enc == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error) as exc:
        raise OverpassError(
            f"The Overpass reply was {enc}-compressed but could not be decompressed ({exc}); "
            f"it is truncated or corrupt. Try again, or use another server."
        ) from None
    raise OverpassError(f"The Overpass reply uses an unknown content encoding {enc!r}.")


def _attempt(query: str, config: OverpassConfig, stop: Optional[threading.Event]) -> bytes:
    """POST the query once; return the (decompressed) body of a 200 reply.

    ``stop`` (set by the waiting thread when the user cancels) is checked between chunks.
    """
    data = urllib.parse.urlencode({"data": query}).encode("utf-8")
    request = urllib.request.Request(
        config.url,
        data=data,
        method="POST",
        headers={
            "User-Agent": config.user_agent,
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_s) as resp:
            body = _decode(_read_body(resp, stop), resp.headers.get("Content-Encoding"))
            ctype = (resp.headers.get("Content-Type") or "").lower()
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            raw = _decode(exc.read() or b"", exc.headers.get("Content-Encoding"))
        except (OSError, OverpassError, http.client.HTTPException):
            raw = b""
        finally:
            exc.close()
        message = extract_html_error(raw) if raw else ""
        if status in RETRY_STATUSES:
            reason = f"HTTP {status}" + (f" ({message})" if message else "")
            raise _RetryableError(reason, _retry_after_s(exc.headers.get("Retry-After"))) from None
        if status == 400:
            raise OverpassError(
                "The Overpass server refused the query (HTTP 400): "
                f"{message or 'no message'}. This is a bug in the query; please report it."
            ) from None
        raise OverpassError(
            f"The Overpass server at {config.url} answered HTTP {status}"
            + (f": {message}" if message else "")
            + ". Check the server URL, or try another server."
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise _RetryableError(
                f"no answer within {config.timeout_s:g} s (socket timeout)"
            ) from None
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise OverpassError(
                f"The certificate of the Overpass server in {config.url} could not be verified "
                f"({reason.verify_message or reason}). Check the URL and the system's CA "
                "certificates (a company proxy may need its certificate installed)."
            ) from None
        if isinstance(reason, ConnectionError):
            raise _RetryableError(f"connection failed ({reason})") from None
        if isinstance(reason, socket.gaierror):
            raise OverpassError(
                f"Cannot resolve the Overpass server's host name in {config.url} ({reason}). "
                "Check the URL and the network, or use cache-only mode with an earlier cache."
            ) from None
        raise _RetryableError(f"connection failed ({reason})") from None
    except (socket.timeout, TimeoutError):
        raise _RetryableError(f"no answer within {config.timeout_s:g} s (socket timeout)") from None
    except (ConnectionError, http.client.IncompleteRead, http.client.RemoteDisconnected) as exc:
        raise _RetryableError(f"connection lost ({type(exc).__name__}: {exc})") from None
    except http.client.HTTPException as exc:
        raise _RetryableError(f"bad HTTP reply ({type(exc).__name__}: {exc})") from None

    if "html" in ctype or "xml" in ctype:
        kind = "an HTML page" if "html" in ctype else "XML"
        raise OverpassError(
            f"The Overpass server at {config.url} answered with {kind} ({ctype}) instead of "
            f"JSON: {extract_html_error(body)}. Check that the URL is an Overpass interpreter "
            "endpoint and the query asks for [out:json]."
        )
    return body


def _attempt_cancellable(
    query: str, config: OverpassConfig, feedback: Optional[Feedback]
) -> bytes:
    """Run :func:`_attempt` in a worker thread so a Cancel is honoured within 0.1 s.

    Overpass may legitimately take minutes before the first byte of its answer; a blocking
    socket read cannot be interrupted, so the HTTP exchange runs in a daemon thread and this
    thread polls ``feedback.isCanceled()`` (QGIS's feedback is only asked from the caller's
    thread). On cancel the worker is told to stop at its next chunk; it ends on its own within
    ``timeout_s`` at the latest, and its result is discarded.
    """
    if feedback is None:
        return _attempt(query, config, None)
    stop = threading.Event()
    outcome: Dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["body"] = _attempt(query, config, stop)
        except BaseException as exc:  # noqa: BLE001 - handed over to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="amp-overpass-http", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if worker.is_alive() and feedback.isCanceled():
            stop.set()
            raise CancelledError()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["body"]


def _parse_reply(body: bytes, query: str) -> Dict[str, Any]:
    """Parse and check a reply body: valid JSON object and no runtime-error remark."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OverpassError(
            f"The Overpass reply is not valid JSON ({exc}; {len(body)} bytes received): it is "
            "truncated or corrupt. Nothing was cached; try again, or try another server."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise OverpassError(
            "The Overpass reply is JSON but has no 'elements' list; it is not an Overpass "
            "result. Check the server URL."
        )
    remark = data.get("remark")
    if isinstance(remark, str) and "error" in remark.lower():
        low = remark.lower()
        if "timed out" in low or "timeout" in low:
            hint = (
                "The query timed out on the server: choose a smaller study radius, or raise "
                "the query timeout (query_timeout_s)."
            )
        elif "memory" in low or "out of memory" in low:
            hint = (
                "The query ran out of memory on the server: choose a smaller study radius "
                "(a smaller bounding box), or try a server with more memory."
            )
        else:
            hint = "Check the query; try a smaller study radius or another server."
        raise OverpassError(
            f"Overpass could not complete the query: {remark.strip()} {hint} "
            "The partial reply was not cached."
        )
    return data


def run_query(
    query: str,
    *,
    config: OverpassConfig,
    feedback: Optional[Feedback] = None,
) -> Dict[str, Any]:
    """Run an Overpass query (or answer it from the cache) and return the parsed JSON.

    Parameters
    ----------
    query : str
        Overpass QL asking for ``[out:json]``.
    config : OverpassConfig
        Server, cache, timeouts and retry policy.
    feedback : Feedback, optional
        Cancellation is checked every 0.1 s while waiting for the server and during backoff
        waits; messages go to ``pushInfo``/``pushWarning``.

    Returns
    -------
    dict
        The Overpass reply (``elements``, ``osm3s`` ...) as parsed; :func:`run_query_with_info`
        also tells whether it came from the cache.

    Raises
    ------
    OverpassError
        Cache-only miss, HTTP errors, runtime-error remarks, invalid JSON, retries exhausted.
    CancelledError
        The feedback object asked to stop.
    """
    data, _info = run_query_with_info(query, config=config, feedback=feedback)
    return data


def run_query_with_info(
    query: str,
    *,
    config: OverpassConfig,
    feedback: Optional[Feedback] = None,
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Like :func:`run_query`, and also return how the reply was obtained.

    Returns
    -------
    (dict, dict)
        The reply, and ``{"cache_hit": bool, "cache_file": Path or None, "cache_key": str,
        "attempts": int}``.
    """
    if not isinstance(query, str) or not query.strip():
        raise InputError("The Overpass query is empty.")
    key = cache_key(config.url, query)
    path = cache_path(config, query)
    info: Dict[str, Any] = {"cache_hit": False, "cache_file": path, "cache_key": key,
                            "attempts": 0}
    check_cancelled(feedback)

    if path is not None and path.is_file():
        try:
            data = _parse_reply(path.read_bytes(), query)
        except OverpassError as exc:
            if feedback is not None:
                feedback.pushWarning(f"Ignoring a corrupt Overpass cache entry {path}: {exc}")
            if config.cache_only:
                raise OverpassError(
                    f"The cached Overpass reply {path} is corrupt ({exc}). Delete it and run "
                    "once without cache-only mode to fetch it again."
                ) from None
        else:
            info["cache_hit"] = True
            if feedback is not None:
                feedback.pushInfo(f"Overpass reply read from the cache: {path}")
            return data, info

    if config.cache_only:
        raise OverpassError(
            f"Cache-only mode: the Overpass query '{_query_summary(query)}' (key {key[:12]}...) "
            f"for {config.url} is not in the cache (expected {path}). Run it once with network "
            f"access and the same cache folder, server URL and parameters to fill the cache, or "
            f"turn cache-only mode off."
        )

    attempts = int(config.max_retries) + 1
    last_reason = ""
    for attempt in range(attempts):
        check_cancelled(feedback)
        info["attempts"] = attempt + 1
        if feedback is not None:
            feedback.pushInfo(f"Querying Overpass at {config.url} (attempt {attempt + 1} of "
                              f"{attempts})")
        try:
            body = _attempt_cancellable(query, config, feedback)
        except _RetryableError as exc:
            last_reason = exc.reason
            if attempt + 1 >= attempts:
                break
            wait = config.backoff_s * (2 ** attempt)
            if exc.retry_after is not None:
                wait = exc.retry_after
            wait = min(wait, config.max_backoff_s)
            if feedback is not None:
                feedback.pushWarning(
                    f"Overpass attempt {attempt + 1} of {attempts} failed: {exc.reason}; "
                    f"retrying in {wait:.1f} s"
                )
            _sleep(wait, feedback)
            continue
        data = _parse_reply(body, query)
        remark = data.get("remark")
        if remark and feedback is not None:
            feedback.pushWarning(f"Overpass remark: {remark}")
        if path is not None:
            _write_atomic(path, body)
        return data, info

    alternatives = ", ".join(u for u in ALTERNATIVE_URLS if u != config.url)
    raise OverpassError(
        f"The Overpass server at {config.url} did not answer after {attempts} attempt"
        f"{'s' if attempts != 1 else ''}; the last one failed with {last_reason}. Try again "
        f"later, use another server (e.g. {alternatives}), or run in cache-only mode with a "
        "cache filled earlier."
    )


# --------------------------------------------------------------------------------------------
# OSM file
# --------------------------------------------------------------------------------------------

_FORMATS: Tuple[Tuple[str, str], ...] = (
    (".osm.pbf", "pbf"),
    (".pbf", "pbf"),
    (".osm.bz2", "osm.bz2"),
    (".osm.gz", "osm.gz"),
    (".osm", "osm"),
)


def _osm_format(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in _FORMATS:
        if name.endswith(suffix):
            return fmt
    raise InputError(
        f"Cannot tell the OSM file format of {path.name!r}; name it *.osm.pbf or *.osm "
        "(also *.osm.gz, *.osm.bz2)."
    )


def _elements(data: Union[Mapping[str, Any], Sequence[Any]]) -> List[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        elements = data.get("elements")
        if not isinstance(elements, list):
            raise DataError("The Overpass data has no 'elements' list.")
    elif isinstance(data, (list, tuple)):
        elements = list(data)
    else:
        raise DataError(
            f"Overpass data must be the reply object or its elements array, got "
            f"{type(data).__name__}."
        )
    return [e for e in elements if isinstance(e, Mapping)]


def osm_base_timestamp(data: Union[Mapping[str, Any], Sequence[Any]]) -> Optional[str]:
    """Return the ``osm3s.timestamp_osm_base`` of an Overpass reply (the data's age), or None.

    A bare elements array (no envelope) has no timestamp: None.
    """
    if not isinstance(data, Mapping):
        return None
    osm3s = data.get("osm3s")
    if isinstance(osm3s, Mapping):
        value = osm3s.get("timestamp_osm_base")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _parse_ts(value: Any) -> Optional[_dt.datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=_dt.timezone.utc)


def _meta(element: Mapping[str, Any]) -> Dict[str, Any]:
    """Optional OSM metadata (present with ``out meta``) in pyosmium's attribute names."""
    attrs: Dict[str, Any] = {}
    for key in ("version", "changeset", "uid"):
        if isinstance(element.get(key), int):
            attrs[key] = element[key]
    if isinstance(element.get("user"), str):
        attrs["user"] = element["user"]
    ts = _parse_ts(element.get("timestamp"))
    if ts is not None:
        attrs["timestamp"] = ts
    return attrs


def _tags(element: Mapping[str, Any]) -> Dict[str, str]:
    tags = element.get("tags")
    if not isinstance(tags, Mapping):
        return {}
    return {str(k): str(v) for k, v in tags.items()}


def _has_location(node: Mapping[str, Any]) -> bool:
    lat, lon = node.get("lat"), node.get("lon")
    return (
        isinstance(lat, (int, float)) and isinstance(lon, (int, float))
        and math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    )


_MEMBER_TYPES = {"node": "n", "way": "w", "relation": "r"}


def _merge(kept: Dict[str, Any], new: Mapping[str, Any]) -> None:
    """Merge a repeated element (``out body`` then ``out skel``) so no tags or refs are lost."""
    if new.get("tags"):
        merged = dict(kept.get("tags") or {})
        merged.update(new["tags"])
        kept["tags"] = merged
    for key in ("nodes", "members", "lat", "lon"):
        if key not in kept and key in new:
            kept[key] = new[key]
    for key in ("version", "changeset", "uid", "user", "timestamp"):
        if key not in kept and key in new:
            kept[key] = new[key]


def elements_to_osm_file(
    data: Union[Mapping[str, Any], Sequence[Any]],
    path: Union[str, Path],
    *,
    bbox_wgs84: Optional[Sequence[float]] = None,
    feedback: Optional[Feedback] = None,
) -> Path:
    """Write Overpass JSON elements to an OSM file with pyosmium.

    Nodes, then ways, then relations, each sorted by id (the order OSM readers expect), with
    tags, way node refs, relation members (type, ref, role) and, when present, the metadata of
    ``out meta``. Elements repeated by ``out body; >; out skel qt;`` are merged. Ways and
    relations whose nodes or members are missing are written as they are. Overpass ``area``
    elements (not OSM objects) and nodes without coordinates are skipped, with a warning.

    The reply's ``osm3s.timestamp_osm_base`` becomes the header's
    ``osmosis_replication_timestamp`` (kept by ``.osm.pbf``; OSM XML has no place for it, so
    read it from :func:`osm_base_timestamp`). The file is written to a temporary name and
    renamed into place when complete.

    Parameters
    ----------
    data : dict or list
        An Overpass reply, or a bare ``elements`` array.
    path : Path
        Output file; the format follows the suffix (``.osm.pbf``, ``.osm``, ``.osm.gz``,
        ``.osm.bz2``).
    bbox_wgs84 : tuple of float, optional
        ``(south, west, north, east)`` of the query, stored as the header's bounding box.
    feedback : Feedback, optional
        Cancellation is checked every 10 000 elements; warnings go to ``pushWarning``.

    Returns
    -------
    Path
        ``path``.
    """
    try:
        import osmium
        import osmium.io
        from osmium.osm.mutable import Node, Relation, Way
    except ImportError as exc:  # pragma: no cover - osmium is a hard dependency
        from amp_qgis_plugin.core.errors import DependencyError

        raise DependencyError(
            f"Writing OSM files needs pyosmium ({exc}); install it with 'pip install osmium'."
        ) from None

    path = Path(path)
    fmt = _osm_format(path)
    elements = _elements(data)

    by_type: Dict[str, Dict[int, Dict[str, Any]]] = {"node": {}, "way": {}, "relation": {}}
    skipped: Dict[str, int] = {}
    for element in elements:
        etype = element.get("type")
        eid = element.get("id")
        if etype not in by_type or not isinstance(eid, int) or isinstance(eid, bool):
            label = str(etype) if etype not in by_type else f"{etype} without an integer id"
            skipped[label] = skipped.get(label, 0) + 1
            continue
        table = by_type[etype]
        if eid in table:
            _merge(table[eid], element)
        else:
            table[eid] = dict(element)
    for eid in [i for i, e in by_type["node"].items() if not _has_location(e)]:
        del by_type["node"][eid]
        skipped["node without coordinates"] = skipped.get("node without coordinates", 0) + 1
    if skipped and feedback is not None:
        detail = ", ".join(f"{n} {k}" for k, n in sorted(skipped.items()))
        feedback.pushWarning(f"Skipped Overpass elements that are not OSM objects: {detail}")

    header = osmium.io.Header()
    header.set("generator", f"AMP Place Analysis {__version__} (Overpass API via pyosmium)")
    timestamp = osm_base_timestamp(data)
    if timestamp:
        header.set("osmosis_replication_timestamp", timestamp)
    if bbox_wgs84 is not None:
        south, west, north, east = _check_bbox(bbox_wgs84)
        header.add_box(osmium.osm.Box(west, south, east, north))

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    tmp = Path(tmp_name)
    writer = None
    try:
        writer = osmium.SimpleWriter(osmium.io.File(str(tmp), fmt), header=header, overwrite=True)
        count = 0
        for eid in sorted(by_type["node"]):
            e = by_type["node"][eid]
            writer.add_node(Node(id=eid, location=(float(e["lon"]), float(e["lat"])),
                                 tags=_tags(e), **_meta(e)))
            count += 1
            if count % 10000 == 0:
                check_cancelled(feedback)
        for eid in sorted(by_type["way"]):
            e = by_type["way"][eid]
            refs = [int(r) for r in (e.get("nodes") or [])]
            writer.add_way(Way(id=eid, nodes=refs, tags=_tags(e), **_meta(e)))
            count += 1
            if count % 10000 == 0:
                check_cancelled(feedback)
        for eid in sorted(by_type["relation"]):
            e = by_type["relation"][eid]
            members = []
            for m in e.get("members") or []:
                mtype = _MEMBER_TYPES.get(m.get("type")) if isinstance(m, Mapping) else None
                if mtype is None or not isinstance(m.get("ref"), int):
                    continue
                members.append((mtype, int(m["ref"]), str(m.get("role") or "")))
            writer.add_relation(Relation(id=eid, members=members, tags=_tags(e), **_meta(e)))
        writer.close()
        writer = None
        check_cancelled(feedback)
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - already failing; keep the original error
                pass
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def element_counts(data: Union[Mapping[str, Any], Sequence[Any]]) -> Dict[str, int]:
    """Count distinct nodes, ways and relations (by id) in Overpass data."""
    seen: Dict[str, set] = {"node": set(), "way": set(), "relation": set()}
    for e in _elements(data):
        if e.get("type") in seen:
            seen[e["type"]].add(e.get("id"))
    return {k: len(v) for k, v in seen.items()}


def fetch_overpass_osm(
    bbox_wgs84: Sequence[float],
    out_path: Union[str, Path],
    *,
    config: OverpassConfig,
    feedback: Optional[Feedback] = None,
    include_landuse: bool = False,
) -> Tuple[Path, Dict[str, str]]:
    """Fetch everything the canonical layers need in a bbox from Overpass into an OSM file.

    Parameters
    ----------
    bbox_wgs84 : tuple of float
        ``(south, west, north, east)`` in WGS 84 degrees.
    out_path : Path
        The OSM file to write (``.osm.pbf`` recommended).
    config : OverpassConfig
        Server, cache, timeouts and retries.
    feedback : Feedback, optional
        Progress 0-100 % (query 0-80, writing 80-100) and cancellation.
    include_landuse : bool
        Also fetch ``landuse`` polygons.

    Returns
    -------
    (Path, dict of str to str)
        The file, and provenance entries for PlaceData's provenance table: ``overpass_url``,
        ``overpass_query``, ``osm_base_timestamp`` (empty when the reply has none),
        ``overpass_cache_hit`` (``"yes"``/``"no"``), ``overpass_cache_key``, ``overpass_bbox``,
        ``overpass_elements``.
    """
    bbox = _check_bbox(bbox_wgs84)
    query = build_query(bbox, config=config, include_landuse=include_landuse)
    if feedback is not None:
        feedback.setProgress(0.0)
    data, info = run_query_with_info(query, config=config, feedback=feedback)
    if feedback is not None:
        feedback.setProgress(80.0)
    check_cancelled(feedback)
    path = elements_to_osm_file(data, out_path, bbox_wgs84=bbox, feedback=feedback)
    if feedback is not None:
        feedback.setProgress(100.0)
    counts = element_counts(data)
    provenance = {
        "overpass_url": config.url,
        "overpass_query": query,
        "osm_base_timestamp": osm_base_timestamp(data) or "",
        "overpass_cache_hit": "yes" if info["cache_hit"] else "no",
        "overpass_cache_key": info["cache_key"],
        "overpass_bbox": _bbox_ql(bbox) + " (south,west,north,east; WGS 84)",
        "overpass_elements": ", ".join(f"{k}s: {n}" for k, n in counts.items()),
    }
    return path, provenance


__all__ = [
    "ALTERNATIVE_URLS",
    "DEFAULT_URL",
    "OverpassConfig",
    "build_name_query",
    "build_query",
    "cache_key",
    "cache_path",
    "default_cache_dir",
    "element_counts",
    "elements_to_osm_file",
    "extract_html_error",
    "fetch_overpass_osm",
    "osm_base_timestamp",
    "run_query",
    "run_query_with_info",
]
