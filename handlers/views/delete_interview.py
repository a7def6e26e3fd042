"""callback_id `delete_interview`: the deletion of the candidate's data is confirmed. The
data goes, the channel messages say "deleted", and the person who asked is told. A retried
delivery finds it deleted and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lifecycle import read_metadata
from bot.errors import UserError
from bot.i18n import translator
from bot.lifecycle import delete_candidate_data
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    @app.view("delete_interview")
    def on_delete_interview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        meta = read_metadata(body["view"])
        if meta is None:
            return
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        try:
            deleted = delete_candidate_data(services, team_id, meta.interview_id, user_id)
        except UserError as err:
            tell_user(
                client,
                body,
                err.render_in(services.settings.default_language),
                channel=meta.reply_channel,
            )
            return
        if not deleted.changed:
            return
        t = translator(deleted.language)
        text = t._("The candidate's data of interview {id} is deleted.", id=deleted.interview_id)
        if deleted.failed:
            text += " " + t.ngettext(
                "{n} Slack message could not be changed; delete it by hand.",
                "{n} Slack messages could not be changed; delete them by hand.",
                len(deleted.failed),
            )
        tell_user(client, body, text, channel=meta.reply_channel)
