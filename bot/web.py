"""HTTP serving: Bolt behind a WSGI app with `/slack/events` and `/healthz`."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot.logs import clean_request_id, request_id
from bot.metrics import ACK_SECONDS, REQUESTS, measuring_request, metrics_wsgi

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger(__name__)


def make_wsgi_app(app: App, engine: Engine, metrics_port: int | None = None) -> WSGIApp:
    """`/slack/events` and `/healthz`; on `metrics_port` (a second port the server listens
    on), only Prometheus' `/metrics`."""
    slack = SlackRequestHandler(app)
    metrics = metrics_wsgi(engine)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if metrics_port is not None and environ.get("SERVER_PORT") == str(metrics_port):
            return metrics(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            return _slack_request(slack, environ, start_response)
        if path == "/healthz":
            return _health(engine, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def _slack_request(slack: SlackRequestHandler, environ: dict[str, Any],
                   start_response: Callable[..., Any]) -> Iterable[bytes]:
    """One id per Slack request, in every log line its work writes (listener threads
    included: bot.executor copies it) and in the response, to find a request's story in
    the logs; one log line per request with its status and how long the ack took."""
    rid = clean_request_id(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex[:16]
    token = request_id.set(rid)
    started = time.perf_counter()
    status: list[str] = []

    def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(code)
        return start_response(code, [*headers, ("X-Request-Id", rid)], exc_info)

    with measuring_request() as kind:
        try:
            return slack(environ, start)
        finally:
            code = status[0].split(" ", 1)[0] if status else "500"
            seconds = time.perf_counter() - started
            method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
            log.info("%s %s %s", method, path, code, extra={
                "method": method, "path": path, "status": int(code),
                "duration_ms": round(seconds * 1000, 1)})
            REQUESTS.labels(kind[0], code).inc()
            ACK_SECONDS.labels(kind[0]).observe(seconds)
            request_id.reset(token)


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """200 when this process answers and reaches the database; 503 otherwise, so a load
    balancer takes the process out of rotation."""
    try:
        _ping(engine)
        status, body = "200 OK", {"status": "ok", "database": "ok"}
    except Exception as error:  # the probe reports any database failure as unhealthy
        # The reason goes to the log, not to whoever can reach /healthz (host names...).
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        log.warning("health check: database unreachable: %s", reason[0] if reason else error)
        status, body = "503 Service Unavailable", {"status": "error", "database": "unreachable"}
    start_response(status, [("Content-Type", "application/json"),
                            ("Cache-Control", "no-store")])
    return [json.dumps(body).encode()]


def _ping(engine: Engine) -> None:
    """SELECT 1 on a raw connection: no transaction begins, so on SQLite the probe does not
    queue for the write lock (every ORM transaction takes it at BEGIN) behind a busy
    worker and time out exactly when the process is busiest."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()


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
    # A short poll interval: shutdown() waits for it (tests and demo stop servers often).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="http", daemon=True)
    thread.start()
    return server, thread
