"""static/js/upload.js and static/js/entry-form.js in Chromium, against a small in-process fake.

The fake (stdlib http.server, two threads on 127.0.0.1) stands in for the real backend:

* the "app" origin serves test pages with the application's own Content-Security-Policy, the
  repository's static/ folder, and the JSON upload API (direct files, multipart uploads, their
  status, completion and deletion), checking the X-CSRF-Token header on every unsafe request;
* the "storage" origin (another port, hence another origin, like S3) takes the presigned part PUTs,
  answers the CORS preflight, returns ETag headers exposed with Access-Control-Expose-Headers, and
  can be told to fail a part to simulate a dropped connection.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError, expect

import api.security

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
CSRF = "csrf-test-token-7f3a"
ENTRY = "/api/v1/entries/12"
MiB = 1024 * 1024

CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml", ".md": "text/markdown; charset=utf-8"}


# --------------------------------------------------------------------------------------------------
# The fake backend


@dataclass
class Upload:
    id: str
    filename: str
    size: int
    content_type: str
    sha256: str
    part_size: int
    parts: dict[int, bytes] = field(default_factory=dict)
    etags: dict[int, str] = field(default_factory=dict)
    completed: bool = False


class Fake:
    def __init__(self):
        self.lock = threading.Lock()
        self.app_base = ""
        self.s3_base = ""
        self.csp = ""
        self.reset()

    def reset(self, *, threshold=1 * MiB, part_size=5 * MiB, retry_delays="100,100,100", reload_delay=1500):
        with self.lock:
            self.threshold = threshold
            self.part_size = part_size
            self.retry_delays = retry_delays
            self.reload_delay = reload_delay
            self.files: list[dict] = []
            self.uploads: dict[str, Upload] = {}
            self.requests: list[tuple[str, str]] = []  # (method, path) on the app origin
            self.puts: list[dict] = []  # every part PUT seen by the storage origin
            self.preflights: list[dict] = []
            self.fail_parts: dict[int, int] = {}  # part number -> failures still to serve
            self.put_delay = 0.0
            self.page_hits = 0
            self.csrf_failures: list[str] = []
            self.completions: list[dict] = []
            self.deleted: list[str] = []
            self.submissions: list[list[tuple[str, str]]] = []
            self.direct_error: dict | None = None  # filename -> (status, body)

    # helpers for assertions
    def count(self, method: str, pattern: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if m == method and re.fullmatch(pattern, p))

    def successful_puts(self, number: int) -> int:
        with self.lock:
            return sum(1 for p in self.puts if p["number"] == number and p["status"] == 200)

    def attempts(self, number: int) -> list[dict]:
        with self.lock:
            return [p for p in self.puts if p["number"] == number]


def upload_page(fake: Fake) -> str:
    return f"""<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="csrf-token" content="{CSRF}">
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/app.css">
  <title>Tệp đính kèm</title>
</head>
<body>
<main>
  <h1>Tệp đính kèm</h1>
  <section data-upload data-files-url="{ENTRY}/files" data-uploads-url="{ENTRY}/uploads"
           data-direct-threshold="{fake.threshold}" data-retry-delays="{fake.retry_delays}"
           data-reload-delay="{fake.reload_delay}">
    <label for="upload-input">Chọn tệp</label>
    <input id="upload-input" type="file" multiple data-upload-input
           accept=".pdf,.docx,.jpg,.jpeg,.png,.webp,.mp3,.m4a,.wav,.mp4,.mov">
    <ul data-upload-list></ul>
    <p data-upload-status aria-live="polite"></p>
  </section>
</main>
<script src="/static/js/upload.js" defer></script>
<script src="/static/js/page.js" defer></script>
</body>
</html>"""


def _author_row(i: str, n: str) -> str:
    return f"""<div class="repeat-row" data-row>
      <h3>Tác giả <span data-row-number>{n}</span></h3>
      <label for="f-authors-{i}-full_name">Họ và tên</label>
      <input id="f-authors-{i}-full_name" name="authors-{i}-full_name">
      <label for="f-authors-{i}-pen_name">Bút danh</label>
      <input id="f-authors-{i}-pen_name" name="authors-{i}-pen_name">
      <label for="f-authors-{i}-email">E-mail</label>
      <input id="f-authors-{i}-email" name="authors-{i}-email" type="email" aria-describedby="h-authors-{i}-email">
      <small id="h-authors-{i}-email">Để Ban Tổ chức liên hệ.</small>
      <label for="f-authors-{i}-outlet">Cơ quan báo chí</label>
      <input id="f-authors-{i}-outlet" name="authors-{i}-outlet">
      <button type="submit" name="action" value="remove-authors-{i}"
        data-remove-row>Xóa<span class="sr-only"> tác giả <span data-row-number>{n}</span></span></button>
    </div>"""


def _part_row(i: str, n: str) -> str:
    return f"""<div class="repeat-row" data-row>
      <h3>Kỳ <span data-row-number>{n}</span></h3>
      <label for="f-parts-{i}-title">Tên kỳ</label><input id="f-parts-{i}-title" name="parts-{i}-title">
      <label for="f-parts-{i}-outlet">Báo đăng</label><input id="f-parts-{i}-outlet" name="parts-{i}-outlet">
      <label for="f-parts-{i}-published_on">Ngày đăng</label><input id="f-parts-{i}-published_on"
        name="parts-{i}-published_on" type="date">
      <label for="f-parts-{i}-url">Đường dẫn</label><input id="f-parts-{i}-url" name="parts-{i}-url" type="url">
      <label for="f-parts-{i}-broadcast_slot">Khung giờ phát sóng</label><input id="f-parts-{i}-broadcast_slot"
        name="parts-{i}-broadcast_slot">
      <button type="submit" name="action" value="remove-parts-{i}"
        data-remove-row>Xóa<span class="sr-only"> kỳ <span data-row-number>{n}</span></span></button>
    </div>"""


def form_page() -> str:
    return f"""<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="csrf-token" content="{CSRF}">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/static/app.css">
