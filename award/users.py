"""Accounts, password hashing, logins and their slow-down."""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from award import audit
from award.errors import BadCredentials, Checks, Conflict, Invalid, NotFound, TooManyAttempts
from award.models import AuthSession, LoginAttempt, Role, Unit, User
from award.outbox import enqueue
from award.text import clean_line, fold

log = logging.getLogger(__name__)

# argon2id with OWASP's Password Storage Cheat Sheet parameters (2024: m = 19 MiB, t = 2, p = 1), its first
# recommended set: on a 2-core machine the deadline surge logs in hundreds of people at once, and 64 MiB × 4
# lanes (the library's default) per login starved the other requests (bench/surge.py). A hash made with other
# parameters is re-made at the next successful login (`authenticate`).
ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
password_hash = PasswordHash((Argon2Hasher(**ARGON2),))

# One hash to verify against when the account does not exist, so timing does not reveal accounts.
_DUMMY_HASH = password_hash.hash("không-có-tài-khoản-này")

WEB_SESSION_TTL = timedelta(hours=12)
API_TOKEN_TTL = timedelta(days=7)
# Privileged roles hold shorter-lived credentials: a stolen secretariat or approver token can change or publish
# results, a judge's can score. Every holder can list and revoke their own (list_sessions, revoke_session).
TTL_BY_ROLE = {
    Role.secretariat: {"web": timedelta(hours=8), "api": timedelta(hours=8)},
    Role.approver: {"web": timedelta(hours=8), "api": timedelta(hours=8)},
    Role.judge: {"web": WEB_SESSION_TTL, "api": timedelta(days=1)},
    Role.local_judge: {"web": WEB_SESSION_TTL, "api": timedelta(days=1)},
    Role.unit_manager: {"web": WEB_SESSION_TTL, "api": timedelta(days=1)},
}


def session_ttl(role: Role, kind: str) -> timedelta:
    """How long a browser session (`web`) or an API token (`api`) of this role lasts."""
    default = WEB_SESSION_TTL if kind == "web" else API_TOKEN_TTL
    return TTL_BY_ROLE.get(Role(role), {}).get(kind, default)
ATTEMPT_WINDOW = timedelta(minutes=15)
# The stored hash of an account invited by e-mail that has not yet set its password: no hasher knows it,
# so no password matches (see _verify).
NO_PASSWORD = "!invited"
UNIT_BOUND_ROLES = (Role.unit_manager, Role.local_judge)
UNIT_REQUIRED = "Vai trò này cần gắn với một đơn vị."
EMAIL_TAKEN = "E-mail này đã có tài khoản."
LAST_SECRETARIAT = ("Không thể khóa hoặc đổi vai trò của tài khoản Ban Thư ký cuối cùng còn hoạt động: hãy tạo "
                    "hoặc mở lại một tài khoản Ban Thư ký khác trước.")
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

# No whitespace, control or invisible format characters (\x00 cannot even be stored by PostgreSQL).
EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]{1,64}@"
                      r"[^@\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+\.[^@\s\x00-\x1f\x7f-\x9f]{2,}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """At least 10 characters with a letter and a digit: long enough, and simple to explain."""
    if len(password) < 10:
        raise Invalid("Mật khẩu phải có ít nhất 10 ký tự.", field="password", code="weak_password")
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        raise Invalid("Mật khẩu phải có cả chữ và số.", field="password", code="weak_password")
    if len(password) > 256:
        raise Invalid("Mật khẩu quá dài (tối đa 256 ký tự).", field="password", code="weak_password")


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: Role,
    unit_id: int | None = None,
    outlet: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
    via: str | None = None,
) -> User:
    """Create an account; the e-mail is unique regardless of case. With `now`, the creation is an audit event
    (by `actor_id`, None for the command line and the demo; `via` says which). Without a password the
    account cannot log in until its owner sets one through an invitation (award.password_reset.invite)."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid("Địa chỉ e-mail không hợp lệ.", field="email", code="invalid_email")
    full_name = clean_line(full_name)
    if not full_name:
        raise Invalid("Vui lòng nhập họ và tên.", field="full_name", code="required")
    if len(full_name) > 200:
        raise Invalid("Họ và tên quá dài (tối đa 200 ký tự).", field="full_name", code="too_long")
    if len(clean_line(outlet)) > 200:
        raise Invalid("Tên cơ quan báo chí quá dài (tối đa 200 ký tự).", field="outlet", code="too_long")
    if password is not None:
        check_password_strength(password)
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise Invalid("Đơn vị không tồn tại.", field="unit_id", code="unknown_unit")
    if Role(role) in UNIT_BOUND_ROLES and unit_id is None:
        raise Invalid(UNIT_REQUIRED, field="unit_id", code="unit_required")
    if email_taken(session, email):
        raise Conflict(EMAIL_TAKEN if password is None else "E-mail này đã được đăng ký.", field="email",
                       code="email_taken")
    user = User(
        email=email,
        full_name=full_name,
        full_name_folded=fold(full_name)[:200],
        password_hash=password_hash.hash(password) if password is not None else NO_PASSWORD,
        role=role,
        unit_id=unit_id,
        outlet=clean_line(outlet) or None,
    )
    session.add(user)
    session.flush()
    if now is not None:
        audit.record(session, actor_id=actor_id, action="user.created", object_type="user", object_id=user.id,
                     now=now, data={"role": role, **({"via": via} if via else {})})
    log.info("user.created user_id=%s role=%s", user.id, role)
    return user


