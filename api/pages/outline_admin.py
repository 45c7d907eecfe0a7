"""The secretariat imports a year's outline: upload or paste, preview the tree, correct it as text, save."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from award.calendar import allows, refusal
from award.errors import AwardError
from award.models import Role
from award.outline_parser import parse_outline
from award.outlines import has_tags, outline_file_text, outline_text, outline_tree, save_outline
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.forms import redirect
from api.limits import file_cap
from api.openapi import Id
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf), web_role(Role.secretariat)], include_in_schema=False)

BOTH = ("Đã chọn tệp “{name}” nhưng nội dung trong ô “Hoặc dán / sửa nội dung” cũng đã được sửa, nên chưa đọc "
        "tệp để phần vừa sửa không bị thay mất (phần đó vẫn ở trong ô bên dưới). Muốn dùng tệp: xóa hết nội dung "
        "trong ô rồi chọn lại tệp; muốn dùng phần trong ô: bấm Xem trước mà không chọn tệp.")
READ_FROM_FILE = "Đã đọc nội dung từ tệp “{name}”."
REPLACED = "Đã đọc nội dung từ tệp “{name}”; phần dán trong ô đã được thay."


def digest(text: str) -> str:
    """What the page put in the text box, to tell on sending whether it was edited (the browser sends a
    textarea's lines with CRLF, and drops a first line break)."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _page(request, session, round_, now, *, text: str, parsed=None, error: str | None = None, status: int = 200,
          notice: str | None = None, typed: bool = False):
    """`typed`: the box holds text the person typed (kept after a refusal), never replaced by a file unasked."""
    current = outline_tree(session, round_id=round_.id)
    retired = [n for n in _walk(outline_tree(session, round_id=round_.id, include_retired=True)) if n.retired]
    return render(request, "admin/outline.html", {
        "round": round_, "text": text, "shown": "" if typed else digest(text), "notice": notice,
        "preview": parsed.nodes if parsed else None,
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
            file: Annotated[UploadFile | None, File()] = None, text: Annotated[str, Form(max_length=2_000_000)] = "",
            shown: Annotated[str, Form(max_length=64)] = ""):
    """A chosen file is read when the text box holds nothing or what the page put there (the current outline,
    the last preview); a box edited since is never replaced silently: both were sent, so nothing is read and
    the page says so, the typed text kept in the box. `shown` is the digest of what the page put there."""
    round_ = load_round(round_id, session)
    notice = None
    # the box holds the person's own text: edited since the page filled it, or kept from their last sending
    typed = bool(text.strip()) and (not shown or digest(text) != shown)
    try:
        if file is not None and file.filename:
            if typed:
                return _page(request, session, round_, now, text=text, status=400, typed=True,
                             error=BOTH.format(name=file.filename))
            replaced = bool(text.strip())
            text = outline_file_text(file.file, file.filename, cap=file_cap("outline"))
            typed = False
            notice = (REPLACED if replaced else READ_FROM_FILE).format(name=file.filename)
        parsed = parse_outline(text)
    except AwardError as exc:
        return _page(request, session, round_, now, text=text, error=exc.message, status=400, typed=typed)
    # Show the corrected, canonical text: what the organiser edits next is what will be saved.
    return _page(request, session, round_, now, text=outline_text(parsed.nodes) if parsed.nodes else text,
                 parsed=parsed, notice=notice, typed=typed)


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
