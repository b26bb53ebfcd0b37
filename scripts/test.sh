#!/usr/bin/env bash
# The test suite: lint, migrations check, pytest on SQLite, again on PostgreSQL when reachable,
# and the browser tests when a Chromium is found. Under CI (CI=true) nothing may be skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${DANGJIAN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
CHROMIUM=${DANGJIAN_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
export DANGJIAN_CHROMIUM="$CHROMIUM"
ci=${CI:-false}
# pytest-xdist: one worker per core. Plain "load" keeps pytest-django's order (transactional tests last,
# since they leave the tables empty); --dist loadfile would run them in the middle of a worker's files.
XDIST=(-n "${DANGJIAN_TEST_WORKERS:-auto}" --dist load)
skipped=()
status=0

step() { printf '\n==> %s\n' "$*"; }

step "ruff"
$BIN/ruff check . || status=1

step "project lint rules (scripts/lint_rules.py)"
$BIN/python scripts/lint_rules.py || status=1

step "migrations are up to date"
DJANGO_SETTINGS_MODULE=dangjian.settings_test $BIN/python -m django makemigrations --check --dry-run >/dev/null || {
  echo "models changed without a migration"; status=1; }

step "pytest on SQLite"
$BIN/pytest -m "not browser" "${XDIST[@]}" || status=1

if $BIN/python -c "import psycopg,sys; psycopg.connect('$PG_URL', connect_timeout=3).close()" 2>/dev/null; then
  step "pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $BIN/pytest -m "not browser" "${XDIST[@]}" || status=1
else
  skipped+=("PostgreSQL tests: no server at $PG_URL")
fi

if [ -n "$CHROMIUM" ]; then
  step "browser tests (headless $CHROMIUM)"
  $BIN/dangjian collectstatic --noinput --verbosity 0 >/dev/null 2>&1 || DANGJIAN_DEBUG=1 $BIN/dangjian collectstatic --noinput --verbosity 0
  $BIN/pytest -m browser || status=1
else
  skipped+=("browser tests: no chromium found (apt-get install chromium fonts-wqy-microhei)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  printf '\nSKIPPED:\n'; printf '  - %s\n' "${skipped[@]}"
  if [ "$ci" = "true" ]; then echo "CI=true: nothing may be skipped"; status=1; fi
fi
[ $status -eq 0 ] && echo "ALL TEST STAGES PASSED" || echo "TEST STAGES FAILED"
exit $status
