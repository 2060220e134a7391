# One command each on a fresh machine with Python 3.11+: the virtual environment is made and
# filled from pyproject.toml on first use (and again whenever pyproject.toml changes).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export SDL_VIDEODRIVER ?= dummy
export SDL_AUDIODRIVER ?= dummy
export PYGAME_HIDE_SUPPORT_PROMPT := 1

.PHONY: venv demo test lint bench soak clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) -m signage_server.demo $(DEMO_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check signage_server signage_contract player tests bench
	$(PY) -m mypy signage_server signage_contract player

# TEST_WORKERS: pytest-xdist workers (0: all in this process; auto: one per core). Each test file
# stays on one worker, so its module fixtures (a demo server, a browser) start once. 0 by default:
# on a 2-core machine two workers took longer than one process (the tests' own servers, players and
# browsers already use the second core).
TEST_WORKERS ?= 0
test: $(STAMP) lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# A fleet of simulated boards for an hour (SOAK_MINUTES, SOAK_BOARDS, SOAK_RUNS, SOAK_POSTGRES_URL,
# SOAK_REDIS_URL: see bench/soak.py); not part of make test or make bench.
soak: $(STAMP)
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
