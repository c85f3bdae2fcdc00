# The two commands of the README: `make demo` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := data
DEMO_COMPLAINTS ?= 5000
BENCH_COMPLAINTS ?= 200000
# earlier copies of the history written straight into core, for the deep-history night (0: none)
BENCH_HISTORY_COPIES ?= 0
PORT ?= 8501

.PHONY: install demo test test-fast lint browser services bench lock clean

# The Data Docs assets list is part of the install: a changed list fetches again.
$(STAMP): pyproject.toml constraints.txt flows/quality/docs_assets.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m tousu.flows.quality.docs_assets || echo "warning: GX Data Docs will use public CDNs"
	touch $(STAMP)

# The monthly report prints its PDF with Debian's Chromium: part of the install (make browser);
# PostgreSQL for a Prefect server beyond one machine (make services).
install: $(STAMP) browser services

# Fresh demo inbox, the nightly flow over it, then the review app on what it published.
demo: install
	$(BIN)/tousu demo-data --out $(DATA)/demo-inbox --complaints $(DEMO_COMPLAINTS) --seed 1
	$(BIN)/tousu demo-plans
	$(BIN)/tousu demo-users
	$(BIN)/tousu nightly --inbox $(DATA)/demo-inbox
	$(BIN)/tousu summary
	$(BIN)/tousu dashboard --port $(PORT)

# Python style and format, the SQL models (DuckDB dialect), types. mypy reads the folders under
# the names they are installed as (tousu.flows, ...): build/typecheck/tousu/ links them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint warehouse
	mkdir -p build/typecheck/tousu
	for d in flows warehouse dashboards expectations; do ln -sfn "$(CURDIR)/$$d" build/typecheck/tousu/$$d; done
	MYPYPATH=build/typecheck $(BIN)/mypy -p tousu.flows -p tousu.warehouse -p tousu.dashboards

# Debian's Chromium prints the monthly report's PDF and drives the browser tests (CJK fonts for
# the Chinese pages); the tests read the PDF back with poppler-utils and open the workbook with
# LibreOffice (headless).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . \
	  && command -v pdftotext >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium fonts-noto-cjk poppler-utils \
	    libreoffice-calc-nogui >/dev/null; }

# Debian's PostgreSQL: the database of a Prefect server shared by several workers
# (docs/operations.md). The operations test starts a cluster of its own, on a loopback port, and
# stops it; the package's default cluster is not created (no server is left running).
# xfsprogs: the publish test makes a small XFS file system (loop-mounted, then unmounted) to
# check that the readers' copy is a clone where the file system makes them.
services:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  mkdir -p /etc/postgresql-common \
	  && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    -o Dpkg::Options::=--force-confold --no-install-recommends postgresql >/dev/null; }
	@command -v mkfs.xfs >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends xfsprogs >/dev/null; }

# Unit tests, then the end-to-end tests (marked e2e) against one Prefect test server.
test: lint browser services
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not e2e"

bench: install
	$(BIN)/python -m tousu.flows.bench --complaints $(BENCH_COMPLAINTS) \
		--history-copies $(BENCH_HISTORY_COPIES)

# Refresh the constraints file (the lock) from what the virtual environment holds.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
