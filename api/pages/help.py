"""Help that ships with the app: the browsable API documentation and a short guide per role."""

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request

from award.errors import NotFound
from api.deps import OptionalWebUser
from api.templating import render, templates

router = APIRouter(include_in_schema=False)

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "static" / "guide"


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    screenshot: str | None = None  # static/guide/<name>.png, taken by tests/browser/test_help_browser.py
    alt: str = ""


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    who: str
    steps: tuple[Step, ...]


GUIDES: dict[str, Guide] = {g.slug: g for g in (
    Guide("nha-bao", "Hướng dẫn cho nhà báo", "Tác giả, nhóm tác giả gửi tác phẩm dự thi", (
        Step("Đăng ký và đăng nhập",
             "Bấm “Đăng ký dự thi” ở đầu trang, nhập họ tên, e-mail và mật khẩu (ít nhất 10 ký tự, có cả chữ và "
             "số). Quên mật khẩu thì bấm “Quên mật khẩu?” ở trang đăng nhập để nhận liên kết đặt lại qua e-mail.",
             "nha-bao-trang-lam-viec", "Trang làm việc của nhà báo với nút gửi tác phẩm"),
        Step("Tạo tác phẩm",
             "Trên Trang làm việc, bấm “+ Gửi tác phẩm dự thi”. Chọn đơn vị gửi, loại hình, thể loại; nhập tên và "
             "tóm tắt; thêm từng kỳ (cơ quan báo chí, ngày đăng, đường dẫn) và các đồng tác giả. Có thể lưu nháp "
             "và sửa tiếp.", "nha-bao-tao-tac-pham", "Mẫu gửi tác phẩm"),
        Step("Tải tệp lên",
             "Ở trang tác phẩm, chọn tệp bài báo, ảnh, âm thanh hoặc video. Tệp lớn được tải thẳng lên kho lưu trữ "
             "với thanh tiến độ; nếu mạng ngắt, chọn lại đúng tệp đó để tải tiếp."),
        Step("Chọn chủ đề",
             "Hệ thống gợi ý các chủ đề trong đề cương tuyên truyền khớp với tóm tắt. Đánh dấu các chủ đề đúng rồi "
             "bấm xác nhận."),
        Step("Nộp và theo dõi",
             "Bấm “Nộp tác phẩm” trước hạn của đơn vị. Anh/chị nhận e-mail xác nhận; trạng thái (đã nộp, được chọn gửi "
             "Trung ương, đủ điều kiện, đoạt giải) hiện trên Trang làm việc."),
    )),
    Guide("don-vi", "Hướng dẫn cho cán bộ đơn vị", "Đơn vị tổ chức sơ tuyển và gửi tác phẩm về Trung ương", (
        Step("Xem tác phẩm của đơn vị",
             "Trên Trang làm việc, bấm “Danh sách tác phẩm”: lọc theo trạng thái, loại hình hoặc tìm theo tên.",
             "don-vi-trang-lam-viec", "Trang làm việc của cán bộ đơn vị"),
        Step("Lập hội đồng sơ tuyển và phân công chấm",
             "Bấm “Hội đồng sơ tuyển, phân công, xếp hạng”: thêm giám khảo, đề xuất phân công (số giám khảo mỗi "
             "tác phẩm), xem trước các tác phẩm chưa đủ giám khảo và lý do, rồi áp dụng. Theo dõi tiến độ chấm và "
             "bảng xếp hạng tại đây."),
        Step("Xét chọn",
             "Bấm “Xét và gửi tác phẩm về Trung ương”: đánh dấu từng tác phẩm đạt hoặc không đạt (kèm lý do).",
             "don-vi-xet-chon", "Trang xét chọn và gửi tác phẩm về Trung ương"),
        Step("Gửi về Trung ương",
             "Chọn các tác phẩm trong chỉ tiêu của đơn vị và gửi một lần thành một danh sách có chữ ký (xem và in "
             "bản PDF). Hệ thống không cho gửi vượt chỉ tiêu hoặc sau hạn gửi về Trung ương."),
        Step("Giải cấp đơn vị",
             "Ghi các giải đơn vị đã trao; chúng hiện trên trang công khai của đơn vị."),
    )),
    Guide("giam-khao", "Hướng dẫn cho giám khảo", "Giám khảo sơ tuyển ở đơn vị và giám khảo sơ khảo Trung ương", (
        Step("Mở danh sách bài chấm",
             "Trên Trang làm việc, bấm “Mở danh sách bài chấm”: chỉ có các tác phẩm được phân công cho anh/chị.",
             "giam-khao-danh-sach", "Danh sách bài chấm của giám khảo"),
        Step("Chấm điểm",
             "Mở một tác phẩm, đọc bài hoặc nghe, xem ngay trong trang, rồi cho điểm từng tiêu chí và nhận xét. "
             "Phiếu được lưu tự động khi anh/chị nhập."),
        Step("Gửi phiếu",
             "Bấm gửi phiếu khi đã chấm xong; phiếu đã gửi bị khóa. Cần sửa thì đề nghị cán bộ đơn vị hoặc Ban Thư "
             "ký mở lại."),
        Step("Xung đột lợi ích và hạn chấm",
             "Anh/chị không được giao tác phẩm của đơn vị, cơ quan mình hay tác phẩm mình là đồng tác giả; gặp trường "
             "hợp khác cần tránh, hãy báo Ban Thư ký. Trước hạn chấm vài ngày, hệ thống gửi e-mail nhắc các bài còn "
             "lại."),
    )),
    Guide("hoi-dong", "Hướng dẫn cho thành viên Hội đồng chung khảo", "Giám khảo Trung ương trong Hội đồng chung khảo", (
        Step("Mở trang bỏ phiếu",
             "Trên Trang làm việc, mục “Hội đồng chung khảo”, bấm “Bỏ phiếu chung khảo lần thứ …”.",
             "hoi-dong-bo-phieu", "Trang bỏ phiếu chung khảo"),
        Step("Bỏ phiếu từng tác phẩm",
             "Với mỗi tác phẩm vào chung khảo, chọn mức giải đề nghị (Đặc biệt, A, B, C, Khuyến khích hoặc không "
             "trao) và, nếu có, đề cử giải chuyên đề."),
        Step("Kết quả kiểm phiếu",
             "Mỗi tác phẩm cần đủ số thành viên bỏ phiếu (mặc định 2/3). Mức giải đề nghị là mức cao nhất được quá "
             "nửa số phiếu; các trường hợp ngang nhau do Hội đồng quyết định và Ban Thư ký ghi lại."),
    )),
    Guide("thu-ky", "Hướng dẫn cho Ban Thư ký", "Ban Thư ký Giải, điều phối toàn bộ quy trình", (
        Step("Tài khoản",
             "Bấm “Quản lý tài khoản” để tạo tài khoản cán bộ đơn vị (kèm đơn vị), giám khảo và Ban Chỉ đạo; nhà "
             "báo tự đăng ký.", "thu-ky-trang-lam-viec", "Trang làm việc của Ban Thư ký"),
        Step("Đợt giải và đề cương",
             "Với mỗi đợt: nhập đề cương tuyên truyền (tải tệp hoặc dán, xem trước, sửa rồi lưu), đặt quy định và "
             "chỉ tiêu của các đơn vị; xem bản đồ phủ chủ đề."),
        Step("Tiếp nhận",
             "Bấm “Tiếp nhận tác phẩm các đơn vị gửi”: ghi nhận đã nhận (kèm dấu bưu điện nếu có) và kết luận đủ "
             "điều kiện hay không."),
        Step("Sơ khảo Trung ương",
             "Ở trang điều hành của đợt: các tiểu ban, phân giám khảo vào tiểu ban hoặc Hội đồng, lập phân công "
             "chấm, xem xếp hạng từng tiểu ban và đưa tác phẩm vào chung khảo.",
             "thu-ky-dieu-hanh", "Trang điều hành chấm Trung ương"),
        Step("Kiểm phiếu và công bố",
             "Ở trang Hội đồng: xem kiểm phiếu, biên bản PDF, đề nghị danh sách trao giải lên Ban Chỉ đạo; sau khi "
             "được phê duyệt, công bố ngay hoặc hẹn giờ. Sửa danh sách đã công bố phải ghi lý do."),
    )),
    Guide("ban-chi-dao", "Hướng dẫn cho Ban Chỉ đạo", "Ban Chỉ đạo Giải, phê duyệt kết quả", (
        Step("Theo dõi",
             "Trang làm việc liệt kê từng đợt giải và tình trạng danh sách đề nghị trao giải.",
             "ban-chi-dao-trang-lam-viec", "Trang làm việc của Ban Chỉ đạo"),
        Step("Xem danh sách đề nghị",
             "Bấm “Xem và phê duyệt”: danh sách theo mức giải, kết quả kiểm phiếu và các quyết định về trường hợp "
             "ngang phiếu của Hội đồng."),
        Step("Phê duyệt hoặc trả lại",
             "Phê duyệt danh sách, hoặc trả lại Ban Thư ký kèm ý kiến. Mỗi danh sách chỉ được quyết định một lần; "
             "sau khi phê duyệt, Ban Thư ký công bố."),
    )),
)}

