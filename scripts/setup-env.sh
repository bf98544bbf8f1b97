#!/usr/bin/env bash
# Set up everything `make demo` and `make test` need on Debian 12 (root or sudo), idempotently:
#   1. QGIS 3.22 LTR from Debian (python3-qgis, qgis_process) and the GDAL/PROJ/GEOS headers,
#   2. a virtual environment on Debian's Python with the geo stack BUILT FROM SOURCE against
#      those same system libraries (PyPI wheels of pyproj/pyogrio bundle their own PROJ/GDAL,
#      and two copies in one process crash qgis_process at exit),
#   3. the plugin itself installed in editable mode (gives the `amp-place` command).
# A second run only checks and reuses what exists.
set -euo pipefail

VENV=${VENV:-.venv}
PY=/usr/bin/python3
STAMP="$VENV/.amp-ready"
HERE=$(cd "$(dirname "$0")/.." && pwd)
cd "$HERE"

say() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        say "not root and no sudo: install the Debian packages listed in scripts/setup-env.sh by hand"; fi
fi

APT_PACKAGES="qgis python3-qgis qgis-providers libgdal-dev libproj-dev libgeos-dev proj-bin \
python3-venv python3-dev python3-pip python3-scipy python3-matplotlib qttools5-dev-tools poppler-utils \
gcc g++ make git xvfb xauth"

missing=""
for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing Debian packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
else
    say "Debian packages present (QGIS $(dpkg-query -W -f='${Version}' qgis))"
fi

req_hash=$(cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$req_hash" ] && "$VENV/bin/python" -c "import geopandas, osmium, qgis.core" 2>/dev/null; then
    say "virtual environment $VENV is up to date"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV on $PY with system site-packages (for qgis)"
    $PY -m venv --system-site-packages "$VENV"
fi
PIP="$VENV/bin/pip --disable-pip-version-check --no-input"
say "building the geo stack against the system GDAL $(gdal-config --version), PROJ, GEOS (a few minutes the first time)"
# pyproj first and on its own: its build needs Cython < 3.1 (requirements/build-constraints.txt),
# while shapely 2.2's build needs a newer Cython, so the pin must not reach the other builds.
# --no-cache-dir: never reuse a pyproj wheel built earlier with another Cython. The explicit
# version matters: Debian's pyproj 3.4.1 (a QGIS dependency) would otherwise "satisfy" this step,
# and geopandas (needs >= 3.5) would then pull a pyproj build without the pin.
PIP_CONSTRAINT="$HERE/requirements/build-constraints.txt" \
$PIP install -q --no-cache-dir -c requirements/constraints.txt --no-binary pyproj 'pyproj==3.6.1'
$PIP install -q -c requirements/constraints.txt --no-binary pyproj,pyogrio,rasterio,shapely \
    -r requirements/runtime.txt -r requirements/testing.txt
$PIP install -q -c requirements/constraints.txt --no-deps --no-build-isolation -e . 2>/dev/null \
    || $PIP install -q -c requirements/constraints.txt --no-deps -e .
"$VENV/bin/python" - <<'PY'
import pyproj, pyogrio, rasterio, shapely
from osgeo import gdal
pyproj.CRS("EPSG:3006")  # fails when pyproj was compiled with Cython >= 3.1
print("[setup] pyproj PROJ", pyproj.proj_version_str, "| pyogrio GDAL", pyogrio.__gdal_version_string__,
      "| rasterio GDAL", rasterio.__gdal_version__, "| shapely GEOS", shapely.geos_version_string,
      "| system GDAL", gdal.__version__)
assert pyogrio.__gdal_version_string__ == gdal.__version__, "pyogrio is not on the system GDAL"
assert rasterio.__gdal_version__ == gdal.__version__, "rasterio is not on the system GDAL"
PY
echo "$req_hash" > "$STAMP"
say "ready: $VENV"
