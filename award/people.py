"""People in bulk: central judges imported from a spreadsheet, each invited by e-mail.

The sheet is checked whole first (award.spreadsheets: every problem by row and column, nothing created
while any remains); then every row becomes a judge account without a password and an invitation mail
(award.password_reset.invite).
"""

import logging
from datetime import datetime
from typing import IO

from sqlmodel import Session, select

from award import spreadsheets, units
from award.errors import AwardError
from award.models import Role, Unit, User
from award.password_reset import invite
from award.spreadsheets import ImportFailed, RowError
from award.text import fold
from award.users import EMAIL_RE, normalise_email

log = logging.getLogger(__name__)

JUDGE_COLUMNS = {"full_name": "Họ và tên", "email": "E-mail", "unit": "Đơn vị", "outlet": "Cơ quan báo chí"}
JUDGE_REQUIRED = ("full_name", "email")


EXAMPLE_NAME = "Nguyễn Văn A (dòng mẫu: xóa dòng này)"
EXAMPLE_EMAILS = {"vi.du@example.invalid", "an.nguyen@baomau.vn"}  # today's example, and the one templates had before


def judges_template() -> bytes:
    """The spreadsheet to fill in: the headings the import reads and one example row that cannot pass for a
    person (the import refuses it, so fixing only its unit invites nobody)."""
    return spreadsheets.write(
        list(JUDGE_COLUMNS.values()),
        [[EXAMPLE_NAME, "vi.du@example.invalid", "ha-tinh (mã hoặc tên đơn vị, có thể để trống)", "Báo Mẫu"]],
        sheet_title="Giám khảo", widths=(36, 32, 40, 30))


def _is_example(name: str, email: str) -> bool:
    return email in EXAMPLE_EMAILS or "dòng mẫu" in name.casefold()


def unit_options(session: Session) -> list[tuple[int, str]]:
    """[(id, name)] of every unit, a unit that ended marked so (award.units.choices): a person's unit."""
    return units.choices(session)


def _unit_lookup(session: Session) -> tuple[dict[str, int], dict[str, list[int]]]:
    codes, names = {}, {}
    for unit in session.exec(select(Unit)):
        codes[fold(unit.code)] = unit.id
        names.setdefault(fold(unit.name), []).append(unit.id)
    return codes, names


def import_judges(session: Session, source: bytes | IO[bytes], *, actor: User, ip: str, now: datetime,
                  link_base: str) -> list[User]:
    """Create one central judge per row, each invited by e-mail; all or nothing (ImportFailed lists every
    problem: a missing name, a bad or repeated e-mail, an address that already has an account, an
    unknown unit)."""
    rows = spreadsheets.read(source, JUDGE_COLUMNS, JUDGE_REQUIRED)
    errors: list[RowError] = []
    if not rows:
        raise ImportFailed([RowError.whole_file("không có dòng nào để nhập.")])
    codes, names = _unit_lookup(session)
    emails = [normalise_email(spreadsheets.text(cells.get("email"))) for _, cells in rows]
    existing = set(session.exec(select(User.email).where(User.email.in_([e for e in emails if e]))).all())
    first_row: dict[str, int] = {}
    people = []
    for (number, cells), email in zip(rows, emails, strict=True):
        name = spreadsheets.text(cells.get("full_name"))
        outlet = spreadsheets.text(cells.get("outlet"))
        unit_text = spreadsheets.text(cells.get("unit"))
        if _is_example(name, email):
            errors.append(RowError(number, None, "dòng mẫu của tệp, không phải một giám khảo: hãy xóa dòng này rồi nhập lại."))
            continue
        if not name:
            errors.append(RowError(number, JUDGE_COLUMNS["full_name"], "chưa có họ và tên."))
        elif len(name) > 200:
            errors.append(RowError(number, JUDGE_COLUMNS["full_name"], "họ và tên quá dài (tối đa 200 ký tự)."))
        if not email:
            errors.append(RowError(number, JUDGE_COLUMNS["email"], "chưa có địa chỉ e-mail."))
        elif not EMAIL_RE.match(email) or len(email) > 254:
            errors.append(RowError(number, JUDGE_COLUMNS["email"], f"“{email}” không phải địa chỉ e-mail hợp lệ."))
        elif email in first_row:
            errors.append(RowError(number, JUDGE_COLUMNS["email"],
                                   f"“{email}” trùng với dòng {first_row[email]} của tệp."))
        elif email in existing:
            errors.append(RowError(number, JUDGE_COLUMNS["email"], f"“{email}” đã có tài khoản."))
        if email and email not in first_row:
            first_row[email] = number
        unit_id = None
        if unit_text:
            key = fold(unit_text)
            if key in codes:
                unit_id = codes[key]
            elif len(names.get(key, [])) == 1:
                unit_id = names[key][0]
            elif key in names:
                errors.append(RowError(number, JUDGE_COLUMNS["unit"],
                                       f"có nhiều đơn vị tên “{unit_text}”: hãy ghi mã đơn vị."))
            else:
                errors.append(RowError(number, JUDGE_COLUMNS["unit"], f"không có đơn vị “{unit_text}”."))
        if len(outlet) > 200:
            errors.append(RowError(number, JUDGE_COLUMNS["outlet"], "tên cơ quan báo chí quá dài (tối đa 200 ký tự)."))
        people.append((number, name, email, unit_id, outlet))
    if errors:
        raise ImportFailed(errors)
    created = []
    for number, name, email, unit_id, outlet in people:
        try:
            created.append(invite(session, email=email, full_name=name, role=Role.judge, unit_id=unit_id,
                                  outlet=outlet or None, actor=actor, ip=ip, now=now, link_base=link_base,
                                  via="judges_import"))
        except AwardError as exc:  # a check above should have caught it; still reported by row, nothing kept
            raise ImportFailed([RowError(number, JUDGE_COLUMNS.get(exc.field or ""), exc.message)]) from exc
    log.info("people.judges_imported count=%s actor_id=%s", len(created), actor.id)
    return created
