"""Run an Overpass query: answer from the cache, or ask the server with bounded retries.

Why hand-written on the standard library rather than ``requests``/``overpy``/``osmnx``: the plugin
must run inside QGIS's Python, where extra dependencies are a burden, and none of those clients
offers all of what the engine needs together: an explicit content-addressed cache with atomic
writes and a cache-only mode, bounded retries that honour ``Retry-After``, cancellation from a
QGIS feedback object during waits and downloads, and the detection of Overpass's in-band
``remark`` errors (a reply with HTTP 200 whose elements are incomplete). ``urllib`` gives a
timeout on every socket operation, which is all the HTTP this needs.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional, Tuple

from amp_qgis_plugin.core.data.overpass.cache import _write_atomic, cache_key, cache_path
from amp_qgis_plugin.core.data.overpass.config import ALTERNATIVE_URLS, OverpassConfig
from amp_qgis_plugin.core.data.overpass.transport import _attempt_cancellable, _RetryableError
from amp_qgis_plugin.core.errors import InputError, OverpassError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled


def _query_summary(query: str) -> str:
    lines = [ln.strip() for ln in query.strip().splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    return first if len(first) <= 160 else first[:157] + "..."


def _sleep(seconds: float, feedback: Optional[Feedback]) -> None:
    """Wait ``seconds`` in steps of at most 0.1 s, raising CancelledError when asked to stop."""
    deadline = time.monotonic() + seconds
    while True:
        check_cancelled(feedback)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.1, left))


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
