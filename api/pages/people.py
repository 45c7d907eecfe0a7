"""People (issue 14, item 4): the secretariat's list of accounts (search, filters, pages), a person's page
(edit, lock or reopen, send a reset link), invitations by e-mail and the judges' spreadsheet; a unit
manager's own local judges (invite, remove)."""

from math import ceil
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from award import audit, password_reset, people, permissions, users
from award.errors import Invalid, NotFound
from award.models import Role
from judging import juries, permissions as judging_permissions
from api.deps import NowDep, SessionDep, WebUser, web_role
from api.forms import import_refusal, read_import_file, redirect, submit
from api.limits import file_cap
from api.openapi import Id
from api.queries import Choice, IdOrBlank
from api.security import client_address, verify_csrf
from api.settings import get_settings
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
SECRETARIAT = [web_role(Role.secretariat)]
STATUS_LABELS = {"active": "Đang hoạt động", "inactive": "Đã khóa"}
JUDGES_FILE = "Tệp danh sách giám khảo"  # the import form's file field, as its label names it


def link_base() -> str:
    return get_settings().public_url.rstrip("/") + "/password/reset"


def _role(raw: str) -> Role:
    if raw not in Role.__members__:
        raise Invalid("Hãy chọn vai trò.", field="role")
    return Role(raw)


