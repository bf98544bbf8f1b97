"""Point-by-point illuminance of a set of lamps at points on the ground (the lighting kernel).

The model is the point-by-point method (inverse-square and cosine law, docs/methodology.md 4.4)::

    E_h(P) = sum_i  MF_i * I_i(C_i, gamma_i) * cos^3(gamma_i) / h_i^2
           = sum_i  MF_i * I_i(C_i, gamma_i) * h_i / r_i^3

with ``h_i`` the mounting height above the ground, ``d_i`` the horizontal distance,
``r_i = sqrt(h_i^2 + d_i^2)`` and ``gamma_i = atan(d_i / h_i)``. ``I_i`` is the lamp's
photometry (:mod:`~amp_qgis_plugin.core.indicators.photometry`) scaled by its flux.

Semi-cylindrical illuminance at face height ``z`` (1.5 m, EN 13201-2/-3; methodology 4.4,
formula marked [M] there, i.e. unverified against the standard's text)::

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
- Vectorised numpy over (points x lamps) in chunks of at most ``chunk_pairs`` pairs (bounded
  memory); cancellation and progress are checked once per chunk.
- Each lamp is skipped beyond its :attr:`LampSet.reach`, the distance where its largest possible
  contribution falls below the negligible level (:meth:`Photometry.cutoff_distance`), capped at
  :data:`MAX_REACH_M`.

This module knows nothing of places, OSM tags or defaults: lamps come in as arrays
(:mod:`~amp_qgis_plugin.core.indicators.lamps` builds them from a lamps layer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from amp_qgis_plugin.core.feedback import Feedback, check_cancelled
from amp_qgis_plugin.core.indicators.photometry import LambertianPhotometry, Photometry

#: Largest lamp reach considered (m), whatever the photometry.
MAX_REACH_M = 300.0
#: The generic distribution of lamps without a photometric file.
GENERIC = LambertianPhotometry()


@dataclass
class LampSet:
    """Lamps ready for evaluation: positions, heights, scales and photometries (arrays).

    Attributes
    ----------
    x, y : ndarray (n,)
        Positions in a metric CRS (m).
    height : ndarray (n,)
        Mounting heights above the ground (m).
    scale : ndarray (n,)
        Candela per cd/klm of the photometry: ``MF * flux_lm / 1000``.
    photometry_index : ndarray of int (n,)
        Index into :attr:`photometries` per lamp.
    photometries : list of Photometry
        The distinct photometries.
    reach : ndarray (n,)
        Horizontal distance (m) beyond which a lamp is skipped.
    c0_azimuth : ndarray (n,)
        Azimuth of each lamp's C0 axis, degrees counter-clockwise from grid east.
    """

    x: np.ndarray
    y: np.ndarray
    height: np.ndarray
    scale: np.ndarray
    photometry_index: np.ndarray
    photometries: List[Photometry]
    reach: np.ndarray
    c0_azimuth: np.ndarray

    @classmethod
    def single(cls, x: float, y: float, height: float, scale: float,
               photometry: Optional[Photometry] = None, negligible_lux: float = 0.0) -> "LampSet":
        """Return a set of one lamp (tests, scripts)."""
        return cls.from_arrays([x], [y], [height], [scale], photometry, negligible_lux)

    @classmethod
    def from_arrays(cls, x: Sequence[float], y: Sequence[float], height: Sequence[float],
                    scale: Sequence[float], photometry: Optional[Photometry] = None,
                    negligible_lux: float = 0.0) -> "LampSet":
        """Build a set of lamps sharing one photometry (default: generic Lambertian).

        ``negligible_lux`` sets each lamp's reach (0: no cut-off, every lamp everywhere).
        """
        phot = photometry or GENERIC
        xa, ya, ha, sa = (np.asarray(v, dtype=float) for v in (x, y, height, scale))
        reach = np.array([phot.cutoff_distance(si, hi, negligible_lux, MAX_REACH_M)
                          for si, hi in zip(sa, ha)])
        return cls(xa, ya, ha, sa, np.zeros(len(xa), dtype=int), [phot], reach,
                   np.zeros(len(xa)))

    def subset(self, keep: np.ndarray) -> "LampSet":
        """The lamps selected by the boolean mask or index array ``keep``."""
        return LampSet(x=self.x[keep], y=self.y[keep], height=self.height[keep],
                       scale=self.scale[keep], photometry_index=self.photometry_index[keep],
                       photometries=self.photometries, reach=self.reach[keep],
                       c0_azimuth=self.c0_azimuth[keep])

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class EvaluationStats:
    """Counts of the work done by :func:`evaluate` (for benchmarks and provenance).

    Attributes
    ----------
    points : int
        Points evaluated.
    pairs_computed : int
        (point, lamp) pairs computed, including those masked as beyond reach.
    pairs_within_reach : int
        (point, lamp) pairs within the lamp's reach (the useful work).
    """

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
    progress : (float, float)
        Range of the progress reported.
    stats : EvaluationStats, optional
        Incremented with the work done.

    Returns
    -------
    dict
        ``"eh"`` horizontal illuminance (lx); with ``face_height`` also ``"esc_min"`` (worst
        viewing direction) and ``"esc_mean"`` (mean over directions), in lx.

    Raises
    ------
    CancelledError
        When ``feedback`` is cancelled.
    """
    chunk_pairs = max(1, int(chunk_pairs))
    px = np.asarray(px, dtype=float).ravel()
    py = np.asarray(py, dtype=float).ravel()
    n = px.size
    out = {"eh": np.zeros(n)}
    sxy: Optional[Tuple[np.ndarray, np.ndarray]] = None
    if face_height is not None:
        out["esc_min"] = np.zeros(n)
        out["esc_mean"] = np.zeros(n)
        sxy = (np.zeros(n), np.zeros(n))
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
            _accumulate(lamps, sel, px[sidx], py[sidx], sidx, out, face_height, sxy, stats)
    if sxy is not None:
        out["esc_min"] = np.maximum(out["esc_mean"] - np.hypot(sxy[0], sxy[1]), 0.0)
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
    if face_height is None or sxy is None:
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
