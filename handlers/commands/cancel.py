"""`/interview cancel <id>`: asks for confirmation in a modal (the hiring lead or the recruiter
only); the confirmed modal cancels."""

from __future__ import annotations

from bot.lifecycle.service import Action
from handlers.commands.base import CommandCall
from handlers.commands.lifecycle_modal import open_lifecycle_modal


def handle(call: CommandCall) -> None:
    open_lifecycle_modal(call, Action.CANCEL)
