"""Entries (tác phẩm): creation, editing, submission and withdrawal under the round's rules."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from award import audit, entry_status, jobs, notifications, permissions, users
from award.calendar import ENDS_ON, Phase, ends_at, require_phase
from award.errors import AwardError, Checks, Conflict, FieldErrors, Invalid, NotFound, field_errors, too_long
from award.models import Entry, EntryAuthor, EntryFile, EntryPart, EntryStatus, EntryTheme, OutlineNode, Round, User
from award.rules import MEDIA_TYPES, RoundRules, asks
from award.text import clean_line, clean_text, fold, normalise_url
from award.units import check_unit_for_round

log = logging.getLogger(__name__)

EDITABLE = entry_status.AUTHOR_EDITABLE
# Statuses in which an entry "counts" in its contest: for duplicates and per-author limits.
ACTIVE = entry_status.ACTIVE
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
# An address as people copy it from a browser's bar or a phone's share sheet, without its scheme: a host name
# with a dot and a top-level domain of letters ("baohatinh.vn/bai-1", "www.qdnd.vn"; not "12.5"), maybe a port,
# then a path, query or fragment
BARE_ADDRESS_RE = re.compile(r"^[^\W_][\w-]*(\.[\w-]+)*\.[^\W\d_]{2,}(:\d{1,5})?([/?#]\S*)?$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # a BCP 47 tag: vi, en, zh-Hant, …
NATIONAL_PRESS_AWARD = ("giai bao chi quoc gia",)


@dataclass
class AuthorIn:
    full_name: str
    pen_name: str | None = None
    email: str | None = None
    outlet: str | None = None


@dataclass
class PartIn:
    outlet: str
    published_on: date | None
    title: str | None = None
    url: str | None = None
    broadcast_slot: str | None = None


@dataclass
class PriorAwardIn:
    name: str
    level: str = ""
    year: int | None = None


@dataclass
class EntryIn:
    """What a journalist fills in; validated against the round's rules by `check_entry`."""

    unit_id: int | None
    title: str
    media_type: str
    genre: str
    summary: str = ""
    language: str = "vi"
    authors: list[AuthorIn] = field(default_factory=list)
    parts: list[PartIn] = field(default_factory=list)
    prior_awards: list[PriorAwardIn] = field(default_factory=list)
    hardship: bool = False
    hardship_note: str = ""
    transcript: str = ""


def local_deadline_at(round_: Round) -> datetime:
    """When submission ends: the end of the local deadline's day in Vietnam (or when it was ended early)."""
    return ends_at(round_, ENDS_ON[Phase.submission])


def accepts_entries(round_: Round, now: datetime) -> bool:
    from award.calendar import allows

    return allows(round_, now, "entry.create")


def _clean(text: str | None) -> str:
    """The one normal form of a name, title, outlet or pen name (award.text.clean_line)."""
    return clean_line(text)


# Longest stored text per field, counted on the normal form (NFC can lengthen a few scripts' text).
TEXT_LIMITS = {"title": 500, "summary": 10000, "hardship_note": 2000, "transcript": 200_000,
               "full_name": 200, "pen_name": 200, "outlet": 200, "broadcast_slot": 200, "name": 300, "level": 50,
               "email": 254, "url": 2000}
# The entry form's labels (templates/entries/form.html), so a refusal names the field as the form shows it.
ENTRY_LABELS = {"title": "Tên tác phẩm", "summary": "Tóm tắt nội dung", "hardship_note": "Mô tả hoàn cảnh",
                "transcript": "Kịch bản hoặc lời bình"}
ROW_LABELS = {
    "authors": ("Tác giả", {"full_name": "Họ và tên", "pen_name": "Bút danh", "email": "E-mail",
                            "outlet": "Cơ quan công tác"}),
    "parts": ("Kỳ", {"title": "Tên kỳ, tập", "outlet": "Cơ quan báo chí đăng, phát", "url": "Đường dẫn",
                     "broadcast_slot": "Chương trình, giờ phát sóng", "published_on": "Ngày đăng, phát"}),
    "prior_awards": ("Giải thưởng", {"name": "Tên giải", "level": "Mức giải", "year": "Năm"}),
}


