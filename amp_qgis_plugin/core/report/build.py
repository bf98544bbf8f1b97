"""Make the QGIS-free site-assessment report: read the assessment, write the PDF and the HTML page.

>>> make_report("out/senaatintori.gpkg", "out/senaatintori.pdf", lang="sv")  # doctest: +SKIP
{'pdf': PosixPath('out/senaatintori.pdf'), 'html': PosixPath('out/senaatintori.html')}
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.feedback import Feedback, NullFeedback, ScaledFeedback
from amp_qgis_plugin.core.report.texts import text


@dataclass
class ReportRun:
    """What :func:`timed_report` wrote: files, seconds per stage, PDF pages, language."""

    written: Dict[str, Path]
    timings: Dict[str, float]
    pages: int
    lang: str

    @property
    def seconds(self) -> float:
        """The whole report, in seconds."""
        return sum(self.timings.values())


def default_output(assessment: "os.PathLike[str] | str", lang: str) -> Path:
    """``DIR/<place>-report-<lang>.pdf`` beside the assessment ``DIR/<place>.gpkg``."""
    path = Path(assessment)
    return path.with_name(f"{path.stem}-report-{lang}.pdf")


def make_report(assessment: "os.PathLike[str] | str",
                out: "Optional[os.PathLike[str] | str]" = None, *,
                lang: Optional[str] = None, html: bool = True,
                feedback: Optional[Feedback] = None) -> Dict[str, Path]:
    """Write the report of an assessment as a PDF and, beside it, an HTML page.

    Parameters
    ----------
    assessment : path-like
        The assessment GeoPackage (``DIR/<place>.gpkg``).
    out : path-like, optional
        The PDF (``.pdf``); the HTML page is the same name with ``.html``. Default
        :func:`default_output`.
    lang : {"en", "sv"}, optional
        The report's language; default from the environment's locale.
    html : bool
        Also write the HTML page.
    feedback : Feedback, optional
        Progress and cancellation.

    Returns
    -------
    dict of str to Path
        ``"pdf"`` and (with ``html``) ``"html"`` (:func:`timed_report` also gives timings).

    Raises
    ------
    InputError
        For an assessment that cannot be reported on (see
        :meth:`~amp_qgis_plugin.core.report.content.ReportContent.from_assessment`) or an
        output that is not a ``.pdf``.
    """
    return timed_report(assessment, out, lang=lang, html=html, feedback=feedback).written


def timed_report(assessment: "os.PathLike[str] | str",
                 out: "Optional[os.PathLike[str] | str]" = None, *,
                 lang: Optional[str] = None, html: bool = True,
                 feedback: Optional[Feedback] = None) -> ReportRun:
    """:func:`make_report` that also gives the seconds of each stage (``content``, ``pdf``,
    ``html``), the number of PDF pages and the language used."""
    from amp_qgis_plugin.core.report.content import ReportContent
    from amp_qgis_plugin.core.report.html import write_html
    from amp_qgis_plugin.core.report.pdf import paginate, write_pdf

    feedback = feedback or NullFeedback()
    timings: Dict[str, float] = {}
    start = time.perf_counter()
    content = ReportContent.from_assessment(assessment, lang)
    timings["content"] = time.perf_counter() - start
    pdf_path = Path(out) if out is not None else default_output(assessment, content.lang)
    if pdf_path.suffix.lower() != ".pdf":
        raise InputError(text("err_out", content.lang, file=pdf_path.name), options=("output",))
    written: Dict[str, Path] = {}
    start = time.perf_counter()
    pages = paginate(content)
    written["pdf"] = write_pdf(content, pdf_path, pages=pages,
                               feedback=ScaledFeedback(feedback, 0, 75 if html else 100))
    timings["pdf"] = time.perf_counter() - start
    if html:
        start = time.perf_counter()
        written["html"] = write_html(content, pdf_path.with_suffix(".html"))
        timings["html"] = time.perf_counter() - start
        feedback.setProgress(100)
    return ReportRun(written, timings, len(pages), content.lang)
