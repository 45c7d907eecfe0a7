"""Blind judging on every surface a judge can reach (issue 13 items 5 and 7, ../shared/API.md "Blind stages").

Every route the authorization matrix lets a local or a central judge call is called as that judge, with
the round's judging stages blind and not blind. Blind: no author's name, pen name or e-mail, no owner
(name, e-mail, id) and no original file name (which carries the author's name) in any body or header.
Not blind: the routes that show who wrote a work show it. Plus the incident that opened the issue: a
local judge reading every author of the unit's works through the entry list and the entry page.
"""

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from award import entry_status
from award.models import Entry, EntryStatus, Role, Round, Unit, User
from award.rules import RoundRules
from judging import juries, plans
from judging.models import Stage
from tests.factories import api_login, entry_payload, make_user, round_by_number
from tests.security.routes import app_routes
from tests.security.test_authorization_matrix import ACCESS, fill, path_values
from tests.security.world import request_as
from tests.support.samples import Samples

AUTHOR = "Nguyễn Văn Bút Kín"
PEN_NAME = "Hồng Lam Kín"
EMAIL = "butkin@baohatinh.vn"
OWNER_NAME = "Phan Chủ Sở Hữu"
OWNER_EMAIL = "chuso@baohatinh.vn"
FILE_STEM = "Nguyen-Van-But-Kin"  # the file names carry the author's name, as they often do


@dataclass
class Seen:
    """One judge's view of the world: their assigned work, its file, their sheet."""

    user: User
    entry_id: int
    file_id: int
    assignment_id: int
    stage: str


@dataclass
class BlindWorld:
    round_id: int
    unit_id: int
    owner: User
    other_entry_id: int  # same unit, submitted, assigned to nobody
    local: Seen
    central: Seen


def _submitted_entry(client, session, headers, *, filename: str, content: bytes, **over) -> tuple[int, int]:
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, **over)).json()["id"]
    upload = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                         files={"file": (filename, content, "application/octet-stream")})
    assert upload.status_code == 201, upload.text
    submitted = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    return entry_id, upload.json()["id"]


def build_blind_world(client, session: Session, now) -> BlindWorld:
    """Round IX in its submission phase. Work A (Hà Tĩnh) is assigned to the unit's local judge; work C,
    by the same author, was screened, forwarded and found eligible, and is assigned to a central judge
    in the preliminary stage and sits (as a finalist) before the council that judge belongs to."""
    round_ = round_by_number(session, "IX")
    unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    owner = make_user(session, role=Role.journalist, full_name=OWNER_NAME, email=OWNER_EMAIL)
    author = [{"full_name": AUTHOR, "pen_name": PEN_NAME, "email": EMAIL}]
    journalist = api_login(client, owner)
    a_id, a_file = _submitted_entry(client, session, journalist, filename=f"{FILE_STEM}-phong-su.pdf",
                                    content=Samples.pdf(), authors=author)
    other_id = client.post("/api/v1/entries", headers=journalist, json=entry_payload(
        session, authors=[{"full_name": "Đặng Thị Khác", "email": "khac@baohatinh.vn"}])).json()["id"]
    assert client.post(f"/api/v1/entries/{other_id}/submit", headers=journalist).status_code == 200
    c_id, c_file = _submitted_entry(client, session, journalist, filename=f"{FILE_STEM}-ky-su.docx",
                                    content=Samples.docx("Ký sự về chi bộ vùng biên"), authors=author)

    manager_user = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    manager = api_login(client, manager_user)
    local_judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh", full_name="Hoàng Sơ Tuyển")
    assert client.post(f"/api/v1/rounds/{round_.id}/judges", headers=manager,
                       json={"user_id": local_judge.id, "stage": "local"}).status_code == 201
    assigned = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager,
                           json={"entry_id": a_id, "judge_id": local_judge.id})
    assert assigned.status_code == 201, assigned.text

    screened = client.post(f"/api/v1/entries/{c_id}/screening", headers=manager, json={"eligible": True})
    assert screened.status_code == 200, screened.text
    forwarded = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=manager,
                            json={"entry_ids": [c_id]})
    assert forwarded.status_code == 200, forwarded.text
    secretariat_user = make_user(session, role=Role.secretariat)
    ruled = client.post(f"/api/v1/entries/{c_id}/eligibility", headers=api_login(client, secretariat_user),
                        json={"eligible": True})
    assert ruled.status_code == 200, ruled.text

    judge = make_user(session, role=Role.judge, full_name="Đỗ Sơ Khảo")
    entry_c = session.get(Entry, c_id)
    juries.add_judge(session, round_=round_, user=judge, stage=Stage.preliminary, panel_code=None,
                     actor=secretariat_user, now=now)
    juries.add_judge(session, round_=round_, user=judge, stage=Stage.final, panel_code=None,
                     actor=secretariat_user, now=now)
    sheet = plans.add_assignment(session, round_=round_, stage=Stage.preliminary, entry=entry_c, judge=judge,
                                 actor=secretariat_user, now=now)
    # straight to the final's list (advancing is a later phase's action; the blind rule is what is tested)
    entry_status.apply(session, entry=entry_c, to=EntryStatus.finalist, actor=secretariat_user, now=now)
    local_sheet = assigned.json()["id"]
    session.commit()
    return BlindWorld(round_.id, unit_id, owner, other_id,
                      Seen(local_judge, a_id, a_file, local_sheet, "local"),
                      Seen(judge, c_id, c_file, sheet.id, "preliminary"))


