"""CluedIn's "Data Factory Run Schedule Value" grammar (F13) → an ADF schedule-trigger recurrence.

Grammar (CluedIn docs, "Data Factory Pipeline Run Schedule"): `<Frequency>:<Key>=<Value>[&<Key>=<Value>…]`
with Frequency one of Minutely, Hourly, Daily, Weekly, Monthly and keys Interval, WeekDays (1=Mon … 7=Sun),
MonthDays (1-31, -1 = end of month), Hours (0-23), Minutes (0-59), StartDateTime / EndDateTime
(`MM-dd-yyyy` or `MM-dd-yyyyTHH:mm`) and TimeZone (IANA or Windows id). Azure interval ranges: Minutely
1-720000, Hourly 1-12000, Daily 1-500, Weekly 1-71, Monthly 1-16. Each frequency allows only its own keys.

Parsing is strict and every error names the offending part, e.g. `Hours=[24]` → "Hours: 24 is out of range
0-23 (at 'Hours=[24]')". Keys and the frequency are matched without regard to case. A single integer is
accepted where a list is expected (`Hours=7` = `Hours=[7]`).

Defaults depend on the moment a schedule is applied (Interval 1; current weekday / day of month / hour / minute;
start now; end at the end of the start's day for Minutely/Hourly, month for Daily/Weekly, year for Monthly;
the server's zone, UTC in Azure Functions). `parse_run_schedule` is therefore separate from
`resolve_recurrence(schedule, now)`: the setting text is what the planner compares between cycles, the
resolved recurrence is computed once when the trigger is written, so the defaults do not drift every minute.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sync.features.pipeline_schedules.timezones import UTC as UTC_ZONE
from sync.features.pipeline_schedules.timezones import TimeZoneChoice, resolve_time_zone
from sync.features.pipeline_schedules.trigger_body import Recurrence


class Frequency(StrEnum):
    """The five frequencies of the grammar."""

    MINUTELY = "Minutely"
    HOURLY = "Hourly"
    DAILY = "Daily"
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"


ADF_FREQUENCY = {
    Frequency.MINUTELY: "Minute",
    Frequency.HOURLY: "Hour",
    Frequency.DAILY: "Day",
    Frequency.WEEKLY: "Week",
    Frequency.MONTHLY: "Month",
}
MAX_INTERVAL = {
    Frequency.MINUTELY: 720_000,
    Frequency.HOURLY: 12_000,
    Frequency.DAILY: 500,
    Frequency.WEEKLY: 71,
    Frequency.MONTHLY: 16,
}
KEYS = ("Interval", "WeekDays", "MonthDays", "Hours", "Minutes", "StartDateTime", "EndDateTime", "TimeZone")
_COMMON = ("Interval", "StartDateTime", "EndDateTime", "TimeZone")
ALLOWED_KEYS: dict[Frequency, tuple[str, ...]] = {
    Frequency.MINUTELY: _COMMON,
    Frequency.HOURLY: _COMMON,
    Frequency.DAILY: (*_COMMON, "Hours", "Minutes"),
    Frequency.WEEKLY: (*_COMMON, "WeekDays", "Hours", "Minutes"),
    Frequency.MONTHLY: (*_COMMON, "MonthDays", "Hours", "Minutes"),
}
WEEK_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_INTEGER = re.compile(r"^-?\d{1,9}$")
_DATE_TIME = re.compile(r"^(\d{2})-(\d{2})-(\d{4})(?:T(\d{2}):(\d{2}))?$")


class ScheduleError(ValueError):
    """A schedule string that does not follow the grammar; `part` is the offending piece of the text."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(f"{message} (at '{part}')")
        self.part = part


@dataclass(frozen=True)
class BoundTime:
    """A StartDateTime/EndDateTime value; `has_time` is False for a bare date."""

    value: datetime
    has_time: bool


@dataclass(frozen=True)
class RunSchedule:
    """A parsed schedule; None means "not given, use the default when applied"."""

    frequency: Frequency
    interval: int | None = None
    week_days: tuple[int, ...] | None = None
    month_days: tuple[int, ...] | None = None
    hours: tuple[int, ...] | None = None
    minutes: tuple[int, ...] | None = None
    start: BoundTime | None = None
    end: BoundTime | None = None
    time_zone: TimeZoneChoice | None = None


