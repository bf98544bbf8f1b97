"""The content-addressed disk cache of Overpass replies (sha256 of URL and query)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.data.overpass.config import OverpassConfig


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
    with atomic_output(path, suffix=".tmp") as tmp:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
