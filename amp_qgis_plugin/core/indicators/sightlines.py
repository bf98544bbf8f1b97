"""Sightlines of a place: the isovist field on a grid and place-level visibility figures.

Methodology §5.2 (isovists, prospect-refuge), §2.3 (NYC ZR §37-715), §3.3 (Gehl's 100 m social
field of vision), §8.4 A8 and §8.6 P3-P5. Thresholds and defaults live in
``resources/scoring/sightlines.json``. The isovists themselves come from
:mod:`~amp_qgis_plugin.core.indicators.isovist` (obstacles, the batch engine, and
``isovist()`` for scripts).

The entry is :func:`compute_sightlines`: the isovist field over the walkable part of a place
on a grid (written as the raster ``isovist_area``) and the place-level figures:

* **A8 visibility from adjacent streets**: observers every ``street_spacing_m`` along the
  centre-lines of streets (``paths`` with a road ``highway`` value) within
  ``street_buffer_m`` of the place edge and outside it; the union of their isovists
  intersected with the walkable place, as a share of the walkable place area. The isovists
  look in every direction within the visibility radius: a proxy for NYC ZR §37-715, which
  asks that the major portion be visible "when viewed perpendicular from each adjacent
  street"; the perpendicular rule itself is not modelled.
* **P3 prospect**: the mean, over walkable cells, of the share of the walkable place each
  cell sees (its isovist clipped to the place, counted on the grid cells; ratio 0-1). The
  unclipped mean isovist area (Benedikt 1979) is reported next to it in m²: with a 100 m
  radius it is usually larger than the place itself, so it cannot be judged on the
  methodology's 0.3 -> 0.8 ratio scale.
* **P4 concealment pockets**: walkable cells whose isovist area is below 10 % of the place
  area and that border (4-neighbour) a walkable cell with a larger isovist; a pocket is a
  4-connected group of such cells; reported as pockets per 1,000 m² of walkable place.
* **P5 occlusivity**: mean over cells of occlusivity / isovist perimeter, and the mean
  occlusivity in metres.
* **What each point sees of the place's life**: metres of active frontage in view (from a
  ``frontage`` layer with ``active`` 1/0, sampled every metre; a sample on a façade counts as
  seen within :data:`FACADE_TOLERANCE_M` of the isovist boundary) and the number of
  seating features (``seating`` rows) in view.

Handling of awkward input (documented behaviour)
------------------------------------------------
- Buildings are the ``buildings`` layer as cleaned when the place was fetched; the obstacles
  keep their polygonal parts (repaired with the engine's one rule) and union them, so shared
  walls disappear; courtyards are kept.
- Cells whose centre lies inside a building have no isovist and are nodata in the raster.
- Free-standing walls (``barriers`` of :data:`SIGHT_BLOCKING_BARRIERS`, optional, with
  ``height_m`` unknown or at least eye height :data:`EYE_HEIGHT_M`) block sight from both
  sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Dict, Iterable, List, Optional, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators import isovist_kernel as kernel
from amp_qgis_plugin.core.indicators.isovist import IsovistEngine, IsovistField, Obstacles, Targets
from amp_qgis_plugin.core.indicators.result import IndicatorResult, RasterOutput
from amp_qgis_plugin.core.options import Options, option
from amp_qgis_plugin.core.thresholds import threshold

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.data.placedata import PlaceData

THEME = "sightlines"

#: ``highway`` values counted as streets for A8 (vehicle and shared streets, not footways).
STREET_HIGHWAYS = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                   "residential", "living_street", "motorway_link", "trunk_link",
                   "primary_link", "secondary_link", "tertiary_link", "pedestrian", "road")
#: ``barrier`` values that block sight when free walls are used.
SIGHT_BLOCKING_BARRIERS = ("wall", "city_wall", "hedge", "fence")
#: Eye height (m), methodology §8.1; barriers known to be lower do not block sight.
EYE_HEIGHT_M = 1.6
#: A target on a façade counts as seen up to this many metres beyond the isovist boundary.
FACADE_TOLERANCE_M = 0.5
#: Spacing (m) of the samples along active frontage lines.
FRONTAGE_SAMPLE_M = 1.0
#: At most this many grid cells are used as targets for the visible share of the place (P3);
#: bigger places use every k-th cell, each standing for walkable area / count.
MAX_PLACE_TARGETS = 6000

#: Output layers and their geometry types.
OUTPUT_LAYERS = {"isovist_points": "Point", "concealment_pockets": "MultiPolygon",
                 "visible_from_streets": "MultiPolygon", "street_viewpoints": "Point"}
#: Name of the isovist-area raster (``isovist_area.tif``, styled by ``isovist_area.qml``).
RASTER = "isovist_area"
#: Label of the A8 figure: what is measured, and that it stands in for §37-715's rule.
STREET_VISIBILITY_LABEL = ("Share of the walkable place visible from adjacent streets "
                           "(all-direction proxy for §37-715's perpendicular view)")


def _value(key: str) -> float:
    return float(threshold(THEME, key)["value"])


@dataclass
class SightlineOptions(Options):
    """Options of :func:`compute_sightlines` (defaults from ``sightlines.json``).

    Attributes
    ----------
    radius_m : float
        Visibility radius (``isovist_radius``: Gehl's social field of vision).
    cell_size_m : float
        Cell size of the observer grid (``grid_cell``); smaller than the radius.
    street_buffer_m : float
        Street centre-lines within this distance of the place edge are adjacent streets
        (``street_buffer``).
    street_spacing_m : float
        Spacing of the viewpoints along adjacent streets (``street_observer_spacing``).
    use_barriers : bool
        Let free-standing walls and hedges (``barriers``) block sight (``use_barriers``).
    """

    THEME: ClassVar[str] = THEME

    radius_m: float = option("isovist_radius", label="visibility radius", minimum=0,
                             exclusive_minimum=True, maximum=1000)
    cell_size_m: float = option("grid_cell", label="grid cell size", minimum=0,
                                exclusive_minimum=True, maximum=50)
    street_buffer_m: float = option("street_buffer", label="adjacent-street distance",
                                    minimum=0, maximum=200)
    street_spacing_m: float = option("street_observer_spacing",
                                     label="street viewpoint spacing", minimum=0,
                                     exclusive_minimum=True, maximum=50)
    use_barriers: bool = option("use_barriers", label="walls and hedges block sight")

    def check(self) -> None:
        """The grid cell must be smaller than the visibility radius."""
        if self.cell_size_m >= self.radius_m:
            raise InputError(f"The grid cell size ({self.cell_size_m:g} m) must be smaller than "
                             f"the visibility radius ({self.radius_m:g} m).",
                             options=("cell_size_m", "radius_m"))


def read_frontage_layer(path, crs: str) -> gpd.GeoDataFrame:
    """The ``frontage`` layer of a GeoPackage (written by the frontage indicator), in ``crs``.

    Parameters
    ----------
    path : path-like
        The GeoPackage.
    crs : str
        CRS of the place; the layer is reprojected to it when it differs.

    Raises
    ------
    InputError
        When the file is missing, unreadable or has no ``frontage`` layer
        (``options == ("frontage",)``).
    """
    from pathlib import Path

    import pyogrio

    if not Path(path).is_file():
        raise InputError(f"The frontage file was not found: {path}", options=("frontage",))
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise InputError(f"The frontage file {path} is not a readable GeoPackage: {exc}",
                         options=("frontage",)) from exc
    if "frontage" not in layers:
        raise InputError(f"The frontage file {path} has no 'frontage' layer (layers: "
                         f"{', '.join(layers) or 'none'}); map the frontage of the place first "
                         f"and give its output.", options=("frontage",))
    gdf = pyogrio.read_dataframe(path, layer="frontage")
    if gdf.crs is not None and str(gdf.crs) != str(crs):
        gdf = gdf.to_crs(crs)
    return gdf


def street_observers(paths: gpd.GeoDataFrame, place, obstacles: Obstacles, buffer_m: float,
                     spacing_m: float) -> np.ndarray:
    """Observer points along adjacent street centre-lines (outside the place, within the buffer).

    Streets are ``paths`` rows whose ``highway`` is in :data:`STREET_HIGHWAYS` and are not
    areas; their parts within ``buffer_m`` of the place edge and outside the place are sampled
    every ``spacing_m`` (both ends included); points in obstacles are dropped.
    """
    if paths is None or len(paths) == 0:
        return np.empty((0, 2))
    hw = paths.get("highway", pd.Series("", index=paths.index)).fillna("").astype(str)
    area = paths.get("area", pd.Series("", index=paths.index)).fillna("").astype(str)
    streets = paths[hw.isin(STREET_HIGHWAYS) & (area != "yes")]
    if len(streets) == 0:
        return np.empty((0, 2))
    zone = shapely.difference(place.buffer(max(buffer_m, 0.0) + 1e-9), place)
    with np.errstate(invalid="ignore"):
        lines = shapely.intersection(streets.geometry.values, zone)
    parts = shapely.get_parts(lines)
    parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    pts = []
    for line in parts:
        n = max(int(math.ceil(line.length / spacing_m)), 1)
        d = np.linspace(0.0, line.length, n + 1)
        pts.append(shapely.get_coordinates(shapely.line_interpolate_point(line, d)))
    if not pts:
        return np.empty((0, 2))
    xy = np.unique(np.round(np.concatenate(pts), 6), axis=0)
    return xy[~obstacles.blocked(xy)]


def frontage_targets(frontage: Optional[gpd.GeoDataFrame]) -> Optional[Targets]:
    """Samples every metre along the active rows of a frontage layer (None without a layer)."""
    if frontage is None:
        return None
    if "active" not in frontage.columns:
        raise InputError("The frontage layer has no 'active' column; give the 'frontage' layer "
                         "written by the frontage indicator.", options=("frontage",))
    act = frontage[pd.to_numeric(frontage["active"], errors="coerce").fillna(0) > 0]
    geoms = shapely.get_parts(act.geometry.values) if len(act) else np.empty(0, dtype=object)
    geoms = geoms[np.isin(shapely.get_type_id(geoms), (1, 2))] if len(geoms) else geoms
    xy, w = [], []
    for line in geoms:
        n = max(int(math.ceil(line.length / FRONTAGE_SAMPLE_M)), 1)
        d = (np.arange(n) + 0.5) * line.length / n
        xy.append(shapely.get_coordinates(shapely.line_interpolate_point(line, d)))
        w.append(np.full(n, line.length / n))
    if not xy:
        return Targets(np.empty((0, 2)), np.empty(0), FACADE_TOLERANCE_M)
    return Targets(np.concatenate(xy), np.concatenate(w), FACADE_TOLERANCE_M)


def concealment_pockets(area: np.ndarray, walkable: np.ndarray, limit: float
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Concealment pockets of an isovist-area grid (methodology §8.6 P4).

    Cells with a small isovist (walkable, area below ``limit``) are grouped 4-connectedly; a
    group is a pocket when at least one of its cells borders (4-neighbour) a walkable cell
    whose isovist area is at least ``limit``, i.e. a hidden nook opening onto open walkable
    space. A place that is small-isovist everywhere has no pockets (nothing to hide from).

    Parameters
    ----------
    area : ndarray
        Isovist area per cell (any value where not walkable).
    walkable : ndarray of bool
        Cells of the walkable place with an isovist.
    limit : float
        The small-isovist limit in m2 (10 % of the place area by default).

    Returns
    -------
    pocket : ndarray of bool
        Cells belonging to a pocket.
    labels : ndarray of int
        0 outside pockets, 1..n the pocket of each cell.
    """
    small = walkable & (area < limit)
    big = walkable & (area >= limit)
    nb = np.zeros_like(big)
    nb[1:, :] |= big[:-1, :]
    nb[:-1, :] |= big[1:, :]
    nb[:, 1:] |= big[:, :-1]
    nb[:, :-1] |= big[:, 1:]
    groups = _label4(small)
    opening = np.unique(groups[small & nb])
    keep = np.zeros(int(groups.max()) + 1, dtype=np.int32)
    keep[opening] = np.arange(1, len(opening) + 1)
    keep[0] = 0
    labels = keep[groups]
    return labels > 0, labels


def _label4(mask: np.ndarray) -> np.ndarray:
    """4-connected component labels of a boolean grid (union-find on the flat index)."""
    h, w = mask.shape
    flat = mask.ravel()
    parent = np.arange(flat.size)
    idx = np.nonzero(flat)[0]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in idx:
        r, c = divmod(int(i), w)
        for j in ((i - 1) if c > 0 else -1, (i - w) if r > 0 else -1):
            if j >= 0 and flat[j]:
                a, b = find(int(i)), find(int(j))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    labels = np.zeros(flat.size, dtype=np.int32)
    roots: Dict[int, int] = {}
    for i in idx:
        root = find(int(i))
        labels[i] = roots.setdefault(root, len(roots) + 1)
    return labels.reshape(h, w)


def _poly_union(polys: Iterable) -> shapely.Geometry:
    """Union of the non-empty polygons of ``polys`` (an empty Polygon when none)."""
    polys = [p for p in polys if p is not None and not p.is_empty]
    if not polys:
        return Polygon()
    return shapely.union_all(np.array(polys, dtype=object))



def compute_sightlines(data: "PlaceData", options: Optional[SightlineOptions] = None,
                       feedback: Optional[Feedback] = None, *,
                       frontage: Optional[gpd.GeoDataFrame] = None) -> IndicatorResult:
    """The sightlines indicator (the entry): isovist field and sightline figures of a place.

    Parameters
    ----------
    data : PlaceData
        The place (``place``, ``buildings``, ``paths``, ``seating``, ``barriers``).
    options : SightlineOptions, optional
        Radius, grid cell, street buffer and spacing, free walls (defaults from
        ``sightlines.json``).
    feedback : Feedback, optional
        Progress and cancellation (checked per batch of observers and per street observer
        batch).
    frontage : GeoDataFrame, optional
        A frontage layer (``active`` 1/0), e.g. the ``frontage`` layer of the frontage
        indicator (:func:`read_frontage_layer` reads one from a file); reprojected to the
        place's CRS when needed. Without it, active frontage in view is "no data".

    Returns
    -------
    IndicatorResult
        Figures; the layers of :data:`OUTPUT_LAYERS` with their geometry types; the raster
        ``isovist_area`` (m², NaN outside the walkable place and inside buildings);
        ``extras["isovist_field"]``, the :class:`IsovistField` of the grid cells (with their
        valid-observer mask).

    Raises
    ------
    InputError
        Bad options, a grid too coarse or too fine for the place (``options`` names
        ``cell_size_m``), a place covered by buildings, or a frontage layer without
        ``active``.
    DataError
        When the data has no place polygon.
    CancelledError
        When the user cancels.
    """
    from amp_qgis_plugin.core.indicators.result import Figure, figure_from_threshold
    from amp_qgis_plugin.core.raster import Grid

    opt = options or SightlineOptions()
    place = data.place_polygon
    crs = str(data.crs)
    warnings: List[str] = []

    def warn(msg: str) -> None:
        warnings.append(msg)
        if feedback is not None:
            feedback.pushWarning(msg)

    radius = float(opt.radius_m)
    reach = place.buffer(radius + opt.street_buffer_m)
    bld = data["buildings"]
    bld = bld[bld.geometry.notna()]
    bld = bld[shapely.intersects(bld.geometry.values, reach)] if len(bld) else bld
    walls = None
    if opt.use_barriers:
        bar = data["barriers"]
        if len(bar):
            kind = bar["barrier"].fillna("").astype(str)
            h = pd.to_numeric(bar["height_m"], errors="coerce")
            keep = kind.isin(SIGHT_BLOCKING_BARRIERS) & ~(h < EYE_HEIGHT_M)
            walls = [g for g in bar.geometry[keep].values if g is not None]
    obstacles = Obstacles.build(bld.geometry.values, walls)
    if obstacles.ignored:
        warn(f"{obstacles.ignored} building(s) without an area (points or lines) were ignored "
             f"as sight obstacles.")
    if obstacles.solid is None:
        warn("No building footprints near the place: every isovist is a full disc.")
    engine = IsovistEngine(obstacles, radius)

    walk = place if obstacles.solid is None else shapely.difference(place, obstacles.solid)
    walk_area = float(walk.area)
    place_area = float(place.area)
    if walk_area <= 0:
        raise InputError("The place is entirely covered by buildings; there is no walkable area "
                         "to analyse.", options=("data",))
    grid = Grid.over(place, opt.cell_size_m, crs)  # refuses too fine a grid (cell_size_m)
    mask = grid.mask(walk)
    xs, ys = grid.cell_centres()
    cells = np.c_[xs[mask], ys[mask]]
    if len(cells) == 0:
        raise InputError(f"No {opt.cell_size_m:g} m grid cell centre falls on the walkable "
                         "place; use a smaller cell size.", options=("cell_size_m",))

    if frontage is not None and frontage.crs is not None and str(frontage.crs) != crs:
        frontage = frontage.to_crs(crs)
    targets: Dict[str, Targets] = {}
    seat_gdf = data["seating"]
    seat_pts = np.empty((0, 2))
    if len(seat_gdf):
        g = seat_gdf.geometry.values
        g = g[~shapely.is_empty(g) & shapely.is_valid_input(g)]
        seat_pts = shapely.get_coordinates(shapely.centroid(g))
        seat_pts = seat_pts[~obstacles.blocked(seat_pts)]
        targets["seats"] = Targets(seat_pts, np.ones(len(seat_pts)), 0.0)
    front = frontage_targets(frontage)
    if front is not None:
        targets["frontage"] = front
    # P3: the walkable place itself as targets (every cell, or every k-th for big places).
    step = max(1, int(math.ceil(len(cells) / MAX_PLACE_TARGETS)))
    place_targets = cells[~obstacles.blocked(cells)][::step]
    targets["place"] = Targets(place_targets,
                               np.full(len(place_targets), walk_area / max(len(place_targets), 1)),
                               0.0)

    check_cancelled(feedback)
    fld = engine.field(cells, targets, feedback, progress=(0, 70))
    area = np.full(grid.shape, np.nan)
    cell_valid = fld.valid
    rr, cc = np.nonzero(mask)
    area[rr[cell_valid], cc[cell_valid]] = fld.measures["area"][cell_valid]
    walkable = np.isfinite(area)

    # A8: visibility from adjacent streets.
    sxy = street_observers(data["paths"], place, obstacles, opt.street_buffer_m,
                           opt.street_spacing_m)
    if len(sxy):
        polys = engine.polygons(sxy, feedback, progress=(70, 90))
        check_cancelled(feedback)
        seen_union = _poly_union(polys)
        visible = shapely.intersection(seen_union, walk)
        street_share = min(100.0, 100.0 * float(visible.area) / walk_area)
    else:
        visible = Polygon()
        street_share = None
        warn(f"No street centre-line within {opt.street_buffer_m:g} m of the place: "
             "visibility from adjacent streets is no data.")
    if feedback is not None:
        feedback.setProgress(92)

    # P4 concealment pockets.
    limit = _value("pocket_area_share") * place_area
    pocket, labels = concealment_pockets(np.nan_to_num(area, nan=-1.0), walkable, limit)
    n_pockets = int(labels.max())

    ms = {k: v[cell_valid] for k, v in fld.measures.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        occl_ratio = ms["occlusivity"] / ms["perimeter"]
    visible_place = fld.seen["place"][cell_valid]
    n_valid = int(cell_valid.sum())

    def mean(values: np.ndarray) -> Optional[float]:
        return float(np.nanmean(values)) if n_valid else None

    prospect = mean(visible_place)
    occlusivity = mean(occl_ratio)

    figures: List[Figure] = [
        figure_from_threshold(THEME, "street_visibility_target", "visible_from_streets_pct",
                              STREET_VISIBILITY_LABEL, street_share, unit="%", indicator="A8",
                              note=(f"{len(sxy)} street viewpoints every "
                                    f"{opt.street_spacing_m:g} m within "
                                    f"{opt.street_buffer_m:g} m of the place")),
        figure_from_threshold(THEME, "prospect_target", "prospect_pct",
                              "Prospect: mean share of the walkable place in view",
                              None if prospect is None else 100.0 * prospect / walk_area,
                              unit="%", indicator="P3",
                              note=(f"isovist within {radius:g} m clipped to the place, counted on "
                                    f"{len(place_targets)} grid cells")),
        Figure("mean_isovist_area_m2", "Mean isovist area", mean(ms["area"]), "m2", "P3",
               source="Benedikt 1979"),
        figure_from_threshold(THEME, "pockets_floor", "concealment_pockets_per_1000m2",
                              "Concealment pockets per 1,000 m2", 1000.0 * n_pockets / walk_area,
                              unit="pockets/1000 m2", indicator="P4",
                              note=(f"{n_pockets} pocket(s), {int(pocket.sum())} cell(s) with "
                                    f"isovist < {limit:.0f} m2 next to open walkable cells")),
        figure_from_threshold(THEME, "occlusivity_floor", "occlusivity_pct",
                              "Occlusivity / isovist perimeter (mean)",
                              None if occlusivity is None else 100.0 * occlusivity,
                              unit="%", indicator="P5"),
        Figure("mean_occlusivity_m", "Mean occlusivity (occluding radial edges)",
               mean(ms["occlusivity"]), "m", "P5", source="Benedikt 1979"),
        Figure("mean_compactness", "Mean isovist compactness 4piA/P2", mean(ms["compactness"]),
               "ratio", source="Benedikt 1979"),
        Figure("mean_max_radial_m", "Mean max radial", mean(ms["max_radial"]), "m",
               source="Benedikt 1979"),
    ]
    if front is not None:
        val = mean(fld.seen["frontage"][cell_valid])
        figures.append(Figure("active_frontage_in_view_m", "Active frontage in view (mean)",
                              val, "m", "P1", source="Jacobs 1961; Gehl criterion 2",
                              note=f"frontage samples every {FRONTAGE_SAMPLE_M:g} m"))
    else:
        figures.append(Figure("active_frontage_in_view_m", "Active frontage in view (mean)",
                              None, "m", "P1", source="Jacobs 1961; Gehl criterion 2",
                              note="no frontage layer given (map the frontage first and give "
                                   "its layer)"))
    if len(seat_pts):
        figures.append(Figure("seats_in_view", "Seating features in view (mean)",
                              mean(fld.seen["seats"][cell_valid]), "count", "",
                              source="Whyte 1980 (sitting space)"))
    else:
        figures.append(Figure("seats_in_view", "Seating features in view (mean)", None, "count",
                              note="no seating in the data"))

    layers = _layers(grid, crs, cells, fld, area, mask, pocket, labels, visible, sxy)
    params = opt.parameters()
    params.update({"arc_step_deg": f"{kernel.ARC_STEP_DEG:g}", "observers": str(n_valid),
                   "observers_in_buildings": str(int((~cell_valid).sum())),
                   "place_area_m2": f"{place_area:.1f}", "walkable_area_m2": f"{walk_area:.1f}"})
    raster = RasterOutput(area, grid, description=f"Isovist area within {radius:g} m (m2)",
                          units="m2", style=RASTER)
    result = IndicatorResult(THEME, figures, layers, params, warnings,
                             rasters={RASTER: raster}, geometry_types=dict(OUTPUT_LAYERS),
                             extras={"isovist_field": fld})
    if feedback is not None:
        feedback.setProgress(100)
    return result


def _layers(grid, crs, cells, fld: IsovistField, area, mask, pocket, labels, visible, sxy
            ) -> Dict[str, gpd.GeoDataFrame]:
    """The output layers of :data:`OUTPUT_LAYERS` (the walkable cells with an isovist only)."""
    from rasterio.features import shapes

    ok = fld.valid
    cols = {k: fld.measures[k][ok] for k in ("area", "perimeter", "occlusivity", "compactness",
                                              "max_radial")}
    pts = gpd.GeoDataFrame(
        {"area_m2": cols["area"], "perimeter_m": cols["perimeter"],
         "occlusivity_m": cols["occlusivity"], "compactness": cols["compactness"],
         "max_radial_m": cols["max_radial"],
         "frontage_in_view_m": (fld.seen["frontage"][ok] if "frontage" in fld.seen
                                else np.full(int(ok.sum()), np.nan)),
         "seats_in_view": (fld.seen["seats"][ok] if "seats" in fld.seen
                           else np.full(int(ok.sum()), np.nan)),
         "place_in_view_m2": fld.seen["place"][ok]},
        geometry=shapely.points(cells[ok]), crs=crs)
    rr, cc = np.nonzero(mask)
    pts["pocket"] = pocket[rr[ok], cc[ok]].astype(int)
    geoms, lab = [], []
    if labels.max() > 0:
        for geom, value in shapes(labels.astype(np.int32), mask=labels > 0,
                                  transform=grid.transform, connectivity=4):
            geoms.append(shapely.geometry.shape(geom))
            lab.append(int(value))
    pockets = gpd.GeoDataFrame({"pocket_id": lab}, geometry=geoms, crs=crs)
    if len(pockets):
        pockets = pockets.dissolve(by="pocket_id", as_index=False)
        pockets["cells"] = [int((labels == i).sum()) for i in pockets["pocket_id"]]
        pockets["area_m2"] = pockets["cells"] * grid.cell_area
        pockets["min_isovist_m2"] = [float(np.nanmin(area[labels == i]))
                                     for i in pockets["pocket_id"]]
    else:
        pockets = gpd.GeoDataFrame({"pocket_id": [], "cells": [], "area_m2": [],
                                    "min_isovist_m2": []}, geometry=[], crs=crs)
    vis = gpd.GeoDataFrame({"area_m2": [float(visible.area)]} if not visible.is_empty
                           else {"area_m2": []},
                           geometry=[visible] if not visible.is_empty else [], crs=crs)
    vp = gpd.GeoDataFrame(geometry=shapely.points(sxy) if len(sxy) else [], crs=crs)
    return {"isovist_points": pts, "concealment_pockets": pockets,
            "visible_from_streets": vis, "street_viewpoints": vp}
