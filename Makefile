# Two commands do all set-up: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

.PHONY: fuzz run test lint install check-python translations messages seed-check clean bench cjk-font load-generator

run: $(VENV)/.installed translations cjk-font
	$(BIN)/tracker db upgrade
	$(BIN)/tracker regions load
	$(BIN)/tracker seed
	$(BIN)/tracker users ensure-admin
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

# The gates and the suite at once (issue 15: `make test` in under 2 minutes): mypy runs on one
# core for ~20 s on a cold cache while the suite's workers, which wait on Chromium and servers,
# leave room beside them; the gates' findings are printed after the suite, and either failing
# fails `make test`. The suite on one worker per core (pytest-xdist's `auto`, see
# tests/conftest.py; TEST_WORKERS=0 for one process). Bytecode is written even where the
# environment says not to (PYTHONDONTWRITEBYTECODE): every worker and every server the suite
# starts would otherwise compile the tracker, and pytest rewrite every test module, afresh.
TEST_WORKERS ?= auto
test: translations cjk-font $(VENV)/.installed
	@$(MAKE) --no-print-directory lint > .lint.log 2>&1 & lint=$$!; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS); tests=$$?; \
	wait $$lint; linted=$$?; cat .lint.log; rm -f .lint.log; \
	[ $$linted = 0 ] || echo "make lint failed (above): fix its findings"; \
	[ $$tests = 0 ] && [ $$linted = 0 ]

# Lint and types: zero findings, or `make test` (and CI) stops here. Settings in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check tracker tools
	$(BIN)/mypy

install: $(VENV)/.installed

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "The tracker needs Python 3.11 or newer: set PYTHON=/path/to/python3.11"; exit 1; }

# Reinstalled whenever pyproject.toml changes; the dev extras are small enough to always install.
$(VENV)/.installed: pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d tracker/translations >/dev/null

# After adding or changing a _() string: brings the catalog up to date and lists what lacks
# English; fill it with tools/set_translations.py (a JSON of msgid → English).
messages: $(VENV)/.installed
	@$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o .messages.pot . 2>/dev/null
	@$(BIN)/pybabel -q update -i .messages.pot -d tracker/translations --no-fuzzy-matching --ignore-obsolete
	@rm -f .messages.pot
	@$(BIN)/python -c 'from babel.messages.pofile import read_po; c = read_po(open("tracker/translations/en/LC_MESSAGES/messages.po", "rb")); [print("no English:", m.id) for m in c if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]'

# Hostile input at scale (issue 14): 10,000 fresh Hypothesis examples per form, the importer and
# the query strings, and the route walk with its whole corpus; prints the table that
# docs/RELIABILITY.md records. FUZZ_ARGS="--examples 1000 --jobs 1" for a shorter run.
fuzz: $(VENV)/.installed translations
	$(BIN)/python tools/fuzz.py $(FUZZ_ARGS)

# Benchmarks (issue 7): generates 1k/10k/100k portfolios on SQLite and PostgreSQL, measures them
# through gunicorn, writes benchmarks/RESULTS.md (issue 19). ~25 min at 100,000 once the data exists;
# BENCH_ARGS="--parts list,datasette" re-runs parts, BENCH_ARGS="--sizes 1000 --quick" is a smoke run.
bench: $(VENV)/.installed translations load-generator
	BENCH_VIA_MAKE=1 $(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Throughput is measured with wrk (Debian's package), a load generator in C on its own threads,
# not Python threads competing with the server for the same cores (issue 19). Installed where we
# may (root with apt-get); otherwise benchmarks/measure.py says it fell back to threads.
load-generator:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
	  || echo "wrk not installed: throughput will be measured with Python threads (see benchmarks/README.md)"

# The briefing and the PDF list embed a Chinese TrueType font (README: "Printing Chinese"). Where
# none is installed and we may, install WenQuanYi Zen Hei from Debian; otherwise say what to do.
# Never fatal: without it the PDFs fall back to the reader's built-in STSong-Light.
cjk-font:
	@if command -v fc-list >/dev/null && [ -n "$$(fc-list :lang=zh family 2>/dev/null)" ]; then :; \
	elif [ -n "$$TRACKER_CJK_FONT" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing a Chinese font for the PDFs (fonts-wqy-zenhei) …"; \
	  (DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei fontconfig >/dev/null) \
	  || echo "Could not install fonts-wqy-zenhei; PDFs will use STSong-Light (see README)."; \
	else echo "No Chinese font found: install fonts-wqy-zenhei or set TRACKER_CJK_FONT (see README)."; fi

seed-check: $(VENV)/.installed
	$(BIN)/tracker seed --check

clean:
	rm -rf $(VENV) instance .pytest_cache
