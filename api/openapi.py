"""What the OpenAPI document declares beyond FastAPI's defaults: the error bodies of docs/API.md and the
range of an id.

Every /api/v1 router declares the refusals any of its operations may give (401, 403, 404, 409, as
`{"detail": {"code", "message", "field"?}}`, and 413 for a body over its bound); operations that can also answer
413, 415, 429 or 503 add theirs with `errors(...)`. 422 is FastAPI's own (HTTPValidationError), which the domain's
`Invalid` also uses.
tests/security/test_fuzz_api.py checks every answer against these declarations.
"""

from typing import Annotated, Any

from annotated_types import Interval
from pydantic import BaseModel

# Ids are INTEGER columns (32-bit on PostgreSQL): anything outside is refused as invalid input (422 naming
# the field) before it reaches the database, where it would overflow (SQLite) or be out of range.
MAX_ID = 2**31 - 1
Id = Annotated[int, Interval(ge=1, le=MAX_ID)]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    detail: ErrorDetail


DESCRIPTIONS = {
    401: "Chưa đăng nhập (thiếu hoặc sai mã truy cập).",
    403: "Đã đăng nhập nhưng không có quyền (kể cả giám khảo có xung đột lợi ích).",
    404: "Không có, hoặc người gọi không được thấy.",
    409: "Quy định của quy trình không cho phép lúc này (quá hạn, vượt chỉ tiêu, đã gửi…).",
    413: "Tệp hoặc dữ liệu quá lớn.",
    415: "Định dạng tệp không được hỗ trợ.",
    429: "Thao tác quá nhiều lần; thử lại sau (Retry-After).",
    503: "Cơ sở dữ liệu, kho tệp hoặc dịch vụ gợi ý chủ đề tạm thời không phản hồi.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for these error statuses, each with the API's error body."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


def binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a 200 that is a file, not JSON."""
    return {200: {"description": description,
                  "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}


# What any /api/v1 operation may answer besides its success and 422 (413: any body over its route's bound,
# api/limits.py).
API_ERRORS = errors(401, 403, 404, 409, 413)
