"""The machine-readable stack index synth writes next to manifest.json: ``cdktf.out/stacks.json``.

Everything that needs to know which stacks exist reads this file instead of guessing from
stack names: the ``stacks`` command, the review, and the CI workflows
(``jq -r '.deploy_order[]' cdktf.out/stacks.json``, or
``jq -r '.stacks | to_entries[] | select(.value.environment=="prod") | .key'``).

Format (``"format": 1``; new keys may be added, existing ones keep their meaning)::

    {
      "format": 1,
      "deploy_order": ["dev", "prod", "staging"],        # every stack, dependencies first
      "stacks": {
        "dev": {
          "environment": "dev",                          # the config/environments/<name>.yaml
          "layout": "per-environment",                   # or per-project, or dev-user
          "dependencies": [],                            # stacks that deploy before this one
          "projects": ["churn"],                         # ML projects whose units it holds
          "holds_platform": true,                        # holds the environment's shared pieces
          "directory": "stacks/dev"                      # relative to the outdir (holds cdk.tf.json)
          # "dev_user": "alice"                          # only in a developer's dev target (--dev-user)
        }
      }
    }

Keys are sorted and the file ends in a newline, so it is byte-identical across synths.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from stacks.layout import StackSpec, deploy_order

INDEX_FILE = "stacks.json"
FORMAT = 1


def index_for(specs: Iterable[StackSpec]) -> dict[str, Any]:
    """The index document for a list of stack specs (stacks/layout.py ``plan_stacks``)."""
    specs = list(specs)
    stacks = {
        s.name: {
            "environment": s.env,
            "layout": s.layout,
            "dependencies": list(s.depends_on),
            "projects": list(s.projects),
            "holds_platform": s.holds_platform,
            "directory": f"stacks/{s.name}",
            **({"dev_user": s.dev_user} if s.dev_user else {}),
        }
        for s in specs
    }
    return {"format": FORMAT, "deploy_order": deploy_order({s.name: s.depends_on for s in specs}),
            "stacks": stacks}


def render(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=2, sort_keys=True) + "\n"


def write_index(outdir: Path, specs: Iterable[StackSpec]) -> Path:
    path = Path(outdir) / INDEX_FILE
    path.write_text(render(index_for(specs)))
    return path


def read_index(outdir: Path) -> dict[str, Any] | None:
    """The index of a synthesized outdir, or None when the outdir has none (an older synth).

    Raises ValueError when the file exists but is not a stack index this version reads.
    """
    path = Path(outdir) / INDEX_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("stacks"), dict):
        raise ValueError(f"{path} is not a format-{FORMAT} stack index (re-run synth)")
    return data
