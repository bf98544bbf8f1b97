"""Lamp preparation: from a lamps layer to a :class:`~.lighting_kernel.LampSet`.

Lamp attributes come from the data when present and valid, otherwise from the documented
defaults in the ``"defaults"`` of ``resources/scoring/lighting.json`` (every output lamp row
says which values were assumed):

- height by *situation*, the class of the highest-ranking path near the lamp (footpath,
  residential or main street; ``situations``);
- flux from ``lumen`` (OSM ``light:lumen``, the flux of one light, multiplied by
  ``light_count``), else ``wattage`` times the efficacy of its light source
  (``efficacy_lm_per_w``), else the photometric file's lamp flux, else by the known height's
  class (``lumen_by_height``), else by situation;
- photometry by ``lamp_type`` then ``optic`` matched against the keys of the photometry mapping
  (``"*"`` for every other lamp); the generic Lambertian distribution otherwise;
- the maintenance factor of the options, and ``light_count`` 1.

Bad input: heights outside ``height_valid_range_m`` (``0 m``, ``300 m``) are tagging errors and
are replaced by the situation default with a warning (the lamp exists; its height tag is
wrong). Lamps within ``duplicate_distance_m`` of an earlier lamp are one lamp mapped twice and
are dropped with a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from amp_qgis_plugin.core.errors import DataError, InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback
from amp_qgis_plugin.core.indicators.lighting_kernel import GENERIC, MAX_REACH_M, LampSet
from amp_qgis_plugin.core.indicators.photometry import Photometry, read_ldt
from amp_qgis_plugin.core.thresholds import load_thresholds

THEME = "lighting"

#: A photometry given by the user: a path to an .ldt file, or a Photometry object.
PhotometrySpec = Union[str, Path, Photometry]


def _default(key: str) -> Mapping[str, Any]:
    """The entry ``key`` of the ``"defaults"`` of ``lighting.json`` (tables included)."""
    defaults = load_thresholds(THEME).get("defaults") or {}
    if key not in defaults:
        raise DataError(f"The default {key!r} is missing from the {THEME!r} scoring file "
                        f"(resources/scoring/{THEME}.json); reinstall the plugin or restore it.")
    return defaults[key]


def situation_of(lamps: gpd.GeoDataFrame, paths: Optional[gpd.GeoDataFrame]) -> np.ndarray:
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


def match_photometry(row: pd.Series, photometry: Mapping[str, Photometry]) -> Optional[str]:
    """The key of ``photometry`` that applies to a lamp row: its ``lamp_type``, its ``optic``,
    else ``"*"`` when given, else None (the generic distribution)."""
    for col in ("lamp_type", "optic"):
        value = str(row.get(col, "") or "")
        if value and value in photometry:
            return value
    return "*" if "*" in photometry else None


def load_photometries(spec: Optional[Mapping[str, PhotometrySpec]]) -> Dict[str, Photometry]:
    """Read the photometric files of a photometry mapping (objects pass through).

    Raises
    ------
    InputError
        For a file that is not EULUMDAT (.ldt), missing or unreadable; ``options`` is
        ``("photometry",)``.
    """
    loaded: Dict[str, Photometry] = {}
    for key, value in (spec or {}).items():
        if isinstance(value, Photometry):
            loaded[str(key)] = value
            continue
        path = Path(value)
        if path.suffix.lower() != ".ldt":
            raise InputError(f"Photometric file {path.name} for lamp type {key!r}: only "
                             "EULUMDAT (.ldt) files are read; convert IES files to .ldt.",
                             options=("photometry",))
        loaded[str(key)] = read_ldt(path)
    return loaded


def prepare_lamps(lamps: gpd.GeoDataFrame, paths: Optional[gpd.GeoDataFrame] = None, *,
                  photometry: Optional[Mapping[str, PhotometrySpec]] = None,
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
        Photometric files or objects per lamp type (see
        :class:`~amp_qgis_plugin.core.indicators.lighting.LightingOptions`).
    maintenance_factor, negligible_lux : float, optional
        The options of that name; None for the defaults in ``lighting.json``. Checked like the
        options (InputError naming the option).
    feedback : Feedback, optional
        Receives the warnings.

    Returns
    -------
    (LampSet, GeoDataFrame, list of str)
        The lamps for evaluation, the lamps table with the values used (``height_used_m``,
        ``lumen_used``, ``mf``, ``photometry``, ``assumed``), and the warnings.
    """
    # The options class checks and fills these two exactly as for the indicator.
    from amp_qgis_plugin.core.indicators.lighting import LightingOptions

    checked = LightingOptions().replace(maintenance_factor=maintenance_factor,
                                        negligible_lux=negligible_lux)
    mf = float(checked.maintenance_factor)
    eps = float(checked.negligible_lux)
    feedback = feedback or NullFeedback()
    warnings: List[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        feedback.pushWarning(text)

    phots = load_photometries(photometry or {})
    lamps = lamps[lamps.geometry.notna() & ~lamps.geometry.is_empty].copy()
    if not lamps.empty and not (lamps.geom_type == "Point").all():
        lamps["geometry"] = lamps.geometry.representative_point()
    lamps = lamps.reset_index(drop=True)
    lamps = _drop_duplicates(lamps, warn)

    situation = situation_of(lamps, paths)
    sit = _default("situations")
    lo, hi = (float(v) for v in _default("height_valid_range_m")["value"])
    by_height = _default("lumen_by_height")["classes"]
    efficacy = _default("efficacy_lm_per_w")

    height, lumen, watt, count = (_column(lamps, c) for c in ("height_m", "lumen", "wattage",
                                                                "light_count"))
    h_used = np.empty(len(lamps))
    f_used = np.empty(len(lamps))
    n_used = np.empty(len(lamps))
    h_src: List[str] = []
    f_src: List[str] = []
    phot_name: List[str] = []
    assumed: List[str] = []
    p_index = np.zeros(len(lamps), dtype=int)
    phot_list: List[Photometry] = [GENERIC]
    phot_pos = {id(GENERIC): 0}
    bad_height: List[str] = []
    missing_height = 0
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
        key = match_photometry(row, phots)
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
        heights = ", ".join(f"{name} {float(sit[name]['height_m']):g} m"
                            for name in ("footpath", "residential", "main"))
        feedback.pushInfo(f"{missing_height} of {len(lamps)} lamp(s) have no height; the default "
                          f"height of their situation ({heights}; methodology 4.5) is used.")

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


def _column(lamps: gpd.GeoDataFrame, name: str) -> np.ndarray:
    """Column ``name`` as floats (NaN where absent)."""
    if name in lamps:
        return lamps[name].to_numpy(dtype=float)
    return np.full(len(lamps), np.nan)


def _drop_duplicates(lamps: gpd.GeoDataFrame, warn) -> gpd.GeoDataFrame:
    """Drop every lamp within the duplicate distance of an earlier kept lamp (with a warning)."""
    dup_d = float(_default("duplicate_distance_m")["value"])
    if len(lamps) <= 1:
        return lamps
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
    return lamps[keep].reset_index(drop=True)


def _lamp_label(row: pd.Series) -> str:
    """How a lamp is named in messages: its OSM id, else its position."""
    osm_id = str(row.get("osm_id", "") or "")
    if osm_id:
        return osm_id
    geom = row.geometry
    return f"lamp at ({geom.x:.1f}, {geom.y:.1f})"
