"""A JSON HTTP server on 127.0.0.1 (an ephemeral port, in a thread) for the loopback fakes of the
Databricks REST API: tests/jobs_api_fake.py (``mlops run``) and tests/adopt/fake_workspace.py
(``mlops import`` lookups). Stdlib only; nothing leaves the machine. Each fake supplies one
``handle(request) -> (status, document)``; this module owns the HTTP plumbing."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, unquote, urlparse


@dataclass(frozen=True)
class Incoming:
    method: str
    path: str
    """URL path, percent-decoded."""
    query: dict[str, list[str]]
    body: Any
    """The JSON request body, or None."""
    headers: Mapping[str, str]
    """The request headers (case-insensitive: http.server's message object)."""


class LoopbackJsonServer:
    """Serves GET and POST with ``handle`` until :meth:`stop` (or the ``with`` block ends)."""

    def __init__(self, handle: Callable[[Incoming], tuple[int, Any]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, doc = handle(Incoming(method, unquote(url.path), parse_qs(url.query),
                                              json.loads(raw) if raw else None, self.headers))
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "LoopbackJsonServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LoopbackJsonServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
