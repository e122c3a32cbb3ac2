# Two commands do all set-up on a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test install test-deps system-deps lint typecheck messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/kuntarobo demo

# Debian packages the tests need (Chromium for browser tests and browser robots, chromedriver for
# Robot Framework's SeleniumLibrary, PostgreSQL server binaries for the
# throwaway cluster, gettext for translations, Graphviz for path documents' process diagrams;
# for the phone survey robot espeak-ng speaks prompts, and SIPp and Kamailio are the real SIP
# peers of its call tests);
# installed only when missing and when root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v sipp >/dev/null || missing="$$missing sip-tester"; \
	command -v kamailio >/dev/null || test -x /usr/sbin/kamailio || missing="$$missing kamailio"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

test-deps: install system-deps

# The layer contract (pyproject.toml, [tool.importlinter]): robots import the platform only
# through kuntarobo.sdk, no module imports a higher layer, no import circles.
lint: install
	$(BIN)/ruff check kuntarobo tests benchmarks
	$(BIN)/ruff format --check kuntarobo tests benchmarks
	$(BIN)/lint-imports

# mypy's Django plugin imports kuntarobo.settings, which refuses to load without SECRET_KEY
# outside the demo. A throwaway key signs nothing here (no server runs), and unlike
# KUNTAROBO_DEMO=1 it writes no key file to var/ and leaves every other setting as it is.
typecheck: install
	SECRET_KEY=mypy-imports-settings-only $(BIN)/mypy

test: test-deps lint typecheck
	$(BIN)/pytest -m "not sip" $(PYTEST_ARGS)
	$(BIN)/pytest --db=postgres -m "not browser and not sip" $(PYTEST_ARGS)
	$(BIN)/pytest -m sip $(PYTEST_ARGS)

messages: install
	cd kuntarobo && ../$(BIN)/kuntarobo makemessages -l fi -l sv -l en --no-obsolete && ../$(BIN)/kuntarobo compilemessages

bench: install
	$(BIN)/python benchmarks/queue_throughput.py
	$(BIN)/python benchmarks/hr_reports_month.py
	$(BIN)/python benchmarks/hr_fetch_practice.py
	$(BIN)/python benchmarks/ecec_fees_decisions.py
	$(BIN)/python benchmarks/hostile_inputs.py
	$(BIN)/python benchmarks/portfolio_dashboards.py
	$(BIN)/python benchmarks/phone_survey_simulation.py
	$(BIN)/python benchmarks/phone_survey_calls.py
	$(BIN)/python benchmarks/phone_survey_calls.py --proxy

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
