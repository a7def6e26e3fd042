"""`score_candidate` (value: interview id): opens the panelist's scorecard, prefilled with
their last answers. Anyone not on the panel, or a locked scorecard, gets an ephemeral answer
(handlers/errors.py) and no modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.i18n import translator
from bot.scorecards.builders.modal import ScorecardModal
from bot.scorecards.service import load_form
from bot.services import Services
from handlers.payload import action_value, team_id_of


def score_candidate(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    form = load_form(services, team_id_of(body), action_value(body), body["user"]["id"])
    modal = ScorecardModal(translator(form.language), form)
    client.views_open(trigger_id=body["trigger_id"], view=modal.view(0))
