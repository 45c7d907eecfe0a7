"""The secretariat imports a year's outline: upload or paste, preview the tree, correct it as text, save."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from award.calendar import allows, refusal
from award.errors import AwardError
from award.files import require_content, stream_size
from award.models import Role
from award.outline_parser import parse_outline
from award.outlines import has_tags, outline_text, outline_tree, save_outline
from award.sandbox import extract_limited_stream
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.forms import redirect
from api.openapi import Id
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf), web_role(Role.secretariat)], include_in_schema=False)

MAX_BYTES = 20 * 1024 * 1024


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _page(request, session, round_, now, *, text: str, parsed=None, error: str | None = None, status: int = 200):
    current = outline_tree(session, round_id=round_.id)
    retired = [n for n in _walk(outline_tree(session, round_id=round_.id, include_retired=True)) if n.retired]
    return render(request, "admin/outline.html", {
        "round": round_, "text": text, "preview": parsed.nodes if parsed else None,
        "warnings": parsed.warnings if parsed else [], "error": error, "current": current, "retired": retired,
        "tagged": has_tags(session, round_id=round_.id),
        "themes_count": len(parsed.themes()) if parsed else None,
        "editable": allows(round_, now, "round.outline"), "locked": refusal(round_, now, "round.outline")}, status)


@router.get("/admin/rounds/{round_id}/outline", name="outline:edit")
def edit(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    round_ = load_round(round_id, session)
    return _page(request, session, round_, now, text=outline_text(outline_tree(session, round_id=round_.id)))


@router.post("/admin/rounds/{round_id}/outline/preview", name="outline:preview")
def preview(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
            file: Annotated[UploadFile | None, File()] = None, text: Annotated[str, Form(max_length=2_000_000)] = ""):
    round_ = load_round(round_id, session)
    try:
        if file is not None and file.filename:
            if file.size is not None and file.size > MAX_BYTES:
                raise AwardError("Tệp đề cương quá lớn (tối đa 20 MB).")
            require_content(stream_size(file.file))  # a 0-byte file is empty, not a scan
            text = extract_limited_stream(file.file).text
            if not text.strip():
                raise AwardError("Tệp không có lớp chữ (có thể là bản scan). Hãy dán nội dung văn bản vào ô bên dưới.")
        parsed = parse_outline(text)
    except AwardError as exc:
        return _page(request, session, round_, now, text=text, error=exc.message, status=400)
    # Show the corrected, canonical text: what the organiser edits next is what will be saved.
    return _page(request, session, round_, now, text=outline_text(parsed.nodes) if parsed.nodes else text,
                 parsed=parsed)


@router.post("/admin/rounds/{round_id}/outline", name="outline:save")
def save(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
         text: Annotated[str, Form(max_length=2_000_000)] = ""):
    round_ = load_round(round_id, session)
    parsed = parse_outline(text)
    if not parsed.nodes:
        return _page(request, session, round_, now, text=text, parsed=parsed, error="Đề cương trống, chưa lưu.",
                     status=400)
    try:
        save_outline(session, round_=round_, parsed=parsed, actor=user, now=now)
    except AwardError as exc:  # refused before anything was written (the phase is checked first)
        return _page(request, session, round_, now, text=text, parsed=parsed, error=exc.message, status=409)
    return redirect(request.url_for("outline:edit", round_id=round_.id),
                    f"Đã lưu đề cương {round_.label}: {len(parsed.themes())} chủ đề.")
