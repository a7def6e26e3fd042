"""Listeners for Slack views, one module each; register() wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.views import scorecard

MODULES: list = [scorecard]


def register(app: App, services: Services) -> None:
    for module in MODULES:
        module.register(app, services)
