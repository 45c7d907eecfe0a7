"""Log in, log out, register, change password and the dashboard of each role."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func
from sqlmodel import select

from award import audit, calendar, jobs, password_reset, permissions, records, rounds as rounds_domain, units, users
from award.errors import AwardError, Invalid
from award.models import Entry, EntryStatus, Role, Unit, User
from judging.models import JudgeMembership, ResultList
from judging.publication import STATUS_LABELS, outcome
from api.deps import SESSION_COOKIE, NowDep, OptionalWebUser, SessionDep, WebUser
from api.forms import flash
from api.openapi import Id
from api.security import client_address, verify_csrf
from api.settings import get_settings
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirect to another site)."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/dashboard"
    return target


def _login_response(request: Request, session, user: User, now, target: str) -> RedirectResponse:
    token = users.open_session(session, user=user, kind="web", now=now)
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=get_settings().secure_cookies,
                        max_age=int(users.session_ttl(user.role, "web").total_seconds()), path="/")
    return response


@router.get("/login", name="pages:login")
def login_form(request: Request, user: OptionalWebUser, next: str | None = None):
    return render(request, "account/login.html", {"values": {}, "errors": {}, "next": next or ""})


@router.post("/login", name="pages:login_submit")
def login(
    request: Request,
    session: SessionDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
):
    ip = client_address(request)
    try:
        user = users.authenticate(session, email=email, password=password, ip=ip, now=now)
    except Invalid as exc:
        session.commit()  # the failed attempt counts towards the slow-down
        return render(request, "account/login.html",
                      {"values": {"email": email}, "errors": {exc.field: exc.message}, "next": next}, 400)
    return _login_response(request, session, user, now, next)


@router.post("/logout", name="pages:logout")
def logout(request: Request, session: SessionDep):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        users.close_session(session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/register", name="pages:register")
def register_form(request: Request, user: OptionalWebUser, sent: bool = False):
    return render(request, "account/register.html", {"values": {}, "errors": {}, "sent": sent,
                                                     "registered": users.REGISTERED})


@router.post("/register", name="pages:register_submit")
def register(
    request: Request,
    session: SessionDep,
    now: NowDep,
    full_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    password_again: Annotated[str, Form(max_length=256)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
):
    """The same answer (a page saying a mail was sent) for a new address and one that has an account; no
    one is logged in by registering, or the answer would differ."""
    values = {"full_name": full_name, "email": email, "outlet": outlet}
    password_reset.limit(session, kind="register", ip=client_address(request), now=now,
                         per_address=get_settings().register_limit)
    session.commit()  # the attempt counts even if the form is refused
    try:
        if password != password_again:
            raise Invalid("Hai lần nhập mật khẩu không khớp.", field="password_again")
        base = get_settings().public_url.rstrip("/")
        users.register_journalist(session, email=email, password=password, full_name=full_name,
                                  outlet=outlet, now=now, login_url=base + "/login",
                                  reset_url=base + "/password/forgot")
    except AwardError as exc:
        return render(request, "account/register.html", {"values": values, "errors": {exc.field or "email": exc.message},
                                                         "sent": False}, 400)
    return RedirectResponse(str(request.url_for("pages:register").include_query_params(sent=1)), status_code=303)


@router.get("/account/password", name="pages:password")
def password_form(request: Request, user: WebUser):
    return render(request, "account/password.html", {"errors": {}})


@router.post("/account/password", name="pages:password_submit")
def change_password(
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: WebUser,
    old_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
):
    try:
        users.change_password(session, user=user, old_password=old_password, new_password=new_password, now=now)
    except Invalid as exc:
        return render(request, "account/password.html", {"errors": {exc.field: exc.message}}, 400)
    audit.record(session, actor_id=user.id, action="user.password_changed", object_type="user", object_id=user.id, now=now)
    # Every session ended with the change: log in again with the new password.
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/sessions", name="pages:sessions")
def sessions_page(request: Request, session: SessionDep, now: NowDep, user: WebUser, revoked: bool = False):
    """The account's browser sessions and API tokens, each with a button that ends it."""
    current = users.token_hash(request.cookies.get(SESSION_COOKIE, ""))
    rows = users.list_sessions(session, user=user, now=now)
    return render(request, "account/sessions.html", {
        "rows": [{"id": r.id, "kind": r.kind, "created_at": r.created_at, "expires_at": r.expires_at,
                  "current": r.token_hash == current} for r in rows],
        "revoked": revoked, "api_ttl": users.session_ttl(user.role, "api"), "web_ttl": users.session_ttl(user.role, "web")})


@router.post("/account/sessions/{session_id}/revoke", name="pages:session_revoke")
def revoke_session(request: Request, session_id: Id, session: SessionDep, now: NowDep, user: WebUser):
    row = users.revoke_session(session, user=user, session_id=session_id)
    audit.record(session, actor_id=user.id, action="user.session_revoked", object_type="user", object_id=user.id,
                 now=now, data={"session_id": session_id, "kind": row.kind})
    if row.token_hash == users.token_hash(request.cookies.get(SESSION_COOKIE, "")):
        response = RedirectResponse("/login", status_code=303)  # this browser's own session: logged out
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    return RedirectResponse(str(request.url_for("pages:sessions").include_query_params(revoked=1)), status_code=303)


