"""The pages' query values that have a closed set of meanings (a status, a role, a method, a filter): one
named validator, so a value outside the set (?status=bogus, edited or cut short by hand) is refused like any
other bad query value and the page shows its defaults saying which field was ignored (api/errors.py
`without_bad_query`), rather than silently showing something else. An empty value always means "all"."""

from collections.abc import Callable, Iterable
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

NOT_AN_OPTION = "not_an_option"  # its Vietnamese message is award/errors.py VALIDATION_MESSAGES[NOT_AN_OPTION]


def _refusal(value: str) -> PydanticCustomError:
    return PydanticCustomError(NOT_AN_OPTION, "not one of the page's options: {given}", {"given": value[:40]})


def one_of(allowed: Iterable[str] | Callable[[], Iterable[str]]) -> AfterValidator:
    """A query value that must be "" (all) or one of `allowed` (or of what `allowed()` returns)."""

    def check(value: str) -> str:
        options = allowed() if callable(allowed) else allowed
        if value and value not in options:
            raise _refusal(value)
        return value

    return AfterValidator(check)


def _id_or_blank(value: str) -> str:
    if value and not (value.isdigit() and len(value) < 10):
        raise _refusal(value)
    return value


def Choice(allowed: Iterable[str] | Callable[[], Iterable[str]], max_length: int = 32):  # noqa: N802 - a type
    """`Annotated[str, …]` for a query parameter with a closed set of values."""
    return Annotated[str, Query(max_length=max_length), one_of(allowed)]


# a stored assignment plan's id (judging.models.AssignmentPlan: 32 hex digits), in a link after "propose"
PlanId = Annotated[str, Query(max_length=32, pattern=r"^[0-9a-f]*$")]

# an id chosen in a select whose "all" is the empty value (?unit_id=, ?round_id=)
IdOrBlank = Annotated[str, Query(max_length=12), AfterValidator(_id_or_blank)]

# the id of an object of the audit log (?entity_id=): a number (a work, a round, an account…) or an assignment
# plan's 32 hex digits (judging.models.AssignmentPlan); "abc" names nothing and is refused, not searched for
ObjectId = Annotated[str, Query(max_length=64, pattern=r"^\s*([0-9]{1,18}|[0-9a-f]{32})?\s*$")]

# ids ticked in a list of checkboxes (?unit_ids=3&unit_ids=7)
IdList = Annotated[list[Annotated[str, AfterValidator(_id_or_blank)]], Query(max_length=200)]


def refuse_query(name: str, value: str) -> None:
    """For a set known only once the page has loaded its object (a round's own subpanels): the same refusal
    as the validator's, raised from the handler."""
    raise RequestValidationError([{"type": NOT_AN_OPTION, "loc": ("query", name), "msg": "not an option",
                                   "input": value, "ctx": {"given": value[:40]}}])
