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

# Two passes. The tests that run in process (all but tests/e2e/, marked "slow") run on TEST_WORKERS
# pytest-xdist workers, a test file per worker so its module fixtures start once: 2 by default (on
# the 2-core machine 191 panel, API and device tests took 120 s on 2 workers, 206 s in one process;
# each test builds its own application, so they are CPU-bound). Then the end-to-end tests (real
# servers, players and a browser, some of them timed) run in one process with the machine to
# themselves, with the schemathesis file (marked "serial": under xdist its cases are not reported
# one by one). A selection in PYTEST_ARGS with nothing for one pass skips that pass (exit code 5).
TEST_WORKERS ?= 2
test: $(STAMP) lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not slow and not serial" --durations=15 $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]
	$(PY) -m pytest -m "slow or serial" --durations=15 $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# A fleet of simulated boards for an hour (SOAK_MINUTES, SOAK_BOARDS, SOAK_RUNS, SOAK_POSTGRES_URL,
# SOAK_REDIS_URL: see bench/soak.py); not part of make test or make bench.
soak: $(STAMP)
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
