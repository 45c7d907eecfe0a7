"""Units over time: the shipped 2025 history (fresh and upgraded databases alike), the units of a round, and
the secretariat's changes refused while a round uses the unit."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from award import units
from award.errors import FieldErrors
from award.models import AuditEvent, Role, Unit, UnitKind, UnitPredecessor
from award.unit_history import MERGED_2025
from api.cli import alembic_config
from api.db import make_engine
from tests.factories import make_entry, make_user, round_by_number
from tests.support.databases import fresh_database_url

NOW = datetime(2024, 9, 20, 2, 0, tzinfo=UTC)  # round IX takes entries

# ../shared/DOMAIN.md "Since round IX" and the brief: the new name first.
MERGES = {
    "Tuyên Quang": {"Tuyên Quang", "Hà Giang"}, "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Thái Nguyên", "Bắc Kạn"}, "Phú Thọ": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Ninh", "Bắc Giang"}, "Hưng Yên": {"Hưng Yên", "Thái Bình"},
    "Hải Phòng": {"Hải Phòng", "Hải Dương"}, "Ninh Bình": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Trị", "Quảng Bình"}, "Đà Nẵng": {"Đà Nẵng", "Quảng Nam"},
    "Quảng Ngãi": {"Quảng Ngãi", "Kon Tum"}, "An Giang": {"An Giang", "Kiên Giang"},
    "Cà Mau": {"Cà Mau", "Bạc Liêu"}, "Đồng Tháp": {"Đồng Tháp", "Tiền Giang"},
    "Thành phố Hồ Chí Minh": {"Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Bình Dương"},
    "Gia Lai": {"Gia Lai", "Bình Định"}, "Khánh Hòa": {"Khánh Hòa", "Ninh Thuận"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"}, "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"}, "Tây Ninh": {"Tây Ninh", "Long An"},
    "Vĩnh Long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"}, "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
}
UNCHANGED = {"Hà Nội", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
             "Cao Bằng"}


def _valid_on(session, day, kind=UnitKind.province):
    return session.exec(select(Unit).where(Unit.kind == kind, units.valid_on(day))).all()


def test_63_provinces_end_on_30_june_2025_and_34_follow(session):
    before = _valid_on(session, date(2025, 6, 30))
    after = _valid_on(session, date(2025, 7, 1))
    assert len(before) == 63 and "Thừa Thiên Huế" not in {u.name for u in before}  # Huế from 1 January 2025
    assert len(_valid_on(session, date(2024, 10, 10))) == 63
    assert {u.name for u in _valid_on(session, date(2024, 10, 10))} >= {"Thừa Thiên Huế", "Hà Giang", "Bình Dương"}
    assert len(after) == 34
    assert {u.name for u in after} == UNCHANGED | set(MERGES) | {"Huế"}
    assert len(MERGES) == len(MERGED_2025) == 23
    for unit in after:
        if unit.name in UNCHANGED:
            assert (unit.valid_from, unit.valid_to) == (None, None), unit.name  # the same row throughout
        elif unit.name != "Huế":
            assert unit.valid_from == date(2025, 7, 1) and unit.code.endswith("-2025")
    gone = [u for u in session.exec(select(Unit).where(Unit.valid_to == date(2025, 6, 30))).all()]
    assert len(gone) == 63 - 11


def test_each_merged_province_points_to_the_provinces_it_absorbed(session):
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    for name, absorbed in MERGES.items():
        new = session.exec(select(Unit).where(Unit.name == name, Unit.valid_from == date(2025, 7, 1))).one()
        preds = session.exec(select(UnitPredecessor.predecessor_id).where(UnitPredecessor.unit_id == new.id)).all()
        assert {names[p] for p in preds} == absorbed, name
    hue = session.exec(select(Unit).where(Unit.code == "hue")).one()
    assert [names[p] for p in session.exec(select(UnitPredecessor.predecessor_id)
                                           .where(UnitPredecessor.unit_id == hue.id)).all()] == ["Thừa Thiên Huế"]


def test_round_ix_has_the_63_provinces_and_round_x_the_34_and_the_new_party_committees(session):
    ix = units.units_for_round(session, round_by_number(session, "IX"))
    x = units.units_for_round(session, round_by_number(session, "X"))
    assert sum(u.kind == UnitKind.province for u in ix) == 63
    assert sum(u.kind == UnitKind.province for u in x) == 34
    committees_x = {u.name for u in x if u.kind == UnitKind.central_committee}
    assert committees_x == {"Đảng bộ các cơ quan Đảng Trung ương", "Đảng bộ Chính phủ", "Đảng bộ Quốc hội",
                            "Đảng bộ Mặt trận Tổ quốc Việt Nam và các đoàn thể Trung ương", "Quân ủy Trung ương",
                            "Đảng ủy Công an Trung ương"}
    assert len(committees_x) + 34 == 40  # "the 40 Party organisations directly under the centre"
    assert "Đảng ủy Khối các cơ quan Trung ương" in {u.name for u in ix}
    assert {u.kind for u in x} >= {UnitKind.press_agency, UnitKind.journalists_association}


def test_round_x_is_shipped_with_its_calendar_and_prizes(session):
    x = round_by_number(session, "X")
    assert (x.year, x.submission_opens, x.local_deadline, x.ceremony_on) == (
        2025, date(2025, 1, 20), date(2025, 10, 10), date(2026, 2, 3))
    assert x.rules["prize_counts"] == {"special": 0, "A": 6, "B": 13, "C": 18, "KK": 35}
    assert len(x.rules["thematic_prizes"]) == 10
    assert x.rules["panels"] == round_by_number(session, "IX").rules["panels"]
    assert x.closed_at == datetime(2026, 2, 3, 17, 0, tzinfo=UTC)  # the day after the ceremony, Vietnam time


def test_an_upgraded_database_gets_the_same_history_and_round_x(tmp_root):
    """A database at the previous head with the shipped units and rounds: the migration adds what a fresh
    database gets from award.reference."""
    from award.reference import round_rows, unit_rows

    engine = make_engine(fresh_database_url(tmp_root, "units_upgrade"))
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "f2a7c9d4b1e6")
            unit_t = sa.table("unit", sa.column("code"), sa.column("name"), sa.column("kind"),
                              sa.column("default_quota"))
            conn.execute(unit_t.insert(), [{k: (v.value if k == "kind" else v) for k, v in r.items()
                                            if k != "valid_to"} for r in unit_rows()])
            ix = next(r for r in round_rows() if r["number"] == "IX")
            json_cols = {"rules", "ended_early"}
            round_t = sa.table("round", *(sa.column(k, sa.JSON if k in json_cols else None)
                                          for k in [*ix, "ended_early", "draft", "created_at"]))
            conn.execute(round_t.insert().values(**ix, ended_early={}, draft=False, created_at=datetime.now(UTC)))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            rows = {r.code: r for r in conn.execute(sa.text("SELECT id, code, valid_from, valid_to FROM unit"))}
            assert str(rows["ha-giang"].valid_to)[:10] == "2025-06-30"
            assert rows["ha-tinh"].valid_to is None
            links = {(u, p) for u, p in conn.execute(sa.text("SELECT unit_id, predecessor_id FROM unit_predecessor"))}
            new = rows["tuyen-quang-2025"].id
            assert {p for u, p in links if u == new} == {rows["tuyen-quang"].id, rows["ha-giang"].id}
            assert len(rows) == len(unit_rows()) + 24 + 4
            x = conn.execute(sa.text("SELECT year, rules FROM round WHERE number = 'X'")).one()
            assert x.year == 2025
        with engine.begin() as conn:  # and back
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "f2a7c9d4b1e6")
        assert "unit_predecessor" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _secretariat(session):
    return make_user(session, role=Role.secretariat)


def test_create_checks_every_field_at_once_and_audits(session):
    actor = _secretariat(session)
    with pytest.raises(FieldErrors) as refused:
        units.create_unit(session, code="Tuyên Quang!", name=" ", kind="nope", valid_from=date(2026, 1, 2),
                          valid_to=date(2026, 1, 1), predecessor_ids=[999999], actor=actor, now=NOW)
    assert set(refused.value.errors) == {"code", "name", "kind", "valid_to", "predecessor_ids"}
    unit = units.create_unit(session, code="dang-bo-thu", name="Đảng bộ Thử", kind="central_committee",
                             actor=actor, now=NOW)
    session.commit()  # audit events are chained as the transaction commits
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "unit.created",
                                                  AuditEvent.object_id == str(unit.id))).one()
    assert event.data["code"] == "dang-bo-thu"


def test_retiring_a_unit_a_round_uses_is_refused_naming_the_round(session):
    actor = _secretariat(session)
    make_entry(session, status="submitted", round_number="IX", unit_code="nghe-an")
    nghe_an = session.exec(select(Unit).where(Unit.code == "nghe-an")).one()
    with pytest.raises(units.UnitInUse) as refused:
        units.retire_unit(session, unit=nghe_an, valid_to=date(2024, 6, 30), actor=actor, now=NOW)
    assert "lần thứ IX – năm 2024" in refused.value.message
    assert nghe_an.valid_to is None
    # an end after the round's local deadline leaves round IX its unit
    units.retire_unit(session, unit=nghe_an, valid_to=date(2030, 12, 31), actor=actor, now=NOW)
    assert nghe_an.valid_to == date(2030, 12, 31)


def test_suggested_unit_follows_a_merged_province_to_its_successor(session):
    journalist = make_user(session, unit_code="ha-giang")
    x = round_by_number(session, "X")
    suggested = session.get(Unit, units.suggested_unit(session, journalist, x))
    assert suggested.code == "tuyen-quang-2025"
    assert units.suggested_unit(session, journalist, round_by_number(session, "IX")) == journalist.unit_id
