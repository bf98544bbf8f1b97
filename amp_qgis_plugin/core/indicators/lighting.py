"""Street lighting: horizontal and semi-cylindrical illuminance from lamp points.

Indicators C7, C8, P7 and P8 of docs/methodology.md (sections 4 and 8). The model is the
point-by-point method (inverse-square and cosine law, methodology 4.4)::

    E_h(P) = sum_i  MF_i * I_i(C_i, gamma_i) * cos^3(gamma_i) / h_i^2
           = sum_i  MF_i * I_i(C_i, gamma_i) * h_i / r_i^3

with ``h_i`` the mounting height above the ground, ``d_i`` the horizontal distance,
``r_i = sqrt(h_i^2 + d_i^2)`` and ``gamma_i = atan(d_i / h_i)``. ``I_i`` is the lamp's
photometry (:mod:`~amp_qgis_plugin.core.indicators.photometry`) scaled by its flux.

Semi-cylindrical illuminance at face height ``z = 1.5 m`` (EN 13201-2/-3; methodology 4.4, formula
marked [M] there, i.e. unverified against the standard's text)::

    E_sc(P, n) = sum_i  MF_i * I_i(C_i, eps_i) * sin(eps_i) * (1 + cos(alpha_i)) / (pi * r_i^2)

with ``eps_i`` the angle of the ray from the vertical at height ``z`` (effective height
``h_i - z``), and ``alpha_i`` the horizontal angle between the viewing direction ``n`` and the
direction from P towards lamp i. A square has no main walking direction, so the figure reported
is the **worst viewing direction** at each point: writing ``K_i`` for the ``(1 + cos alpha)``-free
part, ``E_sc(n) = S0 + Sx cos(theta) + Sy sin(theta)`` with ``S0 = sum K_i``,
``(Sx, Sy) = sum K_i * (unit vector to lamp i)``, so the minimum over all horizontal directions
is exactly ``S0 - |(Sx, Sy)|`` and the mean over directions is ``S0``. Lamps at or below face
height add nothing to E_sc.

Engine notes
------------
- Vectorised numpy over (cells x lamps) in chunks of at most ``chunk_pairs`` pairs (bounded
  memory); cancellation and progress are checked once per chunk.
- Each lamp is skipped beyond the distance where its largest possible contribution falls below
  ``negligible_lux`` (0.01 lx, 1 % of the 1 lx dark threshold; bound computed from its intensity
  table, :meth:`Photometry.cutoff_distance`), capped at 300 m.
- Lamp attributes come from the data when present and valid, otherwise from the documented
  defaults in ``resources/scoring/lighting.json`` (every output lamp row says which values were
  assumed): height by situation (nearest path's highway class: footpath 5 m, residential 6 m,
  main 8 m), flux by known height class or situation, ``wattage * efficacy`` when only the
  wattage is known, maintenance factor 0.8, ``light_count`` 1. ``lumen`` is read as the flux of one
  light (OSM ``light:lumen``), multiplied by ``light_count``.
- Bad input: heights outside 1-30 m (``0 m``, ``300 m``) are tagging errors and are replaced by
  the situation default with a warning (the lamp exists; its height tag is wrong). Lamps within
  0.5 m of an earlier lamp are duplicates and dropped with a warning. No lamps reaching the
  walkable area gives "no data" figures (never darkness), and when paths there are tagged
  ``lit=yes`` the result says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from amp_qgis_plugin.core.data.placedata import PlaceData
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, check_cancelled
from amp_qgis_plugin.core.indicators.photometry import (LambertianPhotometry, Photometry,
                                                        read_ldt)
from amp_qgis_plugin.core.indicators.result import (Figure, IndicatorResult, figure_from_threshold,
                                                    figures_frame)
from amp_qgis_plugin.core.raster import Grid
from amp_qgis_plugin.core.thresholds import load_thresholds, threshold

THEME = "lighting"
#: Largest lamp reach considered (m), whatever the photometry.
MAX_REACH_M = 300.0
GENERIC = LambertianPhotometry()


# ----------------------------------------------------------------------------- options


@dataclass
class LightingOptions:
    """Options of the lighting indicator (defaults from ``lighting.json`` when None).

    Attributes
    ----------
    cell_size : float
        Grid cell size in metres (default 1 m).
    photometry : mapping of str to path or Photometry
        Photometric file per lamp type: the key is matched against the lamp's ``lamp_type``
        then ``optic`` column; the key ``"*"`` applies to every other lamp. Lamps without a
        match use the generic Lambertian distribution.
    maintenance_factor : float, optional
        Override the default MF (0.8).
    approach_distance_m : float, optional
        Paths within this distance of the place are approach paths (default 50 m).
    face_height_m : float, optional
        Height of the semi-cylindrical illuminance (default 1.5 m).
    negligible_lux : float, optional
        Per-lamp cut-off level (default 0.01 lx); 0 evaluates every lamp at every cell.
    path_sample_m : float
        Spacing of the illuminance samples along paths for the dark gaps (default 1 m).
    chunk_pairs : int
        Largest number of (cell, lamp) pairs evaluated at once (memory bound).
    """

    cell_size: float = 1.0
    photometry: Mapping[str, Union[str, Path, Photometry]] = field(default_factory=dict)
    maintenance_factor: Optional[float] = None
    approach_distance_m: Optional[float] = None
    face_height_m: Optional[float] = None
    negligible_lux: Optional[float] = None
    path_sample_m: float = 1.0
    chunk_pairs: int = 400_000


def _default(key: str) -> Any:
    return load_thresholds(THEME)["defaults"][key]


def _default_value(key: str) -> Any:
    return _default(key)["value"]


# ----------------------------------------------------------------------------- lamps


@dataclass
class LampSet:
    """Lamps ready for evaluation: positions, heights, scales and photometries (arrays)."""

    x: np.ndarray
    y: np.ndarray
    height: np.ndarray
    #: Candela per cd/klm: MF * flux_lm / 1000.
    scale: np.ndarray
    #: Index into :attr:`photometries` per lamp.
    photometry_index: np.ndarray
    photometries: List[Photometry]
    #: Horizontal reach (m) beyond which a lamp is skipped.
    reach: np.ndarray
    #: Azimuth of each lamp's C0 axis, degrees counter-clockwise from grid east.
    c0_azimuth: np.ndarray

    @classmethod
    def single(cls, x: float, y: float, height: float, scale: float,
               photometry: Optional[Photometry] = None, negligible_lux: float = 0.0) -> "LampSet":
        """Return a set of lamps from plain arrays (tests, scripts)."""
        return cls.from_arrays([x], [y], [height], [scale], photometry, negligible_lux)

    @classmethod
    def from_arrays(cls, x: Sequence[float], y: Sequence[float], height: Sequence[float],
                    scale: Sequence[float], photometry: Optional[Photometry] = None,
                    negligible_lux: float = 0.0) -> "LampSet":
        """Build a set of lamps sharing one photometry (default: generic Lambertian)."""
        phot = photometry or GENERIC
        x, y, h, s = (np.asarray(v, dtype=float) for v in (x, y, height, scale))
        reach = np.array([phot.cutoff_distance(si, hi, negligible_lux, MAX_REACH_M)
                          for si, hi in zip(s, h)])
        return cls(x, y, h, s, np.zeros(len(x), dtype=int), [phot], reach, np.zeros(len(x)))

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class EvaluationStats:
    """Counts of the work done by :func:`evaluate` (for benchmarks and provenance)."""

    points: int = 0
    pairs_computed: int = 0
    pairs_within_reach: int = 0


def evaluate(lamps: LampSet, px: np.ndarray, py: np.ndarray, *,
             face_height: Optional[float] = None,
             chunk_pairs: int = 400_000,
             feedback: Optional[Feedback] = None,
             progress: Tuple[float, float] = (0.0, 100.0),
             stats: Optional[EvaluationStats] = None) -> Dict[str, np.ndarray]:
    """Evaluate the illuminance of ``lamps`` at points ``(px, py)`` on the ground.

    Parameters
    ----------
    lamps : LampSet
        The lamps.
    px, py : ndarray (n,)
        Point coordinates in the lamps' CRS (metres).
    face_height : float, optional
        Also compute semi-cylindrical illuminance at this height (m).
    chunk_pairs : int
        Largest (points x lamps) block evaluated at once.
    feedback : Feedback, optional
        Progress from ``progress[0]`` to ``progress[1]``; cancellation checked per chunk.
    stats : EvaluationStats, optional
        Incremented with the work done.

    Returns
    -------
    dict
        ``"eh"`` horizontal illuminance (lx); with ``face_height`` also ``"esc_min"`` (worst
        viewing direction) and ``"esc_mean"`` (mean over directions), in lx.
    """
    px = np.asarray(px, dtype=float).ravel()
    py = np.asarray(py, dtype=float).ravel()
    n = px.size
    out = {"eh": np.zeros(n)}
    if face_height is not None:
        out["esc_min"] = np.zeros(n)
        out["esc_mean"] = np.zeros(n)
        sx_all, sy_all = np.zeros(n), np.zeros(n)
    if stats is not None:
        stats.points += n
    if n == 0 or len(lamps) == 0:
        if feedback is not None:
            feedback.setProgress(progress[1])
        return out
    active = lamps.reach > 0
    order = np.arange(n)
    # Row-ordered points: contiguous chunks have compact bounding boxes.
    per_chunk = max(1, chunk_pairs // max(1, int(active.sum())))
    starts = list(range(0, n, per_chunk))
    span = progress[1] - progress[0]
    for k, start in enumerate(starts):
        check_cancelled(feedback)
        if feedback is not None:
            feedback.setProgress(progress[0] + span * k / len(starts))
        idx = order[start:start + per_chunk]
        cx, cy = px[idx], py[idx]
        # Lamps whose reach circle meets the chunk's bounding box.
        near = active & (lamps.x + lamps.reach >= cx.min()) & (lamps.x - lamps.reach <= cx.max()) \
            & (lamps.y + lamps.reach >= cy.min()) & (lamps.y - lamps.reach <= cy.max())
        sel = np.nonzero(near)[0]
        if sel.size == 0:
            continue
        # Re-chunk when many lamps are near (keeps the block within chunk_pairs).
        sub = max(1, chunk_pairs // sel.size)
        for s0 in range(0, idx.size, sub):
            sidx = idx[s0:s0 + sub]
            _accumulate(lamps, sel, px[sidx], py[sidx], sidx, out, face_height,
                        (sx_all, sy_all) if face_height is not None else None, stats)
    if face_height is not None:
        s0 = out["esc_mean"]
        out["esc_min"] = np.maximum(s0 - np.hypot(sx_all, sy_all), 0.0)
    if feedback is not None:
        feedback.setProgress(progress[1])
    return out


def _intensity(lamps: LampSet, sel: np.ndarray, dx: np.ndarray, dy: np.ndarray,
               d: np.ndarray, h: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Relative intensity (cd/klm) for each (point, selected lamp) pair.

    ``d`` horizontal distance, ``h`` height above the plane, ``r`` slant distance. The generic
    Lambertian distribution is evaluated from ``cos(gamma) = h / r`` directly (no trigonometry).
    """
    result = np.empty_like(d)
    pidx = lamps.photometry_index[sel]
    gamma_deg = None
    for p in np.unique(pidx):
        cols = np.nonzero(pidx == p)[0]
        phot = lamps.photometries[p]
        if isinstance(phot, LambertianPhotometry):
            result[:, cols] = (1000.0 / math.pi) * (h / r)[:, cols]
            continue
        if gamma_deg is None:
            gamma_deg = np.degrees(np.arctan2(d, h))
        g = gamma_deg[:, cols]
        if phot.rotationally_symmetric:
            result[:, cols] = phot.relative_intensity(None, g)
        else:
            c = (np.degrees(np.arctan2(dy[:, cols], dx[:, cols]))
                 - lamps.c0_azimuth[sel][cols]) % 360.0
            result[:, cols] = phot.relative_intensity(c, g)
    return result


