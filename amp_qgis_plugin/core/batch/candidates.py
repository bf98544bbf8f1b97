"""Read a layer of candidate places: polygons, or points with a radius, in any CRS.

Every feature becomes one :class:`Candidate` with a stable key (the layer's feature id), a
name (from a field, or ``candidate <key>``), a file stem unique in the batch and, when it can
be made, its :class:`~amp_qgis_plugin.core.place.Place`. A feature that gives no usable place
(no geometry, a line, a point without a radius, a polygon with no area left after repair, a
place larger than allowed) is kept with a failure code and its reason: it gets a row in the
ranking and never stops the other candidates. Self-intersecting polygons are repaired as
``amp-place assess`` repairs them (:func:`~amp_qgis_plugin.core.place.repair_polygon`), with a
warning on the candidate's row.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.place import Place, PlaceOptions

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: Failure codes of a candidate row (``""`` when it was assessed).
FAILURE_INVALID = "invalid geometry"
FAILURE_NO_PLACE = "no place"
FAILURE_TOO_LARGE = "too large"
FAILURE_OUTSIDE = "outside extract"
FAILURE_ERROR = "assessment error"

#: Failures that a new run would repeat: the candidate is finished with them. An assessment
#: error (an engine bug, a worker that died) is tried again by the next run.
FINAL_FAILURES = (FAILURE_INVALID, FAILURE_NO_PLACE, FAILURE_TOO_LARGE, FAILURE_OUTSIDE)

#: Fields searched for the candidate's name when no name field is given.
NAME_FIELDS = ("name", "namn", "NAME", "NAMN", "Name", "Namn")


@dataclass
class Candidate:
    """One feature of the candidate layer.

    Attributes
    ----------
    key : str
        Stable id: the feature id in the candidate layer (the journal and the ranking use it).
    name : str
        The candidate's name (``candidate <key>`` when the layer gives none).
    stem : str
        File stem of its assessment, unique in the batch (``DIR/candidates/<stem>.gpkg``).
    geometry : shapely geometry or None
        The feature's geometry as given, in the layer's CRS.
    radius_m : float or None
        The radius used for a point candidate.
    place : Place or None
        The place to assess; None when the feature gives none (see ``failure``).
    failure : str
        One of the ``FAILURE_*`` codes, or ``""``.
    reason : str
        Why it failed, in words a planner can act on.
    warnings : list of str
        Repairs made to its polygon and the like.
    """

    key: str
    name: str
    stem: str = ""
    geometry: Any = None
    radius_m: Optional[float] = None
    place: Optional[Place] = None
    failure: str = ""
    reason: str = ""
    warnings: List[str] = field(default_factory=list)


@dataclass
class CandidateSet:
    """The candidates of one layer, in layer order, and the layer's CRS."""

    candidates: List[Candidate]
    crs: str
    source: str = ""

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self):
        return iter(self.candidates)

    @property
    def places(self) -> List[Place]:
        """The places of the candidates that have one."""
        return [c.place for c in self.candidates if c.place is not None]


def read_candidates(source: "os.PathLike[str] | str | gpd.GeoDataFrame", *,
                    layer: Optional[str] = None, radius_m: Optional[float] = None,
                    radius_field: Optional[str] = None, name_field: Optional[str] = None,
                    study_radius_m: Optional[float] = None,
                    max_place_area_m2: Optional[float] = None) -> CandidateSet:
    """Read the candidate layer and make each feature's place.

    Parameters
    ----------
    source : path-like or GeoDataFrame
        Any OGR vector file (GeoPackage, Shapefile, GeoJSON, CSV with WKT ...), or a
        GeoDataFrame whose index holds the feature ids.
    layer : str, optional
        Layer of a multi-layer file.
    radius_m : float, optional
        Radius of point candidates without a radius field (or whose field is empty).
    radius_field : str, optional
        Numeric field holding each point candidate's radius in metres.
    name_field : str, optional
        Field holding the names (default: a field called name/namn, else ``candidate <key>``).
    study_radius_m, max_place_area_m2 : float, optional
        As for one place (:class:`~amp_qgis_plugin.core.place.PlaceOptions`; data-file
        defaults).

    Returns
    -------
    CandidateSet

    Raises
    ------
    InputError
        When the layer cannot be read, has no CRS or no features, or a named field is missing.
    """
    import geopandas as gpd

    label = ""
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source
    else:
        gdf = _read_file(source, layer)
        label = os.path.basename(os.fspath(source))
    return candidates_from_frame(gdf, radius_m=radius_m, radius_field=radius_field,
                                 name_field=name_field, study_radius_m=study_radius_m,
                                 max_place_area_m2=max_place_area_m2, source=label)


