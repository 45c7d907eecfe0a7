"""Password reset by e-mailed token, and the database-backed rate limits of registration and reset.

A reset token is 256 random bits sent only in the e-mail; the database keeps its SHA-256. It is
single-use, expires after an hour, and using it ends every session and API token of the account.
Like the login slow-down (award/users.py), the limits count rows in the database, so they hold across
several app processes.
"""

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Field, Session, SQLModel, select

from award import audit
from award.errors import Conflict, Invalid, TooManyAttempts
from award.models import ROLE_LABELS, AuthSession, Role, Unit, User, utcnow
from award.outbox import enqueue
from award.users import _hash_token, check_password_strength, create_user, has_password, normalise_email, password_hash

log = logging.getLogger(__name__)

RESET_TTL = timedelta(hours=1)
INVITE_TTL = timedelta(days=7)  # an invited person may not read their mail the same day
RATE_WINDOW = timedelta(hours=1)
# kind → (per account, per address) within RATE_WINDOW; None: not limited on that key
LIMITS = {
    "register": (None, 20),  # a newsroom behind one address registers its journalists (AWARD_REGISTER_LIMIT)
    "reset_request": (3, 10),
    "reset_confirm": (None, 20),
}
INVALID_LINK = "Liên kết đặt lại mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn. Vui lòng yêu cầu liên kết mới."


