"""Quartz cron expressions, as Databricks job schedules use them.

Databricks schedules use Quartz syntax (not Unix cron): six or seven
space-separated fields::

    seconds  minutes  hours  day-of-month  month  day-of-week  [year]
    0        30       6      ?             *      MON-FRI

Rules checked here (those of Quartz's ``CronExpression``):

* ranges: seconds/minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
  JAN-DEC, day-of-week 1-7 or SUN-SAT (1 = Sunday), year 1970-2099;
* each field is ``*``, a value, a range ``a-b``, a list ``a,b,c`` or an
  increment ``a/n``, ``a-b/n`` or ``*/n``;
* ``?`` ("no specific value") is allowed only in day-of-month and
  day-of-week, and exactly one of those two fields must be ``?``;
* ``L``: day-of-month ``L`` (last day), ``L-n`` (n days before the last day),
  ``LW`` (last weekday); day-of-week ``L`` (Saturday) or ``nL`` (last
  weekday n of the month);
* ``W``: day-of-month ``nW`` (weekday nearest day n);
* ``#``: day-of-week ``n#k`` (the k-th weekday n of the month, k 1-5).
  ``L``, ``W`` and ``#`` cannot be combined with lists or ranges.

Pure Python, no jsii: both the config layer (user-facing errors with file and
line) and the constructs (defence in depth) import it.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {name: i + 1 for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
DAYS = {name: i + 1 for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}

EXAMPLE = "'0 0 6 * * ?' (06:00 every day) or '0 30 7 ? * MON-FRI' (07:30 on weekdays)"


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


_FIELDS = (
    _Field("seconds", 0, 59),
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS),
    _Field("day-of-week", 1, 7, DAYS),
    _Field("year", 1970, 2099),
)


class QuartzError(ValueError):
    """An invalid Quartz cron expression; the message says which field and why."""


def _value(token: str, spec: _Field) -> int:
    if spec.names and token in spec.names:
        return spec.names[token]
    if not token.isdigit():
        allowed = f"{spec.low}-{spec.high}"
        if spec.names:
            allowed += f" or {list(spec.names)[0]}-{list(spec.names)[-1]}"
        raise QuartzError(f"{spec.name} field: {token!r} is not a valid value (allowed: {allowed})")
    number = int(token)
    if not spec.low <= number <= spec.high:
        raise QuartzError(f"{spec.name} field: {number} is out of range {spec.low}-{spec.high}")
    return number


def _item(item: str, spec: _Field) -> None:
    """One list element: *, value, range, with an optional /increment."""
    base, slash, step = item.partition("/")
    if slash:
        if not step.isdigit() or int(step) == 0:
            raise QuartzError(f"{spec.name} field: increment in {item!r} must be a positive number")
        if spec.name != "year" and int(step) > spec.high:
            raise QuartzError(f"{spec.name} field: increment {step} in {item!r} is larger than "
                              f"the field's range {spec.low}-{spec.high}")
    if base == "*":
        return
    if not base:
        raise QuartzError(f"{spec.name} field: {item!r} is missing a value before '/'")
    start, dash, end = base.partition("-")
    if dash and not (start and end):
        raise QuartzError(f"{spec.name} field: range {base!r} needs a start and an end")
    _value(start, spec)
    if dash:
        # Quartz accepts ranges that wrap around (e.g. hours 22-2, FRI-MON).
        _value(end, spec)


_DOM_SPECIAL = re.compile(r"^(L(-\d{1,2})?|LW|\d{1,2}W)$")
_DOW_SPECIAL = re.compile(r"^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)?L$|^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#\d+$")


def _special(text: str, spec: _Field) -> bool:
    """Validate L / W / # forms; return True if ``text`` is one."""
    if spec.name == "day-of-month" and any(c in text for c in "LW"):
        if not _DOM_SPECIAL.match(text):
            raise QuartzError(f"day-of-month field: {text!r} is not valid; use L, L-n, LW or nW "
                              "(alone, not in a list or range)")
        if text.startswith("L-") and not 1 <= int(text[2:]) <= 30:
            raise QuartzError(f"day-of-month field: offset in {text!r} must be 1-30")
        if text.endswith("W") and text != "LW":
            _value(text[:-1], spec)
        return True
    if spec.name == "day-of-week" and ("L" in text or "#" in text):
        if not _DOW_SPECIAL.match(text):
            raise QuartzError(f"day-of-week field: {text!r} is not valid; use L, nL or n#k "
                              "(alone, not in a list or range)")
        if "#" in text:
            day, _, nth = text.partition("#")
            _value(day, spec)
            if not 1 <= int(nth) <= 5:
                raise QuartzError(f"day-of-week field: in {text!r} the week number after '#' must be 1-5")
        return True
    bare = re.sub("|".join(spec.names), "", text) if spec.names else text
    for char, where in (("L", "day-of-month and day-of-week"), ("W", "day-of-month"), ("#", "day-of-week")):
        if char in bare:
            raise QuartzError(f"{spec.name} field: {text!r}: {char} is only valid in {where}")
    return False


