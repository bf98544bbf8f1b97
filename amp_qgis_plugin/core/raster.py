"""A small shared GeoTIFF layer for indicator grids: grid definition, masking and writing.

Indicators that produce a value per cell (illuminance, isovist area, ...) define a
:class:`Grid` over the place, evaluate their model at :meth:`Grid.cell_centres`, mask the cells
outside the walkable area with :meth:`Grid.mask`, and write the array with
:func:`write_geotiff`. Writing goes to a temporary file next to the target and is renamed into
place only when complete (``os.replace``), so a failed or cancelled run never leaves a
half-written raster. An optional QML style is copied next to the raster as ``<name>.qml``:
QGIS loads a same-named ``.qml`` beside a file-based layer as its default style when the
layer is added, so the raster opens styled with or without this plugin.

Rasterio (GDAL) does the writing and ``rasterio.features.geometry_mask`` the rasterising;
nothing here is hand-written beyond the grid arithmetic.

Examples
--------
>>> grid = Grid.from_bounds((0, 0, 10, 6), cell_size=2.0, crs="EPSG:3006")
>>> grid.shape
(3, 5)
>>> xs, ys = grid.cell_centres()
>>> float(xs[0, 0]), float(ys[0, 0])
(1.0, 5.0)
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.errors import InputError

#: Default nodata for float grids (NaN is awkward in some viewers; a sentinel is explicit).
FLOAT_NODATA = -9999.0


#: Largest grid a run may build (about 4.5 km × 4.5 km at 1 m; 80 MB per float32 band): a
#: cell size typed too small is refused before any memory is taken.
MAX_GRID_CELLS = 20_000_000


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid in a metric CRS.

    Attributes
    ----------
    x0, y1 : float
        The west (left) and north (top) edges of the grid, in CRS units (metres).
    cell_size : float
        Square cell size in metres.
    width, height : int
        Number of columns and rows.
    crs : str
        The CRS as a string rasterio/pyproj understand, e.g. ``"EPSG:3006"``.
    """

    x0: float
    y1: float
    cell_size: float
    width: int
    height: int
    crs: str

    @classmethod
    def from_bounds(cls, bounds: Sequence[float], cell_size: float, crs: str) -> "Grid":
        """Return the smallest grid of ``cell_size`` cells covering ``bounds``.

        The grid's origin is snapped to a multiple of ``cell_size`` so grids of neighbouring
        runs line up cell for cell.

        Parameters
        ----------
        bounds : (minx, miny, maxx, maxy)
            Extent to cover, in CRS units (metres).
        cell_size : float
            Cell size in metres; must be positive.
        crs : str
            The grid's CRS.

        Raises
        ------
        InputError
            If the cell size is not positive or the bounds are empty or not finite.
        """
        if not (cell_size and cell_size > 0 and math.isfinite(cell_size)):
            raise InputError(f"The grid cell size must be a positive number of metres, "
                             f"not {cell_size!r}.", options=("cell_size_m",))
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or maxx < minx \
                or maxy < miny:
            raise InputError(f"Cannot build a grid over empty or invalid bounds {bounds!r}.")
        x0 = math.floor(minx / cell_size) * cell_size
        y0 = math.floor(miny / cell_size) * cell_size
        x1 = math.ceil(maxx / cell_size) * cell_size
        y1 = math.ceil(maxy / cell_size) * cell_size
        width = max(1, int(round((x1 - x0) / cell_size)))
        height = max(1, int(round((y1 - y0) / cell_size)))
        if width * height > MAX_GRID_CELLS:
            raise InputError(
                f"A {cell_size:g} m grid over {x1 - x0:,.0f} m × {y1 - y0:,.0f} m would have "
                f"{width * height:,} cells, more than the {MAX_GRID_CELLS:,} a run may hold; "
                f"use a larger cell size (at least "
                f"{math.sqrt((x1 - x0) * (y1 - y0) / MAX_GRID_CELLS):.2g} m).",
                options=("cell_size_m",))
        return cls(x0=x0, y1=y0 + height * cell_size, cell_size=float(cell_size),
                   width=width, height=height, crs=str(crs))

    @classmethod
    def over(cls, geometry, cell_size: float, crs: str) -> "Grid":
        """Return the grid covering a shapely geometry's bounds."""
        if geometry is None or geometry.is_empty:
            raise InputError("Cannot build a grid over an empty geometry.")
        return cls.from_bounds(geometry.bounds, cell_size, crs)

    @property
    def shape(self) -> Tuple[int, int]:
        """(rows, columns), the numpy shape of an array on this grid."""
        return (self.height, self.width)

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.width * self.height

    @property
    def bounds(self) -> Tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the grid's outer edges."""
        return (self.x0, self.y1 - self.height * self.cell_size,
                self.x0 + self.width * self.cell_size, self.y1)

    @property
    def cell_area(self) -> float:
        """Area of one cell in square metres."""
        return self.cell_size * self.cell_size

    @property
    def transform(self):
        """The rasterio/affine geotransform (north-up)."""
        from affine import Affine

        return Affine(self.cell_size, 0.0, self.x0, 0.0, -self.cell_size, self.y1)

    def cell_centres(self) -> Tuple[np.ndarray, np.ndarray]:
        """Return (xs, ys), two float arrays of ``shape`` with the cell-centre coordinates.

        Row 0 is the northernmost row, as in the GeoTIFF.
        """
        cols = self.x0 + (np.arange(self.width) + 0.5) * self.cell_size
        rows = self.y1 - (np.arange(self.height) + 0.5) * self.cell_size
        xs, ys = np.meshgrid(cols, rows)
        return xs, ys

    def mask(self, geometry, all_touched: bool = False) -> np.ndarray:
        """Return a boolean array of ``shape``: True where the cell centre lies in ``geometry``.

        Parameters
        ----------
        geometry : shapely geometry or iterable of geometries
            The area to keep (e.g. the walkable part of the place). None or empty gives an
            all-False mask.
        all_touched : bool
            Keep every cell the geometry touches instead of only cells whose centre is inside.
        """
        from rasterio.features import geometry_mask

        geoms = _as_geometry_list(geometry)
        if not geoms:
            return np.zeros(self.shape, dtype=bool)
        return geometry_mask(geoms, out_shape=self.shape, transform=self.transform,
                             invert=True, all_touched=all_touched)

    def index_of(self, x: float, y: float) -> Tuple[int, int]:
        """Return (row, col) of the cell containing point (x, y); may lie outside the grid."""
        col = int(math.floor((x - self.x0) / self.cell_size))
        row = int(math.floor((self.y1 - y) / self.cell_size))
        return row, col


