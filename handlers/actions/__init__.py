"""Listeners for Slack actions, one module each; register() wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.actions import (
    full_scorecards,
    full_scorecards_page,
    plan_menu,
    post_plan,
    record_decision,
    score_candidate,
    scorecard_page,
    start_debrief,
    view_panel_feedback,
)

MODULES: list = [score_candidate, scorecard_page, view_panel_feedback]
MODULES += [start_debrief, record_decision, full_scorecards, full_scorecards_page]
MODULES += [post_plan]
MODULES += [plan_menu]


def register(app: App, services: Services) -> None:
    for module in MODULES:
        module.register(app, services)
