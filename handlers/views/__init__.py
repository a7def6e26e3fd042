"""Listeners for Slack views, one module each; register() wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.views import (
    add_panelist,
    cancel_interview,
    delete_interview,
    new_interview,
    record_decision,
    remove_panelist,
    reschedule_interview,
    scorecard,
)

MODULES: list = [scorecard]
MODULES += [record_decision]
MODULES += [new_interview]
MODULES += [reschedule_interview, cancel_interview, delete_interview]
MODULES += [add_panelist, remove_panelist]


def register(app: App, services: Services) -> None:
    for module in MODULES:
        module.register(app, services)
