"""Place: the polygon under analysis, its metric CRS and its study area.

A place comes from a polygon layer feature (any CRS), from an OSM square or pedestrian area found
by name (see :mod:`amp_qgis_plugin.core.data.osm_file`), or from a point and a radius. Its metric
CRS is SWEREF 99 TM (EPSG:3006) inside Sweden and the WGS 84 UTM zone elsewhere; the study area is
the place buffered by a radius that by default covers a 10-minute walk.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Dict, Optional, Sequence, Tuple

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.options import Options, option

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry



@dataclass
class PlaceOptions(Options):
    """How a place's study area is made (defaults from ``resources/scoring/place.json``).

    Attributes
    ----------
    study_radius_m : float
        Study-area buffer around the place: 800 m holds a 10-minute walk at 1.3 m/s (780 m,
        methodology §6.1); network distance never exceeds the straight line.
    max_place_area_m2 : float
        Larger places are refused (most renowned European squares are under 10,000 m²).
    """

    THEME: ClassVar[str] = "place"

    study_radius_m: float = option("study_radius", label="study-area radius", minimum=0,
                                   exclusive_minimum=True, maximum=5000)
    max_place_area_m2: float = option("max_place_area", label="largest place area", minimum=0,
                                      exclusive_minimum=True)


#: The defaults of :class:`PlaceOptions` when the module was imported (for signatures; the
#: interfaces read :meth:`PlaceOptions.default` when they build their parameters).
DEFAULT_STUDY_RADIUS_M: float = PlaceOptions.default("study_radius_m")
DEFAULT_MAX_PLACE_AREA_M2: float = PlaceOptions.default("max_place_area_m2")

#: Coarse outline of Sweden (lon, lat), ~10 km accurate, used only to choose SWEREF 99 TM. At sea
#: it is drawn generously (Gotland and Öland inside), on land it follows the borders with Norway
#: and Finland, and in the Öresund it runs between Malmö/Helsingborg and Copenhagen/Helsingør.
_SWEDEN: Tuple[Tuple[float, float], ...] = (
    (12.80, 55.30), (14.40, 55.20), (16.00, 55.80), (19.40, 56.70), (19.40, 58.30),
    (19.30, 59.60), (19.00, 60.30), (17.80, 61.20), (18.00, 62.50), (20.60, 63.40),
    (21.80, 64.20), (22.60, 65.20), (24.17, 65.78), (23.80, 66.40), (23.60, 66.80),
    (23.30, 67.40), (23.50, 67.90), (22.40, 68.45), (21.00, 69.00), (20.55, 69.06),
    (19.90, 68.35), (18.10, 68.50), (17.80, 67.95), (16.70, 67.90), (16.10, 67.35),
    (15.40, 66.30), (14.50, 66.00), (14.50, 65.00), (13.90, 64.40), (12.90, 64.00),
    (12.10, 63.40), (12.20, 62.70), (12.30, 61.70), (12.80, 61.30), (12.60, 61.00),
    (12.20, 60.30), (11.90, 59.90), (11.80, 59.40), (11.40, 59.10), (11.00, 58.90),
    (11.00, 57.90), (11.50, 57.30), (12.30, 56.70), (12.45, 56.30), (12.66, 56.05),
    (12.85, 55.70), (12.80, 55.30),
)


def _point_in_ring(lon: float, lat: float, ring: Sequence[Tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_sweden(lon: float, lat: float) -> bool:
    """Return True if the WGS 84 point lies inside the coarse outline of Sweden."""
    return _point_in_ring(lon, lat, _SWEDEN)


def metric_crs_for(lon: float, lat: float) -> str:
    """Return the metric CRS for a place at (lon, lat): EPSG:3006 in Sweden, else its UTM zone.

    Examples
    --------
    >>> metric_crs_for(18.06, 59.32)   # Stockholm
    'EPSG:3006'
    >>> metric_crs_for(24.95, 60.17)   # Helsinki, UTM 35N
    'EPSG:32635'
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"({lon}, {lat}) is not a longitude/latitude in degrees.")
    if in_sweden(lon, lat):
        return "EPSG:3006"
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


