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

The request's own thread, meanwhile, waits for the ack. Bolt checks for it every 10 ms
(thread_runner: `while ack.response is None: time.sleep(0.01)`), so every answer left up to
10 ms late, 6 ms on average; our ack wakes that thread the moment it is set.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

# How long one look at a missing ack waits for it (the request's thread, in Bolt's loop).
# Bolt gives up after the listener's ack timeout (3 s) and answers 404; a look longer than
# this could make that answer late by as much.
ACK_LOOK_SECONDS = 0.1

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
        self._all_answered = 0  # how often no request was left waiting for its answer

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, self._run, fn, *args, **kwargs)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._state.in_listener = True
        try:
            return fn(*args, **kwargs)
        finally:
            self._state.in_listener = False
            self._give_up_turn()

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
                if self._unanswered == 0:  # every waiting listener may go on
                    self._all_answered += 1
                    self._turns.notify_all()

    def after_ack(self) -> None:
        """A listener has acked: its slow part waits its turn. Only this pool's threads
        wait (Bolt acks events itself, on the request's thread)."""
        state = self._state
        if self._post_ack_slots is None or not state.in_listener or state.past_ack:
            return
        slots = self._post_ack_slots
        with self._turns:
            # Also go on if every request was answered meanwhile, even if a new one came
            # in before this thread woke: else each wake-up would find it and wait again.
            moment = self._all_answered
            self._turns.wait_for(lambda: self._unanswered == 0 or self._past_ack < slots
                                 or self._all_answered != moment,
                                 timeout=self._post_ack_wait)
            self._past_ack += 1
        state.past_ack = True

    def pause(self, seconds: float) -> None:
        """Sleep, giving up this listener's turn meanwhile (a refresh settling must not keep
        a slot from work that computes), then wait for a turn again."""
        had_turn = self._give_up_turn()
        time.sleep(seconds)
        if had_turn:
            self.after_ack()

    def _give_up_turn(self) -> bool:
        """This listener's slow part stops or pauses: its turn goes to the next. False if
        it had none."""
        if not self._state.past_ack:
            return False
        self._state.past_ack = False
        with self._turns:
            self._past_ack -= 1
            # One slot is free: one waiting listener takes it. Waking them all, for each
            # slot and each answer, cost a burst ~1 ms of CPU per request in wake-ups.
            self._turns.notify()
        return True

    def ack_first_middleware(self) -> Callable[..., Any]:
        """A Bolt global middleware (`app.use(...)`) giving each request an ack() that,
        once Slack's answer is set, waits for the listener's turn."""
        executor = self

        class TurnTakingAck(AnsweringAck):
            def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
                response = super().__call__(*args, **kwargs)
                executor.after_ack()
                return response

        def ack_first(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
            context["ack"] = TurnTakingAck()
            return next()

        return ack_first


class AnsweringAck(Ack):
    """Bolt's ack, which wakes the request's thread when it is set instead of leaving it to
    Bolt's next 10 ms look. Made (by the middleware) on the request's thread, the one that
    waits: only there does reading a missing `response` wait for it."""

    def __init__(self) -> None:
        self._set = threading.Event()
        self._waiter = threading.get_ident()
        super().__init__()

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        if self._response is None and threading.get_ident() == self._waiter:
            self._set.wait(ACK_LOOK_SECONDS)
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self._set.set()
