"""Fetch a place's data: resolve the place, read the sources, write one PlaceData GeoPackage.

This is the engine behind ``amp-place fetch`` and the ``amp:fetchplacedata`` algorithm; both
call :func:`fetch_to_geopackage` with a :class:`FetchRequest`, so they produce the same file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from amp_qgis_plugin.core.data.placedata import PlaceData, layer_counts, write_geopackage
from amp_qgis_plugin.core.data.schema import FEATURE_LAYERS
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, ScaledFeedback, check_cancelled
from amp_qgis_plugin.core.place import (
    Place,
    PlaceOptions,
    place_from_file,
    place_from_geodataframe,
    place_from_point,
)
from amp_qgis_plugin.core.provenance import software_versions

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from amp_qgis_plugin.core.data.overpass import OverpassConfig

#: The bundled sample extract (central Helsinki, OSM 2019-04-21; ODbL, see resources/sample).
SAMPLE_OSM = Path(__file__).resolve().parent.parent / "resources" / "sample" / "helsinki-centre.osm.pbf"


@dataclass
class MunicipalSource:
    """A municipal layer and the mapping preset (name or JSON path) that maps it."""

    source: str
    preset: str


@dataclass
class FetchRequest:
    """Everything ``fetch`` needs. Give exactly one place (name, file/frame, or point+radius)
    and exactly one OSM source (a file or the Overpass API).

    Attributes
    ----------
    place_name : str
        Name of an OSM square/pedestrian area in the data.
    place_file : str
        A polygon file (any OGR format); ``place_layer``/``place_where`` select features.
    place_frame : GeoDataFrame, optional
        Polygon features (used by the QGIS adapter for a layer or a selection).
    point : (lon, lat), optional
        Centre of a circular place of ``point_radius_m``.
    study_radius_m : float
        Study-area buffer around the place (default 800 m, a 10-minute walk).
    max_place_area_m2 : float
        Places larger than this are refused.
    osm_file : str
        Local ``.osm``/``.osm.bz2``/``.osm.pbf`` file.
    overpass : OverpassConfig, optional
        Use the Overpass API (with its cache settings) instead of a file.
    municipal : list of MunicipalSource
        Municipal layers with their mapping presets.
    mapping_dir : str, optional
        Folder of the user's own mapping presets (searched before the bundled ones).
    search_bbox : (west, south, east, north), optional
        Where the Overpass API looks for ``place_name`` (WGS 84 degrees); without it the
        search is world-wide, which is slow on the public servers.
    """

    place_name: str = ""
    place_file: str = ""
    place_layer: Optional[str] = None
    place_where: str = ""
    place_frame: Optional["gpd.GeoDataFrame"] = None
    point: Optional[Tuple[float, float]] = None
    point_radius_m: float = 0.0
    study_radius_m: float = field(default_factory=lambda: PlaceOptions.default("study_radius_m"))
    max_place_area_m2: float = field(
        default_factory=lambda: PlaceOptions.default("max_place_area_m2"))
    osm_file: str = ""
    overpass: Optional["OverpassConfig"] = None
    municipal: List[MunicipalSource] = field(default_factory=list)
    mapping_dir: Optional[str] = None
    search_bbox: Optional[Tuple[float, float, float, float]] = None

    def validate(self) -> None:
        """Raise :class:`InputError` unless exactly one place and one OSM source are given."""
        places = [bool(self.place_name), bool(self.place_file), self.place_frame is not None,
                  self.point is not None]
        if sum(places) != 1:
            raise InputError("Give exactly one place: a place name, a polygon layer, or a point "
                             "and a radius.", options=("place_name", "place", "point"))
        if bool(self.osm_file) == (self.overpass is not None):
            raise InputError("Give exactly one OSM source: a local OSM file or the Overpass API.",
                             options=("osm_file",))
        if not (0 < self.study_radius_m <= 5000):
            raise InputError(f"The study-area radius must be between 0 and 5000 m, not "
                             f"{self.study_radius_m:g}.", options=("study_radius_m",))
        if self.point is not None and not self.point_radius_m > 0:
            raise InputError("A place given as a point needs a radius in metres (e.g. 40).",
                             options=("place_radius_m",))


def resolve_place(request: FetchRequest, *, osm_path: Optional[Path] = None,
                  feedback: Optional[Feedback] = None) -> Place:
    """Return the :class:`Place` the request describes (size-checked)."""
    from amp_qgis_plugin.core.data.osm_file import find_place_by_name

    if request.point is not None:
        place = place_from_point(request.point[0], request.point[1], request.point_radius_m,
                                 study_radius_m=request.study_radius_m)
    elif request.place_frame is not None:
        place = place_from_geodataframe(request.place_frame, study_radius_m=request.study_radius_m)
    elif request.place_file:
        place = place_from_file(request.place_file, layer=request.place_layer,
                                where=request.place_where, study_radius_m=request.study_radius_m)
    else:
        if osm_path is None:
            raise InputError("A place name needs OSM data to search in.", options=("osm_file",))
        place = find_place_by_name(osm_path, request.place_name,
                                   study_radius_m=request.study_radius_m, feedback=feedback)
    place.check_size(request.max_place_area_m2)
    for note in place.notes.values():
        if feedback is not None:
            feedback.pushWarning(note)
    return place


def fetch_place_data(request: FetchRequest, *, feedback: Optional[Feedback] = None) -> PlaceData:
    """Resolve the place and read every source into a :class:`PlaceData`.

    The buildings of all sources are cleaned once, after merging
    (:func:`~amp_qgis_plugin.core.data.buildings.clean_buildings`); the counts go to the
    ``buildings.*`` provenance rows.

    Progress: 0-5 % place, 5-85 % OSM, 85-95 % municipal layers.
    """
    feedback = feedback or NullFeedback()
    request.validate()
    provenance: Dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="amp-fetch-") as tmp:
        if request.overpass is not None:
            place, osm_path, prov = _overpass_source(request, Path(tmp), feedback)
            provenance.update(prov)
        else:
            osm_path = Path(request.osm_file)
            place = resolve_place(request, osm_path=osm_path, feedback=feedback)
        feedback.setProgress(5)
        check_cancelled(feedback)
        feedback.pushInfo(f"Place: {place.name} ({place.kind}, {place.area_m2:,.0f} m², "
                          f"{place.crs}); reading OSM data within {place.study_radius_m:g} m.")
        from amp_qgis_plugin.core.data.osm_file import read_osm_layers

        layers, osm_prov = read_osm_layers(osm_path, place,
                                           feedback=ScaledFeedback(feedback, 5, 85))
        if request.overpass is not None:
            osm_prov.pop("osm_file", None)
            osm_prov.pop("osm_file_bytes", None)
            # Overpass replies carry the database's timestamp, not per-object ones
            base = provenance.get("overpass_osm_base_timestamp", "")
            if base and base != "None":
                osm_prov["osm_timestamp"] = base
        provenance.update(osm_prov)
    return place_data_from_layers(
        place, layers, provenance, parameters=_request_parameters(request),
        max_place_area_m2=request.max_place_area_m2, municipal=request.municipal,
        mapping_dir=request.mapping_dir, feedback=feedback)


def place_data_from_layers(place: Place, layers: Mapping[str, "gpd.GeoDataFrame"],
                           provenance: Mapping[str, str], *, parameters: Mapping[str, object],
                           max_place_area_m2: float, municipal: Sequence[MunicipalSource] = (),
                           mapping_dir: Optional[str] = None,
                           feedback: Optional[Feedback] = None) -> PlaceData:
    """Finish a place's PlaceData from its OSM layers, as every fetch does.

    The place and study-area layers, the canonical columns, the municipal layers merged, the
    buildings cleaned once (:mod:`amp_qgis_plugin.core.data.buildings`), a warning when the
    area holds no OSM feature, and the provenance (place, parameters, software, licence, layer
    counts). Used by :func:`fetch_place_data` and by the batch, which cuts many places out of
    one read.

    Parameters
    ----------
    place : Place
        The place.
    layers : mapping of str to GeoDataFrame
        Its OSM layers in ``place.crs`` (missing ones become empty layers).
    provenance : mapping of str to str
        Rows of the read (OSM file or Overpass, OSM timestamp ...).
    parameters : mapping
        The request's parameters, written as JSON in the ``parameters`` row.
    max_place_area_m2 : float
        The largest place area that was allowed (recorded).
    municipal : sequence of MunicipalSource
        Municipal layers to merge, with their mapping presets.
    mapping_dir : str, optional
        The user's own presets.
    feedback : Feedback, optional
        Progress (85-95 % for the municipal layers), cancellation, messages.
    """
    feedback = feedback or NullFeedback()
    rows: Dict[str, str] = dict(provenance)
    data = PlaceData(crs=place.crs)
    data["place"], data["study_area"] = place.to_frames()
    for name in FEATURE_LAYERS:
        if name in layers:
            data[name] = layers[name]
    check_cancelled(feedback)
    for i, source in enumerate(municipal):
        _merge_municipal(data, source, place, feedback, mapping_dir)
        feedback.setProgress(85 + 10 * (i + 1) / len(municipal))
    building_counts = _clean_buildings(data, feedback)
    counts = layer_counts(data)
    empty = [n for n in FEATURE_LAYERS if counts[n] == 0 and n not in ("place", "study_area")]
    if len(empty) == len(FEATURE_LAYERS) - 2:
        feedback.pushWarning(
            f"No OSM features at all within {place.study_radius_m:g} m of {place.name}: the area "
            "is outside the data or empty. The GeoPackage has valid empty layers.")
    elif empty:
        feedback.pushInfo("Layers with no features: " + ", ".join(empty))
    rows.update({
        "place_name": place.name, "place_kind": place.kind, "place_osm_id": place.osm_id,
        "place_source": place.source, "place_area_m2": f"{place.area_m2:.1f}", "crs": place.crs,
        "study_radius_m": f"{place.study_radius_m:g}",
        "max_place_area_m2": f"{max_place_area_m2:g}",
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parameters": json.dumps(dict(parameters), ensure_ascii=False, default=str),
        "software": json.dumps(software_versions()),
        "licence": "OpenStreetMap data (c) OpenStreetMap contributors, ODbL 1.0",
        "layer_counts": json.dumps(counts),
    })
    rows.update(building_counts)
    for key, note in place.notes.items():
        rows[key] = note
    data.provenance.update(rows)
    return data


def _clean_buildings(data: PlaceData, feedback: Feedback) -> Dict[str, str]:
    """Clean the merged buildings layer once for every indicator; return its provenance rows.

    See :mod:`amp_qgis_plugin.core.data.buildings` (repairs, footprint-less buildings and
    near-duplicates dropped, overlaps counted).
    """
    from amp_qgis_plugin.core.data.buildings import clean_buildings, cleaning_messages, provenance_rows

    data["buildings"], counts = clean_buildings(data["buildings"])
    for level, message in cleaning_messages(counts):
        (feedback.pushWarning if level == "warning" else feedback.pushInfo)(message)
    return provenance_rows(counts)


def fetch_to_geopackage(request: FetchRequest, out: os.PathLike | str, *,
                        feedback: Optional[Feedback] = None) -> Tuple[Path, PlaceData]:
    """Fetch the place's data and write it to ``out`` (atomically). Returns the path and data."""
    feedback = feedback or NullFeedback()
    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InputError(f"The output must be a GeoPackage file ending in .gpkg, not {out.name!r}.")
    data = fetch_place_data(request, feedback=feedback)
    check_cancelled(feedback)
    path = write_geopackage(data, out, feedback=feedback)
    feedback.setProgress(100)
    return path, data