def _read_file(path: "os.PathLike[str] | str", layer: Optional[str]) -> "gpd.GeoDataFrame":
    import pyogrio

    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"Candidate file not found: {path}.", options=("candidates",))
    try:
        return pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    except Exception as exc:  # noqa: BLE001 - GDAL's reasons vary; the message carries them
        raise InputError(f"Could not read the candidates from {path}: {exc}",
                         options=("candidates",)) from exc


def candidates_from_frame(gdf: "gpd.GeoDataFrame", *, radius_m: Optional[float] = None,
                          radius_field: Optional[str] = None, name_field: Optional[str] = None,
                          study_radius_m: Optional[float] = None,
                          max_place_area_m2: Optional[float] = None,
                          source: str = "") -> CandidateSet:
    """The candidates of ``gdf`` (its index gives the keys); see :func:`read_candidates`."""
    options = place_options(study_radius_m, max_place_area_m2)
    if radius_m is not None and not (math.isfinite(radius_m) and radius_m > 0):
        raise InputError(f"The radius of point candidates must be a positive number of metres, "
                         f"not {radius_m:g}.", options=("place_radius_m",))
    if len(gdf) == 0:
        raise InputError("The candidate layer has no features: nothing was assessed and nothing "
                         "was written. Choose a layer with candidate polygons or points.",
                         options=("candidates",))
    if gdf.crs is None:
        raise InputError("The candidate layer has no CRS; set its CRS and try again.",
                         options=("candidates",))
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    for given, option in ((name_field, "name_field"), (radius_field, "radius_field")):
        if given and given not in fields:
            raise InputError(f"The candidate layer has no field {given!r}; its fields are "
                             f"{', '.join(fields) or 'none'}.", options=(option,))
    if name_field is None:
        name_field = next((c for c in NAME_FIELDS if c in fields), None)
    candidates = []
    for key, row in zip(gdf.index, gdf.itertuples(index=False)):
        values = dict(zip(gdf.columns, row))
        name = str(values.get(name_field) or "").strip() if name_field else ""
        if name.lower() in ("nan", "none"):
            name = ""
        candidate = Candidate(key=str(key), name=name or f"candidate {key}",
                              geometry=values.get(gdf.geometry.name))
        radius = _radius(values.get(radius_field) if radius_field else None, radius_m)
        _make_place(candidate, radius, gdf.crs, options, source)
        candidates.append(candidate)
    assign_stems(candidates)
    return CandidateSet(candidates, gdf.crs.to_string(), source)


def place_options(study_radius_m: Optional[float] = None,
                  max_place_area_m2: Optional[float] = None) -> PlaceOptions:
    """The study-area options of a batch (None: the data file's default; checked)."""
    given: Dict[str, Any] = {"study_radius_m": study_radius_m,
                             "max_place_area_m2": max_place_area_m2}
    return PlaceOptions(**given)


