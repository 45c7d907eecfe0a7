"""create_app(): routers, static files, error handlers, logging."""

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors, metrics
from api.admission import AdmissionMiddleware
from api.limits import BodyLimitMiddleware
from api.logs import configure_logging
from api.memory import return_freed_memory
from api.metrics import MetricsMiddleware
from api.pages import (
    account,
    central as central_pages,
    contests as contest_pages,
    entries as entry_pages,
    help as help_pages,
    judging as judging_pages,
    outline_admin,
    people as people_pages,
    public,
    records as record_pages,
    results as result_pages,
    round_admin as round_pages,
    themes as theme_pages,
    units as unit_pages,
)
from api.routers import (
    auth,
    central,
    contests,
    entries,
    files,
    judging,
    ops,
    records,
    reference,
    results,
    round_admin,
    themes,
)
from api.security import TrustedProxyMiddleware, WebMiddleware, parse_networks
from api.settings import get_settings

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def storage_origin(settings) -> str | None:
    """The object store's address as browsers see it (scheme://host:port), for the CSP."""
    if settings.storage != "s3":
        return None
    parts = urlsplit(settings.s3_public_endpoint or settings.s3_endpoint)
    return f"{parts.scheme}://{parts.netloc}"


@asynccontextmanager
async def lifespan(app: FastAPI):
    # As many worker threads as requests admitted (api/admission.py), so a request that holds a pooled
    # connection always finds a thread; commit and rollback have threads of their own (api.db).
    settings = get_settings()
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.requests_in_flight
    app.state.admission = anyio.Semaphore(settings.requests_in_flight)
    # Commit and rollback: one thread per pooled connection, apart from the requests' (api.db.get_session).
    app.state.teardown_limiter = anyio.CapacityLimiter(settings.db_pool_size + settings.db_pool_overflow)
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging()
    return_freed_memory()  # every worker process creates the app: each one keeps near its idle size
    app = FastAPI(
        lifespan=lifespan,
        title="Giải Búa liềm vàng – hệ thống quản lý tác phẩm",
        version="1.0",
        docs_url=None,  # served by api/pages/help.py from vendored files (the CSP blocks the CDN)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.add_middleware(BodyLimitMiddleware)  # innermost: bodies bounded per route kind (api/limits.py)
    app.add_middleware(WebMiddleware, storage_origin=storage_origin(settings), hsts=settings.env == "production")
    app.add_middleware(AdmissionMiddleware)  # requests waiting for their turn hold nothing (api/admission.py)
    app.add_middleware(MetricsMiddleware)  # times and counts every answer, errors included
    # Outermost: everything inside sees the real client address and scheme (api/security.py).
    app.add_middleware(TrustedProxyMiddleware, proxies=parse_networks(settings.trusted_proxies))
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    routers = (ops, metrics, auth, reference, round_admin, entries, files, themes, contests, judging, central, results,
               records, public, account, entry_pages, outline_admin, theme_pages, contest_pages, judging_pages,
               central_pages, result_pages, round_pages, record_pages, help_pages, unit_pages,
               people_pages)
    for module in routers:
        app.include_router(module.router)
    logging.getLogger(__name__).info("app.created env=%s storage=%s", settings.env, settings.storage)
    return app


app = create_app()
