"""A tiny Databricks REST stand-in on 127.0.0.1 (stdlib only) for the import lookups.

It answers the few read endpoints databricks-sdk calls to find objects by name, from a dict of
objects, records every request (method, path, query) and answers 404 the way Databricks does
for anything else. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


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
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                path, query = unquote(url.path), parse_qs(url.query)
                outer.workspace.requests.append(("GET", path, query))
                if path.startswith("/api/"):
                    outer.workspace.authorization.append(self.headers.get("Authorization", ""))
                status, body = outer.workspace.answer(path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeWorkspaceServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
