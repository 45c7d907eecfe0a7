"""Help that ships with the app: the browsable API documentation and a short guide per role."""

from fastapi import APIRouter, Request

from api.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", name="pages:api_docs")
def api_docs(request: Request):
    """Swagger UI from vendored files (static/vendor/swagger-ui) started by static/js/api-docs.js, instead of
    FastAPI's page, which loads it from a CDN with an inline script: the CSP blocks both, and production
    machines may have no internet."""
    return render(request, "help/api_docs.html", {"openapi_url": request.app.openapi_url})
