"""The signed forwarding list (danh sách gửi tác phẩm) a unit sends with its batch, as PDF."""


from award.models import Entry, EntryAuthor, Round, Unit, User
from award.pdf import Document
from award.rules import MEDIA_TYPES
from award.timezone import VN_TZ
from judging.models import ForwardingBatch


def forwarding_list_pdf(*, batch: ForwardingBatch, round_: Round, unit: Unit, sender: User,
                        entries: list[Entry], authors: dict[int, list[EntryAuthor]]) -> bytes:
    at = batch.forwarded_at.astimezone(VN_TZ)
    doc = Document(f"Danh sách gửi tác phẩm số {batch.id}")
    doc.heading(f"DANH SÁCH TÁC PHẨM GỬI DỰ GIẢI\nLẦN THỨ {round_.number} – NĂM {round_.year}")
    doc.paragraph(f"Đơn vị gửi: {unit.name}")
    doc.paragraph(f"Người gửi: {sender.full_name} ({sender.email})")
    doc.paragraph(f"Thời điểm gửi: {at:%H:%M ngày %d/%m/%Y} (giờ Việt Nam)")
    doc.paragraph(f"Số tác phẩm: {len(entries)}")
    doc.ln(3)
    rows = []
    for i, entry in enumerate(entries, start=1):
        names = ", ".join(a.full_name + (f" ({a.pen_name})" if a.pen_name else "") for a in authors.get(entry.id, []))
        rows.append([str(i), f"#{entry.id}", entry.title, MEDIA_TYPES.get(entry.media_type, entry.media_type), names])
    doc.grid(["TT", "Mã", "Tên tác phẩm", "Loại hình", "Tác giả (bút danh)"], rows, [10, 16, 82, 26, 56])
    doc.ln(4)
    doc.paragraph("Mã xác thực danh sách (SHA-256 của người gửi, thời điểm và các tác phẩm):", size=9)
    doc.paragraph(batch.digest, size=8)
    doc.ln(8)
    doc.paragraph(f"Xác nhận của đơn vị: {sender.full_name}", bold=True)
    return doc.render()