def entry_label(field: str) -> str:
    """The form's label of an entry's field by its domain path: "title" → "Tên tác phẩm",
    "authors.1.full_name" → "Tác giả 2 – Họ và tên"."""
    parts = field.split(".")
    if parts[0] in ROW_LABELS and len(parts) == 3 and parts[1].isdigit():
        row, labels = ROW_LABELS[parts[0]]
        return f"{row} {int(parts[1]) + 1} – {labels.get(parts[2], parts[2])}"
    return ENTRY_LABELS.get(field, f"“{field}”")


def _check_lengths(data: EntryIn) -> None:
    """Every text field, once in its normal form, fits its column (a 500 on PostgreSQL otherwise); a longer
    one is refused naming the field and its limit (award.errors.too_long), never cut."""
    checks = Checks()  # every field too long at once: the person shortens them all in one go

    def check(value: str | None, name: str, field: str, multiline: bool = False) -> None:
        length = len(clean_text(value, multiline=multiline))
        if length > TEXT_LIMITS[name]:
            checks.add(field, too_long(entry_label(field), TEXT_LIMITS[name], length, field=field).message)

    check(data.title, "title", "title")
    for name in ("summary", "hardship_note", "transcript"):
        check(getattr(data, name), name, name, multiline=True)
    for i, author in enumerate(data.authors):
        for name in ("full_name", "pen_name", "email", "outlet"):
            check(getattr(author, name), name, f"authors.{i}.{name}")
    for i, part in enumerate(data.parts):
        for name in ("title", "outlet", "url", "broadcast_slot"):
            check(getattr(part, name), name, f"parts.{i}.{name}")
    for i, award in enumerate(data.prior_awards):
        for name in ("name", "level"):
            check(getattr(award, name), name, f"prior_awards.{i}.{name}")
    if len(checks.errors) == 1:
        field, message = next(iter(checks.errors.items()))
        raise Invalid(message, field=field, code="too_long")
    if checks.errors:
        refused = FieldErrors(checks.errors)
        refused.code = "too_long"
        raise refused


def check_entry(session: Session, *, round_: Round, data: EntryIn, exclude_entry_id: int | None = None) -> None:
    """Every rule of the round that the form itself can break, each with the field at fault. Every part of
    the form, and every field of it on its own, is checked, so a person sees all the problems at once (the first
    problem of each field)."""
    rules = RoundRules.model_validate(round_.rules)
    _refuse_all(_problems(
        lambda: _check_lengths(data), lambda: _check_language(data), lambda: _check_title(data),
        lambda: check_unit_for_round(session, round_, data.unit_id),  # exists and takes part in the round
        lambda: _check_media_type(data, rules), lambda: _check_genre(data, rules),
        lambda: _check_authors(data.authors, rules),
        lambda: _check_parts(session, round_=round_, parts=data.parts, rules=rules, exclude_entry_id=exclude_entry_id),
        lambda: _check_prior_awards(data), lambda: _check_hardship(data)))


def _problems(*rules, catch: tuple[type[AwardError], ...] = (Invalid,)) -> list[AwardError]:
    """Run every rule; the refusals they raise, in order."""
    found = []
    for rule in rules:
        try:
            rule()
        except catch as exc:
            found.append(exc)
    return found


