"""Logging set-up. Tokens and secrets are masked in every record, whoever logs them
(slack-sdk logs request headers at DEBUG), and the Slack libraries' lines stop before the
bodies they quote, at every level. Production logs are JSON lines carrying the id
of the Slack request they belong to and the process that wrote them (one of several
workers)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

_SECRET = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
# What we accept as a request id from a load balancer's X-Request-Id; anything else is
# replaced by our own (a client must not be able to write arbitrary text into the logs).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Extra fields a record may carry (logger.info(..., extra={...})) that the JSON line keeps.
JSON_FIELDS = ("method", "path", "status", "duration_ms", "refused")
# Libraries that log every routine step at INFO (APScheduler: each job run, every sweep).
CHATTY_LOGGERS = ("apscheduler",)

# Set per HTTP request by bot.web; copied into Bolt's listener threads by bot.executor.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                        default=None)


def clean_request_id(raw: str | None) -> str | None:
    """The incoming X-Request-Id if it looks like one, else None."""
    return raw if raw and _REQUEST_ID.match(raw) else None


# slack_sdk (at DEBUG) and slack_bolt quote whole request and response bodies: candidate
# names, takeaways, private notes. Their lines keep what comes before the first body.
_QUOTING_LOGGERS = ("slack_sdk", "slack_bolt")
_BODY = re.compile(r"\b(?:query_params|body_params|json_body|body|files)\b\s*:|"
                   r"\brequest \(|\bbody\s*\(")


def without_bodies(message: str) -> str:
    """The message up to the first quoted body (bot.logs: never log what users wrote)."""
    found = _BODY.search(message)
    return message if found is None else message[:found.start()] + "[body not logged]"


class RedactSecrets(logging.Filter):
    def __init__(self, extra_secrets: list[str] | None = None) -> None:
        super().__init__()
        self._extra = [s for s in (extra_secrets or []) if s]

    def redact(self, text: str) -> str:
        text = _SECRET.sub("[redacted]", text)
        for secret in self._extra:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.name.startswith(_QUOTING_LOGGERS):
            cleaned = without_bodies(cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Tracebacks quote local values (a URL with a token, say): mask them too.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", None):
            entry["request_id"] = rid
        for name in JSON_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or (
                self.formatException(record.exc_info) if record.exc_info else "")
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", secrets: list[str] | None = None,
                      json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet = max(logging.getLevelName(level), logging.WARNING)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else quiet)
    # "Execution of job ... skipped: maximum number of running instances reached": the
    # alarm rang while a sweep was sending; the rows say what is due, nothing is lost.
    logging.getLogger("apscheduler.scheduler").setLevel(
        logging.DEBUG if level == "DEBUG" else max(quiet, logging.ERROR))


def json_handler_setup(logger: logging.Logger, secrets: list[str] | None = None) -> None:
    """Make the handlers another library attached to `logger` (gunicorn's) write our JSON
    lines, secrets masked."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactSecrets(secrets))
