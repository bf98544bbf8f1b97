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
from typing import Any, ClassVar, Optional, Tuple

import numpy as np

from amp_qgis_plugin.core.errors import CancelledError, DependencyError, InputError
from amp_qgis_plugin.core.feedback import Feedback
from amp_qgis_plugin.core.options import Options, option

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
    transform: Any
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


@dataclass
class ViewshedOptions(Options):
    """Heights and range of a DSM viewshed (defaults from ``resources/scoring/viewshed.json``).

    Attributes
    ----------
    observer_height_m : float
        Eye height above the surface (1.6 m: a standing adult).
    target_height_m : float
        Height above the surface of what must be seen (0: the surface itself).
    radius_m : float
        Range of the viewshed (100 m: Gehl's social field of vision).
    """

    THEME: ClassVar[str] = "viewshed"

    observer_height_m: float = option("observer_height", label="eye height", minimum=0,
                                      maximum=500)
    target_height_m: float = option("target_height", label="target height", minimum=0,
                                    maximum=500)
    radius_m: float = option("radius", label="viewshed radius", minimum=0,
                             exclusive_minimum=True, maximum=100_000)


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


#: Cell values of the written viewshed GeoTIFF (uint8).
OUT_VISIBLE, OUT_NOT_VISIBLE, OUT_NODATA = 1, 0, 255


@dataclass
class DsmInfo:
    """What the viewshed output needs to know about a DSM: grid, CRS, nodata.

    Attributes
    ----------
    path : str
        The DSM file.
    crs : str
        The CRS as rasterio writes it (``"EPSG:3006"`` when it has an authority code).
    transform : affine.Affine
        The DSM's geotransform (north-up, square cells).
    width, height : int
        Columns and rows.
    nodata : float or None
        The DSM's nodata value.
    """

    path: str
    crs: str
    transform: Any
    width: int
    height: int
    nodata: Optional[float]


def read_dsm_info(dsm_path: os.PathLike | str) -> DsmInfo:
    """Check that ``dsm_path`` is a usable DSM and return its grid.

    Raises
    ------
    InputError
        Missing or unreadable file, no CRS, a CRS not in metres, or a rotated grid / non-square
        cells (the output is written on the DSM's grid with :func:`write_geotiff`).
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    if not os.path.isfile(dsm_path):
        raise InputError(f"DSM not found: {dsm_path}")
    try:
        with rasterio.open(dsm_path) as src:
            crs, transform, nodata = src.crs, src.transform, src.nodata
            width, height = src.width, src.height
    except RasterioIOError as exc:
        raise InputError(f"{dsm_path} is not a readable raster: {exc}") from exc
    if crs is None:
        raise InputError(f"The DSM {dsm_path} has no coordinate reference system; assign its "
                         "CRS (e.g. EPSG:3006) in QGIS or with gdal_edit.py -a_srs first.")
    if not crs.is_projected or (crs.linear_units or "").lower() not in ("metre", "meter", "m"):
        raise InputError(f"The DSM {dsm_path} is not in a projected CRS in metres ({crs}); "
                         "reproject it, e.g. to SWEREF 99 TM (EPSG:3006).")
    if transform.b != 0 or transform.d != 0 or transform.e >= 0 \
            or not math.isclose(transform.a, -transform.e, rel_tol=1e-9):
        raise InputError(f"The DSM {dsm_path} must be north-up with square cells; warp it "
                         "first (gdalwarp -tr SIZE SIZE).")
    return DsmInfo(path=str(dsm_path), crs=crs.to_string(), transform=transform, width=width,
                   height=height, nodata=nodata)


def to_dsm_grid(vs: Viewshed, dsm: DsmInfo) -> np.ndarray:
    """Place a viewshed (GDAL crops it to the range) on the full DSM grid as uint8 codes.

    Returns
    -------
    ndarray of uint8, shape (dsm.height, dsm.width)
        :data:`OUT_VISIBLE` / :data:`OUT_NOT_VISIBLE` in range, :data:`OUT_NODATA` outside the
        range and where the DSM has no data.
    """
    codes = np.where(vs.visible, OUT_VISIBLE, OUT_NOT_VISIBLE).astype("uint8")
    codes[~vs.in_range] = OUT_NODATA
    full = np.full((dsm.height, dsm.width), OUT_NODATA, dtype="uint8")
    cell = dsm.transform.a
    col0 = int(round((vs.transform.c - dsm.transform.c) / cell))
    row0 = int(round((vs.transform.f - dsm.transform.f) / dsm.transform.e))
    rows, cols = codes.shape
    r0, c0 = max(row0, 0), max(col0, 0)
    r1, c1 = min(row0 + rows, dsm.height), min(col0 + cols, dsm.width)
    if r1 > r0 and c1 > c0:
        full[r0:r1, c0:c1] = codes[r0 - row0:r1 - row0, c0 - col0:c1 - col0]
    return full


def write_viewshed(vs: Viewshed, dsm: DsmInfo, path: os.PathLike | str, *,
                   parameters: Optional[dict] = None) -> os.PathLike:
    """Write the viewshed on the DSM grid to a GeoTIFF (atomically) with its QML style beside it.

    Values: 1 visible, 0 not visible, 255 nodata (outside the radius or no DSM data).
    """
    from amp_qgis_plugin.core.raster import Grid, write_geotiff
    from amp_qgis_plugin.core.styles import style_path

    grid = Grid(x0=dsm.transform.c, y1=dsm.transform.f, cell_size=dsm.transform.a,
                width=dsm.width, height=dsm.height, crs=dsm.crs)
    tags = {"source": "GDAL ViewshedGenerate over " + os.path.basename(dsm.path),
            "values": "1 visible, 0 not visible, 255 outside the radius or no DSM data"}
    tags.update({k: v for k, v in (parameters or {}).items()})
    return write_geotiff(path, to_dsm_grid(vs, dsm), grid, nodata=OUT_NODATA,
                         colour_ramp=style_path("viewshed"), band_name="visible", tags=tags)