def _refuse_all(problems: list[AwardError]) -> None:
    """Nothing, the one problem as it was raised (its own code), or FieldErrors naming each field (the first
    problem's code)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        errors: dict[str, str] = {}
        for exc in problems:
            for field, message in field_errors(exc).items():
                errors.setdefault(field, message)
        refused = FieldErrors(errors)
        refused.code = problems[0].code
        raise refused


def _check_hardship(data: EntryIn) -> None:
    if data.hardship and not _clean(data.hardship_note):
        raise Invalid("Hãy mô tả hoàn cảnh tác nghiệp khó khăn.", field="hardship_note", code="required")


def _check_language(data: EntryIn) -> None:
    if not LANGUAGE_RE.fullmatch(data.language or "vi"):
        raise Invalid("Mã ngôn ngữ không hợp lệ (ví dụ: vi, en).", field="language", code="invalid_language")


def _check_title(data: EntryIn) -> None:
    if not _clean(data.title):
        raise Invalid("Vui lòng nhập tên tác phẩm.", field="title", code="required")


def _check_media_type(data: EntryIn, rules: RoundRules) -> None:
    if not (data.media_type or "").strip():
        raise Invalid("Vui lòng chọn loại hình.", field="media_type", code="required")
    if data.media_type not in rules.media_types:
        allowed = ", ".join(MEDIA_TYPES.get(m, m) for m in rules.media_types)
        raise Invalid(f"Loại hình không hợp lệ. Chọn một trong: {allowed}.", field="media_type", code="invalid_media_type")


def _check_genre(data: EntryIn, rules: RoundRules) -> None:
    """The genre on its own: chosen, and one the round admits for the media type (for any of its media types
    while the media type is missing or wrong, so that problem is named on its own, not instead of this one)."""
    if not (data.genre or "").strip():
        raise Invalid("Vui lòng chọn thể loại.", field="genre", code="required")
    media_known = data.media_type in rules.media_types
    genres = {fold(g): g for g in (rules.genres_for(data.media_type) if media_known else rules.genres)}
    if fold(data.genre) not in genres:
        # the genres it may have, named (a form sent without JavaScript offered them all)
        admitted = ", ".join(genres.values())
        raise Invalid(f"Thể loại không có trong thể lệ của đợt giải cho loại hình {MEDIA_TYPES.get(data.media_type)}; "
                      f"chọn một trong: {admitted}." if media_known else
                      "Thể loại không có trong thể lệ của đợt giải.", field="genre", code="invalid_genre")
    data.genre = genres[fold(data.genre)]  # stored as the rules spell it


def _check_prior_awards(data: EntryIn) -> None:
    _refuse_all([problem for i, award in enumerate(data.prior_awards)
                 for problem in _problems(lambda i=i, award=award: _check_prior_award(i, award))])


def _check_prior_award(i: int, award: PriorAwardIn) -> None:
    if not _clean(award.name):
        raise Invalid("Vui lòng ghi tên giải thưởng đã đạt.", field=f"prior_awards.{i}.name", code="required")
    if any(marker in fold(award.name) for marker in NATIONAL_PRESS_AWARD):
        raise Invalid("Tác phẩm đã đoạt Giải Báo chí Quốc gia không được dự giải.",
                      field=f"prior_awards.{i}.name", code="national_press_award")


def _check_authors(authors: list[AuthorIn], rules: RoundRules) -> None:
    if not authors:
        raise Invalid("Tác phẩm cần ít nhất một tác giả.", field="authors", code="required")
    if len(authors) > rules.max_authors_local:
        raise Invalid(f"Nhóm tác giả tối đa {rules.max_authors_local} người.", field="authors", code="too_many_authors")
    seen: set[str] = set()
    _refuse_all([problem for i, author in enumerate(authors) for problem in _problems(
        lambda i=i, a=author: _check_author_name(i, a, seen), lambda i=i, a=author: _check_author_email(i, a))])


def _check_author_name(i: int, author: AuthorIn, seen: set[str]) -> None:
    if not _clean(author.full_name):
        raise Invalid("Vui lòng nhập họ tên tác giả.", field=f"authors.{i}.full_name", code="required")
    key = (author.email or "").strip().lower() or fold(author.full_name)
    if key in seen:
        raise Invalid("Một tác giả được ghi hai lần.", field=f"authors.{i}.full_name", code="duplicate_author")
    seen.add(key)


def _check_author_email(i: int, author: AuthorIn) -> None:
    if author.email and (not users.EMAIL_RE.match(author.email.strip()) or len(author.email.strip()) > 254):
        raise Invalid("E-mail tác giả không hợp lệ.", field=f"authors.{i}.email", code="invalid_email")


def _check_parts(session: Session, *, round_: Round, parts: list[PartIn], rules: RoundRules,
                 exclude_entry_id: int | None) -> None:
    """Every part (kỳ), and every field of each on its own, so all their problems are shown at once."""
    if not parts:
        raise Invalid("Tác phẩm cần ít nhất một kỳ (bài) đã đăng, phát.", field="parts", code="required")
    if len(parts) > rules.max_parts:
        raise Invalid(f"Loạt bài tối đa {rules.max_parts} kỳ.", field="parts", code="too_many_parts")
    seen_urls: set[str] = set()
    _refuse_all([problem for i, part in enumerate(parts) for problem in _problems(
        lambda i=i, part=part: _check_part_outlet(i, part),
        lambda i=i, part=part: _check_part_date(round_, i, part),
        lambda i=i, part=part: _check_part_url(session, round_=round_, i=i, part=part, seen_urls=seen_urls,
                                               exclude_entry_id=exclude_entry_id))])


def _check_part_outlet(i: int, part: PartIn) -> None:
    if not _clean(part.outlet):
        raise Invalid("Vui lòng nhập cơ quan báo chí đăng, phát.", field=f"parts.{i}.outlet", code="required")


def _check_part_date(round_: Round, i: int, part: PartIn) -> None:
    if part.published_on is None:
        raise Invalid("Vui lòng nhập ngày đăng, phát.", field=f"parts.{i}.published_on", code="required")
    if not round_.publication_start <= part.published_on <= round_.publication_end:
        raise Invalid(
            f"Ngày đăng, phát phải trong khoảng {round_.publication_start:%d/%m/%Y} – "
            f"{round_.publication_end:%d/%m/%Y}.",
            field=f"parts.{i}.published_on", code="outside_publication_window")


def with_scheme(url: str) -> str:
    """A link as typed, trimmed, with "https://" put before an address that has no scheme ("baohatinh.vn/bai-1");
    anything else (another scheme, words) is left for the check to refuse."""
    url = clean_line(url)
    return f"https://{url}" if "://" not in url and BARE_ADDRESS_RE.match(url) else url


def _check_part_url(session: Session, *, round_: Round, i: int, part: PartIn, seen_urls: set[str],
                    exclude_entry_id: int | None) -> None:
    if not part.url:
        return
    part.url = with_scheme(part.url)
    if not URL_RE.match(part.url) or len(part.url) > 2000:
        raise Invalid("Đường dẫn phải bắt đầu bằng http:// hoặc https://.", field=f"parts.{i}.url", code="invalid_url")
    key = normalise_url(part.url)
    if key in seen_urls:
        raise Invalid("Hai kỳ có cùng đường dẫn.", field=f"parts.{i}.url", code="duplicate_url")
    seen_urls.add(key)
    if _url_taken(session, round_id=round_.id, url_key=key, exclude_entry_id=exclude_entry_id):
        raise Invalid("Đường dẫn này đã có trong một tác phẩm khác của đợt giải.", field=f"parts.{i}.url",
                      code="duplicate_url")


def _url_taken(session: Session, *, round_id: int, url_key: str, exclude_entry_id: int | None) -> bool:
    query = (
        select(EntryPart.id)
        .join(Entry, Entry.id == EntryPart.entry_id)
        .where(Entry.round_id == round_id, EntryPart.url_key == url_key, Entry.status != EntryStatus.withdrawn)
    )
    if exclude_entry_id is not None:
        query = query.where(Entry.id != exclude_entry_id)
    return session.exec(query.limit(1)).first() is not None


def _child_rows(entry_id: int | None, data: EntryIn) -> tuple[list[EntryAuthor], list[EntryPart]]:
    """The author and part rows the form's data stores, in their normal form (not yet added to the session)."""
    authors = [EntryAuthor(
        entry_id=entry_id, position=i, full_name=_clean(a.full_name), pen_name=_clean(a.pen_name) or None,
        email=(a.email or "").strip().lower() or None, outlet=_clean(a.outlet) or None,
        name_key=fold(a.full_name)[:200],  # NFKD may lengthen: the column's width
        pen_name_key=fold(a.pen_name)[:200], outlet_key=fold(a.outlet)[:200]) for i, a in enumerate(data.authors)]
    parts = [EntryPart(
        entry_id=entry_id, position=i, title=_clean(p.title) or None, outlet=_clean(p.outlet),
        outlet_key=fold(p.outlet)[:200],
        published_on=p.published_on, url=clean_line(p.url) or None,
        url_key=normalise_url(p.url) if p.url else None,
        broadcast_slot=(_clean(p.broadcast_slot) or None) if asks("broadcast_slot", data.media_type) else None)
        for i, p in enumerate(data.parts)]
    return authors, parts


