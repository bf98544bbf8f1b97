"""Text encodings of Shapefiles: UTF-8 read as Latin-1 (mojibake) and wrong encodings."""

from __future__ import annotations

import re
from typing import List, Optional

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback

#: UTF-8 text decoded as Latin-1: "å" (C3 A5) reads "Ã¥", "Ö" (C3 96) reads "Ã\x96".
_MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


def _text_columns_look_like_mojibake(df) -> Optional[str]:
    """Return a sample value if text columns look like UTF-8 decoded as Latin-1, else None."""
    for col in df.columns:
        if col == "geometry" or df[col].dtype.kind not in "OUT":
            continue
        for value in df[col].dropna():
            if isinstance(value, str) and _MOJIBAKE_RE.search(value):
                return value
    return None


def _fix_mojibake(gdf, origin: str, dsn: str, layer: Optional[str], columns: List[str], bbox,
                  display: str, feedback: Optional[Feedback]):
    """Re-read a Shapefile as UTF-8 when its text looks like UTF-8 decoded as Latin-1.

    Shapefiles written as UTF-8 without a .cpg are common; GDAL then decodes them as Latin-1 and
    "Gårda" reads "GÃ¥rda". Such pairs practically never occur in real Latin-1 text. Returns
    the (possibly re-read) frame and where its encoding came from.
    """
    import pyogrio

    sample = _text_columns_look_like_mojibake(gdf)
    if sample is None:
        return gdf, origin
    try:
        again = pyogrio.read_dataframe(dsn, layer=layer, columns=columns, encoding="utf-8",
                                       bbox=bbox)
    except Exception:  # not valid UTF-8 after all: keep what was decoded
        again = None
    fixed = again is not None and _text_columns_look_like_mojibake(again) is None
    if feedback is not None:
        feedback.pushWarning(
            f"{display}: text such as {sample!r} looked like UTF-8 read as Latin-1 "
            f"({'re-read as UTF-8' if fixed else 'left as it was'}). Add a .cpg file "
            "containing UTF-8 next to the Shapefile, or set 'encoding' in the mapping, to make "
            "this explicit.")
    return (again, "utf-8 (detected)") if fixed else (gdf, origin)


def _encoding_error(display: str, encoding: Optional[str], exc: Exception) -> InputError:
    return InputError(f"The text in {display} is not in the encoding {encoding!r} ({exc}). "
                      "Set the right 'encoding' in the mapping (e.g. 'utf-8', 'latin1', "
                      "'cp1252') or add a .cpg file next to the Shapefile.")
