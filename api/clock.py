"""The one clock every deadline check goes through; AWARD_NOW pins it."""

from datetime import UTC, datetime

from api.settings import get_settings


def now() -> datetime:
    pinned = get_settings().now
    return pinned if pinned is not None else datetime.now(UTC)
