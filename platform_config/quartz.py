"""Config-field types for Quartz schedules and time zones (the grammar is databricks_spec.quartz)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from databricks_spec.quartz import QUARTZ_SHAPE, TIMEZONE_SHAPE, validate_quartz, validate_timezone

__all__ = ["QuartzCron", "TimeZoneId"]


def _quartz_field(expression: str) -> str:
    if len(expression) <= _CACHED_LONGEST:  # schedules repeat across projects and environments
        return _cached_quartz(expression)
    return _checked_quartz(expression)


def _checked_quartz(expression: str) -> str:
    try:
        return validate_quartz(expression)
    except ValueError as exc:
        raise ValueError(f"invalid Quartz cron expression {expression!r}: {exc}") from None


#: Valid expressions checked before (a refusal is not kept: lru_cache keeps no exception).
_cached_quartz = lru_cache(maxsize=1024)(_checked_quartz)
_CACHED_LONGEST = 200


#: A config field holding a Quartz cron expression, validated at load (its JSON Schema: the shape only).
QuartzCron = Annotated[str, AfterValidator(_quartz_field), WithJsonSchema({"type": "string", "pattern": QUARTZ_SHAPE})]

#: A config field holding a Java time-zone id, validated at load.
TimeZoneId = Annotated[str, AfterValidator(validate_timezone), WithJsonSchema({"type": "string", "pattern": TIMEZONE_SHAPE})]
