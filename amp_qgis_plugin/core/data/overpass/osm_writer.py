"""Overpass JSON -> an OSM file (``.osm.pbf``, ``.osm`` ...) written with pyosmium."""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.data.overpass.query import _check_bbox
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

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

    with atomic_output(path, suffix=".tmp") as tmp:
        writer = osmium.SimpleWriter(osmium.io.File(str(tmp), fmt), header=header, overwrite=True)
        try:
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
                    mtype = _MEMBER_TYPES.get(str(m.get("type"))) if isinstance(m, Mapping) else None
                    if mtype is None or not isinstance(m.get("ref"), int):
                        continue
                    members.append((mtype, int(m["ref"]), str(m.get("role") or "")))
                writer.add_relation(Relation(id=eid, members=members, tags=_tags(e), **_meta(e)))
        except BaseException:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - already failing; keep the original error
                pass
            raise
        writer.close()
        check_cancelled(feedback)
    return path


def element_counts(data: Union[Mapping[str, Any], Sequence[Any]]) -> Dict[str, int]:
    """Count distinct nodes, ways and relations (by id) in Overpass data."""
    seen: Dict[str, set] = {"node": set(), "way": set(), "relation": set()}
    for e in _elements(data):
        if e.get("type") in seen:
            seen[e["type"]].add(e.get("id"))
    return {k: len(v) for k, v in seen.items()}
