"""PlaceData: the canonical layers of one place, and their GeoPackage form.

A place is fetched once (``amp-place fetch`` / ``amp:fetchplacedata``) into one GeoPackage and
re-scored many times from it. :func:`write_geopackage` writes to a temporary file next to the
target and renames it into place only when every layer is written, so an interrupted or failed
run never leaves a GeoPackage that looks complete.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, Mapping, Optional

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.data.schema import (
    FEATURE_LAYERS,
    FLOAT,
    INT,
    LAYERS,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
)
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd


@dataclass
class PlaceData:
    """The canonical layers of one place, all in the place's metric CRS.

    Attributes
    ----------
    crs : str
        The metric CRS of every layer, e.g. ``"EPSG:3006"``.
    layers : dict of str to GeoDataFrame
        One GeoDataFrame per name in :data:`~amp_qgis_plugin.core.data.schema.FEATURE_LAYERS`;
        missing layers read as empty frames with the canonical columns.
    provenance : dict of str to str
        Sources, OSM data timestamp, query, parameters and software versions. The
        ``schema_version`` row is set by :func:`write_geopackage` (always
        :data:`~amp_qgis_plugin.core.data.schema.SCHEMA_VERSION`).
    """

    crs: str
    layers: Dict[str, "gpd.GeoDataFrame"] = field(default_factory=dict)
    provenance: Dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> "gpd.GeoDataFrame":
        if name not in LAYERS or LAYERS[name].geometry_type is None:
            raise KeyError(f"{name!r} is not a canonical PlaceData layer")
        if name not in self.layers:
            self.layers[name] = empty_layer(name, self.crs)
        return self.layers[name]

    def __setitem__(self, name: str, gdf: "gpd.GeoDataFrame") -> None:
        self.layers[name] = conform(name, gdf, self.crs)

    @property
    def place_polygon(self):
        """The place as one valid shapely (Multi)Polygon in the metric CRS.

        Raises
        ------
        DataError
            When the place layer is empty or its polygon has no area.
        """
        import numpy as np
        import shapely

        from amp_qgis_plugin.core.geometry import polygonal_part

        place = self["place"]
        if place.empty:
            raise DataError("The PlaceData has no place polygon (the place is empty); fetch the "
                            "place again or give a place polygon.")
        geom = polygonal_part(shapely.union_all(np.asarray(place.geometry.values)))
        if geom.is_empty or geom.area <= 0:
            raise DataError("The place polygon is empty or has no area; check the place layer.")
        return geom

    @property
    def study_area_polygon(self):
        """The study area as one shapely (Multi)Polygon in the metric CRS."""
        sa = self["study_area"]
        if sa.empty:
            raise DataError("The PlaceData has no study area; fetch the place again.")
        return sa.geometry.iloc[0]

    @property
    def name(self) -> str:
        """The place's name (may be empty)."""
        place = self["place"]
        return str(place["name"].iloc[0]) if len(place) else ""


def empty_layer(name: str, crs: str) -> "gpd.GeoDataFrame":
    """Return an empty GeoDataFrame with the canonical columns of layer ``name``."""
    import geopandas as gpd
    import pandas as pd

    spec = LAYERS[name]
    data = {col: pd.Series(dtype=_dtype(kind)) for col, kind in spec.columns}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _dtype(kind: str) -> str:
    return {FLOAT: "float64", INT: "int64"}.get(kind, "object")


