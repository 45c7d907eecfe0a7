"""Admission control: at most AWARD_REQUESTS_IN_FLIGHT (40) requests inside an app process at once.

FastAPI runs a sync endpoint in one worker thread and validates its response in another, with the
request's transaction still open. If more requests are inside than there are threads, every thread can
end up waiting for a pooled connection while the requests holding the connections wait for a thread to
finish: nothing moves until the pool's timeout (a deadline surge of 200 journalists did exactly that,
bench/surge.py). With no more requests inside than threads, a request holding a connection always finds
a thread, so waiting for a connection is only queueing. The rest wait here, holding nothing."""

EXEMPT = ("/healthz", "/readyz", "/metrics", "/static/")


class AdmissionMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        gate = getattr(scope.get("app") and scope["app"].state, "admission", None) if scope["type"] == "http" else None
        if gate is None or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        async with gate:
            await self.app(scope, receive, send)
