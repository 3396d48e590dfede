# jaxmacro: the two commands a fresh checkout needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all bench lint format ci clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[tests,experiments]"
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) experiments/demo.py

test: $(STAMP)
	$(PY) -m pytest -n 2 -q -m "not slow and not dynare"

test-all: $(STAMP)
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) benchmarks/bench.py

lint: $(STAMP)
	$(PY) -m ruff check jaxmacro tests experiments benchmarks
	$(PY) -m ruff format --check jaxmacro tests experiments benchmarks

format: $(STAMP)
	$(PY) -m ruff check --fix jaxmacro tests experiments benchmarks
	$(PY) -m ruff format jaxmacro tests experiments benchmarks

ci:
	.ci/run

clean:
	rm -rf $(VENV) experiments/out .pytest_cache
