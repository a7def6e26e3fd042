"""`/interview debrief <id>`: the hiring lead or the recruiter posts the debrief summary in
the plan's thread now (or refreshes it there)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.debrief import check_can_run_debrief, publish_summary
from bot.errors import UserError
from handlers.commands.base import CommandCall

log = logging.getLogger(__name__)


def handle(call: CommandCall) -> None:
    services, t = call.services, call.t
    try:
        interview_id = check_can_run_debrief(services, call.team_id, call.args, call.user_id)
    except UserError as err:
        call.ack(text=err.render_in(services.settings.default_language),
                 response_type="ephemeral")
        return
    call.ack(text=t._("Posting the debrief summary of interview {id} in its thread…",
                      id=interview_id), response_type="ephemeral")
    try:
        publish_summary(services, interview_id, call.user_id)
    except UserError as err:
        call.respond(text=err.render_in(services.settings.default_language),
                     response_type="ephemeral")
    except SlackApiError as error:
        log.warning("debrief summary not posted: %s", error.response.get("error"))
        call.respond(text=t._("Slack did not take the summary ({error}); try again in a "
                              "moment.", error=error.response.get("error") or "error"),
                     response_type="ephemeral")
