"""The pages' file forms (the judges' and the quotas' spreadsheet imports, the outline): every refusal in the
form that sent the file, once, naming the field; no file chosen said in Vietnamese by the server (the field is
not `required`, so the browser does not say it in its own language); the largest file said beside the field
(`data-max-bytes`, the server's own cap) and, over the request gate, a 413 page that says the file is too large
and gives that cap, never the advice to shorten a text field. The outline: a chosen file never silently
replaces text typed in the box, and a file whose name is not what it holds is said so, by its name."""

import html
import io
import re

import pytest

from award.models import Role
from api.limits import FILE_CAPS, SHEET_MAX_BYTES, limit_for
from tests.factories import csrf_from, make_user, round_by_number, web_login

MiB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def secretariat(client, session, clock):
    web_login(client, make_user(session, role=Role.secretariat))
    return client


# Each import form: its page, where it posts, the import box's start on the page, and its field's label.
def _imports(session):
    ix = round_by_number(session, "IX").id
    return [
        ("/admin/users", "/admin/users/import", 'id="nhap-giam-khao"', "Tệp danh sách giám khảo",
         "Hãy chọn tệp Excel (.xlsx) danh sách giám khảo."),
        (f"/admin/rounds/{ix}/quotas", f"/admin/rounds/{ix}/quotas/import", 'aria-labelledby="tep"', "Tệp chỉ tiêu",
         "Hãy chọn tệp Excel (.xlsx) chỉ tiêu."),
    ]


IMPORTS = ["judges", "quotas"]


def _form(session, which):
    return dict(zip(IMPORTS, _imports(session), strict=True))[which]


def _file_input(page: str) -> str:
    inputs = re.findall(r'<input[^>]*type="file"[^>]*>', page)
    assert len(inputs) == 1, inputs
    return inputs[0]


@pytest.mark.parametrize("which", IMPORTS)
def test_the_file_field_says_its_limit_and_is_not_required(secretariat, session, which):
    page_url, _, _, _, _ = _form(session, which)
    page = html.unescape(secretariat.get(page_url).text)
    field = _file_input(page)
    assert 'id="f-file"' in field and f'data-max-bytes="{SHEET_MAX_BYTES}"' in field
    assert " required" not in field  # the browser would say "Please select a file." in its own language
    assert "Tối đa 5 MB một tệp." in page


@pytest.mark.parametrize("which", IMPORTS)
@pytest.mark.parametrize("case", ["empty", "none", "too_large"])
def test_a_refused_file_is_said_once_in_its_own_form_naming_the_field(secretariat, session, which, case):
    page_url, url, box, label, choose = _form(session, which)
    token = csrf_from(secretariat.get(page_url).text)
    if case == "empty":
        files, expected = {"file": ("rong.xlsx", b"", XLSX)}, f"{label}: tệp rỗng (0 byte), không có nội dung để tải lên."
    elif case == "none":
        files, expected = {"file": ("", b"", "application/octet-stream")}, f"{label}: hãy chọn tệp Excel (.xlsx)"
    else:  # over the form's cap but under the request gate's bound (the file plus its form)
        files = {"file": ("lon.xlsx", b"x" * (SHEET_MAX_BYTES + 10), XLSX)}
        expected = f"{label}: tệp “lon.xlsx” quá lớn (tối đa 5 MB một tệp)."
    response = secretariat.post(url, data={"csrf_token": token}, files=files)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert page.count(expected) == 1, page
    if case == "none":
        assert choose[1:] in page
    at = page.index(expected)
    assert page.index(box) < at < page.index(f'action="http://testserver{url}"')  # in the import form's box
    assert "Chưa lưu được. Vui lòng sửa các lỗi sau:" not in page  # not in the invitation's (or any other) summary
    assert page.count("data-form-error") == 1
    assert "Chưa nhập được tệp:" in page
    link = re.search(r'<a href="#(f-file)">' + re.escape(html.escape(expected, quote=False)), response.text)
    assert link, "the message links to the field"
    field = _file_input(page)
    assert 'id="f-file"' in field and 'aria-invalid="true"' in field and "e-file" in field