def set_blind(session: Session, round_id: int, *stages: str) -> None:
    """Make exactly `stages` blind (none: every stage open)."""
    round_ = session.get(Round, round_id)
    rules = RoundRules.model_validate(round_.rules)
    for name, settings in rules.stages.items():
        settings.blind = name in stages
    round_.rules = rules.model_dump(mode="json")
    session.add(round_)
    session.commit()


def markers(world: BlindWorld, seen: Seen) -> dict[str, str]:
    return {"author": AUTHOR, "pen name": PEN_NAME, "e-mail": EMAIL, "owner": OWNER_NAME,
            "owner e-mail": OWNER_EMAIL, "owner id": f'"owner_id":{world.owner.id}', "file name": FILE_STEM}


JSON_ENTRY = ("author", "pen name", "e-mail", "owner id", "file name")
# What each route shows of who wrote the work when the stage is not blind (blind: none of these, anywhere).
SHOWS = {
    ("GET", "/api/v1/entries"): JSON_ENTRY,
    ("GET", "/api/v1/entries/{entry_id}"): JSON_ENTRY,
    ("GET", "/api/v1/entries/{entry_id}/files/{file_id}"): ("file name",),
    ("GET", "/entries/{entry_id}"): ("author", "pen name", "file name"),
    ("GET", "/judging/{assignment_id}"): ("author", "pen name", "file name"),
    ("GET", "/ballots/{round_id}"): ("file name",),  # the council's dossier: the finalist's files in its viewer
    ("GET", "/ballots/{round_id}/{entry_id}/files/{file_id}"): ("file name",),
    ("GET", "/unit/entries"): ("author", "pen name"),
}
# Account flows open to anyone are not a judge's view of a work.
SKIPPED = {("POST", p) for p in ("/login", "/logout", "/register", "/password/forgot", "/password/reset",
                                 "/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/password-reset",
                                 "/api/v1/auth/password-reset/confirm", "/account/password")}


# Any judge opens the works assigned to them here; the matrix's world assigns none to its central judge,
# so its table lists only the unit's local judge on these.
OPENS_ASSIGNED_WORK = {("GET", "/api/v1/entries/{entry_id}"), ("GET", "/api/v1/entries/{entry_id}/files/{file_id}"),
                       ("GET", "/api/v1/entries/{entry_id}/themes"), ("GET", "/api/v1/entries/{entry_id}/theme-suggestions"),
                       ("GET", "/entries/{entry_id}")}


def judge_routes(identity: str) -> list[tuple[str, str]]:
    """Every route of the app the authorization matrix lets `identity` through, and the routes opening
    the works assigned to them; reads first."""
    routes = [r for r in app_routes() if r in ACCESS and (identity in ACCESS[r].allow or r in OPENS_ASSIGNED_WORK)
              and r not in SKIPPED
              and r[1] not in ("/static/{path}", "/metrics", "/api/v1/storage/parts/{upload_id}/{number}")]
    return sorted(routes, key=lambda r: (r[0] != "GET", r[1]))


def seen_text(response) -> str:
    """Body and headers as a judge's browser or client would get them (JSON compacted)."""
    body = response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        body = json.dumps(response.json(), ensure_ascii=False, separators=(",", ":"))
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return body + "\n" + headers


def values_for(world: BlindWorld, seen: Seen) -> dict:
    """The matrix's path values, on this judge's work and sheet."""
    return path_values(SimpleNamespace(round_id=world.round_id, unit_id=world.unit_id, entry_id=seen.entry_id,
                                       batch_id=999999, assignment_id=seen.assignment_id, file_id=seen.file_id)) | {
        "stage": seen.stage}


