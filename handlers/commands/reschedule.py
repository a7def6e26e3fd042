"""`/interview reschedule <id>`: opens the reschedule modal, prefilled with the interview's
times (the hiring lead or the recruiter only; the modal's submission does the moving)."""

from __future__ import annotations

from bot.lifecycle.service import Action
from handlers.commands.base import CommandCall
from handlers.commands.lifecycle_modal import open_lifecycle_modal


def handle(call: CommandCall) -> None:
    open_lifecycle_modal(call, Action.RESCHEDULE)