def _frequency(text: str, part: str) -> Frequency:
    for frequency in Frequency:
        if frequency.value.lower() == text.strip().lower():
            return frequency
    allowed = ", ".join(f.value for f in Frequency)
    raise ScheduleError(f"the frequency must be one of {allowed}; got {text.strip()!r}", part)


def _integer(text: str, key: str, part: str) -> int:
    if not _INTEGER.match(text.strip()):
        raise ScheduleError(f"{key}: {text.strip()!r} is not an integer", part)
    return int(text.strip())


def _in_range(value: int, low: int, high: int, key: str, part: str, *, extra: tuple[int, ...] = ()) -> int:
    if not (low <= value <= high or value in extra):
        allowed = f"{low}..{high}" + "".join(f" or {e}" for e in extra)
        raise ScheduleError(f"{key}: {value} is out of range {allowed}", part)
    return value


def _integer_list(text: str, key: str, part: str) -> list[int]:
    body = text.strip()
    if body.startswith("[") != body.endswith("]"):
        raise ScheduleError(f"{key}: a list must be enclosed in brackets, like [0,12]", part)
    if body.startswith("["):
        body = body[1:-1]
    items = body.split(",")
    if not body.strip() or any(not item.strip() for item in items):
        raise ScheduleError(f"{key}: the list is empty or has an empty element", part)
    return [_integer(item, key, part) for item in items]


def _bounded_list(
    text: str, key: str, part: str, bounds: tuple[int, int], extra: tuple[int, ...] = ()
) -> tuple[int, ...]:
    low, high = bounds
    values = [_in_range(v, low, high, key, part, extra=extra) for v in _integer_list(text, key, part)]
    return tuple(sorted(set(values)))


def _date_time(text: str, part: str, *, key: str) -> BoundTime:
    match = _DATE_TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"{key}: {text.strip()!r} is not MM-dd-yyyy or MM-dd-yyyyTHH:mm", part)
    month, day, year, hour, minute = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError as exc:
        raise ScheduleError(f"{key}: {text.strip()!r} is not a valid date/time ({exc})", part) from None
    return BoundTime(value, hour is not None)


def _key(text: str, frequency: Frequency, part: str) -> str:
    for key in KEYS:
        if key.lower() == text.strip().lower():
            if key not in ALLOWED_KEYS[frequency]:
                allowed = ", ".join(ALLOWED_KEYS[frequency])
                raise ScheduleError(f"{key} cannot be used with {frequency.value}; allowed keys: {allowed}", part)
            return key
    raise ScheduleError(f"unknown key {text.strip()!r}; keys are {', '.join(KEYS)}", part)


def parse_run_schedule(text: str) -> RunSchedule:
    """Parse a schedule string, raising ScheduleError naming the offending part."""
    source = text.strip()
    if not source:
        raise ScheduleError("the schedule is empty; expected <Frequency>:<Key>=<Value>[&…]", text)
    head, colon, tail = source.partition(":")
    frequency = _frequency(head, head if colon else source)
    raw_values: dict[str, tuple[str, str]] = {}
    for raw in tail.split("&") if tail.strip() else []:
        part = raw.strip()
        name, equals, value = part.partition("=")
        if not equals or not name.strip():
            raise ScheduleError("each parameter must look like Key=Value", part or "&")
        key = _key(name, frequency, part)
        if key in raw_values:
            raise ScheduleError(f"{key} is given twice", part)
        if not value.strip():
            raise ScheduleError(f"{key} has no value", part)
        raw_values[key] = (value, part)

    def lists(key: str, low: int, high: int, extra: tuple[int, ...] = ()) -> tuple[int, ...] | None:
        if key not in raw_values:
            return None
        value, part = raw_values[key]
        return _bounded_list(value, key, part, (low, high), extra)

    def bound(key: str) -> BoundTime | None:
        return _date_time(*raw_values[key], key=key) if key in raw_values else None

    interval = None
    if "Interval" in raw_values:
        value, part = raw_values["Interval"]
        interval = _in_range(_integer(value, "Interval", part), 1, MAX_INTERVAL[frequency], "Interval", part)
    zone = None
    if "TimeZone" in raw_values:
        value, part = raw_values["TimeZone"]
        zone = resolve_time_zone(value)
        if zone is None:
            raise ScheduleError(f"TimeZone: {value.strip()!r} is not a known IANA or Windows time zone id", part)
    start, end = bound("StartDateTime"), bound("EndDateTime")
    if start is not None and end is not None and _end_moment(end) < start.value:
        raise ScheduleError("EndDateTime is before StartDateTime", raw_values["EndDateTime"][1])
    return RunSchedule(
        frequency=frequency,
        interval=interval,
        week_days=lists("WeekDays", 1, 7),
        month_days=lists("MonthDays", 1, 31, (-1,)),
        hours=lists("Hours", 0, 23),
        minutes=lists("Minutes", 0, 59),
        start=start,
        end=end,
        time_zone=zone,
    )


