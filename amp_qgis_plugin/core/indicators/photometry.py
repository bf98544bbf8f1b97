"""Luminous intensity distributions of luminaires: a generic model and EULUMDAT files.

A photometry gives the *relative* luminous intensity ``I(C, gamma)`` in candela per 1000 lumen
of lamp flux (cd/klm, the EULUMDAT convention). The lighting model multiplies it by
``MF * flux / 1000`` (maintenance factor, lamp flux in lm) to get candela.

Angles follow the C-gamma system of EN 13032-1 / EULUMDAT: ``gamma`` is measured from the
downward vertical (nadir = 0 deg, horizontal = 90 deg) and ``C`` is the azimuth of the vertical
half-plane, counter-clockwise seen from above, from the luminaire's C0 axis.

Two kinds exist:

- :class:`LambertianPhotometry`: the generic default when no photometric file is given,
  ``I(gamma) = (1000 / pi) * cos(gamma)`` cd/klm below the horizontal and 0 above, i.e. all flux
  emitted downward with a Lambertian (cosine) distribution, so a lamp of flux Phi gives
  ``E_h = Phi * MF * cos^4(gamma) / (pi * h^2)`` (docs/methodology.md section 4.4; a derivation,
  not a standard: real street optics are batwing-shaped and spread wider, so this
  underestimates between poles and is a conservative screen).
- :class:`TablePhotometry`: a measured ``I(C, gamma)`` table, read from a EULUMDAT (.ldt) file
  with the PyPI package ``eulumdat-py`` (module ``pyldt``, MIT), which parses the header and
  expands the symmetry-compressed intensity matrix to all C planes. It does not validate the
  file, so :func:`read_ldt` checks the parsed counts and angles and raises :class:`InputError`
  with the file name. The table is interpolated bilinearly in (C, gamma) with numpy
  (``np.interp`` for rotationally symmetric tables): a few lines, and avoiding SciPy keeps the
  runtime dependencies to what QGIS ships.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from amp_qgis_plugin.core.errors import DependencyError, InputError

#: Option id of the photometric files (``LightingOptions.photometry``), named by read errors.
_OPTIONS = ("photometry",)
#: Fine gamma grid (degrees) used to bound a lamp's largest possible contribution.
_BOUND_GAMMA = np.linspace(0.0, 90.0, 1801)


class Photometry:
    """Base class: a relative intensity distribution in cd/klm."""

    #: Human name (file name or "generic Lambertian").
    name: str = ""
    #: True when I does not depend on C (then C is not computed).
    rotationally_symmetric: bool = True
    #: Total lamp flux in lm that the table refers to (from the file), or None (generic).
    file_flux_lm: Optional[float] = None

    def relative_intensity(self, c_deg: Optional[np.ndarray], gamma_deg: np.ndarray) -> np.ndarray:
        """Return I in cd/klm at the given angles (arrays of the same shape)."""
        raise NotImplementedError

    def envelope(self, gamma_deg: np.ndarray) -> np.ndarray:
        """Return an upper bound of ``max_C I(C, gamma)`` valid on each interval between
        consecutive entries of the sorted ``gamma_deg`` (used for the distance cut-off)."""
        raise NotImplementedError

    def cutoff_distance(self, scale_cd_per_cdklm: float, height_m: float,
                        negligible_lux: float, max_distance_m: float = 300.0) -> float:
        """Return the horizontal distance beyond which this lamp adds less than ``negligible_lux``.

        The horizontal illuminance of one lamp is ``E = s * I(C, gamma) * cos^3(gamma) / h^2``;
        on every interval ``[g_k, g_k+1]`` of a 0.05 deg gamma grid it is at most
        ``s * max(Ibar_k, Ibar_k+1) * cos^3(g_k) / h^2`` (``Ibar`` = the envelope), and the suffix
        maximum of that bound over farther intervals gives a distance beyond which the lamp's
        contribution is certainly below ``negligible_lux``. Capped at ``max_distance_m``;
        ``negligible_lux <= 0`` gives infinity (no cut-off).
        """
        if scale_cd_per_cdklm <= 0 or height_m <= 0:
            return 0.0
        if negligible_lux <= 0:
            return math.inf  # evaluate the lamp everywhere
        g = _BOUND_GAMMA
        env = self.envelope(g)
        seg = np.maximum(env[:-1], env[1:]) * np.cos(np.radians(g[:-1])) ** 3
        seg = seg * scale_cd_per_cdklm / (height_m * height_m)
        suffix = np.maximum.accumulate(seg[::-1])[::-1]
        below = np.nonzero(suffix < negligible_lux)[0]
        if below.size == 0:
            return max_distance_m
        k = int(below[0])
        if k == 0:
            return 0.0
        return float(min(max_distance_m, height_m * math.tan(math.radians(g[k]))))


@dataclass
class LambertianPhotometry(Photometry):
    """Generic downward Lambertian luminaire: ``I = (1000/pi) cos(gamma)`` cd/klm, 0 above 90 deg."""

    name: str = "generic Lambertian (methodology 4.4)"
    rotationally_symmetric: bool = True
    file_flux_lm: Optional[float] = None

    def relative_intensity(self, c_deg, gamma_deg):
        cg = np.cos(np.radians(gamma_deg))
        return np.where(cg > 0, (1000.0 / math.pi) * cg, 0.0)

    def envelope(self, gamma_deg):
        return self.relative_intensity(None, gamma_deg)


@dataclass
class TablePhotometry(Photometry):
    """A measured intensity table ``I[C, gamma]`` in cd/klm.

    Attributes
    ----------
    c_angles : ndarray (mc,)
        C-plane angles in degrees, increasing, within [0, 360).
    gamma_angles : ndarray (ng,)
        Gamma angles in degrees, increasing, within [0, 180].
    table : ndarray (mc, ng)
        Intensity in cd/klm (already multiplied by the file's conversion factor).
    file_flux_lm : float
        Total lamp flux the table refers to (EULUMDAT line 26c summed over lamp sets).
    light_output_ratio : float
        LORL in percent (information only; already contained in the table).
    """

    name: str = ""
    c_angles: np.ndarray = field(default_factory=lambda: np.zeros(1))
    gamma_angles: np.ndarray = field(default_factory=lambda: np.zeros(2))
    table: np.ndarray = field(default_factory=lambda: np.zeros((1, 2)))
    file_flux_lm: Optional[float] = None
    light_output_ratio: float = 100.0
    rotationally_symmetric: bool = False

    def __post_init__(self) -> None:
        self.c_angles = np.asarray(self.c_angles, dtype=float)
        self.gamma_angles = np.asarray(self.gamma_angles, dtype=float)
        self.table = np.asarray(self.table, dtype=float)
        if self.table.shape[0] == 1 or np.allclose(self.table, self.table[:1]):
            self.rotationally_symmetric = True
        # C wrap-around: append the C0 plane at C0 + 360 deg.
        self._c_wrap = np.append(self.c_angles, self.c_angles[0] + 360.0)
        self._t_wrap = np.vstack([self.table, self.table[:1]])
        self._env = self.table.max(axis=0)

    def _interp_gamma(self, row: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        return np.interp(gamma, self.gamma_angles, row, left=row[0], right=0.0)

    def relative_intensity(self, c_deg, gamma_deg):
        gamma = np.asarray(gamma_deg, dtype=float)
        if self.rotationally_symmetric:
            return self._interp_gamma(self.table[0], gamma)
        g = self.gamma_angles
        gi = np.clip(np.searchsorted(g, gamma, side="right") - 1, 0, len(g) - 2)
        t = np.clip((gamma - g[gi]) / (g[gi + 1] - g[gi]), 0.0, 1.0)
        c = (np.asarray(c_deg, dtype=float) - self.c_angles[0]) % 360.0 + self.c_angles[0]
        cw = self._c_wrap
        ci = np.clip(np.searchsorted(cw, c, side="right") - 1, 0, len(cw) - 2)
        u = np.clip((c - cw[ci]) / (cw[ci + 1] - cw[ci]), 0.0, 1.0)
        tw = self._t_wrap
        lo = tw[ci, gi] * (1 - t) + tw[ci, gi + 1] * t
        hi = tw[ci + 1, gi] * (1 - t) + tw[ci + 1, gi + 1] * t
        out = lo * (1 - u) + hi * u
        return np.where(gamma > g[-1], 0.0, out)

    def envelope(self, gamma_deg):
        return self._interp_gamma(self._env, np.asarray(gamma_deg, dtype=float))


def read_ldt(path: Path | str) -> TablePhotometry:
    """Read a EULUMDAT (.ldt) file into a :class:`TablePhotometry`.

    Parameters
    ----------
    path : path-like
        The .ldt file.

    Raises
    ------
    InputError
        If the file is missing or its counts, angles or intensities are inconsistent;
        ``options`` is ``("photometry",)`` (the photometric files of the lighting options).
    DependencyError
        If the ``eulumdat-py`` package is not installed.
    """
    try:
        from pyldt import LdtReader
    except ImportError as exc:  # pragma: no cover - declared runtime dependency
        raise DependencyError("Reading EULUMDAT files needs the Python package 'eulumdat-py'; "
                              "install it with 'pip install eulumdat-py'.") from exc
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Photometric file not found: {path}.", options=_OPTIONS)
    try:
        ldt = LdtReader.read(path)
    except (ValueError, IndexError, OSError) as exc:
        raise InputError(f"{path.name} is not a readable EULUMDAT (.ldt) file: {exc}",
                         options=_OPTIONS) from exc
    h = ldt.header
    problem = None
    if h.mc <= 0 or h.ng < 2:
        problem = f"it declares {h.mc} C planes and {h.ng} gamma angles"
    elif len(h.c_angles) != h.mc or len(h.g_angles) != h.ng:
        problem = (f"it lists {len(h.c_angles)} C angles and {len(h.g_angles)} gamma angles "
                   f"but declares {h.mc} and {h.ng}")
    elif any(len(row) != h.ng for row in ldt.intensities) or len(ldt.intensities) != h.mc:
        problem = "its intensity table is shorter than the declared angles (truncated file?)"
    if problem is None:
        gam = np.asarray(h.g_angles, dtype=float)
        cs = np.asarray(h.c_angles, dtype=float)
        table = np.asarray(ldt.intensities, dtype=float)
        if np.any(np.diff(gam) <= 0) or gam[0] < 0 or gam[-1] > 180:
            problem = "its gamma angles are not increasing within 0-180 degrees"
        elif h.mc > 1 and (np.any(np.diff(cs) <= 0) or cs[0] < 0 or cs[-1] >= 360):
            problem = "its C angles are not increasing within 0-360 degrees"
        elif not np.all(np.isfinite(table)) or np.any(table < 0):
            problem = "it has negative or non-numeric intensities"
    if problem is not None:
        raise InputError(f"{path.name} is not a valid EULUMDAT file: {problem}.", options=_OPTIONS)
    flux = float(sum(abs(f) for f in h.lamp_flux)) or None
    conv = h.conv_factor if h.conv_factor and h.conv_factor > 0 else 1.0
    if h.mc == 1:
        cs = np.zeros(1)
    return TablePhotometry(name=path.name, c_angles=cs, gamma_angles=gam, table=table * conv,
                           file_flux_lm=flux, light_output_ratio=float(h.lorl or 100.0))