def _write_children(session: Session, entry: Entry, rows: tuple[list[EntryAuthor], list[EntryPart]]) -> None:
    session.exec(delete(EntryAuthor).where(EntryAuthor.entry_id == entry.id))
    session.exec(delete(EntryPart).where(EntryPart.entry_id == entry.id))
    session.flush()
    for row in (*rows[0], *rows[1]):
        row.entry_id = entry.id
        session.add(row)


# What a save of the form can change, as the history names it (`entry.updated`'s `fields`).
ENTRY_FIELDS = ("unit_id", "title", "media_type", "genre", "summary", "language", "hardship", "hardship_note",
                "transcript", "prior_awards")
AUTHOR_COLUMNS = ("full_name", "pen_name", "email", "outlet")
PART_COLUMNS = ("title", "outlet", "published_on", "url", "broadcast_slot")


def _snapshot(entry: Entry, authors: list[EntryAuthor], parts: list[EntryPart]) -> dict:
    """The work as its form shows it, to compare before and after a save."""
    return {**{f: getattr(entry, f) for f in ENTRY_FIELDS},
            "authors": [tuple(getattr(a, c) for c in AUTHOR_COLUMNS) for a in authors],
            "parts": [tuple(getattr(p, c) for c in PART_COLUMNS) for p in parts]}


