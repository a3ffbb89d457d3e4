"""F13 run-schedule grammar: every documented key, range, default and limit; errors point at the part."""

from datetime import UTC, datetime

import pytest

from sync.features.pipeline_schedules.grammar import (
    Frequency,
    ScheduleError,
    describe_recurrence,
    parse_run_schedule,
    resolve_recurrence,
    run_times,
)

NOW = datetime(2025, 10, 8, 14, 37, 12, tzinfo=UTC)  # a Wednesday


def resolve(text, now=NOW):
    return resolve_recurrence(parse_run_schedule(text), now)


# --- the documented examples ---------------------------------------------------------------------------------


def test_minutely_every_15_minutes_until_end_of_day():
    r = resolve("Minutely:Interval=15")
    assert (r.frequency, r.interval, r.time_zone) == ("Minute", 15, "UTC")
    assert r.start == datetime(2025, 10, 8, 14, 37)
    assert r.end == datetime(2025, 10, 8, 23, 59, 59)
    assert (r.hours, r.minutes, r.week_days, r.month_days) == ((), (), (), ())


def test_hourly_every_2_hours():
    r = resolve("Hourly:Interval=2")
    assert (r.frequency, r.interval) == ("Hour", 2)
    assert r.end == datetime(2025, 10, 8, 23, 59, 59)


def test_daily_cartesian_run_times_until_end_of_month():
    r = resolve("Daily:Interval=1&Hours=[0,12,18]&Minutes=[0,30]")
    assert r.frequency == "Day"
    assert run_times(r) == ["00:00", "00:30", "12:00", "12:30", "18:00", "18:30"]
    assert r.end == datetime(2025, 10, 31, 23, 59, 59)


def test_weekly_days_map_1_monday_to_7_sunday():
    r = resolve("Weekly:Interval=1&WeekDays=[1,3,5]&Hours=[8,16]&Minutes=[0,45]")
    assert r.frequency == "Week"
    assert r.week_days == ("Monday", "Wednesday", "Friday")
    assert run_times(r) == ["08:00", "08:45", "16:00", "16:45"]
    assert resolve("Weekly:WeekDays=[6,7]&Minutes=[0]").week_days == ("Saturday", "Sunday")


def test_monthly_with_end_of_month_until_end_of_year():
    r = resolve("Monthly:Interval=1&MonthDays=[1,15,-1]&Hours=[9,21]&Minutes=[15,45]")
    assert r.frequency == "Month"
    assert sorted(r.month_days) == [-1, 1, 15]
    assert r.end == datetime(2025, 12, 31, 23, 59, 59)


def test_start_and_time_zone_given():
    r = resolve("Daily:Interval=1&Hours=[6,18]&Minutes=[0]&StartDateTime=10-01-2025T06:00&TimeZone=Asia/Manila")
    assert r.start == datetime(2025, 10, 1, 6, 0)
    assert r.end == datetime(2025, 10, 31, 23, 59, 59)
    assert r.time_zone == "Singapore Standard Time"  # CLDR's Windows zone for Asia/Manila


def test_end_date_only_means_end_of_that_day():
    r = resolve("Weekly:Interval=2&WeekDays=[2]&Hours=[9]&Minutes=[30]&EndDateTime=12-31-2025")
    assert r.end == datetime(2025, 12, 31, 23, 59, 59)
    assert r.week_days == ("Tuesday",)


def test_start_date_only_means_midnight_and_end_follows_the_start():
    r = resolve("Hourly:Interval=4&StartDateTime=10-10-2025")
    assert r.start == datetime(2025, 10, 10, 0, 0)
    assert r.end == datetime(2025, 10, 10, 23, 59, 59)


def test_hourly_between_two_dates_in_utc():
    r = resolve("Hourly:Interval=4&StartDateTime=10-08-2025T00:00&EndDateTime=10-15-2025T23:59&TimeZone=UTC")
    assert (r.start, r.end) == (datetime(2025, 10, 8, 0, 0), datetime(2025, 10, 15, 23, 59))


# --- defaults --------------------------------------------------------------------------------------------------


def test_interval_defaults_to_1():
    assert resolve("Daily:Hours=[7]&Minutes=[30]").interval == 1


def test_hours_and_minutes_default_to_now_in_the_schedule_zone():
    assert run_times(resolve("Daily:Interval=1")) == ["14:37"]
    assert run_times(resolve("Daily:Hours=[7]")) == ["07:37"]
    assert run_times(resolve("Daily:Minutes=[5]")) == ["14:05"]
    # 14:37 UTC is 16:37 in Berlin (CEST)
    assert run_times(resolve("Daily:TimeZone=Europe/Berlin")) == ["16:37"]


