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
