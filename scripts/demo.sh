#!/usr/bin/env bash
# The demo: fetch Senaatintori (Helsinki) from the bundled sample extract into a GeoPackage,
# then run every assessment command that is installed, and say where the outputs are.
set -euo pipefail
OUT=${1:-demo-output}
HERE=$(cd "$(dirname "$0")/.." && pwd)
AMP="$HERE/.venv/bin/amp-place"
SAMPLE="$HERE/amp_qgis_plugin/resources/sample/helsinki-centre.osm.pbf"
mkdir -p "$OUT"
echo "== 1. Fetch place data: Senaatintori from the bundled Helsinki extract (OSM 2019, ODbL)"
"$AMP" fetch --osm "$SAMPLE" --place-name Senaatintori --out "$OUT/senaatintori.gpkg"
commands=$("$AMP" --help | sed -n 's/^    \([a-z]*\) .*/\1/p')
step=2
for cmd in frontage seating lighting sightlines; do
    if grep -qx "$cmd" <<<"$commands"; then
        echo "== $step. $cmd"
        case $cmd in
            frontage|seating) "$AMP" "$cmd" --data "$OUT/senaatintori.gpkg" --out "$OUT/senaatintori-$cmd.gpkg" ;;
            sightlines)
                extra=()
                [ -f "$OUT/senaatintori-frontage.gpkg" ] && extra=(--frontage "$OUT/senaatintori-frontage.gpkg")
                "$AMP" sightlines --data "$OUT/senaatintori.gpkg" --out "$OUT/sightlines" "${extra[@]}" ;;
            *) "$AMP" "$cmd" --data "$OUT/senaatintori.gpkg" --out "$OUT/$cmd" ;;
        esac
        step=$((step + 1))
    fi
done
echo
echo "Done. Outputs are in $(cd "$OUT" && pwd):"
ls -1 "$OUT"
echo "Open $OUT/senaatintori.gpkg in QGIS (Layer > Add Layer > Add Vector Layer); layers open styled."
