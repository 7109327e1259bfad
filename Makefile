# The README's two commands are `make run` and `make test`; both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= build/store
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint bench bench-pipeline bench-views soak build validate check stats system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes; the stamp records what is installed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

# validate, check, build (each redoing only what changed since the last run) and serve, in one process:
# `migkg serve --prepare` is `migkg validate`, `migkg check`, then the store brought up to date.
run: $(VENV)/.installed
	$(BIN)/migkg serve --prepare --host $(HOST) --port $(PORT) --store-dir $(STORE)

# System packages the browser and Virtuoso tests need (installed only when missing, as root).
system-deps:
	bash scripts/system-deps.sh

test: $(VENV)/.installed-test system-deps
	$(BIN)/python -m pytest

# The edit-test loop: everything but the browser, live-server and Virtuoso tests (no system packages).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not browser and not server and not virtuoso" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# migkg (embedded) vs rdflib-endpoint vs Oxigraph server, and migkg in front of the Oxigraph server and
# Virtuoso (when virtuoso-t is installed), into benchmarks/RESULTS.md; ≈13 min.
# BENCH_ARGS="--sizes 10k,100k,1m" adds the 1M-triple graph (see benchmarks/README.md).
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Soak: lookups, pages, catalogue, explorer, runaway queries and authorised updates from several
# loopback clients against `migkg serve` for 3 minutes (stops by itself); a Soak block into
# benchmarks/RESULTS.md. SOAK_ARGS="--duration 60" for a shorter run.
soak: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.soak $(SOAK_ARGS)

# parse, build, validate, check at 10k, 100k, 1M triples, with pyshacl and pyoxigraph's bulk load as
# peers, into benchmarks/RESULTS.md (one "pipeline-<size>" block per size); ≈12 min in all. One size at a
# time: SIZES=10k (≈1 min), SIZES=100k (≈5 min), SIZES=1m (≈5 min, after generating it once).
SIZES ?= 10k,100k,1m
bench-pipeline: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.pipeline --sizes $(SIZES) $(PIPELINE_ARGS)

# The researcher views (facet counts, vocabulary; each page against the same queries at /sparql and in
# process, as ratios) at ~1,500 instruments; figures in benchmarks/VIEWS-RESULTS.md (benchmarks/views.py;
# rdflib side by side with --peer-scale); ≈1.5 min.
bench-views: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.views $(BENCH_ARGS)

build validate check stats: $(VENV)/.installed
	$(BIN)/migkg $@

clean:
	rm -rf build dist test-artifacts .pytest_cache .mypy_cache .ruff_cache