<title>Hồ sơ dự thi</title></head>
<body>
<main>
  <h1>Hồ sơ dự thi</h1>
  <p data-form-status aria-live="polite"></p>
  <form method="post" action="/submit">
    <input type="hidden" name="csrf_token" value="{CSRF}">
    <label for="f-title">Tên tác phẩm</label><input id="f-title" name="title">
    <fieldset data-repeat="authors" data-max="3">
      <legend>Tác giả</legend>
      <div data-rows>
        {_author_row("0", "1")}
      </div>
      <template data-row-template>{_author_row("__i__", "")}</template>
      <button type="submit" name="action" value="add-authors" data-add-row>Thêm tác giả</button>
    </fieldset>
    <fieldset data-repeat="parts" data-max="10">
      <legend>Các kỳ</legend>
      <div data-rows>
        {_part_row("0", "1")}
      </div>
      <template data-row-template>{_part_row("__i__", "")}</template>
      <button type="submit" name="action" value="add-parts" data-add-row>Thêm kỳ</button>
    </fieldset>
    <button type="submit" name="action" value="save">Lưu nháp</button>
    <button type="submit" name="action" value="submit">Nộp hồ sơ</button>
  </form>
</main>
<script src="/static/js/entry-form.js" defer></script>
</body>
</html>"""


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeAward/1"

    @property
    def fake(self) -> Fake:
        return self.server.fake  # type: ignore[attr-defined]

    @property
    def storage(self) -> bool:
        return self.server.role == "storage"  # type: ignore[attr-defined]

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass

    # --- plumbing ---------------------------------------------------------------------------------

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status: int, body: bytes = b"", content_type: str = "application/json",
             headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser aborted the request

    def json(self, status: int, data) -> None:
        self.send(status, json.dumps(data, ensure_ascii=False).encode())

    def error(self, status: int, code: str, message: str, fld: str | None = None) -> None:
        self.json(status, {"detail": {"code": code, "message": message, "field": fld}})

    def csrf_ok(self) -> bool:
        if self.headers.get("X-CSRF-Token") == CSRF:
            return True
        with self.fake.lock:
            self.fake.csrf_failures.append(f"{self.command} {self.path}")
        self.error(403, "csrf_failed", "Thiếu mã bảo vệ (CSRF).")
        return False

    def cors(self) -> dict[str, str]:
        return {"Access-Control-Allow-Origin": self.fake.app_base, "Access-Control-Expose-Headers": "ETag",
                "Vary": "Origin"}

    # --- storage origin (presigned part uploads) --------------------------------------------------

    def do_OPTIONS(self):
        if not self.storage:
            return self.send(405)
        requested = (self.headers.get("Access-Control-Request-Headers") or "").lower()
        with self.fake.lock:
            self.fake.preflights.append({"path": self.path, "headers": requested})
        if "x-csrf-token" in requested:
            return self.send(403, b"", "text/plain")  # S3 would refuse it too: no such CORS rule
        self.send(204, b"", "text/plain", {
            **self.cors(), "Access-Control-Allow-Methods": "PUT",
            "Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "0",
        })

    def do_PUT(self):
        if not self.storage:
            return self.send(405)
        match = re.fullmatch(r"/bucket/([0-9a-f]+)/(\d+)", urlsplit(self.path).path)
        data = self.body()
        if not match:
            return self.send(404, b"", "text/plain", self.cors())
        upload_id, number = match.group(1), int(match.group(2))
        fake = self.fake
        with fake.lock:
            upload = fake.uploads.get(upload_id)
            failing = fake.fail_parts.get(number, 0) > 0
            if failing:
                fake.fail_parts[number] -= 1
            entry = {"upload_id": upload_id, "number": number, "size": len(data), "time": time.monotonic(),
                     "csrf": self.headers.get("X-CSRF-Token"), "content_type": self.headers.get("Content-Type"),
                     "status": 500 if failing else 200}
            fake.puts.append(entry)
            delay = fake.put_delay
        if delay:
            time.sleep(delay)
        if upload is None:
            entry["status"] = 404
            return self.send(404, b"<Error>NoSuchUpload</Error>", "application/xml", self.cors())
        if failing:
            return self.send(500, b"<Error>InternalError</Error>", "application/xml", self.cors())
        etag = '"' + hashlib.md5(data).hexdigest() + '"'
        with fake.lock:
            upload.parts[number] = data
            upload.etags[number] = etag
        self.send(200, b"", "text/plain", {**self.cors(), "ETag": etag})

    # --- app origin ---------------------------------------------------------------------------------

    def do_GET(self):
        if self.storage:
            return self.send(404)
        path = urlsplit(self.path).path
        fake = self.fake
        with fake.lock:
            fake.requests.append(("GET", path))
        if path in ("/upload.html", "/upload-wasm.html", "/upload-nowasm.html"):
            with fake.lock:
                fake.page_hits += 1
            csp = fake.csp
            if path != "/upload.html":  # the same policy with WebAssembly explicitly allowed / refused
                csp = re.sub(r"script-src [^;]*", "script-src 'self'" + (
                    " 'wasm-unsafe-eval'" if path == "/upload-wasm.html" else ""), csp)
            return self.send(200, upload_page(fake).encode(), "text/html; charset=utf-8",
                             {"Content-Security-Policy": csp})
        if path == "/form.html":
            return self.send(200, form_page().encode(), "text/html; charset=utf-8",
                             {"Content-Security-Policy": fake.csp})
        if path.startswith("/static/"):
            target = (STATIC / path.removeprefix("/static/")).resolve()
            if STATIC.resolve() not in target.parents or not target.is_file():
                return self.send(404, b"", "text/plain")
            return self.send(200, target.read_bytes(), CONTENT_TYPES.get(target.suffix, "application/octet-stream"))
        match = re.fullmatch(rf"{ENTRY}/uploads/([0-9a-f]+)", path)
        if match:
            with fake.lock:
                upload = fake.uploads.get(match.group(1))
            if upload is None or upload.completed:
                return self.error(404, "upload_not_found", "Phiên tải lên không tồn tại hoặc đã hết hạn.")
            total = -(-upload.size // upload.part_size)
            done = sorted(upload.etags)
            return self.json(200, {
                "upload_id": upload.id, "part_size": upload.part_size, "size": upload.size,
                "parts_done": [{"number": n, "etag": upload.etags[n], "size": len(upload.parts[n])} for n in done],
                "parts": [{"number": n, "url": self.part_url(upload.id, n)}
                          for n in range(1, total + 1) if n not in upload.etags],
            })
        self.send(404, b"", "text/plain")

    def part_url(self, upload_id: str, number: int) -> str:
        return f"{self.fake.s3_base}/bucket/{upload_id}/{number}?X-Amz-Signature=fake{number}"

    def do_DELETE(self):
        if self.storage:
            return self.send(405)
        path = urlsplit(self.path).path
        with self.fake.lock:
            self.fake.requests.append(("DELETE", path))
        if not self.csrf_ok():
            return
        match = re.fullmatch(rf"{ENTRY}/uploads/([0-9a-f]+)", path)
        if not match:
            return self.send(404)
        with self.fake.lock:
            self.fake.uploads.pop(match.group(1), None)
            self.fake.deleted.append(match.group(1))
        self.send(204)

    def do_POST(self):
        if self.storage:
            return self.send(405)
        path = urlsplit(self.path).path
        fake = self.fake
        with fake.lock:
            fake.requests.append(("POST", path))
        body = self.body()
        if path == "/submit":
            fields = parse_qsl(body.decode(), keep_blank_values=True)
            with fake.lock:
                fake.submissions.append(fields)
            time.sleep(1.0)  # a slow server: the buttons stay disabled meanwhile
            return self.send(200, "<!doctype html><html lang='vi'><link rel='icon' href='/static/favicon.svg'>"
                             "<title>Đã nhận</title><h1>Đã nhận hồ sơ</h1>"
                             .encode(), "text/html; charset=utf-8")
        if not self.csrf_ok():
            return
        if path == f"{ENTRY}/files":
            return self.direct_file(body)
        if path == f"{ENTRY}/uploads":
            data = json.loads(body)
            upload = Upload(id=uuid.uuid4().hex, filename=data["filename"], size=int(data["size"]),
                            content_type=data["content_type"], sha256=data["sha256"], part_size=fake.part_size)
            with fake.lock:
                fake.uploads[upload.id] = upload
            total = -(-upload.size // upload.part_size)
            return self.json(201, {
                "upload_id": upload.id, "part_size": upload.part_size, "expires_at": "2099-01-01T00:00:00Z",
                "parts": [{"number": n, "url": self.part_url(upload.id, n)} for n in range(1, total + 1)],
            })
        match = re.fullmatch(rf"{ENTRY}/uploads/([0-9a-f]+)/complete", path)
        if match:
            return self.complete(match.group(1), json.loads(body))
        self.send(404)

    def direct_file(self, body: bytes) -> None:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        part = next((p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"),
                    None)
        if part is None:
            return self.json(422, {"detail": [{"loc": ["body", "file"], "msg": "Chưa chọn tệp."}]})
        filename = part.get_filename()
        data = part.get_payload(decode=True) or b""
        if filename.endswith(".exe") or data.startswith(b"MZ"):  # told by its name or its content
            return self.error(415, "unsupported_type", "Định dạng tệp không được chấp nhận: chỉ nhận PDF, DOCX, "
                              "ảnh, âm thanh và video.", "file")
        if not data:
            return self.json(422, {"detail": [{"loc": ["body", "file"], "msg": "Tệp rỗng."}]})
        record = {"id": len(self.fake.files) + 1, "filename": filename, "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest(), "content_type": part.get_content_type(),
                  "kind": "document"}
        with self.fake.lock:
            self.fake.files.append({**record, "data": data})
        self.json(201, record)

    def complete(self, upload_id: str, data: dict) -> None:
        fake = self.fake
        with fake.lock:
            upload = fake.uploads.get(upload_id)
            fake.completions.append({"upload_id": upload_id, "parts": data.get("parts")})
        if upload is None:
            return self.error(404, "upload_not_found", "Phiên tải lên không tồn tại hoặc đã hết hạn.")
        total = -(-upload.size // upload.part_size)
        sent = [(int(p["number"]), p["etag"]) for p in data.get("parts", [])]
        if [n for n, _ in sent] != list(range(1, total + 1)):
            return self.error(409, "parts_missing", "Thiếu phần của tệp.")
        if any(upload.etags.get(n) != etag for n, etag in sent):
            return self.error(409, "etag_mismatch", "Mã ETag của một phần không khớp.")
        assembled = b"".join(upload.parts[n] for n in range(1, total + 1))
        if len(assembled) != upload.size or hashlib.sha256(assembled).hexdigest() != upload.sha256:
            return self.error(409, "checksum_mismatch", "Mã kiểm tra SHA-256 không khớp với nội dung tệp.")
        record = {"id": len(fake.files) + 1, "filename": upload.filename, "size": upload.size,
                  "sha256": upload.sha256, "content_type": upload.content_type, "kind": "video"}
        with fake.lock:
            upload.completed = True
            fake.files.append({**record, "data": assembled})
        self.json(201, record)


def app_csp(storage_origin: str) -> str:
    """The application's own Content-Security-Policy, with the fake storage as the object store."""
    if hasattr(api.security, "content_security_policy"):
        return api.security.content_security_policy(storage_origin)
    return api.security.CSP


