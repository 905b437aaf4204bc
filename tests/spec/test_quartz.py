"""Quartz cron validator (platform_config.quartz): pure Python, no jsii."""

from __future__ import annotations

import pytest

from databricks_spec.quartz import QuartzError, validate_quartz, validate_timezone

GOOD = [
    "0 0 6 * * ?",                 # daily 06:00
    "0 30 7 ? * MON-FRI",          # weekdays
    "0 0/15 * * * ?",              # every 15 minutes
    "*/10 * * * * ?",              # every 10 seconds
    "0 0 12 L * ?",                # last day of month
    "0 0 12 L-3 * ?",              # third-to-last day
    "0 0 12 LW * ?",               # last weekday of month
    "0 0 12 15W * ?",              # weekday nearest the 15th
    "0 0 12 ? * 6L",               # last Friday
    "0 0 12 ? * FRIL",             # last Friday by name
    "0 0 12 ? * 2#1",              # first Monday
    "0 0 12 ? * MON#3",            # third Monday by name
    "0 0 22-2 * * ?",              # wrapping range
    "0 0 8 1,15 JAN-MAR ?",        # lists and month names
    "0 0 8 ? JUL-AUG SAT,SUN",     # names containing L / W are names, not specials
    "0 15 10 ? * * 2030",          # with year
    "0 15 10 ? * * 2025-2030",
    "0 0 0 ? * L",                 # day-of-week L = Saturday
    "  0  0  6  *  *  ?  ",        # extra spaces are fine
    "0 0 6 * * ? ",
    "0 0 6 * jan ?",               # case-insensitive
    "0 0 8-18/2 ? * MON-FRI",      # range with a step
    "0 0 12 1-15/3 * ?",           # day-of-month range with a step
    "0 0 6 ? * MON-FRI/2",         # named range with a step
    "0 0 6 ? * */2",
    "0 0 6 ? * FRI-MON",           # wrapping named range
    "0 0 0 1 1 ? 2025/2",          # year with a step (no upper bound on year steps)
    "0 0 0 1 1 ? 2025,2027",
    "0 0 6 1W * ?",
    "0 0 6 L-30 * ?",
    "0 0 6 ? * WED",               # W inside a day name is not the W special
]

BAD = [
    ("", "empty cron expression"),
    ("0 6 * * *", "this looks like Unix cron"),
    ("0 0 6 * * ? 2030 1", "expected 6 or 7 fields"),
    ("60 0 6 * * ?", "seconds field: 60 is out of range 0-59"),
    ("0 60 6 * * ?", "minutes field: 60 is out of range"),
    ("0 0 24 * * ?", "hours field: 24 is out of range 0-23"),
    ("0 0 6 32 * ?", "day-of-month field: 32 is out of range 1-31"),
    ("0 0 6 0 * ?", "day-of-month field: 0 is out of range"),
    ("0 0 6 ? 13 MON", "month field: 13 is out of range 1-12"),
    ("0 0 6 ? * 8", "day-of-week field: 8 is out of range 1-7"),
    ("0 0 6 ? * FOO", "day-of-week field: 'FOO' is not a valid value"),
    ("0 0 6 * * *", "exactly one of day-of-month and day-of-week must be '?'"),
    ("0 0 6 ? * ?", "exactly one of day-of-month and day-of-week must be '?'"),
    ("0 0 6 1 * MON", "exactly one of day-of-month and day-of-week must be '?'"),
    ("? 0 6 * * ?", "seconds field: '?' is only valid in day-of-month and day-of-week"),
    ("0 0/0 6 * * ?", "increment in '0/0' must be a positive number"),
    ("0 0/61 6 * * ?", "increment 61"),
    ("0 0 6 L-31 * ?", "offset in 'L-31' must be 1-30"),
    ("0 0 6 32W * ?", "out of range"),
    ("0 0 6 L,1 * ?", "day-of-month field: 'L,1' is not valid"),
    ("0 0 6 ? * 2#6", "week number after '#' must be 1-5"),
    ("0 0 6 ? * 1-3#2", "day-of-week field: '1-3#2' is not valid"),
    ("0 0 L * * ?", "hours field: 'L': L is only valid in day-of-month and day-of-week"),
    ("0 0 6 * * ? 1969", "year field: 1969 is out of range 1970-2099"),
    ("0 0 6 1,,2 * ?", "empty element"),
    ("0 0 6 /5 * ?", "missing a value before '/'"),
    ("0 0 6 * * ?x", "'?' must stand alone"),
    ("0 0 6 * * MON", "exactly one of day-of-month and day-of-week must be '?'"),
    ("0 0 6 L * 6L", "exactly one of day-of-month and day-of-week must be '?'"),
    ("0 0 6 15W * 2#1", "exactly one of day-of-month and day-of-week must be '?'"),
    ("0 0 6 * * ? ?", "year field: '?' is only valid in day-of-month and day-of-week"),
    ("0 0 6 * * ? 2100", "year field: 2100 is out of range 1970-2099"),
    ("0 0 6 * * ? 2030-", "year field: range '2030-' needs a start and an end"),
    ("0 0 6 ? * -5", "range '-5' needs a start and an end"),
    ("0 0 6 ? * SUN-FOO", "day-of-week field: 'FOO' is not a valid value (allowed: 1-7 or SUN-SAT)"),
    ("0 0 6 ? * 7/8", "increment 8 in '7/8' is larger than the field's range 1-7"),
    ("0 0 6 ? JAN-DEC/13 MON", "month field: increment 13"),
    ("0 0 25/2 * * ?", "hours field: 25 is out of range 0-23"),
    ("0 0 6 LW,1 * ?", "day-of-month field: 'LW,1' is not valid"),
    ("0 0 6 1-5W * ?", "day-of-month field: '1-5W' is not valid"),
    ("0 0 6 ? * 1,6L", "day-of-week field: '1,6L' is not valid"),
    ("0 0 6 ? * 2#0", "week number after '#' must be 1-5"),
    ("0 0 6 ? * MONW", "day-of-week field: 'MONW': W is only valid in day-of-month"),
    ("0 0 6 1#2 * ?", "day-of-month field: '1#2': # is only valid in day-of-week"),
    ("0 0 6 * 2L ?", "month field: '2L': L is only valid in day-of-month and day-of-week"),
]


@pytest.mark.parametrize("expression", GOOD)
def test_valid_expressions(expression):
    assert validate_quartz(expression) == " ".join(expression.upper().split())


@pytest.mark.parametrize("expression,message", BAD)
def test_invalid_expressions(expression, message):
    with pytest.raises(QuartzError) as err:
        validate_quartz(expression)
    assert message in str(err.value)


def test_errors_suggest_quartz_examples():
    with pytest.raises(QuartzError, match=r"e\.g\. '0 0 6 \* \* \?'"):
        validate_quartz("0 6 * * *")


@pytest.mark.parametrize("tz", ["UTC", "GMT", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_valid_timezones(tz):
    assert validate_timezone(tz) == tz


@pytest.mark.parametrize("tz", ["Berlin", "CEST", "Europe/Atlantis", "utc+2"])
def test_invalid_timezones(tz):
    with pytest.raises(ValueError, match="unknown time zone"):
        validate_timezone(tz)
