"""`/interview summary <id>`: the debrief summary, just for the reader: the hiring lead, the
recruiter, and panelists whose own scorecard is in. Others are refused."""

from __future__ import annotations

from bot.debrief.builders.summary import debrief_summary_message
from bot.debrief.service import summary_for
from bot.i18n import translator
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    summary, organiser = summary_for(call.services, call.team_id, call.args, call.user_id)
    message = debrief_summary_message(translator(summary.language), summary,
                                      organiser=organiser)
    call.ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
