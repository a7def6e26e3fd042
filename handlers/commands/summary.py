"""`/interview summary <id>`: the debrief summary, just for the reader: the hiring lead, the
recruiter, and panelists whose own scorecard is in. Others are refused."""

from __future__ import annotations

from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    # Ack at once: the summary's maths and queries must not hold Slack's 3 seconds (nor the
    # worker's other acks). The answer follows through the command's response_url, from the
    # job `reply_summary` (bot/jobs.py).
    call.ack()
    call.services.defer("reply_summary", {
        "team_id": call.team_id, "user_id": call.user_id, "interview": call.args,
        "response_url": call.body["response_url"]})
