# dangjian — two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test install assets lint bench bench-demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

assets: install
	$(BIN)/dangjian collectstatic --noinput --verbosity 0

run: install
	$(BIN)/dangjian init-env
	$(BIN)/dangjian migrate --noinput --verbosity 0
	$(BIN)/dangjian collectstatic --noinput --verbosity 0
	$(BIN)/dangjian setup_demo --logins-file var/demo-logins.txt
	@# The worker (queued tasks and the schedule) runs beside the web server and stops with it: Ctrl-C
	@# reaches both; the EXIT trap also stops the worker when the server exits for any other reason.
	@# Its task lines go to var/worker.log and the access log to var/access.log, so that what the server
	@# prints once it listens (the address it bound, the worker's state, the demo logins) stays on screen.
	@$(BIN)/dangjian worker >>var/worker.log 2>&1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/dangjian serve --log-level warning --access-logfile var/access.log --worker-pid $$worker \
	  --note "后台任务进程日志（worker log）：var/worker.log；访问日志（access log）：var/access.log" \
	  --banner var/demo-logins.txt

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .

# every benchmark, in the order they build on each other (health reuses run.py's 1,000,000-member
# PostgreSQL enterprise); each prints its figures and adds a dated section to bench/RESULTS.md. Hours.
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/health_bench.py
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/dues_bench.py
	$(BIN)/python bench/demo_bench.py

# the full demo (register + a year of activity + first scan) at 100,000 members, seed 7, with the
# planted-records check of issue #18; DANGJIAN_BENCH_PG names the PostgreSQL database (schema dropped)
bench-demo: install
	$(BIN)/python bench/demo_bench.py

clean:
	rm -rf $(VENV) node_modules var/static
