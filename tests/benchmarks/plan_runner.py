"""``plan_runner.py OUTDIR [PREFIX]``: plan every synthesized stack of OUTDIR (names starting with
PREFIX) offline with the harness, as `mlops plan` does; print {"stacks", "ok", "seconds"} as JSON.

Run as its own process by the plan benchmark, so its process tree (this interpreter, the one
provider server, the terraform processes) is measured alone."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from mlops_tools.offline.harness import verify_stacks

    outdir, prefix = Path(argv[0]), (argv[1] if len(argv) > 1 else "")
    stacks = sorted(p for p in (outdir / "stacks").iterdir() if p.name.startswith(prefix))
    start = time.monotonic()
    results = verify_stacks(stacks, plan_json=False)  # what `mlops plan` reads: verdict, text, counts
    seconds = time.monotonic() - start
    failed = [r.stack_dir.name + ":\n" + r.failure_text() for r in results if not r.ok]
    print(json.dumps({"stacks": len(stacks), "ok": not failed, "seconds": seconds, "failed": failed[:3]}))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
