# nblm -- the two commands of the README:
#   make book   set up .venv + web assets, build the book strictly into _build/html
#   make test   the same set-up and build, then the whole test suite
# Both work on a fresh clone with only Python 3.11 (+ npm for the web assets).

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements.sha
# Deliberate thread counts for the 2-core machines we build on.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test env assets unit fuzz bench bench-all clean help

help:
	@echo "make book   build the book into _build/html (sets everything up)"
	@echo "make test   build the book and run the whole test suite"
	@echo "make unit   only the fast unit/property tests of nblm_helpers"
	@echo "make fuzz   fuzz every public helper in a 2 GiB / 5 s sandbox (tests/test_fuzz.py)"
	@echo "make bench  benchmarks: solvers, lineshape, every widget (bench-all: + build and tests)"
	@echo "make clean  remove _build and _vendor (keeps .venv and node_modules)"

# Python environment: (re)installed when requirements.txt or pyproject.toml change.
env:
	@set -e; want=$$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1); \
	if [ ! -x $(PY) ] || [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	  echo "== creating $(VENV) and installing requirements.txt"; \
	  $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install -q --upgrade pip; \
	  $(PY) -m pip install -q -r requirements.txt; \
	  $(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null; \
	  echo "$$want" > $(STAMP); \
	fi

assets:
	@bash scripts/vendor_assets.sh

# The strict build: every notebook executed (execute_notebooks: force), any cell
# error or Sphinx warning fails it. --all re-emits warnings of unchanged pages.
# It is `jupyter-book build --all -W --keep-going .` run through a wrapper that
# gives Sphinx NBLM_BUILD_JOBS parallel readers (JB1's CLI has no -j), so the
# notebooks execute two at a time on two cores.
book: env assets
	@echo "== building the book (strict, $${NBLM_BUILD_JOBS:-$$(nproc --all)} parallel readers)"
	@rm -rf _build/html
	$(PY) scripts/jupyter_book_parallel.py build --all -W --keep-going --path-output . .
	@echo "== built: _build/html/index.html"

test: book
	@bash scripts/ensure_chromium.sh
	@echo "== running the test suite"
	$(PY) -m pytest -n $${NBLM_TEST_JOBS:-2}

unit: env
	$(PY) -m pytest tests --ignore=tests/test_site.py --ignore=tests/test_browser.py -m "not site and not browser and not fuzz"

# The fuzz suite alone (it is also part of `make test`); HYPOTHESIS_PROFILE=explore searches afresh,
# NBLM_FUZZ_EXAMPLES=k runs k times as many examples.
fuzz: env
	$(PY) -m pytest tests/test_fuzz.py -n $${NBLM_TEST_JOBS:-2} -m fuzz

bench: env
	$(PY) benchmarks/run.py

bench-all: env assets
	$(PY) benchmarks/run.py --book

clean:
	rm -rf _build _vendor
