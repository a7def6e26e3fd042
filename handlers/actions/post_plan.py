"""`post_plan` (value: interview id): the recruiter or the hiring lead posts a plan that is
still waiting (the bot was not in the private channel). The request is stored, then the
plan is posted and the answer replaces the message the button was in (bot/performers.py),
so a stale "Post plan" button does not linger; pressing twice posts once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.outbox.effects import reply_target
from bot.plan.service import request_plan_post
from bot.services import Services
from handlers.payload import action_value, team_id_of


def post_plan(ack: Ack, body: dict[str, Any], services: Services) -> None:
    request_plan_post(services, team_id_of(body), action_value(body), body["user"]["id"],
                      reply_target(body), body.get("response_url"))
    ack()
