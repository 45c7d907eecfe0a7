"""Vietnam time, the award's one time zone: deadlines fall at the end of a day there, and documents and
pages show times there. The current time is not read here: domain code takes `now` from its caller,
and the application's clock is api.clock (which AWARD_NOW pins)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59, 999999)


def end_of_day(day: date, tz: ZoneInfo = VN_TZ) -> datetime:
    """The last instant of `day` in `tz` (Vietnam unless told): a deadline "by 23:59 that day" includes it."""
    return datetime.combine(day, END_OF_DAY, tz)
