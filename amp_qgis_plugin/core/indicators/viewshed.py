"""Optional DSM viewshed (terrain and 3D obstacles) with GDAL's own viewshed.

This wraps ``osgeo.gdal.ViewshedGenerate``, the algorithm behind ``gdal_viewshed`` and QGIS's
``gdal:viewshed`` (Wang et al. 2000 style line-of-sight over the raster), instead of a
hand-written one. It needs GDAL's Python bindings (on QGIS installs and Debian's
``python3-gdal``); without them :func:`viewshed` raises :class:`DependencyError`.

The observer stands ``observer_height`` metres above the DSM at its cell (eye height 1.6 m,
methodology §8.1); a cell is visible when a target ``target_height`` metres above its DSM value
can be seen. The result is a boolean array on the DSM grid (True = visible) plus a mask of
cells outside ``max_distance``; it can be written as a GeoTIFF with the shared raster writer.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from amp_qgis_plugin.core.errors import CancelledError, DependencyError, InputError
from amp_qgis_plugin.core.feedback import Feedback

#: Earth curvature / refraction coefficient of ``gdal_viewshed`` (1 - 1/7); negligible at the
#: scale of a square but kept for parity with QGIS.
CURVATURE_COEFF = 0.85714
VISIBLE, INVISIBLE, OUT_OF_RANGE, NODATA = 255, 0, 1, 2


@dataclass
class Viewshed:
    """A viewshed on the DSM grid.

    Attributes
    ----------
    visible : ndarray of bool
        True where the cell can be seen.
    in_range : ndarray of bool
        True where the cell is within ``max_distance`` (and has DSM data).
    transform : affine.Affine
        Geotransform of the grid (the DSM's).
    crs : str
        CRS of the DSM (WKT).
    observer : (float, float)
        Observer position.
    """

    visible: np.ndarray
    in_range: np.ndarray
    transform: object
    crs: str
    observer: Tuple[float, float]

    @property
    def visible_share(self) -> Optional[float]:
        """Share of in-range cells that are visible (None when no cell is in range)."""
        n = int(self.in_range.sum())
        return None if n == 0 else float((self.visible & self.in_range).sum()) / n


def _gdal():
    try:
        from osgeo import gdal
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise DependencyError("The DSM viewshed needs GDAL's Python bindings (osgeo.gdal); "
                              "install python3-gdal or run inside QGIS.") from exc
    gdal.UseExceptions()
    return gdal


def viewshed(dsm_path: os.PathLike | str, observer: Tuple[float, float], *,
             observer_height: float = 1.6, target_height: float = 0.0,
             max_distance: float = 0.0, feedback: Optional[Feedback] = None) -> Viewshed:
    """Viewshed of one observer over a DSM with ``gdal.ViewshedGenerate``.

    Parameters
    ----------
    dsm_path : path
        A single-band DSM raster in a metric CRS (heights in metres).
    observer : (x, y)
        Observer position in the DSM's CRS.
    observer_height, target_height : float
        Heights above the surface in metres (eye height 1.6 m by default).
    max_distance : float
        Range in metres; 0 = the whole raster.
    feedback : Feedback, optional
        Progress and cancellation (GDAL's progress callback).

    Raises
    ------
    InputError
        Missing file, observer outside the raster, negative heights or distance.
    CancelledError
        When the user cancels.
    """
    gdal = _gdal()
    if not os.path.isfile(dsm_path):
        raise InputError(f"DSM not found: {dsm_path}")
    for name, v in (("observer_height", observer_height), ("target_height", target_height),
                    ("max_distance", max_distance)):
        if not (math.isfinite(v) and v >= 0):
            raise InputError(f"{name} must be 0 or more metres, not {v!r}.")
    try:
        src = gdal.Open(str(dsm_path))
    except RuntimeError as exc:
        raise InputError(f"{dsm_path} is not a readable raster: {exc}") from exc
    gt = src.GetGeoTransform()
    x, y = float(observer[0]), float(observer[1])
    col = (x - gt[0]) / gt[1]
    row = (y - gt[3]) / gt[5]
    if not (0 <= col < src.RasterXSize and 0 <= row < src.RasterYSize):
        raise InputError(f"The observer ({x:.1f}, {y:.1f}) lies outside the DSM.")
    band = src.GetRasterBand(1)

    def progress(done, _msg, _data):
        if feedback is not None:
            feedback.setProgress(100.0 * done)
            if feedback.isCanceled():
                return 0
        return 1

    try:
        out = gdal.ViewshedGenerate(band, "MEM", "viewshed", [], x, y, observer_height,
                                    target_height, VISIBLE, INVISIBLE, OUT_OF_RANGE, NODATA,
                                    CURVATURE_COEFF, gdal.GVM_Edge, float(max_distance),
                                    progress)
    except RuntimeError as exc:
        if feedback is not None and feedback.isCanceled():
            raise CancelledError() from exc
        raise
    if out is None:
        raise CancelledError()
    arr = out.GetRasterBand(1).ReadAsArray()
    from affine import Affine

    res = Viewshed(visible=arr == VISIBLE, in_range=(arr == VISIBLE) | (arr == INVISIBLE),
                   transform=Affine.from_gdal(*out.GetGeoTransform()),
                   crs=src.GetProjection(), observer=(x, y))
    return res
