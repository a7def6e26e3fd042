"""`/interview debrief <id>`: the hiring lead or the recruiter posts the debrief summary in
the plan's thread now (or refreshes it there). Stored before the ack; a refusal from Slack
comes back through the command's response_url. An organiser on the panel whose own
scorecard is not in is asked first, as with the button (handlers/actions/start_debrief.py)."""

from __future__ import annotations

from bot.debrief.builders.start import own_scorecard_missing_message
from bot.debrief.service import start_debrief
from bot.i18n import translator
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    reply_to = {"user": {"id": call.user_id}, "channel": {"id": call.channel_id}}
    target = start_debrief(call.services, call.team_id, call.args, call.user_id, reply_to,
                           call.body.get("response_url"))
    t = translator(target.language)
    if target.own_scorecard_missing is not None:
        message = own_scorecard_missing_message(t, target)
        call.ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
        return
    call.ack(text=t._("Posting the debrief summary of interview {id} in its thread…",
                      id=target.interview_id), response_type="ephemeral")
