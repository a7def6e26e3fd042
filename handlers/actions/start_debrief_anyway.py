"""`start_debrief_anyway` (value: interview id): an organiser on the panel, warned that their
own scorecard is not in, starts the debrief all the same (handlers/actions/start_debrief.py
without the question)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.debrief import service as debrief
from bot.outbox.effects import reply_target
from bot.services import Services
from handlers.payload import action_value, team_id_of


def start_debrief_anyway(ack: Ack, body: dict[str, Any], services: Services) -> None:
    debrief.start_debrief(services, team_id_of(body), action_value(body), body["user"]["id"],
                          reply_target(body), confirmed=True)
    ack()
