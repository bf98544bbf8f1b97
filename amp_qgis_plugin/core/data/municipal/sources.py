"""Opening an OGR source: paths, QGIS layer URIs, WFS URLs, GDAL HTTP limits, layers, fields.

Web sources run under GDAL HTTP timeouts (:data:`HTTP_TIMEOUT_S`), and their URLs appear in
messages and provenance without credentials or API keys (:func:`_redact`).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from amp_qgis_plugin.core.data.municipal.encoding import _encoding_error
from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.errors import DataError, InputError

#: HTTP limits (seconds) for WFS and other web sources, unless the user configured GDAL's own
#: ``GDAL_HTTP_TIMEOUT`` / ``GDAL_HTTP_CONNECTTIMEOUT``: a dead server must fail, not hang.
HTTP_TIMEOUT_S = 60
HTTP_CONNECT_TIMEOUT_S = 10


def _redact(url: str) -> str:
    """Return ``url`` without user name, password or key/token query values.

    The source URL ends up in messages and in the GeoPackage's provenance table, which planners
    share; credentials must not.
    """
    url = _USERINFO_RE.sub(r"\1", url)
    return _SECRET_PARAM_RE.sub(lambda m: m.group(1) + "***", url)


_USERINFO_RE = re.compile(r"(://)[^/@\s?#]+@")
_SECRET_PARAM_RE = re.compile(
    r"([?&](?:api[_-]?key|key|token|access[_-]?token|password|passwd|pwd|secret|auth)=)[^&#]*",
    re.IGNORECASE)


_REMOTE_VSI = ("/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift",
               "/vsiwebhdfs", "/vsihdfs")


def _split_qgis_uri(source: str) -> Tuple[str, Optional[str]]:
    """Split a QGIS layer source such as ``"lampor.gpkg|layername=lampor"`` into (path, layer)."""
    if "|" not in source or source[:4].lower() == "wfs:" or "://" in source.split("|")[0][:12]:
        return source, None
    path, *options = source.split("|")
    layer = None
    for option in options:
        key, _, value = option.partition("=")
        if key.strip().lower() == "layername" and value:
            layer = value
    return path, layer


def _listing(names: Sequence[str], limit: int = 40) -> str:
    """Names for a message, at most ``limit`` of them."""
    names = list(names)
    if not names:
        return "none"
    more = f" ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _normalise_source(source: str) -> Tuple[str, bool, str]:
    """Return (GDAL dataset name, is_remote, display name) for a file path or URL."""
    text = source.strip()
    lower = text.lower()
    if lower.startswith("wfs:"):
        return "WFS:" + text[4:], True, _redact(text)
    if lower.startswith(("http://", "https://")):
        query = urlsplit(text).query.lower()
        dsn = "WFS:" + text if "service=wfs" in query.replace(" ", "") else text
        return dsn, True, _redact(text)
    if lower.startswith("/vsi"):
        return text, lower.startswith(_REMOTE_VSI), _redact(text)
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"Municipal layer not found: {path}. Check the path (a Shapefile needs "
                         "its .shp, .shx and .dbf side by side).")
    return str(path.resolve()), False, str(path.resolve())


@contextlib.contextmanager
def _http_limits(timeout_s: Optional[float]) -> Iterator[None]:
    """Set GDAL's HTTP timeouts for the duration of one read, then restore what was there.

    GDAL's defaults let a WFS request to an unresponsive server wait indefinitely; a user's own
    setting (environment or GDAL config) is kept unless ``timeout_s`` is given explicitly.
    """
    import pyogrio

    total = timeout_s if timeout_s is not None else HTTP_TIMEOUT_S
    connect = min(HTTP_CONNECT_TIMEOUT_S, total)
    wanted = {"GDAL_HTTP_TIMEOUT": str(max(1, int(math.ceil(total)))),
              "GDAL_HTTP_CONNECTTIMEOUT": str(max(1, int(math.ceil(connect))))}
    previous = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    apply = {k: v for k, v in wanted.items()
             if timeout_s is not None or (previous[k] is None and k not in os.environ)}
    pyogrio.set_gdal_config_options(apply)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(
            {k: (None if previous[k] is None else str(previous[k])) for k in apply})


def _source_error(exc: Exception, display: str, remote: bool) -> Exception:
    msg = _redact(str(exc).strip() or type(exc).__name__)
    if remote:
        return DataError(f"Could not read the web/WFS source {display}: {msg}. Check the URL, "
                         "that the service is up and reachable from this computer (proxy, VPN), "
                         "and try again.")
    return InputError(f"{display} is not a readable vector layer: {msg}.")


def _choose_layer(dsn: str, mapping: FieldMapping, display: str, remote: bool,
                  wanted: Optional[str] = None) -> Optional[str]:
    """Return the layer to read: ``wanted`` (from the source URI), the mapping's or the only one."""
    import pyogrio

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(dsn)]
    except Exception as exc:  # pyogrio's DataSourceError and friends
        raise _source_error(exc, display, remote) from None
    wanted = wanted or mapping.layer
    if wanted:
        if wanted not in layers:
            raise InputError(f"{display} has no layer {wanted!r} (mapping "
                             f"{mapping.name!r}). Its layers: {_listing(layers)}.")
        return wanted
    if len(layers) > 1:
        raise InputError(f"{display} holds {len(layers)} layers; set 'layer' in mapping "
                         f"{mapping.name!r} to one of: {_listing(layers)}.")
    if not layers:
        raise InputError(f"{display} holds no vector layer.")
    return layers[0]


