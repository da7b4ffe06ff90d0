# shop_reco developer commands. Every target creates the virtualenv it needs when it is missing:
# .venv (package, test and dev extras) for tests and tools, .venv-demo (package and gunicorn only)
# for the demo, .venv-min (the declared minimum of every runtime dependency) for `make minimums`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Pinned versions of every dependency (pip-compile output): installs a month apart are the same.
CONSTRAINTS := constraints.txt
DEMO_VENV  := .venv-demo
DEMO_BIN   := $(DEMO_VENV)/bin
DEMO_STAMP := $(DEMO_VENV)/.installed
MIN_VENV   := .venv-min
DEMO_DB ?= sqlite:///$(CURDIR)/instance/demo.db
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Both cores: one xdist worker per CPU, tests handed out one by one (`--dist load`, the default;
# not loadfile, which runs only the first of several tests sharing a node id, as schemathesis makes them).
PYTEST_ARGS ?= -n auto

.PHONY: help venv demo test test-fast lint format coverage check-imports core-alone bench bench-quick bench-footprint eval wheel-check fuzz load clean constraints minimums

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): setup.cfg pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[test,dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install shop_reco with its test and dev extras (pinned by constraints.txt)

$(DEMO_STAMP): setup.cfg pyproject.toml $(CONSTRAINTS)
	test -x $(DEMO_BIN)/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[serve]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)  ## run the demo storefront on SQLite at http://$(HOST):$(PORT) (gunicorn, in .venv-demo)
	mkdir -p instance
	SHOP_RECO_DATABASE_URL=$(DEMO_DB) $(DEMO_BIN)/flask --app shop_reco.demo shop-reco db upgrade
	SHOP_RECO_DATABASE_URL=$(DEMO_DB) $(DEMO_BIN)/flask --app shop_reco.demo shop-reco demo-data
	SHOP_RECO_DATABASE_URL=$(DEMO_DB) $(DEMO_BIN)/flask --app shop_reco.demo demo-events
	SHOP_RECO_DATABASE_URL=$(DEMO_DB) $(DEMO_BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - 'shop_reco.demo:create_app()'

constraints: $(STAMP)  ## re-pin constraints.txt with pip-compile after changing a dependency in setup.cfg
	$(BIN)/pip-compile --quiet --all-extras --strip-extras --no-emit-index-url --no-emit-trusted-host --no-emit-find-links \
		--upgrade --output-file $(CONSTRAINTS) setup.cfg

minimums:  ## a fresh .venv-min with the declared minimum of every runtime dependency; runs the fast suite
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	$(PYTHON) tools/minimum_pins.py > $(MIN_VENV)/minimums.txt
	$(MIN_VENV)/bin/python -m pip install --quiet -c $(MIN_VENV)/minimums.txt -e '.[test]'
	@echo "minimums: running the fast suite with" $$(cat $(MIN_VENV)/minimums.txt)
	$(MIN_VENV)/bin/python -m pytest -m "not slow and not browser" -p no:cacheprovider $(PYTEST_ARGS)

test: $(STAMP)  ## run the whole test suite (PostgreSQL too when SHOP_RECO_TEST_POSTGRES_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)  ## the suite without slow, browser and wheel tests
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

coverage: $(STAMP)  ## the whole suite (as `make test`) with a line coverage report; writes coverage.xml
	$(BIN)/python -m pytest --cov=shop_reco --cov-report=term:skip-covered --cov-report=xml $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shop_reco tools

check-imports: $(STAMP)  ## fail on any import cycle between shop_reco's packages (tools/check_imports.py)
	$(BIN)/python tools/check_imports.py

core-alone: $(STAMP)  ## run understanding and recommending in a virtualenv without Flask or SQLAlchemy
	PYTHON=$(BIN)/python .ci/core-alone

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(STAMP)  ## score the labelled shopper descriptions (../shared/eval and tests/data)
	for cases in ../shared/eval/dev-cases.jsonl ../shared/eval/any-language-and-cauda-equina.jsonl \
	    tests/data/eval-cases.jsonl tests/data/eval-any-language-and-cauda-equina.jsonl; do \
	  SHOP_RECO_RATELIMIT_ENABLED=false $(BIN)/python ../shared/eval/score.py --cases $$cases --min-pass 0.95 --strict-safety || exit 1; \
	done

bench: $(STAMP)  ## full benchmarks; writes benchmarks/results/latest.json
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)  ## benchmarks in under a minute
	$(BIN)/python -m benchmarks --quick

bench-footprint: $(STAMP)  ## cache misses and instructions per answer, counted by valgrind (about 5 minutes)
	$(BIN)/python -m benchmarks.bench_footprint

wheel-check: $(STAMP)  ## build the wheel, install it in a clean venv, migrate and load demo data
	$(BIN)/python -m pytest tests/test_wheel.py -m slow

clean:  ## remove build products (keeps .venv and .venv-demo)
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache $(MIN_VENV)

FUZZ_EXAMPLES ?= 300

fuzz: $(STAMP)  ## schemathesis, every check, FUZZ_EXAMPLES (300) per operation on PostgreSQL; hypothesis at 1,000
	@test -n "$$SHOP_RECO_TEST_POSTGRES_URL" || { echo "set SHOP_RECO_TEST_POSTGRES_URL: make fuzz runs against PostgreSQL"; exit 1; }
	SHOP_RECO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) HYPOTHESIS_PROFILE=full $(BIN)/python -m pytest tests/test_api_fuzz.py -k postgres -q -p no:cacheprovider
	HYPOTHESIS_PROFILE=full $(BIN)/python -m pytest tests/test_understanding_properties.py tests/test_rules_schema.py -q -p no:cacheprovider

load: $(STAMP)  ## gunicorn + wrk mixed load on loopback for LOAD_SECONDS (20)
	$(BIN)/python -m benchmarks.load --seconds $${LOAD_SECONDS:-20}