REGISTERED = ("Đã nhận đăng ký. Chúng tôi vừa gửi thư tới địa chỉ e-mail anh/chị đã nhập; hãy mở thư để biết "
              "bước tiếp theo.")


def register_journalist(session: Session, *, email: str, password: str, full_name: str, outlet: str | None,
                        now: datetime, login_url: str, reset_url: str) -> User | None:
    """Self-registration that does not reveal who has an account: the caller gives the same answer whether
    the address was new (an account is created and its owner welcomed by e-mail) or already had an account
    (nothing changes; its owner is told by e-mail, at most once an hour, how to log in or reset). Invalid
    input is refused the same way in both cases, before the address is looked up, and the same argon2
    work is spent. Returns the new account, or None; the caller must not let the difference show."""
    normalised = normalise_email(email)
    if not EMAIL_RE.match(normalised) or len(normalised) > 254:
        raise Invalid("Địa chỉ e-mail không hợp lệ.", field="email", code="invalid_email")
    if not clean_line(full_name):
        raise Invalid("Vui lòng nhập họ và tên.", field="full_name", code="required")
    if len(clean_line(full_name)) > 200:
        raise Invalid("Họ và tên quá dài (tối đa 200 ký tự).", field="full_name", code="too_long")
    if len(clean_line(outlet)) > 200:
        raise Invalid("Tên cơ quan báo chí quá dài (tối đa 200 ký tự).", field="outlet", code="too_long")
    check_password_strength(password)
    existing = session.exec(select(User).where(User.email == normalised)).first()
    if existing is None:
        user = create_user(session, email=normalised, password=password, full_name=full_name,
                           role=Role.journalist, outlet=outlet)
        audit.record(session, actor_id=user.id, action="user.registered", object_type="user", object_id=user.id, now=now)
        enqueue(session, to=user.email, kind="registered", key=f"registered:{user.id}", now=now,
                subject="Tài khoản đã được tạo – Giải Búa liềm vàng",
                body=(f"Kính gửi {user.full_name},\n\nTài khoản tác giả của anh/chị đã được tạo với địa chỉ "
                      f"{user.email}. Đăng nhập tại:\n\n{login_url}\n\nNếu anh/chị không đăng ký, hãy bỏ qua thư này."))
        return user
    password_hash.hash(password)  # the same work as a new account, so timing does not tell either
    enqueue(session, to=existing.email, kind="registration_existing", now=now,
            key=f"registration_existing:{existing.id}:{now:%Y%m%d%H}",
            subject="Có người vừa đăng ký bằng địa chỉ của anh/chị – Giải Búa liềm vàng",
            body=(f"Kính gửi {existing.full_name},\n\nCó người vừa dùng địa chỉ {existing.email} để đăng ký tài "
                  f"khoản tác giả. Địa chỉ này đã có tài khoản, nên không có gì thay đổi.\n\nNếu đó là anh/chị, "
                  f"hãy đăng nhập tại {login_url}; nếu quên mật khẩu, đặt lại tại:\n\n{reset_url}\n\n"
                  f"Nếu không phải anh/chị, hãy bỏ qua thư này."))
    log.info("user.registration_existing user_id=%s", existing.id)
    return None


def _recent_failures(session: Session, column, value: str, now: datetime) -> int:
    """Failures for this account or address within the window. A success forgives only the failures of its
    own account from its own address (the owner's typos): an attacker's own account logging in from the
    same address does not reset the address's count, and the owner logging in elsewhere does not reset the
    account's count of an attacker's guesses."""
    attempt, later = LoginAttempt, aliased(LoginAttempt)
    forgiven = exists().where(later.email == attempt.email, later.ip == attempt.ip,
                              later.succeeded == True, later.at >= attempt.at, later.id > attempt.id)  # noqa: E712
    return session.exec(
        select(func.count()).select_from(attempt)
        .where(column == value, attempt.succeeded == False, attempt.at > now - ATTEMPT_WINDOW, ~forgiven)  # noqa: E712
    ).one()


