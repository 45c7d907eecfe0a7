"""PDF documents of the final stage: the council's minutes (biên bản) and the prize certificates."""

from datetime import datetime

from award.models import Round
from award.pdf import FONT, Document
from award.rules import MEDIA_TYPES, PRIZE_LEVELS
from award.timezone import VN_TZ
from judging.publication import Prize

VOTE_HEADINGS = [("special", "ĐB"), ("A", "A"), ("B", "B"), ("C", "C"), ("KK", "KK"), ("none", "Không")]
FLAG_LABELS = {"tie": "bằng phiếu", "moved_down": "chuyển mức dưới", "no_quorum": "chưa đủ phiếu"}


def _level(level: str | None) -> str:
    return PRIZE_LEVELS.get(level or "", "Không giải") if level else "—"


def minutes_pdf(*, round_: Round, snapshot: dict, titles: dict[int, str], at: datetime, status: str) -> bytes:
    """The minutes of the council's vote, from the tally as it stood when the list was proposed (or
    as it stands now, before that)."""
    doc = Document(f"Biên bản bỏ phiếu chung khảo lần thứ {round_.number}")
    doc.heading(f"BIÊN BẢN BỎ PHIẾU CỦA HỘI ĐỒNG CHUNG KHẢO\nLẦN THỨ {round_.number} – NĂM {round_.year}")
    doc.paragraph(f"Lập lúc {at.astimezone(VN_TZ):%H:%M ngày %d/%m/%Y} (giờ Việt Nam). Tình trạng danh sách: {status}.")
    members = snapshot.get("members", [])
    doc.paragraph(f"Thành viên Hội đồng ({len(members)}): " + ", ".join(m["name"] for m in members) + ".")
    works = snapshot.get("works", [])
    doc.paragraph(f"Số tác phẩm chung khảo: {len(works)}.")
    doc.ln(2)
    rows = []
    for i, w in enumerate(works, start=1):
        counts = w.get("counts", {})
        flags = ", ".join(FLAG_LABELS.get(f, f) for f in w.get("flags", []))
        rows.append([str(i), titles.get(w["entry_id"], f"#{w['entry_id']}"), f"{w['cast']}/{w['voters']}",
                     *[str(counts.get(code, 0)) for code, _ in VOTE_HEADINGS],
                     _level(w.get("proposed")), _level(w.get("final")), flags])
    doc.grid(["TT", "Tác phẩm", "Phiếu", *[h for _, h in VOTE_HEADINGS], "Đề xuất", "Mức giải", "Ghi chú"], rows,
             [8, 52, 13, 8, 8, 8, 8, 8, 11, 20, 20, 26])
    thematic = snapshot.get("thematic", [])
    if thematic:
        doc.ln(3)
        doc.paragraph("Giải chuyên đề:", bold=True)
        for t in thematic:
            winner = titles.get(t.get("winner"), "chưa xác định") if t.get("winner") else "chưa xác định"
            doc.paragraph(f"– {t['name']}: {winner} ({sum(t.get('nominations', {}).values())} lượt đề cử).")
    overrides = snapshot.get("overrides", {})
    if overrides:
        doc.ln(2)
        doc.paragraph("Hội đồng quyết định các trường hợp bằng phiếu: " + "; ".join(
            f"{titles.get(int(k), k)} – {_level(v)}" for k, v in overrides.items()) + ".")
    doc.ln(10)
    doc.paragraph("CHỦ TỊCH HỘI ĐỒNG                                                   THƯ KÝ HỘI ĐỒNG", bold=True)
    return doc.render()


def certificate_pdf(*, round_: Round, prize: Prize, checksum: str | None, issued: datetime,
                    author_positions: list[int] | None = None) -> bytes:
    """One landscape page per author (or only the authors asked for) of a winning work."""
    doc = Document(f"Giấy chứng nhận – {prize.title}", orientation="L")
    authors = [a for i, a in enumerate(prize.authors) if author_positions is None or i in author_positions]
    for n, author in enumerate(authors):
        if n:
            doc.add_page()
        doc.set_draw_color(150, 20, 20)
        doc.set_line_width(1.2)
        doc.rect(10, 10, doc.w - 20, doc.h - 20)
        doc.set_y(30)
        doc.set_font(FONT, "B", 12)
        doc.multi_cell(0, 7, "BAN TỔ CHỨC GIẢI BÁO CHÍ TOÀN QUỐC VỀ XÂY DỰNG ĐẢNG\n(GIẢI BÚA LIỀM VÀNG) "
                             f"LẦN THỨ {round_.number} – NĂM {round_.year}", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(6)
        doc.set_font(FONT, "B", 28)
        doc.set_text_color(150, 20, 20)
        doc.cell(0, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.ln(4)
        doc.set_font(FONT, "", 13)
        doc.cell(0, 8, "Chứng nhận tác giả", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FONT, "B", 20)
        name = author["full_name"] + (f" (bút danh {author['pen_name']})" if author.get("pen_name") else "")
        doc.multi_cell(0, 11, name, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FONT, "", 13)
        doc.multi_cell(0, 8, f"có tác phẩm “{prize.title}”", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.multi_cell(0, 8, f"{MEDIA_TYPES.get(prize.media_type, prize.media_type)} – {prize.outlet}", align="C",
                       new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        doc.set_font(FONT, "B", 18)
        doc.set_text_color(150, 20, 20)
        awards = [x for x in (PRIZE_LEVELS.get(prize.level or ""), prize.thematic) if x]
        doc.multi_cell(0, 10, "đạt " + " và ".join(awards), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.ln(6)
        doc.set_font(FONT, "", 11)
        doc.cell(0, 6, f"Hà Nội, ngày {issued.astimezone(VN_TZ):%d} tháng {issued.astimezone(VN_TZ):%m} năm "
                       f"{issued.astimezone(VN_TZ):%Y}", align="R", new_x="LMARGIN", new_y="NEXT")
        if checksum:
            doc.set_y(doc.h - 22)
            doc.set_font(FONT, "", 7)
            doc.cell(0, 4, f"Mã kiểm tra: {checksum}", align="C")
    return doc.render()