# The guides each role's dashboard links to (a central judge may also sit on the final council).
ROLE_GUIDES: dict[str, tuple[str, ...]] = {
    "journalist": ("nha-bao",), "unit_manager": ("don-vi",), "local_judge": ("giam-khao",),
    "judge": ("giam-khao", "hoi-dong"), "secretariat": ("thu-ky",), "approver": ("ban-chi-dao",),
}
templates.env.globals.update(GUIDES=GUIDES, ROLE_GUIDES=ROLE_GUIDES)


@router.get("/api/docs", name="pages:api_docs")
def api_docs(request: Request):
    """Swagger UI from vendored files (static/vendor/swagger-ui) started by static/js/api-docs.js, instead of
    FastAPI's page, which loads it from a CDN with an inline script: the CSP blocks both, and production
    machines may have no internet."""
    return render(request, "help/api_docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/huong-dan", name="help:guides")
def guides(request: Request, user: OptionalWebUser):
    return render(request, "help/guides.html", {"guides": GUIDES.values()})


@router.get("/huong-dan/{role_guide}", name="help:guide")
def guide(role_guide: str, request: Request, user: OptionalWebUser):
    found = GUIDES.get(role_guide)
    if found is None:
        raise NotFound("Không có hướng dẫn này.")
    shots = {step.screenshot for step in found.steps
             if step.screenshot and (GUIDE_IMAGES / f"{step.screenshot}.png").is_file()}
    return render(request, "help/guide.html", {"guide": found, "shots": shots, "guides": GUIDES.values()})
