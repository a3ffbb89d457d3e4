"""Trigger bodies, with the ScheduleTrigger recurrence checked the way ADF documents it.

The app turns CluedIn's run-schedule grammar (F13) into ADF schedule triggers; a mistake there (an IANA time
zone, weekDays with a daily frequency, hour 24) would only show in Azure. The recurrence rules below come
from the REST description (ScheduleTriggerRecurrence, RecurrenceSchedule) and the schedule-trigger article.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulators.datafactory.errors import bad_request
from emulators.datafactory.validation import Lookup, require_type

FREQUENCIES = ("Minute", "Hour", "Day", "Week", "Month")
WEEK_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MULTI_PIPELINE = {"ScheduleTrigger", "BlobTrigger", "BlobEventsTrigger", "CustomEventsTrigger"}


def parse_time(value: Any, path: str) -> datetime:
    """ISO 8601 date-time as sent by the SDK (`2026-01-01T00:00:00Z` or with fractional seconds)."""
    if not isinstance(value, str):
        raise bad_request(f"'{path}' must be an ISO 8601 date-time string.", path)
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:  # .NET writes 7 fractional digits; Python accepts at most 6
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(f"'{path}' is not an ISO 8601 date-time: {value!r}.", path) from None


def validate_trigger(body: Any, lookup: Lookup) -> dict[str, Any]:
    """Validate a TriggerResource body; returns its `properties` without the read-only runtimeState."""
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise bad_request("'properties' must be a JSON object.", "properties")
    props: dict[str, Any] = {k: v for k, v in body["properties"].items() if k != "runtimeState"}
    trigger_type = require_type(props, "properties", "trigger", "trigger")
    if trigger_type in _MULTI_PIPELINE:
        _validate_pipelines(props.get("pipelines", []), lookup)
    if trigger_type == "ScheduleTrigger":
        type_props = props.get("typeProperties")
        if not isinstance(type_props, dict):
            raise bad_request(
                "'properties.typeProperties' is required for a ScheduleTrigger.", "properties.typeProperties"
            )
        validate_recurrence(type_props.get("recurrence"), "properties.typeProperties.recurrence")
    return props


def _validate_pipelines(pipelines: Any, lookup: Lookup) -> None:
    if not isinstance(pipelines, list):
        raise bad_request("'properties.pipelines' must be a JSON array.", "properties.pipelines")
    for index, item in enumerate(pipelines):
        path = f"properties.pipelines[{index}]"
        ref = item.get("pipelineReference") if isinstance(item, dict) else None
        if not isinstance(ref, dict) or ref.get("type") != "PipelineReference":
            raise bad_request(f"'{path}.pipelineReference' must be a PipelineReference.", f"{path}.pipelineReference")
        name = ref.get("referenceName")
        if not isinstance(name, str) or lookup("pipelines", name) is None:
            message = f"'{path}.pipelineReference' references pipeline {name!r}, which does not exist in this factory."
            raise bad_request(message, f"{path}.pipelineReference.referenceName")
        params = item.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise bad_request(f"'{path}.parameters' must be a JSON object.", f"{path}.parameters")


def validate_recurrence(recurrence: Any, path: str) -> None:
    """Frequency, interval, start/end, time zone and the schedule's value ranges."""
    if not isinstance(recurrence, dict):
        raise bad_request(f"'{path}' is required and must be a JSON object.", path)
    frequency = recurrence.get("frequency")
    if frequency not in FREQUENCIES:
        raise bad_request(
            f"'{path}.frequency' must be one of {', '.join(FREQUENCIES)}; got {frequency!r}.", f"{path}.frequency"
        )
    interval = recurrence.get("interval", 1)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise bad_request(f"'{path}.interval' must be a positive integer.", f"{path}.interval")
    start = parse_time(recurrence.get("startTime"), f"{path}.startTime")
    if recurrence.get("endTime") is not None:
        end = parse_time(recurrence["endTime"], f"{path}.endTime")
        if (end.tzinfo is None) == (start.tzinfo is None) and end <= start:
            raise bad_request(f"'{path}.endTime' must be later than startTime.", f"{path}.endTime")
    zone = recurrence.get("timeZone", "UTC")
    if not isinstance(zone, str) or not zone or "/" in zone:
        example = "'UTC' or 'W. Europe Standard Time'"
        message = f"'{path}.timeZone' must be a Windows time zone id such as {example}; got {zone!r}."
        raise bad_request(message, f"{path}.timeZone")
    schedule = recurrence.get("schedule")
    if schedule is not None:
        _validate_schedule(schedule, frequency, f"{path}.schedule")


def _int_list(schedule: dict[str, Any], key: str, path: str, allowed: range, forbid_zero: bool = False) -> None:
    values = schedule.get(key)
    if values is None:
        return
    if not isinstance(values, list) or not values:
        raise bad_request(f"'{path}.{key}' must be a non-empty JSON array.", f"{path}.{key}")
    for index, value in enumerate(values):
        bad = (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value not in allowed
            or (forbid_zero and value == 0)
        )
        if bad:
            bounds = f"{allowed.start}..{allowed.stop - 1}" + (" except 0" if forbid_zero else "")
            raise bad_request(
                f"'{path}.{key}[{index}]' must be an integer in {bounds}; got {value!r}.", f"{path}.{key}[{index}]"
            )


def _validate_schedule(schedule: Any, frequency: str, path: str) -> None:
    if not isinstance(schedule, dict):
        raise bad_request(f"'{path}' must be a JSON object.", path)
    _int_list(schedule, "minutes", path, range(60))
    _int_list(schedule, "hours", path, range(24))
    _int_list(schedule, "monthDays", path, range(-31, 32), forbid_zero=True)
    week_days = schedule.get("weekDays")
    if week_days is not None:
        if not isinstance(week_days, list) or not week_days or not all(day in WEEK_DAYS for day in week_days):
            raise bad_request(
                f"'{path}.weekDays' must be a non-empty array of {', '.join(WEEK_DAYS)}.", f"{path}.weekDays"
            )
        if frequency != "Week":
            raise bad_request(f"'{path}.weekDays' can only be used with a Week frequency.", f"{path}.weekDays")
    month_keys = [key for key in ("monthDays", "monthlyOccurrences") if schedule.get(key) is not None]
    if month_keys and frequency != "Month":
        raise bad_request(
            f"'{path}.{month_keys[0]}' can only be used with a Month frequency.", f"{path}.{month_keys[0]}"
        )
    for index, occurrence in enumerate(schedule.get("monthlyOccurrences") or []):
        item = f"{path}.monthlyOccurrences[{index}]"
        if not isinstance(occurrence, dict) or occurrence.get("day") not in WEEK_DAYS:
            raise bad_request(f"'{item}.day' must be a week day name.", f"{item}.day")
        number = occurrence.get("occurrence")
        if number is not None and (not isinstance(number, int) or number == 0 or not -5 <= number <= 5):
            raise bad_request(f"'{item}.occurrence' must be an integer in -5..5 except 0.", f"{item}.occurrence")


def trigger_pipelines(props: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(pipeline name, parameters) for each pipeline a trigger starts."""
    result = []
    for item in props.get("pipelines") or []:
        ref = item.get("pipelineReference") or {}
        result.append((str(ref.get("referenceName")), dict(item.get("parameters") or {})))
    return result