@pytest.mark.parametrize("which", IMPORTS)
def test_rows_at_fault_keep_the_import_heading(secretariat, session, which):
    page_url, url, box, _, _ = _form(session, which)
    token = csrf_from(secretariat.get(page_url).text)
    response = secretariat.post(url, data={"csrf_token": token},
                                files={"file": ("hong.xlsx", io.BytesIO(b"not a workbook"), XLSX)})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert page.count("Tệp: không đọc được tệp Excel (.xlsx)") == 1
    assert "Chưa nhập được tệp, không dòng nào được lưu. Hãy sửa các lỗi sau rồi nhập lại:" in page
    assert page.index(box) < page.index("Tệp: không đọc được tệp Excel") < page.index(f'action="http://testserver{url}"')
    assert "Chưa lưu được. Vui lòng sửa các lỗi sau:" not in page


# --- over the request gate: the 413 page of a file form --------------------------------------------------------

def _file_forms(session):
    ix = round_by_number(session, "IX").id
    return {
        "judges": ("/admin/users", "/admin/users/import", "Tệp Excel quá lớn", FILE_CAPS["sheet"]),
        "quotas": (f"/admin/rounds/{ix}/quotas", f"/admin/rounds/{ix}/quotas/import", "Tệp Excel quá lớn",
                   FILE_CAPS["sheet"]),
        "outline": (f"/admin/rounds/{ix}/outline", f"/admin/rounds/{ix}/outline/preview", "Tệp đề cương quá lớn",
                    FILE_CAPS["outline"]),
    }


@pytest.mark.parametrize("which", ["judges", "quotas", "outline"])
def test_a_file_over_the_gate_gets_a_413_page_about_the_file_and_its_limit(secretariat, session, which):
    page_url, url, words, cap = _file_forms(session)[which]
    kind = "outline" if which == "outline" else "sheet"
    token = csrf_from(secretariat.get(page_url).text)
    big = b"x" * (limit_for(kind) + 10)
    response = secretariat.post(url, data={"csrf_token": token}, files={"file": ("lon.xlsx", big, XLSX)},
                                headers={"referer": f"http://testserver{page_url}"})
    assert response.status_code == 413
    page = html.unescape(response.text)
    assert words in page and f"tối đa {cap // MiB} MB" in page and "chọn tệp nhỏ hơn" in page
    assert "rút ngắn ô dài nhất" not in page and "tóm tắt" not in page
    assert "Quay lại" in page


def test_a_file_sent_to_a_form_without_a_file_cap_is_still_called_a_file(secretariat, session):
    token = csrf_from(secretariat.get("/admin/users").text)
    response = secretariat.post("/admin/users", data={"csrf_token": token},
                                files={"file": ("lon.bin", b"x" * (2 * MiB + 10), "application/octet-stream")})
    assert response.status_code == 413
    page = html.unescape(response.text)
    assert "Tệp gửi lên quá lớn" in page and "tối đa 2 MB" in page and "rút ngắn ô dài nhất" not in page


def test_the_api_413_body_is_unchanged(client, session):
    from tests.factories import api_login

    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.post("/api/v1/outlines/parse", headers=headers,
                           files={"file": ("lon.txt", b"x" * (limit_for("outline") + 10), "text/plain")})
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"
    assert response.json()["detail"]["message"].startswith("Dữ liệu gửi lên quá lớn")


# --- the outline: a file and typed text ------------------------------------------------------------------------

OUTLINE = "1. Xây dựng Đảng\n1.1. Nâng cao năng lực lãnh đạo\n1.2. Đổi mới phương thức\n"
TYPED = "1. Phần gõ tay\n1.1. Chủ đề gõ tay\n"


