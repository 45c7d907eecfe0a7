"""Health, readiness and the audit-chain check."""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from award import audit
from award.models import Role
from api.deps import FileStoreDep, SessionDep, api_role
from api.openapi import errors

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


@router.get("/healthz", name="ops:healthz")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", name="ops:readyz",
            responses={503: {"description": "Cơ sở dữ liệu hoặc kho tệp không phản hồi; `checks` nói bên nào."}})
def readyz(session: SessionDep, store: FileStoreDep):
    checks = {}
    try:
        session.exec(text("SELECT 1")).one()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready", never a 500
        log.warning("ready.database_failed error=%s", type(exc).__name__)
        checks["database"] = "unavailable"
    try:
        store.check()
        checks["storage"] = "ok"
    except Exception as exc:
        log.warning("ready.storage_failed error=%s", type(exc).__name__)
        checks["storage"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


@router.get("/api/v1/audit/verify", name="api:audit:verify", dependencies=[api_role(Role.secretariat)],
            responses=errors(401, 403))
def verify_audit(session: SessionDep):
    result = audit.verify(session)
    body = {"ok": result.ok, "events": result.events}
    if not result.ok:
        body["first_bad_id"] = result.first_bad_id
    return body
