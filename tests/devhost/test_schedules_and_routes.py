"""NCRONTAB schedules and route templates, checked without a host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devhost.ncrontab import CronSchedule, IntervalSchedule, ScheduleError, parse_schedule
from devhost.routes import RouteError, RouteTemplate
from devhost.timer_monitor import monitor_default

START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 */5 * * * *", datetime(2026, 1, 1, 12, 5, 0, tzinfo=UTC)),  # seconds come first
        ("*/10 * * * * *", datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)),
        ("0 30 9 * * 1-5", datetime(2026, 1, 2, 9, 30, 0, tzinfo=UTC)),  # next weekday 09:30
        ("0 0 0 * * SUN", datetime(2026, 1, 4, 0, 0, 0, tzinfo=UTC)),
        ("0 0 0 1 JAN *", datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC)),
        # Day-of-month AND day-of-week (NCrontab), not OR as in classic cron: the first Friday the 13th.
        ("0 0 0 13 * 5", datetime(2026, 2, 13, 0, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_occurrence(expression, expected):
    schedule = parse_schedule(expression)
    assert isinstance(schedule, CronSchedule)
    assert schedule.next_after(START) == expected


def test_timespan_schedule_is_an_interval():
    schedule = parse_schedule("00:05:00")
    assert isinstance(schedule, IntervalSchedule)
    assert schedule.next_after(START) == START + timedelta(minutes=5)


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",
        "0 0 0 L * *",
        "0 0 0 ? * *",
        "0 0 0 * * 5#2",
        "61 * * * * *",
        "0 0 0 * * 7",
        "x y z a b c",
        "",
        "0 0 MON * * *",
    ],
)
def test_expressions_the_host_rejects(expression):
    with pytest.raises(ScheduleError, match="was not recognized"):
        parse_schedule(expression)


def test_use_monitor_default_depends_on_the_interval():
    assert monitor_default(parse_schedule("0 */5 * * * *"), None) is True
    assert monitor_default(parse_schedule("*/10 * * * * *"), None) is False
    assert monitor_default(parse_schedule("*/10 * * * * *"), True) is True


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("items/{id}", "/items/7", {"id": "7"}),
        ("items/{id}", "/Items/7/", {"id": "7"}),
        ("items/{id}", "/items", None),
        ("items/{id:int}", "/items/-3", {"id": "-3"}),
        ("items/{id:int}", "/items/3.5", None),
        ("items/{id:long}", "/items/99999999999", {"id": "99999999999"}),
        ("flags/{on:bool}", "/flags/TRUE", {"on": "TRUE"}),
        ("names/{n:alpha:minlength(2)}", "/names/ab", {"n": "ab"}),
        ("names/{n:alpha:minlength(2)}", "/names/a", None),
        ("names/{n:length(2,3)}", "/names/abcd", None),
        ("n/{v:range(1,5)}", "/n/5", {"v": "5"}),
        ("n/{v:min(10)}", "/n/9", None),
        ("g/{id:guid}", "/g/not-a-guid", None),
        ("r/{code:regex(^[a-z]{{2}}\\d$)}", "/r/ab1", {"code": "ab1"}),
        ("d/{v:double}", "/d/1.5e3", {"v": "1.5e3"}),
        ("opt/{a?}", "/opt", {}),
        ("opt/{a?}", "/opt/x", {"a": "x"}),
        ("def/{a=dflt}", "/def", {"a": "dflt"}),
        ("files/{*path}", "/files/a/b/c.txt", {"path": "a/b/c.txt"}),
        ("files/{name}.{ext}", "/files/report.final.pdf", {"name": "report.final", "ext": "pdf"}),
    ],
)
def test_route_matching(template, path, expected):
    assert RouteTemplate.compile(template).match(path) == expected


@pytest.mark.parametrize(
    "template", ["a/{x?}/b", "a/{*rest}/b", "a/{x}/{x}", "a/{1x}", "a/{x:unknown}", "a//b", "a/{x", "a/{x:min(a)}"]
)
def test_invalid_route_templates(template):
    with pytest.raises(RouteError):
        RouteTemplate.compile(template)


def test_more_specific_templates_rank_first():
    ranks = {
        t: RouteTemplate.compile(t).rank for t in ["items/special", "items/{id:int}", "items/{id}", "items/{*rest}"]
    }
    assert sorted(ranks, key=lambda t: ranks[t]) == ["items/special", "items/{id:int}", "items/{id}", "items/{*rest}"]