class RateEvent(SQLModel, table=True):
    """One attempt at a limited action (registration, reset request, reset confirmation)."""

    __tablename__ = "rate_event"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    email: str | None = Field(default=None, max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class PasswordResetToken(SQLModel, table=True):
    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    ip: str = Field(max_length=64)


def _count(session: Session, kind: str, column, value: str, now: datetime) -> int:
    return session.exec(select(func.count()).where(RateEvent.kind == kind, column == value,
                                                   RateEvent.at > now - RATE_WINDOW)).one()


def limit(session: Session, *, kind: str, ip: str, now: datetime, email: str | None = None,
          per_address: int | None = None) -> None:
    """Count this attempt, refusing it (429) when the account or the address already used its share.
    The caller commits the row even if the rest of the request fails, as for failed logins."""
    per_account, default_per_address = LIMITS[kind]
    per_address = per_address if per_address is not None else default_per_address
    ip = ip[:64]
    email = normalise_email(email)[:254] if email else None
    if (per_address is not None and _count(session, kind, RateEvent.ip, ip, now) >= per_address) or (
            per_account is not None and email and _count(session, kind, RateEvent.email, email, now) >= per_account):
        log.info("ratelimit.refused kind=%s", kind)
        raise TooManyAttempts("Anh/chị đã thao tác quá nhiều lần. Vui lòng thử lại sau 1 giờ.",
                              retry_after=int(RATE_WINDOW.total_seconds()))
    session.add(RateEvent(kind=kind, email=email, ip=ip, at=now))
    session.flush()


def request_reset(session: Session, *, email: str, ip: str, now: datetime, link_base: str) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing either way (the
    caller shows the same page), so the form does not reveal who has an account."""
    email = normalise_email(email)[:254]
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        log.info("password_reset.unknown_account")
        return
    row = send_reset(session, user=user, ip=ip, now=now, link_base=link_base)
    log.info("password_reset.requested user_id=%s token_id=%s", user.id, row.id)


def _issue(session: Session, *, user: User, ip: str, now: datetime, ttl: timedelta) -> tuple[PasswordResetToken, str]:
    token = secrets.token_urlsafe(32)
    row = PasswordResetToken(user_id=user.id, token_hash=_hash_token(token), created_at=now, expires_at=now + ttl,
                             ip=ip[:64])
    session.add(row)
    session.flush()
    return row, token


def send_reset(session: Session, *, user: User, ip: str, now: datetime, link_base: str) -> PasswordResetToken:
    """Mail the account a single-use link (1 hour) to set a new password; the account must be active.
    The secretariat sends one from a person's page (`ip` is then the secretariat's)."""
    if not user.is_active:
        raise Conflict("Tài khoản đang bị khóa: hãy mở lại tài khoản trước khi gửi liên kết đặt lại mật khẩu.",
                      field="active", code="user_inactive")
    row, token = _issue(session, user=user, ip=ip, now=now, ttl=RESET_TTL)
    enqueue(session, to=user.email, kind="password_reset", key=f"password_reset:{row.id}", now=now,
            subject="Đặt lại mật khẩu – Giải Búa liềm vàng",
            body=(f"Kính gửi {user.full_name},\n\nCó yêu cầu đặt lại mật khẩu cho tài khoản {user.email}. "
                  f"Mở liên kết sau trong vòng 1 giờ để đặt mật khẩu mới (liên kết chỉ dùng được một lần):\n\n"
                  f"{link_base}?token={token}\n\nNếu anh/chị không yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn "
                  f"giữ nguyên."))
    return row


def invite(session: Session, *, email: str, full_name: str, role: Role, unit_id: int | None, outlet: str | None,
           actor: User, ip: str, now: datetime, link_base: str, via: str = "invitation") -> User:
    """Create an account without a password and mail its owner a link (valid 7 days, single use) to set one;
    an address that already has an account is refused next to the e-mail field."""
    user = create_user(session, email=email, password=None, full_name=full_name, role=role, unit_id=unit_id,
                       outlet=outlet, actor_id=actor.id, now=now, via=via)
    row, token = _issue(session, user=user, ip=ip, now=now, ttl=INVITE_TTL)
    unit = session.get(Unit, unit_id) if unit_id else None
    where = f" của {unit.name}" if unit else ""
    enqueue(session, to=user.email, kind="invitation", key=f"invitation:{row.id}", now=now,
            subject="Mời tham gia hệ thống Giải Búa liềm vàng",
            body=(f"Kính gửi {user.full_name},\n\n{actor.full_name} mời anh/chị tham gia hệ thống Giải báo chí "
                  f"toàn quốc về xây dựng Đảng (Giải Búa liềm vàng) với vai trò {ROLE_LABELS[Role(role)]}{where}. "
                  f"Tên đăng nhập là địa chỉ {user.email}.\n\nMở liên kết sau trong vòng 7 ngày để đặt mật khẩu "
                  f"(liên kết chỉ dùng được một lần):\n\n{link_base}?token={token}\n\n"
                  f"Nếu anh/chị không chờ thư này, hãy bỏ qua nó."))
    log.info("user.invited user_id=%s role=%s token_id=%s", user.id, role, row.id)
    return user


def is_invitation(session: Session, row: PasswordResetToken) -> bool:
    """A link of an invited account that has not yet set a password: its page says "Đặt mật khẩu"."""
    user = session.get(User, row.user_id)
    return user is not None and not has_password(user)


def token_row(session: Session, *, token: str, now: datetime) -> PasswordResetToken:
    """The unused, unexpired token, else Invalid with a message for the form."""
    row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token or ""))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise Invalid(INVALID_LINK, field="token", code="invalid_reset_token")
    return row


def confirm_reset(session: Session, *, token: str, new_password: str, now: datetime) -> User:
    """Set the new password, spend the token (and every other open token of the account) and end all
    sessions and API tokens."""
    row = token_row(session, token=token, now=now)
    check_password_strength(new_password)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Invalid(INVALID_LINK, field="token", code="invalid_reset_token")
    # Spend the token with a guarded UPDATE: of two concurrent uses, only one changes the password.
    spent = session.exec(update(PasswordResetToken).where(PasswordResetToken.id == row.id,
                                                          PasswordResetToken.used_at.is_(None))
                         .values(used_at=now)).rowcount
    if spent != 1:
        raise Invalid(INVALID_LINK, field="token", code="invalid_reset_token")
    session.exec(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                  PasswordResetToken.used_at.is_(None)).values(used_at=now))
    first = not has_password(user)
    user.password_hash = password_hash.hash(new_password)
    user.password_changed_at = now
    session.add(user)
    session.exec(delete(AuthSession).where(AuthSession.user_id == user.id))
    session.flush()
    audit.record(session, actor_id=user.id, action="user.password_set" if first else "user.password_reset",
                 object_type="user", object_id=user.id, now=now)
    log.info("password_reset.done user_id=%s", user.id)
    return user
