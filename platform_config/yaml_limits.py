"""The bounds and the accepted scalars of the config YAML loader (``platform_config.yaml_source``).

Both of its builders read these: the event-stream builder (``platform_config.yaml_events``,
the fast path for plain documents) and the composed-node walker (``platform_config.yaml_nodes``,
for documents with anchors, aliases, merge keys, tags or a problem to report). One table of
limits, one set of accepted tags, one way to turn a scalar's text into a value.
"""

from __future__ import annotations

import math
import re
import yaml
from yaml.constructor import SafeConstructor

#: Largest config file accepted, in bytes.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 64
#: Most nodes a document may expand to (aliases counted each time they are used).
MAX_NODES = 100_000
#: Most nodes that alias uses may add (a billion-laughs file hits this within milliseconds).
MAX_ALIAS_NODES = 10_000
#: Most scalar characters a document may expand to (aliases counted each time they are used).
MAX_EXPANDED_CHARS = 8 * 1024 * 1024
#: Integers are stored by the Databricks API in at most 64 bits.
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
#: Most digits an integer may be written with before it is refused unread (64 bits need 20).
MAX_INT_DIGITS = 24
#: Longest text read as a float.
MAX_FLOAT_CHARS = 64

CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (CORE + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, VALUE, MERGE = CORE + "timestamp", CORE + "value", CORE + "merge"
MAP, SEQ = CORE + "map", CORE + "seq"
#: Tags whose scalar is kept as the text it was written as (an implicit timestamp stays a string).
TEXT_TAGS = frozenset({STR, TIMESTAMP, VALUE})

#: Characters YAML forbids in a stream, and that must not reach a value.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")

BOOL_VALUES: dict[str, bool] = SafeConstructor.bool_values
_CONSTRUCTOR = SafeConstructor()


def int_value(text: str) -> int:
    """The integer YAML 1.1 reads from ``text`` (0x, 0o, 0b, sexagesimal, '_'); ValueError if none."""
    return SafeConstructor.construct_yaml_int(_CONSTRUCTOR, yaml.ScalarNode(INT, text))


def float_value(text: str) -> float:
    """The float YAML 1.1 reads from ``text`` (.inf, .nan, sexagesimal, '_'); ValueError if none."""
    return SafeConstructor.construct_yaml_float(_CONSTRUCTOR, yaml.ScalarNode(FLOAT, text))


def too_many_digits(text: str) -> bool:
    """Whether an integer's text is refused unread (converting 4300+ digits raises, and takes time)."""
    return len(text.replace("_", "")) > MAX_INT_DIGITS


def in_int_range(value: int) -> bool:
    """Whether an integer fits the API's 64 bits."""
    return INT_MIN <= value <= INT_MAX


def finite(value: float) -> bool:
    """Whether a float is neither infinite nor NaN."""
    return math.isfinite(value)


class NumberRefused(ValueError):
    """A number the config refuses; the message says why (shown with file, line and key)."""


def number(tag: str, text: str) -> int | float:
    """The int (``tag`` INT) or float (FLOAT) that ``text`` is, within the bounds above:
    at most 64 bits, finite, not read at all when its text is too long. Raises NumberRefused."""
    if tag == INT:
        if too_many_digits(text):
            raise NumberRefused(f"integer out of range (more than 64 bits): {text[:30]}…")
        try:
            value: int | float = int_value(text)
        except ValueError:  # an explicit !!int on other text
            raise NumberRefused(f"{text!r} is not an integer") from None
        if not in_int_range(value):
            raise NumberRefused(f"integer {text} out of range (64-bit: {INT_MIN}..{INT_MAX})")
        return value
    if len(text) > MAX_FLOAT_CHARS:
        raise NumberRefused("number is too long")
    try:
        value = float_value(text)
    except ValueError:  # an explicit !!float on other text
        raise NumberRefused(f"{text!r} is not a number") from None
    if not finite(value):
        raise NumberRefused(f"{text!r} is not a finite number (infinity and NaN are refused)")
    return value
