#!/usr/bin/env bash
# Build the plugin zip plugins.qgis.org accepts: dist/amp_qgis_plugin.zip
#   one top folder amp_qgis_plugin/ with metadata.txt, LICENSE, the compiled translations
#   (i18n/*.qm, from the tr() pairs of the code via scripts/i18n.py + lrelease), no caches,
#   no tests, no .ts sources; under 25 MB.
# Source: the committed tree (git archive HEAD) so a release never carries local edits or
# untracked files; AMP_PACKAGE_SOURCE=worktree packs the working tree instead (same filters).
# Usage: scripts/package.sh [OUT.zip]     (PYTHON=... picks the interpreter, default .venv's)
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
cd "$HERE"
OUT=${1:-dist/amp_qgis_plugin.zip}
case "$OUT" in /*) ;; *) OUT="$HERE/$OUT" ;; esac
PY=${PYTHON:-$HERE/.venv/bin/python}
[ -x "$PY" ] || PY=python3
MAX_BYTES=$((25 * 1024 * 1024))

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/amp_qgis_plugin"

if [ "${AMP_PACKAGE_SOURCE:-head}" = head ] && git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    git archive --format=tar HEAD amp_qgis_plugin | tar -x -C "$STAGE"
else
    mkdir -p "$PKG"
    (cd amp_qgis_plugin && tar -c --exclude=__pycache__ --exclude='*.pyc' . ) | tar -x -C "$PKG"
fi

# nothing a user's QGIS does not need
find "$PKG" -depth \( -name __pycache__ -o -name '.pytest_cache' -o -name '.mypy_cache' \
    -o -name tests -o -name 'test_*.py' -o -name '*_test.py' -o -name '*.pyc' -o -name '*.pyo' \
    -o -name '*.ts' -o -name '*.qm' -o -name '.git*' -o -name '.DS_Store' \) -exec rm -rf {} +

# compiled translations, from the pairs in the code being packed
"$PY" scripts/i18n.py --plugin-dir "$PKG" --qm-dir "$PKG/i18n" >/dev/null
[ -f "$PKG/LICENSE" ] || cp LICENSE "$PKG/LICENSE"

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
"$PY" - "$STAGE" "$OUT" <<'PYZIP'
import sys, zipfile
from pathlib import Path

stage, out = Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for path in sorted(p for p in (stage / "amp_qgis_plugin").rglob("*") if p.is_file()):
        zf.write(path, path.relative_to(stage).as_posix())
PYZIP

size=$(stat -c %s "$OUT")
if [ "$size" -ge "$MAX_BYTES" ]; then
    echo "package: $OUT is $size bytes, over the 25 MB plugins.qgis.org accepts" >&2
    exit 1
fi
echo "$OUT ($((size / 1024)) KiB; install in QGIS: Plugins > Manage and Install Plugins > Install from ZIP)"
