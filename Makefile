# AMP Place Analysis — every target sets up what it needs on Debian 12 (root or sudo).
#   make demo   fetch and assess the bundled sample square (sets everything up first)
#   make test   lint (ruff, mypy), then all tests: unit (no QGIS), QGIS adapter (pytest-qgis), qgis_process end to end

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.amp-ready
DEMO    ?= demo-output
PYTEST  := QT_QPA_PLATFORM=offscreen $(PY) -m pytest
UNIT    := $(PYTEST) -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning

.PHONY: setup demo test lint test-unit test-qgis test-headless bench styles package clean help

help:
	@echo "make demo | make test | make lint | make test-unit | make test-qgis | make test-headless | make bench | make package"

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

package:
	rm -rf dist && mkdir -p dist
	git archive --format=zip --prefix=amp_qgis_plugin/ -o dist/amp_qgis_plugin.zip HEAD:amp_qgis_plugin
	@echo "dist/amp_qgis_plugin.zip (install in QGIS: Plugins > Manage and Install Plugins > Install from ZIP)"

clean:
	rm -rf $(DEMO) dist build .pytest_cache
