"""The cheapest Slack that answers: every Web API method says ok, in a process of its own
(so its work never competes with the code being timed for the GIL). users.info knows
everyone (time zone Europe/Tallinn); chat.postMessage and chat.update give a channel and a
fresh ts; files_upload_v2 gets an upload URL here and a file id. GET /stats gives the calls
so far by method."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import threading
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs


class _Handler(BaseHTTPRequestHandler):
    calls: ClassVar[Counter[str]] = Counter()
    lock = threading.Lock()
    ts = itertools.count(1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        with self.lock:
            body = json.dumps(dict(self.calls)).encode()
        self._send(body)

    def do_POST(self) -> None:
        method = ("upload" if self.path.startswith("/upload/")
                  else self.path.rstrip("/").rsplit("/", 1)[-1])
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        raw = "" if method == "upload" else body.decode()  # an upload's bytes are the file
        if "json" in (self.headers.get("Content-Type") or ""):
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        with self.lock:
            self.calls[method] += 1
            ts = f"1700000000.{next(self.ts):06d}"
        answer: dict[str, Any] = {"ok": True}
        if method == "users.info":
            user = str(params.get("user"))
            answer["user"] = {"id": user, "name": user.lower(), "real_name": user,
                              "deleted": False, "is_bot": False, "tz": "Europe/Tallinn",
                              "tz_offset": 7200, "profile": {"real_name": user,
                                                              "display_name": user.lower()}}
        elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = str(params.get("channel", ""))
            answer |= {"channel": "D" + channel[1:] if channel.startswith("U") else channel,
                       "ts": str(params.get("ts") or ts)}
        elif method == "files.getUploadURLExternal":
            file_id = f"F{ts.rsplit('.', 1)[-1]}"
            answer |= {"file_id": file_id, "upload_url":
                       f"http://127.0.0.1:{self.server.server_port}/upload/{file_id}"}
        elif method == "files.completeUploadExternal":
            files = params.get("files")
            listed = json.loads(files) if isinstance(files, str) else files or []
            answer["files"] = [{"id": f.get("id"), "title": f.get("title", "")}
                               for f in listed]
        elif method == "chat.getPermalink":
            answer["permalink"] = "https://example.slack.com/archives/C/p1"
        self._send(json.dumps(answer).encode())

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(port: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port.put(server.server_port)
    server.serve_forever()


class SlackStub:
    """Start with `with SlackStub() as stub:`; `stub.url` is the Web API's base URL."""

    def __enter__(self) -> SlackStub:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        self.process = context.Process(target=_serve, args=(queue,), daemon=True)
        self.process.start()
        self.port = queue.get(timeout=10)
        self.url = f"http://127.0.0.1:{self.port}/api/"
        return self

    def calls(self) -> Counter[str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5) as r:
            return Counter(json.loads(r.read()))

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.join(5)
