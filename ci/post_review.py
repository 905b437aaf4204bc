"""Create or update the ONE plan-review comment on a GitLab merge request or an Azure DevOps
pull request (the GitHub workflows do the same with their own API).

    python3 ci/post_review.py gitlab|azure review.md

The comment is found by the hidden marker the reviews start with (``MARKER``) and edited in
place, so every pipeline run updates it instead of adding another. Standard library only, so
it runs before (or without) the project's virtualenv. Reads the CI system's own variables:

- gitlab: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, and GITLAB_TOKEN (a project
  access token with the ``api`` scope, role Reporter; a masked CI/CD variable).
- azure: SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT, BUILD_REPOSITORY_ID,
  SYSTEM_PULLREQUEST_PULLREQUESTID, and SYSTEM_ACCESSTOKEN (map ``$(System.AccessToken)``; the
  build service needs "Contribute to pull requests" on the repository).

Exit codes: 0 posted, 2 a variable is missing or the file is unreadable, 1 the API refused.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- mlops-plan-review -->"
MAX_BODY = 60_000  # below both services' comment limits
TIMEOUT = 30


class Missing(Exception):
    """A required CI variable is not set."""


def _env(*names: str) -> list[str]:
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise Missing(", ".join(missing))
    return [os.environ[n] for n in names]


def _request(method: str, url: str, headers: dict[str, str], payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (CI API URL)
        text = response.read().decode()
    return json.loads(text) if text else None


def body_of(path: Path) -> str:
    """The comment text: the review with the marker first, cut to the services' limit."""
    text = path.read_text()
    if MARKER not in text:
        text = f"{MARKER}\n{text}"
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n\n... (cut: the full review is in the pipeline's artifacts)\n"
    return text


def post_gitlab(body: str) -> str:
    api, project, mr, token = _env("CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "GITLAB_TOKEN")
    notes = f"{api}/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{mr}/notes"
    headers = {"PRIVATE-TOKEN": token}
    for note in _request("GET", f"{notes}?per_page=100&sort=asc", headers) or []:
        if MARKER in note.get("body", ""):
            _request("PUT", f"{notes}/{note['id']}", headers, {"body": body})
            return f"updated note {note['id']}"
    created = _request("POST", notes, headers, {"body": body})
    return f"created note {created['id']}"


def post_azure(body: str) -> str:
    collection, project, repo, pr, token = _env(
        "SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_REPOSITORY_ID",
        "SYSTEM_PULLREQUEST_PULLREQUESTID", "SYSTEM_ACCESSTOKEN")
    threads = (f"{collection.rstrip('/')}/{urllib.parse.quote(project)}/_apis/git/repositories/{repo}"
               f"/pullRequests/{pr}/threads")
    version = "api-version=7.1"
    headers = {"Authorization": f"Bearer {token}"}
    for thread in (_request("GET", f"{threads}?{version}", headers) or {}).get("value", []):
        comments = thread.get("comments") or []
        if comments and MARKER in (comments[0].get("content") or ""):
            url = f"{threads}/{thread['id']}/comments/{comments[0]['id']}?{version}"
            _request("PATCH", url, headers, {"content": body})
            return f"updated thread {thread['id']}"
    created = _request("POST", f"{threads}?{version}", headers,
                       {"comments": [{"parentCommentId": 0, "content": body, "commentType": 1}], "status": 1})
    return f"created thread {created['id']}"


POSTERS = {"gitlab": post_gitlab, "azure": post_azure}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in POSTERS:
        print(f"usage: post_review.py {'|'.join(POSTERS)} REVIEW.md", file=sys.stderr)
        return 2
    try:
        body = body_of(Path(argv[1]))
        print(POSTERS[argv[0]](body))
    except OSError as exc:
        if isinstance(exc, urllib.error.URLError):
            print(f"error: the {argv[0]} API refused the comment: {exc}", file=sys.stderr)
            return 1
        print(f"error: cannot read {argv[1]}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Missing as exc:
        print(f"error: not set: {exc} (see docs/ci-other.md)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