def validate_quartz(expression: str) -> str:
    """Return the expression normalized (upper case, single spaces) or raise QuartzError."""
    if not isinstance(expression, str) or not expression.strip():
        raise QuartzError(f"empty cron expression; Databricks uses Quartz syntax, e.g. {EXAMPLE}")
    parts = expression.upper().split()
    if len(parts) not in (6, 7):
        hint = " (this looks like Unix cron: Quartz adds a leading seconds field and needs '?' " \
               "in day-of-month or day-of-week)" if len(parts) == 5 else ""
        raise QuartzError(f"expected 6 or 7 fields (seconds minutes hours day-of-month month "
                          f"day-of-week [year]), got {len(parts)}{hint}; e.g. {EXAMPLE}")
    for text, spec in zip(parts, _FIELDS):
        if text == "?":
            if spec.name not in ("day-of-month", "day-of-week"):
                raise QuartzError(f"{spec.name} field: '?' is only valid in day-of-month and day-of-week")
            continue
        if "?" in text:
            raise QuartzError(f"{spec.name} field: '?' must stand alone")
        if _special(text, spec):
            continue
        for item in text.split(","):
            if not item:
                raise QuartzError(f"{spec.name} field: empty element in list {text!r}")
            _item(item, spec)
    dom, dow = parts[3], parts[5]
    if (dom == "?") == (dow == "?"):
        raise QuartzError("exactly one of day-of-month and day-of-week must be '?' "
                          f"(got {dom!r} and {dow!r}); e.g. {EXAMPLE}")
    _check_can_fire(parts)
    return " ".join(parts)


#: Days in each month (February in a leap year; see ``_check_can_fire`` for Feb 29).
_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _expand(text: str, spec: _Field) -> set[int]:
    """The values a (valid) list/range/increment field selects; ranges may wrap around."""
    values: set[int] = set()
    span = spec.high - spec.low + 1
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        step = int(step_text) if slash else 1
        if base == "*":
            start, end = spec.low, spec.high
        else:
            first, dash, last = base.partition("-")
            start = _value(first, spec)
            end = _value(last, spec) if dash else (spec.high if slash else start)
        count = (end - start) % span + 1 if spec.name != "year" else end - start + 1
        for offset in range(0, max(count, 1), step):
            value = start + offset
            values.add(value if spec.name == "year" else (value - spec.low) % span + spec.low)
    return values


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _check_can_fire(parts: list[str]) -> None:
    """Refuse a schedule whose day-of-month never exists in its months (30 February,
    31 April, 29 February in years that are not leap years): Databricks accepts it and the
    job never runs."""
    dom, month = parts[3], parts[4]
    if dom == "?" or dom.startswith("L") or dom == "*" or dom.startswith("*"):
        return
    dom_spec, month_spec, year_spec = _FIELDS[3], _FIELDS[4], _FIELDS[6]
    days = {int(dom[:-1])} if dom.endswith("W") else _expand(dom, dom_spec)
    months = _expand(month, month_spec)
    years = _expand(parts[6], year_spec) if len(parts) == 7 and parts[6] != "*" else None
    leap_possible = years is None or any(_leap(y) for y in years)
    for m in months:
        last = _MONTH_DAYS[m] if (m != 2 or leap_possible) else 28
        if min(days) <= last:
            return
    names = [k for k, v in MONTHS.items() if v in months]
    raise QuartzError(f"day-of-month {dom} never occurs in {', '.join(names)}"
                      + ("" if leap_possible or months != {2} else " of the given (non-leap) years")
                      + ": the schedule would never fire")


#: The shape of a Quartz expression as a JSON Schema ``pattern`` (ECMA-262 and Python ``re``
#: alike), for editors: 6 or 7 fields of the allowed characters, ``?`` alone in exactly one of
#: day-of-month and day-of-week. Every expression ``validate_quartz`` accepts matches it; ranges,
#: names and L/W/# forms are checked only by ``validate_quartz`` (tests/tooling/test_schema_types.py).
QUARTZ_SHAPE = (r"^\s*(?:[0-9A-Za-z*,/#-]+\s+){3}"
                r"(?:\?\s+[0-9A-Za-z*,/#-]+\s+[0-9A-Za-z*,/#-]+|[0-9A-Za-z*,/#-]+\s+[0-9A-Za-z*,/#-]+\s+\?)"
                r"(?:\s+[0-9A-Za-z*,/#-]+)?\s*$")

#: The shape of a time-zone id as a JSON Schema ``pattern`` (UTC, Europe/Berlin, Etc/GMT+5,
#: America/Argentina/Buenos_Aires); which ids exist is ``validate_timezone``'s to say.
TIMEZONE_SHAPE = r"^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*$"


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(timezone: str) -> str:
    """A Java time-zone id (IANA name such as Europe/Berlin, or UTC); raise ValueError otherwise."""
    if timezone in ("UTC", "GMT"):
        return timezone
    zones = _zones()
    if zones and timezone not in zones:
        raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as 'UTC', "
                         "'Europe/Berlin' or 'America/New_York'")
    return timezone