def reset_link_base() -> str:
    return get_settings().public_url.rstrip("/") + "/password/reset"


@router.get("/password/forgot", name="pages:forgot")
def forgot_form(request: Request, user: OptionalWebUser):
    return render(request, "account/forgot.html", {"values": {}, "errors": {}, "sent": False})


@router.post("/password/forgot", name="pages:forgot_submit")
def forgot(request: Request, session: SessionDep, now: NowDep, email: Annotated[str, Form(max_length=254)] = ""):
    if not users.EMAIL_RE.match(users.normalise_email(email)):
        return render(request, "account/forgot.html",
                      {"values": {"email": email}, "errors": {"email": "Vui lòng nhập địa chỉ e-mail hợp lệ."},
                       "sent": False}, 400)
    password_reset.limit(session, kind="reset_request", ip=client_address(request), email=email, now=now)
    password_reset.request_reset(session, email=email, ip=client_address(request), now=now, link_base=reset_link_base())
    return RedirectResponse(str(request.url_for("pages:forgot")) + "?sent=1", status_code=303)


@router.get("/password/reset", name="pages:reset")
def reset_form(request: Request, session: SessionDep, now: NowDep, token: str = ""):
    try:
        row = password_reset.token_row(session, token=token[:100], now=now)
    except Invalid as exc:
        return render(request, "account/reset.html", {"token": "", "errors": {}, "invalid": exc.message}, 400)
    return render(request, "account/reset.html", {"token": token, "errors": {}, "invalid": None,
                                                  "invitation": password_reset.is_invitation(session, row)})


@router.post("/password/reset", name="pages:reset_submit")
def reset(
    request: Request,
    session: SessionDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=100)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    new_password_again: Annotated[str, Form(max_length=256)] = "",
):
    password_reset.limit(session, kind="reset_confirm", ip=client_address(request), now=now)
    session.commit()
    invitation = False
    try:
        row = password_reset.token_row(session, token=token, now=now)
        invitation = password_reset.is_invitation(session, row)
        if new_password != new_password_again:
            raise Invalid("Hai lần nhập mật khẩu mới không khớp.", field="new_password_again")
        user = password_reset.confirm_reset(session, token=token, new_password=new_password, now=now)
    except Invalid as exc:
        if exc.field == "token":
            return render(request, "account/reset.html", {"token": "", "errors": {}, "invalid": exc.message}, 400)
        return render(request, "account/reset.html", {"token": token, "errors": {exc.field: exc.message},
                                                      "invalid": None, "invitation": invitation}, 400)
    if invitation:  # the mailed link proved the address: an invited person starts logged in
        return flash(_login_response(request, session, user, now, "/dashboard"),
                     f"Đã đặt mật khẩu. Chào mừng {user.full_name}!")
    response = RedirectResponse(str(request.url_for("pages:login")) + "?reset=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/dashboard", name="pages:dashboard")
def dashboard(request: Request, session: SessionDep, user: WebUser, now: NowDep):
    rounds = rounds_domain.visible_rounds(session, user)
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    context = {"rounds": rounds, "unit": unit, "phases": rounds_domain.phases(rounds, now)}
    if user.role == Role.journalist:
        mine = session.exec(select(Entry).where(Entry.owner_id == user.id).order_by(Entry.id.desc())).all()
        by_id = {r.id: r for r in rounds}
        # the works under their rounds, newest round first; each with where it stopped or what it won (the line
        # its own page shows): "Đã nộp" alone still read as in play after the unit's deadline had passed
        context["entry_rounds"] = [(r, [e for e in mine if e.round_id == r.id]) for r in rounds
                                   if any(e.round_id == r.id for e in mine)]
        context["outcomes"] = {e.id: outcome(session, entry=e, round_=by_id[e.round_id], now=now) for e in mine}
        context["entries"] = mine
        context["open_round"] = next((r for r in rounds if calendar.allows(r, now, "entry.create")), None)
    if unit and permissions.can_see_contest(user, unit.id):  # the unit's counts by status, no works
        rows = session.exec(select(Entry.status, func.count()).where(Entry.unit_id == unit.id, Entry.status != EntryStatus.draft)
                            .group_by(Entry.status)).all()
        context["status_counts"] = {status: n for status, n in rows}
    if user.role in (Role.secretariat, Role.approver):
        context["result_lists"] = {r.round_id: r for r in session.exec(select(ResultList))}
        context["result_labels"] = STATUS_LABELS
    if user.role == Role.judge:
        context["memberships"] = session.exec(select(JudgeMembership.round_id, JudgeMembership.stage, JudgeMembership.panel_code)
                                              .where(JudgeMembership.user_id == user.id)).all()
    if user.role == Role.secretariat:
        context["user_count"] = len(session.exec(select(User.id)).all())
        context["unit_count"] = len(session.exec(select(Unit.id).where(units.valid_on(calendar.today(now)))).all())
        context["mail"] = records.mail_health(session, now=now)  # stuck or failed mails: a warning with a link
        context["failed_jobs"] = jobs.counts(session).get(jobs.JobStatus.failed, 0)  # background jobs given up
    return render(request, f"dashboard/{user.role}.html", context)
