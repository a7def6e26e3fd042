"""What `/interview cancel|delete|reschedule <id>` share: check the id and the person, then
open that action's modal (the modal's submission does the work)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.lifecycle.publish import modal_view
from bot.lifecycle.service import Action
from handlers.commands.base import CommandCall

log = logging.getLogger(__name__)


def open_lifecycle_modal(call: CommandCall, action: Action) -> None:
    services = call.services
    try:  # a quick read, so the trigger (3 seconds) is still fresh for the modal
        view = modal_view(services, call.team_id, call.args, call.user_id, action,
                          call.channel_id)
    except UserError as err:
        call.ack(text=err.render_in(services.settings.default_language),
                 response_type="ephemeral")
        return
    call.ack()
    try:
        call.client.views_open(trigger_id=call.body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("%s modal not opened: %s", action.value, error.response.get("error"))
        call.respond(text=call.t._("Slack did not open the form ({error}); run the command "
                                   "again.", error=error.response.get("error") or "error"),
                     response_type="ephemeral")
