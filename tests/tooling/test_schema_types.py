"""The JSON Schema patterns of field types that validate in code never refuse what the code
accepts: every Quartz expression ``validate_quartz`` accepts matches ``QUARTZ_SHAPE`` (in Python's
``re`` and in JavaScript, as editors run it), every known time zone matches ``TIMEZONE_SHAPE``."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import zoneinfo

import pytest

from databricks_spec.quartz import QUARTZ_SHAPE, TIMEZONE_SHAPE, QuartzError, validate_quartz
from platform_config import ProjectConfig

TIME = ["*", "0", "5", "30", "59", "*/15", "0/10", "10-20/5", "1,3,5", "0-59"]
HOURS = ["*", "0", "6", "23", "*/2", "8-18", "22-2", "9,12,17"]
DOM = ["?", "*", "1", "15", "31", "1-15", "*/5", "L", "LW", "15W", "L-3", "1,15"]
MONTH = ["*", "1", "12", "JAN", "jan-mar", "1-6/2", "FEB", "APR,JUN"]
DOW = ["?", "*", "MON", "mon-fri", "SUN,SAT", "1-7", "6L", "2#1", "L", "1"]
YEAR = ["2027", "2027-2030", "*", "2030/2"]
BAD = ["?x", "", "5/0", "a", "1-", "FOO", "99", "L", "#", "W", "?"]


def random_expressions(count: int, seed: int = 17) -> list[str]:
    """Mostly well-formed expressions (each field from its own pool), with a bad token, a missing or
    an extra field now and then: a sample both of what validate_quartz accepts and of what it refuses."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        fields = [rng.choice(pool) for pool in (TIME, TIME, HOURS, DOM, MONTH, DOW)]
        if rng.random() < 0.4:
            fields.append(rng.choice(YEAR))
        if rng.random() < 0.2:
            fields[rng.randrange(len(fields))] = rng.choice(BAD)
        if rng.random() < 0.1:
            del fields[rng.randrange(len(fields))]
        out.append(rng.choice((" ", "  ", "\t")).join(fields))
    return out


def accepted(expressions: list[str]) -> list[str]:
    good = []
    for expression in expressions:
        try:
            validate_quartz(expression)
        except QuartzError:
            continue
        good.append(expression)
    return good


SHIPPED = ["0 0 6 * * ?", "0 0 7 ? * MON", "0 0 3 * * ?", "0 0 4 ? * MON", "0 30 7 * * ?", "0 */15 * * * ?",
           "0 30 7 ? * MON-FRI", "0 0 12 LW * ?", "0 0 12 ? JAN-MAR 2#1 2027", " 0 0 6 * * ? "]
EXPRESSIONS = SHIPPED + random_expressions(20_000)
ACCEPTED = accepted(EXPRESSIONS)


def test_the_sample_holds_many_accepted_and_refused_expressions() -> None:
    assert len(ACCEPTED) > 500 and len(EXPRESSIONS) - len(ACCEPTED) > 5_000
    assert set(SHIPPED) <= set(ACCEPTED)


def test_every_accepted_expression_matches_the_shape() -> None:
    shape = re.compile(QUARTZ_SHAPE)
    assert [e for e in ACCEPTED if not shape.search(e)] == []


def test_the_shape_refuses_unix_cron_and_the_question_mark_rule() -> None:
    shape = re.compile(QUARTZ_SHAPE)
    for expression in ("0 6 * * *", "0 0 6 * * *", "0 0 6 ? * ?", "0 0 6 * * ? 2027 1", "0 0 ? 6 * *", ""):
        assert not shape.search(expression), expression


def test_javascript_reads_the_patterns_the_same_way() -> None:
    """yaml-language-server evaluates `pattern` as an ECMA-262 RegExp with the u flag."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not on PATH")
    sample = ACCEPTED[:2000] + ["0 6 * * *", "0 0 6 * * *", "0 0 6 ? * ?"]
    zones = sorted(zoneinfo.available_timezones()) + ["UTC", "GMT"]
    script = ("const [q, z, s, zs] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "const Q = new RegExp(q, 'u'), Z = new RegExp(z, 'u');"
              "process.stdout.write(JSON.stringify([s.map(x => Q.test(x)), zs.map(x => Z.test(x))]));")
    run = subprocess.run([node, "-e", script], input=json.dumps([QUARTZ_SHAPE, TIMEZONE_SHAPE, sample, zones]),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    quartz, zone = json.loads(run.stdout)
    assert quartz == [True] * (len(sample) - 3) + [False] * 3
    assert all(zone)


def test_every_known_time_zone_matches_the_shape() -> None:
    shape = re.compile(TIMEZONE_SHAPE)
    zones = zoneinfo.available_timezones() | {"UTC", "GMT"}
    assert len(zones) > 300  # tzdata is installed (tzdata wheel or the system's)
    assert sorted(z for z in zones if not shape.search(z)) == []
    assert not shape.search("Mars Base/One") and not shape.search("Europe/")


def _props_with(schema: dict, predicate) -> list:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if predicate(node):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    return found


def test_the_model_schema_carries_the_field_type_schemas() -> None:
    schema = ProjectConfig.model_json_schema()
    assert _props_with(schema, lambda n: n.get("pattern") == QUARTZ_SHAPE)  # QuartzCron
    assert _props_with(schema, lambda n: n.get("pattern") == TIMEZONE_SHAPE)  # TimeZoneId
    # task parameters: YAML scalars are passed as strings (true -> "true")
    assert _props_with(schema, lambda n: [b.get("type") for b in n.get("anyOf", [])] ==
                       ["string", "integer", "number", "boolean"])
    # an expectation: its SQL expression alone, or the full mapping
    assert _props_with(schema, lambda n: n.get("anyOf", [{}])[0] == {"type": "string"}
                       and n["anyOf"][1:] == [{"$ref": "#/$defs/ExpectationConfig"}])


def _patterns(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        if isinstance(node.get("patternProperties"), dict):
            found.update(node["patternProperties"])
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples"):
                found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


def test_every_pattern_of_the_schemas_is_a_javascript_regexp() -> None:
    """Editors compile each `pattern` as `new RegExp(p, 'u')`: Python-only syntax would break them."""
    from support import ROOT

    node = shutil.which("node")
    if node is None:
        pytest.skip("node not on PATH")
    patterns = set()
    for name in ("environment.schema.json", "project.schema.json"):
        patterns |= _patterns(json.loads((ROOT / "schemas" / name).read_text()))
    assert len(patterns) >= 10
    script = ("const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); const bad = [];"
              "for (const p of ps) { try { new RegExp(p, 'u'); } catch (e) { bad.push(p + ': ' + e.message); } }"
              "process.stdout.write(JSON.stringify(bad));")
    run = subprocess.run([node, "-e", script], input=json.dumps(sorted(patterns)), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