def _accumulate(lamps: LampSet, sel: np.ndarray, x: np.ndarray, y: np.ndarray, idx: np.ndarray,
                out: Dict[str, np.ndarray], face_height: Optional[float],
                sxy: Optional[Tuple[np.ndarray, np.ndarray]],
                stats: Optional[EvaluationStats]) -> None:
    """Add the contribution of lamps ``sel`` to points ``idx`` (one dense block)."""
    dx = x[:, None] - lamps.x[sel][None, :]          # lamp -> point
    dy = y[:, None] - lamps.y[sel][None, :]
    d2 = dx * dx + dy * dy
    within = d2 <= (lamps.reach[sel] ** 2)[None, :]
    if stats is not None:
        stats.pairs_computed += d2.size
        stats.pairs_within_reach += int(within.sum())
    h = lamps.height[sel][None, :]
    scale = lamps.scale[sel][None, :]
    d = np.sqrt(d2)
    hh = np.broadcast_to(h, d.shape)
    r = np.sqrt(d2 + h * h)
    i_cd = _intensity(lamps, sel, dx, dy, d, hh, r) * scale
    # E = I cos^3(gamma) / h^2 = I h / r^3
    eh = np.where(within, i_cd * h / (r * r * r), 0.0)
    out["eh"][idx] += eh.sum(axis=1)
    if face_height is None:
        return
    he = h - face_height
    above = (he > 0) & within
    he_safe = np.broadcast_to(np.where(he > 0, he, 1.0), d.shape)
    r2 = d2 + he_safe * he_safe
    i_sc = _intensity(lamps, sel, dx, dy, d, he_safe, np.sqrt(r2)) * scale
    # K = I sin(eps) / (pi r^2); sin(eps) = d / r
    kk = np.where(above, i_sc * d / (math.pi * r2 * np.sqrt(r2)), 0.0)
    out["esc_mean"][idx] += kk.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ux = np.where(d > 0, -dx / d, 0.0)           # unit vector point -> lamp
        uy = np.where(d > 0, -dy / d, 0.0)
    sxy[0][idx] += (kk * ux).sum(axis=1)
    sxy[1][idx] += (kk * uy).sum(axis=1)


