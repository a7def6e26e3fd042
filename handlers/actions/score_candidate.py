"""`score_candidate` (value: interview id): opens the panelist's scorecard, prefilled with
their last answers. Anyone not on the panel, or a locked scorecard, gets an ephemeral answer
and no modal. Acked at once; the modal is the urgent job `open_scorecard` (bot/jobs.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.jobs import click_payload
from bot.services import Services
from handlers.payload import action_value, team_id_of


def register(app: App, services: Services) -> None:
    @app.action("score_candidate")
    def score_candidate(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        services.defer("open_scorecard", click_payload(body, team_id_of(body),
                                                       action_value(body)))
