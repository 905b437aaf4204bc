"""Quartz cron validator (platform_config.quartz): pure Python, no jsii."""

from __future__ import annotations

import pytest

from platform_config.quartz import QuartzError, validate_quartz, validate_timezone

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
    ("0 0 L * * ?", "hours field: 'L': L, W and # are only valid"),
    ("0 0 6 * * ? 1969", "year field: 1969 is out of range 1970-2099"),
    ("0 0 6 1,,2 * ?", "empty element"),
    ("0 0 6 /5 * ?", "missing a value before '/'"),
    ("0 0 6 * * ?x", "'?' must stand alone"),
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
