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
