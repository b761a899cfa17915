# Every target sets up what it needs: from a fresh clone, `make test` and `make demo` just work.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
CLEANER = $(VENV)/bin/cleaner
DATA   ?= ../shared/data
STAMP   = $(VENV)/.installed

.PHONY: install demo test check lint typecheck train eval bench bench-datatrove wheel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install cleaner with its dev tools

DEMO_PAGES = tests/cases/pages/01_related_list.html tests/cases/pages/09_german_teasers.html \
             tests/cases/pages/12_ellipsis_teasers.html

demo: $(STAMP)  ## clean the bundled samples (the mission's seed and three test pages) into demo-out/, with a review page
	$(CLEANER) clean samples/ $(DEMO_PAGES) -o demo-out/ --explain
	$(CLEANER) clean samples/ $(DEMO_PAGES) -o demo-out/json/ --format json --quiet
	$(CLEANER) review demo-out/json/ -o demo-out/review.html
	@echo "--- demo-out/000_bf343f9721e655f4.txt.txt (the seed without its six teasers) ---"
	@cat demo-out/000_bf343f9721e655f4.txt.txt
	@echo "--- open demo-out/review.html in a browser: what was removed, and why ---"

test: $(STAMP)  ## run the test suite
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check cleaner tests scripts
	$(VENV)/bin/ruff format --check cleaner tests scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test  ## ruff (lint + format), mypy and the tests

train: $(STAMP)  ## retrain models/ from seeds/ plus the training split of $(DATA)
	$(CLEANER) train --seeds seeds --data $(DATA) --out models

eval: $(STAMP)  ## cleaner beside trafilatura and the perfect line filter on the held-out split of every dataset in $(DATA), per page type too; then plain text with teasers appended, per shape
	$(CLEANER) evaluate $(DATA) --split test --text-shapes

MEMORY_PAGES ?= 10000
bench: $(STAMP)  ## speed, batch and memory figures next to their goals (see BENCHMARKS.md); ~10 min
	$(PY) scripts/bench.py --data $(DATA) --batch --memory $(MEMORY_PAGES)

bench-datatrove: $(STAMP)  ## documents/s of cleaner's datatrove step beside datatrove's Trafilatura extractor, same WARC
	$(PY) scripts/bench_datatrove.py --data $(DATA)

wheel: $(STAMP)
	$(PY) -m build --wheel --outdir dist/

clean:
	rm -rf dist build demo-out .pytest_cache .mypy_cache .ruff_cache
