"""One HTTP exchange with an Overpass server: POST, read, decompress, classify failures.

A failure worth trying again (HTTP 429/502/503/504, a reset connection, a socket timeout) raises
:class:`_RetryableError`; the retry loop lives in the client.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import gzip
import html
import http.client
import re
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from typing import Any, Dict, List, Optional

from amp_qgis_plugin.core.data.overpass.config import OverpassConfig
from amp_qgis_plugin.core.errors import CancelledError, OverpassError
from amp_qgis_plugin.core.feedback import Feedback

#: HTTP statuses after which the same request is tried again (rate limit, gateway/overload).
RETRY_STATUSES = frozenset({429, 502, 503, 504})

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
        reason = exc.reason  # type: ignore[assignment]
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
