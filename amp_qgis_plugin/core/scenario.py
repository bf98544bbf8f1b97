"""Scenarios: what a bench, lamp or tree programme, or a façade opened with a use, would change.

A scenario is a point layer of proposed changes (any CRS, any OGR format), one row per change:

``action``  ``add`` or ``remove``
``kind``    ``bench``, ``lamp``, ``tree``, ``bin`` or ``facade`` (a ground floor opened with a use;
            ``add`` only)
optional    ``length_m`` and ``backrest`` (bench), ``height_m`` and ``lumen`` (lamp),
            ``use`` (facade: a POI category such as ``retail`` or ``food_drink``), ``name``

Adding puts a feature of the canonical layer at the point (``source = "scenario"``); removing
takes away the nearest existing feature of that kind within ``match_distance_m`` (a removal with
nothing near is an error naming the row). A façade is opened by placing a ground-floor POI of the
given use on the nearest building outline within ``facade_snap_m``: the frontage indicator then
gives that stretch the use and a door, as it does for mapped shops.

:func:`apply_scenario` returns the changed PlaceData and a ``scenario_changes`` layer (what was
added or removed, where); :func:`compare` turns the profiles before and after into one table per
indicator and attribute (value, score, change). The assessment runs the same entries on both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Tuple, Union

import numpy as np

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.options import Options, option

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.scoring import ProfileResult

#: Canonical layer of each kind of change.
LAYER_OF = {"bench": "seating", "lamp": "lamps", "tree": "trees", "bin": "bins", "facade": "pois"}
ACTIONS = ("add", "remove")
#: Input id of the scenario layer in error messages.
INPUT_ID = "scenario"

ScenarioSource = Union[str, "os.PathLike[str]", "gpd.GeoDataFrame"]


@dataclass
class ScenarioOptions(Options):
    """How changes are matched (defaults from ``resources/scoring/scenario.json``).

    Attributes
    ----------
    match_distance_m : float
        A removal takes the nearest feature of its kind within this distance.
    facade_snap_m : float
        A façade change is placed on the nearest building outline within this distance.
    """

    THEME: ClassVar[str] = "scenario"

    match_distance_m: float = option("match_distance", label="removal match distance", minimum=0,
                                     exclusive_minimum=True, maximum=50)
    facade_snap_m: float = option("facade_snap", label="façade snapping distance", minimum=0,
                                  exclusive_minimum=True, maximum=50)


@dataclass
class ScenarioResult:
    """The changed PlaceData and what changed.

    Attributes
    ----------
    data : PlaceData
        A copy of the place's data with the changes applied.
    changes : GeoDataFrame
        One row per change: row, action, kind, layer, feature (id added or removed), note.
    counts : dict of str to int
        ``"<action> <kind>"`` -> number of changes.
    """

    data: "PlaceData"
    changes: "gpd.GeoDataFrame"
    counts: Dict[str, int] = field(default_factory=dict)


def read_scenario(source: ScenarioSource, crs: str) -> "gpd.GeoDataFrame":
    """Read and check a scenario layer, reprojected to ``crs``.

    Raises
    ------
    InputError
        A missing file, no CRS, no ``action``/``kind`` field, an unknown value (naming the row and
        the values allowed), or a geometry that is not a point.
    """
    import geopandas as gpd
    import shapely

    if isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
        name = "the scenario layer"
    else:
        import pyogrio

        path = os.fspath(source)
        if not os.path.exists(path):
            raise InputError(f"The scenario layer {path!r} does not exist.", options=(INPUT_ID,))
        try:
            gdf = pyogrio.read_dataframe(path)
        except Exception as exc:  # pyogrio raises its own DataSourceError types
            raise InputError(f"The scenario layer {os.path.basename(path)!r} could not be read: "
                             f"{exc}", options=(INPUT_ID,)) from exc
        name = os.path.basename(path)
    if gdf.empty:
        raise InputError(f"{name} holds no changes.", options=(INPUT_ID,))
    if gdf.crs is None:
        raise InputError(f"{name} has no CRS; set its CRS and try again.", options=(INPUT_ID,))
    columns = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}
    missing = [c for c in ("action", "kind") if c not in columns]
    if missing:
        raise InputError(f"{name} needs the fields 'action' (add/remove) and 'kind' "
                         f"({', '.join(LAYER_OF)}); it has: {', '.join(columns.values()) or 'none'}.",
                         options=(INPUT_ID,))
    gdf = gdf.rename(columns={v: k for k, v in columns.items()})
    gdf = gdf.to_crs(crs)
    for i, (action, kind) in enumerate(zip(gdf["action"], gdf["kind"]), start=1):
        a, k = str(action or "").strip().lower(), str(kind or "").strip().lower()
        if a not in ACTIONS:
            raise InputError(f"Row {i} of {name}: action {action!r} is not one of "
                             f"{', '.join(ACTIONS)}.", options=(INPUT_ID,))
        if k not in LAYER_OF:
            raise InputError(f"Row {i} of {name}: kind {kind!r} is not one of "
                             f"{', '.join(LAYER_OF)}.", options=(INPUT_ID,))
        if k == "facade" and a != "add":
            raise InputError(f"Row {i} of {name}: a façade can only be opened (add) with a use.",
                             options=(INPUT_ID,))
    geoms = np.asarray(gdf.geometry.values)
    points = shapely.get_type_id(geoms) == 0
    if not points.all():
        first = int(np.flatnonzero(~points)[0]) + 1
        raise InputError(f"Row {first} of {name} is not a point: a scenario places each change "
                         "at a point.", options=(INPUT_ID,))
    gdf["action"] = gdf["action"].astype(str).str.strip().str.lower()
    gdf["kind"] = gdf["kind"].astype(str).str.strip().str.lower()
    return gdf


def _value(row: Any, key: str, default: Any = None) -> Any:
    value = row.get(key, default) if hasattr(row, "get") else default
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return default
    return value


def apply_scenario(data: "PlaceData", source: ScenarioSource,
                   options: Optional[ScenarioOptions] = None) -> ScenarioResult:
    """Apply the changes of a scenario layer to a copy of ``data``.

    Raises
    ------
    InputError
        For a bad scenario layer (see :func:`read_scenario`), a removal with nothing of its kind
        within the match distance, or a façade with no building near or no use.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.data.schema import POI_CATEGORIES

    options = options or ScenarioOptions()
    scenario = read_scenario(source, data.crs)
    after = PlaceData(crs=data.crs, layers={k: v.copy() for k, v in data.layers.items()},
                      provenance=dict(data.provenance))
    rows: List[Dict[str, Any]] = []
    geoms: List[Any] = []
    counts: Dict[str, int] = {}
    for i, (_idx, change) in enumerate(scenario.iterrows(), start=1):
        action, kind = change["action"], change["kind"]
        layer = LAYER_OF[kind]
        point = change.geometry
        current = after[layer]
        note = ""
        if action == "remove":
            feature, note = _remove_nearest(after, layer, point, options.match_distance_m, i, kind)
        elif kind == "facade":
            use = str(_value(change, "use", "")).strip()
            if use not in POI_CATEGORIES:
                raise InputError(f"Row {i} of the scenario opens a façade without a known use "
                                 f"({use!r}); give 'use' as one of {', '.join(POI_CATEGORIES)}.",
                                 options=(INPUT_ID,))
            buildings = after["buildings"]
            near = shapely.dwithin(np.asarray(buildings.geometry.values), point,
                                   options.facade_snap_m) if len(buildings) else np.zeros(0, bool)
            if not near.any():
                raise InputError(f"Row {i} of the scenario opens a façade, but no building is "
                                 f"within {options.facade_snap_m:g} m of it; place the point on "
                                 "the façade.", options=(INPUT_ID, "facade_snap_m"))
            outlines = shapely.boundary(np.asarray(buildings.geometry.values)[near])
            nearest = outlines[int(np.argmin(shapely.distance(outlines, point)))]
            point = shapely.line_interpolate_point(nearest, shapely.line_locate_point(nearest, point))
            feature = f"scenario{i}"
            new = {"osm_id": feature, "source": "scenario", "name": _value(change, "name", ""),
                   "category": use, "key": "scenario", "value": use, "level": ""}
            after["pois"] = _append(current, new, point)
            note = f"ground floor opened as {use}"
        else:
            feature = f"scenario{i}"
            new = {"osm_id": feature, "source": "scenario"}
            if kind == "bench":
                new.update(seating_type="bench", backrest=str(_value(change, "backrest", "")),
                           length_m=float(_value(change, "length_m", np.nan)))
            elif kind == "lamp":
                new.update(height_m=float(_value(change, "height_m", np.nan)),
                           lumen=float(_value(change, "lumen", np.nan)))
            elif kind == "tree":
                new.update(height_m=float(_value(change, "height_m", np.nan)))
            after[layer] = _append(current, new, point)
        counts[f"{action} {kind}"] = counts.get(f"{action} {kind}", 0) + 1
        rows.append({"row": i, "action": action, "kind": kind, "layer": layer,
                     "feature": feature, "note": note})
        geoms.append(point)
    after.provenance["scenario.changes"] = "; ".join(f"{k}: {v}" for k, v in counts.items())
    changes = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=data.crs),
                               crs=data.crs)
    return ScenarioResult(data=after, changes=changes, counts=counts)


