"""The one Jinja2 environment: autoescape on, Vietnamese labels and dates in Asia/Ho_Chi_Minh."""

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context, pass_environment
from jinja2.filters import do_truncate
from starlette.datastructures import URL
from starlette.routing import NoMatchFound

from award import permissions
from award.calendar import PHASE_LABELS
from award.models import ENTRY_STATUS_LABELS, ROLE_LABELS, UNIT_KIND_LABELS
from award.records import ACTION_LABELS, theme_change
from award.rules import FIELDS_FOR_MEDIA, MEDIA_TYPES, genre_label
from award.suggestions import DRAFT_WEAK_NOTES
from award.tagging_units import OFF_OUTLINE_NOTE, match_level
from award.text import upfirst
from judging.contests import REASONS
from api.limits import file_cap, human_size
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


def file_size(size: int | None) -> str:
    """Bytes as people read them, with the Vietnamese decimal comma: 912 B, 4,2 KB, 3,5 MB, 1,2 GB."""
    if size is None:
        return ""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} B"


def points(value) -> str:
    """Points with the Vietnamese decimal comma and no trailing zeros: 73,5; 100; 0,25."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value).replace(",", "."))
    except ArithmeticError:  # what a person typed, shown back as typed (a refused score: "abc")
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f").replace(".", ",")


FILE_KINDS = {"document": "Văn bản", "image": "Ảnh", "audio": "Âm thanh", "video": "Video"}
FORMATS = {"application/pdf": "PDF", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
           "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "audio/mpeg": "MP3", "audio/mp4": "M4A",
           "audio/x-m4a": "M4A", "audio/wav": "WAV", "audio/x-wav": "WAV", "video/mp4": "MP4", "video/quicktime": "MOV"}


def file_kind(kind: str, content_type: str) -> str:
    """“Văn bản (PDF)”: the kind in Vietnamese and the format people know it by."""
    fmt = FORMATS.get(content_type) or content_type.split("/")[-1].upper()
    return f"{FILE_KINDS.get(kind, kind)} ({fmt})"


def _leaves(app):
    """Every route that can build a URL, in the order the router tries them."""
    for route in app.router.routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI ≥ 0.16x)
            yield from route.effective_route_contexts()
        else:
            yield route


_ROUTE_BY_NAME: dict[tuple[int, str], object] = {}


@pass_context
def url_for(context, name: str, /, **path_params) -> URL:
    """Starlette's `url_for`, remembering which route answers a name. The router tries every route in
    turn, a few hundred of them: a judge's queue of 400 links spent most of its time there
    (bench/scale.py). The first route that answers is the one the router would have used."""
    request: Request = context["request"]
    key = (id(request.app), name)
    route = _ROUTE_BY_NAME.get(key)
    if route is not None:
        try:
            return route.url_path_for(name, **path_params).make_absolute_url(base_url=request.base_url)
        except NoMatchFound:
            pass
    for route in _leaves(request.app):
        try:
            path = route.url_path_for(name, **path_params)
        except NoMatchFound:
            continue
        _ROUTE_BY_NAME[key] = route
        return path.make_absolute_url(base_url=request.base_url)
    raise NoMatchFound(name, path_params)


_ROW_FIELD = re.compile(r"^(parts|authors|prior_awards)-(\d+)-")
_ROW_NAMES = {"parts": "Kỳ", "authors": "Tác giả", "prior_awards": "Giải thưởng đã đạt"}


def field_place(name: str) -> str:
    """Which row of a repeated group a form field is in, to put before its message in the form's list of errors
    ("parts-1-url" → "Kỳ 2: "): the same refusal of three parts' links read three times alike there."""
    found = _ROW_FIELD.match(name or "")
    return f"{_ROW_NAMES[found.group(1)]} {int(found.group(2)) + 1}: " if found else ""


templates.env.filters["field_place"] = field_place
templates.env.filters["vn_date"] = vn_date
templates.env.filters["file_size"] = file_size
templates.env.filters["points"] = points
templates.env.filters["match_level"] = match_level
templates.env.filters["genre"] = genre_label
templates.env.filters["upfirst"] = upfirst
# Jinja's truncate ends a cut text with "..."; the pages (and static/js/theme-suggest.js) use the ellipsis "…"
templates.env.filters["truncate"] = pass_environment(
    lambda env, text, length=255, killwords=False, end="…", leeway=None:
    do_truncate(env, text, length, killwords, end, leeway))
templates.env.globals["file_kind"] = file_kind
templates.env.globals["ACTION_LABELS"] = ACTION_LABELS
templates.env.globals["theme_change"] = theme_change
templates.env.globals["OFF_OUTLINE_NOTE"] = OFF_OUTLINE_NOTE
templates.env.globals["DRAFT_WEAK_NOTES"] = DRAFT_WEAK_NOTES
templates.env.globals["url_for"] = url_for
templates.env.globals.update(
    csrf_token=csrf_token,
    file_cap=file_cap,
    human_size=human_size,
    ROLE_LABELS=ROLE_LABELS,
    PHASE_LABELS=PHASE_LABELS,
    UNIT_KIND_LABELS=UNIT_KIND_LABELS,
    ENTRY_STATUS_LABELS=ENTRY_STATUS_LABELS,
    MEDIA_TYPES=MEDIA_TYPES,
    FIELDS_FOR_MEDIA=FIELDS_FOR_MEDIA,
    SCREENING_REASONS=REASONS,
)


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200):
    user = getattr(request.state, "user", None)
    # the layout's menu: the one permission every page needs, decided here rather than in base.html
    ctx = {"user": user, "can_manage_accounts": user is not None and permissions.can_manage_accounts(user),
           "can_manage_rounds": user is not None and permissions.can_manage_rounds(user)}
    from api.forms import FLASH_COOKIE, pop_flash  # here: api.forms → api.errors → this module

    ctx["flash"] = pop_flash(request)
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if FLASH_COOKIE in request.cookies:  # shown once: the next page starts without it
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def phase_notes(round_, now, *actions: str) -> dict[str, str | None]:
    """{action: why the round's phase refuses it now, or None}: pages hide the forms of refused actions and
    base.html shows each reason once (the rule itself is award.calendar's, not the template's)."""
    from award.calendar import refusal

    return {action: refusal(round_, now, action) for action in actions}
