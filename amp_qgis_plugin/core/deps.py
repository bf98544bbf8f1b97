"""Check that the engine's Python packages are importable, without importing QGIS.

The plugin must load even when the geo stack is missing; each algorithm then refuses to run
(``canExecute``) with the message from :func:`missing_message`. Nothing is ever pip-installed
at load time.
"""

from __future__ import annotations

import importlib
import platform
import sys
from functools import lru_cache
from typing import Dict, Sequence, Tuple

#: Import name -> distribution name (what to install).
REQUIRED: Dict[str, str] = {
    "numpy": "numpy",
    "pandas": "pandas",
    "shapely": "shapely",
    "pyproj": "pyproj",
    "pyogrio": "pyogrio",
    "geopandas": "geopandas",
    "osmium": "osmium (pyosmium)",
}

#: Needed only by some algorithms (raster outputs, networks, opening hours).
OPTIONAL: Dict[str, str] = {
    "rasterio": "rasterio",
    "osmnx": "osmnx",
    "opening_hours": "opening-hours-py",
    "scipy": "scipy",
    "matplotlib": "matplotlib",
}


@lru_cache(maxsize=None)
def _problem(module: str) -> str:
    """Return '' if ``module`` imports, else a short reason (missing or broken)."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return "missing" if getattr(exc, "name", None) == module else f"broken ({exc})"
    except Exception as exc:  # noqa: BLE001 - a binary mismatch can raise anything
        return f"broken ({type(exc).__name__}: {exc})"
    return ""


def check_dependencies(modules: Sequence[str] = tuple(REQUIRED)) -> Dict[str, str]:
    """Return ``{import_name: reason}`` for each module in ``modules`` that cannot be imported."""
    return {m: reason for m in modules if (reason := _problem(m))}


def install_hint(system: str | None = None) -> str:
    """How to install the geo stack for the user's platform (QGIS's own Python)."""
    system = system or platform.system()
    if system == "Windows":
        return ("On Windows, open the OSGeo4W Shell that came with QGIS and run: "
                "python -m pip install geopandas osmium opening-hours-py (rasterio and pyproj "
                "come with OSGeo4W: install 'python3-rasterio' and 'python3-pyproj' in the "
                "OSGeo4W setup).")
    if system == "Darwin":
        return ("On macOS, install into QGIS's Python: /Applications/QGIS.app/Contents/MacOS/bin/"
                "python3 -m pip install geopandas osmium opening-hours-py rasterio")
    return ("On Debian/Ubuntu: sudo apt install python3-geopandas python3-rasterio "
            "python3-pyosmium (or pip install geopandas osmium opening-hours-py rasterio built "
            "against the system GDAL: pip install --no-binary pyproj,pyogrio,rasterio ...).")


def missing_message(missing: Dict[str, str]) -> str:
    """A planner-readable message naming what is missing and how to install it."""
    names = ", ".join(f"{REQUIRED.get(m, OPTIONAL.get(m, m))} ({reason})"
                      for m, reason in missing.items())
    return (f"AMP Place Analysis needs Python packages that QGIS's Python "
            f"({sys.executable}) cannot import: {names}. {install_hint()}")


def ready(modules: Sequence[str] = tuple(REQUIRED)) -> Tuple[bool, str]:
    """Return ``(True, '')`` when all ``modules`` import, else ``(False, message)``."""
    missing = check_dependencies(modules)
    return (not missing, missing_message(missing) if missing else "")
