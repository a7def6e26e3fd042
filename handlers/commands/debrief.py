"""`/interview debrief <id>`: the hiring lead or the recruiter posts the debrief summary in
the plan's thread now (or refreshes it there)."""

from __future__ import annotations

import logging

from bot.debrief import check_can_run_debrief, publish_for
from bot.errors import UserError
from bot.i18n import translator
from handlers.commands.base import CommandCall

log = logging.getLogger(__name__)


def handle(call: CommandCall) -> None:
    default = call.services.settings.default_language
    try:
        target = check_can_run_debrief(call.services, call.team_id, call.args, call.user_id)
    except UserError as err:
        call.ack(text=err.render_in(default), response_type="ephemeral")
        return
    t = translator(target.language)
    call.ack(text=t._("Posting the debrief summary of interview {id} in its thread…",
                      id=target.interview_id), response_type="ephemeral")
    try:
        publish_for(call.services, target, call.user_id)
    except UserError as err:
        call.respond(text=err.render_in(default), response_type="ephemeral")
