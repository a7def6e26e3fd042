"""`/interview delete <id>`: a confirmation modal naming the candidate (the hiring lead or the
recruiter only); the confirmed modal deletes the candidate's data for good."""

from __future__ import annotations

from bot.lifecycle.service import Action
from handlers.commands.base import CommandCall
from handlers.commands.lifecycle_modal import open_lifecycle_modal


def handle(call: CommandCall) -> None:
    open_lifecycle_modal(call, Action.DELETE)
