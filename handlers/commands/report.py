"""`/interview report [days]`: a recruiter or hiring lead gets the calibration report of the
interviews they organised (the message, a chart and a CSV) in a DM from the bot."""

from __future__ import annotations

from bot.report.service import request_report
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    request = request_report(call.services, call.team_id, call.user_id, call.args,
                             call.body.get("response_url"))
    call.ack(text=call.t._("Preparing your calibration report for the last {days} days; it "
                           "arrives in a DM from me.", days=request.days),
             response_type="ephemeral")