def _end_moment(bound: BoundTime) -> datetime:
    """A bare end date means the end of that day."""
    return bound.value if bound.has_time else bound.value.replace(hour=23, minute=59, second=59)


def _period_end(frequency: Frequency, start: datetime) -> datetime:
    if frequency in (Frequency.MINUTELY, Frequency.HOURLY):
        last = start
    elif frequency in (Frequency.DAILY, Frequency.WEEKLY):
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    else:
        last = start.replace(month=12, day=31)
    return last.replace(hour=23, minute=59, second=59, microsecond=0)


def resolve_recurrence(schedule: RunSchedule, now: datetime, *, default_zone: TimeZoneChoice = UTC_ZONE) -> Recurrence:
    """Fill every default as of `now` (an aware datetime) and return the recurrence ADF receives.

    Raises:
        ScheduleError: the resulting window is empty (EndDateTime before the start).
    """
    zone = schedule.time_zone or default_zone
    local_now = now.astimezone(zone.zone()).replace(tzinfo=None, second=0, microsecond=0)
    start = schedule.start.value if schedule.start else local_now
    end = _end_moment(schedule.end) if schedule.end else _period_end(schedule.frequency, start)
    if end <= start:
        raise ScheduleError(
            f"EndDateTime {end:%m-%d-%Y %H:%M} is not after the start {start:%m-%d-%Y %H:%M}", "EndDateTime"
        )
    timed = schedule.frequency in (Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY)
    week_days: tuple[str, ...] = ()
    if schedule.frequency == Frequency.WEEKLY:
        numbers = schedule.week_days or (local_now.isoweekday(),)
        week_days = tuple(WEEK_DAY_NAMES[n - 1] for n in numbers)
    month_days: tuple[int, ...] = ()
    if schedule.frequency == Frequency.MONTHLY:
        month_days = schedule.month_days or (local_now.day,)
    return Recurrence(
        frequency=ADF_FREQUENCY[schedule.frequency],
        interval=schedule.interval or 1,
        start=start,
        end=end,
        time_zone=zone.windows_id,
        hours=(schedule.hours or (local_now.hour,)) if timed else (),
        minutes=(schedule.minutes or (local_now.minute,)) if timed else (),
        week_days=week_days,
        month_days=month_days,
    )


def validate_run_schedule(text: str, now: datetime | None = None) -> Recurrence:
    """Parse and resolve in one step (used to check a setting or request value before anything is written)."""
    return resolve_recurrence(parse_run_schedule(text), now or datetime.now(UTC))


def run_times(recurrence: Recurrence) -> list[str]:
    """`HH:mm` run times of a timed recurrence (hours x minutes), for notifications."""
    return [f"{h:02d}:{m:02d}" for h in recurrence.hours for m in recurrence.minutes]


def describe_recurrence(recurrence: Recurrence) -> str:
    """The details CluedIn's "Pipeline Schedule Created" notification lists."""
    every = f"every {recurrence.interval} {recurrence.frequency.lower()}(s)"
    parts = [f"Frequency: {every}"]
    if recurrence.week_days:
        parts.append(f"Days: {', '.join(recurrence.week_days)}")
    if recurrence.month_days:
        parts.append(f"Days of month: {', '.join('last' if d == -1 else str(d) for d in recurrence.month_days)}")
    times = run_times(recurrence)
    if times:
        parts.append(f"Run Time(s): {', '.join(times)}")
    parts.append(f"Start Date: {recurrence.start:%m-%d-%Y %H:%M}")
    if recurrence.end is not None:
        parts.append(f"End Date: {recurrence.end:%m-%d-%Y %H:%M}")
    parts.append(f"Time Zone: {recurrence.time_zone}")
    return "; ".join(parts)
