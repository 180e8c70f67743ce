# kpiledger — everything runs inside a project-local virtual environment (.venv),
# so the commands work on Debian systems whose Python refuses a global `pip install`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run pdf-fonts evaluate test test-postgres browser lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: install, then start the web ledger with the reference report (釧路市 令和5年度)
run: $(STAMP) pdf-fonts
	$(BIN)/kpiledger serve

## pdf-fonts: Noto Sans CJK JP and Pango for the PDF output (apt-get as root; otherwise a note)
pdf-fonts:
	@if ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
	    || ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null \
	      || echo "PDF出力用のフォントとPangoを入れられませんでした (could not install them)"; \
	  else \
	    echo "PDF出力には fonts-noto-cjk と Pango が必要です (PDF output needs them): sudo apt-get install fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  fi; \
	fi

## evaluate: judge the bundled reference report on the terminal
evaluate: $(STAMP)
	$(BIN)/kpiledger evaluate

## test: install (with Debian's Chromium for the browser tests), then run the whole suite on
## SQLite, one pytest worker per core (pytest-xdist; each worker has its own test database)
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto

## test-postgres: the whole suite on PostgreSQL, in a test database that pytest makes and drops:
## KPILEDGER_TEST_DATABASE_URL=postgres://user@127.0.0.1:5432/kpiledger make test-postgres
test-postgres: $(STAMP) browser
	@if [ -z "$$KPILEDGER_TEST_DATABASE_URL" ]; then \
	  echo "KPILEDGER_TEST_DATABASE_URL=postgres://利用者@ホスト:ポート/名前 を指定してください (set it to a PostgreSQL server whose user may create databases)"; \
	  exit 2; \
	fi
	$(BIN)/python -m pytest -n auto

## browser: Debian's Chromium and Japanese fonts for the browser and PDF tests (apt-get, as root)
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ] \
	    || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
	    || [ ! -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] \
	    || ! ldconfig -p | grep -q libpangoft2-1.0.so.0; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-noto-cjk fonts-ipafont-gothic poppler-utils \
	      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "Install Debian's chromium, fonts-noto-cjk, fonts-ipafont-gothic, poppler-utils and Pango for WeasyPrint (sudo apt-get install chromium fonts-noto-cjk fonts-ipafont-gothic poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)"; \
	    exit 1; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: every benchmark on SQLite, then on PostgreSQL (KPILEDGER_BENCH_POSTGRES=postgres://…,
## else a throwaway cluster when Debian's postgresql is installed, else skipped), with one table
## of the figures against their targets at the end (docs/benchmarks.md). Never in the test suite.
bench: $(STAMP)
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "the load benchmarks need wrk: sudo apt-get install wrk"; \
	  fi; \
	fi
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
