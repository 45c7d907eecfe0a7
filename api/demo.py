"""Demo data so that every role's pages have something to show, for the world at the demo's clock.

`make demo` runs at 20 September 2026 (Makefile DEMO_NOW): round XI (2026) is created the way a
secretariat launches it (copied from round X's settings, then opened) and takes entries; rounds X (2025,
the first with the July 2025 units) and IX (2024) have published lists; older rounds keep theirs. The
browser tests load the same demo at 20 September 2024 instead, when round IX takes entries and X and XI do
not exist yet for anyone: each part below only runs when the round's phase at the clock allows it.

Lists of past rounds are illustrative rows ("minh họa"), not the real winners; the real lists load with
`award results import FILE.xlsx --round N`.
"""

import hashlib
import io
from datetime import date, datetime

from openpyxl import Workbook
from sqlmodel import Session, select

from award import calendar, entries, outlines, rounds, themes, users
from award.entries import AuthorIn, EntryIn, PartIn
from award.models import ROLE_LABELS, Entry, EntryAuthor, EntryStatus, Role, Round, TagSource, Unit, User
from award.outline_parser import parse_outline
from award.reference import OUTLINE_DIR, OUTLINE_FILES
from award.timezone import VN_TZ
from judging import contests, juries, plans, round_setup
from judging.models import ForwardingBatch, PanelPlacement, ResultList, Stage
from judging.results_import import import_results

DEMO_PASSWORD = "BuaLiemVang2024"

DEMO_ACCOUNTS = [
    ("bithu@demo.bualiemvang.vn", "Nguyễn Thị Thư Ký", Role.secretariat, None, None),
    ("nhabao@demo.bualiemvang.vn", "Trần Văn Bút", Role.journalist, "ha-tinh", "Báo Hà Tĩnh"),
    ("nhabao2@demo.bualiemvang.vn", "Lê Thị Phóng Viên", Role.journalist, "nghe-an", "Báo Nghệ An"),
    ("donvi.hatinh@demo.bualiemvang.vn", "Phạm Quốc Tổ Chức", Role.unit_manager, "ha-tinh", None),
    ("giamkhao.hatinh@demo.bualiemvang.vn", "Hoàng Minh Sơ Tuyển", Role.local_judge, "ha-tinh", "Đài PT-TH Hà Tĩnh"),
    ("giamkhao@demo.bualiemvang.vn", "Đỗ Văn Giám Khảo", Role.judge, "bao-nhan-dan", "Báo Nhân Dân"),
    ("bcd@demo.bualiemvang.vn", "Vũ Thị Phê Duyệt", Role.approver, None, None),
]

# (author e-mail, unit, title, media type, genre, summary, publication day (month, day) in the round's year,
# submit?, themes)
DEMO_ENTRIES = [
    ("nhabao@demo.bualiemvang.vn", "ha-tinh", "Loạt bài: Người giữ lửa ở chi bộ vùng biên", "print", "phóng sự",
     "Ba kỳ phóng sự về những bí thư chi bộ bám bản ở các xã biên giới Hà Tĩnh, nâng cao chất lượng sinh hoạt "
     "chi bộ và củng cố niềm tin của nhân dân với Đảng.", (3, 15), True, ["2.3"]),
    ("nhabao2@demo.bualiemvang.vn", "nghe-an", "Kiểm tra, giám sát để kỷ cương được giữ vững", "online", "bình luận",
     "Bình luận về công tác kiểm tra, giám sát và thi hành kỷ luật đảng, phát hiện sớm, xử lý nghiêm cán bộ, "
     "đảng viên vi phạm, góp phần phòng, chống tham nhũng, tiêu cực.", (5, 2), True, ["2.4"]),
    ("nhabao@demo.bualiemvang.vn", "ha-tinh", "Chuyển đổi số trong sinh hoạt chi bộ (bản nháp)", "tv", "phóng sự",
     "Phóng sự truyền hình về ứng dụng công nghệ số trong quản lý đảng viên ở cơ sở.", (8, 20), False, []),
    ("nhabao2@demo.bualiemvang.vn", "nghe-an", "Học và làm theo Bác từ những việc bình dị", "radio", "ký",
     "Ký phát thanh về những tấm gương bình dị học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
     "ở quê Bác.", (5, 19), True, ["2.1", "2.3"]),
]


