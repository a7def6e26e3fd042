"""`/interview export <id>`: the hiring lead or the recruiter gets the interview as a CSV
(one row per rating) and a JSON file (everything) in a DM from the bot. Asked twice within
a few minutes (or replayed), the files are sent once."""

from __future__ import annotations

from bot.export.service import request_export
from bot.i18n import translator
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    request = request_export(call.services, call.team_id, call.args, call.user_id,
                             call.body.get("response_url"))
    t = translator(call.services.settings.default_language)
    if request.sent_before is not None:
        text = t._("You asked for the export of interview {id} a moment ago; the files are "
                   "in your DM from me.", id=request.interview_id)
    else:
        text = t._("Preparing the export of interview {id}; the files arrive in a DM from "
                   "me.", id=request.interview_id)
    call.ack(text=text, response_type="ephemeral")
