"""`download_question_set` (value: the set), on the `/interview sets` list: the set as a
YAML file in the clicker's DM, to edit and upload again."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.services import Services
from bot.sets.publish import send_set_file
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def download_question_set(ack: Ack, body: dict[str, Any], client: WebClient,
                          services: Services) -> None:
    ack()
    try:
        send_set_file(services, team_id_of(body), body["user"]["id"], action_value(body))
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
