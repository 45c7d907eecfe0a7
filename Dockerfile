# syntax=docker/dockerfile:1
# Production image of the award-management service (FastAPI/SQLModel).
# Build: docker build -t award .      Run: see compose.yaml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    AWARD_ENV=production \
    AWARD_DATA_DIR=/app/data \
    PYTHONPATH=/app

RUN groupadd --system --gid 10001 award \
 && useradd --system --uid 10001 --gid award --home-dir /app --shell /usr/sbin/nologin award

WORKDIR /app

# The whole context (see .dockerignore: no .venv, data, tests, .git, bench/tmp):
# award/ judging/ api/ templates/ migrations/ alembic.ini static/ scripts/ ...
COPY . /app

# `pip install .` brings the dependencies and the `award` command. The code
# itself must run from /app (PYTHONPATH above): api/ finds templates/, static/,
# migrations/ and alembic.ini next to itself (Path(__file__).parents[1]), which
# the copy in site-packages does not have.
RUN pip install --no-cache-dir . \
 && chmod 0755 /app/scripts/docker-entrypoint.sh \
 && mkdir -p /app/data \
 && chown award:award /app/data \
 && rm -rf /app/build /app/*.egg-info

USER award

EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