def load_demo(session: Session, *, now: datetime) -> list[tuple[str, str]]:
    """Create the demo accounts, rounds, works and lists that are missing for the world at `now`; returns
    (email, role label) for all accounts. Running it again adds nothing."""
    units = {u.code: u.id for u in session.exec(select(Unit))}
    existing = set(session.exec(select(User.email)).all())
    for email, name, role, unit_code, outlet in DEMO_ACCOUNTS:
        if email in existing:
            continue
        users.create_user(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role,
                          unit_id=units.get(unit_code) if unit_code else None, outlet=outlet, now=now, via="demo")
    _demo_next_round(session, now=now)
    round_ = next((r for r in session.exec(select(Round).order_by(Round.year.desc()))
                   if entries.accepts_entries(r, now)), None)
    if round_ is not None:
        _demo_entries(session, round_=round_, units=units, now=now)
        _demo_central(session, round_=round_, now=now)
    _demo_history(session, now=now)
    return [(email, ROLE_LABELS[role]) for email, _, role, _, _ in DEMO_ACCOUNTS]


NEXT_ROUND = ("XI", 2026)  # the round a secretariat is setting up now (DOMAIN.md "Since round IX")


def _demo_next_round(session: Session, *, now: datetime) -> None:
    """Round XI as the secretariat launches it: copied from round X (rules, panels, prizes, quotas), the
    yearly calendar, IX's outline standing in for the 2026 one (not shipped: the secretariat imports the
    year's document on the round's outline page), then opened. Only once the clock reaches its opening."""
    number, year = NEXT_ROUND
    dates = calendar.default_calendar(year)
    if now.astimezone(VN_TZ).date() < dates["submission_opens"] or \
            session.exec(select(Round.id).where(Round.number == number)).first() is not None:
        return
    source = session.exec(select(Round).where(Round.number == "X")).one()
    secretariat = session.exec(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).one()
    round_ = round_setup.create_round(session, number=number, year=year, name=None, calendar=dates, copy_from=source,
                                      actor_id=secretariat.id, now=now)
    outline = (OUTLINE_DIR / OUTLINE_FILES["IX"]).read_text(encoding="utf-8")
    outlines.save_outline(session, round_=round_, parsed=parse_outline(outline), actor=secretariat, now=now)
    rounds.update_round(session, round_=round_, changes={}, rules=None, status="open", actor=secretariat, now=now)


def _demo_entries(session: Session, *, round_: Round, units: dict[str, int], now: datetime) -> None:
    """The demo journalists' works in the round taking entries at `now`."""
    for email, unit_code, title, media, genre, summary, (month, day), submit, codes in DEMO_ENTRIES:
        owner = session.exec(select(User).where(User.email == email)).one()
        if session.exec(select(Entry.id).where(Entry.owner_id == owner.id, Entry.title == title,
                                               Entry.round_id == round_.id)).first():
            continue
        published = date(round_.year, month, day)
        data = EntryIn(unit_id=units[unit_code], title=title, media_type=media, genre=genre, summary=summary,
                       authors=[AuthorIn(owner.full_name, None, owner.email, owner.outlet)],
                       parts=[PartIn(owner.outlet or "Báo địa phương", published,
                                     url=f"https://demo.bualiemvang.vn/{round_.year}/tac-pham/"
                                         f"{hashlib.sha256(title.encode()).hexdigest()[:12]}")])
        entry = entries.create_entry(session, owner=owner, round_=round_, data=data, now=now,
                                     client_token=f"demo-{round_.year}-" + hashlib.sha256(title.encode()).hexdigest()[:20])
        themes.set_entry_themes(session, entry=entry, codes=codes, actor=owner, source=TagSource.author, now=now)
        if media == "print":
            _attach_pdf(session, entry=entry, owner=owner, now=now)
        if submit:
            entries.submit_entry(session, entry=entry, actor=owner, now=now)
    _demo_forwarding(session, round_=round_, now=now)


def _attach_pdf(session: Session, *, entry: Entry, owner: User, now: datetime) -> None:
    """A two-page PDF of the printed work (made here, not a real article), so the judge's viewer has pages."""
    from award import entry_files
    from award.files import UploadSink
    from award.pdf import Document
    from api.deps import get_file_store

    doc = Document(entry.title)
    for part in range(1, 3):
        if part > 1:
            doc.add_page()
        doc.heading(f"{entry.title}\nKỳ {part}")
        doc.paragraph(f"{entry.summary}\n\n(Bản minh họa của dữ liệu mẫu, không phải bài báo thật.)", size=12)
    store = get_file_store()
    sink = UploadSink(store, entry_files.file_key(entry))
    sink.write(doc.render())
    stored = sink.finish()
    entry_files.record_file(session, store, entry=entry, stored=stored, filename="bai-bao-minh-hoa.pdf", actor=owner,
                            now=now)