@pytest.mark.parametrize("identity", ["local_judge", "judge"])
@pytest.mark.parametrize("blind", [True, False], ids=["blind", "open"])
def test_every_route_a_judge_can_call_hides_or_shows_the_authors(client, session, clock, identity, blind):
    world = build_blind_world(client, session, clock.now)
    seen = world.local if identity == "local_judge" else world.central
    set_blind(session, world.round_id, *(("local", "preliminary", "final") if blind else ()))
    found = markers(world, seen)
    routes = judge_routes(identity)
    assert {r for r in SHOWS if (r != ("GET", "/unit/entries") or identity == "local_judge")
            and (not r[1].startswith("/ballots/") or identity == "judge")} <= set(routes)
    problems = []
    for method, path in routes:
        response = request_as(client, session, seen.user, method, fill(path, values_for(world, seen)), clock.now,
                              body=ACCESS[(method, path)].body)
        if response.status_code >= 500:
            problems.append(f"{method} {path}: {response.status_code}")
            continue
        text = seen_text(response)
        present = {name for name, marker in found.items() if marker in text}
        if blind and present:
            problems.append(f"{method} {path} (blind) shows {sorted(present)}")
        if not blind:
            expected = set(SHOWS.get((method, path), ()))
            if not expected <= present:
                problems.append(f"{method} {path} (open) lacks {sorted(expected - present)} ({response.status_code})")
    assert not problems, "\n".join(problems)


def test_blind_is_per_stage(client, session, clock):
    """The local stage blind, the central ones open: the central judge sees who wrote the work, the local
    judge does not."""
    world = build_blind_world(client, session, clock.now)
    set_blind(session, world.round_id, "local")
    for seen, shown in ((world.local, False), (world.central, True)):
        body = request_as(client, session, seen.user, "GET", f"/api/v1/entries/{seen.entry_id}", clock.now).json()
        assert (AUTHOR in json.dumps(body, ensure_ascii=False)) is shown
        assert (body["owner_id"] == world.owner.id) is shown


def test_a_blind_judge_downloads_under_a_neutral_name(client, session, clock):
    world = build_blind_world(client, session, clock.now)
    set_blind(session, world.round_id, "local")
    seen = world.local
    listed = request_as(client, session, seen.user, "GET", f"/api/v1/entries/{seen.entry_id}", clock.now).json()
    assert [f["filename"] for f in listed["files"]] == ["Tệp 1.pdf"]
    download = request_as(client, session, seen.user, "GET",
                          f"/api/v1/entries/{seen.entry_id}/files/{seen.file_id}", clock.now)
    assert download.status_code == 200
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''T%E1%BB%87p%201.pdf"
    assert download.content == Samples.pdf()
    page = request_as(client, session, seen.user, "GET", f"/judging/{seen.assignment_id}", clock.now)
    assert "Tệp 1.pdf" in page.text and "Chấm kín" in page.text


def test_incident_a_blind_local_judge_no_longer_reads_the_units_authors(client, session, clock):
    """The incident: with blind judging on, a local judge read every author's name and e-mail of the
    unit's works through GET /api/v1/entries and the entry page. Now: only the assigned work, anonymous."""
    world = build_blind_world(client, session, clock.now)
    set_blind(session, world.round_id, "local")
    judge = world.local.user
    listing = request_as(client, session, judge, "GET", f"/api/v1/entries?round_id={world.round_id}", clock.now)
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [e["id"] for e in items] == [world.local.entry_id]
    assert items[0]["authors"] == [] and items[0]["owner_id"] is None
    text = seen_text(listing)
    for marker in (AUTHOR, PEN_NAME, EMAIL, "Đặng Thị Khác", "khac@baohatinh.vn"):
        assert marker not in text
    page = request_as(client, session, judge, "GET", f"/entries/{world.local.entry_id}", clock.now)
    assert page.status_code == 200
    assert AUTHOR not in page.text and PEN_NAME not in page.text and EMAIL not in page.text
    assert "tên tác giả được ẩn" in page.text


def test_a_local_judge_sees_only_the_works_assigned_to_them(client, session, clock):
    """Another work of the same unit is 404 to the unit's local judge on every route that opens a work."""
    world = build_blind_world(client, session, clock.now)
    judge, other = world.local.user, world.other_entry_id
    listing = request_as(client, session, judge, "GET", "/api/v1/entries", clock.now).json()
    assert [e["id"] for e in listing["items"]] == [world.local.entry_id] and listing["total"] == 1
    for path in (f"/api/v1/entries/{other}", f"/api/v1/entries/{other}/themes",
                 f"/api/v1/entries/{other}/theme-suggestions", f"/entries/{other}"):
        response = request_as(client, session, judge, "GET", path, clock.now)
        assert response.status_code == 404, path
    unit_list = request_as(client, session, judge, "GET", f"/unit/entries?round_id={world.round_id}", clock.now)
    assert "Đặng Thị Khác" not in unit_list.text and f"/entries/{other}\"" not in unit_list.text
    assert f"/entries/{world.local.entry_id}\"" in unit_list.text
    # the unit manager still sees both works
    manager = session.exec(select(User).where(User.role == Role.unit_manager, User.unit_id == world.unit_id)).first()
    mine = request_as(client, session, manager, "GET", "/api/v1/entries", clock.now).json()
    assert {world.local.entry_id, other} <= {e["id"] for e in mine["items"]}
