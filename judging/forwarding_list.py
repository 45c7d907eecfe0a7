"""The signed forwarding list (danh sách gửi tác phẩm) a unit sends with its batch, as PDF, laid out as a
Vietnamese administrative document issued by the unit (award.pdf.Document.official_header)."""


from award.models import Entry, EntryAuthor, Round, Unit, UnitKind, User
from award.pdf import Document, vn_date_line
from award.rules import MEDIA_TYPES, RoundRules, Signatory
from award.timezone import VN_TZ
from judging.models import ForwardingBatch


def forwarding_list_number(batch: ForwardingBatch, round_: Round) -> str:
    return f"Số: {batch.id}-DS/BLV{round_.number}"


def forwarding_list_pdf(*, batch: ForwardingBatch, round_: Round, unit: Unit, sender: User,
                        entries: list[Entry], authors: dict[int, list[EntryAuthor]]) -> bytes:
    settings = RoundRules.model_validate(round_.rules).documents
    at = batch.forwarded_at.astimezone(VN_TZ)
    # A province dates its documents from itself; central bodies and press agencies from the capital.
    place = unit.name if unit.kind == UnitKind.province else settings.place
    doc = Document(f"Danh sách gửi tác phẩm số {batch.id}", official=True)
    # The list is issued by the unit's own contest committee, under the unit's name.
    doc.official_header(superior=unit.name.upper(), issuing="BAN TỔ CHỨC GIẢI BÁO CHÍ\nVỀ XÂY DỰNG ĐẢNG",
                        number=forwarding_list_number(batch, round_),
                        motto=settings.motto, motto_sub=settings.motto_sub, date_line=vn_date_line(place, at))
    doc.heading(f"DANH SÁCH TÁC PHẨM GỬI DỰ GIẢI BÚA LIỀM VÀNG\n{round_.label.upper()}")
    doc.paragraph("Kính gửi: Ban Thư ký Giải Búa liềm vàng.")
    doc.paragraph(f"Đơn vị gửi: {unit.name}. Người gửi: {sender.full_name} ({sender.email}), lúc {at:%H:%M ngày %d/%m/%Y} "
                  f"(giờ Việt Nam). Số tác phẩm: {len(entries)}.")
    doc.ln(3)
    rows = []
    for i, entry in enumerate(entries, start=1):
        names = ", ".join(a.full_name + (f" ({a.pen_name})" if a.pen_name else "") for a in authors.get(entry.id, []))
        rows.append([str(i), f"#{entry.id}", entry.title, MEDIA_TYPES.get(entry.media_type, entry.media_type), names])
    doc.grid(["TT", "Mã", "Tên tác phẩm", "Loại hình", "Tác giả (bút danh)"], rows, [10, 16, 72, 24, 43])
    doc.ln(4)
    doc.paragraph("Mã xác thực danh sách (SHA-256 của người gửi, thời điểm và các tác phẩm):", size=9)
    doc.paragraph(batch.digest, size=8)
    doc.signatures([Signatory(title="XÁC NHẬN CỦA ĐƠN VỊ", name=sender.full_name)])
    return doc.render()
