"""`view_panel_feedback` (value: interview id): the others' scorecards, for a panelist whose
own is in, and everyone's for the hiring lead and the recruiter; anyone else is refused
ephemerally. Acked at once; the modal is the urgent job `open_panel_feedback`
(bot/jobs.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.jobs import click_payload
from bot.services import Services
from handlers.payload import action_value, team_id_of


def register(app: App, services: Services) -> None:
    @app.action("view_panel_feedback")
    def view_panel_feedback(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        services.defer("open_panel_feedback", click_payload(body, team_id_of(body),
                                                       action_value(body)))