def _layer_info(dsn: str, layer: Optional[str], display: str, remote: bool) -> Dict[str, Any]:
    """Driver, CRS, fields and geometry type of the layer, without reading its features.

    ``pyogrio.read_info`` counts the features, and GDAL's WFS driver counts by downloading the
    whole layer when the server does not support ``resultType=hits``. For a WFS the layer is
    therefore probed with a GetFeature restricted to a (practically) empty box: one small
    request that still gives the CRS and the fields.
    """
    import pyogrio

    try:
        if not dsn.startswith("WFS:"):
            return pyogrio.read_info(dsn, layer=layer)
        probe = pyogrio.read_dataframe(dsn, layer=layer, bbox=(0.0, 0.0, 1e-9, 1e-9))
    except Exception as exc:  # pyogrio's DataSourceError and friends
        raise _source_error(exc, display, remote) from None
    geometry = getattr(probe, "geometry", None) is not None and "geometry" in probe.columns
    crs = probe.crs.to_string() if geometry and probe.crs is not None else None
    return {"driver": "WFS", "crs": crs, "geometry_type": "Unknown" if geometry else None,
            "fields": [c for c in probe.columns if c != "geometry"]}


def _cpg_file(path: Path, layer: Optional[str]) -> Optional[Path]:
    """Return the Shapefile's .cpg (code page) file, if there is one."""
    base = path / layer if path.is_dir() and layer else path.with_suffix("")
    for suffix in (".cpg", ".CPG"):
        candidate = base.with_name(base.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def _resolve_fields(mapping: FieldMapping, available: Sequence[str], display: str,
                    layer: Optional[str], max_len: Optional[int] = None) -> Dict[str, str]:
    """Return canonical column -> the source field that exists, or raise listing the fields.

    Names match exactly, then ignoring case; with ``max_len`` (10 for Shapefiles, whose .dbf
    truncates field names) a longer name also matches its truncation ("antal_platser" finds
    "antal_plat").
    """
    by_fold: Dict[str, List[str]] = {}
    for name in available:
        by_fold.setdefault(name.casefold(), []).append(name)
    resolved: Dict[str, str] = {}
    missing: List[str] = []
    for col, spec in mapping.fields.items():
        candidates = spec if isinstance(spec, list) else [spec]
        if max_len:
            candidates = candidates + [c[:max_len] for c in candidates if len(c) > max_len]
        hit = next((c for c in candidates if c in available), None)
        if hit is None:
            hit = next((by_fold[c.casefold()][0] for c in candidates
                        if len(by_fold.get(c.casefold(), [])) == 1), None)
        if hit is None:
            wanted = " or ".join(repr(c) for c in (spec if isinstance(spec, list) else [spec]))
            missing.append(f"{wanted} (for {col})")
        else:
            resolved[col] = hit
    if missing:
        where = f"{display}" + (f" (layer {layer!r})" if layer else "")
        raise InputError(f"Mapping {mapping.name!r}: {where} has no field "
                         f"{'; no field '.join(missing)}. Its fields are: "
                         f"{_listing(available, 200)}. Fix the field names in the mapping.")
    return resolved


def _read_frame(dsn: str, layer: Optional[str], columns: List[str], encoding: Optional[str],
                bbox, display: str, remote: bool):
    import pyogrio

    try:
        return pyogrio.read_dataframe(dsn, layer=layer, columns=columns, encoding=encoding,
                                      bbox=bbox)
    except UnicodeDecodeError as exc:
        raise _encoding_error(display, encoding, exc) from None
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, FieldError ...
        raise _source_error(exc, display, remote) from None
