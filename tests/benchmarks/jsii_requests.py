"""Count jsii kernel round trips: every request the Python runtime sends to the node process.

``count_requests()`` wraps ``jsii._kernel.providers.process._NodeProcess.send`` (the one
place every request passes) and classifies each request by kind and target, e.g.
``create constructs.Construct``, ``get cdktf.TerraformStack.node``, ``sinvoke
cdktf.Token.isUnresolved``, and by the innermost frame of this project's code that
caused it (``stacks/jobs.py:add_jobs``), so a benchmark can say where round trips come from.
"""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
_OWN_PACKAGES = ("mlops_constructs", "stacks", "mlops_engine", "mlops_tools", "platform_config", "resolution",
                 "databricks_spec")


@dataclass
class RequestCounts:
    """Round trips seen while counting: ``by_target`` (kind + fqn/member) and ``by_source``
    (``our code -> target``)."""

    total: int = 0
    by_target: Counter = field(default_factory=Counter)
    by_source: Counter = field(default_factory=Counter)

    def as_dict(self, top: int = 25) -> dict[str, Any]:
        return {"total": self.total, "by_target": dict(self.by_target.most_common(top)),
                "by_source": dict(self.by_source.most_common(top))}


def _fqn(ref: Any) -> str:
    """``cdktf.TerraformStack`` from an object reference ``cdktf.TerraformStack@10002``."""
    text = getattr(ref, "ref", None) or (ref.get("$jsii.byref") if isinstance(ref, dict) else None) or "?"
    return str(text).rsplit("@", 1)[0]


def classify(request: Any) -> str:
    """``kind target`` of one kernel request."""
    kind = type(request).__name__.removesuffix("Request")
    if kind == "Create":
        return f"create {request.fqn}"
    if kind in ("Get", "Set"):
        return f"{kind.lower()} {_fqn(request.objref)}.{request.property}"
    if kind in ("StaticGet", "StaticSet"):
        return f"{'sget' if kind == 'StaticGet' else 'sset'} {request.fqn}.{request.property}"
    if kind == "Invoke":
        return f"invoke {_fqn(request.objref)}.{request.method}"
    if kind == "StaticInvoke":
        return f"sinvoke {request.fqn}.{request.method}"
    return kind.lower().lstrip("_")


def _source() -> str:
    """``package/module.py:function`` of the innermost frame in this project's code, or ``other``."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(str(ROOT)):
            relative = path[len(str(ROOT)) + 1:]
            if relative.split("/", 1)[0] in _OWN_PACKAGES:
                return f"{relative}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "other"


@contextmanager
def count_requests(*, sources: bool = True) -> Iterator[RequestCounts]:
    """Count every jsii kernel request sent inside the ``with`` block."""
    from jsii._kernel.providers import process

    counts = RequestCounts()
    original = process._NodeProcess.send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        target = classify(request)
        counts.total += 1
        counts.by_target[target] += 1
        if sources:
            counts.by_source[f"{_source()} -> {target}"] += 1
        return original(self, request, response_type)

    process._NodeProcess.send = send  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        process._NodeProcess.send = original  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    """``jsii_requests.py ours CONFIG OUTDIR`` or ``jsii_requests.py peer PEER_DIR OUTDIR``:
    synthesize once while counting; print the counts as JSON."""
    import json

    which, source, outdir = argv
    sys.path[:0] = [str(ROOT)]
    if which == "ours":
        with count_requests() as counts:
            from mlops_tools.synth import synth

            synth(Path(source), Path(outdir))
    else:
        sys.path.insert(0, source)
        with count_requests() as counts:  # imports inside: both sides count their assembly loads
            import peer_app  # type: ignore[import-not-found]

            peer_app.main(outdir)
    print(json.dumps(counts.as_dict(top=40)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
