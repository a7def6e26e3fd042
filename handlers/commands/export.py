"""`/interview export <id>`: the hiring lead or the recruiter gets the interview as a CSV
(one row per rating) and a JSON file (everything) in a DM from the bot."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.export import check_can_export, export_for, upload_export
from handlers.commands.base import CommandCall

log = logging.getLogger(__name__)


def handle(call: CommandCall) -> None:
    services, t = call.services, call.t
    try:
        interview_id = check_can_export(services, call.team_id, call.args, call.user_id)
    except UserError as err:
        call.ack(text=err.render_in(services.settings.default_language),
                 response_type="ephemeral")
        return
    call.ack(text=t._("Preparing the export of interview {id}; the files arrive in a DM from "
                      "me.", id=interview_id), response_type="ephemeral")
    try:
        upload_export(services, call.user_id,
                      export_for(services, call.team_id, interview_id, call.user_id))
    except UserError as err:  # deleted or changed hands in the meantime
        call.respond(text=err.render_in(services.settings.default_language),
                     response_type="ephemeral")
    except SlackApiError as error:
        log.warning("export of interview %s not uploaded: %s", interview_id,
                    error.response.get("error"))
        call.respond(text=t._("Slack did not take the files ({error}); try again in a "
                              "moment.", error=error.response.get("error") or "error"),
                     response_type="ephemeral")
