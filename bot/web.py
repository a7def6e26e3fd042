"""HTTP serving: Bolt behind a WSGI app with `/slack/events` and `/healthz`; the request
edge is bot/slack/edge.py."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, closing, nullcontext
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import is_hop_by_hop

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot.logs import clean_request_id, request_id
from bot.metrics import ACK_SECONDS, REQUESTS, measuring_request, metrics_wsgi
from bot.slack.edge import Refused, SlackRequest, slack_request

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger(__name__)


def make_wsgi_app(app: App, engine: Engine, signing_secret: str,
                  metrics_port: int | None = None,
                  answering: Callable[[], AbstractContextManager[None]] = nullcontext
                  ) -> WSGIApp:
    """`/slack/events` (requests signed with `signing_secret`; each inside `answering()`
    until its answer is ready: the outbox's cue to wait) and `/healthz`; on
    `metrics_port` (a second port the server listens on), only Prometheus' `/metrics`."""
    verifier = SignatureVerifier(signing_secret)
    metrics = metrics_wsgi(engine)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if metrics_port is not None and environ.get("SERVER_PORT") == str(metrics_port):
            return metrics(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            with answering():
                return _slack_request(app, verifier, environ, start_response)
        if path == "/healthz":
            return _health(engine, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def _slack_request(app: App, verifier: SignatureVerifier, environ: dict[str, Any],
                   start_response: Callable[..., Any]) -> Iterable[bytes]:
    """One Slack request: through the edge (bot/slack/edge.py), then Bolt. One id per
    request, in every log line its work writes (listener and outbox threads included) and
    in the response; one log line per request with its status and how long the answer
    took, never its body."""
    rid = clean_request_id(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex[:16]
    token = request_id.set(rid)
    started = time.perf_counter()
    refused: str | None = None
    with measuring_request() as kind:
        try:
            try:
                response = _dispatch(app, slack_request(environ, verifier))
            except Refused as refusal:
                refused = refusal.reason
                # Closed after the answer: a body left unread is never drained.
                response = WsgiHttpResponse(int(refusal.status.split()[0]),
                                            {"content-type": ["text/plain;charset=utf-8"],
                                             "connection": ["close"]},
                                            refusal.status.split(" ", 1)[1])
            start_response(response.status, [*response.get_headers(), ("X-Request-Id", rid)])
            return response.get_body()
        finally:
            code = response.status.split(" ", 1)[0]
            seconds = time.perf_counter() - started
            method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
            extra = {"method": method, "path": path, "status": int(code),
                     "duration_ms": round(seconds * 1000, 1)}
            if refused:
                extra["refused"] = refused
            log.info("%s %s %s", method, path, code, extra=extra)
            REQUESTS.labels(kind[0], code).inc()
            ACK_SECONDS.labels(kind[0]).observe(seconds)
            request_id.reset(token)


def _dispatch(app: App, request: SlackRequest) -> WsgiHttpResponse:
    try:
        answer = app.dispatch(request)
    except Exception:  # the app's fault, never the client's: logged, and a plain 500
        log.exception("a Slack request failed")
        return WsgiHttpResponse(500, {"content-type": ["text/plain;charset=utf-8"]},
                                "Internal Server Error")
    return WsgiHttpResponse(answer.status, answer.headers, answer.body)


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
    queue for the write lock behind a busy worker. On SQLite a new connection to the
    existing file (never creating one): the pool's open ones would keep working on a file
    that is gone."""
    if engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(f"file:{engine.url.database}?mode=rw", uri=True,
                                     timeout=1)) as fresh:
            fresh.execute("SELECT 1").fetchone()
        return
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
    """The standard library's server in a thread, for the demo and the tests (production
    serves with gunicorn: bot/serve.py)."""

    def without_hop_by_hop(environ: dict[str, Any],
                           start_response: Callable[..., Any]) -> Iterable[bytes]:
        # gunicorn honours an app's "Connection: close"; wsgiref refuses the header.
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [(k, v) for k, v in headers
                                           if not is_hop_by_hop(k)], exc_info)

        return wsgi(environ, start)

    server = make_server(host, port, without_hop_by_hop, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    # A short poll interval: shutdown() waits for it (tests and demo stop servers often).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="http", daemon=True)
    thread.start()
    return server, thread
