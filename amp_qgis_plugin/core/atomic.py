"""Atomic file output: write under a temporary name beside the target, rename when complete.

Every file the engine writes (GeoPackages, GeoTIFFs, OSM files, cached Overpass replies,
mapping presets) goes through :func:`atomic_output`, so an interrupted, cancelled or failed
run never leaves a file that looks complete, and an existing file at the target stays as it
was until the new one is whole.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence


@contextmanager
def atomic_output(path: os.PathLike | str, *, suffix: str = ".partial",
                  side_suffixes: Sequence[str] = ()) -> Iterator[Path]:
    """Yield an unused temporary path next to ``path``; rename it over ``path`` on success.

    Parameters
    ----------
    path : path-like
        The final file; its folder is created when missing.
    suffix : str
        Ending of the temporary name (keep the format's extension in it for writers, such as
        GDAL's, that choose the format by extension: ``".partial.gpkg"``).
    side_suffixes : sequence of str
        Files a writer may create beside the temporary one (``"-journal"`` for SQLite,
        ``".aux.xml"`` for GDAL); removed with it on failure.

    Notes
    -----
    The temporary file does not exist when yielded, so the writer creates it with the usual
    permissions. On any exception (cancellation included) it and its side files are removed
    and the exception propagates.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, *(Path(f"{tmp}{side}") for side in side_suffixes)):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
        raise