# ----------------------------------------------------------------------------- lamp preparation


def _situation_of(lamps: gpd.GeoDataFrame, paths: gpd.GeoDataFrame) -> np.ndarray:
    """Return the default situation (footpath / residential / main) of each lamp.

    The situation is the class of the highest-ranking path (main > residential > footpath)
    within the search radius; lamps with no path nearby get the fallback.
    """
    sit = _default("situations")
    fallback = sit["fallback"]
    result = np.array([fallback] * len(lamps), dtype=object)
    if paths is None or paths.empty or lamps.empty:
        return result
    cls_of = {}
    for name in ("footpath", "residential", "main"):
        for hw in sit[name]["highway"]:
            cls_of[hw] = name
    rank = {"footpath": 1, "residential": 2, "main": 3}
    pcls = paths["highway"].astype(str).map(cls_of)
    ok = pcls.notna().to_numpy()
    if not ok.any():
        return result
    geoms = paths.geometry.to_numpy()[ok]
    prank = pcls[ok].map(rank).to_numpy()
    tree = shapely.STRtree(geoms)
    li, pi = tree.query(lamps.geometry.to_numpy(), predicate="dwithin",
                        distance=float(sit["search_radius_m"]))
    best = np.zeros(len(lamps), dtype=int)
    np.maximum.at(best, li, prank[pi])
    names = {v: k for k, v in rank.items()}
    for i, b in enumerate(best):
        if b:
            result[i] = names[int(b)]
    return result


