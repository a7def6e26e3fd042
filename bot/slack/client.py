"""The Web API clients every part of the app uses: honour SLACK_API_URL, retry politely."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings


def retry_handlers(*, in_process: bool = True) -> list[RetryHandler]:
    """Connection resets are retried at once. With `in_process`, 429s also wait for
    Retry-After and 5xx are retried with backoff, in the calling thread: right for a
    listener answering a person now; side effects and reminders instead go back to the
    database and wait their backoff there (bot/core/backoff.py)."""
    handlers: list[RetryHandler] = [ConnectionErrorRetryHandler(max_retry_count=2)]
    if in_process:
        handlers += [RateLimitErrorRetryHandler(max_retry_count=3),
                     ServerErrorRetryHandler(max_retry_count=2)]
    return handlers


def make_web_client(settings: Settings, timeout: int = 10, *,
                    in_process_retries: bool = True) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(in_process=in_process_retries),
    )
