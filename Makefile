# nblm -- the three commands of the README:
#   make book   set up .venv + web assets, build the book strictly into _build/html
#               (and the downloadable archive of the runnable book, _build/nblm-book.zip)
#   make test   the same set-up and build, then the whole test suite
#   make lab    set up .venv and open the chapters live in JupyterLab
# They work on a fresh clone with only Python >= 3.11 and make (+ npm for the web
# assets of `make book` / `make test`). PYTHON=... picks the interpreter.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# PYTHON not given (on the command line or in the environment): an existing .venv keeps
# the interpreter it was made with, so `make book PYTHON=python3.12` then `make lab` do
# not make it anew with python3.
ifeq ($(origin PYTHON),file)
  VENV_BASE := $(shell $(PY) -c 'import os, sys; print(os.path.realpath(sys._base_executable))' 2>/dev/null)
  ifneq ($(VENV_BASE),)
    PYTHON := $(VENV_BASE)
  endif
endif
STAMP  := $(VENV)/.requirements.sha
# What `make env` installs: the full lock, the build pin of the editable install, the package.
ENV_INPUTS := requirements.txt requirements-build.txt pyproject.toml
# `make lock`: pip-tools (pinned here) in its own venv, so it never enters the book's environment.
LOCK_VENV  := .venv-lock
PIP_TOOLS  := 7.6.2
LOCK_TOOLS := pip==26.3 pip-tools==$(PIP_TOOLS)
LOCK_ARGS  ?=
LAB_ARGS   ?=
ARCHIVE    := _build/nblm-book.zip
# Deliberate thread counts for the 2-core machines we build on.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help book test lab env check-python assets archive lock unit fuzz bench bench-all clean

help:
	@echo "make book   build the book into _build/html and the archive $(ARCHIVE) (sets everything up)"
	@echo "make test   build the book and run the whole test suite"
	@echo "make lab    open the chapters live in JupyterLab (LAB_ARGS=\"--no-browser --port 8890\" passes options)"
	@echo "make unit   only the fast unit/property tests of nblm_helpers"
	@echo "make fuzz   fuzz every public helper in a 2 GiB / 5 s sandbox (tests/test_fuzz.py)"
	@echo "make bench  benchmarks: solvers, lineshape, every widget (bench-all: + build and tests)"
	@echo "make lock   regenerate the lock requirements.txt from requirements.in (pip-compile)"
	@echo "make archive  only write $(ARCHIVE), the runnable book as one zip"
	@echo "make clean  remove _build and _vendor (keeps .venv and node_modules)"
	@echo "PYTHON=...  the interpreter for .venv (default: the one .venv was made with, else python3; >= 3.11)"

# The interpreter: exists, runs, and is Python >= 3.11; say which one it is.
check-python:
	@v=$$($(PYTHON) -c 'import sys; sys.stdout.write("%d.%d.%d %s" % (tuple(sys.version_info[:3]) + (sys.executable,)))') \
	  || { echo "error: cannot run PYTHON=$(PYTHON). nblm needs Python >= 3.11: install one, or pass it as PYTHON=/path/to/python3.x" >&2; exit 1; }; \
	ver=$${v%% *}; exe=$${v#* }; major=$${ver%%.*}; minor=$${ver#*.}; minor=$${minor%%.*}; \
	case "$$major.$$minor" in [0-9]*.[0-9]*) ;; *) echo "error: PYTHON=$(PYTHON) did not report a version ($$v)" >&2; exit 1;; esac; \
	if [ "$$major" -lt 3 ] || { [ "$$major" -eq 3 ] && [ "$$minor" -lt 11 ]; }; then \
	  echo "error: PYTHON=$(PYTHON) is $$exe (Python $$ver); nblm needs Python >= 3.11. Pass a newer one, e.g. make book PYTHON=python3.12" >&2; exit 1; \
	fi; \
	echo "== using $$exe (Python $$ver)"

