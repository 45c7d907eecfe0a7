"""Plain functions that make rows for tests; no magic."""

import itertools
import re

from sqlmodel import Session, select

from award import users
from award.models import Role, Round, Unit, User

PASSWORD = "MatKhau2024an"
_seq = itertools.count(1)


def make_user(session: Session, *, role: Role = Role.journalist, unit_code: str | None = None,
              email: str | None = None, full_name: str = "Nguyễn Văn Thử", outlet: str | None = None) -> User:
    unit_id = None
    if unit_code:
        unit_id = session.exec(select(Unit.id).where(Unit.code == unit_code)).one()
    if role in (Role.unit_manager, Role.local_judge) and unit_id is None:
        unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    email = email or f"{role.value}{next(_seq)}@example.vn"
    return users.create_user(session, email=email, password=PASSWORD, full_name=full_name, role=role,
                             unit_id=unit_id, outlet=outlet)


def round_by_number(session: Session, number: str) -> Round:
    return session.exec(select(Round).where(Round.number == number)).one()


def api_login(client, user: User, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": user.email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def web_login(client, user: User, password: str = PASSWORD):
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def entry_payload(session: Session, **over) -> dict:
    """A valid round IX entry for the API: a two-part series by two authors, sent to Hà Tĩnh."""
    round_ = round_by_number(session, "IX")
    unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    n = next(_seq)
    body = {
        "round_id": round_.id,
        "unit_id": unit_id,
        "title": f"Loạt bài: Gần dân, trọng dân ở vùng biên {n}",
        "media_type": "print",
        "genre": "phóng sự",
        "summary": "Loạt phóng sự về cán bộ cơ sở bám dân ở các xã biên giới.",
        "authors": [
            {"full_name": "Trần Văn Bút", "pen_name": "Trần Bút", "email": f"but{n}@baohatinh.vn"},
            {"full_name": "Lê Thị Mực", "email": f"muc{n}@baohatinh.vn"},
        ],
        "parts": [
            {"title": "Kỳ 1: Những bước chân không mỏi", "outlet": "Báo Hà Tĩnh", "published_on": "2024-03-02",
             "url": f"https://baohatinh.vn/ky-1-{n}.html"},
            {"title": "Kỳ 2: Giữ đất, giữ dân", "outlet": "Báo Hà Tĩnh", "published_on": "2024-03-09",
             "url": f"https://baohatinh.vn/ky-2-{n}.html"},
        ],
    }
    body.update(over)
    return body


def make_entry(session: Session, *, status: str = "eligible", round_number: str = "IX", unit_code: str = "ha-tinh",
               media_type: str = "print", genre: str = "phóng sự", outlet: str | None = None,
               authors: list[tuple[str, str | None]] | None = None, title: str | None = None,
               hardship: bool = False):
    """An entry already at a central stage (as if forwarded and ruled on), with one part and its authors."""
    from datetime import date, datetime, timezone

    from award.models import Entry, EntryAuthor, EntryPart
    from award.text import fold

    round_ = round_by_number(session, round_number)
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit_code)).one()
    n = next(_seq)
    owner = make_user(session, full_name=f"Tác Giả {n}")
    title = title or f"Tác phẩm số {n}"
    entry = Entry(round_id=round_.id, unit_id=unit_id, owner_id=owner.id, title=title, title_folded=fold(title),
                  media_type=media_type, genre=genre, summary="Tóm tắt.", status=status,
                  hardship=hardship, hardship_note="Tác nghiệp vùng biên giới." if hardship else "",
                  submitted_at=datetime(2024, 9, 1, tzinfo=timezone.utc))
    session.add(entry)
    session.flush()
    for i, (name, pen) in enumerate(authors or [(f"Tác Giả {n}", f"Bút danh {n}")]):
        session.add(EntryAuthor(entry_id=entry.id, position=i, full_name=name, pen_name=pen,
                                email=owner.email if i == 0 else None, name_key=fold(name), pen_name_key=fold(pen)))
    session.add(EntryPart(entry_id=entry.id, position=0, outlet=outlet or f"Báo Số {n}", outlet_key=fold(outlet or f"Báo Số {n}"),
                          published_on=date(2024, 3, 1), url=f"https://bao.vn/{n}"))
    session.flush()
    return entry


# An instant inside each dated phase of round IX (calendar: opens 3 Feb 2024, local deadline 10 Oct, central
# deadline 10 Nov, preliminary ends 5 Dec 2024, final ends 20 Jan 2025); tests move the clock to the phase
# of the action they exercise, as the process would.
IX_PHASE_AT = {
    "draft": "2024-01-15T09:00:00+07:00",
    "submission": "2024-09-20T09:00:00+07:00",
    "local_judging": "2024-10-20T09:00:00+07:00",
    "preliminary": "2024-11-20T09:00:00+07:00",
    "final": "2024-12-20T09:00:00+07:00",
    "approval": "2025-01-25T09:00:00+07:00",
}


def screen(client, session, entry_ids: list[int], unit_code: str = "ha-tinh", headers: dict | None = None) -> dict:
    """The unit screens works eligible (they must be, to be forwarded); returns the manager's headers."""
    headers = headers or api_login(client, make_user(session, role=Role.unit_manager, unit_code=unit_code))
    for entry_id in entry_ids:
        response = client.post(f"/api/v1/entries/{entry_id}/screening", headers=headers, json={"eligible": True})
        assert response.status_code == 200, response.text
    return headers
