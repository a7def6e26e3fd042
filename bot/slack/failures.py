"""Which Slack failures pass and which do not (bot/core/backoff.py says when to try again).

Used by everything that retries from the database (reminders, the outbox): a transient
failure releases the row for a later attempt, a permanent one is recorded and not retried.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

# Slack's own hiccups: retried with backoff, like rate limits, 5xx and network errors.
# Every other error (user_disabled, account_inactive, channel_not_found, cannot_dm_bot,
# not_in_channel, invalid_blocks...) is the request's fault: never retried.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout",
})


class TransientError(Exception):
    """Slack or the network failed in a way that may pass; retry later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentError(Exception):
    """Slack refused for good (deactivated user, no such channel): do not retry."""


def classify(error: SlackApiError) -> TransientError | PermanentError:
    """Rate limits, 5xx and Slack's own hiccups pass; anything else is the request's fault."""
    response = error.response
    code = str(response.get("error") or "") if response is not None else ""
    status = getattr(response, "status_code", 0) or 0
    if code in TRANSIENT_ERRORS or status == 429 or status >= 500:
        reason = code if code in TRANSIENT_ERRORS else f"http {status}"
        return TransientError(reason, _retry_after(getattr(response, "headers", None) or {}))
    return PermanentError(code or f"http {status}")


def _retry_after(headers: dict[str, object]) -> float | None:
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    value = raw[0] if isinstance(raw, list) else raw
    try:
        return float(str(value))
    except ValueError:
        return None
