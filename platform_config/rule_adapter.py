"""The one adapter between provider rules and the config layer.

The same concept as ``mlops_constructs.rule_adapter`` (the constructs' side), seen from the
config layer.

Provider rules live in ``databricks_spec.rules`` as pure functions returning findings whose
key paths are relative to the values they were given. The config layer reaches them only
through this module, which puts each finding where it belongs so the loader can name file,
line and key:

* ``raise_findings`` inside a model validator: one ValidationError with every finding at its
  key path below the model being validated (pydantic prefixes the model's own location);
* ``locate`` after validation, for findings whose key starts at the file's root (the rules
  that need the environment: ``platform_config.environment_rules``);
* ``checked_by`` for a field type checked by one rule (a name rule of ``databricks_spec.names``,
  e.g. ``UcName`` or a secret scope name): its first finding is the field's error.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from pydantic import AfterValidator, ValidationError
from pydantic_core import PydanticCustomError

from databricks_spec.rules import Finding
from platform_config.errors import Problem, key_path
from platform_config.yaml_source import SourceMap


def raise_findings(findings: Iterable[Finding], *prefix: object) -> None:
    """Raise every finding (keys below ``prefix``, relative to the validated model); none: return."""
    details = [{"type": PydanticCustomError("mlops_rule", "{message}", {"message": str(f)}),
                "loc": tuple(prefix) + tuple(f.key), "input": None} for f in findings]
    if details:
        raise ValidationError.from_exception_data("config", details)


def locate(findings: Iterable[Finding], smap: SourceMap, display: str) -> list[Problem]:
    """Findings keyed from the file's root, as problems carrying file and line."""
    problems = []
    for f in findings:
        file, line = smap.locate(f.key, display)
        problems.append(Problem(file, line, key_path(f.key), str(f)))
    return problems


def checked_by(rule: Callable[[Any], Iterable[Finding]]) -> AfterValidator:
    """A field validator (for ``Annotated[str, checked_by(rule)]``) that applies ``rule``; its
    first finding (message and doc reference) is the field's error."""
    def check(value: Any) -> Any:
        for finding in rule(value):
            raise ValueError(str(finding))
        return value
    return AfterValidator(check)
