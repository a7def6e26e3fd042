"""`/interview <subcommand> ...`: splits the text and hands over to the subcommand's module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services import Services
from handlers.commands import help as help_command
from handlers.commands.base import CommandCall

Subcommand = Callable[[CommandCall], None]

# Subcommand name -> handler. The module handling `/interview new` is handlers/commands/new.py.
SUBCOMMANDS: dict[str, Subcommand] = {
    "help": help_command.handle,
}


def register(app: App, services: Services) -> None:
    @app.command("/interview")
    def interview(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        name, _, args = (body.get("text") or "").strip().partition(" ")
        name = name.lower()
        call = CommandCall(ack, respond, client, body, services, name, args.strip())
        handler = SUBCOMMANDS.get(name or "help")
        if handler is None:
            help_command.handle(call, not_understood=name)
            return
        handler(call)
