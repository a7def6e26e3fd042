"""How long to wait before trying a failed send again, and when to give up: for the rows the
app retries from the database (reminders, the outbox)."""

from __future__ import annotations

from datetime import timedelta

# Transient failures: retry after 30 s, 1, 2, 4... minutes, at most 30 minutes apart, and
# give up after MAX_ATTEMPTS tries.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)
MAX_ATTEMPTS = 8


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait before try number `attempts + 1`: doubling from BACKOFF_BASE, capped, and
    never shorter than Slack's Retry-After."""
    wait = min(BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 16)), BACKOFF_MAX)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait
