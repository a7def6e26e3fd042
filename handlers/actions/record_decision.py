"""`record_decision` (value: interview id): opens the decision modal for the hiring lead or
the recruiter (the recruiter only while no decision is recorded); others are told why not."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.debrief.builders.decision import decision_modal
from bot.debrief.service import decision_form
from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def record_decision(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    value = action_value(body)
    try:
        form = decision_form(services, team_id, value, user_id)
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    client.views_open(trigger_id=body["trigger_id"],
                      view=decision_modal(translator(form.language), form))