def test_week_day_and_month_day_default_to_today():
    assert resolve("Weekly:Hours=[1]").week_days == ("Wednesday",)
    assert resolve("Monthly:Hours=[1]").month_days == (8,)


def test_time_zone_defaults_to_utc_and_the_start_to_now():
    r = resolve("Daily:Hours=[1]")
    assert r.time_zone == "UTC"
    assert r.start == datetime(2025, 10, 8, 14, 37)


@pytest.mark.parametrize(
    ("frequency", "end"),
    [
        ("Minutely", datetime(2025, 2, 28, 23, 59, 59)),
        ("Hourly", datetime(2025, 2, 28, 23, 59, 59)),
        ("Daily", datetime(2025, 2, 28, 23, 59, 59)),
        ("Weekly", datetime(2025, 2, 28, 23, 59, 59)),
        ("Monthly", datetime(2025, 12, 31, 23, 59, 59)),
    ],
)
def test_default_end_is_end_of_day_month_or_year(frequency, end):
    assert resolve(f"{frequency}:Interval=1", datetime(2025, 2, 28, 10, 0, tzinfo=UTC)).end == end


def test_a_frequency_alone_takes_every_default():
    assert resolve("Daily").frequency == "Day"
    assert resolve("daily:").frequency == "Day"


def test_resolution_takes_its_defaults_from_the_given_moment_only():
    r = resolve("Weekly:Interval=3")
    assert (r.frequency, r.interval, r.start, r.week_days) == ("Week", 3, datetime(2025, 10, 8, 14, 37), ("Wednesday",))
    later = resolve("Weekly:Interval=3", datetime(2025, 10, 10, 9, 5, 59, tzinfo=UTC))
    assert (later.start, later.week_days) == (datetime(2025, 10, 10, 9, 5), ("Friday",))


# --- every limit -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "maximum"),
    [("Minutely", 720000), ("Hourly", 12000), ("Daily", 500), ("Weekly", 71), ("Monthly", 16)],
)
def test_interval_limits_per_frequency(frequency, maximum):
    assert parse_run_schedule(f"{frequency}:Interval=1").interval == 1
    assert parse_run_schedule(f"{frequency}:Interval={maximum}").interval == maximum
    for bad in (0, -1, maximum + 1):
        with pytest.raises(ScheduleError) as caught:
            parse_run_schedule(f"{frequency}:Interval={bad}")
        assert caught.value.part == f"Interval={bad}"
        assert f"1..{maximum}" in str(caught.value)


@pytest.mark.parametrize(
    ("key", "frequency", "low", "high", "bad"),
    [
        ("Hours", "Daily", 0, 23, [-1, 24]),
        ("Minutes", "Daily", 0, 59, [-1, 60]),
        ("WeekDays", "Weekly", 1, 7, [0, 8, -1]),
        ("MonthDays", "Monthly", 1, 31, [0, 32, -2]),
    ],
)
def test_list_value_ranges(key, frequency, low, high, bad):
    parsed = parse_run_schedule(f"{frequency}:{key}=[{low},{high}]")
    assert getattr(parsed, {"Hours": "hours", "Minutes": "minutes", "WeekDays": "week_days"}.get(key, "month_days"))
    for value in bad:
        with pytest.raises(ScheduleError) as caught:
            parse_run_schedule(f"{frequency}:{key}=[{low},{value}]")
        assert caught.value.part == f"{key}=[{low},{value}]"
        assert "out of range" in str(caught.value)


def test_month_days_accept_minus_one_for_end_of_month():
    assert parse_run_schedule("Monthly:MonthDays=[-1]").month_days == (-1,)


@pytest.mark.parametrize(
    ("frequency", "allowed", "refused"),
    [
        ("Minutely", {"Interval", "StartDateTime", "EndDateTime", "TimeZone"}, {"Hours", "Minutes", "WeekDays"}),
        ("Hourly", {"Interval", "StartDateTime", "EndDateTime", "TimeZone"}, {"Hours", "Minutes", "MonthDays"}),
        ("Daily", {"Hours", "Minutes"}, {"WeekDays", "MonthDays"}),
        ("Weekly", {"WeekDays", "Hours", "Minutes"}, {"MonthDays"}),
        ("Monthly", {"MonthDays", "Hours", "Minutes"}, {"WeekDays"}),
    ],
)
def test_each_frequency_allows_only_its_keys(frequency, allowed, refused):
    values = {
        "Interval": "1",
        "StartDateTime": "10-01-2025",
        "EndDateTime": "10-02-2026",
        "TimeZone": "UTC",
        "Hours": "[1]",
        "Minutes": "[1]",
        "WeekDays": "[1]",
        "MonthDays": "[1]",
    }
    for key in allowed:
        parse_run_schedule(f"{frequency}:{key}={values[key]}")
    for key in refused:
        with pytest.raises(ScheduleError, match=f"{key} cannot be used with {frequency}") as caught:
            parse_run_schedule(f"{frequency}:Interval=1&{key}={values[key]}")
        assert caught.value.part == f"{key}={values[key]}"


