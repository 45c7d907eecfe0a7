"""Auth and users: tokens, self-registration of journalists, accounts made by the secretariat."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from pydantic import BaseModel, Field

from award import audit, password_reset, users
from award.errors import BadCredentials
from award.models import Role
from api.deps import SESSION_COOKIE, ApiUser, NowDep, SessionDep, api_role
from api.openapi import API_ERRORS, Id, errors
from api.security import client_address
from api.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=API_ERRORS)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    unit_id: Id | None
    outlet: str | None = None


class RegisterIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    full_name: str = Field(max_length=200)


class UserCreateIn(BaseModel):
    email: str = Field(max_length=254)
    # Without a password the account is invited: its owner gets a mail with a link (7 days) to set one.
    password: str | None = Field(default=None, max_length=256)
    full_name: str = Field(max_length=200)
    role: Role
    unit_id: Id | None = None
    outlet: str | None = Field(default=None, max_length=200)


class UserAdminOut(UserOut):
    active: bool
    invited: bool  # invited by e-mail, no password set yet
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserAdminOut]
    total: int


class UserPatchIn(BaseModel):
    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    unit_id: Id | None = None
    outlet: str | None = Field(default=None, max_length=200)
    active: bool | None = None


def user_admin_out(user) -> UserAdminOut:
    return UserAdminOut(id=user.id, email=user.email, full_name=user.full_name, role=user.role, unit_id=user.unit_id,
                        outlet=user.outlet, active=user.is_active, invited=not users.has_password(user),
                        created_at=user.created_at)


def user_out(user) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


@router.post("/auth/token", response_model=TokenOut, name="api:token", responses=errors(429))
def issue_token(
    request: Request,
    session: SessionDep,
    now: NowDep,
    # No length limits here: a password the policy could never have allowed is just a wrong password (401),
    # so a login never reveals the policy; the request gate bounds the body (api/limits.py).
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
):
    """401 for a wrong e-mail or password, whatever was wrong; 429 after repeated failures."""
    try:
        user = users.authenticate(session, email=username, password=password, ip=client_address(request), now=now)
    except BadCredentials:
        session.commit()  # the failed attempt must count even though the request fails
        raise
    return TokenOut(access_token=users.open_session(session, user=user, kind="api", now=now))


class RegisterOut(BaseModel):
    status: str = "accepted"
    message: str = users.REGISTERED


def account_links() -> dict:
    base = get_settings().public_url.rstrip("/")
    return {"login_url": base + "/login", "reset_url": base + "/password/forgot"}


@router.post("/auth/register", status_code=202, response_model=RegisterOut, name="api:register",
             responses=errors(429))
def register(request: Request, body: RegisterIn, session: SessionDep, now: NowDep):
    """The same 202 whether or not the address already has an account (its owner is told by e-mail); a new
    account can log in at once."""
    password_reset.limit(session, kind="register", ip=client_address(request), now=now,
                         per_address=get_settings().register_limit)
    session.commit()  # the attempt counts even if the registration is refused
    users.register_journalist(session, email=body.email, password=body.password, full_name=body.full_name,
                              outlet=None, now=now, **account_links())
    return RegisterOut()


@router.get("/me", response_model=UserOut, name="api:me")
def me(user: ApiUser):
    return user_out(user)


@router.post("/users", status_code=201, response_model=UserOut, name="api:users:create",
             dependencies=[api_role(Role.secretariat)])
def create_user(request: Request, body: UserCreateIn, session: SessionDep, now: NowDep, actor: ApiUser):
    """With `password`, the account can log in at once; without, its owner is invited by e-mail to set one.
    409 `email_taken` when the address already has an account."""
    if body.password is None:
        user = password_reset.invite(session, email=body.email, full_name=body.full_name, role=body.role,
                                     unit_id=body.unit_id, outlet=body.outlet, actor=actor, ip=client_address(request),
                                     now=now, link_base=invitation_link_base())
    else:
        user = users.create_user(session, email=body.email, password=body.password, full_name=body.full_name,
                                 role=body.role, unit_id=body.unit_id, outlet=body.outlet, actor_id=actor.id, now=now)
    return user_out(user)


def invitation_link_base() -> str:
    return get_settings().public_url.rstrip("/") + "/password/reset"


@router.get("/users", response_model=UserPage, name="api:users:list", dependencies=[api_role(Role.secretariat)])
def list_users(session: SessionDep, q: Annotated[str, Query(max_length=200)] = "", role: Role | None = None,
               unit_id: Id | None = None, active: bool | None = None, page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """Accounts, 50 a page, by name; `q` matches the name or the e-mail ignoring case and diacritics."""
    rows, total = users.list_users(session, filters=users.UserFilters(q=q, role=role, unit_id=unit_id, active=active),
                                   page=page)
    return UserPage(items=[user_admin_out(u) for u in rows], total=total)


@router.patch("/users/{user_id}", response_model=UserAdminOut, name="api:users:update",
              dependencies=[api_role(Role.secretariat)])
def update_user(user_id: Id, body: UserPatchIn, session: SessionDep, now: NowDep, actor: ApiUser):
    """Only the fields sent change (`unit_id: null` detaches the unit). `active: false` locks the account: its
    sessions and tokens end at once. 409 `last_secretariat` for the last active secretariat account."""
    user = users.get_user(session, user_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in ("unit_id", "outlet")}
    users.update_user(session, user=user, actor=actor, now=now, changes=changes)
    return user_admin_out(user)


@router.post("/users/{user_id}/password-reset", status_code=202, name="api:users:password_reset",
             dependencies=[api_role(Role.secretariat)])
def send_password_reset(request: Request, user_id: Id, session: SessionDep, now: NowDep, actor: ApiUser):
    """Mails the account a single-use link (1 hour) to set a new password; 409 if the account is locked."""
    user = users.get_user(session, user_id)
    password_reset.send_reset(session, user=user, ip=client_address(request), now=now, link_base=invitation_link_base())
    audit.record(session, actor_id=actor.id, action="user.password_reset_sent", object_type="user", object_id=user.id,
                 now=now)
    return {"status": "accepted"}


class TokenInfo(BaseModel):
    id: int
    kind: str  # "api" (a bearer token) or "web" (a browser session)
    created_at: datetime
    expires_at: datetime
    current: bool  # the credential of this very request


@router.get("/auth/tokens", response_model=list[TokenInfo], name="api:tokens")
def list_tokens(request: Request, session: SessionDep, now: NowDep, user: ApiUser):
    """The caller's live API tokens and browser sessions, newest first."""
    current = users.token_hash(_presented_credential(request))
    return [TokenInfo(id=r.id, kind=r.kind, created_at=r.created_at, expires_at=r.expires_at,
                      current=r.token_hash == current) for r in users.list_sessions(session, user=user, now=now)]