def _match_photometry(row: pd.Series, photometry: Mapping[str, Photometry]) -> Optional[str]:
    for col in ("lamp_type", "optic"):
        value = str(row.get(col, "") or "")
        if value and value in photometry:
            return value
    return "*" if "*" in photometry else None


def _load_photometries(spec: Mapping[str, Union[str, Path, Photometry]]) -> Dict[str, Photometry]:
    loaded: Dict[str, Photometry] = {}
    for key, value in (spec or {}).items():
        if isinstance(value, Photometry):
            loaded[str(key)] = value
        else:
            path = Path(value)
            if path.suffix.lower() != ".ldt":
                raise InputError(f"Photometric file {path.name} for lamp type {key!r}: only "
                                 "EULUMDAT (.ldt) files are read; convert IES files to .ldt.")
            loaded[str(key)] = read_ldt(path)
    return loaded


def prepare_lamps(lamps: gpd.GeoDataFrame, paths: Optional[gpd.GeoDataFrame] = None, *,
                  photometry: Optional[Mapping[str, Union[str, Path, Photometry]]] = None,
                  maintenance_factor: Optional[float] = None,
                  negligible_lux: Optional[float] = None,
                  feedback: Optional[Feedback] = None) -> Tuple[LampSet, gpd.GeoDataFrame,
                                                                List[str]]:
    """Fill in lamp attributes from data or defaults, clean bad input, build a :class:`LampSet`.

    Parameters
    ----------
    lamps : GeoDataFrame
        The canonical ``lamps`` layer (points, metric CRS).
    paths : GeoDataFrame, optional
        The canonical ``paths`` layer, used to choose the default situation of each lamp.
    photometry : mapping, optional
        Photometric files or objects per lamp type (see :class:`LightingOptions`).
    maintenance_factor, negligible_lux : float, optional
        Overrides of the defaults in ``lighting.json``.
    feedback : Feedback, optional
        Receives the warnings.

    Returns
    -------
    (LampSet, GeoDataFrame, list of str)
        The lamps for evaluation, the lamps table with the values used (``height_used_m``,
        ``lumen_used``, ``mf``, ``photometry``, ``assumed``), and the warnings.
    """
    feedback = feedback or NullFeedback()
    warnings: List[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        feedback.pushWarning(text)

    mf = float(maintenance_factor if maintenance_factor is not None
               else _default_value("maintenance_factor"))
    if not 0 < mf <= 1:
        raise InputError(f"The maintenance factor must be in (0, 1], not {mf}.")
    eps = float(negligible_lux if negligible_lux is not None else _default_value("negligible_lux"))
    phots = _load_photometries(photometry or {})
    lamps = lamps[lamps.geometry.notna() & ~lamps.geometry.is_empty].copy()
    if not lamps.empty and not (lamps.geom_type == "Point").all():
        lamps["geometry"] = lamps.geometry.representative_point()
    lamps = lamps.reset_index(drop=True)

    # Duplicates: a lamp within the duplicate distance of an earlier lamp is dropped.
    dup_d = float(_default_value("duplicate_distance_m"))
    if len(lamps) > 1:
        pts = lamps.geometry.to_numpy()
        a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=dup_d)
        # Keep a lamp only if it is not the later member of a pair whose earlier member is kept.
        keep = np.ones(len(lamps), dtype=bool)
        for i, j in sorted(zip(a[b > a], b[b > a])):
            if keep[i]:
                keep[j] = False
        if (~keep).any():
            ids = ", ".join(_lamp_label(lamps.iloc[j]) for j in np.nonzero(~keep)[0][:5])
            warn(f"{int((~keep).sum())} duplicated lamp(s) within {dup_d:g} m of another lamp "
                 f"were dropped ({ids}{', ...' if (~keep).sum() > 5 else ''}).")
        lamps = lamps[keep].reset_index(drop=True)

    situation = _situation_of(lamps, paths)
    sit = _default("situations")
    lo, hi = (float(v) for v in _default_value("height_valid_range_m"))
    by_height = _default("lumen_by_height")["classes"]
    efficacy = _default("efficacy_lm_per_w")

    height = lamps["height_m"].to_numpy(dtype=float) if "height_m" in lamps else \
        np.full(len(lamps), np.nan)
    lumen = lamps["lumen"].to_numpy(dtype=float) if "lumen" in lamps else \
        np.full(len(lamps), np.nan)
    watt = lamps["wattage"].to_numpy(dtype=float) if "wattage" in lamps else \
        np.full(len(lamps), np.nan)
    count = lamps["light_count"].to_numpy(dtype=float) if "light_count" in lamps else \
        np.full(len(lamps), np.nan)

    h_used = np.empty(len(lamps))
    f_used = np.empty(len(lamps))
    n_used = np.empty(len(lamps))
    h_src, f_src, phot_name, assumed = [], [], [], []
    p_index = np.zeros(len(lamps), dtype=int)
    phot_list: List[Photometry] = [GENERIC]
    phot_pos = {id(GENERIC): 0}
    bad_height, missing_height = [], 0
    for i in range(len(lamps)):
        row = lamps.iloc[i]
        notes = []
        s = situation[i]
        h = height[i]
        if np.isfinite(h) and lo <= h <= hi:
            h_used[i] = h
            h_src.append("data")
        else:
            if np.isfinite(h):
                bad_height.append(f"{_lamp_label(row)}: {h:g} m")
            else:
                missing_height += 1
            h_used[i] = float(sit[s]["height_m"])
            h_src.append(f"default ({s})")
            notes.append("height")
        key = _match_photometry(row, phots)
        phot = phots[key] if key is not None else GENERIC
        if id(phot) not in phot_pos:
            phot_pos[id(phot)] = len(phot_list)
            phot_list.append(phot)
        p_index[i] = phot_pos[id(phot)]
        phot_name.append(phot.name)
        c = count[i]
        n_used[i] = c if np.isfinite(c) and c >= 1 else 1.0
        if np.isfinite(lumen[i]) and lumen[i] > 0:
            f_used[i] = lumen[i]
            f_src.append("data (lumen)")
        elif np.isfinite(watt[i]) and watt[i] > 0:
            src = str(row.get("light_source", "") or "").lower()
            eff = float(efficacy.get(src, efficacy["default"]))
            f_used[i] = watt[i] * eff
            f_src.append(f"wattage x {eff:g} lm/W")
            notes.append("flux")
        elif phot.file_flux_lm:
            f_used[i] = phot.file_flux_lm
            f_src.append(f"photometric file ({phot.name})")
        elif h_src[-1] == "data":
            f_used[i] = next(float(f) for bound, f in by_height if h_used[i] < float(bound))
            f_src.append("default (height class)")
            notes.append("flux")
        else:
            f_used[i] = float(sit[s]["lumen"])
            f_src.append(f"default ({s})")
            notes.append("flux")
        assumed.append(", ".join(notes))
    if bad_height:
        warn(f"{len(bad_height)} lamp(s) have an implausible height outside {lo:g}-{hi:g} m "
             f"({'; '.join(bad_height[:5])}{'; ...' if len(bad_height) > 5 else ''}); "
             "their situation default height is used instead.")
    if missing_height:
        feedback.pushInfo(f"{missing_height} of {len(lamps)} lamp(s) have no height; the default "
                          "height of their situation (footpath 5 m, residential 6 m, main 8 m; "
                          "methodology 4.5) is used.")

    scale = mf * f_used * n_used / 1000.0
    c0 = np.zeros(len(lamps))
    if "c0_azimuth" in lamps:
        c0 = pd.to_numeric(lamps["c0_azimuth"], errors="coerce").fillna(0.0).to_numpy(float)
    reach = np.array([phot_list[p].cutoff_distance(s_, h_, eps, MAX_REACH_M)
                      for p, s_, h_ in zip(p_index, scale, h_used)])
    xy = shapely.get_coordinates(lamps.geometry.to_numpy()) if len(lamps) else np.zeros((0, 2))
    lamp_set = LampSet(x=xy[:, 0].copy(), y=xy[:, 1].copy(), height=h_used, scale=scale,
                       photometry_index=p_index, photometries=phot_list, reach=reach,
                       c0_azimuth=c0)
    table = lamps.copy()
    table["situation"] = situation
    table["height_used_m"] = h_used
    table["height_source"] = h_src
    table["lumen_used"] = f_used * n_used
    table["lumen_source"] = f_src
    table["light_count_used"] = n_used
    table["mf"] = mf
    table["photometry"] = phot_name
    table["reach_m"] = reach
    table["assumed"] = assumed
    return lamp_set, table, warnings


