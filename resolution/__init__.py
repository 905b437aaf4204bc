"""The resolution layer: environment + project -> every Databricks name, table, tag,
principal, protection and grant mode, already decided.

Pure Python between the config layer and the stacks: it imports ``platform_config``
and ``databricks_spec`` only (no jsii, no cdktf, no constructs), so naming is testable
in milliseconds (tests/resolution). The stacks map the frozen values it returns to
construct props and wire Terraform references where a value says one is needed
(``SchemaRef.key``, ``Member.apply_time``, ``PolicyRef``).

* ``names``: every name (schemas, model, experiment, jobs, endpoints, monitors, tables,
  drift tables, cluster policies, service principals, secret scopes);
* ``tags``: the one tag precedence of every taggable unit;
* ``principals``: roles -> members, grants (union) and levels (highest);
* ``environment`` / ``project``: ``resolve_environment`` and ``resolve_project``
  (with ``serving``, ``jobs`` and ``pipelines`` for those units of a project).
"""

from resolution.environment import ResolvedEnvironment, resolve_environment
from resolution.names import SchemaRef
from resolution.principals import Member
from resolution.jobs import PolicyRef
from resolution.project import ResolvedProject, resolve_project

__all__ = ["Member", "PolicyRef", "ResolvedEnvironment", "ResolvedProject", "SchemaRef",
           "resolve_environment", "resolve_project"]
