"""`upload_question_set`, on the `/interview sets` list: the upload modal for those who may
publish; anyone else is told who may."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.sets.builders import upload_modal
from bot.sets.service import require_publisher
from bot.slack.replies import tell_user


def upload_question_set(ack: Ack, body: dict[str, Any], client: WebClient,
                        services: Services) -> None:
    ack()
    language = services.settings.default_language
    try:
        require_publisher(services, body["user"]["id"])
    except UserError as err:
        tell_user(client, body, err.render_in(language))
        return
    client.views_open(trigger_id=body["trigger_id"],
                      view=upload_modal(translator(language), language))