def _apply(entry: Entry, data: EntryIn) -> None:
    entry.unit_id = data.unit_id
    entry.title = _clean(data.title)
    entry.title_folded = fold(entry.title)[:500]  # what search compares with (award.text.fold of the query)
    entry.media_type = data.media_type
    entry.genre = data.genre
    entry.summary = clean_text(data.summary, multiline=True)
    entry.language = data.language or "vi"
    entry.hardship = data.hardship
    entry.hardship_note = clean_text(data.hardship_note, multiline=True) if data.hardship else ""
    entry.transcript = clean_text(data.transcript, multiline=True) if asks("transcript", data.media_type) else ""
    entry.prior_awards = [{"name": _clean(a.name), "level": _clean(a.level), "year": a.year} for a in data.prior_awards]


def create_entry(session: Session, *, owner: User, round_: Round, data: EntryIn, now: datetime,
                 client_token: str | None = None) -> Entry:
    """A new draft. The same client token twice (a double click) gives back the first entry."""
    if client_token:
        existing = session.exec(select(Entry).where(Entry.owner_id == owner.id, Entry.client_token == client_token)).first()
        if existing is not None:
            return existing
    require_phase(round_, now, "entry.create")
    check_entry(session, round_=round_, data=data)
    entry = Entry(round_id=round_.id, owner_id=owner.id, client_token=client_token, created_at=now, updated_at=now,
                  unit_id=data.unit_id, title="", media_type="", genre="")
    _apply(entry, data)
    session.add(entry)
    session.flush()
    _write_children(session, entry, _child_rows(entry.id, data))
    jobs.enqueue_suggest(session, entry_id=entry.id, cause=f"v{entry.version}", now=now)
    audit.record(session, actor_id=owner.id, action="entry.created", object_type="entry", object_id=entry.id,
                 now=now, data={"status": entry.status, "round_id": round_.id, "unit_id": entry.unit_id})
    log.info("entry.created entry_id=%s round_id=%s", entry.id, round_.id)
    return entry


def update_entry(session: Session, *, entry: Entry, actor: User, data: EntryIn, now: datetime,
                 expected_version: int | None = None) -> Entry:
    """Edit a work while the round takes entries and the unit has not screened it (AUTHOR_EDITABLE); the unit
    never changes after submission; a stale form (another tab) is refused."""
    round_ = session.get(Round, entry.round_id)
    require_editable(entry, round_, now)
    if expected_version is not None and expected_version != entry.version:
        raise Conflict("Tác phẩm vừa được sửa ở một cửa sổ khác. Hãy tải lại trang để xem bản mới nhất.",
                       code="stale_version")
    if entry.status != EntryStatus.draft and data.unit_id != entry.unit_id:
        raise Invalid("Không thể đổi đơn vị sau khi đã nộp tác phẩm: hãy rút tác phẩm và nộp lại ở đơn vị khác.",
                      field="unit_id", code="unit_fixed")
    check_entry(session, round_=round_, data=data, exclude_entry_id=entry.id)
    before = _snapshot(entry, *children(session, entry))
    _apply(entry, data)
    rows = _child_rows(entry.id, data)
    after = _snapshot(entry, *rows)
    if not audit.changed_fields(before, after):
        # the same form saved again: the work keeps its version, nothing is written, nothing in the history
        return entry
    entry.updated_at = now
    entry.version += 1
    session.add(entry)
    session.flush()
    _write_children(session, entry, rows)
    if entry.status != EntryStatus.draft:
        _check_author_limits(session, entry=entry, round_=round_)
    session.flush()
    jobs.enqueue_suggest(session, entry_id=entry.id, cause=f"v{entry.version}", now=now)
    audit.record_update(session, actor_id=actor.id, action="entry.updated", object_type="entry", object_id=entry.id,
                        now=now, before=before, after=after,
                        data={"version": entry.version})
    return entry


