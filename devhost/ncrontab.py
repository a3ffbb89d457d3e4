"""Timer schedules as the Functions host reads them: 6-field NCRONTAB, or a TimeSpan interval.

The host parses schedules with NCrontab (`IncludingSeconds = true`): `{second} {minute} {hour} {day} {month}
{day-of-week}`. croniter does the date arithmetic here, with the seconds field first and day-of-month AND
day-of-week both required (NCrontab's rule, where classic cron would accept either). Expressions the host
would reject — 5 fields, Quartz extras such as `L`, `W`, `#`, `?` — are rejected here too, so a schedule
that works locally works in Azure.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from devhost.hostconfig import HostConfigError, parse_timespan

_FIELD = re.compile(r"^[0-9A-Za-z*/,\-]+$")
_NAMES_ALLOWED = {4, 5}  # month and day-of-week accept JAN..DEC / SUN..SAT
_NUMBERS = re.compile(r"\d+")
_FIELD_LIMITS = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_FIELD_NAMES = ("second", "minute", "hour", "day", "month", "day-of-week")


class ScheduleError(ValueError):
    """A schedule the host would refuse at start-up."""


class Schedule(Protocol):
    """When a timer fires next."""

    @property
    def text(self) -> str:
        """The schedule as written (after `%NAME%` resolution)."""
        ...

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (same time zone as `moment`)."""
        ...


@dataclass(frozen=True)
class CronSchedule:
    """A 6-field NCRONTAB expression."""

    text: str

    def next_after(self, moment: datetime) -> datetime:
        """The next matching second after `moment`."""
        result: datetime = croniter(self.text, moment, second_at_beginning=True, day_or=False).get_next(datetime)
        return result


@dataclass(frozen=True)
class IntervalSchedule:
    """A TimeSpan schedule (`hh:mm:ss`): fires every interval after the previous run started.

    Azure accepts these only on App Service plans; kept because the local host cannot tell the plan.
    """

    text: str
    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        """`moment` plus the interval."""
        return moment + self.interval


def parse_schedule(text: str) -> Schedule:
    """Parse a resolved schedule (no `%NAME%` left) the way the host's TimerSchedule.Create does."""
    expression = " ".join(text.split())
    fields = expression.split(" ")
    if len(fields) == 6:
        _validate_cron_fields(expression, fields)
        return CronSchedule(expression)
    if len(fields) == 1 and ":" in expression:
        try:
            interval = parse_timespan(expression, what="schedule")
        except HostConfigError as error:
            raise _not_recognized(text) from error
        if interval <= timedelta(0):
            raise ScheduleError(f"The schedule interval '{text}' must be greater than zero.")
        return IntervalSchedule(expression, interval)
    raise _not_recognized(text)


def _validate_cron_fields(expression: str, fields: list[str]) -> None:
    for index, value in enumerate(fields):
        if not _FIELD.match(value):
            raise _not_recognized(expression, f"{_FIELD_NAMES[index]} field {value!r} has characters NCRONTAB rejects")
        if index not in _NAMES_ALLOWED and re.search(r"[A-Za-z]", value):
            raise _not_recognized(expression, f"{_FIELD_NAMES[index]} field {value!r} may not use names")
        low, high = _FIELD_LIMITS[index]
        for number in _NUMBERS.findall(value.split("/")[0]):
            if not low <= int(number) <= high:
                raise _not_recognized(expression, f"{_FIELD_NAMES[index]} value {number} is outside {low}-{high}")
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC), second_at_beginning=True, day_or=False)
    except (ValueError, KeyError) as error:
        raise _not_recognized(expression, str(error)) from error


def _not_recognized(text: str, detail: str = "") -> ScheduleError:
    suffix = f" ({detail})" if detail else ""
    return ScheduleError(
        f"The schedule expression '{text}' was not recognized as a valid cron expression or timespan string.{suffix}"
    )


def schedule_time_zone() -> tzinfo:
    """UTC, as in Azure, unless WEBSITE_TIME_ZONE names an IANA zone (Linux plans accept those)."""
    name = os.environ.get("WEBSITE_TIME_ZONE", "").strip()
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(f"WEBSITE_TIME_ZONE={name!r} is not an IANA time zone name") from error


def next_occurrences(schedule: Schedule, start: datetime, count: int = 5) -> list[datetime]:
    """The next `count` occurrences after `start` (the host logs five at start-up)."""
    occurrences: list[datetime] = []
    moment = start
    for _ in range(count):
        moment = schedule.next_after(moment)
        occurrences.append(moment)
    return occurrences
