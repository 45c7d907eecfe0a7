#!/usr/bin/env bash
# Restore drill: restore a backup into a scratch database and prove it is whole, without touching the site.
#
#   scripts/restore-drill.sh /srv/backup/2024-11-10
#
# Takes the site's settings from the environment (storage, S3 bucket) but never its database: the
# restore goes to AWARD_DRILL_DATABASE_URL (default: a SQLite file in a temporary directory, removed
# afterwards; the backup format is the same for both engines). With S3 storage the restore checks that
# every file of the manifest is in the bucket with its checksum; with local storage the files are copied
# into the scratch directory and checked there. Then the audit chain is verified and the row count compared
# with the manifest. Exit 0 and a last line "restore-drill: OK" when all holds.
set -euo pipefail
backup="${1:?usage: scripts/restore-drill.sh BACKUP_DIR}"
[ -f "$backup/manifest.json" ] || { echo "restore-drill: $backup/manifest.json not found" >&2; exit 2; }
read -r -a AWARD <<< "${AWARD_CLI:-award}"
PYTHON="${PYTHON:-python3}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/award-restore-drill-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export AWARD_DATA_DIR="$scratch"
export AWARD_DATABASE_URL="${AWARD_DRILL_DATABASE_URL:-sqlite:///$scratch/drill.db}"

started=$(date +%s)
restored="$("${AWARD[@]}" restore "$backup")"
echo "restore-drill: restored $restored"
verified="$("${AWARD[@]}" audit verify)" || { echo "restore-drill: FAIL: audit chain broken: $verified" >&2; exit 1; }
echo "restore-drill: audit $verified"

"$PYTHON" - "$backup/manifest.json" "$restored" "$verified" <<'PY'
import json, sys

manifest = json.load(open(sys.argv[1], encoding="utf-8"))
restored, verified = json.loads(sys.argv[2]), json.loads(sys.argv[3])
expected = sum(t["rows"] for t in manifest["tables"].values())
problems = []
if restored["rows"] != expected:
    problems.append(f"rows restored {restored['rows']} != manifest {expected}")
if restored["files"] != len(manifest["files"]):
    problems.append(f"files {restored['files']} != manifest {len(manifest['files'])}")
if not verified.get("ok"):
    problems.append(f"audit chain broken: {verified}")
if problems:
    sys.exit("restore-drill: FAIL: " + "; ".join(problems))
print(f"restore-drill: {expected} rows in {len(manifest['tables'])} tables and {len(manifest['files'])} files, "
      f"revision {manifest.get('alembic_revision')}")
PY
echo "restore-drill: took $(( $(date +%s) - started )) s"
echo "restore-drill: OK"
