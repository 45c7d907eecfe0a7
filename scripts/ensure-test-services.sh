#!/usr/bin/env bash
# Make sure the services the test suite needs are there; safe to run repeatedly.
#   - PostgreSQL on 127.0.0.1:5432 (trust auth) with database award_test
#   - Debian's chromium at /usr/bin/chromium (for Playwright; never `playwright install`)
# SeaweedFS is NOT started here: tests start their own (tests/support/s3server.py).
set -euo pipefail

PGHOST_ADDR=127.0.0.1
PGPORT_NUM="${AWARD_TEST_PG_PORT:-5432}"
PG_CLUSTER="${AWARD_TEST_PG_CLUSTER:-main}"
PGUSER_NAME=postgres
TEST_DB=award_test

APT_UPDATED=0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Another apt/dpkg process (unattended-upgrades, another agent's install) may hold the dpkg or lists lock:
# wait for it instead of failing at once. apt-get waits by itself on the dpkg frontend lock with
# DPkg::Lock::Timeout; `apt-get update` (the lists lock) and older apt fail at once, so a failure that names
# a lock is retried until APT_LOCK_WAIT seconds have passed.
APT_LOCK_WAIT="${APT_LOCK_WAIT:-600}"
APT_LOCK_RETRY_SECONDS="${APT_LOCK_RETRY_SECONDS:-5}"

apt_get() {
  local log="$1"; shift
  local waited=0
  while true; do
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" "$@" >"$log" 2>&1; then
      return 0
    fi
    if ! grep -qiE "could not get lock|unable to acquire the dpkg frontend lock|unable to lock|is another process using it" "$log"; then
      return 1
    fi
    if [ "$waited" -ge "$APT_LOCK_WAIT" ]; then
      echo "apt: still locked by another process after ${APT_LOCK_WAIT}s" >&2
      return 1
    fi
    echo "apt: waiting for another apt/dpkg process to release its lock..." >&2
    sleep "$APT_LOCK_RETRY_SECONDS"
    waited=$((waited + ${APT_LOCK_RETRY_SECONDS%.*} + 1))
  done
}

apt_install() {
  local log
  log="$(mktemp)"
  if [ "$APT_UPDATED" -eq 0 ]; then
    if ! apt_get "$log" update -qq; then
      cat "$log" >&2; rm -f "$log"; return 1
    fi
    APT_UPDATED=1
  fi
  if ! apt_get "$log" install -y -qq --no-install-recommends "$@"; then
    tail -n 40 "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

# Sourced (tests/test_ensure_test_services.py): define the functions only.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

pg_ready() { pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" >/dev/null 2>&1; }

# --- PostgreSQL ------------------------------------------------------------
if ! command -v pg_isready >/dev/null 2>&1; then
  apt_install postgresql postgresql-client
fi
if pg_ready; then
  pg_state="already running"
else
  if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
  fi
  pg_version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_out="$($SUDO pg_ctlcluster --skip-systemctl-redirect "$pg_version" "$PG_CLUSTER" start 2>&1)" || true
  for _ in $(seq 1 60); do
    pg_ready && break
    sleep 0.5
  done
  if ! pg_ready; then
    echo "postgres: FAILED to start cluster $pg_version/$PG_CLUSTER on $PGHOST_ADDR:$PGPORT_NUM: $pg_out" >&2
    exit 1
  fi
  pg_state="started cluster $pg_version/$PG_CLUSTER"
fi
echo "postgres: $pg_state ($PGHOST_ADDR:$PGPORT_NUM)"

# --- database award_test ---------------------------------------------------
psql_q() { psql -X -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGUSER_NAME" -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_q -tAc "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'")" = "1" ]; then
  echo "award_test: database exists"
else
  # Another run may create it between the check and here: re-check on failure.
  if psql_q -c "CREATE DATABASE $TEST_DB" >/dev/null 2>&1 \
     || [ "$(psql_q -tAc "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'")" = "1" ]; then
    echo "award_test: database created"
  else
    echo "award_test: FAILED to create database $TEST_DB" >&2
    exit 1
  fi
fi

# --- chromium --------------------------------------------------------------
# Recommends are skipped (they pull mesa, printing, udev); fonts-liberation is
# the one worth having, so pages render with metric-compatible fonts.
chromium_missing=()
[ -x /usr/bin/chromium ] || chromium_missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q "ok installed" \
  || chromium_missing+=(fonts-liberation)
if [ "${#chromium_missing[@]}" -eq 0 ]; then
  chromium_state="present"
else
  apt_install "${chromium_missing[@]}"
  if [ ! -x /usr/bin/chromium ]; then
    echo "chromium: FAILED to install Debian package chromium" >&2
    exit 1
  fi
  chromium_state="installed ${chromium_missing[*]}"
fi
echo "chromium: $chromium_state ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"

# --- poppler-utils ---------------------------------------------------------
# pdftoppm renders every generated PDF to an image in the tests (official documents, issue 17).
if command -v pdftoppm >/dev/null 2>&1; then
  poppler_state="present"
else
  apt_install poppler-utils
  command -v pdftoppm >/dev/null 2>&1 || { echo "poppler-utils: FAILED to install" >&2; exit 1; }
  poppler_state="installed"
fi
echo "poppler-utils: $poppler_state ($(pdftoppm -v 2>&1 | head -n 1))"

echo "seaweedfs: not started here (tests start their own weed mini)"
