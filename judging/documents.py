"""PDF documents of the final stage: the council's minutes (biên bản) and the prize certificates, laid out
as Vietnamese administrative documents with the round's document settings (award.rules.DocumentSettings)."""

from datetime import datetime
from decimal import Decimal

from award.models import Round
from award.pdf import FONT, Document, vn_date_line
from award.rules import MEDIA_TYPES, PRIZE_LEVELS, RoundRules
from award.text import fold
from award.timezone import VN_TZ
from judging.publication import Prize

VOTE_HEADINGS = [("special", "ĐB"), ("A", "A"), ("B", "B"), ("C", "C"), ("KK", "KK"), ("none", "Không")]
FLAG_LABELS = {"tie": "bằng phiếu", "moved_down": "chuyển mức dưới", "no_quorum": "chưa đủ phiếu"}


def _level(level: str | None) -> str:
    return PRIZE_LEVELS.get(level or "", "Không giải") if level else "—"


def _share(value: Decimal) -> str:
    return f"{value * 100:.2f}".replace(".", ",") + " %"


def minutes_number(round_: Round) -> str:
    return f"Số: 01-BB/HĐCK-{round_.number}"


def minutes_pdf(*, round_: Round, snapshot: dict, titles: dict[int, str], at: datetime, status: str,
                voted: set[int] | None = None) -> bytes:
    """The minutes of the council's vote, from the tally as it stood when the list was proposed (or as it
    stands now, before that). `voted`: ids of the members who cast at least one ballot (their attendance)."""
    rules = RoundRules.model_validate(round_.rules)
    settings = rules.documents
    local = at.astimezone(VN_TZ)
    doc = Document(f"Biên bản bỏ phiếu chung khảo {round_.label}", official=True)
    doc.official_header(superior=settings.superior_body, issuing=f"{settings.issuing_body}\nHỘI ĐỒNG CHUNG KHẢO",
                        number=minutes_number(round_), motto=settings.motto, motto_sub=settings.motto_sub,
                        date_line=vn_date_line(settings.place, local))
    doc.heading(f"BIÊN BẢN\nBỎ PHIẾU CỦA HỘI ĐỒNG CHUNG KHẢO\nGIẢI BÚA LIỀM VÀNG {round_.label.upper()}")
    doc.paragraph(f"Lập lúc {local:%H:%M ngày %d/%m/%Y} (giờ Việt Nam). Tình trạng danh sách: {status}.")
    members = snapshot.get("members", [])
    present = [m for m in members if voted is None or m["id"] in voted]
    absent = [m for m in members if voted is not None and m["id"] not in voted]
    doc.paragraph(f"Thành phần: Hội đồng có {len(members)} thành viên. Có mặt và bỏ phiếu: {len(present)} thành viên"
                  + (f" ({', '.join(m['name'] for m in present)})" if present else "") + "."
                  + (f" Vắng: {', '.join(m['name'] for m in absent)}." if absent else ""))
    works = snapshot.get("works", [])
    short = [w for w in works if "no_quorum" in w.get("flags", [])]
    doc.paragraph(f"Điều kiện hợp lệ: mỗi tác phẩm cần ít nhất {_share(rules.council.quorum)} số thành viên không có "
                  "xung đột lợi ích với tác phẩm đó bỏ phiếu; một mức giải được đề xuất khi quá "
                  f"{_share(rules.council.threshold)} số phiếu của tác phẩm xếp ở mức đó hoặc cao hơn. "
                  + ("Tất cả tác phẩm đều đủ số phiếu hợp lệ." if not short else
                     f"{len(short)} tác phẩm chưa đủ số phiếu hợp lệ (ghi “chưa đủ phiếu”)."))
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
             [8, 32, 12, 7, 7, 7, 7, 7, 14, 16, 16, 22])
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
    doc.ln(3)
    doc.paragraph("Biên bản lập thành 02 bản có giá trị như nhau; Hội đồng đã nghe đọc lại và nhất trí.")
    doc.signatures([settings.council_secretary, settings.council_chair])
    return doc.render()


def certificate_number(round_: Round, prize: Prize, position: int) -> str:
    return f"Số: {round_.number}-{prize.entry_id}-{position + 1}/GCN"


