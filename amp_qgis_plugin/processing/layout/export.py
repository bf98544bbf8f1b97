"""Export the report layout to one PDF (vector where QGIS can, rasters at 200 dpi, text as text)."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import QgsLayoutExporter, QgsPrintLayout

from amp_qgis_plugin.core.errors import AmpError
from amp_qgis_plugin.processing.compat import TEXT_ALWAYS_TEXT
from amp_qgis_plugin.processing.i18n import tr

#: Resolution of rasters and rasterised items in the PDF.
DPI = 200.0

#: QgsLayoutExporter results -> what went wrong (English, Swedish).
_ERRORS = {
    "FileError": ("the file could not be written (is it open in another program, or the folder "
                  "read-only?)",
                  "filen kunde inte skrivas (är den öppen i ett annat program, eller är mappen "
                  "skrivskyddad?)"),
    "MemoryError": ("there was not enough memory", "minnet räckte inte"),
    "PrintError": ("the PDF printer failed", "PDF-skrivaren misslyckades"),
    "SvgLayerError": ("a layer could not be drawn", "ett lager kunde inte ritas"),
    "IteratorError": ("the layout could not be iterated", "layouten kunde inte gås igenom"),
    "Canceled": ("it was cancelled", "den avbröts"),
}


def export_pdf(layout: QgsPrintLayout, path: "os.PathLike[str] | str") -> Path:
    """Export ``layout`` to the PDF ``path`` (its folder is made); return the path.

    Raises
    ------
    AmpError
        When QGIS reports an export error (named, with what to check).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = DPI
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.exportMetadata = True
    settings.appendGeoreference = True
    settings.textRenderFormat = TEXT_ALWAYS_TEXT  # searchable text, as the layout is set up
    result = QgsLayoutExporter(layout).exportToPdf(str(path), settings)
    if result != QgsLayoutExporter.ExportResult.Success:
        name = next((n for n in _ERRORS
                     if getattr(QgsLayoutExporter.ExportResult, n, None) == result), "")
        en, sv = _ERRORS.get(name, ("QGIS reported an error", "QGIS rapporterade ett fel"))
        raise AmpError(tr(f"The report could not be exported to {path}: {en}.",
                          f"Rapporten kunde inte exporteras till {path}: {sv}."),
                       options=("output",))
    return path
