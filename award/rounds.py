"""Launching and changing a round: its name, calendar, explicit states and rules, each change checked and
audited. What a change would break in the judging (score sheets, panels holding works, prizes decided) is
checked by judging.round_setup, which passes its check in as `guard` (award imports nothing of judging)."""

import copy
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, select

from award import audit, calendar
from award.calendar import CALENDAR_FIELDS, CALENDAR_LABELS, Phase, phase, require_phase
from award.errors import Checks, Conflict, FieldErrors, Invalid, named, too_long
from award.models import Entry, Round, User, round_label
from award.rules import MEDIA_TYPES, RoundRules, rule_label, rules_problems

log = logging.getLogger(__name__)

NAME_CHARS = 300  # a round's name (round.name)
EDITABLE_FIELDS = ("name", "publication_start", "publication_end") + CALENDAR_FIELDS


# a guard sees (old rules, new rules) and returns {field: why the change would break work already done}
RulesGuard = Callable[[RoundRules, RoundRules], dict[str, str]]

ROMAN_RE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def default_name(number: str, year: int) -> str:
    return f"Giải báo chí toàn quốc về xây dựng Đảng (Giải Búa liềm vàng) {round_label(number, year)}"


def check_rules(session: Session, *, round_: Round, raw: dict[str, Any], guard: RulesGuard | None = None,
                old: RoundRules | None = None) -> RoundRules:
    """The round's rules as `raw` says, refused (FieldErrors, every field at once) when they are not valid
    rules, when entries of the round use a media type they drop, or when `guard` finds work they would break."""
    rules, problems = rules_problems(raw)
    if rules is not None and round_.id is not None:
        used = session.exec(select(Entry.media_type, func.count()).where(Entry.round_id == round_.id)
                            .group_by(Entry.media_type)).all()
        for media, n in used:
            if media not in rules.media_types:
                problems.setdefault("rules.media_types", named(rule_label("media_types"), (
                    f"Không thể bỏ loại hình “{MEDIA_TYPES.get(media, media)}”: đã có {n} tác phẩm thuộc loại hình này.")))
        if guard is not None and old is not None:
            for field, message in guard(old, rules).items():
                problems.setdefault(field, message)
    if problems:
        raise FieldErrors(problems)
    return RoundRules.model_validate(rules.model_dump())


#: What the settings form calls the fields a round's settings change (EDITABLE_FIELDS), for messages.
FIELD_LABELS = {"name": "Tên đợt giải", "publication_start": "Tác phẩm đăng, phát từ ngày",
                "publication_end": "Tác phẩm đăng, phát đến ngày", **CALENDAR_LABELS}


def date_window(field: str, year: int) -> tuple[date, date]:
    """The dates a round of ``year`` may give ``field`` (a calendar date or the publication window's ends):
    its calendar runs from the year before to the year after (round VIII, 2023: opened 03/02/2023, final
    judging to 20/01/2024, ceremony 2024), its works were published from the year before last (the window is
    November to October, a round may widen it). A year typed as 9999 or 1900 is a slip, not a plan."""
    if field in CALENDAR_FIELDS:
        return date(year - 1, 1, 1), date(year + 1, 12, 31)
    return date(year - 2, 1, 1), date(year + 1, 12, 31)


def _form_field(key: str) -> str:
    """The error's field for a round setting: calendar dates sit under ``calendar.``."""
    return f"calendar.{key}" if key in CALENDAR_FIELDS else key


def _check_in_window(values: dict[str, Any], year: int, checks: Checks) -> None:
    for f in ("publication_start", "publication_end") + CALENDAR_FIELDS:
        value = values.get(f)
        if not isinstance(value, date) or checks.errors.get(_form_field(f)):
            continue
        low, high = date_window(f, year)
        checks.require(low <= value <= high, _form_field(f),
                       f"“{FIELD_LABELS[f]}” ({value:%d/%m/%Y}) phải trong khoảng {low:%d/%m/%Y} – {high:%d/%m/%Y} "
                       f"(đợt giải năm {year}).")


