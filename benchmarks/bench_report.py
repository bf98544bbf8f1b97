"""Benchmark: the QGIS-free site-assessment report of the sample place (Senaatintori).

Assesses Senaatintori from the bundled central-Helsinki extract once (timed apart), then makes
the report in English and Swedish ``--repeat`` times each (default 3) the way ``amp-place
report`` does: read the content, lay out and write the PDF, write the HTML page. Prints the
median seconds of each stage, the pages and the file sizes, and the process's peak memory.

Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from amp_qgis_plugin.core.assess import assess_place, write_assessment
from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request
from amp_qgis_plugin.core.report.build import timed_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write into DIR and keep the files")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="amp-bench-report-"))
    start = time.perf_counter()
    data = fetch_place_data(sample_request("Senaatintori"))
    gpkg = write_assessment(assess_place(data), folder)["gpkg"]
    print(f"assessment of Senaatintori (fetch + assess + write, not part of the report): "
          f"{time.perf_counter() - start:.2f} s -> {gpkg}")
    print(f"{'lang':4} {'run':>3} {'content s':>9} {'pdf s':>7} {'html s':>7} {'total s':>8} "
          f"{'pages':>5} {'pdf KB':>7} {'html KB':>8}")
    for lang in ("en", "sv"):
        totals = []
        for run in range(1, args.repeat + 1):
            report = timed_report(gpkg, folder / f"report-{lang}.pdf", lang=lang)
            t = report.timings
            pdf, page = report.written["pdf"], report.written["html"]
            totals.append(report.seconds)
            print(f"{lang:4} {run:>3} {t['content']:>9.2f} {t['pdf']:>7.2f} {t['html']:>7.2f} "
                  f"{report.seconds:>8.2f} {report.pages:>5} {pdf.stat().st_size / 1024:>7.0f} "
                  f"{page.stat().st_size / 1024:>8.0f}")
        print(f"{lang}: median {statistics.median(totals):.2f} s over {len(totals)} runs "
              "(the first run of the process also imports matplotlib and geopandas)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process (assessment included): {peak:.0f} MB")


if __name__ == "__main__":
    main()
