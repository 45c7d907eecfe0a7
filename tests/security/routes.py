"""Every route of the application, from the app itself (FastAPI's own route walk)."""

from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from api.main import app

SKIP_METHODS = {"HEAD", "OPTIONS"}


def app_routes() -> list[tuple[str, str]]:
    """(method, path template) for every endpoint; mounts (static files) are listed as GET."""
    found = []
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        if isinstance(route, Mount):
            found.append(("GET", rc.path + "/{path}"))
            continue
        for method in sorted(set(getattr(rc, "methods", None) or []) - SKIP_METHODS):
            found.append((method, rc.path))
    return found