def authenticate(session: Session, *, email: str, password: str, ip: str, now: datetime) -> User:
    """Check a password; after repeated failures for one account or one address, refuse for a while.

    Attempts are rows in the database, so the limit holds across several app processes.
    """
    email = normalise_email(email)[:254]
    if (
        _recent_failures(session, LoginAttempt.email, email, now) >= MAX_FAILURES_PER_ACCOUNT
        or _recent_failures(session, LoginAttempt.ip, ip, now) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
            retry_after=int(ATTEMPT_WINDOW.total_seconds()),
        )
    user = session.exec(select(User).where(User.email == email)).first()
    stored = user.password_hash if user else _DUMMY_HASH
    if not (session.new or session.dirty or session.deleted):
        # Nothing written yet: end the read so the pooled connection is free while argon2 spends its
        # ~0.1 s of CPU (200 logins at once held every connection and timed out, bench/surge.py).
        session.commit()
    verified, renewed = _verify_and_update(password, stored)
    verified = verified and user is not None
    ok = verified and user.is_active
    session.add(LoginAttempt(email=email, ip=ip[:64], succeeded=ok, at=now))
    session.flush()
    if ok and renewed:  # made with older parameters: re-made now, while the password is at hand
        user.password_hash = renewed
        session.add(user)
        log.info("auth.password_rehashed user_id=%s", user.id)
    if not ok:
        log.info("auth.login_failed")
        if verified:  # the right password: only its owner learns that the account is locked, and why
            raise BadCredentials("Tài khoản này đã bị khóa. Vui lòng liên hệ Ban Thư ký để được mở lại.",
                                 field="password", code="account_locked")
        raise BadCredentials("E-mail hoặc mật khẩu không đúng.", field="password")
    return user


def has_password(user: User) -> bool:
    """False for an invited account whose owner has not yet set a password."""
    return not user.password_hash.startswith("!")


def _verify_and_update(password: str, stored: str) -> tuple[bool, str | None]:
    """Whether `password` matches `stored`, and the hash re-made with today's parameters when the stored one
    used others (one argon2 verification either way). A password that UTF-8 cannot carry (a lone surrogate)
    is a wrong one, after the same argon2 work; so is any password of an account without one (invited, not
    yet set)."""
    if stored.startswith("!"):
        password_hash.verify("x", _DUMMY_HASH)
        return False, None
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        password_hash.verify("x", stored)
        return False, None
    return password_hash.verify_and_update(password, stored)


def _verify(password: str, stored: str) -> bool:
    return _verify_and_update(password, stored)[0]


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, *, user: User, kind: str, now: datetime) -> str:
    """Start a browser session or issue an API token; returns the secret only the client keeps."""
    token = secrets.token_urlsafe(32)
    ttl = session_ttl(user.role, kind)
    session.add(AuthSession(token_hash=_hash_token(token), user_id=user.id, kind=kind, created_at=now, expires_at=now + ttl))
    session.flush()
    log.info("auth.session_opened user_id=%s kind=%s", user.id, kind)
    return token


def user_for_token(session: Session, *, token: str, kind: str, now: datetime) -> User | None:
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == _hash_token(token), AuthSession.kind == kind)
    ).first()
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    return user if user and user.is_active else None


def list_sessions(session: Session, *, user: User, now: datetime) -> list[AuthSession]:
    """The account's live browser sessions and API tokens, newest first (expired ones are dropped)."""
    session.exec(delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at <= now))
    return list(session.exec(select(AuthSession).where(AuthSession.user_id == user.id)
                             .order_by(AuthSession.created_at.desc(), AuthSession.id.desc())).all())


def revoke_session(session: Session, *, user: User, session_id: int) -> AuthSession:
    """End one of the account's own sessions or tokens; another account's looks absent."""
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound("Không tìm thấy phiên đăng nhập hoặc mã truy cập.", code="session_not_found")
    session.delete(row)
    session.flush()
    log.info("auth.session_revoked user_id=%s session_id=%s kind=%s", user.id, session_id, row.kind)
    return row


def token_hash(token: str) -> str:
    return _hash_token(token)


def close_session(session: Session, *, token: str) -> None:
    session.exec(delete(AuthSession).where(AuthSession.token_hash == _hash_token(token)))


def change_password(session: Session, *, user: User, old_password: str, new_password: str, now: datetime) -> None:
    """A changed password ends every session and token of the account."""
    if not _verify(old_password, user.password_hash):
        raise Invalid("Mật khẩu hiện tại không đúng.", field="old_password", code="invalid_credentials")
    check_password_strength(new_password)
    user.password_hash = password_hash.hash(new_password)
    user.password_changed_at = now
    session.add(user)
    session.exec(delete(AuthSession).where(AuthSession.user_id == user.id))
    session.flush()
    log.info("user.password_changed user_id=%s", user.id)


# --- the secretariat's management of accounts -----------------------------------------------------

PAGE_SIZE = 50


