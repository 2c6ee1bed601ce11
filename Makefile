# Two commands do all set-up on a fresh machine (Python 3.11 + pip):
#   make report   build the default report from the bundled sample corpus
#   make test     run the test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= data/sample

.PHONY: report test install install-dev score clean

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

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

STORE  ?= data/store

report: install
	$(PY) -m analysis build $(CORPUS) --store $(STORE)
	$(PY) -m analysis report --all --if-changed

test: install-dev
	$(PY) -m pytest

score: install
	$(PY) ../shared/tools/score.py --cmd "$(PY) -m analysis"

clean:
	rm -rf $(VENV) reports/sample build *.egg-info
