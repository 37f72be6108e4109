# greenlaw — the two commands that matter: `make run` and `make test`. Both install what they need.
# CPython 3.12 where the machine has it (on PATH or under pyenv), else python3 (≥ 3.11): the tests measure coverage
# through 3.12's sys.monitoring (pyproject's [tool.coverage.run] core), which costs a fraction of 3.11's tracer.
# (pyenv's root: PYENV_ROOT or ~/.pyenv, and the one above the pyenv command on PATH.)
PYTHON ?= $(or $(shell for p in python3.12 $$(for r in "$${PYENV_ROOT:-$$HOME/.pyenv}" \
	"$$(dirname "$$(dirname "$$(command -v pyenv || echo /none/none)")")"; do ls -d "$$r"/versions/3.12*/bin/python3.12 \
	2>/dev/null; done | sort -V | tail -n 1); do "$$p" -c '' 2>/dev/null && echo "$$p" && break; done),python3)
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Running needs the project and its dependencies only; the tests and the lint add the dev extras.
RUNTIME := $(VENV)/.installed-runtime

.PHONY: install run test test-cache test-fast browser lint format migrate up bench asyncapi openapi clean

# The installs go through uv (from PyPI, into the venv): it resolves and installs the same packages as pip, in
# seconds where pip takes most of a minute.
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

# The venv with uv in it, and no pip (uv installs; making pip in the venv costs ≈ 3 s), unless this Python's pip
# cannot install into another environment (pip older than 22.3). An existing .venv keeps its Python (a venv made
# again over it by another version would mix the two): remove it to change versions.
$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet uv 2>/dev/null || \
		{ $(BIN)/python -m ensurepip --default-pip >/dev/null && $(BIN)/pip install --quiet uv; }

# Running: bytecode is compiled at install, as pip does: with PYTHONDONTWRITEBYTECODE set every start of a service
# would otherwise compile each module it imports (≈ 3 s of CPU for the stack).
$(RUNTIME): pyproject.toml | $(BIN)/uv
	$(UV) --compile-bytecode -e .
	touch $@

# The client generator the contract test uses (the client other teams build from docs/openapi.json) comes without
# its dependency pins, which would downgrade httpx and typer for the whole project; its dependencies are in dev.
CLIENT_GENERATOR := openapi-python-client==0.29.1

# The dev extras include the runtime: one resolution for both. Their bytecode is not compiled here, all of it
# (≈ 10 s, 22 s of CPU): `make test` and `make test-cache` write that of the modules the suite imports, as they go.
$(INSTALLED): pyproject.toml | $(BIN)/uv
	$(UV) -e '.[dev]'
	$(UV) --no-deps '$(CLIENT_GENERATOR)'
	touch $(RUNTIME) $@

install: $(INSTALLED)

## Embedded mode: gateway + four services in one process on 127.0.0.1:$${PORT:-8000}, SQLite under ./var.
## On the first start of an empty data directory the demo scenario loads in the background (GREENLAW_DEMO=0: skip).
run: $(RUNTIME)
	$(BIN)/greenlaw run

## The whole suite: unit (first), integration (PostgreSQL, Kafka-protocol broker) and end-to-end, on
## $${TEST_WORKERS:-4} processes (most tests wait on sockets and databases, so more than the cores pays; a module per
## process at a time, the heaviest tests on their own and first: tests/scheduling.py), with the
## coverage of services/ and shared/ printed and held to its floor (pyproject's [tool.coverage.report]);
## `make test COVERAGE=` runs without it.
## On Python 3.11 coverage falls back to its C tracer, which loses the lines after an `await` that switches
## SQLAlchemy's greenlet (its `concurrency = greenlet` would keep them, but turns sys.monitoring off on 3.12): it
## measured 92.74 % where 3.12 measures 97.43 %, so a run there is held to this floor instead of pyproject's.
## Bytecode is written even with PYTHONDONTWRITEBYTECODE set: each module the suite imports is then compiled by the
## first of its dozens of processes, not by every one (the dev install does not compile, see above).
COVERAGE ?= --cov --cov-report=
COVERAGE_FLOOR_PY311 := 92
test: $(INSTALLED) browser
	$(BIN)/python -m compileall -q -j 0 services shared tests bench
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $${TEST_WORKERS:-4} --dist loadgroup $(COVERAGE) \
		$$($(BIN)/python -c 'import sys; print("--cov-fail-under=$(COVERAGE_FLOOR_PY311)" * (sys.version_info < (3, 12)))')

## The bytecode, and pytest's rewrite of the test modules' asserts, written beside the sources ahead of `make test`:
## each of its processes then reads the rewrite (≈ 180 modules, ≈ 6 s of CPU a process) instead of making it again,
## and the bytecode of the dependencies the collection imports; the collection also writes Hypothesis' Unicode
## tables (tests/conftest.py). `.ci/run` runs this beside the lint. The collection runs as two processes, one a core
## (the integration and end-to-end tests, and the other folders): ≈ 15 s instead of ≈ 23 s on a clean clone.
COLLECT := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest --collect-only -q -p no:cacheprovider
COLLECT_FIRST := tests/integration/ tests/e2e/
test-cache: $(INSTALLED)
	$(BIN)/python -m compileall -q -j 0 services shared tests bench
	$(COLLECT) $(COLLECT_FIRST) | tail -n 1 & \
		$(COLLECT) $(filter-out $(COLLECT_FIRST) %/__pycache__/,$(wildcard tests/*/)) | tail -n 1; wait

## Debian's Chromium for the portal's browser tests, curl and jq for the README tour's test (installed when
## missing and we may; else they say so).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium curl jq >/dev/null; } || \
		echo "chromium, curl or jq is missing: install those Debian packages for the browser and tour tests"

test-fast: $(INSTALLED)
	$(BIN)/pytest -m unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(INSTALLED)
	$(BIN)/greenlaw migrate

## Distributed mode (needs a Docker engine).
up:
	docker compose up --build

bench: $(INSTALLED)
	$(BIN)/python -m bench

asyncapi: $(INSTALLED)
	$(BIN)/greenlaw asyncapi

openapi: $(INSTALLED)
	$(BIN)/greenlaw openapi

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
