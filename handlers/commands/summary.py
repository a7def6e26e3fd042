"""`/interview summary <id>`: the debrief summary, just for the reader: the hiring lead, the
recruiter, and panelists whose own scorecard is in. Others are refused."""

from __future__ import annotations

from bot.blocks.summary import debrief_summary_message
from bot.debrief import summary_for
from bot.errors import UserError
from bot.i18n import translator
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    # Ack at once: the summary's maths and queries must not hold Slack's 3 seconds (nor the
    # worker's other acks); the answer follows through the command's response_url.
    call.ack()
    services = call.services
    try:
        summary, organiser = summary_for(services, call.team_id, call.args, call.user_id)
    except UserError as err:
        call.respond(text=err.render_in(services.settings.default_language),
                     response_type="ephemeral")
        return
    message = debrief_summary_message(translator(summary.language), summary,
                                      organiser=organiser)
    call.respond(text=message.text, blocks=message.blocks, response_type="ephemeral")
