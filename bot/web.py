"""HTTP serving: Bolt behind a WSGI app with `/slack/events` and `/healthz`."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text

from bot.logs import request_id

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, engine: Engine) -> WSGIApp:
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            # One id per Slack request, in every log line its work writes (listener threads
            # included) and in the response, to find a request's story in the logs.
            rid = environ.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex[:16]
            token = request_id.set(rid)
            try:
                return slack(environ, _with_header(start_response, "X-Request-Id", rid))
            finally:
                request_id.reset(token)
        if path == "/healthz":
            return _health(engine, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def _with_header(start_response: Callable[..., Any], name: str,
                 value: str) -> Callable[..., Any]:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, (name, value)], exc_info)

    return start


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        status, body = "200 OK", {"status": "ok", "database": "ok"}
    except Exception as error:  # the probe reports any database failure as unhealthy
        status, body = "503 Service Unavailable", {"status": "error", "database": str(error)[:200]}
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Bursts of Slack requests must queue, not be refused (the default backlog is 5).
    request_queue_size = 256


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_http_server(wsgi: WSGIApp, host: str, port: int) -> tuple[WSGIServer, threading.Thread]:
    server = make_server(host, port, wsgi, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    return server, thread
