"""Domain errors. They carry a stable code, a Vietnamese message and, for forms, the field at fault.

The HTTP layer maps each class to a status; nothing here knows about HTTP.
"""


class AwardError(Exception):
    code = "award_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(AwardError):
    """Absent, or not visible to the caller (both look the same from outside)."""

    code = "not_found"


class Forbidden(AwardError):
    code = "forbidden"


class Conflict(AwardError):
    """A rule of the process forbids it now: deadline passed, quota exceeded, already submitted."""

    code = "conflict"


class Invalid(AwardError):
    """Bad input, tied to a field."""

    code = "invalid"


class BadCredentials(Invalid):
    """Wrong e-mail or password at login: one answer whatever was wrong, so a login reveals neither who
    has an account nor the password policy (the HTTP layer answers 401)."""

    code = "invalid_credentials"


class TooManyAttempts(AwardError):
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class FieldErrors(Invalid):
    """Several fields wrong at once: a form shows every message next to its field, the API lists them all.

    `errors` is {field: Vietnamese message}, in the order the checks ran."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = dict(errors)


class Checks:
    """Collect the errors of one form before refusing it, so a person fixes everything in one go.

        checks = Checks()
        with checks.field("year"):
            year = parse_year(raw)          # an Invalid raised here is recorded under "year"
        checks.require(start <= end, "end", "Ngày kết thúc phải sau ngày bắt đầu.")
        checks.done()                       # raises FieldErrors if anything was recorded
    """

    def __init__(self):
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)  # the first problem of a field is the one to fix first

    def require(self, condition: bool, field: str, message: str) -> bool:
        if not condition:
            self.add(field, message)
        return bool(condition)

    def field(self, name: str):
        return _FieldCheck(self, name)

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


class _FieldCheck:
    def __init__(self, checks: Checks, name: str):
        self.checks, self.name = checks, name

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, FieldErrors):
            for field, message in exc.errors.items():
                self.checks.add(field, message)
            return True
        if isinstance(exc, Invalid):
            self.checks.add(exc.field or self.name, exc.message)
            return True
        return False


def field_errors(exc: AwardError, default_field: str = "form") -> dict[str, str]:
    """{field: message} of any domain error, for a form to show next to its fields."""
    if isinstance(exc, FieldErrors):
        return dict(exc.errors)
    return {exc.field or default_field: exc.message}


# --- one way to say which field a message is about -------------------------------------------------------

def named(label: str, message: str) -> str:
    """“Label: message”: a refusal that names its field in its own words, wherever it is shown (under the
    field, in the summary on top of the form, in a flash, in the API's 422). The message's first letter is
    lowered after the colon ("Số trang: phải lớn hơn hoặc bằng 1."), unless it starts an acronym (JSON)."""
    message = message.strip()
    if message[:2].isupper() or not message:
        return f"{label}: {message}".rstrip(": ")
    return f"{label}: {message[0].lower()}{message[1:]}"


def vn_count(n: int) -> str:
    """A count the Vietnamese way, dots between thousands: 85000 → "85.000"."""
    return f"{n:,}".replace(",", ".")


def too_long(label: str, limit: int, length: int, *, field: str) -> "Invalid":
    """The refusal of text longer than its field holds: the field, how long it was and the limit, so the
    person knows how much to cut (nothing is cut for them)."""
    return Invalid(named(label, f"quá dài ({vn_count(length)} ký tự; tối đa {vn_count(limit)} ký tự)."),
                   field=field, code="too_long")


def fitting(text: str | None, limit: int, *, field: str, label: str) -> str:
    """`text` stripped, refused with `too_long` when longer than `limit` characters: the one check for
    text a person typed that a column or a page holds only so much of (never a silent cut)."""
    text = (text or "").strip()
    if len(text) > limit:
        raise too_long(label, limit, len(text), field=field)
    return text


# Pydantic's refusals in Vietnamese, by their `type` ({ge}, {max_length}: the error's ctx). Each is said
# after the field's label (`validation_text`), so none repeats "Giá trị" or names a field itself.
VALIDATION_MESSAGES = {
    "missing": "Thiếu giá trị bắt buộc.",
    "int_parsing": "Phải là một số nguyên.",
    "int_from_float": "Phải là một số nguyên.",
    "int_type": "Phải là một số nguyên.",
    "int_parsing_size": "Số quá lớn.",
    "decimal_parsing": "Phải là một số.",
    "decimal_type": "Phải là một số.",
    "float_parsing": "Phải là một số.",
    "float_type": "Phải là một số.",
    "finite_number": "Phải là một số hữu hạn (không nhận NaN hay Infinity).",
    "string_unicode": "Văn bản chứa ký tự không hợp lệ (nửa cặp UTF-16 đứng riêng).",
    "bool_parsing": "Phải là true hoặc false.",
    "bool_type": "Phải là true hoặc false.",
    "string_type": "Phải là một chuỗi ký tự.",
    "list_type": "Phải là một danh sách.",
    "dict_type": "Phải là một đối tượng JSON.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "date_from_datetime_parsing": "Phải là một ngày (YYYY-MM-DD).",
    "date_parsing": "Phải là một ngày (YYYY-MM-DD).",
    "date_type": "Phải là một ngày (YYYY-MM-DD).",
    "datetime_parsing": "Phải là thời điểm ISO 8601 có múi giờ.",
    "datetime_from_date_parsing": "Phải là thời điểm ISO 8601 có múi giờ.",
    "enum": "Giá trị không nằm trong danh sách cho phép: {expected}.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép: {expected}.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "greater_than": "Phải lớn hơn {gt}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "string_too_short": "Phải có ít nhất {min_length} ký tự.",
    "string_too_long": "Chỉ được tối đa {max_length} ký tự.",
    "too_short": "Phải có ít nhất {min_length} mục.",
    "too_long": "Chỉ được tối đa {max_length} mục.",
    "extra_forbidden": "Trường này không được chấp nhận.",
    "json_invalid": "Nội dung không phải JSON hợp lệ.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "not_an_option": "Giá trị “{given}” không có trong các lựa chọn của trang.",  # api/queries.py
}


def validation_text(error: dict, label: str | None, overrides: dict[str, str] | None = None) -> str:
    """One pydantic error (an item of ValidationError.errors()) in Vietnamese, naming the field by `label`
    ("Số tác phẩm mỗi tác giả được dự ở đơn vị: phải lớn hơn hoặc bằng 1."); `overrides` are a form's own
    words for a type (a settings form says "có hoặc không" where the API says true or false). Without a
    label, the message alone (a whole-model refusal has no field)."""
    template = (overrides or {}).get(error.get("type", "")) or VALIDATION_MESSAGES.get(error.get("type", ""))
    if error.get("type") == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        template = "Không được để trống."
    message = error.get("msg") or "Giá trị không hợp lệ."
    if template is not None:
        try:
            message = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            pass
    return named(label, message) if label else message
