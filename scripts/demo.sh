#!/usr/bin/env bash
# The demo: fetch Senaatintori (Helsinki) from the bundled sample extract, assess it (every
# indicator, the PPS place profile and the perceived-safety index), write its site report when
# that command is installed, and say where the outputs are.
set -euo pipefail
OUT=${1:-demo-output}
HERE=$(cd "$(dirname "$0")/.." && pwd)
AMP="$HERE/.venv/bin/amp-place"
SAMPLE="$HERE/amp_qgis_plugin/resources/sample/helsinki-centre.osm.pbf"
mkdir -p "$OUT"
echo "== 1. Fetch place data: Senaatintori from the bundled Helsinki extract (OSM 2019, ODbL)"
"$AMP" fetch --osm "$SAMPLE" --place-name Senaatintori --out "$OUT/senaatintori.gpkg"
echo
echo "== 2. Assess the place: frontage, seating, lighting, sightlines, walking access, safety"
"$AMP" assess --data "$OUT/senaatintori.gpkg" --out "$OUT/assessment" --detail
if "$AMP" --help | grep -q '^    report '; then
    echo
    echo "== 3. Site report"
    "$AMP" report --assessment "$OUT/assessment/senaatintori.gpkg" --out "$OUT/senaatintori-report.pdf"
fi
echo
echo "Done. Outputs are in $(cd "$OUT" && pwd):"
ls -1 "$OUT" "$OUT/assessment"
echo "Open $OUT/assessment/senaatintori.gpkg in QGIS (Layer > Add Layer > Add Vector Layer); layers open styled."
