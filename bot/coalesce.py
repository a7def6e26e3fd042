"""Refreshes of one message that fold together: the plan after fifty scorecards in a second
is re-rendered a few times, not fifty, and never by two threads of a process at once.

A refresh re-reads the database, so the latest one carries every change before it: while
one runs for a key, further requests for that key only mark it stale, and the running
thread goes round once more when it finishes. The requester that found it running returns
at once (its change is committed and the running thread's next round reads it).

A refresh asked to `settle` first waits `settle_seconds` (idle, giving up its turn in the
listener pool: bot/executor.py), so that a burst folds into one round instead of rendering
back to back for as long as it lasts: fifty scorecards in a second cost the plan a render
or two per process, and Slack sees a few chat.update calls, not a stream of them (its
per-message rate limit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from slack_sdk import WebClient

from bot.blocks.base import Message


class Coalescer:
    def __init__(self, settle_seconds: float = 0.0,
                 pause: Callable[[float], None] = time.sleep) -> None:
        self.settle_seconds = settle_seconds
        self._pause = pause
        self._lock = threading.Lock()
        self._stale: dict[Hashable, bool] = {}  # key -> requested again since the last round

    def run(self, key: Hashable, refresh: Callable[[], None], *, settle: bool = False) -> bool:
        """Run `refresh` (after settling, if asked), and again while requests came in
        meanwhile; False if another thread is running it for this key (which will run it
        once more)."""
        with self._lock:
            if key in self._stale:
                self._stale[key] = True
                return False
            self._stale[key] = False
        try:
            while True:
                if settle and self.settle_seconds > 0:
                    self._pause(self.settle_seconds)
                with self._lock:  # what was asked until now, this round reads
                    self._stale[key] = False
                refresh()
                with self._lock:
                    if not self._stale[key]:
                        return True
        finally:
            with self._lock:
                self._stale.pop(key, None)


# Where a message is and what it should say now; None: there is nothing to update.
Target = tuple[str, str, Message]
UPDATE_ROUNDS = 3  # a bound, in case a render is not a pure function of the database


def update_until_current(client: WebClient, current: Callable[[], Target | None]) -> None:
    """chat.update the message to what `current()` renders, then render again and repeat
    while it changed. No lock is held across the Slack call; instead, whoever updates last
    has checked after its update that the message shows the latest state, so an update
    that overtook a newer one (another process, a slow request) is corrected by its own
    next round. Slack errors are raised."""
    sent: Message | None = None
    for _ in range(UPDATE_ROUNDS):
        target = current()
        if target is None or target[2] == sent:
            return
        channel, ts, message = target
        client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        sent = message
