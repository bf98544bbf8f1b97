"""Residents inside an area, from a population grid or polygon (or point) layer in any CRS.

A polygon's residents are shared by area: a cell whose area lies 40 % inside the catchment
counts 40 % of its residents (areal weighting, the usual assumption of evenly spread residents
within a cell). Points count wholly when inside. The layer is reprojected to the place's CRS.

The population field is the one named by the user, or else the first field whose name is
in ``population_fields`` of ``access.json`` (compared without case); a layer without one is
refused with a message listing the fields it has.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.geometry import POLYGONAL_TYPES, repair_polygons

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

PopulationSource = Union[str, os.PathLike, "gpd.GeoDataFrame"]

#: Input id of the population layer in error messages.
INPUT_ID = "population"


@dataclass
class Population:
    """A population layer ready to sum: geometries in the place's CRS and their residents.

    Attributes
    ----------
    geometry : ndarray of shapely geometries
        Polygons (areal weighting) or points.
    residents : ndarray of float
        Residents of each feature (>= 0).
    field : str
        The field the numbers came from.
    name : str
        The file the layer came from ("" for a layer given in memory).
    polygons : bool
        True for a polygon layer, False for points.
    extent : shapely geometry
        The convex hull of the layer: outside it the layer says nothing (grids often leave out
        cells without residents, so holes inside it are zeros, not gaps).
    warnings : list of str
        What was repaired or ignored on reading.
    """

    geometry: np.ndarray
    residents: np.ndarray
    field: str
    name: str
    polygons: bool
    extent: shapely.Geometry
    warnings: List[str]

    @property
    def title(self) -> str:
        """``"the population layer <file>"`` (or without the file name), for messages."""
        return f"the population layer {self.name}" if self.name else "the population layer"

    def within(self, area: shapely.Geometry) -> Tuple[float, float]:
        """Residents inside ``area`` and the share (0-1) of ``area`` inside the layer's extent."""
        if area is None or area.is_empty or not len(self.geometry):
            return 0.0, 0.0
        with np.errstate(invalid="ignore"):  # GEOS flags the empty result of disjoint shapes
            covered = float(shapely.area(shapely.intersection(area, self.extent)) / area.area) \
                if area.area > 0 else 0.0
        tree = shapely.STRtree(self.geometry)
        hits = tree.query(area, predicate="intersects")
        if not len(hits):
            return 0.0, covered
        geoms = self.geometry[hits]
        if self.polygons:
            whole = shapely.area(geoms)
            inside = shapely.area(shapely.intersection(geoms, area))
            share = np.divide(inside, whole, out=np.zeros(len(hits)), where=whole > 0)
            return float(np.sum(self.residents[hits] * np.clip(share, 0.0, 1.0))), covered
        return float(np.sum(self.residents[hits])), covered


def find_field(columns: Sequence[str], wanted: str, known: Sequence[str]) -> str:
    """The population field among ``columns``: ``wanted`` if given, else a ``known`` name.

    Raises
    ------
    InputError
        Naming the fields the layer has (``options`` = population field and layer).
    """
    fields = [c for c in columns if c != "geometry"]
    listing = ", ".join(fields) if fields else "none"
    if wanted:
        for col in fields:
            if col == wanted or col.lower() == wanted.lower():
                return col
        raise InputError(f"The population layer has no field {wanted!r}; its fields are: {listing}.",
                         options=("population_field", INPUT_ID))
    lower = {c.lower(): c for c in fields}
    for name in known:
        if name.lower() in lower:
            return lower[name.lower()]
    raise InputError(
        "The population layer has no population field (looked for "
        f"{', '.join(known[:6])} ...); its fields are: {listing}. Name the field that holds "
        "the number of residents.", options=("population_field", INPUT_ID))


def read_layer(source: PopulationSource) -> Tuple["gpd.GeoDataFrame", str, List[str]]:
    """The population layer as a GeoDataFrame, its name, and reading notes.

    A file with several layers gives its first layer with geometry (named in a note).
    """
    import geopandas as gpd

    if isinstance(source, gpd.GeoDataFrame):
        return source, "", []
    path = Path(source)
    if not path.exists():
        raise InputError(f"The population layer {str(path)!r} does not exist.", options=(INPUT_ID,))
    import pyogrio

    notes: List[str] = []
    try:
        layers = pyogrio.list_layers(path)
        with_geometry = [str(name) for name, gtype in layers if gtype]
        layer = with_geometry[0] if with_geometry else None
        if len(layers) > 1 and layer is not None:
            notes.append(f"The population file {path.name} has {len(layers)} layers; "
                         f"layer {layer!r} was used.")
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types for unreadable files
        raise InputError(f"The population layer {path.name!r} could not be read: {exc}",
                         options=(INPUT_ID,)) from exc
    return gdf, path.name, notes


def load_population(source: PopulationSource, crs: str, field: str = "",
                    known_fields: Sequence[str] = ()) -> Population:
    """Read and check a population layer, reprojected to ``crs``.

    Parameters
    ----------
    source : path-like or GeoDataFrame
        A vector file (GeoPackage, Shapefile, GeoJSON ...) or a GeoDataFrame, any CRS.
    crs : str
        The place's metric CRS.
    field : str
        The population field; empty = look for a known name.
    known_fields : sequence of str
        Field names that hold residents (``access.json`` ``population_fields``).

    Raises
    ------
    InputError
        No CRS, no population field, no usable number, or lines instead of areas or points.
    """
    gdf, name, notes = read_layer(source)
    title = f"The population layer {name!r}" if name else "The population layer"
    col = find_field(list(gdf.columns), field, known_fields)
    if len(gdf) and gdf.crs is None:
        raise InputError(f"{title} has no CRS; set its CRS and try again.",
                         options=(INPUT_ID,))
    if len(gdf) and gdf.crs is not None and gdf.crs.to_string() != crs:
        gdf = gdf.to_crs(crs)
    values = pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ok = ~pd.isna(geoms)
    if ok.any():
        ok[ok] = ~shapely.is_empty(geoms[ok])
    geoms, values = geoms[ok], values[ok]
    bad = ~np.isfinite(values) | (values < 0)
    if len(values) and bad.all():
        raise InputError(f"The population field {col!r} holds no numbers of residents.",
                         options=("population_field", INPUT_ID))
    if bad.any():
        notes.append(f"{int(bad.sum())} feature(s) of the population layer have no usable number "
                     f"in {col!r} and count as 0 residents.")
        values = np.where(bad, 0.0, values)
    types = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, dtype=int)
    polygons = bool(np.isin(types, POLYGONAL_TYPES).all()) if len(types) else True
    if len(types) and not polygons and not np.isin(types, (0, 4)).all():
        raise InputError(f"{title} must hold areas (a grid or districts) "
                         "or points, not lines or mixed geometries.", options=(INPUT_ID,))
    if polygons and len(geoms):
        geoms, repaired = repair_polygons(geoms)
        if repaired:
            notes.append(f"{repaired} invalid population polygon(s) were repaired.")
    extent = shapely.convex_hull(shapely.union_all(geoms)) if len(geoms) else shapely.Polygon()
    return Population(geometry=np.asarray(geoms, dtype=object), residents=values.astype(float),
                      field=col, name=name, polygons=polygons, extent=extent, warnings=notes)


def describe(pop: Optional[Population]) -> str:
    """One line naming the population layer and field (for provenance)."""
    if pop is None:
        return "none"
    return f"{pop.name or 'a layer'} (field {pop.field!r}, {len(pop.geometry)} features, " \
           f"{pop.residents.sum():.0f} residents)"