def _lamp_label(row: pd.Series) -> str:
    osm_id = str(row.get("osm_id", "") or "")
    if osm_id:
        return osm_id
    geom = row.geometry
    return f"lamp at ({geom.x:.1f}, {geom.y:.1f})"


# ----------------------------------------------------------------------------- areas


def _union(geoms) -> Any:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return shapely.Polygon()
    return shapely.union_all(np.asarray(geoms, dtype=object))


def approach_zone(data: PlaceData, approach_distance_m: float):
    """The place buffered by the approach distance, within the study area."""
    zone = data.place_polygon.buffer(approach_distance_m)
    try:
        zone = zone.intersection(data.study_area_polygon)
    except Exception:  # no study area: keep the buffer
        pass
    return zone


def approach_paths(data: PlaceData, zone) -> gpd.GeoDataFrame:
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


def walkable_area(data: PlaceData, paths: gpd.GeoDataFrame):
    """The place (without buildings) plus the approach paths buffered by their half width."""
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
        near = buildings[buildings.geometry.intersects(area)]
        if not near.empty:
            area = area.difference(_union(shapely.make_valid(near.geometry.to_numpy())))
    return area


# ----------------------------------------------------------------------------- result


@dataclass
class LightingResult:
    """Everything the lighting indicator computed.

    Attributes
    ----------
    result : IndicatorResult
        Figures, layers (``dark_gaps``, ``lamps_used``), parameters and warnings.
    grid : Grid or None
        The illuminance grid (None when there are no lamps to evaluate).
    illuminance : ndarray or None
        Horizontal illuminance (lx) on ``grid``; NaN outside the walkable area.
    semicylindrical : ndarray or None
        Worst-direction semi-cylindrical illuminance at face height (lx); NaN outside.
    stats : EvaluationStats
        Work counts.
    """

    result: IndicatorResult
    grid: Optional[Grid] = None
    illuminance: Optional[np.ndarray] = None
    semicylindrical: Optional[np.ndarray] = None
    stats: EvaluationStats = field(default_factory=EvaluationStats)


