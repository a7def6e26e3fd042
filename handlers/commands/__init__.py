"""The `/interview` slash command."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.commands import interview


def register(app: App, services: Services) -> None:
    interview.register(app, services)