def _check_calendar(values: dict[str, Any], checks: Checks) -> None:
    missing = [f for f in CALENDAR_FIELDS if not isinstance(values.get(f), date)]
    for field in missing:
        checks.add(f"calendar.{field}", f"Hãy nhập ngày “{CALENDAR_LABELS[field]}”.")
    if missing:
        return
    dates = {f: values[f] for f in CALENDAR_FIELDS}
    for earlier, later in zip(CALENDAR_FIELDS, CALENDAR_FIELDS[1:]):  # every date out of order, not the first only
        if dates[earlier] > dates[later]:
            checks.add(f"calendar.{later}", f"“{CALENDAR_LABELS[later]}” ({dates[later]:%d/%m/%Y}) không được "
                                            f"trước “{CALENDAR_LABELS[earlier]}” ({dates[earlier]:%d/%m/%Y}).")


def roman_value(number: str) -> int:
    """The value of a Roman numeral as ROMAN_RE accepts it ("XIII" → 13); 0 for anything else."""
    if not number or ROMAN_RE.fullmatch(number) is None:
        return 0
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for letter, following in zip(number, number[1:] + " "):
        value = values[letter]
        total += -value if following != " " and values[following] > value else value
    return total


def _check_sequence(session: Session, number: str, year: int) -> None:
    """A round's number and year are each used once, and the rounds are held one a year in the order of
    their numbers: a round numbered after another is held in a later year (lần thứ I was 2016, IV 2019).
    Refused (409 `round_exists` / `round_out_of_order`) naming the field and the round it clashes with."""
    others = session.exec(select(Round)).all()
    for other in others:
        if other.number == number:
            raise Conflict(f"Số thứ tự {number} đã có đợt giải {other.label}.", field="number", code="round_exists")
    for other in others:
        if other.year == year:
            raise Conflict(f"Năm {year} đã có đợt giải {other.label}.", field="year", code="round_exists")
    value = roman_value(number)
    for other in sorted(others, key=lambda r: r.year):
        other_value = roman_value(other.number)
        if value and other_value and (other_value < value) != (other.year < year):
            than = "nhỏ hơn mà năm muộn hơn" if other_value < value else "lớn hơn mà năm sớm hơn"
            raise Conflict(f"Năm {year} không hợp với số thứ tự {number}: đợt giải {other.label} có số thứ tự {than}"
                           " (các đợt giải đánh số theo thứ tự năm).", field="year", code="round_out_of_order")


def create_round(session: Session, *, number: str, year: int, name: str | None, calendar: dict[str, date],
                 copy_from: Round | None = None, publication_start: date | None = None,
                 publication_end: date | None = None, actor_id: int, now: datetime) -> Round:
    """A new round, kept in preparation (`draft`) until the secretariat opens it. Its rules are copied from
    `copy_from` (media types, genres, limits, rubric, panels and shortlist targets, prize counts, thematic
    prizes without their links to the other round's outline, council settings, completeness) or are the
    defaults; nothing else of the other round (entries, outline, judges) comes along. Number (a Roman
    numeral) and year are unique (409 `round_exists`); dates in calendar order."""
    checks = Checks()
    number = (number or "").strip().upper()
    if checks.require(bool(number), "number", "Hãy nhập số thứ tự của đợt giải (số La Mã, ví dụ XI)."):
        checks.require(len(number) <= 8 and ROMAN_RE.fullmatch(number) is not None, "number",
                       f"“{number}” không phải số La Mã (ví dụ: X, XI, XII).")
    checks.require(isinstance(year, int) and 2016 <= year <= 2100, "year", "Năm phải từ 2016 đến 2100.")
    name = (name or "").strip() or (default_name(number, year) if number else "")
    if len(name) > NAME_CHARS:
        checks.add("name", too_long("Tên đợt giải", NAME_CHARS, len(name), field="name").message)
    year_ok = isinstance(year, int) and checks.errors.get("year") is None
    if year_ok:  # a date in the wrong years first: its order among the others is not the problem to fix
        publication_start = publication_start or date(year - 1, 11, 1)
        publication_end = publication_end or date(year, 10, 31)
        _check_in_window({**calendar, "publication_start": publication_start, "publication_end": publication_end},
                         year, checks)
    _check_calendar(calendar, checks)
    if year_ok:
        checks.require(publication_start <= publication_end, "publication_start",
                       "Ngày bắt đầu phải trước ngày kết thúc khoảng thời gian đăng tải.")
    checks.done()
    _check_sequence(session, number, year)
    if copy_from is not None:
        source = RoundRules.model_validate(copy.deepcopy(copy_from.rules))
        for prize in source.thematic_prizes:  # the other round's outline codes mean nothing in this one
            prize.themes = []
        rules = source.model_dump(mode="json")
    else:
        rules = RoundRules().model_dump(mode="json")
    round_ = Round(number=number, year=year, name=name, publication_start=publication_start,
                   publication_end=publication_end, draft=True, rules=rules,
                   **{f: calendar[f] for f in CALENDAR_FIELDS})
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor_id, action="round.created", object_type="round", object_id=round_.id,
                 now=now, data={"number": number, "year": year, "copy_from": copy_from.id if copy_from else None,
                                **{f: calendar[f].isoformat() for f in CALENDAR_FIELDS}})
    log.info("round.created round_id=%s number=%s copy_from=%s", round_.id, number,
             copy_from.id if copy_from else None)
    return round_


