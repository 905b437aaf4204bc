"""A loopback fake of the few Jobs API 2.2 calls ``mlops run`` makes through databricks-sdk
(the shapes of databricks/sdk/service/jobs.py: ``GET /api/2.2/jobs/list?name=``,
``POST /api/2.2/jobs/run-now``, ``GET /api/2.2/jobs/runs/get?run_id=``), plus the
unauthenticated host-metadata probe the SDK's Config makes first
(``GET /.well-known/databricks-config``, databricks/sdk/oauth.py).

Pure stdlib (the HTTP plumbing: tests/loopback_http.py), bound to 127.0.0.1 on an ephemeral port. Every
request is recorded; a request without ``Authorization: Bearer <token>`` gets the 401 a
workspace answers; an unknown path gets a 404 (and is recorded, so a test sees any call the
SDK makes that the fake does not know).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loopback_http import Incoming, LoopbackJsonServer

#: (life-cycle state, result state or None, state message) per get_run call; the last repeats.
Script = list[tuple[str, str | None, str]]

WORKSPACE_ID = "1234567890"
HOST_METADATA = "/.well-known/databricks-config"

SUCCESS: Script = [("PENDING", None, "Waiting for cluster"), ("RUNNING", None, "In run"),
                   ("TERMINATED", "SUCCESS", "")]
FAILED: Script = [("RUNNING", None, ""), ("TERMINATED", "FAILED", "Task training failed with message: boom")]
CANCELED: Script = [("RUNNING", None, ""), ("TERMINATED", "CANCELED", "Run cancelled by a user")]
FOREVER: Script = [("RUNNING", None, "In run")]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None
    authorization: str
    workspace_id: str
    """The X-Databricks-Workspace-Id header ('' when absent)."""


@dataclass
class JobsApiFake:
    token: str
    jobs: dict[str, int] = field(default_factory=dict)
    """Job name -> id (two entries may share a name with different case or the same name)."""
    scripts: dict[int, Script] = field(default_factory=dict)
    """Job id -> the states its runs go through (default SUCCESS)."""
    requests: list[Request] = field(default_factory=list)
    runs: dict[int, tuple[int, int]] = field(default_factory=dict)
    """run id -> (job id, get_run calls so far)."""
    extra_jobs: list[tuple[int, str]] = field(default_factory=list)
    """(id, name) listed in addition to ``jobs`` (duplicate names)."""
    _server: LoopbackJsonServer | None = None

    @property
    def host(self) -> str:
        assert self._server is not None
        return self._server.url

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> "JobsApiFake":
        self._server = LoopbackJsonServer(self._handle).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def _handle(self, request: Incoming) -> tuple[int, dict]:
        auth = request.headers.get("Authorization", "")
        self.requests.append(Request(request.method, request.path, request.query, request.body, auth,
                                     request.headers.get("X-Databricks-Workspace-Id", "")))
        if request.method == "GET" and request.path == HOST_METADATA:  # public, no token
            return 200, {"oidc_endpoint": f"{self.host}/oidc", "cloud": "azure", "workspace_id": WORKSPACE_ID}
        if auth != f"Bearer {self.token}":
            return 401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."}
        return self.answer(request.method, request.path, request.query, request.body)

    # ----------------------------------------------------------------- the API

    def answer(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        if method == "GET" and path == "/api/2.2/jobs/list":
            wanted = query.get("name", [None])[0]
            listed = [(i, n) for n, i in self.jobs.items()] + self.extra_jobs
            jobs = [{"job_id": i, "creator_user_name": "deployer@example.com",
                     "settings": {"name": n, "max_concurrent_runs": 1}}
                    for i, n in listed if wanted is None or n.lower() == wanted.lower()]
            return 200, ({"jobs": jobs, "has_more": False} if jobs else {"has_more": False})
        if method == "POST" and path == "/api/2.2/jobs/run-now":
            job_id = int((body or {}).get("job_id", 0))
            if job_id not in self.jobs.values() and job_id not in {i for i, _ in self.extra_jobs}:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Job {job_id} does not exist."}
            run_id = 1000 + len(self.runs) + 1
            self.runs[run_id] = (job_id, 0)
            return 200, {"run_id": run_id, "number_in_job": run_id}
        if method == "GET" and path == "/api/2.2/jobs/runs/get":
            run_id = int(query.get("run_id", ["0"])[0])
            if run_id not in self.runs:
                return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Run {run_id} does not exist."}
            job_id, calls = self.runs[run_id]
            script = self.scripts.get(job_id, SUCCESS)
            life, result, message = script[min(calls, len(script) - 1)]
            self.runs[run_id] = (job_id, calls + 1)
            state = {"life_cycle_state": life, "state_message": message, "user_cancelled_or_timedout": False}
            if result:
                state["result_state"] = result
            return 200, {"job_id": job_id, "run_id": run_id, "number_in_job": run_id, "state": state,
                         "run_page_url": f"{self.host}/?o={WORKSPACE_ID}#job/{job_id}/run/{run_id}",
                         "run_name": "fake"}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"}
