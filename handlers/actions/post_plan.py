"""`post_plan` (value: interview id): the recruiter or the hiring lead posts a plan that is
still waiting (the bot was not in the private channel). The answer replaces the message the
button was in, so a stale "Post plan" button does not linger; pressing twice posts once."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.base import Message
from bot.blocks.plan import needs_invite_message, plan_posted_message
from bot.errors import UserError
from bot.i18n import translator
from bot.plan import PlanStatus, publish_plan
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import action_value, team_id_of

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.action("post_plan")
    def post_plan(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        value = action_value(body)
        t = translator(services.settings.default_language)
        try:
            result = publish_plan(services, team_id, value, user_id)
        except UserError as err:
            tell_user(client, body, err.render(t))
            return
        except SlackApiError as error:
            code = str(error.response.get("error") or "error")
            log.warning("plan of interview %s not posted: %s", value, code)
            tell_user(client, body, t._("Slack did not take the plan ({error}); try again in a "
                                        "moment.", error=code))
            return
        t = translator(result.language)
        if result.status == PlanStatus.NEEDS_INVITE:
            message = needs_invite_message(t, result.interview_id, result.channel_id)
        elif result.status == PlanStatus.POSTED:
            message = plan_posted_message(t, result.interview_id, result.channel_id)
        else:
            message = plan_posted_message(t, result.interview_id, result.channel_id,
                                          already=True)
        answer(client, body, respond, message)


def answer(client: WebClient, body: dict[str, Any], respond: Respond, message: Message) -> None:
    """In place of the message with the button when Slack gave a response_url (an ephemeral
    or a message); else ephemerally."""
    if body.get("response_url"):
        try:
            reply = respond(text=message.text, blocks=message.blocks, replace_original=True)
            if reply.status_code == 200:
                return
            log.info("response_url answered %s; answering ephemerally", reply.status_code)
        except OSError as failure:  # an unreachable response_url: answer anew
            log.info("response_url failed (%s); answering ephemerally", failure)
    tell_user(client, body, message.text, message.blocks)

