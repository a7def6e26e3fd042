"""callback_id `add_panelist`: someone joins the panel. Checked before the ack (an
organiser, the interview open, a real active person not on the panel yet); then the focus
is shared out again, the reminders re-planned, the new kit sent, the others updated and the
thread told. A retried delivery finds them on the panel and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lifecycle import PANELIST_BLOCK, read_metadata, selected_user
from bot.errors import UserError
from bot.i18n import translator
from bot.lifecycle import add_panelist, check_new_panelist
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    @app.view("add_panelist")
    def on_add_panelist(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        default = services.settings.default_language
        meta = read_metadata(view)
        new_user = selected_user(view)
        if meta is None:
            ack(
                response_action="errors",
                errors={
                    PANELIST_BLOCK: translator(default)._(
                        "This form has lost its interview; choose “Add a panelist” again."
                    )
                },
            )
            return
        try:
            _, problem = check_new_panelist(services, team_id, meta.interview_id, user_id, new_user)
        except UserError as err:
            problem = err.render_in(default)
        if problem or not new_user:
            ack(response_action="errors", errors={PANELIST_BLOCK: problem or ""})
            return
        ack()
        try:
            add_panelist(services, team_id, meta.interview_id, user_id, new_user)
        except UserError as err:
            tell_user(client, body, err.render_in(default), channel=meta.reply_channel)