def _check_author_limits(session: Session, *, entry: Entry, round_: Round) -> None:
    """No author may have more than `works_per_author_local` works counting in the same contest.

    Raises Conflict (code ``author_limit``, field ``authors.{position}.full_name``) for the first author over it."""
    over = author_limit_problems(session, entry=entry, round_=round_)
    if over:
        field, message = over[0]
        raise Conflict(message, field=field, code="author_limit")


def author_limit_problems(session: Session, *, entry: Entry, round_: Round) -> list[tuple[str, str]]:
    """(field, Vietnamese message) for each author of ``entry`` who already has `works_per_author_local` other
    works counting (submitted or further) in the same unit's contest of the round (DOMAIN.md: at most 2 works per
    author in one contest)."""
    rules = RoundRules.model_validate(round_.rules)
    problems: list[tuple[str, str]] = []
    authors = session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry.id).order_by(EntryAuthor.position)).all()
    for author in authors:
        match = EntryAuthor.name_key == author.name_key
        if author.email:
            match = or_(match, EntryAuthor.email == author.email)
        others = session.exec(
            select(func.count(func.distinct(Entry.id)))
            .join(EntryAuthor, EntryAuthor.entry_id == Entry.id)
            .where(Entry.round_id == entry.round_id, Entry.unit_id == entry.unit_id, Entry.id != entry.id,
                   Entry.status.in_(ACTIVE), match)
        ).one()
        if others >= rules.works_per_author_local:
            problems.append((f"authors.{author.position}.full_name",
                             # the field's label already says "Tác giả 1: "
                             f"{author.full_name} đã có {others} tác phẩm khác dự thi ở đơn vị này; mỗi tác giả "
                             f"được tối đa {rules.works_per_author_local}."))
    return problems


def submit_entry(session: Session, *, entry: Entry, actor: User, now: datetime) -> Entry:
    """Submit (or resubmit a returned work) to the unit's local contest before the local deadline, with every
    rule checked again and the work complete for its media type."""
    if entry.status == EntryStatus.submitted:
        raise Conflict("Tác phẩm đã được nộp.", code="already_submitted")
    round_ = session.get(Round, entry.round_id)
    require_phase(round_, now, "entry.submit")
    entry_status.check(entry.id, entry.status, EntryStatus.submitted)
    # every requirement of submission at once (the form's rules, the authors' limits, the files), so the
    # author fixes them in one go rather than meeting them one submission after another
    _refuse_all(
        _problems(lambda: check_entry(session, round_=round_, data=entry_input(session, entry),
                                      exclude_entry_id=entry.id), catch=(Invalid, Conflict))
        # every author over the limit, each under their own name
        + [Conflict(message, field=field, code="author_limit")
           for field, message in author_limit_problems(session, entry=entry, round_=round_)]
        + _problems(lambda: _check_duplicate_files(session, entry=entry),
                    lambda: check_complete(session, entry=entry, round_=round_), catch=(Invalid, Conflict)))
    entry_status.apply(session, entry=entry, to=EntryStatus.submitted, actor=actor, now=now)
    entry.submitted_at = now
    notifications.entry_submitted(session, entry=entry, now=now)
    return entry


