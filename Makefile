# callgrid: `make run` sets up and starts the engine; `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEBIAN_PACKAGES := espeak-ng sox chromium
# A real Asterisk, when this machine has one, runs tests/asterisk/ too (skipped otherwise).
CALLGRID_TEST_ASTERISK ?= $(firstword $(shell command -v asterisk 2>/dev/null) \
                                      $(wildcard /opt/asterisk/sbin/asterisk))
export CALLGRID_TEST_ASTERISK

.PHONY: run test lint typecheck unit system-packages bench soak kill-rounds bench-retention \
        bench-dialer demo clean

run: $(STAMP)
	$(BIN)/callgrid prompts build
	$(BIN)/callgrid serve

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The real-Asterisk tests mostly wait for prompts to play: they run beside the rest.
unit: $(STAMP)
	@if [ -n "$$CALLGRID_TEST_ASTERISK" ]; then \
	  $(BIN)/pytest -p no:cacheprovider tests/asterisk > $(VENV)/asterisk-tests.log 2>&1 & \
	  real=$$!; \
	  $(BIN)/pytest --ignore=tests/asterisk; rest=$$?; \
	  wait $$real; real_rc=$$?; \
	  echo "--- tests/asterisk (run beside the rest) ---"; cat $(VENV)/asterisk-tests.log; \
	  [ $$rest -eq 0 ] && [ $$real_rc -eq 0 ]; \
	else \
	  $(BIN)/pytest; \
	fi

demo: $(STAMP)
	$(BIN)/callgrid demo

bench: $(STAMP)
	$(BIN)/python -m bench.agi_load

soak: $(STAMP)
	$(BIN)/python -m bench.soak --quick

kill-rounds: $(STAMP)
	$(BIN)/python -m bench.kill_under_load --calls 50 --rounds 5

# A purge of 100,000 and 1,000,000 indexed recordings, on SQLite and PostgreSQL (~25 min).
bench-retention: $(STAMP)
	$(BIN)/python -m bench.retention --rows 100000 1000000

# The dialer over 2 simulated days for 20,000 customers: SQLite with one engine process,
# PostgreSQL with one and two (~1 h). `python -m bench.dialer` alone: 1,000,000 over a week.
bench-dialer: $(STAMP)
	$(BIN)/python -m bench.dialer --quick

# AMI events into the contact center: events/s the engine takes in, and event-to-wallboard
# latency at 1,000 events/s with 50 screens, on SQLite and PostgreSQL (~10 min).
.PHONY: bench-ami-events
bench-ami-events: $(STAMP)
	$(BIN)/python -m bench.ami_events

# Debian packages the engine needs: espeak-ng renders the prompts, sox converts them.
system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q -o DPkg::Lock::Timeout=600 && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q -o DPkg::Lock::Timeout=600 $$missing; \
	fi

$(STAMP): pyproject.toml | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
