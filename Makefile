# AMP Place Analysis — every target sets up what it needs on Debian 12 (root or sudo).
#   make demo   fetch and assess the bundled sample square (sets everything up first)
#   make test   lint (ruff, mypy), then all tests: unit (no QGIS), QGIS adapter (pytest-qgis), qgis_process end to end

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.amp-ready
DEMO    ?= demo-output
PYTEST  := QT_QPA_PLATFORM=offscreen $(PY) -m pytest
UNIT    := $(PYTEST) -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning

.PHONY: setup demo test lint test-unit test-qgis test-headless bench styles package translations clean help

help:
	@echo "make demo | make test | make lint | make test-unit | make test-qgis | make test-headless | make bench | make package | make translations"

$(STAMP): scripts/setup-env.sh requirements/constraints.txt requirements/runtime.txt requirements/testing.txt pyproject.toml
	bash scripts/setup-env.sh

setup: $(STAMP)
	@bash scripts/setup-env.sh >/dev/null

demo: setup
	bash scripts/demo.sh "$(DEMO)"

test: setup lint test-unit test-qgis test-headless

lint: setup
	$(VENV)/bin/ruff check amp_qgis_plugin tests benchmarks scripts
	$(VENV)/bin/mypy

test-unit: setup
	$(UNIT) -q tests/unit

test-qgis: setup
	$(PYTEST) -q tests/qgis

test-headless: setup
	$(PYTEST) -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q tests/headless

bench: setup
	$(VENV)/bin/pip install -q -c requirements/constraints.txt -r requirements/bench.txt
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

styles: setup
	QT_QPA_PLATFORM=offscreen $(PY) scripts/make_styles.py

# the release zip for plugins.qgis.org (committed tree + compiled translations; scripts/package.sh)
package:
	PYTHON=$(if $(wildcard $(PY)),$(PY),python3) bash scripts/package.sh dist/amp_qgis_plugin.zip

# the .ts from the tr() pairs of the code (commit it), and the .qm beside it for a source checkout
translations:
	$(if $(wildcard $(PY)),$(PY),python3) scripts/i18n.py --compile

clean:
	rm -rf $(DEMO) dist build .pytest_cache
