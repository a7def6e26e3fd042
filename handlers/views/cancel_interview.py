"""callback_id `cancel_interview`: the cancellation is confirmed. The interview is
cancelled (reminders removed, scorecards locked), the plan shows it and the panel is told
in the thread. A retried delivery finds it cancelled and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lifecycle import read_metadata
from bot.errors import UserError
from bot.i18n import translator
from bot.lifecycle import cancel_interview
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    @app.view("cancel_interview")
    def on_cancel_interview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        meta = read_metadata(body["view"])
        if meta is None:
            return
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        try:
            change = cancel_interview(services, team_id, meta.interview_id, user_id)
        except UserError as err:
            tell_user(
                client,
                body,
                err.render_in(services.settings.default_language),
                channel=meta.reply_channel,
            )
            return
        if change.changed and not change.plan_ts:
            t = translator(change.language)
            tell_user(
                client,
                body,
                t._("Interview {id} is cancelled; its reminders are off.", id=change.interview_id),
                channel=meta.reply_channel,
            )
