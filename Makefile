# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: translations-extract translations-update translations-compile run test test-sqlite test-postgresql test-sqlite-clock test-postgresql-clock test-clocks \
	test-browser browser-test-deps screenshots lint format bench system-test-deps clean

# Instants the program's calendar makes awkward (tests/travel.py moves the clock there): a
# Sunday evening in Los Angeles that is Monday in UTC, half an hour before the spring and the
# autumn clock change, the Saturday after spring-forward, the Sunday evening of the fall-back
# day, a leap day.
CLOCKS := 2026-12-07T07:30Z 2027-03-14T09:30Z 2027-03-20T07:30Z 2027-11-07T08:30Z \
	2027-11-08T07:30Z 2028-02-29T12:00Z
# `make test` also runs the whole suite at two of them, one on each database.
CLOCK_SQLITE := 2027-03-20T07:30Z
CLOCK_POSTGRESQL := 2027-11-07T08:30Z
# The databases `make test-clocks` runs on.
CLOCK_DBS ?= sqlite

# The translation catalogues, one a language (translations/<code>/LC_MESSAGES/messages.po).
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installing also compiles the translation catalogues (the .mo files are not committed).
$(VENV)/.installed: pyproject.toml $(PO_FILES) | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations-compile
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(PO_FILES) | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory translations-compile
	touch $(VENV)/.installed $@

## translations-extract: every translatable string of the code and templates into
## translations/messages.pot (babel.cfg says where to look)
translations-extract:
	$(BIN)/pybabel extract --no-location --sort-output --width 100 -F babel.cfg -k _l \
		-k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -o translations/messages.pot .

## translations-update: merge messages.pot into each language's catalogue (translations/<code>)
translations-update: translations-extract
	$(BIN)/pybabel update --ignore-obsolete --width 100 -i translations/messages.pot \
		-d translations

## translations-compile: the .mo files the app reads, from each language's messages.po
translations-compile:
	$(BIN)/pybabel compile --statistics -d translations

## run: install, migrate the SQLite database, seed demo data on first run, serve on :5000
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: install what the tests need (PostgreSQL, redis-server, Chromium and axe-core
## included) and run the suite on both databases, at the real time and at one awkward instant
## each, and the browser tests once. The runs go side by side (the two real-time runs, then the
## two moved-clock runs with the browser tests, which mostly wait on Chromium and gunicorn);
## each run's output is printed when it ends.
test: $(VENV)/.installed-dev system-test-deps browser-test-deps lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql
	$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite-clock test-postgresql-clock \
		test-browser

test-sqlite: $(VENV)/.installed-dev system-test-deps
	INCUBATOR_TEST_DB=sqlite $(BIN)/pytest

test-postgresql: $(VENV)/.installed-dev system-test-deps
	INCUBATOR_TEST_DB=postgresql $(BIN)/pytest

test-sqlite-clock: $(VENV)/.installed-dev
	INCUBATOR_TEST_CLOCK=$(CLOCK_SQLITE) INCUBATOR_TEST_DB=sqlite $(BIN)/pytest

test-postgresql-clock: $(VENV)/.installed-dev system-test-deps
	INCUBATOR_TEST_CLOCK=$(CLOCK_POSTGRESQL) INCUBATOR_TEST_DB=postgresql $(BIN)/pytest

## test-browser: the journeys and the axe crawl in headless Chromium (tests/browser); a failing
## page's screenshot is kept in tests/browser/failures/
test-browser: $(VENV)/.installed-dev browser-test-deps
	INCUBATOR_TEST_DB=sqlite $(BIN)/pytest -m browser tests/browser

## screenshots: each demo role's home at 1366 px, into docs/screenshots/
screenshots: $(VENV)/.installed-dev browser-test-deps
	$(BIN)/python -m tests.browser.screenshots

## test-clocks: the whole suite at every instant in CLOCKS, on each database in CLOCK_DBS
test-clocks: $(VENV)/.installed-dev system-test-deps
	@failed=""; \
	for db in $(CLOCK_DBS); do for instant in $(CLOCKS); do \
		echo "== INCUBATOR_TEST_DB=$$db INCUBATOR_TEST_CLOCK=$$instant"; \
		INCUBATOR_TEST_DB=$$db INCUBATOR_TEST_CLOCK=$$instant $(BIN)/pytest \
			|| failed="$$failed $$db@$$instant"; \
	done; done; \
	if [ -n "$$failed" ]; then echo "Failed at:$$failed"; exit 1; fi; \
	echo "Passed at every instant: $(CLOCKS) ($(CLOCK_DBS))"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# PostgreSQL's server binaries and redis-server (the shared rate-limit store the tests start),
# from the system's packages when they are missing.
system-test-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
		echo "PostgreSQL server binaries present."; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	fi
	@if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then \
		echo "redis-server present."; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; \
	fi

# Debian's Chromium and its chromedriver, and axe-core from the npm registry (the version
# pinned in tests/browser/package-lock.json), when they are missing.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-test-deps: $(AXE)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "Chromium and chromedriver present."; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium chromium-driver; \
	fi

$(AXE): tests/browser/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; \
	fi
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

## bench: measure pages under gunicorn at one scale, or several in one table with
## BENCH_ARGS="--scales 10,500,2000,10000 --markdown" (see bench/README.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
