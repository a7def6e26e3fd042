"""`start_debrief` (value: interview id): the hiring lead or the recruiter posts the debrief
summary in the plan's thread now (or refreshes it in place if it is already there). The
request is stored before the ack; the summary follows from the outbox. An organiser on the
panel whose own scorecard is not in is asked first (bot/debrief/builders/start.py):
"Score candidate", or "Start debrief anyway" (handlers/actions/start_debrief_anyway.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.debrief import service as debrief
from bot.debrief.builders.start import own_scorecard_missing_message
from bot.i18n import translator
from bot.outbox.effects import reply_target
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def start_debrief(ack: Ack, body: dict[str, Any], client: WebClient,
                  services: Services) -> None:
    target = debrief.start_debrief(services, team_id_of(body), action_value(body),
                                   body["user"]["id"], reply_target(body))
    ack()
    if target.own_scorecard_missing is not None:
        message = own_scorecard_missing_message(translator(target.language), target)
        tell_user(client, body, message.text, message.blocks)
