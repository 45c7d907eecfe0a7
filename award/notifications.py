"""The e-mails the process sends, written to the outbox in the transaction of the change itself.

Each function takes plain rows and `now`; the key names the event and the recipient, so repeating
the call in the same transaction (or a retried request) adds nothing.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, select

from award.models import Entry, EntryAuthor, User
from award.outbox import OutboxMessage, enqueue

SIGNATURE = "\n\n--\nBan Thư ký Giải báo chí toàn quốc về xây dựng Đảng (Giải Búa liềm vàng)\n" \
            "Thư này được gửi tự động, vui lòng không trả lời."


def _owner(session: Session, entry: Entry) -> User | None:
    return session.get(User, entry.owner_id)


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def entry_submitted(session: Session, *, entry: Entry, now: datetime) -> None:
    """The journalist learns that the unit received the work."""
    owner = _owner(session, entry)
    if owner is None:
        return
    enqueue(session, to=owner.email, kind="entry_submitted", key=f"entry_submitted:{entry.id}:{_stamp(now)}", now=now,
            subject=f"Đã nhận tác phẩm “{entry.title}”",
            body=(f"Kính gửi {owner.full_name},\n\nTác phẩm “{entry.title}” (mã số {entry.id}) đã được nộp "
                  "thành công vào cuộc thi của đơn vị. Anh/chị có thể theo dõi trạng thái khi đăng nhập "
                  "hệ thống." + SIGNATURE))


def entry_returned(session: Session, *, entry: Entry, note: str, now: datetime) -> None:
    """The journalist learns that the unit sent the work back for completion, and what to add."""
    owner = _owner(session, entry)
    if owner is None:
        return
    enqueue(session, to=owner.email, kind="entry_returned", key=f"entry_returned:{entry.id}:{_stamp(now)}", now=now,
            subject=f"Đơn vị đề nghị bổ sung tác phẩm “{entry.title}”",
            body=(f"Kính gửi {owner.full_name},\n\nĐơn vị đã trả lại tác phẩm “{entry.title}” (mã số {entry.id}) "
                  f"để anh/chị bổ sung:\n\n{note}\n\nSau khi bổ sung, hãy nộp lại tác phẩm trước hạn nộp của "
                  "đơn vị." + SIGNATURE))


def entries_forwarded(session: Session, *, entries: Iterable[Entry], batch_id: int, unit_name: str,
                      now: datetime) -> None:
    """The owner and every co-author with an e-mail learn that the unit forwarded the work to the centre."""
    for entry in entries:
        owner = _owner(session, entry)
        recipients: dict[str, str] = {}
        if owner is not None:
            recipients[owner.email] = owner.full_name
        for author in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry.id)
                                   .order_by(EntryAuthor.position)).all():
            if author.email:
                recipients.setdefault(author.email.strip().lower(), author.full_name)
        for email, name in recipients.items():
            enqueue(session, to=email, kind="entry_forwarded", key=f"entry_forwarded:{batch_id}:{entry.id}:{email}",
                    now=now, subject=f"Tác phẩm “{entry.title}” đã được gửi về Trung ương",
                    body=(f"Kính gửi {name},\n\n{unit_name} đã gửi tác phẩm “{entry.title}” (mã số "
                          f"{entry.id}) về Ban Thư ký Giải Búa liềm vàng trong danh sách số {batch_id}." + SIGNATURE))


def eligibility_decided(session: Session, *, entry: Entry, eligible: bool, reason: str | None, now: datetime) -> None:
    """The owner learns the secretariat's eligibility ruling (with the reason of a rejection)."""
    owner = _owner(session, entry)
    if owner is None:
        return
    outcome = "đủ điều kiện dự giải" if eligible else "không đủ điều kiện dự giải"
    why = f"\nLý do: {reason}." if reason else ""
    enqueue(session, to=owner.email, kind="eligibility", key=f"eligibility:{entry.id}:{_stamp(now)}", now=now,
            subject=f"Kết quả xét điều kiện: “{entry.title}”",
            body=(f"Kính gửi {owner.full_name},\n\nBan Thư ký đã xét tác phẩm “{entry.title}” (mã số {entry.id}): "
                  f"{outcome}.{why}" + SIGNATURE))


def judge_assigned(session: Session, *, judge: User, entry_ids: list[int], stage_label: str, key: str,
                   now: datetime) -> None:
    """The judge learns how many works were assigned to them (titles stay in the system)."""
    if not entry_ids:
        return
    n = len(entry_ids)
    listed = ", ".join(f"#{i}" for i in sorted(entry_ids)[:50])
    enqueue(session, to=judge.email, kind="judge_assigned", key=f"judge_assigned:{key}:{judge.id}", now=now,
            subject=f"Anh/chị được phân công chấm {n} tác phẩm ({stage_label})",
            body=(f"Kính gửi {judge.full_name},\n\nAnh/chị vừa được phân công chấm {n} tác phẩm ở {stage_label}: "
                  f"{listed}. Vui lòng đăng nhập hệ thống để xem và chấm điểm." + SIGNATURE))


def prize_won(session: Session, *, entry: Entry, prize: str, round_name: str, publish_at: datetime,
              now: datetime) -> None:
    """The owner of a winning work learns of the prize once the list is public (not before an embargo)."""
    owner = _owner(session, entry)
    if owner is None:
        return
    enqueue(session, to=owner.email, kind="results_published", key=f"results_published:{entry.round_id}:{entry.id}",
            now=now, not_before=publish_at,
            subject=f"Chúc mừng: “{entry.title}” đoạt {prize}",
            body=(f"Kính gửi {owner.full_name},\n\nBan Chỉ đạo đã phê duyệt và công bố kết quả {round_name}: "
                  f"tác phẩm “{entry.title}” (mã số {entry.id}) đoạt {prize}. Xin chúc mừng anh/chị và nhóm tác giả."
                  + SIGNATURE))


def _days_left(today: date, deadline: date) -> str:
    days = (deadline - today).days
    return "hôm nay là ngày cuối" if days <= 0 else f"còn {days} ngày"


def scores_due(session: Session, *, judge: User, round_name: str, stage_label: str, left: int, drafts: int,
               deadline: date, today: date, queue_url: str, key: str, now: datetime) -> OutboxMessage:
    """A judge with unsubmitted score sheets is reminded of the stage's deadline (at most once a day: the
    key carries the day in Vietnam time)."""
    started = f", trong đó {drafts} phiếu đã chấm dở chưa nộp" if drafts else ""
    return enqueue(
        session, to=judge.email, kind="scores_due", key=f"scores_due:{key}:{judge.id}:{today.isoformat()}", now=now,
        subject=f"Nhắc hạn chấm điểm: còn {left} tác phẩm chưa chấm ({stage_label}, hạn {deadline:%d/%m/%Y})",
        body=(f"Kính gửi {judge.full_name},\n\n"
              f"Ban Thư ký {round_name} trân trọng nhắc: hạn nộp phiếu chấm {stage_label} là 23 giờ 59 phút "
              f"ngày {deadline:%d/%m/%Y} (giờ Việt Nam), {_days_left(today, deadline)}.\n\n"
              f"Anh/chị còn {left} tác phẩm được phân công chưa nộp phiếu chấm{started}. Phiếu chưa nộp "
              "không được tính vào kết quả xếp hạng.\n\n"
              f"Danh sách tác phẩm cần chấm: {queue_url}\n\n"
              "Nếu anh/chị có xung đột lợi ích với tác phẩm nào hoặc không thể chấm kịp, xin báo ngay cho "
              "Ban Thư ký để phân công người thay." + SIGNATURE))