def _demo_forwarding(session: Session, *, round_: Round, now: datetime) -> None:
    """Hà Tĩnh forwards its series, so that the centre's pages have a work to show."""
    unit = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    manager = session.exec(select(User).where(User.email == "donvi.hatinh@demo.bualiemvang.vn")).one()
    series = session.exec(select(Entry).where(Entry.round_id == round_.id, Entry.unit_id == unit.id,
                                              Entry.title == DEMO_ENTRIES[0][2])).first()
    if series is not None and series.status == EntryStatus.submitted:
        contests.screen_locally(session, entry=series, eligible=True, reason_code=None, note="", actor=manager, now=now)
        contests.forward(session, round_=round_, unit=unit, entry_ids=[series.id], actor=manager, now=now)


def _demo_central(session: Session, *, round_: Round, now: datetime) -> None:
    """The centre receives Hà Tĩnh's batch, finds the series eligible (it goes to its subpanel) and has the
    demo judge score it; the judge also sits on the final council."""
    secretariat = session.exec(select(User).where(User.email == "bithu@demo.bualiemvang.vn")).one()
    judge = session.exec(select(User).where(User.email == "giamkhao@demo.bualiemvang.vn")).one()
    batch = session.exec(select(ForwardingBatch).where(ForwardingBatch.round_id == round_.id)).first()
    if batch is None or batch.received_at is not None:
        return
    contests.record_receipt(session, batch=batch, actor=secretariat, now=now)
    for entry in session.exec(select(Entry).where(Entry.id.in_(batch.entry_ids))):
        contests.rule_eligibility(session, entry=entry, eligible=True, reason_code=None, note="", actor=secretariat,
                                  now=now)
        panel = session.get(PanelPlacement, entry.id)
        juries.add_judge(session, round_=round_, user=judge, stage=Stage.preliminary,
                          panel_code=panel.panel_code if panel else None, actor=secretariat, now=now)
        plans.add_assignment(session, round_=round_, stage=Stage.preliminary, entry=entry, judge=judge,
                               actor=secretariat, now=now)
    juries.add_judge(session, round_=round_, user=judge, stage=Stage.final, panel_code=None, actor=secretariat, now=now)


# Past rounds' lists for the public pages. Illustrative rows, not the real winners: the real lists are
# loaded with `award results import FILE.xlsx --round N` from the published spreadsheets.
HISTORY_HEADINGS = ["Mức giải", "Giải chuyên đề", "Tên tác phẩm", "Loại hình", "Thể loại", "Tác giả",
                    "Cơ quan báo chí", "Đơn vị"]
