"""A construct refusal reported with the config location it came from (issue 11 item 4).

The config layer and resolution.checks refuse what they can before anything is built; a
construct that still refuses its props raises databricks_spec.diagnostics.ConstructError
(carrying the construct). The stacks build every unit of a project inside
:func:`configured_at` with the config key the unit comes from (``serving.endpoints.main``,
``jobs.training``, ``schemas.features`` ...), which attaches that key's file:line from the
project's source map (``ProjectTarget.source``), so the CLI prints

    error: config/projects/x.yaml:12 serving.endpoints.main: <message> (<construct path>)

and exits 2 with nothing written.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from databricks_spec.diagnostics import ConstructError
from platform_config.errors import key_path
from resolution import ResolvedEnvironment, ResolvedProject


@contextmanager
def configured_at(owner: ResolvedProject | ResolvedEnvironment, path: tuple) -> Iterator[None]:
    """Build one unit of ``owner`` (a project, or an environment's shared units) configured
    at config key ``path``: a ConstructError raised inside gets that key's file and line
    (the innermost unit's, when nested)."""
    try:
        yield
    except ConstructError as exc:
        source = owner.target.source if isinstance(owner, ResolvedProject) else owner.source
        if source is not None:
            file, line = source.locate(path)
            exc.at(file, line, key_path(path))
        raise
