"""`rerate` (value: interview id, the debrief's): "Re-rate after the discussion" on the
posted summary opens the panelist's own scorecard, prefilled; what they save is their
"after". Anyone not on the panel, or a locked scorecard, gets an ephemeral answer
(handlers/errors.py) and no modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.i18n import translator
from bot.scorecards.builders.modal import ScorecardModal
from bot.scorecards.service import load_form, rerate_round
from bot.services import Services
from handlers.payload import action_value, team_id_of


def rerate(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    team_id, user_id = team_id_of(body), body["user"]["id"]
    round_id = rerate_round(services, team_id, action_value(body), user_id)
    form = load_form(services, team_id, round_id, user_id)
    client.views_open(trigger_id=body["trigger_id"],
                      view=ScorecardModal(translator(form.language), form).view(0))