def _outline(secretariat, session):
    ix = round_by_number(session, "IX").id
    page = secretariat.get(f"/admin/rounds/{ix}/outline").text
    shown = re.search(r'name="shown" value="([0-9a-f]*)"', page).group(1)
    box = html.unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>', page, re.S).group(1))
    return ix, csrf_from(page), shown, box


def test_a_file_with_edited_text_is_refused_and_both_are_kept(secretariat, session):
    ix, token, shown, _ = _outline(secretariat, session)
    response = secretariat.post(f"/admin/rounds/{ix}/outline/preview",
                                data={"csrf_token": token, "shown": shown, "text": TYPED},
                                files={"file": ("de-cuong.txt", OUTLINE.encode(), "text/plain")})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Đã chọn tệp “de-cuong.txt” nhưng nội dung trong ô “Hoặc dán / sửa nội dung” cũng đã được sửa" in page
    assert "Phần gõ tay" in page and "Nâng cao năng lực lãnh đạo" not in page  # the typed text, kept in the box
    # sent again with the same file and the kept text: still refused (the kept text is the person's own)
    kept = re.search(r'name="shown" value="([0-9a-f]*)"', response.text).group(1)
    again = secretariat.post(f"/admin/rounds/{ix}/outline/preview",
                             data={"csrf_token": token, "shown": kept, "text": TYPED},
                             files={"file": ("de-cuong.txt", OUTLINE.encode(), "text/plain")})
    assert again.status_code == 400 and "Phần gõ tay" in html.unescape(again.text)


def test_a_file_replaces_the_box_the_page_filled_and_says_so(secretariat, session):
    ix, token, shown, box = _outline(secretariat, session)
    response = secretariat.post(f"/admin/rounds/{ix}/outline/preview",
                                data={"csrf_token": token, "shown": shown, "text": box.replace("\n", "\r\n")},
                                files={"file": ("de-cuong.txt", OUTLINE.encode(), "text/plain")})
    assert response.status_code == 200
    page = html.unescape(response.text)
    expected = ("Đã đọc nội dung từ tệp “de-cuong.txt”; phần dán trong ô đã được thay." if box.strip() else
                "Đã đọc nội dung từ tệp “de-cuong.txt”.")
    assert expected in page and "Xem trước (2 chủ đề)" in page
    empty = secretariat.post(f"/admin/rounds/{ix}/outline/preview", data={"csrf_token": token, "text": ""},
                             files={"file": ("de-cuong.txt", OUTLINE.encode(), "text/plain")})
    assert empty.status_code == 200 and "Đã đọc nội dung từ tệp “de-cuong.txt”." in html.unescape(empty.text)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("gia.pdf", "1. Không phải PDF\n".encode(), "Tệp “gia.pdf” không phải PDF hợp lệ"),
    ("gia.pdf", "1. Không phải PDF\n".encode("utf-16"), "Tệp “gia.pdf” không phải PDF hợp lệ"),
    ("gia.docx", b"1. Not a docx\n", "Tệp “gia.docx” không phải Word (.docx) hợp lệ"),
    ("hong.pdf", b"%PDF-1.7\n garbage", "Tệp “hong.pdf”: "),
    ("rong.txt", b"", "Tệp “rong.txt”: tệp rỗng (0 byte)"),
])
def test_an_outline_file_refusal_names_the_file(secretariat, session, name, content, expected):
    ix, token, _, _ = _outline(secretariat, session)
    response = secretariat.post(f"/admin/rounds/{ix}/outline/preview", data={"csrf_token": token, "text": ""},
                                files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert expected in page
    assert "Chỉ nhận tệp .txt, .md, .docx hoặc .pdf." not in page


def test_the_outline_file_field_says_its_limit(secretariat, session):
    ix = round_by_number(session, "IX").id
    page = html.unescape(secretariat.get(f"/admin/rounds/{ix}/outline").text)
    field = _file_input(page)
    assert 'id="f-file"' in field and f'data-max-bytes="{FILE_CAPS["outline"]}"' in field
    assert "Tối đa 20 MB một tệp." in page
