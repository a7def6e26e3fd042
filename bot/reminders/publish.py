"""Sending reminders: the due rows claimed, each checked again, sent (a DM, or the debrief
summary in the plan's thread) and its outcome recorded (bot/reminders/service.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.debrief.publish import post_debrief_summary
from bot.errors import UserError
from bot.interviews import translator_for
from bot.metrics import REMINDERS
from bot.reminders import builders
from bot.reminders.service import (
    BATCH_SIZE,
    DEBRIEF,
    DEBRIEF_LEAD,
    LEAD_MISSING,
    DueReminder,
    Outcome,
    claim_due_ids,
    record_outcome,
    record_retry,
    take_due,
    user_tz,
)
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.client import retry_handlers
from bot.slack.failures import PermanentError, TransientError, classify
from models import ReminderStatus

log = logging.getLogger(__name__)


def process_due(services: Services, now: datetime, worker: str,
                limit: int = BATCH_SIZE) -> list[Outcome]:
    """Claim the due rows; read them and their interviews together (recording those that
    no longer make sense); then send each and record its result, one commit each. The side
    effects a send implies (App Homes, ...) go to the outbox, where those for one person
    fold into one."""
    ids = claim_due_ids(services, now, worker, limit)
    if not ids:
        return []
    try:
        taken = take_due(services, ids, now, worker)
    except Exception:  # a bug in one row must not hold up the others: each on its own
        log.exception("Reminders %s could not be read together", ids)
        return [_counted(process_one(services, reminder_id, now, worker)) for reminder_id in ids]
    return [_counted(_send_or_retry(services, item, now, worker)) for item in taken]


def _counted(outcome: Outcome) -> Outcome:
    REMINDERS.labels(outcome.status).inc()
    return outcome


def process_one(services: Services, reminder_id: int, now: datetime, worker: str) -> Outcome:
    """One claimed reminder: still relevant? send it, record the result."""
    try:
        (due,) = take_due(services, [reminder_id], now, worker)
    except Exception as error:  # a bug must not hold up the other rows; retried, capped
        log.exception("Reminder %s could not be processed", reminder_id)
        return record_retry(services, reminder_id, now, worker,
                            f"{type(error).__name__}: {error}")
    return _send_or_retry(services, due, now, worker)


def _send_or_retry(services: Services, due: DueReminder | Outcome, now: datetime,
                   worker: str) -> Outcome:
    if isinstance(due, Outcome):
        return due
    reminder_id = due.reminder_id
    # Slack calls (the time zone, the post) after the commit.
    try:
        delivery = _delivery_for(services, due)
        detail = delivery.send(services)
    except TransientError as error:
        return record_retry(services, reminder_id, now, worker, error.reason,
                            error.retry_after)
    except PermanentError as error:
        return record_outcome(services, reminder_id, worker, ReminderStatus.FAILED, now,
                              str(error))
    except Exception as error:  # a bug must not stop the other reminders; retried, capped
        log.exception("Reminder %s (%s to %s) failed", reminder_id, due.kind, due.recipient_id)
        return record_retry(services, reminder_id, now, worker,
                            f"{type(error).__name__}: {error}")
    return record_outcome(services, reminder_id, worker, ReminderStatus.SENT, now, detail,
                          posted=delivery.posted, interview_id=delivery.interview_id)


# --- what each kind sends -------------------------------------------------------------


@dataclass
class Delivery:
    """What one reminder sends: a DM, or (the debrief) the summary in the plan's thread."""

    reminder_id: int
    interview_id: int
    kind: str
    channel: str = ""
    message: Message | None = None
    # Where the DM landed, recorded as posted about the candidate (models/posted.py).
    posted: dict[str, str] = field(default_factory=dict)

    def send(self, services: Services) -> str:
        if self.kind == DEBRIEF:
            return _send_debrief(services, self.interview_id)
        assert self.message is not None
        channel, ts = _post(services, self.channel, self.message)
        self.posted = {"channel": channel, "ts": ts}
        return ts


def _delivery_for(services: Services, due: DueReminder) -> Delivery:
    kind, recipient, interview = due.kind, due.recipient_id, due.interview
    missing = due.missing
    delivery = Delivery(due.reminder_id, interview.id, kind, channel=recipient)
    if kind == DEBRIEF:
        return delivery
    t = translator_for(interview)
    tz = user_tz(services, recipient)
    if kind == LEAD_MISSING:
        delivery.message = builders.lead_missing_message(t, interview, missing, tz, final=False,
                                                         by_round=due.by_round)
    elif kind == DEBRIEF_LEAD:
        delivery.message = builders.lead_missing_message(t, interview, missing, tz, final=True,
                                                         by_round=due.by_round)
    else:
        delivery.message = builders.nudge_message(t, interview, kind.split(":", 1)[0], tz)
    return delivery


def reminder_client(services: Services) -> WebClient:
    """The app's client without its in-process retries: a reminder that hits a rate limit
    is released and retried by the row's backoff, not by a thread sleeping on Retry-After
    while it holds the claim."""
    client = services.client
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=retry_handlers(in_process=False))


def _post(services: Services, channel: str, message: Message) -> tuple[str, str]:
    try:
        response = reminder_client(services).chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks)
    except SlackApiError as error:
        raise classify(error) from error
    except OSError as error:  # connection refused or reset, timeouts, DNS
        raise TransientError(f"network: {error}") from error
    return str(response.get("channel", channel)), str(response.get("ts", ""))


def _send_debrief(services: Services, interview_id: int) -> str:
    """The consensus summary in the plan's thread: the debrief's own function posts it (or
    updates it in place) and moves the interview to the debrief."""
    try:
        post_debrief_summary(services, interview_id, actor_id=None)
    except UserError as error:  # cancelled or deleted since the row was checked
        raise PermanentError(f"refused: {error.message}") from error
    except SlackApiError as error:
        raise classify(error) from error
    except OSError as error:
        raise TransientError(f"network: {error}") from error
    return "summary posted"