def _radius(value: Any, default: Optional[float]) -> Optional[float]:
    """The radius of one feature: its field value when positive, else the default."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) and number > 0 else default


def _make_place(candidate: Candidate, radius: Optional[float], crs: Any,
                options: PlaceOptions, source: str) -> None:
    """Set ``candidate.place``, or its failure and reason."""
    import numpy as np
    import shapely

    geom = candidate.geometry
    if geom is None or geom.is_empty:
        candidate.failure, candidate.reason = FAILURE_NO_PLACE, "The candidate has no geometry."
        return
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        candidate.failure = FAILURE_INVALID
        candidate.reason = "The candidate's geometry has coordinates that are not numbers."
        return
    kind = geom.geom_type
    if kind == "MultiPoint" and len(geom.geoms) == 1:
        geom, kind = geom.geoms[0], "Point"
    try:
        if kind == "Point":
            if radius is None:
                candidate.failure = FAILURE_NO_PLACE
                candidate.reason = ("The candidate is a point without a radius: give a radius "
                                    "(for all points, or a radius field), or draw a polygon.")
                return
            candidate.radius_m = radius
            candidate.place = _point_place(geom, radius, crs, candidate.name, options)
        elif kind in ("Polygon", "MultiPolygon"):
            if not _usable_polygon(geom, candidate):
                return
            candidate.place = _polygon_place(geom, crs, candidate, options, source)
        else:
            what = "several points" if kind == "MultiPoint" else f"a {kind}"
            candidate.failure = FAILURE_INVALID
            candidate.reason = (f"The candidate is {what}, not a place: give a polygon, or one "
                                "point and a radius.")
            return
    except InputError as exc:
        invalid = kind in ("Polygon", "MultiPolygon") and (not geom.is_valid or geom.area <= 0)
        candidate.failure = FAILURE_INVALID if invalid else FAILURE_NO_PLACE
        candidate.reason = " ".join(str(exc).split())
        return
    try:
        candidate.place.check_size(options.max_place_area_m2)
    except InputError as exc:
        candidate.failure, candidate.reason = FAILURE_TOO_LARGE, " ".join(str(exc).split())
        candidate.place = None
        return
    candidate.warnings.extend(candidate.place.notes.values())


def _usable_polygon(geom: Any, candidate: Candidate) -> bool:
    """False (and the candidate failed) when the polygon, as drawn in its own CRS, is invalid
    and repairing it leaves no area: judged before reprojection, which would turn a polygon
    collapsed to a line into a sliver of a few mm²."""
    from amp_qgis_plugin.core.geometry import polygonal_part

    if geom.is_valid and geom.area > 0:
        return True
    from shapely.validation import explain_validity

    repaired = polygonal_part(geom)
    if not repaired.is_empty and repaired.area > 0:
        return True
    why = explain_validity(geom) if not geom.is_valid else "it has no area"
    candidate.failure = FAILURE_INVALID
    candidate.reason = (f"The candidate's polygon is invalid ({why}) and has no area left after "
                        "repairing it; draw it again.")
    return False


def _point_place(point: Any, radius: float, crs: Any, name: str, options: PlaceOptions) -> Place:
    from pyproj import Transformer

    from amp_qgis_plugin.core.place import place_from_point

    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(point.x, point.y)
    return place_from_point(lon, lat, radius, name=name, study_radius_m=options.study_radius_m)


def _polygon_place(geom: Any, crs: Any, candidate: Candidate, options: PlaceOptions,
                   source: str) -> Place:
    import geopandas as gpd

    from amp_qgis_plugin.core.place import place_from_geodataframe

    frame = gpd.GeoDataFrame(geometry=[geom], crs=crs)
    return place_from_geodataframe(frame, name=candidate.name,
                                   source=f"{source or 'candidate layer'} feature {candidate.key}",
                                   study_radius_m=options.study_radius_m)


def assign_stems(candidates: Sequence[Candidate]) -> None:
    """Give every candidate a file stem unique in the batch.

    The stem is the place slug of its name (as ``amp-place assess`` names its file); names
    shared by several candidates (two towns' ``Stortorget``) get the key appended to each.
    """
    from amp_qgis_plugin.core.assess import place_slug

    slugs = [place_slug(c.name) for c in candidates]
    counts: Dict[str, int] = {}
    for slug in slugs:
        counts[slug] = counts.get(slug, 0) + 1
    used: set = set()
    for candidate, slug in zip(candidates, slugs):
        stem = slug if counts[slug] == 1 else f"{slug}-{place_slug(candidate.key)}"
        while stem in used:
            stem = f"{stem}-{place_slug(candidate.key)}"
        used.add(stem)
        candidate.stem = stem