def _check_duplicate_files(session: Session, *, entry: Entry) -> None:
    files = session.exec(select(EntryFile).where(EntryFile.entry_id == entry.id, EntryFile.removed_at == None)).all()  # noqa: E711
    for f in files:
        if file_taken(session, round_id=entry.round_id, sha256=f.sha256, exclude_entry_id=entry.id):
            raise Conflict(f"Tệp {f.filename} đã có trong một tác phẩm khác của đợt giải.",
                           field="file", code="duplicate_file")


def file_taken(session: Session, *, round_id: int, sha256: str, exclude_entry_id: int) -> bool:
    return session.exec(
        select(EntryFile.id).join(Entry, Entry.id == EntryFile.entry_id)
        .where(EntryFile.round_id == round_id, EntryFile.sha256 == sha256, EntryFile.removed_at == None,  # noqa: E711
               Entry.id != exclude_entry_id, Entry.status != EntryStatus.withdrawn)
        .limit(1)
    ).first() is not None


def withdraw_entry(session: Session, *, entry: Entry, actor: User, now: datetime) -> Entry:
    """The author withdraws a work the unit has not forwarded (until the central deadline)."""
    require_phase(session.get(Round, entry.round_id), now, "entry.withdraw")
    if not entry_status.allowed(entry.status, EntryStatus.withdrawn):
        raise entry_status.InvalidTransition("Chỉ rút được tác phẩm đã nộp và chưa được đơn vị gửi đi.",
                                             field="status")
    entry_status.apply(session, entry=entry, to=EntryStatus.withdrawn, actor=actor, now=now)
    return entry


def delete_draft(session: Session, *, entry: Entry, actor: User, now: datetime) -> list[str]:
    """Remove a draft with its rows; returns the storage keys the caller deletes after commit."""
    if entry.status != EntryStatus.draft:
        raise Conflict("Chỉ xóa được bản nháp.", code="not_draft")
    files = session.exec(select(EntryFile).where(EntryFile.entry_id == entry.id)).all()
    keys = [f.key for f in files]
    for f in files:
        session.delete(f)
    audit.record(session, actor_id=actor.id, action="entry.deleted", object_type="entry", object_id=entry.id, now=now,
                 data={"title": entry.title})
    session.delete(entry)
    session.flush()
    return keys


def require_editable(entry: Entry, round_: Round, now: datetime) -> None:
    """The author changes a work (fields, files, themes) only while the round takes entries and the unit has
    not screened it: 409 `phase_closed` or `not_editable` otherwise."""
    require_phase(round_, now, "entry.edit")
    if entry.status not in EDITABLE:
        raise Conflict("Tác phẩm đã được đơn vị xét hoặc đã rút, không còn sửa được.", code="not_editable")


# What each media type needs before it can be submitted: a part is covered by its link, or by a file of one
# of these kinds (../shared/API.md "Entry lifecycle"; per round in RoundRules.completeness).
KIND_LABELS = {"document": "tệp văn bản (PDF, DOCX)", "image": "ảnh", "audio": "tệp âm thanh", "video": "tệp video",
               "link": "đường dẫn"}


def missing_for_submission(session: Session, *, entry: Entry, round_: Round) -> str | None:
    """What the work still lacks for its media type (Vietnamese), or None when it is complete."""
    needs = RoundRules.model_validate(round_.rules).completeness.get(entry.media_type)
    if not needs:
        return None
    _, parts = children(session, entry)
    # session.exec of one column yields the values themselves, not 1-tuples
    kinds = session.exec(select(EntryFile.kind).where(
        EntryFile.entry_id == entry.id, EntryFile.removed_at == None)).all()  # noqa: E711
    files = sum(1 for k in kinds if k in needs)
    uncovered = [i for i, p in enumerate(parts) if not ("link" in needs and p.url)]
    if len(uncovered) <= files:
        return None
    accepted = " hoặc ".join(KIND_LABELS.get(k, k) for k in needs)
    names = ", ".join(f"kỳ {i + 1}" for i in uncovered[files:])
    return f"Tác phẩm {MEDIA_TYPES.get(entry.media_type, entry.media_type)} cần {accepted} cho {names}."


def check_complete(session: Session, *, entry: Entry, round_: Round) -> None:
    missing = missing_for_submission(session, entry=entry, round_=round_)
    if missing:
        raise Conflict(f"Hồ sơ chưa đầy đủ: {missing}", field="files", code="incomplete")


