"""`start_debrief` (value: interview id): the hiring lead or the recruiter posts the debrief
summary in the plan's thread now (or refreshes it in place if it is already there)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.debrief import start_debrief
from bot.errors import UserError
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import action_value, team_id_of

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.action("start_debrief")
    def on_start_debrief(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        value = action_value(body)
        try:
            start_debrief(services, team_id, value, user_id)
        except UserError as err:  # refused, or Slack did not take it: in the interview's language
            tell_user(client, body, err.render_in(services.settings.default_language))
