"""callback_id `remove_panelist`: someone leaves the panel. Their scorecard stays (marked),
their reminders stop, the focus is shared out over the others, the kits are updated and the
thread told. A retried delivery finds them off the panel and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lifecycle import PANELIST_BLOCK, read_metadata, selected_user
from bot.errors import UserError
from bot.i18n import translator
from bot.lifecycle import remove_panelist
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    @app.view("remove_panelist")
    def on_remove_panelist(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        default = services.settings.default_language
        meta = read_metadata(view)
        leaving = selected_user(view)
        if meta is None or not leaving:
            ack(
                response_action="errors",
                errors={PANELIST_BLOCK: translator(default)._("Pick the person to remove.")},
            )
            return
        ack()
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        try:
            remove_panelist(services, team_id, meta.interview_id, user_id, leaving)
        except UserError as err:
            tell_user(client, body, err.render_in(default), channel=meta.reply_channel)