HISTORY = {
    "X": [  # the first round of the July 2025 units: merged provinces under their new names
        ["A", "", "Loạt bài: Chính quyền hai cấp, ngày đầu vận hành (minh họa)", "Báo in", "phóng sự",
         "Nguyễn Thị Thu Trang; Hà Văn Kiên (Hà Kiên)", "Báo Tuyên Quang", "tuyen-quang-2025"],
        ["A", "", "Sáp nhập tỉnh: giữ vững tổ chức đảng ở cơ sở (minh họa)", "Báo điện tử", "bình luận",
         "Lê Minh Đức", "Báo Nhân Dân", "bao-nhan-dan"],
        ["B", "", "Đảng viên trẻ nơi biên giới Tây Nam (minh họa)", "Truyền hình", "phóng sự",
         "Trần Quốc Bảo; Võ Thị Mỹ Linh", "Đài Phát thanh và Truyền hình An Giang", "an-giang-2025"],
        ["C", "", "Bí thư chi bộ trên đảo (minh họa)", "Phát thanh", "ký", "Phạm Hồng Nhung (Hồng Nhung)",
         "Đài Tiếng nói Việt Nam", "dai-tieng-noi-viet-nam"],
        ["KK", "Giải chuyên đề 1", "Bộ ảnh: Những mùa bầu cử ở bản (minh họa)", "Ảnh", "bộ ảnh", "Lò Văn Pấng",
         "Báo Điện Biên Phủ", "dien-bien"],
    ],
    "IX": [
        ["A", "", "Loạt bài: Người giữ lửa ở chi bộ vùng biên (minh họa)", "Báo in", "phóng sự", "Trần Văn Bút",
         "Báo Hà Tĩnh", "ha-tinh"],
        ["B", "", "Kiểm tra, giám sát để kỷ cương được giữ vững (minh họa)", "Báo điện tử", "bình luận",
         "Lê Thị Phóng Viên", "Báo Nghệ An", "nghe-an"],
        ["KK", "", "Học và làm theo Bác từ những việc bình dị (minh họa)", "Phát thanh", "ký", "Hoàng Văn Sóng",
         "Đài Tiếng nói Việt Nam", "dai-tieng-noi-viet-nam"],
    ],
    "VIII": [
        ["A", "", "Loạt bài: Xây dựng chi bộ vững mạnh từ cơ sở (minh họa)", "Báo in", "chuyên luận",
         "Nguyễn Văn Hùng (Hùng Sơn); Trần Thị Lan", "Báo Nhân Dân", "bao-nhan-dan"],
        ["A", "", "Phim tài liệu: Những người giữ lửa (minh họa)", "Truyền hình", "phim tài liệu",
         "Lê Quang Minh; Phạm Thu Hà (Thu Hà)", "Đài Truyền hình Việt Nam", "dai-truyen-hinh-viet-nam"],
        ["B", "", "Kiểm soát quyền lực trong công tác cán bộ (minh họa)", "Báo điện tử", "bình luận",
         "Đặng Văn Nam", "Tạp chí Cộng sản", "tap-chi-cong-san"],
        ["C", "", "Bí thư chi bộ thôn bản vùng cao (minh họa)", "Phát thanh", "phóng sự", "Hoàng Thị Mai (Hoàng Mai)",
         "Đài Tiếng nói Việt Nam", "dai-tieng-noi-viet-nam"],
        ["KK", "Giải chuyên đề về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         "Bộ ảnh: Theo chân đảng viên trẻ (minh họa)", "Ảnh", "bộ ảnh", "Vũ Đức Anh", "Báo Hà Tĩnh", "ha-tinh"],
    ],
    "VII": [
        ["A", "", "Đảng viên ở khu phong tỏa (minh họa)", "Báo in", "phóng sự", "Ngô Thị Hạnh; Bùi Văn Tâm",
         "Báo Nghệ An", "nghe-an"],
        ["B", "", "Chống suy thoái từ những việc nhỏ (minh họa)", "Báo điện tử", "xã luận", "Trịnh Quốc Việt",
         "Báo Nhân Dân", "bao-nhan-dan"],
    ],
    "IV": [
        ["A", "", "Tinh giản bộ máy, khó nhưng phải làm (minh họa)", "Báo in", "chuyên luận", "Đỗ Minh Tuấn",
         "Tạp chí Cộng sản", "tap-chi-cong-san"],
        ["KK", "", "Tiếng nói từ chi bộ (minh họa)", "Phát thanh", "ký", "Lý Thị Hoa (Hoa Lý)",
         "Đài Tiếng nói Việt Nam", "dai-tieng-noi-viet-nam"],
    ],
}


def _demo_history(session: Session, *, now: datetime) -> None:
    """The illustrative lists of past rounds, each once its phase at `now` admits an imported list."""
    for number, rows in HISTORY.items():
        round_ = session.exec(select(Round).where(Round.number == number)).first()
        if round_ is None or session.get(ResultList, round_.id) is not None or \
                not calendar.allows(round_, now, "results.import"):
            continue
        book = Workbook()
        book.active.append(HISTORY_HEADINGS)
        for row in rows:
            book.active.append(row)
        data = io.BytesIO()
        book.save(data)
        data.seek(0)
        import_results(session, round_=round_, path=data, now=now, name=f"demo-{number}.xlsx")
        _own_past_prizes(session, round_=round_)


def _own_past_prizes(session: Session, *, round_: Round) -> None:
    """An imported work belongs to the system account; where its first author is a demo journalist (Trần Văn
    Bút's series in round IX), it becomes theirs, so the journalist's page shows a past prize and its
    certificates."""
    for email, name, role, _, _ in DEMO_ACCOUNTS:
        if role != Role.journalist:
            continue
        owner = session.exec(select(User).where(User.email == email)).one()
        for entry in session.exec(select(Entry).where(Entry.round_id == round_.id)):
            first = session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry.id,
                                                           EntryAuthor.position == 0)).first()
            if first is not None and first.full_name == name and entry.owner_id != owner.id:
                entry.owner_id = owner.id
                session.add(entry)
