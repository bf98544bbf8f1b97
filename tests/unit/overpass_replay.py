"""A real HTTP server on 127.0.0.1 that replays recorded Overpass replies and scripted errors.

Tests script a sequence of :class:`Reply` objects; each POST to the server takes the next one
(the last one repeats once the script is used up). The server records every request (path,
headers, the form field ``data`` = the Overpass query) so tests can count network round trips.

Use it as a pytest fixture::

    from overpass_replay import Reply, overpass_server  # noqa: F401  (the fixture)

    def test_something(overpass_server):
        overpass_server.script(Reply.fixture("way-02.json"))
        ... OverpassConfig(url=overpass_server.url, ...)

Written on ``http.server`` (standard library) because the client under test is plain
``urllib``: the tests exercise real sockets, real timeouts and real HTTP framing, no mocks.
"""

from __future__ import annotations

import http.server
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "overpass"

#: The HTML page Overpass (osm3s) sends with HTTP 400 for a query it cannot parse.
OVERPASS_400_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8" lang="en"/>
  <title>OSM3S Response</title>
</head>
<body>

<p>The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.</p>
<p><strong style="color:#FF0000">Error</strong>: line 2: parse error: Unknown type &quot;nwx&quot; </p>

</body>
</html>
"""  # noqa: E501 - the page as the server sends it

#: The HTML page Overpass sends with HTTP 429 when a client exceeds its slots.
OVERPASS_429_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<html><head><title>OSM3S Response</title></head><body>
<p><strong style="color:#FF0000">Error</strong>: runtime error: open64: 0 Success /osm3s_osm_base Dispatcher_Client::request_read_and_idx::rate_limited. Please check /api/status for the quota of your IP address. </p>
</body></html>
"""  # noqa: E501 - the page as the server sends it


@dataclass
class Reply:
    """One scripted HTTP reply.

    Attributes
    ----------
    status : int
        HTTP status.
    body : bytes
        The body sent as is.
    content_type : str
        ``Content-Type`` header.
    headers : dict
        Extra headers (``Retry-After``, ``Content-Encoding`` ...).
    delay_s : float
        Wait this long before answering (a slow server).
    drop : bool
        Close the connection without answering (a reset).
    content_length : int, optional
        Announce this ``Content-Length`` instead of the body's (a lying, cut-off reply).
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: Dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False
    content_length: Optional[int] = None

    @classmethod
    def fixture(cls, name: str, **kwargs) -> "Reply":
        """Replay a recorded file; ``.gz`` is served as is with ``Content-Encoding: gzip``."""
        body = (FIXTURES / name).read_bytes()
        reply = cls(body=body, **kwargs)
        if name.endswith(".gz"):
            reply.headers = {**reply.headers, "Content-Encoding": "gzip"}
        return reply

    @classmethod
    def html(cls, status: int, page: str, **kwargs) -> "Reply":
        """An HTML error page, as Overpass sends for 400/429/504."""
        return cls(status=status, body=page.encode("utf-8"),
                   content_type="text/html; charset=utf-8", **kwargs)


@dataclass
class RecordedRequest:
    """What the client sent."""

    method: str
    path: str
    headers: Dict[str, str]
    query: Optional[str]


class ReplayServer:
    """A threaded HTTP server on a free port of 127.0.0.1 answering from a script."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: List[Reply] = []
        self._stop = threading.Event()
        self.requests: List[RecordedRequest] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                form = urllib.parse.parse_qs(raw.decode("utf-8"))
                query = form.get("data", [None])[0]
                reply = server._next(RecordedRequest(self.command, self.path,
                                                     dict(self.headers.items()), query))
                if reply.delay_s and server._stop.wait(reply.delay_s):
                    return
                try:
                    if reply.drop:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    length = reply.content_length if reply.content_length is not None \
                        else len(reply.body)
                    self.send_header("Content-Length", str(length))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up (timeout test); nothing to do

            do_POST = _answer  # noqa: N815 - http.server naming
            do_GET = _answer  # noqa: N815

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    # -- scripting ---------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` in order; the last one repeats."""
        with self._lock:
            self._script = list(replies)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if not self._script:
                return Reply(status=500, body=b"no reply scripted", content_type="text/plain")
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/interpreter"

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> "ReplayServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def overpass_server() -> Iterator[ReplayServer]:
    """A started :class:`ReplayServer`, stopped after the test."""
    with ReplayServer() as server:
        yield server