def _kept_media_genres(raw: dict[str, Any]) -> Any:
    """The genres per media type left when media types or genres are changed without them: a media type no
    longer in the round and a genre no longer in its list go with them (a media type left with none admits every
    genre of the round, as one never listed)."""
    media_genres, media_types, genres = raw.get("media_genres"), raw.get("media_types"), raw.get("genres")
    if not (isinstance(media_genres, dict) and isinstance(media_types, list) and isinstance(genres, list)):
        return media_genres  # malformed: the rules' own check names the field
    kept = {media: [g for g in listed if g in genres] for media, listed in media_genres.items()
            if media in media_types and isinstance(listed, list)}
    return {media: listed for media, listed in kept.items() if listed}


def update_round(session: Session, *, round_: Round, changes: dict[str, Any], rules: dict[str, Any] | None,
                 status: Literal["draft", "open", "closed"] | None, actor: User, now: datetime,
                 guard: RulesGuard | None = None) -> Round:
    """Apply `changes` (name, publication window, calendar dates), the explicit state and a partial `rules`.

    A closed round only reopens (status "open"); everything else needs the `round.settings` phase. Dates
    must stay in calendar order; rules must be valid as a whole and keep the work already done (`guard`).
    Every problem is reported at once (422 naming each field). Audited with the changed fields."""
    reopening = status == "open" and round_.closed_at is not None and not changes and rules is None
    if not reopening:
        require_phase(round_, now, "round.settings")
    checks = Checks()
    for key, value in changes.items():
        if key not in EDITABLE_FIELDS:
            raise Invalid("Trường này không sửa được.", field=key, code="not_editable")
        field = _form_field(key)
        if value is None or (key == "name" and not str(value).strip()):
            checks.add(field, f"“{FIELD_LABELS[key]}” không được để trống.")
        elif key == "name" and len(str(value).strip()) > NAME_CHARS:
            checks.add(field, too_long("Tên đợt giải", NAME_CHARS, len(str(value).strip()), field=field).message)
    values = {f: getattr(round_, f) if changes.get(f) is None else changes[f] for f in EDITABLE_FIELDS}
    _check_in_window({f: v for f, v in values.items() if f in changes}, round_.year, checks)  # what this change sets
    _check_calendar(values, checks)
    if values["publication_start"] > values["publication_end"]:
        checks.add("publication_start", "Ngày bắt đầu phải trước ngày kết thúc khoảng thời gian đăng tải.")
    merged = None
    if rules is not None:
        raw = {**round_.rules, **rules}
        if "panels" in rules and "shortlist_targets" not in rules and isinstance(rules["panels"], list):
            # New subpanels without new targets: the targets of the subpanels that are gone go with them.
            codes = {p.get("code") for p in rules["panels"] if isinstance(p, dict)}
            raw["shortlist_targets"] = {k: v for k, v in (raw.get("shortlist_targets") or {}).items() if k in codes}
        if ("media_types" in rules or "genres" in rules) and "media_genres" not in rules:
            raw["media_genres"] = _kept_media_genres(raw)
        with checks.field("rules"):
            merged = check_rules(session, round_=round_, raw=raw, guard=guard,
                                 old=RoundRules.model_validate(round_.rules))
    checks.done()
    before = _settings(round_)
    for key, value in changes.items():
        setattr(round_, key, value.strip() if key == "name" else value)
    if status is not None:
        round_.draft = status == "draft"
        round_.closed_at = (round_.closed_at or now) if status == "closed" else None
    if merged is not None:
        round_.rules = merged.model_dump(mode="json")
    after = _settings(round_)
    changed = audit.changed_fields(before, after)
    if not changed:
        return round_  # the same settings saved again: nothing in the history
    session.add(round_)
    session.flush()
    audit.record_update(session, actor_id=actor.id, action="round.updated", object_type="round", object_id=round_.id,
                        now=now, before=before, after=after,
                        data={"status": status, "phase": phase(round_, now),
                              **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()
                                 if k in changed}})
    log.info("round.updated round_id=%s fields=%s", round_.id, changed)
    return round_