def entry_input(session: Session, entry: Entry) -> EntryIn:
    authors, parts = children(session, entry)
    return EntryIn(
        unit_id=entry.unit_id, title=entry.title, media_type=entry.media_type, genre=entry.genre,
        summary=entry.summary, language=entry.language,
        authors=[AuthorIn(a.full_name, a.pen_name, a.email, a.outlet) for a in authors],
        parts=[PartIn(p.outlet, p.published_on, p.title, p.url, p.broadcast_slot) for p in parts],
        prior_awards=[PriorAwardIn(a.get("name", ""), a.get("level", ""), a.get("year")) for a in entry.prior_awards],
        hardship=entry.hardship, hardship_note=entry.hardship_note, transcript=entry.transcript)


def children(session: Session, entry: Entry) -> tuple[list[EntryAuthor], list[EntryPart]]:
    authors = session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry.id).order_by(EntryAuthor.position)).all()
    parts = session.exec(select(EntryPart).where(EntryPart.entry_id == entry.id).order_by(EntryPart.position)).all()
    return list(authors), list(parts)


def children_of_many(session: Session, entry_ids: list[int]) -> dict[int, tuple[list[EntryAuthor], list[EntryPart]]]:
    """`children` of a page of entries in two queries, however long the page (no query per entry)."""
    found: dict[int, tuple[list[EntryAuthor], list[EntryPart]]] = {i: ([], []) for i in entry_ids}
    if not entry_ids:
        return found
    for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(entry_ids)).order_by(EntryAuthor.position)):
        found[a.entry_id][0].append(a)
    for p in session.exec(select(EntryPart).where(EntryPart.entry_id.in_(entry_ids)).order_by(EntryPart.position)):
        found[p.entry_id][1].append(p)
    return found


# --- visibility (the rules are award.permissions; these load what they allow) ------------------

def get_visible_entry(session: Session, *, user: User, entry_id: int, assigned_ids=None) -> Entry:
    """The entry if `user` may see it (award.permissions.can_view_entry), else 404 as if it did not exist.
    `assigned_ids`: the ids assigned to a judge (judging.permissions.assigned_entry_ids)."""
    entry = session.exec(select(Entry).where(Entry.id == entry_id,
                                             permissions.entry_filter(user, assigned_ids=assigned_ids))).first()
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    return entry


def get_own_entry(session: Session, *, user: User, entry_id: int) -> Entry:
    """For changes: only the journalist who owns the entry (award.permissions.can_change_entry)."""
    entry = session.get(Entry, entry_id)
    if entry is None or not permissions.can_change_entry(user, entry):
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    return entry


@dataclass
class EntryFilters:
    round_id: int | None = None
    unit_id: int | None = None
    status: EntryStatus | None = None
    media_type: str | None = None
    q: str | None = None
    theme: str | None = None


def narrowed(query, *, round_id=None, unit_id=None, status=None, media_type=None):
    """`query` over Entry with the filters every list of works offers (each only when given)."""
    for column, value in ((Entry.round_id, round_id), (Entry.unit_id, unit_id), (Entry.status, status),
                          (Entry.media_type, media_type)):
        if value:
            query = query.where(column == value)
    return query


def list_entries(session: Session, *, user: User, filters: EntryFilters, page: int, per_page: int,
                 assigned_ids=None) -> tuple[list[Entry], int]:
    """The works `user` may see (award.permissions.entry_filter), filtered and paged."""
    query = narrowed(select(Entry).where(permissions.entry_filter(user, assigned_ids=assigned_ids)),
                     round_id=filters.round_id, unit_id=filters.unit_id, status=filters.status,
                     media_type=filters.media_type)
    if filters.theme:
        query = query.where(Entry.id.in_(
            select(EntryTheme.entry_id).join(OutlineNode, OutlineNode.id == EntryTheme.outline_node_id)
            .where(OutlineNode.code == filters.theme)))
    if filters.q:
        # Case, diacritics and Unicode form ignored alike on SQLite and PostgreSQL: the query is folded
        # as the stored `title_folded` was (no per-row function, so the column's index can serve).
        needle = fold(filters.q)
        if needle:
            query = query.where(Entry.title_folded.contains(needle, autoescape=True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Entry.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
