"""Listeners for Slack events, one module each; register() wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.events import app_home_opened

MODULES: list = [app_home_opened]


def register(app: App, services: Services) -> None:
    for module in MODULES:
        module.register(app, services)
