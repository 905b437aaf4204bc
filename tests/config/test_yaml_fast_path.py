"""Issue 18 item 2: the loader's fast path (platform_config.yaml_events) builds plain documents
straight from libyaml's event stream. It must give exactly what the general composed-node walk
(platform_config.yaml_nodes) gives, and give up (so the walk reports) wherever the walk would
refuse something. Differential: every document below is loaded both ways."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from support import EXAMPLE_CONFIG
from platform_config import ConfigError, yaml_source
from platform_config.yaml_source import load_composed, load_plain

EXAMPLE_FILES = sorted(EXAMPLE_CONFIG.rglob("*.yaml"))


def _view(result):
    data, smap = result
    return (repr(data), list(smap.entries.items()), list(smap.bools.items()), repr(smap.strings), smap.templates)


def _same_both_ways(text: str) -> bool:
    """Whether the fast path took ``text``; where it did, the walk gives the identical result
    without a problem."""
    fast = load_plain(text, "f.yaml")
    if fast is None:
        return False
    try:
        slow = load_composed(text, "f.yaml")
    except ConfigError as exc:  # pragma: no cover (the failure this test exists for)
        pytest.fail(f"fast path accepted what the walk refuses: {exc.problems}\n{text}")
    assert _view(fast) == _view(slow), text
    return True


@pytest.fixture(params=["libyaml", "python"])
def backend(request, monkeypatch) -> str:
    """Both parsers: libyaml's, and PyYAML's pure-Python one (the fallback where libyaml is missing)."""
    if request.param == "python":
        monkeypatch.setattr(yaml_source, "_Loader", yaml.SafeLoader)
    elif not yaml_source._LIBYAML:  # pragma: no cover
        pytest.skip("PyYAML built without libyaml")
    return request.param


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_the_shipped_config_takes_the_fast_path_with_identical_results(path: Path, backend: str) -> None:
    assert _same_both_ways(path.read_text())


PLAIN = [
    "a: 1\nb: -0x1F\nc: 0o17\nd: 017\ne: 1_000\nf: 1:30\ng: 0b101\nh: +7\n",
    "a: 1.5\nb: -.5e3\nc: 1_0.5\nd: 1:30.5\ne: 6.8523015e+5\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: True\nf: false\ng: y\nh: n\n",
    "a: ~\nb: null\nc:\nd: Null\ne: ''\nf: \"\"\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: =\nd: 'yes'\ne: \"1\"\n",
    "'quoted key': 1\n\"dq\": 2\n? explicit\n: 3\n2020-01-01: date key\n",
    "a: ${file(\"/etc/hostname\")}\nb: '%{ if true }'\n",
    "x: ${key}\n'${k}': 1\n",
    "a: |\n  line\n  two\nb: >-\n  folded\n  text\nc: \"esc\\ttab \\u00e9\"\n",
    "a: [1, two, {c: d, e: [f, 'g']}, [], {}]\nb:\n  - x: 1\n    y: [2, 3]\n  - - nested\n    - list\n  -\n",
    "---\na: 1\n...\n",
    "# comment\n\na: 1 # trailing\n\n\nb:\n    c: 2\n",
    "a: 1\r\nb:\r\n  - x\r\n",
    "a: '*not an alias'\nb: \"&nor an anchor\"\nc: 'not !a tag'\nd: 0 */15 * * * ?\n",
    "a: 9223372036854775807\nb: -9223372036854775808\nc: 1e308\n",
    "{a: 1, b: [x, y]}\n",
    "a: " + "x" * 100 + "\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_documents_are_identical_both_ways(text: str, backend: str) -> None:
    assert _same_both_ways(text)


GENERAL = [
    "", "# only a comment\n", "just a scalar\n", "- a list\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: !x y\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n", "a: <<\n", "a: 1\na: 2\n", "1: int key\n", "yes: bool key\n",
    "~: null key\n", "1.5: float key\n", "[a]: seq key\n", "? {a: 1}\n: map key\n",
    "a: 9223372036854775808\n", "a: " + "9" * 30 + "\n", "a: .inf\n", "a: -.Inf\n", "a: .nan\n",
    "a: \"nul\\0byte\"\n", "a: \"esc\\e\"\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a: b: c\n", "a: 'x\n",
    "deep: " + "[" * 70 + "]" * 70 + "\n", "deep: " + "[" * 64 + "]" * 64 + "\n",
]


@pytest.mark.parametrize("text", GENERAL)
def test_what_the_fast_path_does_not_handle_goes_to_the_walk(text: str, backend: str) -> None:
    assert load_plain(text, "f.yaml") is None


def test_the_depth_limit_is_the_walks() -> None:
    assert _same_both_ways("deep: " + "[" * 63 + "]" * 63 + "\n")
    with pytest.raises(ConfigError, match="nesting deeper than 64"):
        load_composed("deep: " + "[" * 64 + "]" * 64 + "\n", "f.yaml")


WORDS = ["a", "b", "name", "yes", "No", "on", "~", "null", "", "1", "-1", "0x1F", "1_000", "1:30", "1.5", ".inf",
         ".NaN", "2020-01-01", "=", "<<", "${x}", "%{ if }", "a b", "é", "\u200b", "'", '"', "#", "- x", "k: v",
         "[a]", "{a}", "&a", "*a", "!t", "|", ">", "@", "`", "%", "9" * 25, "9223372036854775808", "\t", "\\",
         "x" * 70, "True", "FALSE", "Off", "0o7", "0b1", "+1", "1e3", "-.5"]


def _random_data(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.5:
        return rng.choice([rng.choice(WORDS), rng.randint(-10 ** 6, 10 ** 6), rng.random(), True, False, None])
    if roll < 0.75:
        return [_random_data(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(WORDS): _random_data(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _mutate(rng: random.Random, text: str) -> str:
    """A textual edit the dumper would not make: an inserted word or character, a duplicated line."""
    lines = text.splitlines() or [""]
    i = rng.randrange(len(lines))
    roll = rng.random()
    if roll < 0.4:
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice(WORDS + [": ", " ", "\n  "]) + lines[i][pos:]
    elif roll < 0.7:
        lines.insert(i, lines[i])
    else:
        del lines[i]
    return "\n".join(lines) + "\n"


def test_random_documents_are_identical_both_ways() -> None:
    """Seeded random documents (dumped in block and flow style, then some edited as text): the
    fast path takes most of them, and agrees with the walk on each."""
    rng = random.Random(18)
    taken = 0
    for n in range(1500):
        data = {rng.choice(WORDS) + str(i): _random_data(rng) for i in range(rng.randint(1, 6))}
        text = yaml.safe_dump(data, default_flow_style=rng.choice([False, True, None]), allow_unicode=rng.random() < 0.5,
                              sort_keys=False)
        if n % 2:
            text = _mutate(rng, text)
        taken += _same_both_ways(text)
    assert taken > 600, taken