def _as_geometry_list(geometry) -> list:
    if geometry is None:
        return []
    if hasattr(geometry, "geom_type"):
        return [] if geometry.is_empty else [geometry]
    return [g for g in geometry if g is not None and not g.is_empty]


def write_geotiff(
    path: os.PathLike | str,
    array: np.ndarray,
    grid: Grid,
    *,
    nodata: Optional[float] = FLOAT_NODATA,
    colour_ramp: Optional[os.PathLike | str] = None,
    band_name: Optional[str] = None,
    units: Optional[str] = None,
    tags: Optional[dict] = None,
) -> Path:
    """Write one band to a compressed GeoTIFF atomically and return its path.

    Parameters
    ----------
    path : path-like
        Target ``.tif``; parent folders are created.
    array : ndarray of shape ``grid.shape``
        The values; NaN cells (float arrays) are written as ``nodata``.
    grid : Grid
        Where the array lies.
    nodata : float, optional
        The nodata value stored in the file (default :data:`FLOAT_NODATA`).
    colour_ramp : path-like, optional
        A QML style copied to ``<path without .tif>.qml`` so QGIS opens the raster styled.
    band_name, units : str, optional
        Stored as the band description and unit type.
    tags : dict, optional
        Extra dataset metadata (e.g. the source and parameters of the model).

    Raises
    ------
    InputError
        If the array does not match the grid or the path is not a .tif/.tiff.
    """
    import rasterio

    path = Path(path)
    if path.suffix.lower() not in (".tif", ".tiff"):
        raise InputError(f"A GeoTIFF output must end in .tif, not {path.name!r}.")
    array = np.asarray(array)
    if array.shape != grid.shape:
        raise InputError(f"Array shape {array.shape} does not match the grid {grid.shape}.")
    if array.dtype.kind == "b":
        array = array.astype("uint8")
    if array.dtype.kind == "f":
        array = array.astype("float32")
        if nodata is not None:
            array = np.where(np.isfinite(array), array, np.float32(nodata))
    profile = dict(driver="GTiff", width=grid.width, height=grid.height, count=1,
                   dtype=array.dtype.name, crs=grid.crs, transform=grid.transform,
                   compress="deflate", tiled=grid.width >= 256 and grid.height >= 256)
    if array.dtype.kind == "f":
        profile["predictor"] = 3
    if nodata is not None:
        profile["nodata"] = nodata
    with atomic_output(path, suffix=".partial.tif", side_suffixes=(".aux.xml",)) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(array, 1)
            if band_name:
                dst.set_band_description(1, band_name)
            if units:
                dst.update_tags(1, units=units)
                dst.units = (units,)
            if tags:
                dst.update_tags(**{k: str(v) for k, v in tags.items()})
    if colour_ramp is not None:
        write_style_sidecar(path, colour_ramp)
    return path


def write_style_sidecar(raster_path: os.PathLike | str, qml: os.PathLike | str) -> Path:
    """Copy ``qml`` to ``<raster without suffix>.qml`` (QGIS's default-style location)."""
    raster_path = Path(raster_path)
    target = raster_path.with_suffix(".qml")
    with atomic_output(target, suffix=".partial.qml") as tmp:
        shutil.copyfile(qml, tmp)
    return target
