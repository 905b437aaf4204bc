"""A tiny Databricks REST stand-in on 127.0.0.1 (stdlib only) for the import lookups.

It answers the few read endpoints databricks-sdk calls to find objects by name, from a dict of
objects, records every request (method, path, query) and answers 404 the way Databricks does
for anything else. The HTTP plumbing is tests/loopback_http.py; nothing leaves the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loopback_http import Incoming, LoopbackJsonServer


@dataclass
class Workspace:
    catalogs: set[str] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)
    volumes: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    endpoints: set[str] = field(default_factory=set)
    experiments: dict[str, str] = field(default_factory=dict)
    """name -> experiment id"""
    jobs: list[tuple[int, str]] = field(default_factory=list)
    warehouses: dict[str, str] = field(default_factory=dict)
    """name -> id"""
    policies: dict[str, str] = field(default_factory=dict)
    """name -> policy id"""
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    authorization: list[str] = field(default_factory=list)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        uc = "/api/2.1/unity-catalog/"
        if path.startswith(uc):
            kind, _, name = path[len(uc):].partition("/")
            known = {"catalogs": self.catalogs, "schemas": self.schemas, "volumes": self.volumes,
                     "models": self.models}.get(kind, set())
            if name in known:
                return 200, {"name": name.rsplit(".", 1)[-1], "full_name": name}
        elif path.startswith("/api/2.0/serving-endpoints/"):
            name = path.rsplit("/", 1)[1]
            if name in self.endpoints:
                return 200, {"name": name, "id": "e-" + name}
        elif path == "/api/2.0/mlflow/experiments/get-by-name":
            name = query.get("experiment_name", [""])[0]
            if name in self.experiments:
                return 200, {"experiment": {"experiment_id": self.experiments[name], "name": name}}
        elif path == "/api/2.2/jobs/list":
            name = query.get("name", [""])[0]
            jobs = [{"job_id": i, "settings": {"name": n}} for i, n in self.jobs if n.lower() == name.lower()]
            return 200, {"jobs": jobs} if jobs else {}
        elif path == "/api/2.0/sql/warehouses":
            return 200, {"warehouses": [{"id": i, "name": n} for n, i in self.warehouses.items()]}
        elif path == "/api/2.0/policies/clusters/list":
            return 200, {"policies": [{"policy_id": i, "name": n} for n, i in self.policies.items()]}
        return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"{path} does not exist"}


class FakeWorkspaceServer:
    """``workspace`` served on 127.0.0.1 (tests/loopback_http.py); GET only, as the lookups are."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._server = LoopbackJsonServer(self._handle)

    def _handle(self, request: Incoming) -> tuple[int, Any]:
        if request.method != "GET":
            return 501, {"error_code": "NOT_IMPLEMENTED", "message": f"{request.method} is not faked"}
        self.workspace.requests.append(("GET", request.path, request.query))
        if request.path.startswith("/api/"):
            self.workspace.authorization.append(request.headers.get("Authorization", ""))
        return self.workspace.answer(request.path, request.query)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> "FakeWorkspaceServer":
        self._server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.stop()
