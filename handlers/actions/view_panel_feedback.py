"""`view_panel_feedback` (value: interview id): the others' scorecards, for a panelist whose
own is in, and everyone's for the hiring lead and the recruiter; anyone else is refused
ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.scorecard_views import panel_feedback_modal
from bot.errors import UserError
from bot.i18n import translator
from bot.scorecards import panel_feedback
from bot.services import Services
from handlers.payload import action_value, team_id_of
from handlers.replies import tell_user


def register(app: App, services: Services) -> None:
    @app.action("view_panel_feedback")
    def view_panel_feedback(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        value = action_value(body)
        try:
            feedback = panel_feedback(services, team_id, value, user_id)
        except UserError as err:
            tell_user(client, body, err.render_in(services.settings.default_language))
            return
        view = panel_feedback_modal(translator(feedback.language), feedback)
        client.views_open(trigger_id=body["trigger_id"], view=view)
