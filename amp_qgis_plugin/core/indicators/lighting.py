"""Street lighting indicator: illuminance of a place, lighting figures and dark gaps.

Indicators C7, C8, P7 and P8 of docs/methodology.md (sections 4 and 8). The entry
:func:`compute_lighting` evaluates the walkable area of the place (the place without its
buildings, plus the walkable paths within the approach distance) on a grid:

- the lamps come from the ``lamps`` layer, their missing heights, fluxes and photometries
  from the documented defaults (:mod:`~amp_qgis_plugin.core.indicators.lamps`);
- the illuminance is the point-by-point sum over the lamps that reach the walkable area
  (:mod:`~amp_qgis_plugin.core.indicators.lighting_kernel`): horizontal illuminance ``E_h`` on
  the ground and semi-cylindrical illuminance ``E_sc`` at face height in the worst viewing
  direction;
- the figures: E avg, E min, U0 = E min / E avg, the EN 13201-2 P class whose E avg and E min
  are both met, the dark share (``E_h`` below 1 lx), E_sc minimum and mean, and the dark gaps
  along the approach paths (sampled every ``path_sample_m``).

No lamps reaching the walkable area gives "no data" figures and no rasters (never darkness: a
raster of zeros would read as a dark place), and when paths there are tagged ``lit=yes`` the
result says so. Every default lives in ``resources/scoring/lighting.json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, check_cancelled
from amp_qgis_plugin.core.geometry import is_polygonal, repair_polygons
from amp_qgis_plugin.core.indicators.lamps import prepare_lamps
from amp_qgis_plugin.core.indicators.lighting_kernel import EvaluationStats, LampSet, evaluate
from amp_qgis_plugin.core.indicators.photometry import Photometry
from amp_qgis_plugin.core.indicators.result import (
    Figure,
    IndicatorResult,
    RasterOutput,
    figure_from_threshold,
)
from amp_qgis_plugin.core.options import Options, data_file_entry, option
from amp_qgis_plugin.core.raster import Grid
from amp_qgis_plugin.core.thresholds import load_thresholds, threshold

THEME = "lighting"

#: Values of the ``lit`` tag that say a path is lit.
LIT_VALUES = ("yes", "24/7", "automatic", "sunset-sunrise")
#: Columns of the ``dark_gaps`` layer.
GAP_COLUMNS = ("osm_id", "highway", "name", "lit", "length_m", "e_max_lx", "e_mean_lx")


# ----------------------------------------------------------------------------- options


@dataclass
class LightingOptions(Options):
    """Options of :func:`compute_lighting` (defaults from ``lighting.json``; all in provenance).

    Each default is the entry of the same name in the ``"defaults"`` of
    ``resources/scoring/lighting.json``, with its source.

    Attributes
    ----------
    cell_size_m : float
        Grid cell size in metres (fine enough to resolve the dark gaps between poles).
    photometry : mapping of str to path or Photometry
        Photometric file per lamp type: the key is matched against the lamp's ``lamp_type``
        then ``optic`` column; the key ``"*"`` applies to every other lamp. Lamps without a
        match use the generic Lambertian distribution. Default none.
    maintenance_factor : float
        Share of a new luminaire's light left when dirty and aged, applied to every lamp.
    approach_distance_m : float
        Walkable paths within this distance of the place are evaluated too.
    face_height_m : float
        Height of the semi-cylindrical illuminance (EN 13201).
    negligible_lux : float
        Per-lamp cut-off level; 0 evaluates every lamp at every cell.
    path_sample_m : float
        Spacing of the illuminance samples along paths for the dark gaps.
    chunk_pairs : int
        Largest number of (cell, lamp) pairs evaluated at once (a memory bound).
    """

    THEME: ClassVar[str] = THEME

    cell_size_m: float = option("cell_size_m", label="grid cell size", minimum=0.1, maximum=50)
    photometry: Mapping[str, Union[str, Path, Photometry]] = option(
        None, label="photometric files", default={})
    maintenance_factor: float = option("maintenance_factor", label="maintenance factor",
                                       minimum=0, exclusive_minimum=True, maximum=1)
    approach_distance_m: float = option("approach_distance_m", label="approach path distance",
                                        minimum=0)
    face_height_m: float = option("face_height_m", label="face height", minimum=0,
                                  exclusive_minimum=True, maximum=3)
    negligible_lux: float = option("negligible_lux", label="negligible illuminance of one lamp",
                                   minimum=0, maximum=1)
    path_sample_m: float = option("path_sample_m", label="sample spacing along paths",
                                  minimum=0, exclusive_minimum=True, maximum=50)
    chunk_pairs: int = option("chunk_pairs", label="evaluation block size", minimum=1)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.chunk_pairs = int(self.chunk_pairs)
        self.photometry = dict(self.photometry or {})

    def parameters(self) -> Dict[str, str]:
        """Every option as text; photometric objects by their name."""
        out = super().parameters()
        if self.photometry:
            out["photometry"] = "; ".join(
                f"{k}={v.name if isinstance(v, Photometry) else v}"
                for k, v in self.photometry.items())
        return out


def _default_value(key: str) -> Any:
    """The value of entry ``key`` of ``lighting.json`` (engine constants without an option)."""
    return data_file_entry(THEME, key)["value"]


# ----------------------------------------------------------------------------- areas


def _union(geoms: Iterable[Any]) -> Any:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return shapely.Polygon()
    return shapely.union_all(np.asarray(geoms, dtype=object))


def approach_zone(data: PlaceData, approach_distance_m: float) -> Any:
    """The place buffered by the approach distance, within the study area (when there is one)."""
    zone = data.place_polygon.buffer(approach_distance_m)
    try:
        zone = zone.intersection(data.study_area_polygon)
    except DataError:  # no study area: keep the buffer
        pass
    return zone


def approach_paths(data: PlaceData, zone: Any) -> gpd.GeoDataFrame:
    """Walkable path lines clipped to ``zone``, one LineString per row."""
    paths = data["paths"]
    if paths.empty:
        return paths.iloc[0:0]
    paths = paths[paths.geometry.intersects(zone)].copy()
    if paths.empty:
        return paths
    paths["geometry"] = paths.geometry.intersection(zone)
    paths = paths.explode(index_parts=False)
    paths = paths[paths.geom_type == "LineString"]
    paths = paths[paths.geometry.length > 0].reset_index(drop=True)
    return paths


def walkable_area(data: PlaceData, paths: gpd.GeoDataFrame) -> Any:
    """The place plus the approach paths buffered by their half width, minus the buildings.

    Paths without ``width_m`` get the default half width (``path_half_width_m``). Building
    footprints are repaired to their polygonal part (:func:`~amp_qgis_plugin.core.geometry.
    repair_polygons`); anything else is ignored.
    """
    half = float(_default_value("path_half_width_m"))
    parts = [data.place_polygon]
    if not paths.empty:
        width = paths["width_m"].to_numpy(dtype=float) if "width_m" in paths else \
            np.full(len(paths), np.nan)
        hw = np.where(np.isfinite(width) & (width > 0), width / 2.0, half)
        parts.append(_union(shapely.buffer(paths.geometry.to_numpy(), hw, cap_style="flat")))
    area = _union(parts)
    buildings = data["buildings"]
    if not buildings.empty:
        footprints, _ = repair_polygons(buildings.geometry.to_numpy())
        footprints = footprints[is_polygonal(footprints)]
        near = footprints[shapely.intersects(footprints, area)]
        if len(near):
            area = area.difference(_union(near))
    return area


def lighting_grid(area: Any, cell_size_m: float, crs: str) -> Grid:
    """The grid of ``cell_size_m`` cells over ``area``, refused when it has too many cells.

    Raises
    ------
    InputError
        When the grid would have more than ``max_grid_cells`` (``lighting.json``) cells;
        ``options`` is ``("cell_size_m",)``.
    """
    grid = Grid.over(area, cell_size_m, crs)
    limit = int(_default_value("max_grid_cells"))
    if grid.size > limit:
        minx, miny, maxx, maxy = area.bounds
        smallest = math.ceil(100 * math.sqrt((maxx - minx) * (maxy - miny) / limit)) / 100
        raise InputError(
            f"The illuminance grid over the walkable area ({maxx - minx:.0f} x "
            f"{maxy - miny:.0f} m) would have {grid.size:,} cells of {cell_size_m:g} m, more "
            f"than the {limit:,} evaluated at most; use a larger cell size (at least "
            f"{smallest:g} m).", options=("cell_size_m",))
    return grid


# ----------------------------------------------------------------------------- figures


def p_class_reached(eavg: float, emin: float) -> Optional[str]:
    """Return the best EN 13201-2 P class whose Ebar and Emin are both met, or None."""
    for row in load_thresholds(THEME)["p_classes"]["classes"]:
        if eavg >= row["eavg"] and emin >= row["emin"]:
            return row["class"]
    return None


def _figure_defs(face: float) -> Tuple[Tuple[str, str, str, str], ...]:
    """(key, label, unit, indicator) of the figures computed from the illuminance."""
    return (
        ("eavg", "Average horizontal illuminance (E avg)", "lx", "C7"),
        ("emin", "Minimum horizontal illuminance (E min)", "lx", "C8"),
        ("u0", "Overall uniformity U0 = E min / E avg", "ratio", "C8"),
        ("p_class", "EN 13201-2 P class reached", "", "C7"),
        ("dark_share", "Dark share of the walkable area", "%", "P8"),
        ("esc_min", f"Semi-cylindrical illuminance at {face:g} m, minimum", "lx", "P7"),
        ("esc_mean", f"Semi-cylindrical illuminance at {face:g} m, mean", "lx", "P7"),
        ("dark_gap_length_m", "Dark gaps along walking paths", "m", "P8"),
    )


def _no_lamp_figures(res: IndicatorResult, lit_yes_m: float, face: float,
                     feedback: Feedback) -> None:
    """Add the "no data" figures and the warning of a place without lamp data."""
    note = "no street lamps in the data reach the place"
    if lit_yes_m > 0:
        note = f"no data; {lit_yes_m:.0f} m of paths tagged lit=yes"
        msg = (f"Lamps: no data. The data hold no street lamps near the place, but "
               f"{lit_yes_m:.0f} m of its paths are tagged lit=yes: the place is lit, the lamps "
               "are just not mapped. Add the municipal lighting register (belysningsregister) "
               "to compute illuminance.")
    else:
        msg = ("Lamps: no data. The data hold no street lamps near the place; OSM lamp mapping "
               "is often incomplete, so this does not mean the place is dark. Add the "
               "municipal lighting register to compute illuminance.")
    res.warnings.append(msg)
    feedback.pushWarning(msg)
    res.figures.append(Figure("lamp_count", "Street lamps reaching the place", None, "count",
                              note=note))
    res.figures.append(Figure("lit_yes_path_m", "Paths tagged lit=yes", round(lit_yes_m, 1), "m"))
    for key, label, unit, ind in _figure_defs(face):
        res.figures.append(Figure(key, label, None, unit, indicator=ind, note="no lamp data"))


def _illuminance_figures(res: IndicatorResult, e: np.ndarray, esc: np.ndarray, n_lamps: int,
                         n_assumed: int, gaps: gpd.GeoDataFrame, path_length_m: float,
                         face: float) -> None:
    """Add the figures of the evaluated cells ``e`` (E_h) and ``esc`` (worst-direction E_sc)."""
    eavg = float(e.mean())
    emin = float(e.min())
    u0 = emin / eavg if eavg > 0 else None
    dark_lux = float(threshold(THEME, "dark_lux")["value"])
    dark_share = 100.0 * float((e < dark_lux).mean())
    pcls = p_class_reached(eavg, emin)
    labels = {key: label for key, label, _, _ in _figure_defs(face)}
    res.figures.append(Figure(
        "lamp_count", "Street lamps reaching the place", n_lamps, "count",
        note=f"{n_assumed} with assumed height or flux (see lamps_used)" if n_assumed else ""))
    res.figures.append(figure_from_threshold(THEME, "eavg_optimum", "eavg", labels["eavg"],
                                             round(eavg, 2), indicator="C7"))
    res.figures.append(figure_from_threshold(THEME, "emin_reassurance", "emin", labels["emin"],
                                             round(emin, 3), indicator="C8"))
    res.figures.append(figure_from_threshold(THEME, "u0_target", "u0", labels["u0"],
                                             None if u0 is None else round(u0, 3),
                                             indicator="C8"))
    pc = load_thresholds(THEME)["p_classes"]
    res.figures.append(Figure("p_class", labels["p_class"], pcls or "below P6", "",
                              indicator="C7", source=pc["source"],
                              note="best class whose E avg and E min are both met"))
    res.figures.append(figure_from_threshold(
        THEME, "dark_share_target", "dark_share", labels["dark_share"], round(dark_share, 2),
        indicator="P8", note=f"cells with E < {dark_lux:g} lx"))
    esc_note = ("estimated: E_sc = sum I sin(eps)(1+cos(alpha))/(pi r^2) at "
                f"{face:g} m, worst viewing direction; CIE/EN 13201 formula from memory [M]")
    fig = figure_from_threshold(THEME, "esc_face_recognition", "esc_min", labels["esc_min"],
                                round(float(esc.min()), 3), indicator="P7", note=esc_note)
    fig.verified = False
    res.figures.append(fig)
    res.figures.append(Figure("esc_mean", labels["esc_mean"], round(float(esc.mean()), 3), "lx",
                              indicator="P7", verified=False,
                              note="worst viewing direction per cell, averaged"))
    gap_len = float(gaps["length_m"].sum()) if not gaps.empty else 0.0
    res.figures.append(Figure("dark_gap_length_m", labels["dark_gap_length_m"],
                              round(gap_len, 1), "m", indicator="P8",
                              note=f"{len(gaps)} stretch(es) with E < {dark_lux:g} lx; "
                                   f"{path_length_m:.0f} m of paths checked"))


# ----------------------------------------------------------------------------- entry


def compute_lighting(data: PlaceData, options: Optional[LightingOptions] = None,
                     feedback: Optional[Feedback] = None) -> IndicatorResult:
    """The lighting indicator: illuminance rasters, lighting figures and dark gaps of a place.

    Parameters
    ----------
    data : PlaceData
        The place (needs ``place``; uses ``lamps``, ``paths``, ``buildings``, ``study_area``).
    options : LightingOptions, optional
        See :class:`LightingOptions`; default options when None.
    feedback : Feedback, optional
        Progress, cancellation and warnings.

    Returns
    -------
    IndicatorResult
        Figures (``walkable_area_m2``, ``lamp_count``, ``eavg``, ``emin``, ``u0``, ``p_class``,
        ``dark_share``, ``esc_min``, ``esc_mean``, ``dark_gap_length_m``); layers
        ``dark_gaps`` (MultiLineString) and ``lamps_used`` (Point, style ``lamps``); rasters
        ``illuminance`` (E_h) and ``semicylindrical`` (worst-direction E_sc at face height),
        NaN outside the walkable area, absent without lamp data; ``extras["evaluation_stats"]``
        the :class:`~amp_qgis_plugin.core.indicators.lighting_kernel.EvaluationStats`.

    Raises
    ------
    InputError
        On a bad photometric file, or a grid with too many cells for the cell size.
    CancelledError
        If cancelled.
    """
    opts = options or LightingOptions()
    fb = feedback or NullFeedback()
    face = float(opts.face_height_m)
    res = IndicatorResult(theme=THEME,
                          geometry_types={"dark_gaps": "MultiLineString", "lamps_used": "Point"},
                          layer_styles={"lamps_used": "lamps"})
    res.parameters.update(opts.parameters())
    res.parameters.update({
        "model": "point-by-point E = sum MF I(C,gamma) cos^3(gamma)/h^2 (methodology 4.4)",
        "esc_direction": "worst horizontal viewing direction (minimum over all directions)",
    })

    zone = approach_zone(data, opts.approach_distance_m)
    paths = approach_paths(data, zone)
    area = walkable_area(data, paths)
    walk_m2 = float(area.area)
    check_cancelled(fb)

    lamp_set, lamp_table, warns = prepare_lamps(
        data["lamps"], data["paths"], photometry=opts.photometry,
        maintenance_factor=opts.maintenance_factor, negligible_lux=opts.negligible_lux,
        feedback=fb)
    res.warnings.extend(warns)

    # Lamps whose reach meets the walkable area.
    if len(lamp_set):
        pts = lamp_table.geometry.to_numpy()
        reaching = np.asarray(shapely.dwithin(pts, area, np.maximum(lamp_set.reach, 1e-9)))
        reaching &= lamp_set.reach > 0
    else:
        reaching = np.zeros(0, dtype=bool)
    used_table = lamp_table[reaching].reset_index(drop=True)
    res.layers["lamps_used"] = used_table
    res.layers["dark_gaps"] = _empty_gaps(data.crs)
    lit_yes_m = float(paths.loc[paths["lit"].astype(str).isin(LIT_VALUES),
                                "geometry"].length.sum()) if not paths.empty else 0.0

    res.figures.append(Figure("walkable_area_m2", "Walkable area evaluated", round(walk_m2, 1),
                              "m2", note=f"place + paths within {opts.approach_distance_m:g} m, "
                                         "minus buildings"))
    if not reaching.any():
        _no_lamp_figures(res, lit_yes_m, face, fb)
        fb.setProgress(100)
        return res

    lamps_eval = lamp_set.subset(reaching)
    grid = lighting_grid(area, opts.cell_size_m, data.crs)
    mask = grid.mask(area)
    if not mask.any():  # very small or thin areas: keep every touched cell
        mask = grid.mask(area, all_touched=True)
    xs, ys = grid.cell_centres()
    stats = EvaluationStats()
    values = evaluate(lamps_eval, xs[mask], ys[mask], face_height=face,
                      chunk_pairs=opts.chunk_pairs, feedback=fb, progress=(5.0, 85.0),
                      stats=stats)
    eh = np.full(grid.shape, np.nan)
    eh[mask] = values["eh"]
    esc = np.full(grid.shape, np.nan)
    esc[mask] = values["esc_min"]

    dark_lux = float(threshold(THEME, "dark_lux")["value"])
    gaps = dark_gaps(paths, lamps_eval, dark_lux, opts.path_sample_m, opts.chunk_pairs, fb,
                     (85.0, 98.0), stats)
    res.layers["dark_gaps"] = gaps
    _illuminance_figures(res, values["eh"], values["esc_min"], int(reaching.sum()),
                         int((used_table["assumed"] != "").sum()), gaps,
                         float(paths.geometry.length.sum()), face)
    res.rasters["illuminance"] = RasterOutput(eh, grid, "Horizontal illuminance (lx)", "lx",
                                              "illuminance")
    res.rasters["semicylindrical"] = RasterOutput(
        esc, grid, f"Semi-cylindrical illuminance at {face:g} m, worst direction (lx)", "lx",
        "semicylindrical")
    res.parameters["cells"] = str(int(mask.sum()))
    res.parameters["cell_lamp_pairs"] = str(stats.pairs_within_reach)
    res.extras["evaluation_stats"] = stats
    fb.setProgress(100)
    return res


# ----------------------------------------------------------------------------- dark gaps


def _empty_gaps(crs: Optional[str]) -> gpd.GeoDataFrame:
    """An empty ``dark_gaps`` layer with its columns."""
    return gpd.GeoDataFrame({c: pd.Series(dtype="float64" if c.endswith(("_m", "_lx")) else
                                          "object") for c in GAP_COLUMNS},
                            geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def dark_gaps(paths: gpd.GeoDataFrame, lamps: LampSet, dark_lux: float, spacing: float,
              chunk_pairs: int = 400_000, feedback: Optional[Feedback] = None,
              progress: Tuple[float, float] = (0.0, 100.0),
              stats: Optional[EvaluationStats] = None) -> gpd.GeoDataFrame:
    """Return the stretches of ``paths`` where the horizontal illuminance is below ``dark_lux``.

    Each line is sampled every ``spacing`` metres (sample k at ``(k + 0.5) * spacing``); a run of
    dark samples becomes one gap reaching half a spacing beyond its first and last sample
    (clipped to the line), so gap lengths are accurate to about one spacing.
    """
    crs = paths.crs
    if paths.empty:
        return _empty_gaps(crs)
    lines = paths.geometry.to_numpy()
    lengths = shapely.length(lines)
    counts = np.maximum(1, np.ceil(lengths / spacing).astype(int))
    line_of = np.repeat(np.arange(len(lines)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    dist = np.minimum((k + 0.5) * spacing, lengths[line_of])
    pts = shapely.line_interpolate_point(lines[line_of], dist)
    xy = shapely.get_coordinates(pts)
    e = evaluate(lamps, xy[:, 0], xy[:, 1], chunk_pairs=chunk_pairs, feedback=feedback,
                 progress=progress, stats=stats)["eh"]
    dark = e < dark_lux
    rows: List[dict] = []
    geoms = []
    start = 0
    for li, n in enumerate(counts):
        d_line = dark[start:start + n]
        if d_line.any():
            e_line, s_line = e[start:start + n], dist[start:start + n]
            edges = np.diff(np.concatenate([[0], d_line.astype(int), [0]]))
            for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1):
                s0 = max(0.0, s_line[a] - spacing / 2)
                s1 = min(float(lengths[li]), s_line[b] + spacing / 2)
                if s1 <= s0:
                    continue
                geom = substring(lines[li], s0, s1)
                src = paths.iloc[li]
                rows.append({"osm_id": str(src.get("osm_id", "")),
                             "highway": str(src.get("highway", "")),
                             "name": str(src.get("name", "")), "lit": str(src.get("lit", "")),
                             "length_m": round(s1 - s0, 2),
                             "e_max_lx": round(float(e_line[a:b + 1].max()), 3),
                             "e_mean_lx": round(float(e_line[a:b + 1].mean()), 3)})
                geoms.append(geom)
        start += n
    if not rows:
        return _empty_gaps(crs)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