@dataclass
class Place:
    """A place under analysis.

    Attributes
    ----------
    name : str
        The place's name (may be empty for a point-and-radius place).
    geometry : shapely (Multi)Polygon
        The place polygon in ``crs``.
    crs : str
        The metric CRS, e.g. ``"EPSG:3006"``.
    study_radius_m : float
        The study-area buffer around the place.
    kind : str
        Where the polygon came from: ``"square"``, ``"pedestrian area"``, ``"polygon layer"``,
        ``"point and radius"`` ...
    osm_id : str
        ``"w123"``/``"r123"`` when the polygon is an OSM object.
    source : str
        The source of the polygon (``"osm"``, a file name).
    notes : dict
        Anything worth telling the user (repairs made, warnings), also written to provenance.
    """

    name: str
    geometry: "BaseGeometry"
    crs: str
    study_radius_m: float = DEFAULT_STUDY_RADIUS_M
    kind: str = ""
    osm_id: str = ""
    source: str = ""
    notes: Dict[str, str] = field(default_factory=dict)

    @property
    def area_m2(self) -> float:
        """Area of the place polygon in m²."""
        return float(self.geometry.area)

    @property
    def study_area(self) -> "BaseGeometry":
        """The place buffered by ``study_radius_m`` (metric CRS)."""
        return self.geometry.buffer(self.study_radius_m, quad_segs=16)

    def study_area_wgs84_bounds(self) -> Tuple[float, float, float, float]:
        """Return the study area's bounds in WGS 84 as (west, south, east, north)."""
        from pyproj import Transformer

        tr = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        minx, miny, maxx, maxy = self.study_area.bounds
        return tr.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)

    def check_size(self, max_area_m2: float = DEFAULT_MAX_PLACE_AREA_M2) -> None:
        """Refuse a place larger than ``max_area_m2`` with a message giving both numbers."""
        if self.area_m2 > max_area_m2:
            raise InputError(
                f"The place {self.name or ''} is {self.area_m2:,.0f} m², larger than the allowed "
                f"{max_area_m2:,.0f} m² for one place (a square or a town-centre street). Choose a "
                "smaller polygon, or raise the maximum place area if this is intended."
                .replace("place  is", "place is"))

    def to_frames(self) -> Tuple["gpd.GeoDataFrame", "gpd.GeoDataFrame"]:
        """Return the canonical ``place`` and ``study_area`` layers as GeoDataFrames."""
        import geopandas as gpd

        place = gpd.GeoDataFrame(
            {"name": [self.name], "kind": [self.kind], "osm_id": [self.osm_id],
             "source": [self.source], "area_m2": [self.area_m2]},
            geometry=[self.geometry], crs=self.crs)
        study = self.study_area
        study_area = gpd.GeoDataFrame(
            {"name": [self.name], "radius_m": [self.study_radius_m], "area_m2": [study.area]},
            geometry=[study], crs=self.crs)
        return place, study_area


def repair_polygon(geom: "BaseGeometry", notes: Optional[Dict[str, str]] = None) -> "BaseGeometry":
    """Return a valid (Multi)Polygon for ``geom``, repairing self-intersections.

    Self-intersecting polygons (bow-ties) are repaired and only their polygonal parts are kept
    (:func:`amp_qgis_plugin.core.geometry.polygonal_part`); the repair is recorded in ``notes``
    under ``place_repaired``.

    Raises
    ------
    InputError
        If nothing polygonal with an area is left.
    """
    from amp_qgis_plugin.core.geometry import polygonal_part

    if geom is None or geom.is_empty:
        raise InputError("The place geometry is empty; choose a polygon with an area.")
    kind, reason = geom.geom_type, ""
    if not geom.is_valid:
        from shapely.validation import explain_validity

        reason = explain_validity(geom)
        if notes is not None:
            notes["place_repaired"] = f"The place polygon was invalid ({reason}) and was repaired."
    geom = polygonal_part(geom)
    if geom.is_empty or geom.area <= 0:
        if reason and kind in ("Polygon", "MultiPolygon"):
            raise InputError(f"The place polygon is invalid ({reason}) and has no area left "
                             "after repairing it; draw the place polygon again.")
        raise InputError(f"The place must be a polygon with an area, not a {kind}.")
    return geom


