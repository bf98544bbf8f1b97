"""``amp-place report``: the site-assessment report of an assessment, as PDF and HTML, without QGIS."""

from __future__ import annotations

import argparse

from amp_qgis_plugin.commands._options import remember_flag

NAME = "report"
HELP = ("Make the site-assessment report of an assessed place: a PDF (the place profile as a "
        "radar chart, maps of the place, sightlines and walking catchments, the key figures "
        "with thresholds and sources, data coverage and provenance) and an HTML page beside "
        "it, in Swedish or English, drawn from the assessment's own data (no QGIS, no network).")
ORDER = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the report's options to ``parser``."""
    parser.add_argument("--assessment", required=True, metavar="DIR/PLACE.gpkg",
                        help="the GeoPackage an assessment wrote ('amp-place assess --out DIR' "
                             "or 'Assess a place'); its rasters are read from beside it")
    parser.add_argument("--out", metavar="FILE.pdf",
                        help="the PDF to write; the HTML page goes beside it as FILE.html "
                             "(default: DIR/PLACE-report-<lang>.pdf beside the assessment)")
    parser.add_argument("--lang", choices=("sv", "en"), default=None,
                        help="language of the report: sv (Swedish) or en (English); default "
                             "from the locale (LC_ALL, LC_MESSAGES, LANG): sv when it starts "
                             "with 'sv'")
    parser.add_argument("--no-html", dest="html", action="store_false",
                        help="write only the PDF")
    remember_flag(parser, "assessment", "--assessment")
    remember_flag(parser, "output", "--out")
    remember_flag(parser, "language", "--lang")


def run(args: argparse.Namespace, feedback) -> int:
    """Read the assessment, write the PDF and the HTML page, print where they are."""
    from amp_qgis_plugin.core.report.build import timed_report

    report = timed_report(args.assessment, args.out, lang=getattr(args, "lang", None),
                          html=args.html, feedback=feedback)
    seconds = f"{report.seconds:.1f}"
    if report.lang == "sv":
        print(f"Skrev {report.written['pdf']} ({report.pages} sidor, "
              f"{seconds.replace('.', ',')} s)")
    else:
        print(f"Wrote {report.written['pdf']} ({report.pages} pages, {seconds} s)")
    if "html" in report.written:
        print(f"{'Skrev' if report.lang == 'sv' else 'Wrote'} {report.written['html']}")
    return 0
