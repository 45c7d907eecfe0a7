"""The secretariat imports an outline: upload, preview, correct as text, save."""

import html
import io

from sqlmodel import select

from award.models import OutlineNode, Role
from tests.factories import csrf_from, make_user, round_by_number, web_login


def secretariat(client, session):
    web_login(client, make_user(session, role=Role.secretariat))


def test_preview_of_an_uploaded_docx_saves_nothing(client, session):
    import docx

    secretariat(client, session)
    round_ = round_by_number(session, "IX")
    document = docx.Document()
    for line in ["1. Tuyên truyền trọng tâm", "1.1. Đổi mới phương thức lãnh đạo", "- Kết quả thực hiện Nghị quyết"]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    page = client.get(f"/admin/rounds/{round_.id}/outline")
    response = client.post(f"/admin/rounds/{round_.id}/outline/preview", data={"csrf_token": csrf_from(page.text)},
                           files={"file": ("de-cuong.docx", buf.getvalue(), "application/octet-stream")})
    assert response.status_code == 200
    assert "Xem trước (1 chủ đề)" in response.text
    assert "1.1. Đổi mới phương thức lãnh đạo" in response.text  # the editable text
    assert session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id, OutlineNode.code == "1.1")).first() is None


def test_corrected_text_is_saved_with_codes_from_the_numbering(client, session):
    secretariat(client, session)
    round_ = round_by_number(session, "IX")
    page = client.get(f"/admin/rounds/{round_.id}/outline")
    text = "1. Nội dung trọng tâm\n1.1. Chủ đề đã đổi tên\n- Ý thêm vào\n1.2. Chủ đề tách ra\n"
    response = client.post(f"/admin/rounds/{round_.id}/outline", data={"csrf_token": csrf_from(page.text), "text": text},
                           follow_redirects=False)
    assert response.status_code == 303
    nodes = session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id).order_by(OutlineNode.id)).all()
    assert sorted((n.code, n.kind, n.title) for n in nodes) == [
        ("1", "section", "Nội dung trọng tâm"), ("1.1", "theme", "Chủ đề đã đổi tên"),
        ("1.1.1", "point", "Ý thêm vào"), ("1.2", "theme", "Chủ đề tách ra")]


def test_text_without_numbering_imports_flat_with_warning(client, session):
    secretariat(client, session)
    round_ = round_by_number(session, "IX")
    page = client.get(f"/admin/rounds/{round_.id}/outline")
    text = ("Tuyên truyền kết quả xây dựng, chỉnh đốn Đảng trong toàn hệ thống.\n\n"
            "Biểu dương gương cán bộ, đảng viên tiêu biểu ở cơ sở.\n")
    response = client.post(f"/admin/rounds/{round_.id}/outline/preview", data={"csrf_token": csrf_from(page.text), "text": text})
    assert response.status_code == 200
    assert "Không nhận ra cách đánh số" in response.text
    assert "Xem trước (2 chủ đề)" in response.text


def test_scanned_pdf_without_text_gets_a_clear_message(client, session):
    from pypdf import PdfWriter

    secretariat(client, session)
    round_ = round_by_number(session, "IX")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    page = client.get(f"/admin/rounds/{round_.id}/outline")
    response = client.post(f"/admin/rounds/{round_.id}/outline/preview", data={"csrf_token": csrf_from(page.text)},
                           files={"file": ("scan.pdf", buf.getvalue(), "application/pdf")})
    assert response.status_code == 400
    assert "Tệp “scan.pdf” không có lớp chữ (có thể là bản scan)" in html.unescape(response.text)


def test_journalist_cannot_open_outline_admin(client, session):
    web_login(client, make_user(session))
    assert client.get(f"/admin/rounds/{round_by_number(session, 'IX').id}/outline").status_code == 403
