#!/usr/bin/env bash
# The suite on both engines at once: SQLite + local disk, and PostgreSQL (each with its own SeaweedFS,
# servers and Chromium, each in its own temporary directories). `make test` runs this.
#
# Why at once: most of a pass waits on its servers, its browser and its database, so two passes share a
# 2-core machine well — the whole run takes about the longer pass, not the sum (README, "Tests").
# Each pass writes to its own log; a line every minute says how far each has gone, and at the end both
# logs are printed whole, SQLite first. Exits non-zero when either pass fails.
#
#   scripts/test-engines.sh [extra pytest arguments, given to both passes]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${BIN:-.venv/bin}
PG_TEST_URL=${PG_TEST_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/award_test}
logs=$(mktemp -d "${TMPDIR:-/tmp}/award-test-logs-XXXXXX")

start() {  # start NAME ENV... : one pass in the background, its log and exit code under $logs
  local name=$1
  shift
  mkdir -p "$logs/$name-tmp"
  # its own pytest temporary root, so that neither pass's clean-up touches the other's directories
  (env PYTEST_DEBUG_TEMPROOT="$logs/$name-tmp" "$@" "$BIN/pytest" -q "${EXTRA[@]}" >"$logs/$name.log" 2>&1
   echo $? >"$logs/$name.rc") &
}

progress() {  # the last "[ 42%]" a pass has printed
  grep -o '\[ *[0-9]*%\]' "$logs/$1.log" 2>/dev/null | tail -1 | tr -d '[] ' || true
}

EXTRA=("$@")
started=$(date +%s)
start sqlite
start postgres AWARD_TEST_DATABASE_URL="$PG_TEST_URL"
echo "== tests on SQLite + local disk and on PostgreSQL, at once (logs: $logs) =="

while [ ! -f "$logs/sqlite.rc" ] || [ ! -f "$logs/postgres.rc" ]; do
  sleep 60
  echo "   $(( ($(date +%s) - started) / 60 )) min: SQLite $(progress sqlite), PostgreSQL $(progress postgres)"
done
wait

status=0
for name in sqlite postgres; do
  if [ "$name" = sqlite ]; then echo "== tests on SQLite + local disk =="; else echo "== tests on PostgreSQL =="; fi
  cat "$logs/$name.log"
  rc=$(cat "$logs/$name.rc")
  [ "$rc" = 0 ] || status=1
done
echo "== both engines: $(( ($(date +%s) - started) / 60 )) min; SQLite exit $(cat "$logs/sqlite.rc"), PostgreSQL exit $(cat "$logs/postgres.rc") =="
[ "$status" = 0 ] && rm -rf "$logs"
exit "$status"