def certificate_filename(prize: Prize, author: int | None) -> str:
    """giay-chung-nhan-<work>-<author's name folded>.pdf for one author, giay-chung-nhan-<work>.pdf for all."""
    if author is None or not 1 <= author <= len(prize.authors):
        return f"giay-chung-nhan-{prize.entry_id}.pdf"
    slug = "-".join(fold(prize.authors[author - 1]["full_name"]).split())
    slug = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-"))[:60] or str(author)
    return f"giay-chung-nhan-{prize.entry_id}-{slug}.pdf"


FRAME = 10  # mm from the page's edge to the outer frame line; the inner line is 2 mm inside it
INSET = 12  # mm from the inner frame line to any text, so no tone mark or descender touches the frame


def certificate_pdf(*, round_: Round, prize: Prize, checksum: str | None, issued: datetime,
                    author_positions: list[int] | None = None) -> bytes:
    """One landscape page per author (or only the authors asked for) of a winning work: a double frame with
    every line of text inside it (the inset above), the issuing body, the number, the award, the signature."""
    settings = RoundRules.model_validate(round_.rules).documents
    doc = Document(f"Giấy chứng nhận – {prize.title}", orientation="L", frame=True)
    inner = FRAME + 2
    doc.set_margins(inner + INSET, inner + INSET, inner + INSET)
    doc.set_auto_page_break(False)
    local = issued.astimezone(VN_TZ)
    chosen = [(i, a) for i, a in enumerate(prize.authors) if author_positions is None or i in author_positions]
    for n, (position, author) in enumerate(chosen):
        if n:
            doc.add_page()
        doc.set_draw_color(150, 20, 20)
        doc.set_line_width(1.2)
        doc.rect(FRAME, FRAME, doc.w - 2 * FRAME, doc.h - 2 * FRAME)
        doc.set_line_width(0.4)
        doc.rect(inner, inner, doc.w - 2 * inner, doc.h - 2 * inner)
        doc.set_draw_color(0, 0, 0)
        doc.set_line_width(0.2)
        doc.set_y(inner + INSET)
        doc.official_header(superior=settings.superior_body, issuing=settings.issuing_body,
                            number=certificate_number(round_, prize, position), motto=settings.motto,
                            motto_sub=settings.motto_sub, date_line="")
        doc.set_font(FONT, "B", 26)
        doc.set_text_color(150, 20, 20)
        doc.cell(0, 13, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.set_font(FONT, "B", 12)
        doc.multi_cell(0, 6, f"GIẢI BÁO CHÍ TOÀN QUỐC VỀ XÂY DỰNG ĐẢNG (GIẢI BÚA LIỀM VÀNG) "
                             f"{round_.label.upper()}", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        doc.set_font(FONT, "", 12)
        doc.cell(0, 7, "Chứng nhận tác giả", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FONT, "B", 18)
        name = author["full_name"] + (f" (bút danh {author['pen_name']})" if author.get("pen_name") else "")
        doc.multi_cell(0, 9, name, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FONT, "", 12)
        doc.multi_cell(0, 6.5, f"có tác phẩm “{prize.title}”", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.multi_cell(0, 6.5, f"{MEDIA_TYPES.get(prize.media_type, prize.media_type)} – {prize.outlet}", align="C",
                       new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FONT, "B", 16)
        doc.set_text_color(150, 20, 20)
        awards = [x for x in (PRIZE_LEVELS.get(prize.level or ""), prize.thematic) if x]
        doc.multi_cell(0, 8, "đạt " + " và ".join(awards), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.set_font(FONT, "", 11)
        width = (doc.w - doc.l_margin - doc.r_margin) / 2
        doc.set_x(doc.l_margin + width)
        doc.multi_cell(width, 6, vn_date_line(settings.place, local), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.signatures([settings.certificate_signatory], note="(Ký tên, đóng dấu)")
        if checksum:
            doc.set_y(doc.h - inner - INSET + 2)
            doc.set_font(FONT, "", 7)
            doc.cell(0, 4, f"Mã kiểm tra: {checksum}", align="C")
    return doc.render()