def _request_parameters(request: FetchRequest) -> Dict[str, object]:
    params = {k: v for k, v in asdict(request).items()
              if k not in ("place_frame", "overpass", "municipal") and v not in ("", None, [])}
    if request.place_frame is not None:
        params["place_frame"] = f"{len(request.place_frame)} feature(s)"
    if request.overpass is not None:
        params["overpass_url"] = request.overpass.url
        params["overpass_cache_only"] = request.overpass.cache_only
    params["municipal"] = [asdict(m) for m in request.municipal]
    return params


def _merge_municipal(data: PlaceData, municipal: MunicipalSource, place: Place,
                     feedback: Feedback, mapping_dir: Optional[str] = None) -> None:
    from amp_qgis_plugin.core.data import municipal as mun

    mapping = mun.load_preset(municipal.preset, user_dir=mapping_dir)
    gdf = mun.read_municipal_layer(municipal.source, mapping, crs=place.crs,
                                   clip_to=place.study_area, feedback=feedback)
    mun.merge_into(data, gdf, mapping, feedback=feedback)


def _overpass_source(request: FetchRequest, tmp: Path, feedback: Feedback):
    """Resolve the place and download its study area from Overpass into a temporary OSM file."""
    from amp_qgis_plugin.core.data import overpass as ovp

    config = request.overpass
    assert config is not None  # only called for a request with an Overpass source
    provenance: Dict[str, str] = {"overpass_url": config.url}
    osm_path = None
    if request.place_name:
        name_file = tmp / "place-name.osm.pbf"
        bbox = None
        if request.search_bbox is not None:
            west, south, east, north = request.search_bbox
            bbox = (south, west, north, east)
        elif feedback is not None:
            feedback.pushWarning("Searching the whole world for the place name on the Overpass "
                                 "server; give a search area to make it fast.")
        reply = ovp.run_query(ovp.build_name_query(request.place_name, config=config, bbox=bbox),
                              config=config, feedback=feedback)
        ovp.elements_to_osm_file(reply, name_file)
        osm_path = name_file
    place = resolve_place(request, osm_path=osm_path, feedback=feedback)
    west, south, east, north = place.study_area_wgs84_bounds()
    data_file, prov = ovp.fetch_overpass_osm((south, west, north, east), tmp / "study-area.osm.pbf",
                                             config=config, feedback=feedback)
    provenance.update({f"overpass_{k}" if not k.startswith("overpass") else k: str(v)
                       for k, v in prov.items()})
    return place, data_file, provenance


def sample_request(place_name: str = "Senaatintori", **kwargs) -> FetchRequest:
    """A request for a square in the bundled Helsinki sample (used by the demo and tests)."""
    return FetchRequest(place_name=place_name, osm_file=str(SAMPLE_OSM), **kwargs)


__all__: Sequence[str] = ("FetchRequest", "MunicipalSource", "fetch_place_data",
                          "fetch_to_geopackage", "resolve_place", "sample_request", "SAMPLE_OSM")