def p_class_reached(eavg: float, emin: float) -> Optional[str]:
    """Return the best EN 13201-2 P class whose Ebar and Emin are both met, or None."""
    for row in load_thresholds(THEME)["p_classes"]["classes"]:
        if eavg >= row["eavg"] and emin >= row["emin"]:
            return row["class"]
    return None


def compute_lighting(data: PlaceData, options: Optional[LightingOptions] = None,
                     feedback: Optional[Feedback] = None) -> LightingResult:
    """Compute the illuminance grid, the lighting figures and the dark gaps of a place.

    Parameters
    ----------
    data : PlaceData
        The place (needs ``place``; uses ``lamps``, ``paths``, ``buildings``, ``study_area``).
    options : LightingOptions, optional
        See :class:`LightingOptions`.
    feedback : Feedback, optional
        Progress, cancellation and warnings.

    Raises
    ------
    InputError
        On bad options (cell size, photometric file).
    CancelledError
        If cancelled.
    """
    opts = options or LightingOptions()
    fb = feedback or NullFeedback()
    if not (opts.cell_size and 0.1 <= opts.cell_size <= 50):
        raise InputError(f"The lighting grid cell size must be 0.1-50 m, not {opts.cell_size!r}.")
    approach = float(opts.approach_distance_m if opts.approach_distance_m is not None
                     else _default_value("approach_distance_m"))
    face = float(opts.face_height_m if opts.face_height_m is not None
                 else _default_value("face_height_m"))
    res = IndicatorResult(theme=THEME)
    res.parameters.update({
        "cell_size_m": f"{opts.cell_size:g}", "approach_distance_m": f"{approach:g}",
        "face_height_m": f"{face:g}",
        "model": "point-by-point E = sum MF I(C,gamma) cos^3(gamma)/h^2 (methodology 4.4)",
        "esc_direction": "worst horizontal viewing direction (minimum over all directions)",
    })

    zone = approach_zone(data, approach)
    paths = approach_paths(data, zone)
    area = walkable_area(data, paths)
    walk_m2 = float(area.area)
    check_cancelled(fb)

    lamp_set, lamp_table, warns = prepare_lamps(
        data["lamps"], data["paths"], photometry=opts.photometry,
        maintenance_factor=opts.maintenance_factor, negligible_lux=opts.negligible_lux,
        feedback=fb)
    res.warnings.extend(warns)
    res.parameters["maintenance_factor"] = f"{lamp_table['mf'].iloc[0]:g}" if len(lamp_table) \
        else f"{_default_value('maintenance_factor'):g}"
    res.parameters["negligible_lux"] = f"{opts.negligible_lux if opts.negligible_lux is not None else _default_value('negligible_lux'):g}"  # noqa: E501

    # Lamps whose reach meets the walkable area.
    if len(lamp_set):
        pts = lamp_table.geometry.to_numpy()
        reaching = np.asarray(shapely.dwithin(pts, area, np.maximum(lamp_set.reach, 1e-9)))
        reaching &= lamp_set.reach > 0
    else:
        reaching = np.zeros(0, dtype=bool)
    used_table = lamp_table[reaching].reset_index(drop=True)
    res.layers["lamps_used"] = used_table
    lit_yes_m = float(paths.loc[paths["lit"].astype(str).isin(["yes", "24/7", "automatic",
                                                                "sunset-sunrise"]),
                                "geometry"].length.sum()) if not paths.empty else 0.0

    res.figures.append(Figure("walkable_area_m2", "Walkable area evaluated", round(walk_m2, 1),
                              "m2", note=f"place + paths within {approach:g} m, minus buildings"))
    if not reaching.any():
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
        fb.pushWarning(msg)
        res.figures.append(Figure("lamp_count", "Street lamps reaching the place", None, "count",
                                  note=note))
        res.figures.append(Figure("lit_yes_path_m", "Paths tagged lit=yes", round(lit_yes_m, 1),
                                  "m"))
        for key, label, unit, ind in _FIGURE_DEFS:
            res.figures.append(Figure(key, label, None, unit, indicator=ind, note="no lamp data"))
        fb.setProgress(100)
        return LightingResult(result=res)

    lamps_eval = _subset(lamp_set, reaching)
    grid = Grid.over(area, opts.cell_size, data.crs)
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

    e = values["eh"]
    eavg = float(e.mean())
    emin = float(e.min())
    u0 = emin / eavg if eavg > 0 else None
    dark_lux = float(threshold(THEME, "dark_lux")["value"])
    dark_share = 100.0 * float((e < dark_lux).mean())
    pcls = p_class_reached(eavg, emin)

    gaps = dark_gaps(paths, lamps_eval, dark_lux, opts.path_sample_m, opts.chunk_pairs, fb,
                     (85.0, 98.0), stats)
    res.layers["dark_gaps"] = gaps
    n_assumed = int((used_table["assumed"] != "").sum())
    res.figures.append(Figure(
        "lamp_count", "Street lamps reaching the place", int(reaching.sum()), "count",
        note=f"{n_assumed} with assumed height or flux (see lamps_used)" if n_assumed else ""))
    res.figures.append(figure_from_threshold(THEME, "eavg_optimum", "eavg",
                                             "Average horizontal illuminance (E avg)",
                                             round(eavg, 2), indicator="C7"))
    res.figures.append(figure_from_threshold(THEME, "emin_reassurance", "emin",
                                             "Minimum horizontal illuminance (E min)",
                                             round(emin, 3), indicator="C8"))
    res.figures.append(figure_from_threshold(THEME, "u0_target", "u0",
                                             "Overall uniformity U0 = E min / E avg",
                                             None if u0 is None else round(u0, 3),
                                             indicator="C8"))
    pc = load_thresholds(THEME)["p_classes"]
    res.figures.append(Figure("p_class", "EN 13201-2 P class reached",
                              pcls or "below P6", "", indicator="C7", source=pc["source"],
                              note="best class whose E avg and E min are both met"))
    res.figures.append(figure_from_threshold(
        THEME, "dark_share_target", "dark_share", "Dark share of the walkable area",
        round(dark_share, 2), indicator="P8", note=f"cells with E < {dark_lux:g} lx"))
    esc_note = ("estimated: E_sc = sum I sin(eps)(1+cos(alpha))/(pi r^2) at "
                f"{face:g} m, worst viewing direction; CIE/EN 13201 formula from memory [M]")
    fig = figure_from_threshold(THEME, "esc_face_recognition", "esc_min",
                                "Semi-cylindrical illuminance at 1.5 m, minimum",
                                round(float(values["esc_min"].min()), 3), indicator="P7",
                                note=esc_note)
    fig.verified = False
    res.figures.append(fig)
    res.figures.append(Figure("esc_mean", "Semi-cylindrical illuminance at 1.5 m, mean",
                              round(float(values["esc_min"].mean()), 3), "lx", indicator="P7",
                              verified=False, note="worst viewing direction per cell, averaged"))
    gap_len = float(gaps["length_m"].sum()) if not gaps.empty else 0.0
    res.figures.append(Figure("dark_gap_length_m", "Dark gaps along walking paths",
                              round(gap_len, 1), "m", indicator="P8",
                              note=f"{len(gaps)} stretch(es) with E < {dark_lux:g} lx; "
                                   f"{float(paths.geometry.length.sum()):.0f} m of paths checked"))
    res.parameters["cells"] = str(int(mask.sum()))
    res.parameters["cell_lamp_pairs"] = str(stats.pairs_within_reach)
    fb.setProgress(100)
    return LightingResult(result=res, grid=grid, illuminance=eh, semicylindrical=esc,
                          stats=stats)


