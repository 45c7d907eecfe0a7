"""Prometheus metrics: requests by route template (never by raw path, so ids do not explode the series),
latency, and the outbox's backlog read from the database at scrape time.

Per process by default. With several workers (`award serve --workers N`) set PROMETHEUS_MULTIPROC_DIR
to an empty directory writable by the app (the prometheus-client multiprocess mode); /metrics then adds
up every worker of the machine. Each machine is scraped on its own.

Who may read it: with AWARD_METRICS_TOKEN set, callers presenting `Authorization: Bearer <token>`;
without it, only clients on the loopback interface that did not come through a proxy (a Prometheus
agent on the same machine). Behind a proxy, set the token.
"""

import ipaddress
import os
import secrets
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlmodel import Session, select

from award.jobs import Job, JobStatus
from award.models import READ_ONLY
from award.outbox import OutboxMessage, OutboxStatus
from api.settings import get_settings

REQUESTS = Counter("award_http_requests_total", "HTTP requests answered, by route template, method and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("award_http_request_duration_seconds", "Time to answer an HTTP request, by route template.",
                    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def route_label(scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template:
        return template
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI: counts every answer (including errors) once the router has chosen the route."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = route_label(scope)
            if route != "/metrics":
                method = scope.get("method", "GET")
                REQUESTS.labels(method, route, str(status["code"])).inc()
                LATENCY.labels(method, route).observe(time.perf_counter() - started)


class OutboxCollector:
    """Pending and failed e-mails, and the age of the oldest pending one: an alert when mail is stuck."""

    def __init__(self, engine, now):
        self.engine, self.now = engine, now

    def collect(self):
        # e-mails of the outbox (award/outbox.py) and background jobs (award/jobs.py): how many in each state,
        # and how long the oldest still to do has waited
        yield from self._queue(OutboxMessage.status, OutboxMessage.created_at, OutboxStatus,
                               ("award_outbox_messages", "E-mails in the outbox, by status."),
                               ("award_outbox_oldest_pending_seconds", "Age of the oldest unsent e-mail."))
        yield from self._queue(Job.status, Job.next_attempt_at, JobStatus,
                               ("award_jobs", "Background jobs, by status."),
                               ("award_jobs_oldest_due_seconds", "How long the oldest due job has waited."))

    def _queue(self, status, waiting_since, statuses, counted: tuple[str, str], oldest_waiting: tuple[str, str]):
        with Session(self.engine.execution_options(**{READ_ONLY: True})) as session:
            counts = dict(session.exec(select(status, func.count()).group_by(status)).all())
            oldest = session.exec(select(func.min(waiting_since)).where(status == statuses.pending)).one()
        by_status = GaugeMetricFamily(*counted, labels=["status"])
        for value in statuses:
            by_status.add_metric([value.value], counts.get(value, 0))
        yield by_status
        age = max((self.now() - oldest).total_seconds(), 0.0) if oldest else 0.0
        yield GaugeMetricFamily(*oldest_waiting, value=age)


router = APIRouter(include_in_schema=False)


def _allowed(request: Request) -> bool:
    token = get_settings().metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        return secrets.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False  # came through a proxy: the address it reports may be the client's own claim
    try:
        return ipaddress.ip_address(request.client.host).is_loopback if request.client else False
    except ValueError:
        return False


@router.get("/metrics", name="ops:metrics")
def metrics(request: Request):
    if not _allowed(request):
        return JSONResponse({"detail": {"code": "forbidden", "message": "Chỉ hệ thống giám sát được đọc số liệu này."}},
                            status_code=403)
    from api.clock import now
    from api.db import get_engine

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    extra = CollectorRegistry()
    extra.register(OutboxCollector(get_engine(), now))
    try:
        outbox = generate_latest(extra)
    except Exception:  # the database is down: the request metrics still answer
        outbox = b""
    return Response(generate_latest(registry) + outbox, media_type=CONTENT_TYPE_LATEST)
