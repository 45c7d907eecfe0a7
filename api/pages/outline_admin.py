"""The secretariat imports a year's outline: upload or paste, preview the tree, correct it as text, save."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from award import audit
from award.errors import AwardError
from award.models import Role, RoundStatus
from award.outline_parser import parse_outline
from award.outlines import has_tags, outline_text, outline_tree, replace_outline
from award.sandbox import extract_limited_stream
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.openapi import Id
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf), web_role(Role.secretariat)], include_in_schema=False)

MAX_BYTES = 20 * 1024 * 1024


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _page(request, session, round_, *, text: str, parsed=None, error: str | None = None, status: int = 200):
    current = outline_tree(session, round_id=round_.id)
    retired = [n for n in _walk(outline_tree(session, round_id=round_.id, include_retired=True)) if n.retired]
    return render(request, "admin/outline.html", {
        "round": round_, "text": text, "preview": parsed.nodes if parsed else None,
        "warnings": parsed.warnings if parsed else [], "error": error, "current": current, "retired": retired,
        "tagged": has_tags(session, round_id=round_.id),
        "themes_count": len(parsed.themes()) if parsed else None,
        "editable": round_.status not in (RoundStatus.published, RoundStatus.closed)}, status)


@router.get("/admin/rounds/{round_id}/outline", name="outline:edit")
def edit(round_id: Id, request: Request, session: SessionDep, user: WebUser):
    round_ = load_round(round_id, session)
    return _page(request, session, round_, text=outline_text(outline_tree(session, round_id=round_.id)))


@router.post("/admin/rounds/{round_id}/outline/preview", name="outline:preview")
def preview(round_id: Id, request: Request, session: SessionDep, user: WebUser,
            file: Annotated[UploadFile | None, File()] = None, text: Annotated[str, Form(max_length=2_000_000)] = ""):
    round_ = load_round(round_id, session)
    try:
        if file is not None and file.filename:
            if file.size is not None and file.size > MAX_BYTES:
                raise AwardError("Tệp đề cương quá lớn (tối đa 20 MB).")
            text = extract_limited_stream(file.file).text
            if not text.strip():
                raise AwardError("Tệp không có lớp chữ (có thể là bản scan). Hãy dán nội dung văn bản vào ô bên dưới.")
        parsed = parse_outline(text)
    except AwardError as exc:
        return _page(request, session, round_, text=text, error=exc.message, status=400)
    # Show the corrected, canonical text: what the organiser edits next is what will be saved.
    return _page(request, session, round_, text=outline_text(parsed.nodes) if parsed.nodes else text, parsed=parsed)


@router.post("/admin/rounds/{round_id}/outline", name="outline:save")
def save(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
         text: Annotated[str, Form(max_length=2_000_000)] = ""):
    round_ = load_round(round_id, session)
    parsed = parse_outline(text)
    if not parsed.nodes:
        return _page(request, session, round_, text=text, parsed=parsed, error="Đề cương trống, chưa lưu.", status=400)
    if round_.status in (RoundStatus.published, RoundStatus.closed):
        return _page(request, session, round_, text=text, parsed=parsed,
                     error="Đợt giải đã kết thúc, không thể thay đề cương.", status=409)
    replace_outline(session, round_=round_, parsed=parsed, retire_missing=has_tags(session, round_id=round_.id))
    audit.record(session, actor_id=user.id, action="outline.replaced", object_type="round", object_id=round_.id,
                 now=now, data={"themes": len(parsed.themes()), "warnings": len(parsed.warnings)})
    return RedirectResponse(str(request.url_for("outline:edit", round_id=round_.id)) + "?saved=1", status_code=303)
