"""`/interview help`, and the answer to anything not understood."""

from __future__ import annotations

from bot.help.builders import help_message
from handlers.commands.base import CommandCall


def handle(call: CommandCall, not_understood: str | None = None) -> None:
    message = help_message(call.t, not_understood=not_understood)
    call.ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
