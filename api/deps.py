"""Request dependencies: the session, the clock, the caller and their role."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from award import users
from award.errors import Forbidden, NotFound
from award.files import SizeCaps
from award.models import Role, Round, User
from award.storage import FileStore, LocalFileStore, S3FileStore
from api import clock
from api.db import get_session
from api.errors import NotAuthenticated
from api.openapi import Id
from api.security import verify_csrf_header
from api.settings import get_settings

SESSION_COOKIE = "award_session"
log = logging.getLogger(__name__)

SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_now() -> datetime:
    return clock.now()


NowDep = Annotated[datetime, Depends(get_now)]


def _s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    settings = get_settings()
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=settings.s3_access_key,
        aws_secret_access_key=settings.s3_secret_key,
        region_name=settings.s3_region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    )


@lru_cache
def _file_store() -> FileStore:
    settings = get_settings()
    if settings.storage == "s3":
        client = _s3_client(settings.s3_endpoint)
        public = _s3_client(settings.s3_public_endpoint) if settings.s3_public_endpoint else None
        return S3FileStore(client, settings.s3_bucket, presign_client=public)
    return LocalFileStore(settings.files_dir, part_url=local_part_url)


def local_part_url(key: str, upload_id: str, number: int, ttl_seconds: int, size: int | None = None) -> str:
    """With local storage the app plays S3's part: a signed, expiring URL on the app itself, for exactly
    `size` bytes when given."""
    from api.security import sign_part

    return f"/api/v1/storage/parts/{upload_id}/{number}?token={sign_part(key, upload_id, number, ttl_seconds, size)}"


def size_caps() -> SizeCaps:
    s = get_settings()
    mib = 1024 * 1024
    return SizeCaps(document=s.max_document_mb * mib, image=s.max_image_mb * mib, audio=s.max_audio_mb * mib,
                    video=s.max_video_mb * mib)


def get_file_store() -> FileStore:
    return _file_store()


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Viewer:
    """What pages show of the caller; a plain copy, so an error page can render after a rollback."""

    id: int
    email: str
    full_name: str
    role: Role
    unit_id: int | None
    outlet: str | None

    @classmethod
    def of(cls, user: User) -> "Viewer":
        return cls(user.id, user.email, user.full_name, Role(user.role), user.unit_id, user.outlet)


async def api_user(
    session: SessionDep,
    now: NowDep,
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The caller of a JSON endpoint: `Authorization: Bearer …`, or the page's session cookie when
    the page's own script calls (then an unsafe method must carry the X-CSRF-Token header)."""
    if creds is not None and creds.scheme.lower() == "bearer":
        user = await run_in_threadpool(_caller, session, creds.credentials, "api", now)
    elif request.cookies.get(SESSION_COOKIE):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            verify_csrf_header(request)
        user = await run_in_threadpool(_caller, session, request.cookies[SESSION_COOKIE], "web", now)
    else:
        user = None
    if user is None:
        raise NotAuthenticated()
    request.state.user = Viewer.of(user)
    return user


def _caller(session: Session, token: str, kind: str, now: datetime) -> User | None:
    """The token's user; the read is ended at once, so the pooled connection is not held while the
    endpoint waits for its worker thread (FastAPI runs dependencies and endpoint in separate ones)."""
    user = users.user_for_token(session, token=token, kind=kind, now=now)
    session.commit()
    return user


async def viewer_for_error_page(request: Request) -> None:
    """Set `request.state.user` for a page answered outside every route's dependencies (a body over its
    bound refused by the request gate, an address no route has), so its header shows the signed-in person
    as every other page does. A session cookie that does not name a live session, or a database that does
    not answer, leaves the page as for a visitor: an error page never fails for want of its header."""
    token = request.cookies.get(SESSION_COOKIE)
    if getattr(request.state, "user", None) is not None or not token:
        return
    overrides = request.app.dependency_overrides
    now = overrides.get(get_now, get_now)()
    provider = overrides.get(get_session, get_session)  # the request's own session, as a route would get it
    try:
        if provider is get_session:
            sessions = get_session(request)
            session = await sessions.__anext__()
            user = await run_in_threadpool(_caller, session, token, "web", now)
            await anext(sessions, None)  # its end: commit, as after a route
        else:
            sessions = provider()
            session = next(sessions)
            user = await run_in_threadpool(_caller, session, token, "web", now)
            await run_in_threadpool(next, sessions, None)
    except Exception:  # noqa: BLE001 - the database down or the token unreadable: shown as for a visitor
        log.info("error_page.viewer_unknown")
        return
    request.state.user = Viewer.of(user) if user else None


def optional_web_user(session: SessionDep, now: NowDep, request: Request) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = _caller(session, token, "web", now) if token else None
    request.state.user = Viewer.of(user) if user else None
    return user


def web_user(user: Annotated[User | None, Depends(optional_web_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


ApiUser = Annotated[User, Depends(api_user)]
WebUser = Annotated[User, Depends(web_user)]
OptionalWebUser = Annotated[User | None, Depends(optional_web_user)]


def _require(source: Callable, roles: tuple[Role, ...]):
    def check(user: Annotated[User, Depends(source)]) -> User:
        if user.role not in roles:
            raise Forbidden("Anh/chị không có quyền thực hiện thao tác này.", code="role_forbidden")
        return user

    return check


def api_role(*roles: Role):
    return Depends(_require(api_user, roles))


def web_role(*roles: Role):
    return Depends(_require(web_user, roles))


def load_round(round_id: Id, session: SessionDep) -> Round:
    """The round, or 404; a dependency (RoundDep) and a plain call alike."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("Không tìm thấy đợt giải.", code="round_not_found")
    return round_
