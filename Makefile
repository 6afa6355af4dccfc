# Two commands do all set-up on a fresh machine:  `make demo`  and  `make test`.
# Both create ./.venv when no virtual environment is active and pin the CPU torch wheel.
SHELL := /bin/bash
PYTHON_BOOT ?= python3
ifdef VIRTUAL_ENV
PY := python
else
PY := .venv/bin/python
endif
TORCH_PIN := torch==2.13.0
DEMO_DIR ?= work_dirs/demo
PRESET ?= thumos14-mini
# Stages side by side: two one-thread student trainings at once on 2 cores.
JOBS ?= 2

.PHONY: setup demo test

setup: .venv/.installed

.venv/.installed: setup.py
	@if [ -z "$$VIRTUAL_ENV" ] && [ ! -x .venv/bin/python ]; then $(PYTHON_BOOT) -m venv .venv; fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_PIN)
	$(PY) -m pip install -q -e ".[dev]"
	@mkdir -p .venv && touch .venv/.installed

demo: setup
	$(PY) tools/run_pipeline.py --preset $(PRESET) --work-dir $(DEMO_DIR) --jobs $(JOBS)

test: setup
	OMP_NUM_THREADS=2 $(PY) -m pytest -q tests
