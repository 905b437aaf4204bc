"""ci/post_review.py keeps ONE review comment per merge/pull request: created on the first run,
edited in place afterwards (against a stand-in of each API on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import ROOT

SCRIPT = ROOT / "ci" / "post_review.py"
MARKER = "<!-- mlops-plan-review -->"


class FakeApi:
    """Just enough of the GitLab notes and Azure DevOps PR threads APIs, in memory."""

    def __init__(self) -> None:
        self.comments: dict[int, str] = {7: "an unrelated human comment"}
        self.requests: list[tuple[str, str, dict]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                api.requests.append((self.command, self.path, dict(self.headers)))
                self._reply(api.answer(self.command, self.path, body))

            do_GET = do_POST = do_PUT = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, method: str, path: str, body):
        if "/notes" in path:  # GitLab
            if method == "GET":
                return [{"id": i, "body": text} for i, text in self.comments.items()]
            if method == "POST":
                self.comments[100] = body["body"]
                return {"id": 100}
            self.comments[int(path.rsplit("/", 1)[1])] = body["body"]
            return {}
        if method == "GET":  # Azure DevOps threads
            return {"value": [{"id": i, "comments": [{"id": 1, "content": text}]} for i, text in self.comments.items()]}
        if method == "POST":
            self.comments[200] = body["comments"][0]["content"]
            return {"id": 200}
        self.comments[int(path.split("/threads/")[1].split("/")[0])] = body["content"]
        return {}


@pytest.fixture
def api():
    fake = FakeApi()
    yield fake
    fake.server.shutdown()


def _env(kind: str, url: str) -> dict[str, str]:
    if kind == "gitlab":
        return {"CI_API_V4_URL": f"{url}/api/v4", "CI_PROJECT_ID": "group/project", "CI_MERGE_REQUEST_IID": "12",
                "GITLAB_TOKEN": "glpat-test-only"}
    return {"SYSTEM_COLLECTIONURI": f"{url}/org/", "SYSTEM_TEAMPROJECT": "Data Platform",
            "BUILD_REPOSITORY_ID": "repo-1", "SYSTEM_PULLREQUEST_PULLREQUESTID": "34", "SYSTEM_ACCESSTOKEN": "test-only"}


def _post(kind: str, review: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "SYSTEM_", "GITLAB_", "BUILD_"))}
    return subprocess.run([sys.executable, str(SCRIPT), kind, str(review)], env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kind", ["gitlab", "azure"])
def test_first_run_creates_the_comment_and_later_runs_edit_it(api: FakeApi, tmp_path: Path, kind: str) -> None:
    review = tmp_path / "review.md"
    review.write_text("### Plan review\n\n1 to add\n")
    first = _post(kind, review, _env(kind, api.url))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created")
    review.write_text("### Plan review\n\n2 to add\n")
    second = _post(kind, review, _env(kind, api.url))
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("updated")
    ours = [text for text in api.comments.values() if MARKER in text]
    assert ours == [f"{MARKER}\n### Plan review\n\n2 to add\n"]
    assert api.comments[7] == "an unrelated human comment"
    if kind == "gitlab":
        assert all(r[1].startswith("/api/v4/projects/group%2Fproject/merge_requests/12/notes") for r in api.requests)
        assert {r[2]["Private-Token"] for r in api.requests} == {"glpat-test-only"}
    else:
        assert all(r[1].startswith("/org/Data%20Platform/_apis/git/repositories/repo-1/pullRequests/34/threads")
                   and "api-version=7.1" in r[1] for r in api.requests)
        assert {r[2]["Authorization"] for r in api.requests} == {"Bearer test-only"}


def test_missing_variables_and_unreadable_file_exit_2(tmp_path: Path) -> None:
    review = tmp_path / "review.md"
    review.write_text("x")
    missing = _post("gitlab", review, {})
    assert missing.returncode == 2
    assert "not set: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, GITLAB_TOKEN" in missing.stderr
    unreadable = _post("azure", tmp_path / "absent.md", _env("azure", "http://127.0.0.1:9"))
    assert unreadable.returncode == 2 and "cannot read" in unreadable.stderr
    assert _post("bitbucket", review, {}).returncode == 2


def test_an_api_refusal_exits_1(tmp_path: Path) -> None:
    review = tmp_path / "review.md"
    review.write_text("x")
    result = _post("gitlab", review, _env("gitlab", "http://127.0.0.1:9"))  # nothing listens on port 9
    assert result.returncode == 1
    assert "the gitlab API refused the comment" in result.stderr
