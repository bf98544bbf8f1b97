"""How to talk to the Overpass API: server URLs, the cache folder, timeouts and retries."""

from __future__ import annotations

import math
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Tuple

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.core.errors import InputError

#: The public main instance of the Overpass API.
DEFAULT_URL = "https://overpass-api.de/api/interpreter"

#: Other public Overpass instances a user can switch to (named in error messages).
ALTERNATIVE_URLS: Tuple[str, ...] = (
    "https://overpass.kumi.systems/api/interpreter",
    "https://overpass.private.coffee/api/interpreter",
)


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
