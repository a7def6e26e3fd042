"""Bolt's listener pool, carrying each request's context (its request id) into the thread
that finishes the work after the ack."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# Bolt's default is 5 threads: a burst of 50 scorecard submissions would queue behind them.
LISTENER_THREADS = 32


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
