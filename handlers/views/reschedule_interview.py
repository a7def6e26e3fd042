"""callback_id `reschedule_interview`: the reschedule modal is submitted.

Before the ack: who (an organiser), the interview still open, and the times by the setup
form's rules (errors next to the fields). Then the times move with the reminders in one
transaction, and the plan, the kits and the thread follow. A retried delivery finds the
times already moved and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lifecycle import read_metadata
from bot.blocks.setup_modal import NewInterviewModal
from bot.errors import UserError
from bot.i18n import translator
from bot.lifecycle import check_reschedule, reschedule
from bot.new_interview import STARTS_AT_BLOCK
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    @app.view("reschedule_interview")
    def reschedule_interview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        default = services.settings.default_language
        meta = read_metadata(view)
        if meta is None:
            ack(
                response_action="errors",
                errors={
                    STARTS_AT_BLOCK: translator(default)._(
                        "This form has lost its interview; run `/interview reschedule` again."
                    )
                },
            )
            return
        form = NewInterviewModal.read((view.get("state") or {}).get("values"))
        try:
            _, errors = check_reschedule(services, team_id, meta.interview_id, user_id, form)
        except UserError as err:
            ack(response_action="errors", errors={STARTS_AT_BLOCK: err.render_in(default)})
            return
        if errors or not (form.starts_at and form.ends_at and form.debrief_at):
            ack(response_action="errors", errors=errors)
            return
        ack()
        try:
            change = reschedule(
                services,
                team_id,
                meta.interview_id,
                user_id,
                form.starts_at,
                form.ends_at,
                form.debrief_at,
            )
        except UserError as err:  # cancelled or decided since the check
            tell_user(client, body, err.render_in(default), channel=meta.reply_channel)
            return
        if change.changed and not change.plan_ts:  # no thread to see it in
            t = translator(change.language)
            tell_user(
                client,
                body,
                t._(
                    "Interview {id} is rescheduled; the kits and the reminders have moved.",
                    id=change.interview_id,
                ),
                channel=meta.reply_channel,
            )