# --- syntax errors name the offending part ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part", "message"),
    [
        ("", "", "empty"),
        ("Yearly:Interval=1", "Yearly", "frequency must be one of"),
        ("Every 5 minutes", "Every 5 minutes", "frequency must be one of"),
        ("Daily:Interval", "Interval", "Key=Value"),
        ("Daily:Interval=1&", "&", "Key=Value"),
        ("Daily:=3", "=3", "Key=Value"),
        ("Daily:Interval=", "Interval=", "no value"),
        ("Daily:Interval=1&Interval=2", "Interval=2", "given twice"),
        ("Daily:Foo=1", "Foo=1", "unknown key 'Foo'"),
        ("Daily:Interval=1.5", "Interval=1.5", "not an integer"),
        ("Daily:Interval=abc", "Interval=abc", "not an integer"),
        ("Daily:Hours=[1,2", "Hours=[1,2", "brackets"),
        ("Daily:Hours=1,2]", "Hours=1,2]", "brackets"),
        ("Daily:Hours=[]", "Hours=[]", "empty"),
        ("Daily:Hours=[1,,2]", "Hours=[1,,2]", "empty element"),
        ("Daily:Hours=[a]", "Hours=[a]", "not an integer"),
        ("Daily:StartDateTime=2025-10-01", "StartDateTime=2025-10-01", "MM-dd-yyyy"),
        ("Daily:StartDateTime=10-01-2025 06:00", "StartDateTime=10-01-2025 06:00", "MM-dd-yyyy"),
        ("Daily:StartDateTime=02-30-2025", "StartDateTime=02-30-2025", "not a valid date"),
        ("Daily:StartDateTime=10-01-2025T24:00", "StartDateTime=10-01-2025T24:00", "not a valid date"),
        ("Daily:EndDateTime=13-01-2025", "EndDateTime=13-01-2025", "not a valid date"),
        ("Daily:TimeZone=Mars/Olympus", "TimeZone=Mars/Olympus", "time zone"),
        ("Daily:TimeZone=", "TimeZone=", "no value"),
        (
            "Daily:StartDateTime=10-02-2025&EndDateTime=10-01-2025",
            "EndDateTime=10-01-2025",
            "before StartDateTime",
        ),
    ],
)
def test_errors_point_at_the_offending_part(text, part, message):
    with pytest.raises(ScheduleError) as caught:
        parse_run_schedule(text)
    assert caught.value.part == part
    assert message in str(caught.value)
    assert f"(at '{part}')" in str(caught.value)


def test_an_end_before_the_default_start_is_refused_when_applied():
    with pytest.raises(ScheduleError, match="not after the start"):
        resolve("Daily:EndDateTime=01-01-2020")


# --- leniency that is documented --------------------------------------------------------------------------------


def test_keys_and_frequency_ignore_case_and_spaces():
    parsed = parse_run_schedule(" weekly : interval = 2 & weekdays = [ 7 , 1 ] ")
    assert parsed.frequency == Frequency.WEEKLY
    assert (parsed.interval, parsed.week_days) == (2, (1, 7))


def test_a_single_integer_is_a_one_element_list_and_lists_are_sorted_and_deduplicated():
    parsed = parse_run_schedule("Daily:Hours=7&Minutes=[30,0,30]")
    assert (parsed.hours, parsed.minutes) == ((7,), (0, 30))


@pytest.mark.parametrize(
    ("zone", "windows"),
    [
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Pacific Standard Time", "Pacific Standard Time"),
        ("pacific standard time", "Pacific Standard Time"),
        ("America/Los_Angeles", "Pacific Standard Time"),
        ("Europe/Berlin", "W. Europe Standard Time"),
        ("Asia/Manila", "Singapore Standard Time"),
    ],
)
def test_time_zones_become_windows_ids(zone, windows):
    assert resolve(f"Daily:TimeZone={zone}").time_zone == windows


def test_description_lists_what_cluedins_notification_shows():
    text = describe_recurrence(resolve("Daily:Hours=[6]&Minutes=[0,30]&TimeZone=UTC"))
    assert "Frequency: every 1 day(s)" in text
    assert "Run Time(s): 06:00, 06:30" in text
    assert "Start Date: 10-08-2025 14:37" in text
    assert "End Date: 10-31-2025 23:59" in text
    assert "Time Zone: UTC" in text