# Python environment: the lock requirements.txt, then nblm_helpers (editable, no deps:
# the lock has them all). Reinstalled when requirements.txt, requirements-build.txt or
# pyproject.toml change; made anew when .venv was made with another interpreter.
env: check-python
	@set -e; want=$$(cat $(ENV_INPUTS) | sha256sum | cut -d' ' -f1); \
	base=$$($(PYTHON) -c 'import os, sys; print(os.path.realpath(sys.executable))'); \
	have=$$($(PY) -c 'import os, sys; print(os.path.realpath(sys._base_executable))' 2>/dev/null || true); \
	if [ "$$have" != "$$base" ]; then \
	  if [ -e $(VENV) ]; then echo "== $(VENV) was made with $${have:-an interpreter that no longer runs}: making it anew"; fi; \
	  echo "== creating $(VENV)"; \
	  $(PYTHON) -m venv --clear $(VENV); \
	  rm -f $(STAMP); \
	fi; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	  echo "== installing the lock requirements.txt into $(VENV)"; \
	  $(PY) -m pip install -q "$$(grep -E '^pip==' requirements.txt)"; \
	  $(PY) -m pip install -q -r requirements.txt; \
	  $(PY) -m pip install -q --no-deps --build-constraint requirements-build.txt -e .; \
	  $(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null; \
	  echo "$$want" > $(STAMP); \
	fi

assets:
	@bash scripts/vendor_assets.sh

# One zip of the runnable book (package, notebooks, tests, lock files, Makefile, README),
# written before the Sphinx build so that the book can offer it for download.
archive: check-python
	@$(PYTHON) scripts/make_archive.py $(ARCHIVE)

# The strict build: every notebook executed (execute_notebooks: force), any cell
# error or Sphinx warning fails it. --all re-emits warnings of unchanged pages.
# It is `jupyter-book build --all -W --keep-going .` run through a wrapper that
# gives Sphinx NBLM_BUILD_JOBS parallel readers (JB1's CLI has no -j), so the
# notebooks execute two at a time on two cores.
book: env assets archive
	@echo "== building the book (strict, $${NBLM_BUILD_JOBS:-$$(nproc --all)} parallel readers)"
	@rm -rf _build/html
	$(PY) scripts/jupyter_book_parallel.py build --all -W --keep-going --path-output . .
	@echo "== built: _build/html/index.html"

test: book
	@bash scripts/ensure_chromium.sh
	@echo "== running the test suite"
	$(PY) -m pytest -n $${NBLM_TEST_JOBS:-2}

# The chapters live: JupyterLab from .venv on book/, widgets through ipywidgets 8 +
# jupyterlab_widgets (prebuilt: no npm, no `jupyter lab build`). NBLM_WIDGET_MODE is
# removed so that the widgets are live sliders, not the website's precomputed frames.
# Root (containers, CI) needs --allow-root.
lab: env
	@echo "== JupyterLab on book/ (stop it with Ctrl-C, twice)"
	env -u NBLM_WIDGET_MODE $(PY) -m jupyter lab --notebook-dir=book \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# Regenerate the lock from requirements.in. Existing pins are kept unless requirements.in
# asks otherwise; LOCK_ARGS="--upgrade-package NAME" moves one package, "--upgrade" all.
lock: check-python
	@set -e; if ! $(LOCK_VENV)/bin/pip-compile --version 2>/dev/null | grep -qF "version $(PIP_TOOLS)"; then \
	  echo "== installing $(LOCK_TOOLS) into $(LOCK_VENV)"; \
	  $(PYTHON) -m venv --clear $(LOCK_VENV); \
	  $(LOCK_VENV)/bin/pip install -q $(LOCK_TOOLS); \
	fi
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS) \
	  --output-file requirements.txt requirements.in

unit: env
	$(PY) -m pytest tests --ignore=tests/test_site.py --ignore=tests/test_browser.py -m "not site and not browser and not fuzz and not live"

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
