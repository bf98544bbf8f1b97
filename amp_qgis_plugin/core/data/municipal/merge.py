"""Merging a municipal layer into PlaceData, replacing or adding to the OSM features."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.data.municipal.presets import load_preset
from amp_qgis_plugin.core.data.municipal.reader import read_municipal_layer
from amp_qgis_plugin.core.data.municipal.sources import _redact
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.data.placedata import PlaceData


def _is_osm(layer) -> "Any":
    """Boolean array: rows that came from OpenStreetMap (source 'osm' or an OSM id)."""
    import numpy as np

    source = layer["source"].fillna("").astype(str).to_numpy()
    osm_id = layer["osm_id"].fillna("").astype(str).to_numpy()
    return np.array((source == "osm") | (osm_id != ""), dtype=bool)


def merge_into(
    data: "PlaceData",
    gdf: "gpd.GeoDataFrame",
    mapping: FieldMapping,
    *,
    feedback: Optional[Feedback] = None,
    source: Optional[str] = None,
) -> Dict[str, int]:
    """Merge a layer read by :func:`read_municipal_layer` into ``data`` and record provenance.

    ``mode="replace"`` removes the OSM features of ``mapping.target`` that intersect the study
    area (all of them when ``data`` has no study area); when the register has no feature there,
    the OSM features are kept and a warning says so (an empty read more likely means the
    register does not cover the place than that the place has none). ``mode="append"`` keeps
    them. In both modes, features merged earlier with the same mapping name are replaced, so
    merging the same register twice does not double it.

    Provenance keys: ``municipal:<name>`` (the source path or URL, without credentials),
    ``municipal:<name>:features``, ``municipal:<name>:removed_osm`` and
    ``municipal:<name>:mapping`` (the mapping as JSON).

    Returns
    -------
    dict
        ``{"added": n, "removed_osm": m, "removed_previous": k}``.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from amp_qgis_plugin.core.data.placedata import conform

    mapping.validate()
    check_cancelled(feedback)
    target = mapping.target
    incoming = conform(target, gdf, data.crs)
    incoming["source"] = mapping.name
    existing = data[target]
    drop = np.array(existing["source"].fillna("").astype(str) == mapping.name, dtype=bool)
    removed_previous = int(drop.sum())
    removed_osm = 0
    if mapping.mode == "replace":
        if len(incoming):
            osm = _is_osm(existing) & ~drop
            sa = data.layers.get("study_area")
            if sa is not None and len(sa) and osm.any():
                area = data.study_area_polygon
                osm &= shapely.intersects(np.asarray(existing.geometry.values), area)
            removed_osm = int(osm.sum())
            drop |= osm
        elif feedback is not None:
            feedback.pushWarning(f"Mapping {mapping.name!r} brought no {target} into the study "
                                 f"area, so the OSM {target} were kept.")
    kept = existing[~drop]
    pieces = [p for p in (kept, incoming) if len(p)]
    if pieces:
        merged = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), crs=data.crs)
    else:
        merged = incoming
    data[target] = merged
    meta = gdf.attrs.get("amp_municipal", {}) if hasattr(gdf, "attrs") else {}
    where = source if source is not None else meta.get("source", "")
    if where and where.lower().startswith(("http", "wfs:")):
        where = _redact(where)
    key = f"municipal:{mapping.name}"
    data.provenance[key] = where + (f" (layer {mapping.layer})" if mapping.layer else "")
    data.provenance[f"{key}:features"] = str(len(incoming))
    data.provenance[f"{key}:removed_osm"] = str(removed_osm)
    data.provenance[f"{key}:mapping"] = json.dumps(mapping.to_dict(), ensure_ascii=False,
                                                   sort_keys=True)
    if feedback is not None:
        verb = f"replaced {removed_osm} OSM feature(s) with" if mapping.mode == "replace" \
            else "added"
        feedback.pushInfo(f"{target}: {verb} {len(incoming)} feature(s) from {mapping.name!r}.")
    return {"added": len(incoming), "removed_osm": removed_osm,
            "removed_previous": removed_previous}


def add_municipal_layer(
    data: "PlaceData",
    source: os.PathLike | str,
    mapping: Union[FieldMapping, str, os.PathLike],
    *,
    user_dir: Optional[os.PathLike | str] = None,
    feedback: Optional[Feedback] = None,
    http_timeout_s: Optional[float] = None,
) -> Dict[str, int]:
    """Read ``source`` with ``mapping`` (a FieldMapping, preset name or file) into ``data``.

    The layer is read in ``data.crs`` and clipped to its study area (when it has one), then
    merged with :func:`merge_into`; returns its counts.
    """
    if not isinstance(mapping, FieldMapping):
        mapping = load_preset(mapping, user_dir)
    sa = data.layers.get("study_area")
    clip = data.study_area_polygon if sa is not None and len(sa) else None
    gdf = read_municipal_layer(source, mapping, crs=data.crs, clip_to=clip, feedback=feedback,
                               http_timeout_s=http_timeout_s)
    return merge_into(data, gdf, mapping, feedback=feedback)
