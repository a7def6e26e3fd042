"""Bolt's listener pool: each listener runs with its request's context (its request id in
every log line), and the side effects its transactions stored (bot/outbox/) go to the
outbox's own pool once it returns, after its ack.

Bolt runs the whole listener here, the part before ack() (which Slack waits for, 3 seconds
at most) and the part after it; the side effects run elsewhere, so that Slack calls and
rate-limit back-offs never hold a thread that a new request needs to ack.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from bot.outbox.record import collecting

# As many as the server's request threads (bot/serve.py): each request waiting for its ack
# has a listener thread; more would only share the same interpreter lock. Each may hold
# one database connection at a time.
LISTENER_THREADS = 8


class ListenerPool(ThreadPoolExecutor):
    def __init__(self, after: Callable[[Sequence[tuple[int, datetime]]], None],
                 max_workers: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._after = after

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, self._run, fn, *args, **kwargs)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with collecting() as committed:
            try:
                return fn(*args, **kwargs)
            finally:
                self._after(list(committed))