def _settings(round_: Round) -> dict[str, Any]:
    """What `update_round` changes, field by field (each rule as `rules.<name>`, in its normal form), to name
    what a save changed."""
    rules = RoundRules.model_validate(round_.rules).model_dump(mode="json")
    return {**{f: getattr(round_, f) for f in EDITABLE_FIELDS}, "draft": round_.draft, "closed_at": round_.closed_at,
            **{f"rules.{k}": v for k, v in rules.items()}}


def end_phase_early(session: Session, *, round_: Round, expected: Phase, actor: User, now: datetime) -> Round:
    """End the round's current dated phase now (award.calendar.end_phase_early), audited. `expected` is the
    phase the secretariat saw: if the round moved on meanwhile, nothing changes (409 `phase_changed`)."""
    current = phase(round_, now)
    if current != expected:
        raise Conflict(f"Đợt giải đã chuyển sang giai đoạn “{calendar.PHASE_LABELS[current]}”; hãy tải lại trang.",
                       field="phase", code="phase_changed")
    require_phase(round_, now, "round.end_phase")  # only a dated phase ends early
    field = calendar.end_phase_early(round_, now)
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor.id, action="round.phase_ended", object_type="round", object_id=round_.id,
                 now=now, data={"phase": current, "field": field, "at": now.isoformat(),
                                "next": phase(round_, now)})
    log.info("round.phase_ended round_id=%s phase=%s", round_.id, current)
    return round_


def current_round(session: Session, now: datetime, action: str | None = None) -> Round | None:
    """The round a page opens on when none is named: the newest one out of preparation in which `action` can be
    taken now, else the newest in preparation that allows it, else the newest one out of preparation (a page
    about past rounds still has one to show)."""
    from sqlmodel import select

    rounds = session.exec(select(Round).order_by(Round.year.desc())).all()
    if action is not None:
        allowed = [r for r in rounds if calendar.allows(r, now, action)]
        # A round being prepared (draft) allows its set-up too, but the round people are working in comes first.
        running = [r for r in allowed if phase(r, now) != Phase.draft]
        if running or allowed:
            return (running or allowed)[0]
    return next((r for r in rounds if phase(r, now) != Phase.draft), rounds[0] if rounds else None)


def visible_rounds(session: Session, user: User | None) -> list[Round]:
    """The rounds a person may see listed and opened, newest first: a round kept in preparation only by those
    who may see it (award.permissions.can_see_round_in_preparation), as the round's own page decides. Every
    list that links to or names rounds reads this (a journalist's dashboard listed round XII in preparation,
    its link a 404)."""
    from award import permissions

    rows = session.exec(select(Round).order_by(Round.year.desc())).all()
    return [r for r in rows if not r.draft or permissions.can_see_round_in_preparation(user)]


def phases(rounds: list[Round], now: datetime) -> dict[int, Phase]:
    """{round id: phase} for a page that lists rounds with their badges."""
    return {r.id: phase(r, now) for r in rounds}


def timeline(round_: Round, now: datetime) -> list[dict[str, Any]]:
    """The round's phases in order with their dates, for the strip on the settings page: each as
    {phase, label, start, end, current}; `current` marks where today falls."""
    current = phase(round_, now)
    out = []
    for p in (Phase.draft, Phase.submission, Phase.local_judging, Phase.preliminary, Phase.final, Phase.approval,
              Phase.published, Phase.closed):
        start, end = calendar.window(round_, p)
        out.append({"phase": p, "label": calendar.PHASE_LABELS[p], "start": start, "end": end,
                    "current": p == current, "past": calendar.ORDER.index(p) < calendar.ORDER.index(current)})
    return out