def conform(name: str, gdf: "gpd.GeoDataFrame", crs: str) -> "gpd.GeoDataFrame":
    """Return ``gdf`` with exactly the canonical columns of ``name`` (extra columns kept last).

    Missing columns are added (NaN or empty string), types are coerced, and the frame is
    reprojected to ``crs`` when it has another CRS.
    """
    import geopandas as gpd
    import pandas as pd

    spec = LAYERS[name]
    if gdf is None or len(gdf) == 0:
        out = empty_layer(name, crs)
        if gdf is not None:
            for col in gdf.columns:
                if col not in out.columns and col != gdf.geometry.name:
                    out[col] = pd.Series(dtype=gdf[col].dtype)
        return out
    if gdf.crs is None:
        raise InputError(f"Layer {name!r} has no CRS; set its CRS and try again.")
    if gdf.crs.to_string() != crs:
        gdf = gdf.to_crs(crs)
    gdf = gdf.rename_geometry("geometry") if gdf.geometry.name != "geometry" else gdf
    out = gpd.GeoDataFrame(index=range(len(gdf)), geometry=gdf.geometry.values, crs=crs)
    for col, kind in spec.columns:
        if col in gdf.columns:
            values = gdf[col].values
            if kind == FLOAT:
                out[col] = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").values
            elif kind == INT:
                out[col] = pd.to_numeric(pd.Series(values), errors="coerce").fillna(0).astype("int64").values
            else:
                out[col] = pd.Series(values).fillna("").astype(str).values
        else:
            out[col] = float("nan") if kind == FLOAT else (0 if kind == INT else "")
    for col in gdf.columns:
        if col not in out.columns and col != "geometry":
            out[col] = gdf[col].values
    return out[[c for c in out.columns if c != "geometry"] + ["geometry"]]


def write_geopackage(
    data: PlaceData,
    path: os.PathLike | str,
    *,
    feedback: Optional[Feedback] = None,
    layers: Optional[Iterable[str]] = None,
) -> Path:
    """Write ``data`` to a GeoPackage atomically and return its path.

    The file is first written next to ``path`` under a temporary name and renamed over ``path``
    only after every layer is written: a cancelled or failed run leaves no partial GeoPackage
    (and an existing file at ``path`` stays as it was).

    Parameters
    ----------
    data : PlaceData
        What to write; every canonical layer is written, empty ones included.
    path : path-like
        The target ``.gpkg``.
    feedback : Feedback, optional
        Checked for cancellation between layers.
    layers : iterable of str, optional
        Write only these feature layers (default: all canonical layers).

    Notes
    -----
    The provenance table gets a ``schema_version`` row of
    :data:`~amp_qgis_plugin.core.data.schema.SCHEMA_VERSION` (whatever ``data.provenance``
    says): the layers are written in this version's layout.
    """
    import pandas as pd
    import pyogrio

    with atomic_geopackage(path) as tmp:
        for name in layers or FEATURE_LAYERS:
            check_cancelled(feedback)
            gdf = data[name]
            geometry_type = LAYERS[name].geometry_type
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG",
                                    geometry_type=geometry_type,
                                    promote_to_multi=(geometry_type or "").startswith("Multi"))
        rows = sorted({**data.provenance, SCHEMA_VERSION_KEY: str(SCHEMA_VERSION)}.items())
        prov = pd.DataFrame({"key": [k for k, _ in rows], "value": [str(v) for _, v in rows]})
        pyogrio.write_dataframe(prov, tmp, layer="provenance", driver="GPKG")
        check_cancelled(feedback)
        _add_default_styles(tmp, layers or FEATURE_LAYERS)
    return Path(path)


