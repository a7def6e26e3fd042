"""Slack listeners only: parse the payload, call bot/, reply. One module per listener:
an action_id `score_candidate` is handled in handlers/actions/score_candidate.py, a modal's
callback_id `new_interview` in handlers/views/new_interview.py.

A listener that changes state commits before it acks. The side effects its transaction
stored (bot/outbox.py) are performed once it returns, after the ack; whatever it raises is
answered by handlers/errors.py."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, errors, events, views


def register_listeners(app: App, services: Services) -> None:
    errors.register(app, services)
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)
