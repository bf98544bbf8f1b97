"""Printing indicator results on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence


def print_result(title: str, results: Sequence, written: Optional[Mapping[str, Path]] = None) -> None:
    """Print a title line, every figure of ``results`` indented, then the files written."""
    print(title)
    for result in results:
        for line in result.lines():
            print(f"  {line}")
    for key, path in (written or {}).items():
        print(f"Wrote {path}" + (" (layers, figures, provenance)" if key == "gpkg" else ""))
