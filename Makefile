# The front door. `make report` and `make test` set up .venv on first use and re-install
# only when pyproject.toml changes (the stamp file is older than it).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?=
RENDER_ARGS ?=

.PHONY: help setup report test lint mutation lab bench clean

help:
	@echo "make report   render every notebook into reports/ (site: reports/index.html, ledger)"
	@echo "make test     lint (ruff), then run the unit, notebook (nbval) and browser tests"
	@echo "make mutation how many deliberate bugs in the verdict core the fast tests catch (mutmut)"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make bench    measure the renderer and the grader (benchmarks/render_bench.py, grade_bench.py)"
	@echo "make clean    remove reports/ and caches (keeps .venv)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "zjanalysis needs Python 3.11 or newer; '$(PYTHON)' is older. Try: make PYTHON=python3.12 ..."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(PY) -m zjanalysis render --out reports $(if $(JOBS),--jobs $(JOBS)) $(RENDER_ARGS)

# The code and the notebooks' code read the same everywhere (configuration: pyproject.toml).
LINTED := zjanalysis tests notebooks benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

test: lint
	$(PY) -m pytest tests notebooks --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg

# Mutation testing of the modules that decide verdicts, with the fast unit tests only; ends with
# "mutation score: K/N killed (P%)". Results are kept in mutants/ between runs (git-ignored).
mutation: $(STAMP)
	$(PY) tests/mutation.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) benchmarks/render_bench.py
	$(PY) benchmarks/grade_bench.py

clean:
	rm -rf reports test-artifacts .pytest_cache .hypothesis mutants
