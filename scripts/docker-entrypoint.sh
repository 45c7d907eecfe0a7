#!/bin/sh
# Container entry point: apply migrations, then serve.
#   AWARD_MIGRATE=0  skip `award migrate` (compose runs it once in the `migrate`
#                    service so that replicas don't race on the schema)
#   AWARD_WORKERS    uvicorn worker processes (default 2)
# Any arguments replace the default command, e.g. `docker run IMAGE award --help`.
set -eu

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

if [ "${AWARD_MIGRATE:-1}" != "0" ]; then
  award migrate
fi

exec award serve --host 0.0.0.0 --port 8000 --workers "${AWARD_WORKERS:-2}"
