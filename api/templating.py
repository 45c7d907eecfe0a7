"""The one Jinja2 environment: autoescape on, Vietnamese labels and dates in Asia/Ho_Chi_Minh."""

from datetime import date, datetime
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from award.models import ENTRY_STATUS_LABELS, ROLE_LABELS, ROUND_STATUS_LABELS, UNIT_KIND_LABELS
from award.rules import MEDIA_TYPES
from judging.contests import REASONS
from api.security import csrf_token
from api.settings import get_settings

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(get_settings().tz).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


templates.env.filters["vn_date"] = vn_date
templates.env.globals.update(
    csrf_token=csrf_token,
    ROLE_LABELS=ROLE_LABELS,
    ROUND_STATUS_LABELS=ROUND_STATUS_LABELS,
    UNIT_KIND_LABELS=UNIT_KIND_LABELS,
    ENTRY_STATUS_LABELS=ENTRY_STATUS_LABELS,
    MEDIA_TYPES=MEDIA_TYPES,
    SCREENING_REASONS=REASONS,
)


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200):
    ctx = {"user": getattr(request.state, "user", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
