"""Worklists of a round: the list of works (the secretariat's round-wide list, a unit's own list) with search,
filters, pages and its spreadsheet; the receipt desk's batches by page and unit; and the list's bulk actions
(mark received, rule eligible, move to a subpanel), each through the domain function of that step.

Search ignores case and diacritics on both engines: the query is folded with award.text.fold and compared with
the stored folded columns (title, author names, pen names, outlets); unit names (a few hundred) are folded here.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from award import entries as entries_domain, permissions, spreadsheets, units
from award.calendar import require_phase
from award.errors import AwardError, Invalid, NotFound
from award.models import ENTRY_STATUS_LABELS, Entry, EntryAuthor, EntryPart, EntryStatus, Round, Unit, User
from award.permissions import JUDGE_ROLES
from award.records import utc
from award.rules import MEDIA_TYPES, genre_label
from award.text import fold
from judging import contests, panels, permissions as judging_permissions
from judging.models import ForwardingBatch, PanelPlacement

log = logging.getLogger(__name__)

PER_PAGE = 50
DESK_PER_PAGE = 20
XLSX_MAX_ROWS = 50_000  # far above a round's works (about 25,000 at the largest)


@dataclass(frozen=True)
class WorkFilters:
    q: str = ""
    status: EntryStatus | None = None
    media_type: str | None = None
    unit_id: int | None = None
    panel: str | None = None


@dataclass(frozen=True)
class WorkRow:
    id: int
    title: str
    status: EntryStatus
    media_type: str
    genre: str
    unit_id: int
    unit_name: str
    authors: list[str]  # "Full Name (pen name)"
    outlets: list[str]
    panel_code: str | None
    submitted_at: datetime | None


@dataclass
class WorkPage:
    rows: list[WorkRow]
    total: int
    page: int
    pages: int
    by_status: dict[str, int] = field(default_factory=dict)  # the matching works by status (status filter aside)


def _matching_units(session: Session, needle: str) -> list[int]:
    return [uid for uid, name, code in session.exec(select(Unit.id, Unit.name, Unit.code))
            if needle in fold(name) or needle == fold(code)]


def _search(session: Session, q: str, *, authors: bool = True):
    """The WHERE clause of a search: an id ("123" or "#123"), or a folded substring of the title, an author's
    name or pen name, an outlet (of a part or an author) or the unit's name. Without `authors` (a judge, who may
    judge blind) only the title and the id: a hit on a name would tell who wrote the work."""
    needle = fold(q)
    if not needle:
        return None
    clauses = [Entry.title_folded.contains(needle, autoescape=True)]
    number = re.fullmatch(r"#?\s*(\d{1,9})", needle)
    if number:
        clauses.append(Entry.id == int(number.group(1)))
    if not authors:
        return or_(*clauses)
    authors = select(EntryAuthor.entry_id).where(or_(
        EntryAuthor.name_key.contains(needle, autoescape=True),
        EntryAuthor.pen_name_key.contains(needle, autoescape=True),
        EntryAuthor.outlet_key.contains(needle, autoescape=True)))
    parts = select(EntryPart.entry_id).where(EntryPart.outlet_key.contains(needle, autoescape=True))
    clauses += [Entry.id.in_(authors), Entry.id.in_(parts)]
    units = _matching_units(session, needle)
    if units:
        clauses.append(Entry.unit_id.in_(units))
    return or_(*clauses)


def _query(session: Session, *, user: User, round_id: int, filters: WorkFilters, with_status: bool = True):
    judge = user.role in JUDGE_ROLES
    query = entries_domain.narrowed(
        select(Entry).where(permissions.entry_filter(
            user, assigned_ids=judging_permissions.assigned_entry_ids(user) if judge else None)),
        round_id=round_id, unit_id=filters.unit_id, media_type=filters.media_type,
        status=filters.status if with_status else None)
    if filters.panel:
        query = query.where(Entry.id.in_(select(PanelPlacement.entry_id).where(
            PanelPlacement.round_id == round_id, PanelPlacement.panel_code == filters.panel)))
    if filters.q:
        clause = _search(session, filters.q, authors=not judge)
        if clause is not None:
            query = query.where(clause)
    return query


def _rows(session: Session, entries: list[Entry], user: User) -> list[WorkRow]:
    """The works as rows, with authors, outlets and subpanel; authors a judge may not see are left out."""
    ids = [e.id for e in entries]
    hidden = judging_permissions.authors_hidden(session, user=user, entries_=entries)
    authors: dict[int, list[str]] = {}
    outlets: dict[int, list[str]] = {}
    placed: dict[int, str] = {}
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):  # bound the IN list on every engine
        for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(chunk))
                              .order_by(EntryAuthor.entry_id, EntryAuthor.position)):
            authors.setdefault(a.entry_id, []).append(a.full_name + (f" ({a.pen_name})" if a.pen_name else ""))
        for entry_id, outlet in session.exec(select(EntryPart.entry_id, EntryPart.outlet).where(
                EntryPart.entry_id.in_(chunk)).order_by(EntryPart.entry_id, EntryPart.position)):
            if outlet not in outlets.setdefault(entry_id, []):
                outlets[entry_id].append(outlet)
        placed.update(session.exec(select(PanelPlacement.entry_id, PanelPlacement.panel_code)
                                   .where(PanelPlacement.entry_id.in_(chunk))).all())
    units = dict(session.exec(select(Unit.id, Unit.name).where(Unit.id.in_({e.unit_id for e in entries}))).all()) \
        if entries else {}
    return [WorkRow(id=e.id, title=e.title, status=EntryStatus(e.status), media_type=e.media_type, genre=e.genre,
                    unit_id=e.unit_id, unit_name=units.get(e.unit_id, ""),
                    authors=[] if e.id in hidden else authors.get(e.id, []),
                    outlets=outlets.get(e.id, []), panel_code=placed.get(e.id), submitted_at=utc(e.submitted_at))
            for e in entries]


def works(session: Session, *, user: User, round_id: int, filters: WorkFilters, page: int = 1,
          per_page: int = PER_PAGE) -> WorkPage:
    """One page of the works `user` may see in the round (award.permissions.entry_filter), newest first."""
    query = _query(session, user=user, round_id=round_id, filters=filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = session.exec(query.order_by(Entry.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    every = _query(session, user=user, round_id=round_id, filters=filters, with_status=False).subquery()
    by_status = {str(s): n for s, n in session.exec(select(every.c.status, func.count()).group_by(every.c.status))}
    return WorkPage(rows=_rows(session, list(entries), user), total=total, page=page, pages=pages, by_status=by_status)


XLSX_HEADINGS = ("Mã", "Tên tác phẩm", "Loại hình", "Thể loại", "Đơn vị", "Tác giả (bút danh)", "Cơ quan báo chí",
                 "Trạng thái", "Tiểu ban", "Nộp lúc")


def works_xlsx(session: Session, *, user: User, round_: Round, filters: WorkFilters, panel_names: dict[str, str],
               unit_name: str | None = None) -> bytes:
    """The works matching `filters` (every page) as an XLSX file; what people typed stays text."""
    from award.timezone import VN_TZ

    query = _query(session, user=user, round_id=round_.id, filters=filters)
    entries = list(session.exec(query.order_by(Entry.id).limit(XLSX_MAX_ROWS)).all())
    rows = [(r.id, r.title, MEDIA_TYPES.get(r.media_type, r.media_type), genre_label(r.genre), r.unit_name, "; ".join(r.authors),
             "; ".join(r.outlets), ENTRY_STATUS_LABELS[r.status], panel_names.get(r.panel_code or "", r.panel_code or ""),
             r.submitted_at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if r.submitted_at else "")
            for r in _rows(session, entries, user)]
    title = f"Tác phẩm dự Giải Búa liềm vàng {round_.label}"
    if unit_name:
        title += f" – {unit_name}"
    return spreadsheets.write(XLSX_HEADINGS, rows, sheet_title="Tác phẩm", title=title,
                              widths=(8, 50, 14, 16, 24, 40, 30, 24, 24, 16))


# --- the receipt desk --------------------------------------------------------------------------------------

@dataclass
class DeskPage:
    batches: list[ForwardingBatch]
    works: dict[int, Entry]
    units: dict[int, Unit]
    total: int
    page: int
    pages: int
    waiting: int  # batches of the round (with the unit filter) not yet recorded as received


def desk_batches(session: Session, *, round_id: int, unit_id: int | None, page: int = 1,
                 per_page: int = DESK_PER_PAGE) -> DeskPage:
    """One page of the batches sent to the centre (newest first), optionally of one unit, with their works."""
    query = select(ForwardingBatch).where(ForwardingBatch.round_id == round_id)
    if unit_id:
        query = query.where(ForwardingBatch.unit_id == unit_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    waiting = session.exec(select(func.count()).select_from(
        query.where(ForwardingBatch.received_at.is_(None)).subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    batches = list(session.exec(query.order_by(ForwardingBatch.id.desc()).offset((page - 1) * per_page)
                                .limit(per_page)).all())
    ids = [i for b in batches for i in b.entry_ids]
    works_ = {e.id: e for e in session.exec(select(Entry).where(Entry.id.in_(ids)))} if ids else {}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_({b.unit_id for b in batches})))} \
        if batches else {}
    return DeskPage(batches=batches, works=works_, units=units, total=total, page=page, pages=pages, waiting=waiting)


def desk_units(session: Session, *, round_id: int) -> list[Unit]:
    """The units that sent the round at least one batch (the desk's unit filter)."""
    sent = select(ForwardingBatch.unit_id).where(ForwardingBatch.round_id == round_id)
    return sorted(session.exec(select(Unit).where(Unit.id.in_(sent))).all(), key=units.sort_key)


def round_units(session: Session, *, round_id: int) -> list[Unit]:
    """The units with works in the round (the works list's unit filter)."""
    used = select(Entry.unit_id).where(Entry.round_id == round_id)
    return sorted(session.exec(select(Unit).where(Unit.id.in_(used))).all(), key=units.sort_key)


# --- bulk actions ------------------------------------------------------------------------------------------

BULK_ACTIONS = {
    "receive": ("central.receipt", "ghi nhận đã nhận"),
    "eligible": ("central.receipt", "xét đủ điều kiện dự giải"),
    "panel": ("preliminary.setup", "chuyển tiểu ban"),
}


def bulk(session: Session, *, round_: Round, action: str, entry_ids: list[int], actor: User, now: datetime,
         panel_code: str | None = None) -> int:
    """Apply one step to every checked work of the round, through that step's domain function, all or nothing:
    the first work that cannot take it refuses the lot (the caller rolls back). Returns the works changed."""
    if action not in BULK_ACTIONS:
        raise Invalid("Hãy chọn một thao tác.", field="action", code="unknown_action")
    require_phase(round_, now, BULK_ACTIONS[action][0])  # before anything is read or written
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise Invalid("Hãy chọn ít nhất một tác phẩm.", field="entry_id", code="required")
    if action == "panel" and not panel_code:
        raise Invalid("Hãy chọn tiểu ban.", field="panel_code", code="required")
    found = {e.id: e for e in session.exec(select(Entry).where(Entry.id.in_(ids), Entry.round_id == round_.id,
                                                                 permissions.entry_filter(actor)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"Không tìm thấy tác phẩm #{missing[0]} trong đợt giải này.", code="entry_not_found")
    entries = [found[i] for i in ids]
    if action == "receive":
        contests.receive_entries(session, round_=round_, entries=entries, actor=actor, now=now)
    else:
        for entry in entries:
            try:
                if action == "eligible":
                    contests.rule_eligibility(session, entry=entry, eligible=True, reason_code=None, note="",
                                              actor=actor, now=now)
                else:
                    panels.move(session, entry=entry, round_=round_, panel_code=panel_code, actor=actor, now=now)
            except AwardError as exc:  # say which work refused the lot
                if f"#{entry.id}" in exc.message:
                    raise
                raise type(exc)(f"Tác phẩm #{entry.id} “{entry.title}”: {exc.message}", field=exc.field,
                                code=exc.code) from exc
    log.info("worklist.bulk round_id=%s action=%s count=%s", round_.id, action, len(entries))
    return len(entries)
