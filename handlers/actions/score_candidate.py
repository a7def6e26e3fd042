"""`score_candidate` (value: interview id): opens the panelist's scorecard, prefilled with
their last answers. Anyone not on the panel, or a locked scorecard, gets an ephemeral answer
and no modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.scorecard_modal import ScorecardModal
from bot.errors import UserError
from bot.i18n import translator
from bot.scorecards import load_form
from bot.services import Services
from handlers.payload import action_value, team_id_of
from handlers.replies import tell_user


def register(app: App, services: Services) -> None:
    @app.action("score_candidate")
    def score_candidate(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        value = action_value(body)
        try:
            form = load_form(services, team_id, value, user_id)
        except UserError as err:
            tell_user(client, body, err.render_in(services.settings.default_language))
            return
        modal = ScorecardModal(translator(form.language), form)
        client.views_open(trigger_id=body["trigger_id"], view=modal.view(0))