def place_from_point(lon: float, lat: float, radius_m: float, *, name: str = "",
                     study_radius_m: float = DEFAULT_STUDY_RADIUS_M) -> Place:
    """Return a circular place of ``radius_m`` around a WGS 84 point."""
    from pyproj import Transformer
    from shapely.geometry import Point

    if not radius_m or radius_m <= 0 or not math.isfinite(radius_m):
        raise InputError(f"The place radius must be a positive number of metres, not {radius_m}.")
    crs = metric_crs_for(lon, lat)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return Place(name=name or f"{lat:.5f}, {lon:.5f}", geometry=Point(x, y).buffer(radius_m, 32),
                 crs=crs, study_radius_m=study_radius_m, kind="point and radius",
                 source=f"point {lon:.6f},{lat:.6f} radius {radius_m:g} m")


def place_from_geodataframe(gdf: "gpd.GeoDataFrame", *, name: str = "", source: str = "",
                            study_radius_m: float = DEFAULT_STUDY_RADIUS_M) -> Place:
    """Return the place formed by the polygons in ``gdf`` (any CRS; several are dissolved).

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygon features; a geographic CRS is reprojected, not refused.
    name : str
        The place's name; defaults to a ``name``/``namn`` attribute of the first feature.
    source : str
        Where the polygon came from (file name), for provenance.
    """
    if gdf.crs is None:
        raise InputError("The place layer has no CRS; set its CRS in QGIS (or the file) and retry.")
    if len(gdf) == 0:
        raise InputError("The place layer has no features; select or draw the place polygon.")
    polys = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    polys = polys[polys.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys) == 0:
        types = ", ".join(sorted(set(gdf.geometry.geom_type.dropna())))
        raise InputError(f"The place layer has no polygons (found: {types or 'no geometry'}). "
                         "Use a polygon layer, or give a point and a radius.")
    notes: Dict[str, str] = {}
    centroid = polys.to_crs("EPSG:4326").geometry.union_all().representative_point()
    crs = metric_crs_for(centroid.x, centroid.y)
    metric = polys.to_crs(crs)
    geoms = [repair_polygon(g, notes) for g in metric.geometry]
    from shapely import union_all

    geom = repair_polygon(union_all(geoms), notes)
    if not name:
        for col in ("name", "namn", "NAME", "NAMN", "Name", "Namn"):
            if col in polys.columns and str(polys[col].iloc[0] or "").strip():
                name = str(polys[col].iloc[0]).strip()
                break
    return Place(name=name, geometry=geom, crs=crs, study_radius_m=study_radius_m,
                 kind="polygon layer", source=source or "polygon layer", notes=notes)


def place_from_file(path: os.PathLike | str, *, layer: Optional[str] = None, where: str = "",
                    name: str = "", study_radius_m: float = DEFAULT_STUDY_RADIUS_M) -> Place:
    """Read a place polygon from any OGR file (GeoPackage, Shapefile, GeoJSON ...).

    Parameters
    ----------
    path : path-like
        The polygon file.
    layer : str, optional
        Layer name in a multi-layer file.
    where : str, optional
        An OGR SQL filter selecting the place's feature(s), e.g. ``"namn = 'Stortorget'"``.
    """
    import pyogrio

    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"Place file not found: {path}")
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, where=where or None)
    except Exception as exc:
        raise InputError(f"Could not read the place polygon from {path}: {exc}") from exc
    return place_from_geodataframe(gdf, name=name, source=os.path.basename(path),
                                   study_radius_m=study_radius_m)