def email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == normalise_email(email))).first() is not None


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: Role | None = None
    unit_id: int | None = None
    active: bool | None = None


def list_users(session: Session, *, filters: UserFilters, page: int = 1,
               per_page: int = PAGE_SIZE) -> tuple[list[User], int]:
    """Accounts matching the filters, by name then e-mail, one page at a time; `q` matches the name or the
    e-mail ignoring case and diacritics (both sides folded, so the indexed column serves either engine)."""
    query = select(User)
    needle = fold(filters.q)
    if needle:
        query = query.where(User.full_name_folded.contains(needle, autoescape=True)
                            | User.email.contains(needle, autoescape=True))
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.active is not None:
        query = query.where(User.is_active == filters.active)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(User.full_name_folded, User.email, User.id)
                        .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.", code="user_not_found")
    return user


def _keep_a_secretariat(session: Session, user: User) -> None:
    """At least one active secretariat account stays: the others are locked first (FOR UPDATE on
    PostgreSQL; SQLite has one writer at a time), so two secretariats cannot lock each other out at once."""
    others = session.exec(select(User.id).where(User.role == Role.secretariat, User.is_active == True,  # noqa: E712
                                                User.id != user.id).with_for_update()).all()
    if not others:
        raise Conflict(LAST_SECRETARIAT, field="active" if user.role == Role.secretariat else "role",
                       code="last_secretariat")


def end_sessions(session: Session, *, user: User) -> int:
    """Every browser session and API token of the account ends at once."""
    return session.exec(delete(AuthSession).where(AuthSession.user_id == user.id)).rowcount


def update_user(session: Session, *, user: User, actor: User, now: datetime, changes: dict) -> dict:
    """Change name, role, unit, outlet and whether the account is active (`changes` holds only what is
    given). A deactivated account cannot log in and its sessions and tokens end at once; the last active
    secretariat cannot be deactivated or demoted; a role bound to a unit needs one. Every field's problem is
    reported at once; nothing is written if any. Returns {field: [old, new]} of what changed (audited)."""
    checks = Checks()
    new = {"full_name": user.full_name, "role": Role(user.role), "unit_id": user.unit_id, "outlet": user.outlet,
           "active": user.is_active}
    if "full_name" in changes:
        name = clean_line(changes["full_name"])
        if checks.require(bool(name), "full_name", "Vui lòng nhập họ và tên.") and checks.require(
                len(name) <= 200, "full_name", "Họ và tên quá dài (tối đa 200 ký tự)."):
            new["full_name"] = name
    if "role" in changes:
        try:
            new["role"] = Role(changes["role"])
        except ValueError:
            checks.add("role", "Vai trò không hợp lệ.")
    if "unit_id" in changes:
        unit_id = changes["unit_id"]
        if unit_id is not None and session.get(Unit, unit_id) is None:
            checks.add("unit_id", "Đơn vị không tồn tại.")
        else:
            new["unit_id"] = unit_id
    if "outlet" in changes:
        outlet = clean_line(changes["outlet"])
        if checks.require(len(outlet) <= 200, "outlet", "Tên cơ quan báo chí quá dài (tối đa 200 ký tự)."):
            new["outlet"] = outlet or None
    if "active" in changes:
        new["active"] = bool(changes["active"])
    if new["role"] in UNIT_BOUND_ROLES and new["unit_id"] is None and "unit_id" not in checks.errors:
        checks.add("unit_id", UNIT_REQUIRED)
    checks.done()
    if user.role == Role.secretariat and user.is_active and (new["role"] != Role.secretariat or not new["active"]):
        _keep_a_secretariat(session, user)
    old = {"full_name": user.full_name, "role": Role(user.role), "unit_id": user.unit_id, "outlet": user.outlet,
           "active": user.is_active}
    changed = {k: [old[k], new[k]] for k in new if new[k] != old[k]}
    if not changed:
        return {}
    user.full_name, user.full_name_folded = new["full_name"], fold(new["full_name"])[:200]
    user.role, user.unit_id, user.outlet, user.is_active = new["role"], new["unit_id"], new["outlet"], new["active"]
    session.add(user)
    ended = 0
    if not user.is_active or "role" in changed:
        # A locked account, or one whose role changed, starts again from a fresh login (the role decides what
        # a session may do and how long it lasts).
        ended = end_sessions(session, user=user)
    session.flush()
    action = ("user.deactivated" if changed.get("active") == [True, False]
              else "user.reactivated" if changed.get("active") == [False, True] else "user.updated")
    audit.record(session, actor_id=actor.id, action=action, object_type="user", object_id=user.id, now=now,
                 data={"changes": {k: [str(v) if isinstance(v, Role) else v for v in pair]
                                   for k, pair in changed.items()}, "sessions_ended": ended})
    log.info("%s user_id=%s fields=%s", action, user.id, ",".join(changed))
    return changed
