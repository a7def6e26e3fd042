"""`/interview sets`: the workspace's question sets (its own and those shipped), with
buttons to upload a set or a new version, preview one, and download one as YAML."""

from __future__ import annotations

from bot.sets.builders import sets_message
from bot.sets.service import overview
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    message = sets_message(call.t, overview(call.services, call.team_id, call.user_id))
    call.ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
