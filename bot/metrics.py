"""What operators watch, for Prometheus: requests by kind and status, how long acks take,
reminders and side effects sent or failed, and the side effects still pending.

Under gunicorn every worker writes its counts to PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode, set up by bot/serve.py before any of this is imported) and whichever
worker answers a scrape adds them up. The pending side effects are counted in the database
at scrape time, so every process reports the same truth. /metrics is served on METRICS_PORT
only, never beside /slack/events.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from models import OutboxMessage, OutboxStatus

REQUESTS = Counter("interview_bot_requests", "Slack requests answered, by kind and HTTP status",
                   ["kind", "status"])
ACK_SECONDS = Histogram("interview_bot_ack_seconds",
                        "Time from a Slack request's arrival to its answer (the ack)", ["kind"],
                        buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0))
REMINDERS = Counter("interview_bot_reminders", "Reminders by outcome (sent, skipped, failed, "
                    "retry)", ["outcome"])
SIDE_EFFECTS = Counter("interview_bot_side_effects", "Outbox side effects by kind and outcome "
                       "(done, retry, failed)", ["kind", "outcome"])


class OutboxCollector(Collector):
    """The outbox's pending and failed rows, read from the database at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("interview_bot_outbox_rows",
                                   "Side effects in the outbox, by status", labels=["status"])
        with self.engine.connect() as connection:
            counts: dict[str, int] = {
                str(status): int(count) for status, count in connection.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))}
        for status in OutboxStatus:
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family


def scrape_registry(engine: Engine) -> CollectorRegistry:
    """Every process's counts (in multiprocess mode) or this one's, and the outbox's rows."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(OutboxCollector(engine))
    return registry


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Any]:
        return self.registry.collect()


def metrics_wsgi(engine: Engine) -> Callable[[dict[str, Any], Callable[..., Any]],
                                             Iterable[bytes]]:
    """GET /metrics in the exposition format; anything else is 404."""
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        body = generate_latest(scrape_registry(engine))
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    return wsgi


# The kind of the Slack request being answered on this thread: set by bot/web.py around
# each request, filled in by a Bolt middleware once Bolt has parsed the body.
_kind: ContextVar[list[str] | None] = ContextVar("request_kind", default=None)


@contextmanager
def measuring_request() -> Iterator[list[str]]:
    """Around one Slack request: yields a one-item list holding its kind once known."""
    holder = ["unknown"]
    token = _kind.set(holder)
    try:
        yield holder
    finally:
        _kind.reset(token)


def note_request_kind(body: dict[str, Any]) -> None:
    """A Bolt middleware's part: e.g. `command:/interview`, `action:score_candidate`,
    `view:scorecard`, `event:app_home_opened`."""
    holder = _kind.get()
    if holder is not None:
        holder[0] = request_kind(body)


def request_kind(body: dict[str, Any]) -> str:
    if body.get("command"):  # not its text: that is the person's own words
        return f"command:{str(body['command'])[:40]}"
    kind = body.get("type")
    if kind == "block_actions":
        action = (body.get("actions") or [{}])[0]
        return f"action:{action.get('action_id', '?')}"
    if kind in ("view_submission", "view_closed"):
        return f"view:{(body.get('view') or {}).get('callback_id', '?')}"
    if kind == "event_callback":
        return f"event:{(body.get('event') or {}).get('type', '?')}"
    return str(kind or "unknown")[:40]
