"""Plugin metadata read from ``metadata.txt`` (the single source of name and version).

Pure Python: importable without QGIS or the geo stack.
"""

from __future__ import annotations

import configparser
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent

_metadata = configparser.ConfigParser(interpolation=None)
_metadata.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")

__title__: str = _metadata.get("general", "name")
__version__: str = _metadata.get("general", "version")
__qgis_minimum_version__: str = _metadata.get("general", "qgisMinimumVersion")
