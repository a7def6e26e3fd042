"""Bolt's listener pool: it carries each request's context (its request id) into the thread
that finishes the work after the ack, and it lets acks go first when a worker is busy.

Bolt runs a whole listener in this pool: the part before ack(), which Slack waits for (3
seconds at most), and the slow part after it (database writes, Slack calls). All threads of
a process share one interpreter lock, so in a burst the slow parts of requests already
acked would take the CPU from new requests still to be answered. So, with
`post_ack_slots`: while Slack requests are waiting for their answer in this process, at
most that many listeners run their slow part; the others wait, idle, right after their
ack, until those requests are answered, a slot frees, or `post_ack_wait` seconds have
passed. With no request waiting, every slow part runs at once. The slow work all happens,
never more than `post_ack_wait` later: a modal still opens while its trigger_id is valid.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

# Threads are cheap while they wait (on Slack, the database, their turn): enough of them
# that a burst never waits for a free thread just to start a listener and ack.
LISTENER_THREADS = 48


class _ThreadState(threading.local):
    in_listener = False
    past_ack = False


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = LISTENER_THREADS, *,
                 post_ack_slots: int | None = None, post_ack_wait: float = 1.0) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._post_ack_slots = post_ack_slots
        self._post_ack_wait = post_ack_wait
        self._state = _ThreadState()
        self._turns = threading.Condition()
        self._unanswered = 0  # Slack requests of this process still waiting for an answer
        self._past_ack = 0  # listeners running their slow part

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, self._run, fn, *args, **kwargs)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._state.in_listener = True
        try:
            return fn(*args, **kwargs)
        finally:
            self._state.in_listener = False
            if self._state.past_ack:
                self._state.past_ack = False
                with self._turns:
                    self._past_ack -= 1
                    self._turns.notify_all()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around each Slack request, until its answer is on its way (bot.web)."""
        with self._turns:
            self._unanswered += 1
        try:
            yield
        finally:
            with self._turns:
                self._unanswered -= 1
                self._turns.notify_all()

    def after_ack(self) -> None:
        """A listener has acked: its slow part waits its turn. Only this pool's threads
        wait (Bolt acks events itself, on the request's thread)."""
        state = self._state
        if self._post_ack_slots is None or not state.in_listener or state.past_ack:
            return
        slots = self._post_ack_slots
        with self._turns:
            self._turns.wait_for(lambda: self._unanswered == 0 or self._past_ack < slots,
                                 timeout=self._post_ack_wait)
            self._past_ack += 1
        state.past_ack = True

    def ack_first_middleware(self) -> Callable[..., Any]:
        """A Bolt global middleware (`app.use(...)`) giving each request an ack() that,
        once Slack's answer is set, waits for the listener's turn."""
        executor = self

        class TurnTakingAck(Ack):
            def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
                response = super().__call__(*args, **kwargs)
                executor.after_ack()
                return response

        def ack_first(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
            context["ack"] = TurnTakingAck()
            return next()

        return ack_first
