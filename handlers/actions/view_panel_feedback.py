"""`view_panel_feedback` (value: interview id): the others' scorecards, for a panelist whose
own is in (an organiser on the panel too), and everyone's for a hiring lead and a recruiter
not on it; anyone else is refused ephemerally (handlers/errors.py). Opening it is the
moment the panelist has seen the panel (stored before the ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.i18n import translator
from bot.scorecards.builders.views import panel_feedback_modal
from bot.scorecards.service import panel_feedback
from bot.services import Services
from handlers.payload import action_value, team_id_of


def view_panel_feedback(ack: Ack, body: dict[str, Any], client: WebClient,
                        services: Services) -> None:
    feedback = panel_feedback(services, team_id_of(body), action_value(body),
                              body["user"]["id"])
    ack()
    client.views_open(trigger_id=body["trigger_id"],
                      view=panel_feedback_modal(translator(feedback.language), feedback))