@pytest.fixture(scope="module")
def fake():
    fake = Fake()
    servers = []
    for role in ("app", "storage"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.fake = fake
        server.role = role
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    fake.app_base = f"http://127.0.0.1:{servers[0].server_address[1]}"
    fake.s3_base = f"http://127.0.0.1:{servers[1].server_address[1]}"
    fake.csp = app_csp(fake.s3_base)
    yield fake
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def app(fake):
    fake.reset()
    return fake


def wait_until(predicate, timeout=20.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def wait_for_reload(page, app: Fake, hits: int) -> None:
    """The widget reloaded the page: the fake served it again and the new, empty page is loaded."""
    wait_until(lambda: app.page_hits == hits, timeout=30, message="the page to reload")
    page.wait_for_function(
        "() => document.readyState === 'complete' && !document.querySelector('[data-upload-list] li')")


def payload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def local_file(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file on disk: Playwright hands its path to Chromium (an in-memory buffer of 20 MiB takes
    ~15 s to cross the driver connection)."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def only_wasm_csp_errors(errors: list[str]) -> list[str]:
    """Console errors other than the CSP refusal of WebAssembly (hash-wasm → JS fallback)."""
    return [e for e in errors if "WebAssembly" not in e and "wasm" not in e]


def shown_text(page) -> str:
    """The page's text as seen on the screen: without what is there for screen readers only (.sr-only)."""
    return page.evaluate("""() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const parts = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (el && !el.closest(".sr-only, script, style, [hidden]")) parts.push(node.textContent);
        }
        return parts.join(" ");
    }""")


def upload_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('award-upload:'))")


# --------------------------------------------------------------------------------------------------
# Upload widget


def test_small_file_shows_progress_100_and_reloads(page, app):
    page.goto(f"{app.app_base}/upload.html")
    data = bytes(range(256)) * 4  # 1 KB
    page.locator("[data-upload-input]").set_input_files(payload("Bài viết số 1.pdf", data, "application/pdf"))

    item = page.locator("[data-upload-list] li")
    expect(item.locator(".upload-name")).to_have_text("Bài viết số 1.pdf")
    expect(item.locator("progress")).to_have_attribute("value", "100")
    expect(item.locator("[data-upload-item-status]")).to_have_text("Đã tải lên xong.")
    expect(page.locator("[data-upload-status]")).to_have_text("Đã tải lên xong 1 tệp. Đang làm mới trang…")
    wait_for_reload(page, app, 2)

    assert app.csrf_failures == []
    assert [(f["filename"], f["data"]) for f in app.files] == [("Bài viết số 1.pdf", data)]
    assert app.count("POST", rf"{ENTRY}/uploads.*") == 0
    assert page.console_errors == []


def test_direct_upload_error_is_shown_next_to_file_and_page_not_reloaded(page, app):
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files([
        payload("<b>chuong-trinh</b>.exe", b"MZ" * 100, "application/octet-stream"),
        payload("anh.png", b"\x89PNG" + b"x" * 500, "image/png"),
    ])
    items = page.locator("[data-upload-list] li")
    expect(items.nth(0).locator("[data-upload-item-status]")).to_have_text(
        "Định dạng tệp không được chấp nhận: chỉ nhận PDF, DOCX, ảnh, âm thanh và video.")
    expect(items.nth(0)).to_have_attribute("data-state", "failed")
    expect(items.nth(1).locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-upload-status]")).to_have_text(
        "Đã tải lên 1/2 tệp. Bấm “Xóa tệp này” ở tệp không tải lên được để trang hiện các tệp đã tải lên. "
        "<b>chuong-trinh</b>.exe: Định dạng tệp không được chấp nhận: chỉ nhận PDF, DOCX, "
        "ảnh, âm thanh và video.")
    time.sleep(app.reload_delay / 1000 + 0.5)
    assert app.page_hits == 1  # not reloaded: the message stays visible
    # the name is shown as text, never parsed as markup
    assert items.nth(0).locator(".upload-name").inner_html() == "&lt;b&gt;chuong-trinh&lt;/b&gt;.exe"
    assert page.locator("[data-upload-list] b").count() == 0

    # Taking the refused file off the list leaves only successes: the page reloads to show them.
    items.nth(0).get_by_role("button", name="Xóa tệp này khỏi danh sách: <b>chuong-trinh</b>.exe").click()
    expect(items).to_have_count(1)
    wait_for_reload(page, app, 2)


def test_a_refused_file_shows_its_message_once_in_the_error_style(page, app):
    """A file the server refuses (an .exe named .pdf): the reason once, next to the file, in the error style;
    no empty progress bar; a button saying what it does. The line under the list only speaks it."""
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files(payload("fake.pdf", b"MZ" * 100, "application/pdf"))
    item = page.locator("[data-upload-list] li")
    message = "Định dạng tệp không được chấp nhận: chỉ nhận PDF, DOCX, ảnh, âm thanh và video."
    expect(item.locator("[data-upload-item-status]")).to_have_text(message)
    expect(item.locator("[data-upload-item-status]")).to_have_css("color", "rgb(176, 0, 32)")  # var(--err)
    expect(item.locator("progress")).to_be_hidden()
    assert shown_text(page).count(message) == 1
    expect(page.locator("[data-upload-status]")).to_have_text(f"fake.pdf: {message}")  # for screen readers
    expect(page.locator("[data-upload-status] .sr-only")).to_have_text(f"fake.pdf: {message}")
    remove = item.get_by_role("button", name="Xóa tệp này khỏi danh sách: fake.pdf")
    expect(remove).to_have_text("Xóa tệp này")
    expect(item.get_by_role("button")).to_have_count(1)  # no empty "resume" button beside it
    remove.click()
    expect(item).to_have_count(0)
    expect(page.locator("[data-upload-status]")).to_have_text("Đã xóa tệp fake.pdf khỏi danh sách.")
    expect(page.locator("[data-upload-input]")).to_be_focused()
    time.sleep(app.reload_delay / 1000 + 0.5)
    assert app.page_hits == 1  # nothing was uploaded: nothing to reload for


def test_large_file_uploads_in_parts_and_sha256_matches(page, app, tmp_path):
    data = random.Random(20240920).randbytes(20 * MiB)
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files(local_file(tmp_path, "Phóng sự truyền hình.mp4", data))

    item = page.locator("[data-upload-list] li")
    expect(item.locator(".upload-size")).to_have_text("20,0 MB")
    expect(item.locator("progress")).to_have_attribute("value", "100", timeout=60_000)
    wait_for_reload(page, app, 2)

    (upload,) = app.uploads.values()
    assert upload.sha256 == hashlib.sha256(data).hexdigest()  # what the browser computed
    assert upload.completed and upload.part_size == 5 * MiB
    assert [f["data"] == data for f in app.files] == [True]
    assert sorted((p["number"], p["size"]) for p in app.puts) == [(n, 5 * MiB) for n in (1, 2, 3, 4)]
    assert all(p["csrf"] is None for p in app.puts)  # no CSRF token to the storage origin
    assert all(p["content_type"] is None for p in app.puts)  # nothing to break a presigned signature
    assert all("x-csrf-token" not in p["headers"] for p in app.preflights)
    assert app.completions[0]["parts"] == [{"number": n, "etag": upload.etags[n]} for n in (1, 2, 3, 4)]
    assert app.csrf_failures == []
    assert upload_keys(page) == []  # the resume state is gone once completed
    assert only_wasm_csp_errors(page.console_errors) == []


def test_dropped_connection_shows_resume_and_sends_only_missing_parts(page, app, tmp_path):
    app.retry_delays = "200,600,1800"  # the real widget waits 1 s, 3 s, 9 s
    app.fail_parts = {2: 1000}  # part 2 keeps failing: the connection is gone
    data = random.Random(7).randbytes(20 * MiB)
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files(local_file(tmp_path, "Ký sự.mp4", data))

    item = page.locator("[data-upload-list] li")
    resume = item.get_by_role("button", name="Tiếp tục tải lên")
    expect(resume).to_be_visible(timeout=30_000)
    expect(item.locator("[data-upload-item-status]")).to_have_text("Mất kết nối.")
    expect(item).to_have_attribute("data-state", "paused")
    expect(page.locator("[data-upload-status]")).to_have_text("Ký sự.mp4: Mất kết nối.")

    attempts = app.attempts(2)
    assert len(attempts) == 4  # the first try and 3 retries
    gaps = [b["time"] - a["time"] for a, b in zip(attempts, attempts[1:])]
    assert gaps[0] >= 0.18 and gaps[1] >= 0.58 and gaps[2] >= 1.75, gaps  # growing back-off
    (state_key,) = upload_keys(page)
    state = json.loads(page.evaluate("(k) => localStorage.getItem(k)", state_key))
    (upload,) = app.uploads.values()
    assert state["upload_id"] == upload.id and "1" in state["etags"] and "2" not in state["etags"]
    assert state_key.startswith(f"award-upload:{ENTRY}/uploads:Ký sự.mp4:{20 * MiB}:")
    assert app.page_hits == 1

    app.fail_parts.clear()  # the connection is back
    resume.click()
    expect(item.locator("progress")).to_have_attribute("value", "100", timeout=30_000)
    wait_for_reload(page, app, 2)

    assert app.successful_puts(1) == 1  # part 1 was not sent again
    assert all(app.successful_puts(n) == 1 for n in (1, 2, 3, 4))
    assert app.count("GET", rf"{ENTRY}/uploads/{upload.id}") == 1
    assert app.count("POST", rf"{ENTRY}/uploads") == 1
    assert upload.completed and app.files[0]["data"] == data
    assert upload_keys(page) == []


def test_resume_after_reload_when_the_same_file_is_chosen_again(page, app, tmp_path):
    app.fail_parts = {2: 1000}
    data = random.Random(3).randbytes(12 * MiB)
    video = local_file(tmp_path, "Phim tài liệu.mp4", data)
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files(video)
    expect(page.get_by_role("button", name="Tiếp tục tải lên")).to_be_visible(timeout=30_000)
    (upload,) = app.uploads.values()
    assert app.successful_puts(1) == 1

    app.fail_parts.clear()
    page.reload()
    assert len(upload_keys(page)) == 1
    page.locator("[data-upload-input]").set_input_files(video)  # same name, size and lastModified
    expect(page.locator("[data-upload-list] li progress")).to_have_attribute("value", "100", timeout=30_000)
    wait_for_reload(page, app, 3)

    assert app.count("POST", rf"{ENTRY}/uploads") == 1  # no new upload was started
    assert app.count("GET", rf"{ENTRY}/uploads/{upload.id}") == 1
    assert [app.successful_puts(n) for n in (1, 2, 3)] == [1, 1, 1]  # nothing stored was sent again
    assert upload.completed and app.files[0]["data"] == data


def test_cancel_aborts_parts_and_deletes_the_multipart_upload(page, app):
    app.put_delay = 3.0
    page.goto(f"{app.app_base}/upload.html")
    page.locator("[data-upload-input]").set_input_files(payload("Dài.mov", b"\0" * (3 * MiB), "video/quicktime"))
    wait_until(lambda: len(app.puts) >= 1, message="a part upload to start")
    (upload_id,) = app.uploads
    page.locator("[data-upload-list] li").get_by_role("button", name="Hủy").click()

    item = page.locator("[data-upload-list] li")
    expect(item.locator("[data-upload-item-status]")).to_have_text("Đã hủy.")
    expect(page.locator("[data-upload-status]")).to_have_text("Đã hủy tải lên.")
    wait_until(lambda: app.deleted == [upload_id], message="DELETE of the upload")
    assert app.csrf_failures == []
    assert upload_keys(page) == []
    assert app.completions == [] and app.page_hits == 1


def test_pure_helpers_and_both_sha256_backends(page, app):
    page.goto(f"{app.app_base}/upload.html")
    helpers = page.evaluate("""() => {
        const U = window.AwardUpload;
        return {
          ranges: U.partRanges(20 * 1048576 + 1, 5 * 1048576).map((r) => [r.number, r.start, r.end]),
          exact: U.partRanges(10, 5).length,
          missing: U.missingParts(5, [{number: 1}, {number: 3}]),
          missingNumbers: U.missingParts(3, [2]),
          delays: U.parseRetryDelays(""),
          size: U.formatSize(1536 * 1024),
          sizes: [0, 912, 1024, 37068, 1048575, 1536 * 1024, 10 * 1048576 - 1, 3.5 * 1073741824].map(U.formatSize),
          err415: U.errorMessage(415, {detail: {code: "x", message: "Sai định dạng.", field: "file"}}),
          err422: U.errorMessage(422, {detail: [{loc: ["body", "file"], msg: "Thiếu tệp."}]}),
          errNet: U.errorMessage(0, null),
          sameOrigin: [U.isSameOrigin("/api/x"), U.isSameOrigin("http://s3.example.invalid/b")],
        };
    }""")
    M = MiB
    assert helpers["ranges"] == [[1, 0, 5 * M], [2, 5 * M, 10 * M], [3, 10 * M, 15 * M], [4, 15 * M, 20 * M],
                                 [5, 20 * M, 20 * M + 1]]
    assert helpers["exact"] == 2
    assert helpers["missing"] == [2, 4, 5] and helpers["missingNumbers"] == [1, 3]
    assert helpers["delays"] == [1000, 3000, 9000]
    assert helpers["size"] == "1,5 MB"
    from api.templating import file_size  # the widget and the page's file table say a size the same way

    sizes = [0, 912, 1024, 37068, 1048575, 1536 * 1024, 10 * MiB - 1, int(3.5 * 1024 ** 3)]
    assert helpers["sizes"] == [file_size(s) for s in sizes]
    assert helpers["err415"] == "Sai định dạng." and helpers["err422"] == "Thiếu tệp."
    assert helpers["errNet"] == "Mất kết nối."
    assert helpers["sameOrigin"] == [True, False]

    size = 9 * MiB + 123  # crosses the 8 MiB slice boundary and a 64-byte block boundary
    expected = hashlib.sha256(bytes((i * 31 + 7) & 0xFF for i in range(size))).hexdigest()
    script = """async (size) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 255;
        const digest = await window.AwardUpload.sha256Hex(bytes);
        const small = new window.AwardUpload.Sha256().update(new TextEncoder().encode("abc")).digest();
        return {digest, small, backend: window.AwardUpload.hashBackend};
    }"""
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    # Under the application's own CSP: hash-wasm if it allows compiling WebAssembly, else the fallback.
    result = page.evaluate(script, size)
    backend = "hash-wasm" if "'wasm-unsafe-eval'" in app.csp else "js"
    assert result == {"digest": expected, "backend": backend, "small": abc}
    # Plain script-src 'self' forbids compiling WebAssembly: the JavaScript SHA-256 runs.
    page.goto(f"{app.app_base}/upload-nowasm.html")
    assert page.evaluate(script, size) == {"digest": expected, "backend": "js", "small": abc}
    # With 'wasm-unsafe-eval' the vendored hash-wasm build is used, with the same result.
    page.goto(f"{app.app_base}/upload-wasm.html")
    assert page.evaluate(script, size) == {"digest": expected, "backend": "hash-wasm", "small": abc}


# --------------------------------------------------------------------------------------------------
# Entry form: repeatable rows


def row_values(page, key: str, fld: str) -> list[tuple[str, str, str]]:
    return page.evaluate("""([key, fld]) => Array.from(document.querySelectorAll(
        `[data-repeat="${key}"] [data-rows] [data-row]`)).map((row) => {
            const input = row.querySelector(`input[name$="-${fld}"]`);
            return [input.name, input.id, input.value];
        })""", [key, fld])


def test_entry_form_rows_add_remove_renumber_and_keep_values(page, app):
    page.goto(f"{app.app_base}/form.html")
    status = page.locator("[data-form-status]")
    add = page.get_by_role("button", name="Thêm tác giả")
    page.locator("#f-authors-0-full_name").fill("Nguyễn Văn An")
    page.locator("#f-parts-0-title").fill("Kỳ 1: Gốc rễ")

    add.click()
    expect(page.locator("#f-authors-1-full_name")).to_be_focused()
    expect(status).to_have_text("Đã thêm tác giả 2.")
    page.keyboard.type("Trần Thị Bình")
    page.locator("#f-authors-1-email").fill("binh@example.vn")

    add.focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    expect(page.locator("#f-authors-2-full_name")).to_be_focused()
    page.keyboard.type("Lê Văn Cường")
    expect(add).to_be_disabled()  # data-max="3"
    expect(status).to_have_text("Đã thêm tác giả 3. Đã đạt số lượng tối đa: 3 tác giả.")

    page.get_by_role("button", name="Xóa tác giả 1").click()
    expect(status).to_have_text("Đã xóa tác giả 1.")
    expect(page.locator("#f-authors-0-full_name")).to_be_focused()
    expect(add).to_be_enabled()
    assert row_values(page, "authors", "full_name") == [
        ["authors-0-full_name", "f-authors-0-full_name", "Trần Thị Bình"],
        ["authors-1-full_name", "f-authors-1-full_name", "Lê Văn Cường"],
    ]
    assert row_values(page, "authors", "email")[0] == ["authors-0-email", "f-authors-0-email", "binh@example.vn"]
    assert page.get_by_label("Họ và tên").nth(0).input_value() == "Trần Thị Bình"  # labels follow
    first = page.locator('[data-repeat="authors"] [data-row]').nth(0)
    assert first.locator("input[type=email]").get_attribute("aria-describedby") == "h-authors-0-email"
    assert first.locator("#h-authors-0-email").count() == 1
    assert first.locator("[data-remove-row]").get_attribute("value") == "remove-authors-0"
    assert page.locator('[data-repeat="authors"] h3 [data-row-number]').all_text_contents() == ["1", "2"]
    assert page.locator('[data-repeat="authors"] [data-remove-row]').all_text_contents() == [
        "Xóa tác giả 1", "Xóa tác giả 2"]
    # the other repeat is untouched
    assert row_values(page, "parts", "title") == [["parts-0-title", "f-parts-0-title", "Kỳ 1: Gốc rễ"]]

    page.get_by_role("button", name="Thêm kỳ").click()
    expect(page.locator("#f-parts-1-title")).to_be_focused()
    expect(status).to_have_text("Đã thêm kỳ 2.")
    page.keyboard.type("Kỳ 2: Giải pháp")
    page.get_by_role("button", name="Xóa kỳ 1").click()
    expect(status).to_have_text("Đã xóa kỳ 1.")
    assert row_values(page, "parts", "title") == [["parts-0-title", "f-parts-0-title", "Kỳ 2: Giải pháp"]]
    assert page.console_errors == []

    # Submitting: every submit button is disabled at once, the clicked one's value still goes.
    page.get_by_role("button", name="Lưu nháp").click()
    disabled = page.evaluate(
        "Array.from(document.querySelectorAll('form button[type=submit]')).every((b) => b.disabled)")
    assert disabled
    expect(page.get_by_role("heading", name="Đã nhận hồ sơ")).to_be_visible()
    (fields,) = app.submissions
    assert [v for k, v in fields if k == "action"] == ["save"]
    sent = dict(fields)
    assert sent["authors-0-full_name"] == "Trần Thị Bình" and sent["authors-0-email"] == "binh@example.vn"
    assert sent["authors-1-full_name"] == "Lê Văn Cường"
    assert "authors-2-full_name" not in sent and "parts-1-title" not in sent
    assert sent["parts-0-title"] == "Kỳ 2: Giải pháp"


def test_entry_form_warns_about_unsaved_changes_and_enter_saves(page, app):
    page.goto(f"{app.app_base}/form.html")
    prompt = """() => { const e = new Event('beforeunload', {cancelable: true});
                        window.dispatchEvent(e); return e.defaultPrevented; }"""
    assert page.evaluate(prompt) is False  # nothing typed yet
    page.locator("#f-authors-0-pen_name").click()  # a real click: browsers prompt only after a user gesture
    page.keyboard.type("Hồng Hà")
    assert page.evaluate(prompt) is True

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))  # "Stay on this page"
    with pytest.raises(PlaywrightError, match="ERR_ABORTED"):
        page.goto(f"{app.app_base}/upload.html")  # a real navigation away asks first
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/form.html")
    expect(page.locator("#f-authors-0-pen_name")).to_have_value("Hồng Hà")

    # Enter in a field submits with the form's save button, not with the first row's "Xóa".
    page.locator("#f-authors-0-pen_name").press("Enter")
    expect(page.get_by_role("heading", name="Đã nhận hồ sơ")).to_be_visible()
    (fields,) = app.submissions
    assert [v for k, v in fields if k == "action"] == ["save"]
    assert dict(fields)["authors-0-pen_name"] == "Hồng Hà"
    assert dialogs == ["beforeunload"]  # submitting the form itself does not ask
