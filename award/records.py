"""Read models of the secretariat's records: the audit log (filtered, newest first, each event in words) and the
e-mail outbox (by status, with the stuck messages counted for the dashboard). Plain data for pages and the API.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from award.errors import Invalid
from award.models import ROLE_LABELS, AuditEvent, Entry, Role, Round, Unit, User
from award.outbox import OutboxMessage, OutboxStatus, stuck_clause
from award.rules import DEFAULT_RUBRIC
from award.text import fold
from award.timezone import VN_TZ

PER_PAGE = 50

ACTION_LABELS = {
    "entry.created": "tạo tác phẩm",
    "entry.updated": "sửa tác phẩm",
    "entry.deleted": "xóa bản nháp",
    "entry.status": "chuyển trạng thái tác phẩm",
    "entry.file_added": "thêm tệp",
    "entry.file_removed": "gỡ tệp",
    "entry.themes": "gắn chủ đề",
    "contest.forwarded": "gửi danh sách tác phẩm về Trung ương",
    "contest.received": "ghi nhận đã nhận danh sách",
    "contest.quota": "đặt chỉ tiêu",
    "contest.rubric": "sửa thang điểm của đơn vị",
    "contest.local_prize": "trao giải của đơn vị",
    "judging.judge_added": "thêm giám khảo",
    "judging.assigned": "phân công chấm",
    "judging.unassigned": "bỏ phân công chấm",
    "judging.plan_applied": "áp dụng phương án phân công",
    "judging.sheet_submitted": "nộp phiếu chấm",
    "judging.sheet_reopened": "mở lại phiếu chấm",
    "judging.conflict_declared": "khai báo xung đột lợi ích",
    "judging.panels_routed": "phân tác phẩm vào tiểu ban",
    "judging.panel_moved": "chuyển tiểu ban",
    "judging.ballot_cast": "bỏ phiếu chung khảo",
    "results.proposed": "trình danh sách giải",
    "results.returned": "trả lại danh sách giải",
    "results.approved": "phê duyệt danh sách giải",
    "results.published": "công bố kết quả",
    "results.corrected": "đính chính kết quả",
    "results.imported": "nhập kết quả đợt giải đã qua",
    "round.updated": "sửa thể lệ, lịch đợt giải",
    "round.phase_ended": "kết thúc sớm giai đoạn",
    "round.thematic_prizes": "gắn giải theo chủ đề",
    "outline.replaced": "thay đề cương",
    "user.created": "tạo tài khoản",
    "user.registered": "đăng ký tài khoản",
    "user.password_changed": "đổi mật khẩu",
    "user.password_reset": "đặt lại mật khẩu",
    "user.session_revoked": "kết thúc phiên đăng nhập",
    "outbox.retried": "gửi lại thư",
    "job.retried": "chạy lại việc nền",
    "contest.quotas": "đặt chỉ tiêu các đơn vị",
    "round.created": "tạo đợt giải",
    "judging.judge_removed": "rút giám khảo khỏi hội đồng",
    "judging.local_judge_removed": "rút giám khảo cơ sở",
    "judging.score_saved": "lưu phiếu chấm",
    "unit.created": "thêm đơn vị",
    "unit.updated": "sửa đơn vị",
    "unit.merged": "hợp nhất đơn vị",
    "unit.retired": "cho đơn vị ngừng hoạt động",
    "user.updated": "sửa tài khoản",
    "user.deactivated": "khóa tài khoản",
    "user.reactivated": "mở lại tài khoản",
    "user.invited": "mời tạo tài khoản",
    "user.password_reset_sent": "gửi liên kết đặt lại mật khẩu",
    "user.password_set": "đặt mật khẩu lần đầu",
}
ENTITY_LABELS = {
    "entry": "Tác phẩm",
    "batch": "Danh sách gửi",
    "round": "Đợt giải",
    "unit": "Đơn vị",
    "user": "Tài khoản",
    "assignment": "Phiếu chấm",
    "plan": "Phương án phân công",
    "outbox": "Thư",
    "job": "Việc nền",
}
# Keys of `data` in words; anything else is shown under its own name.
DATA_LABELS = {"from": "từ", "to": "sang", "batch_id": "danh sách", "reason_code": "lý do", "note": "ghi chú",
               "postmark_date": "dấu bưu điện", "placed": "đã phân", "rows": "số dòng", "file": "tệp",
               "level": "mức giải", "attempts": "số lần gửi", "recipient": "người nhận", "last_error": "lỗi",
               "codes": "chủ đề", "removed": "bỏ", "source": "người gắn", "entry_ids": "tác phẩm",
               "predecessor_ids": "đơn vị trước đó", "round_id": "đợt giải", "stage": "vòng chấm",
               "panel": "tiểu ban", "judge_id": "giám khảo", "unit_id": "đơn vị", "kind": "loại",
               "filename": "tên tệp", "file_id": "mã tệp", "title": "tên", "status": "trạng thái",
               "role": "vai trò", "valid_from": "hiệu lực từ", "thematic": "giải chuyên đề", "code": "mã",
               "size": "dung lượng (byte)", "version": "phiên bản", "via": "qua", "scores": "điểm",
               "checksum": "mã kiểm tra", "publish_at": "công bố lúc", "items": "mục"}
# ids in an event's data shown by name (the object kind whose name `_object_names` looks up)
DATA_REFS = {"round_id": "round", "unit_id": "unit", "judge_id": "user"}
# judging.models.Stage's values, in words (award cannot import judging)
STAGE_WORDS = {"local": "sơ tuyển", "preliminary": "sơ khảo", "final": "chung khảo"}
SYSTEM = "Hệ thống"

# a score sheet's criteria in words (their codes are stable; a round may rename them, the default label is kept)
CRITERION_WORDS = {c.code: c.label for c in DEFAULT_RUBRIC}


def utc(value: datetime | None) -> datetime | None:
    """A stored instant as an aware UTC datetime (SQLite keeps no zone; columns hold UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_day_or_instant(raw: str | None, *, field: str, end: bool = False) -> datetime | None:
    """'2024-09-20' (a day in Vietnam: its first instant, or with `end` its last) or an ISO instant; else Invalid."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            start = datetime.combine(day, time.min, VN_TZ)
            return (start + timedelta(days=1) - timedelta(microseconds=1)) if end else start
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"“{raw[:40]}” không phải ngày (năm-tháng-ngày) hay thời điểm hợp lệ.", field=field,
                      code="bad_date") from None
    return at if at.tzinfo else at.replace(tzinfo=VN_TZ)


@dataclass(frozen=True)
class AuditFilters:
    entity: str | None = None
    entity_id: str | None = None
    actor_id: int | None = None
    person: str | None = None  # name or e-mail of the actor, ignoring case and diacritics
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    actor: str  # name, or "Hệ thống"
    actor_detail: str  # e-mail and role
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_label: str
    data: dict[str, Any]
    summary: str  # the data in a line, for a person


def _people(session: Session, needle: str) -> list[int]:
    """Ids of the accounts whose name or e-mail contains `needle` (folded). Accounts are few enough
    (thousands) to fold in Python; one rule on both engines."""
    key = fold(needle)
    return [uid for uid, name, email in session.exec(select(User.id, User.full_name, User.email))
            if key in fold(name) or key in (email or "").lower()]


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list) and not value:
        return "không có"  # an empty list said in words, not "[]"
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict) and all(isinstance(v, (str, int, float)) or v is None for v in value.values()):
        # a score sheet's {criterion: points} read "Nội dung, định hướng 28.00; …" rather than JSON
        return "; ".join(f"{CRITERION_WORDS.get(k, k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def theme_change(data: dict[str, Any]) -> str:
    """An `entry.themes` event in words: the themes set, those taken off, or that all were taken off (an
    empty list of codes); events written before "removed" was kept say only what was set, or "Bỏ hết"."""
    codes, removed = list((data or {}).get("codes") or []), list((data or {}).get("removed") or [])
    if not codes:
        return "Bỏ hết chủ đề" + (f" (đã bỏ {', '.join(removed)})" if removed else "")
    return f"Gắn chủ đề {', '.join(codes)}" + (f" (bỏ {', '.join(removed)})" if removed else "")


def summarise(action: str, data: dict[str, Any], limit: int = 240,
              names: dict[tuple[str, str], str] | None = None) -> str:
    """`data` as "từ: forwarded · sang: received", entry statuses and stages in words, the ids of rounds, units
    and judges by name when `names` has them ("đợt giải: lần thứ IX – năm 2024"), keys without a label as they are;
    cut at `limit` characters."""
    from award.models import ENTRY_STATUS_LABELS, EntryStatus

    if action == "entry.themes":
        return theme_change(data)
    parts = []
    for key, value in (data or {}).items():
        if action.startswith("entry.") and key in ("from", "to", "status") and value in EntryStatus.__members__:
            value = ENTRY_STATUS_LABELS[EntryStatus(value)]
        elif key == "stage" and value in STAGE_WORDS:
            value = STAGE_WORDS[value]
        elif key in DATA_REFS and (DATA_REFS[key], str(value)) in (names or {}):
            value = names[(DATA_REFS[key], str(value))]
        parts.append(f"{DATA_LABELS.get(key, key)}: {_value(value)}")
    text = " · ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def audit_events(session: Session, filters: AuditFilters, *, page: int = 1,
                 per_page: int = PER_PAGE) -> tuple[list[AuditRow], int]:
    """One page of the audit log, newest first, and how many events match."""
    query = select(AuditEvent)
    if filters.entity:
        query = query.where(AuditEvent.object_type == filters.entity)
    if filters.entity_id:
        query = query.where(AuditEvent.object_id == str(filters.entity_id).strip())
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.person:
        query = query.where(AuditEvent.actor_id.in_(_people(session, filters.person) or [-1]))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since.astimezone(UTC))
    if filters.until:
        query = query.where(AuditEvent.at <= filters.until.astimezone(UTC))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    events = session.exec(query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    actors = {u.id: u for u in session.exec(select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))}
    entry_ids = [int(e.object_id) for e in events if e.object_type == "entry" and e.object_id.isdigit()]
    titles = dict(session.exec(select(Entry.id, Entry.title).where(Entry.id.in_(entry_ids))).all()) if entry_ids else {}
    names, refs = _object_names(session, events)
    rows = []
    for e in events:
        actor = actors.get(e.actor_id)
        label = f"{ENTITY_LABELS.get(e.object_type, e.object_type)} #{e.object_id}"
        if e.object_type == "entry" and e.object_id.isdigit() and int(e.object_id) in titles:
            label += f" “{titles[int(e.object_id)]}”"
        elif (e.object_type, e.object_id) in names:  # "Đợt giải lần thứ XII", "Đơn vị Tuyên Quang"
            label = names[(e.object_type, e.object_id)]
        rows.append(AuditRow(
            id=e.id, at=utc(e.at), actor_id=e.actor_id, actor=actor.full_name if actor else SYSTEM,
            actor_detail=f"{actor.email}, {ROLE_LABELS[Role(actor.role)]}" if actor else "",
            action=e.action, action_label=ACTION_LABELS.get(e.action, e.action), object_type=e.object_type,
            object_id=e.object_id, object_label=label, data=e.data or {}, summary=summarise(e.action, e.data, names=refs)))
    return rows, total


def _object_names(session: Session, events) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Readable names of the rounds, units and accounts a page of events is about, as objects ("Đợt giải lần
    thứ XII", "Đơn vị Tuyên Quang") and as ids in their data ("lần thứ XII – năm 2027", "Tuyên Quang"): three
    queries at most."""
    ids: dict[str, set[int]] = {"round": set(), "unit": set(), "user": set()}
    for e in events:
        if e.object_type in ids and e.object_id.isdigit():
            ids[e.object_type].add(int(e.object_id))
        for key, kind in DATA_REFS.items():
            value = (e.data or {}).get(key)
            if (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31) or (
                    isinstance(value, str) and value.isdigit() and len(value) < 10):
                ids[kind].add(int(value))
    names, refs = {}, {}
    if ids["round"]:
        for r in session.exec(select(Round).where(Round.id.in_(ids["round"]))):
            refs[("round", str(r.id))] = r.label
            names[("round", str(r.id))] = f"Đợt giải {r.label}"
    if ids["unit"]:
        for u in session.exec(select(Unit).where(Unit.id.in_(ids["unit"]))):
            refs[("unit", str(u.id))] = u.name
            names[("unit", str(u.id))] = f"Đơn vị {u.name}"
    if ids["user"]:
        for u in session.exec(select(User).where(User.id.in_(ids["user"]))):
            refs[("user", str(u.id))] = u.full_name
            names[("user", str(u.id))] = f"Tài khoản {u.full_name} ({u.email})"
    return names, refs


def known_actions(session: Session) -> list[str]:
    """The actions the log holds (for the filter), in the order of ACTION_LABELS, then the others."""
    present = set(session.exec(select(AuditEvent.action).distinct()).all())
    return [a for a in ACTION_LABELS if a in present] + sorted(present - ACTION_LABELS.keys())


# --- the outbox ------------------------------------------------------------------------------------------

STATUS_LABELS = {OutboxStatus.pending: "Chờ gửi", OutboxStatus.sent: "Đã gửi", OutboxStatus.failed: "Gửi lỗi"}


@dataclass(frozen=True)
class MailRow:
    id: int
    kind: str
    recipient: str
    subject: str
    status: OutboxStatus
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    stuck: bool
    retryable: bool


def outbox_messages(session: Session, *, status: OutboxStatus | None, now: datetime, page: int = 1,
                    per_page: int = PER_PAGE) -> tuple[list[MailRow], int]:
    """One page of the outbox (one status, or every one), newest first."""
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    stuck = set(session.exec(select(OutboxMessage.id).where(OutboxMessage.id.in_([r.id for r in rows]),
                                                            stuck_clause(now))).all()) if rows else set()
    return [MailRow(id=r.id, kind=r.kind, recipient=r.recipient, subject=r.subject, status=OutboxStatus(r.status),
                    created_at=utc(r.created_at), next_attempt_at=utc(r.next_attempt_at), sent_at=utc(r.sent_at),
                    attempts=r.attempts, last_error=r.last_error, stuck=r.id in stuck,
                    retryable=r.status == OutboxStatus.failed or r.id in stuck) for r in rows], total


@dataclass(frozen=True)
class MailHealth:
    counts: dict[str, int]  # status → messages
    stuck: int  # pending messages that should have gone (award.outbox.stuck_clause)
    failed: int
    retrying: int = 0  # pending messages the mail server already refused at least once: tried again later

    @property
    def warning(self) -> bool:
        return bool(self.stuck or self.failed)


def mail_health(session: Session, *, now: datetime) -> MailHealth:
    counts = {str(s): n for s, n in session.exec(select(OutboxMessage.status, func.count())
                                                 .group_by(OutboxMessage.status)).all()}
    stuck = session.exec(select(func.count()).select_from(OutboxMessage).where(stuck_clause(now))).one()
    retrying = session.exec(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.pending, OutboxMessage.last_error.is_not(None))).one()
    return MailHealth(counts=counts, stuck=stuck, failed=counts.get("failed", 0), retrying=retrying)