def _append(layer: "gpd.GeoDataFrame", values: Dict[str, Any], point: Any) -> "gpd.GeoDataFrame":
    import geopandas as gpd
    import pandas as pd

    row = gpd.GeoDataFrame({k: [v] for k, v in values.items()},
                           geometry=gpd.GeoSeries([point], crs=layer.crs), crs=layer.crs)
    return pd.concat([layer, row], ignore_index=True)


def _remove_nearest(data: "PlaceData", layer: str, point: Any, reach: float, row: int,
                    kind: str) -> Tuple[str, str]:
    import shapely

    current = data[layer]
    if current.empty:
        raise InputError(f"Row {row} of the scenario removes a {kind}, but the place has no "
                         f"{layer} at all.", options=(INPUT_ID,))
    distance = shapely.distance(np.asarray(current.geometry.values), point)
    nearest = int(np.argmin(distance))
    if distance[nearest] > reach:
        raise InputError(f"Row {row} of the scenario removes a {kind}, but none is within "
                         f"{reach:g} m (the nearest is {distance[nearest]:.1f} m away).",
                         options=(INPUT_ID, "match_distance_m"))
    feature = str(current.iloc[nearest].get("osm_id", "") or f"#{nearest}")
    data[layer] = current.drop(current.index[nearest]).reset_index(drop=True)
    return feature, f"removed {feature} ({distance[nearest]:.1f} m from the point)"


def compare(before: "ProfileResult", after: "ProfileResult") -> "pd.DataFrame":
    """One row per indicator, attribute, group and the index: value and score before and after.

    Columns: level, key, name, name_sv, unit, value_before, value_after, score_before, score_after,
    score_change (None when either side has no data), coverage_before, coverage_after.
    """
    import pandas as pd

    a = before.scores_frame().set_index(["level", "key"])
    b = after.scores_frame().set_index(["level", "key"])
    rows = []
    for key in a.index:
        x, y = a.loc[key], b.loc[key] if key in b.index else None
        score_before = x["score"]
        score_after = y["score"] if y is not None else float("nan")
        change = score_after - score_before if pd.notna(score_before) and pd.notna(score_after) \
            else float("nan")
        rows.append({"level": key[0], "key": key[1], "name": x["name"],
                     "name_sv": x.get("name_sv", x["name"]), "unit": x["unit"],
                     "value_before": x["value"], "value_after": y["value"] if y is not None else None,
                     "score_before": score_before, "score_after": score_after,
                     "score_change": change, "coverage_before": x["coverage_pct"],
                     "coverage_after": y["coverage_pct"] if y is not None else None})
    return pd.DataFrame(rows)