_FIGURE_DEFS = (
    ("eavg", "Average horizontal illuminance (E avg)", "lx", "C7"),
    ("emin", "Minimum horizontal illuminance (E min)", "lx", "C8"),
    ("u0", "Overall uniformity U0 = E min / E avg", "ratio", "C8"),
    ("p_class", "EN 13201-2 P class reached", "", "C7"),
    ("dark_share", "Dark share of the walkable area", "%", "P8"),
    ("esc_min", "Semi-cylindrical illuminance at 1.5 m, minimum", "lx", "P7"),
    ("esc_mean", "Semi-cylindrical illuminance at 1.5 m, mean", "lx", "P7"),
    ("dark_gap_length_m", "Dark gaps along walking paths", "m", "P8"),
)


def _subset(lamps: LampSet, keep: np.ndarray) -> LampSet:
    return LampSet(x=lamps.x[keep], y=lamps.y[keep], height=lamps.height[keep],
                   scale=lamps.scale[keep], photometry_index=lamps.photometry_index[keep],
                   photometries=lamps.photometries, reach=lamps.reach[keep],
                   c0_azimuth=lamps.c0_azimuth[keep])


GAP_COLUMNS = ("osm_id", "highway", "name", "lit", "length_m", "e_max_lx", "e_mean_lx")


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
    empty = gpd.GeoDataFrame({c: pd.Series(dtype="float64" if c.endswith(("_m", "_lx")) else
                                            "object") for c in GAP_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    if paths.empty:
        return empty
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
        return empty
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)


# ----------------------------------------------------------------------------- outputs


def write_lighting_outputs(out: LightingResult, out_dir: Union[str, Path, None] = None,
                           feedback: Optional[Feedback] = None, *,
                           illuminance_path: Union[str, Path, None] = None,
                           semicylindrical_path: Union[str, Path, None] = None,
                           gpkg_path: Union[str, Path, None] = None) -> Dict[str, Path]:
    """Write ``illuminance.tif``, ``semicylindrical.tif`` (each with a ``.qml`` style beside it)
    and ``lighting.gpkg`` (layers ``dark_gaps``, ``lamps_used``, table ``lighting_figures``).

    The files go to ``out_dir`` under those names, or to the explicit paths given (a path left
    None with no ``out_dir`` is not written). Every file is written to a temporary name and
    renamed when complete. With no lamp data no raster is written (a raster of zeros would read
    as darkness), only the GeoPackage.

    Returns
    -------
    dict of str to Path
        ``"illuminance"``, ``"semicylindrical"`` (when written) and ``"gpkg"``.
    """
    import pyogrio

    from amp_qgis_plugin.core.data.placedata import atomic_geopackage
    from amp_qgis_plugin.core.raster import write_geotiff
    from amp_qgis_plugin.core.styles import style_path, write_layer_styles

    if out_dir is not None:
        out_dir = Path(out_dir)
        illuminance_path = illuminance_path or out_dir / "illuminance.tif"
        semicylindrical_path = semicylindrical_path or out_dir / "semicylindrical.tif"
        gpkg_path = gpkg_path or out_dir / "lighting.gpkg"
    written: Dict[str, Path] = {}
    res = out.result
    tags = {f"amp.{k}": v for k, v in res.parameters.items()}
    if out.grid is not None and illuminance_path is not None:
        check_cancelled(feedback)
        written["illuminance"] = write_geotiff(
            illuminance_path, out.illuminance, out.grid,
            colour_ramp=style_path("illuminance"), band_name="Horizontal illuminance (lx)",
            units="lx", tags=tags)
    if out.grid is not None and semicylindrical_path is not None:
        written["semicylindrical"] = write_geotiff(
            semicylindrical_path, out.semicylindrical, out.grid,
            colour_ramp=style_path("semicylindrical"),
            band_name="Semi-cylindrical illuminance at 1.5 m, worst direction (lx)",
            units="lx", tags=tags)
    check_cancelled(feedback)
    if gpkg_path is None:
        return written
    target = Path(gpkg_path)
    if target.suffix.lower() != ".gpkg":
        raise InputError(f"The lighting layers go to a GeoPackage (.gpkg), not {target.name!r}.")
    with atomic_geopackage(target) as tmp:
        gaps = res.layers.get("dark_gaps")
        lamps = res.layers.get("lamps_used")
        if gaps is None:
            gaps = gpd.GeoDataFrame({c: [] for c in GAP_COLUMNS},
                                    geometry=gpd.GeoSeries([]), crs=None)
        pyogrio.write_dataframe(gaps, tmp, layer="dark_gaps", driver="GPKG",
                                geometry_type="MultiLineString", promote_to_multi=True)
        if lamps is not None and len(lamps.columns):
            pyogrio.write_dataframe(lamps, tmp, layer="lamps_used", driver="GPKG",
                                    geometry_type="Point")
        pyogrio.write_dataframe(figures_frame(res), tmp, layer="lighting_figures", driver="GPKG")
        write_layer_styles(tmp, ["dark_gaps", "lamps_used"], styles={"lamps_used": "lamps"})
    written["gpkg"] = target
    return written