def _unit(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid("Đơn vị không tồn tại.", field="unit_id")
    return int(raw)


# --- the list -------------------------------------------------------------------------------------

def _users_page(request, session, *, filters: dict, values: dict, errors: dict, status: int = 200,
                import_fields: dict | None = None, import_rows: list | None = None):
    """`errors` are the invitation form's; `import_fields` and `import_rows` the judges' import form's, shown
    in that form only."""
    try:
        page = max(1, int(filters.get("page") or 1))
    except ValueError:
        page = 1
    role = filters.get("role") if filters.get("role") in Role.__members__ else ""
    unit = filters.get("unit_id") if str(filters.get("unit_id") or "").isdigit() else ""
    state = filters.get("status") if filters.get("status") in STATUS_LABELS else ""
    q = (filters.get("q") or "")[:200]
    rows, total = users.list_users(session, filters=users.UserFilters(
        q=q, role=Role(role) if role else None, unit_id=int(unit) if unit else None,
        active={"active": True, "inactive": False}.get(state)), page=page)
    options = people.unit_options(session)
    return render(request, "admin/users.html", {
        "accounts": [{"user": u, "invited": not users.has_password(u)} for u in rows], "total": total,
        "page": page, "pages": max(1, ceil(total / users.PAGE_SIZE)),
        "filters": {"q": q, "role": role, "unit_id": unit, "status": state},
        "unit_options": options, "unit_names": dict(options), "roles": list(Role), "statuses": STATUS_LABELS,
        "values": values, "errors": errors, "import_fields": import_fields or {},
        "import_rows": import_rows or []}, status)


@router.get("/admin/users", name="pages:users", dependencies=SECRETARIAT)
def users_page(request: Request, session: SessionDep, q: Annotated[str, Query(max_length=200)] = "",
               role: Choice(Role.__members__) = "", unit_id: IdOrBlank = "",
               status: Choice(STATUS_LABELS, max_length=16) = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    return _users_page(request, session, filters={"q": q, "role": role, "unit_id": unit_id, "status": status,
                                                  "page": page}, values={}, errors={})


@router.post("/admin/users", name="pages:users_create", dependencies=SECRETARIAT)
def create_user(
    request: Request,
    session: SessionDep,
    now: NowDep,
    actor: WebUser,
    full_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    unit_id: Annotated[str, Form(max_length=12)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
):
    """An invitation by e-mail; with a password typed in (the old way, kept for a person without mail at
    hand), an account that can log in at once."""
    values = {"full_name": full_name, "email": email, "role": role, "unit_id": unit_id, "outlet": outlet}

    def create():
        if password:
            return users.create_user(session, email=email, password=password, full_name=full_name, role=_role(role),
                                     unit_id=_unit(unit_id), outlet=outlet, actor_id=actor.id, now=now)
        return password_reset.invite(session, email=email, full_name=full_name, role=_role(role), unit_id=_unit(unit_id),
                                     outlet=outlet, actor=actor, ip=client_address(request), now=now,
                                     link_base=link_base())

    return submit(request, session, create, default_field="email",
                  redisplay=lambda errors, status: _users_page(request, session, filters={}, values=values,
                                                               errors=errors, status=status),
                  success=lambda created: request.url_for("pages:user", user_id=created.id),
                  message=lambda created: (f"Đã tạo tài khoản {created.email}." if password else
                                           f"Đã gửi thư mời tới {created.email}."))


@router.post("/admin/users/import", name="pages:users_import", dependencies=SECRETARIAT)
def import_judges(request: Request, session: SessionDep, now: NowDep, actor: WebUser,
                  file: Annotated[UploadFile | None, File()] = None):
    """Central judges from a spreadsheet, each invited by e-mail; all or nothing, every bad row listed."""
    def load():
        data = read_import_file(file, label=JUDGES_FILE, choose="Hãy chọn tệp Excel (.xlsx) danh sách giám khảo.",
                                cap=file_cap("sheet"))
        return people.import_judges(session, data, actor=actor, ip=client_address(request), now=now,
                                    link_base=link_base())

    try:
        created = load()
        session.flush()
    except Invalid as exc:
        session.rollback()
        rows = [str(e) for e in getattr(exc, "errors", [])]
        fields, _ = import_refusal({"file": exc.message})
        return _users_page(request, session, filters={}, values={}, errors={}, status=400,
                           import_fields={} if rows else fields, import_rows=rows)
    return redirect(request.url_for("pages:users").include_query_params(role="judge"),
                    f"Đã nhập {len(created)} giám khảo và gửi thư mời tới từng người.")


@router.get("/admin/users/mau-giam-khao.xlsx", name="pages:users_template", dependencies=SECRETARIAT)
def judges_template():
    return Response(people.judges_template(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="mau-giam-khao.xlsx"'})


# --- one person -----------------------------------------------------------------------------------

def _user_page(request, session, account, *, values=None, errors=None, status=200):
    unit_options = people.unit_options(session)
    return render(request, "admin/user.html", {
        "account": account, "invited": not users.has_password(account), "roles": list(Role),
        "unit_options": unit_options, "unit_names": dict(unit_options),
        "memberships": juries.memberships_of(session, user_id=account.id),
        "values": values or {"full_name": account.full_name, "role": account.role, "unit_id": account.unit_id or "",
                             "outlet": account.outlet or ""},
        "errors": errors or {}}, status)


@router.get("/admin/users/{user_id}", name="pages:user", dependencies=SECRETARIAT)
def user_page(user_id: Id, request: Request, session: SessionDep):
    return _user_page(request, session, users.get_user(session, user_id))


@router.post("/admin/users/{user_id}", name="pages:user_update", dependencies=SECRETARIAT)
def update_user(
    user_id: Id,
    request: Request,
    session: SessionDep,
    now: NowDep,
    actor: WebUser,
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    unit_id: Annotated[str, Form(max_length=12)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
):
    account = users.get_user(session, user_id)
    values = {"full_name": full_name, "role": role, "unit_id": unit_id, "outlet": outlet}

    def change():
        return users.update_user(session, user=account, actor=actor, now=now, changes={
            "full_name": full_name, "role": _role(role), "unit_id": _unit(unit_id), "outlet": outlet})

    return submit(request, session, change, default_field="full_name",
                  redisplay=lambda errors, status: _user_page(request, session, users.get_user(session, user_id),
                                                              values=values, errors=errors, status=status),
                  success=request.url_for("pages:user", user_id=user_id),
                  message=lambda changed: "Đã lưu thay đổi." if changed else "Không có gì thay đổi.")


@router.post("/admin/users/{user_id}/status", name="pages:user_status", dependencies=SECRETARIAT)
def set_status(user_id: Id, request: Request, session: SessionDep, now: NowDep, actor: WebUser,
               active: Annotated[str, Form(max_length=1)] = ""):
    """`active` 1 reopens the account, 0 locks it (its sessions and tokens end at once)."""
    account = users.get_user(session, user_id)
    on = active == "1"
    return submit(request, session,
                  lambda: users.update_user(session, user=account, actor=actor, now=now, changes={"active": on}),
                  default_field="active",
                  redisplay=lambda errors, status: _user_page(request, session, users.get_user(session, user_id),
                                                              errors=errors, status=status),
                  error_status=409, success=request.url_for("pages:user", user_id=user_id),
                  message=(f"Đã mở lại tài khoản {account.email}." if on else
                           f"Đã khóa tài khoản {account.email}; mọi phiên đăng nhập và mã truy cập của tài khoản "
                           "đã kết thúc."))


@router.post("/admin/users/{user_id}/password-reset", name="pages:user_reset", dependencies=SECRETARIAT)
def send_reset(user_id: Id, request: Request, session: SessionDep, now: NowDep, actor: WebUser):
    account = users.get_user(session, user_id)

    def send():
        password_reset.send_reset(session, user=account, ip=client_address(request), now=now, link_base=link_base())
        audit.record(session, actor_id=actor.id, action="user.password_reset_sent", object_type="user",
                     object_id=account.id, now=now)

    return submit(request, session, send, default_field="active",
                  redisplay=lambda errors, status: _user_page(request, session, users.get_user(session, user_id),
                                                              errors=errors, status=status),
                  error_status=409, success=request.url_for("pages:user", user_id=user_id),
                  message=f"Đã gửi liên kết đặt lại mật khẩu tới {account.email}.")


# --- a unit's local judges ------------------------------------------------------------------------

def _unit_judges_page(request, session, user, *, values=None, errors=None, status=200):
    unit = juries.unit_of(session, user)
    return render(request, "unit/judges.html", {
        "unit": unit, "judges": juries.unit_local_judges(session, unit_id=unit.id),
        "values": values or {}, "errors": errors or {}}, status)


@router.get("/unit/judges", name="people:unit_judges", dependencies=[web_role(Role.unit_manager)])
def unit_judges(request: Request, session: SessionDep, user: WebUser):
    return _unit_judges_page(request, session, user)


@router.post("/unit/judges", name="people:unit_invite", dependencies=[web_role(Role.unit_manager)])
def invite_local_judge(
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: WebUser,
    full_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
):
    """The role is local judge and the unit the manager's own, whatever the form says."""
    values = {"full_name": full_name, "email": email, "outlet": outlet}

    def invite():
        if not permissions.can_invite_local_judges(user):
            raise NotFound("Tài khoản chưa gắn với đơn vị nào.", code="unit_not_found")
        return password_reset.invite(session, email=email, full_name=full_name, role=Role.local_judge,
                                     unit_id=user.unit_id, outlet=outlet, actor=user, ip=client_address(request),
                                     now=now, link_base=link_base(), via="unit_invitation")

    return submit(request, session, invite, default_field="email",
                  redisplay=lambda errors, status: _unit_judges_page(request, session, user, values=values,
                                                                     errors=errors, status=status),
                  success=request.url_for("people:unit_judges"),
                  message=lambda created: f"Đã gửi thư mời giám khảo tới {created.email}.")


@router.post("/unit/judges/{user_id}/remove", name="people:unit_remove", dependencies=[web_role(Role.unit_manager)])
def remove_local_judge(user_id: Id, request: Request, session: SessionDep, now: NowDep, user: WebUser):
    judge = users.get_user(session, user_id)
    if not judging_permissions.can_manage_local_judge(user, judge):
        raise NotFound("Không tìm thấy giám khảo của đơn vị.", code="judge_not_found")
    name = judge.full_name
    return submit(request, session, lambda: juries.remove_local_judge(session, judge=judge, actor=user, now=now),
                  default_field="user_id",
                  redisplay=lambda errors, status: _unit_judges_page(request, session, user, errors=errors,
                                                                     status=status),
                  error_status=409, success=request.url_for("people:unit_judges"),
                  message=f"Đã gỡ giám khảo {name}: tài khoản đã bị khóa và rút khỏi hội đồng của đơn vị.")