@contextmanager
def atomic_geopackage(path: os.PathLike | str) -> Iterator[Path]:
    """Yield a temporary ``.gpkg`` path next to ``path``; rename it over ``path`` on success.

    On any exception (cancel included) the temporary file and its SQLite side files are removed
    and an existing file at ``path`` stays as it was.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputError(f"The output must be a GeoPackage (.gpkg), not {path.name!r}.")
    with atomic_output(path, suffix=".partial.gpkg",
                       side_suffixes=("-journal", "-wal", "-shm")) as tmp:
        yield tmp


def write_layers(
    layers: Mapping[str, "gpd.GeoDataFrame"],
    path: os.PathLike | str,
    *,
    provenance: Optional[Mapping[str, str]] = None,
    geometry_types: Optional[Mapping[str, str]] = None,
    feedback: Optional[Feedback] = None,
) -> Path:
    """Write non-canonical output layers (indicator results) to a GeoPackage atomically.

    Each layer gets its bundled QML (``resources/styles/<layer>.qml``) as default style; the
    ``provenance`` rows go to a ``provenance`` table like in :func:`write_geopackage`.
    """
    import pandas as pd
    import pyogrio

    with atomic_geopackage(path) as tmp:
        for name, gdf in layers.items():
            check_cancelled(feedback)
            gtype = (geometry_types or {}).get(name)
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG",
                                    **({"geometry_type": gtype} if gtype else {}))
        rows = sorted((provenance or {}).items())
        prov = pd.DataFrame({"key": [k for k, _ in rows], "value": [str(v) for _, v in rows]})
        pyogrio.write_dataframe(prov, tmp, layer="provenance", driver="GPKG")
        check_cancelled(feedback)
        _add_default_styles(tmp, list(layers))
    return Path(path)


def _add_default_styles(gpkg: Path, names: Iterable[str]) -> None:
    """Store the bundled QML styles as the layers' default styles (the ``layer_styles`` table).

    QGIS applies a GeoPackage's default style when the layer is opened, so the layers open
    styled in QGIS without the plugin. Layers without a bundled style are skipped.
    """
    from amp_qgis_plugin.core.styles import write_layer_styles

    write_layer_styles(gpkg, list(names))


def read_geopackage(path: os.PathLike | str) -> PlaceData:
    """Read a PlaceData GeoPackage written by :func:`write_geopackage`.

    The layers are trusted as written: a GeoPackage of the current
    :data:`~amp_qgis_plugin.core.data.schema.SCHEMA_VERSION` holds cleaned buildings already.

    Raises
    ------
    InputError
        If the file is missing, is not a PlaceData GeoPackage, or was written in another schema
        version (a GeoPackage without a ``schema_version`` row is version 1).
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputError(f"PlaceData file not found: {path}. Fetch the place's data first.",
                         options=("data",))
    try:
        present = {row[0] for row in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError(f"{path} is not a readable GeoPackage: {exc}",
                         options=("data",)) from exc
    if "place" not in present or "provenance" not in present:
        raise InputError(
            f"{path} is not an AMP PlaceData GeoPackage (no 'place' or 'provenance' layer). "
            "Create one with 'amp-place fetch' or the 'Fetch place data' algorithm.",
            options=("data",))
    prov = pyogrio.read_dataframe(path, layer="provenance", read_geometry=False)
    provenance = dict(zip(prov["key"].astype(str), prov["value"].astype(str)))
    check_schema_version(provenance, path)
    place = pyogrio.read_dataframe(path, layer="place")
    crs = place.crs.to_string() if place.crs is not None else None
    if crs is None:
        raise InputError(f"The place layer in {path} has no CRS.", options=("data",))
    data = PlaceData(crs=crs)
    for name in FEATURE_LAYERS:
        if name in present:
            data[name] = pyogrio.read_dataframe(path, layer=name)
    data.provenance = provenance
    return data


def schema_version_of(provenance: Mapping[str, str]) -> Optional[int]:
    """The schema version a provenance table records: 1 without a ``schema_version`` row,
    None when the row is not a whole number."""
    value = str(provenance.get(SCHEMA_VERSION_KEY, "")).strip()
    if not value:
        return 1
    try:
        return int(value)
    except ValueError:
        return None


def check_schema_version(provenance: Mapping[str, str], path: os.PathLike | str) -> None:
    """Raise :class:`InputError` unless ``provenance`` is of :data:`SCHEMA_VERSION`.

    The message says which version the file is, which one this plugin reads, and that fetching
    the place again refreshes it; its ``options`` are ``("data",)``.
    """
    version = schema_version_of(provenance)
    if version == SCHEMA_VERSION:
        return
    name = Path(path).name
    refresh = ("fetch the place again with this version of the plugin (amp:fetchplacedata / "
               "amp-place fetch) to refresh it.")
    if version is None:
        found = f"an unreadable schema version ({provenance.get(SCHEMA_VERSION_KEY)!r})"
        refresh = "F" + refresh[1:]
    elif version > SCHEMA_VERSION:
        found = f"schema version {version}"
        refresh = "It was written by a newer version of the plugin: update the plugin, or " + refresh
    else:
        found = f"schema version {version}"
        if not str(provenance.get(SCHEMA_VERSION_KEY, "")).strip():
            found += " (it records no schema version)"
        refresh = "It was written by an earlier version of the plugin: " + refresh
    raise InputError(
        f"The PlaceData GeoPackage {name} is in {found}, but this version of the plugin reads "
        f"schema version {SCHEMA_VERSION} only. {refresh}",
        options=("data",))


def layer_counts(data: PlaceData) -> Mapping[str, int]:
    """Return the number of features per canonical layer."""
    return {name: len(data[name]) for name in FEATURE_LAYERS}