@router.delete("/auth/tokens/{session_id}", status_code=204, name="api:tokens:revoke")
def revoke_token(session_id: Id, session: SessionDep, now: NowDep, user: ApiUser):
    """Ends one of the caller's own tokens or sessions at once (404 for anyone else's)."""
    row = users.revoke_session(session, user=user, session_id=session_id)
    audit.record(session, actor_id=user.id, action="user.session_revoked", object_type="user", object_id=user.id,
                 now=now, data={"session_id": session_id, "kind": row.kind})
    return Response(status_code=204)


def _presented_credential(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return request.cookies.get(SESSION_COOKIE, "")


class ResetRequestIn(BaseModel):
    email: str = Field(max_length=254)


class ResetConfirmIn(BaseModel):
    token: str = Field(max_length=100)
    password: str = Field(max_length=256)


@router.post("/auth/password-reset", status_code=202, name="api:password_reset", responses=errors(429))
def request_password_reset(request: Request, body: ResetRequestIn, session: SessionDep, now: NowDep):
    """Mails a single-use link (1 hour) if the address has an account; the answer is the same either way."""
    password_reset.limit(session, kind="reset_request", ip=client_address(request), email=body.email, now=now)
    password_reset.request_reset(session, email=body.email, ip=client_address(request), now=now,
                                 link_base=get_settings().public_url.rstrip("/") + "/password/reset")
    return {"status": "accepted"}


@router.post("/auth/password-reset/confirm", name="api:password_reset_confirm", responses=errors(429))
def confirm_password_reset(request: Request, body: ResetConfirmIn, session: SessionDep, now: NowDep):
    """Sets the new password; every session and API token of the account ends."""
    password_reset.limit(session, kind="reset_confirm", ip=client_address(request), now=now)
    session.commit()
    password_reset.confirm_reset(session, token=body.token, new_password=body.password, now=now)
    return {"status": "ok"}
