# Two commands do all set-up on a fresh machine (Python 3.11 + pip):
#   make report   build the store from the bundled sample and write the reports (HTML, PDF, index)
#   make test     run the test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= data/sample
STORE  ?= data/store

.PHONY: report test lint install install-dev system-deps score bench clean

# WeasyPrint (PDF) needs Pango and a font with Vietnamese glyphs (DejaVu Sans); PyICU (Vietnamese
# collation) is built from source against ICU (libicu-dev, pkg-config, g++).
# Installed from Debian's packages only when missing (CI runs as root).
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! fc-list 2>/dev/null | grep -qi "DejaVu Sans" \
	    || ! pkg-config --exists icu-uc 2>/dev/null || ! command -v g++ >/dev/null; then \
	  echo "installing Pango, DejaVu fonts and ICU's headers (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core libicu-dev pkg-config g++ >/dev/null; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps: reinstall only when the package definition changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed
install-dev: system-deps $(VENV)/.installed-dev

report: install
	$(PY) -m analysis build $(CORPUS) --store $(STORE)
	$(PY) -m analysis report --all --if-changed --store $(STORE)

test: install-dev lint
	$(PY) -m pytest

# ruff (lint) and mypy (types) over the package; both must be clean.
lint: install-dev
	$(VENV)/bin/ruff check analysis tests
	$(PY) -m mypy

# The shared scorer's table, then its remaining errors grouped by class (analysis/rules/error_classes.yaml).
score: install
	$(PY) -m analysis.score_report ../shared/gold/dev --scorer ../shared/tools/score.py --cmd "$(PY) -m analysis"

# The benchmark's pages are made from the gold pages when they are at hand (their page chrome is real).
BENCH_FROM ?= $(firstword $(wildcard ../shared/gold/dev) data/sample)
bench: install
	$(PY) -m analysis bench --from $(BENCH_FROM)

clean:
	rm -rf $(VENV) $(STORE) build *.egg-info
	find reports -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
	rm -f reports/index.html
