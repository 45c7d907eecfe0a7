"""Prometheus metrics: by route template, readable only with the token or from the machine itself."""

import re

from prometheus_client.parser import text_string_to_metric_families

from award.outbox import enqueue
from api.settings import get_settings


def samples(text: str) -> dict:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def requests_count(text, method, route, status):
    return samples(text).get(("award_http_requests_total",
                              tuple(sorted({"method": method, "route": route, "status": status}.items()))), 0)


def test_metrics_need_the_token(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "metrics_token", "bi-mat-giam-sat-0123456789")
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["detail"]["message"] == "Chỉ hệ thống giám sát được đọc số liệu này."
    assert client.get("/metrics", headers={"Authorization": "Bearer sai"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer bi-mat-giam-sat-0123456789"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")


def test_without_a_token_only_loopback_may_read(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "metrics_token", None)
    assert client.get("/metrics").status_code == 403  # the test client's address is "testclient"
    from fastapi.testclient import TestClient

    from api.main import app

    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200
        # through a proxy the address may be the caller's own claim (X-Forwarded-For: 127.0.0.1)
        assert local.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403


def test_requests_are_counted_by_route_template_with_status(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "metrics_token", "t" * 32)
    auth = {"Authorization": "Bearer " + "t" * 32}
    before = client.get("/metrics", headers=auth).text
    for round_id in (1, 2, 3):
        client.get(f"/api/v1/rounds/{round_id}")
    client.get("/api/v1/rounds/999999")
    client.get("/khong-co-trang/123")
    after = client.get("/metrics", headers=auth).text
    assert requests_count(after, "GET", "/api/v1/rounds/{round_id}", "200") - \
        requests_count(before, "GET", "/api/v1/rounds/{round_id}", "200") == 3
    assert requests_count(after, "GET", "/api/v1/rounds/{round_id}", "404") - \
        requests_count(before, "GET", "/api/v1/rounds/{round_id}", "404") == 1
    assert requests_count(after, "GET", "unmatched", "404") >= 1
    assert not re.search(r'route="/api/v1/rounds/\d', after)  # never the raw path
    assert 'award_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/rounds/{round_id}"}' in after


def test_outbox_backlog_is_exported(engine, monkeypatch):
    """Read at scrape time from the database (committed rows: the scrape has its own connection)."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, delete

    from award.outbox import OutboxMessage
    from api.main import app

    client = TestClient(app)

    monkeypatch.setattr(get_settings(), "metrics_token", "t" * 32)
    auth = {"Authorization": "Bearer " + "t" * 32}
    with Session(engine) as s:
        enqueue(s, to="a@example.vn", subject="S", body="B", kind="test", key="metrics:1")
        s.commit()
    try:
        text = client.get("/metrics", headers=auth).text
        assert samples(text)[("award_outbox_messages", (("status", "pending"),))] >= 1
        assert ("award_outbox_oldest_pending_seconds", ()) in samples(text)
        assert ("award_jobs", (("status", "failed"),)) in samples(text)
        assert ("award_jobs_oldest_due_seconds", ()) in samples(text)
    finally:
        with Session(engine) as s:
            s.exec(delete(OutboxMessage).where(OutboxMessage.key == "metrics:1"))
            s.commit()
