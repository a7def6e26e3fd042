"""`start_debrief` (value: interview id): the hiring lead or the recruiter posts the debrief
summary in the plan's thread now (or refreshes it in place if it is already there). The
request is stored before the ack; the summary follows from the outbox."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.debrief import service as debrief
from bot.outbox.effects import reply_target
from bot.services import Services
from handlers.payload import action_value, team_id_of


def start_debrief(ack: Ack, body: dict[str, Any], services: Services) -> None:
    debrief.start_debrief(services, team_id_of(body), action_value(body), body["user"]["id"],
                  reply_target(body))
    ack()
