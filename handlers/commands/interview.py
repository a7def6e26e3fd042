"""`/interview <subcommand> ...`: splits the text and hands over to the subcommand's module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.services import Services
from handlers.commands import cancel as cancel_command
from handlers.commands import debrief as debrief_command
from handlers.commands import delete as delete_command
from handlers.commands import export as export_command
from handlers.commands import help as help_command
from handlers.commands import list as list_command
from handlers.commands import new as new_command
from handlers.commands import report as report_command
from handlers.commands import reschedule as reschedule_command
from handlers.commands import sets as sets_command
from handlers.commands import summary as summary_command
from handlers.commands.base import CommandCall

Subcommand = Callable[[CommandCall], None]

# Subcommand name -> handler. The module handling `/interview new` is handlers/commands/new.py.
SUBCOMMANDS: dict[str, Subcommand] = {
    "help": help_command.handle,
    "new": new_command.handle,
    "debrief": debrief_command.handle,
    "summary": summary_command.handle,
    "list": list_command.handle,
    "reschedule": reschedule_command.handle,
    "cancel": cancel_command.handle,
    "export": export_command.handle,
    "delete": delete_command.handle,
    "report": report_command.handle,
    "sets": sets_command.handle,
}


def interview(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
              services: Services) -> None:
    name, _, args = (body.get("text") or "").strip().partition(" ")
    name = name.lower()
    call = CommandCall(ack, respond, client, body, services, name, args.strip())
    handler = SUBCOMMANDS.get(name or "help")
    if handler is None:
        help_command.handle(call, not_understood=name)
        return
    handler(call)
