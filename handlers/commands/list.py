"""`/interview list`: the App Home's sections as an ephemeral message, for people who live
in the message box."""

from __future__ import annotations

from bot.home.builders import list_message
from bot.home.service import LIST_ROWS, load_home
from handlers.commands.base import CommandCall


def handle(call: CommandCall) -> None:
    services = call.services
    data = load_home(services, call.user_id, team_id=call.team_id, rows=LIST_ROWS)
    message = list_message(call.t, data, services.users.tz(call.user_id))
    call.ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
