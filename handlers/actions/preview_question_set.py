"""`preview_question_set` (value: the set), on the `/interview sets` list: the set in a
modal, as the preview before publishing shows it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.sets.builders import preview_modal
from bot.sets.service import set_for
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def preview_question_set(ack: Ack, body: dict[str, Any], client: WebClient,
                         services: Services) -> None:
    ack()
    language = services.settings.default_language
    try:
        entry = set_for(services, team_id_of(body), action_value(body))
    except UserError as err:
        tell_user(client, body, err.render_in(language))
        return
    client.views_open(trigger_id=body["trigger_id"], view=preview_modal(
        translator(language), entry.question_set, entry=entry))
