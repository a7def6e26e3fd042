"""A new interview going out: its plan, its kits, and the answer to the recruiter where the
command was run."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.errors import UserError
from bot.i18n import translator
from bot.plan.builders.plan import setup_reply
from bot.plan.publish import (
    publish_new_interview,
)
from bot.services import Services
from bot.slack.blocks import Message

log = logging.getLogger(__name__)


def publish_new(services: Services, payload: dict[str, Any]) -> None:
    """The plan, the kits, then the recruiter's answer: where the plan is, or what to do."""
    try:
        published = publish_new_interview(services, payload["interview_id"],
                                          payload["recruiter_id"])
    except UserError:  # deleted before it went out
        return
    message = setup_reply(translator(published.language), published)
    tell_recruiter(services, payload["reply"], payload["recruiter_id"], message)


def tell_recruiter(services: Services, reply: dict[str, Any], user_id: str,
                   message: Message) -> None:
    """Ephemeral where the command was run: through its response_url (works even in a
    private channel the bot is not in), else chat.postEphemeral, else a DM."""
    response_url = reply.get("response_url")
    if response_url:
        try:
            answer = WebhookClient(response_url).send(
                text=message.text, blocks=message.blocks or None, response_type="ephemeral")
            if answer.status_code == 200:
                return
            log.info("response_url answered %s; trying an ephemeral", answer.status_code)
        except OSError as failure:
            log.info("response_url failed (%s); trying an ephemeral", failure)
    channel_id = reply.get("channel_id")
    blocks = message.blocks or None
    if channel_id and not channel_id.startswith("D"):
        try:
            services.client.chat_postEphemeral(channel=channel_id, user=user_id,
                                               text=message.text, blocks=blocks)
            return
        except SlackApiError as failure:
            log.info("ephemeral failed (%s); sending a DM", failure.response.get("error"))
    services.client.chat_postMessage(channel=user_id, text=message.text, blocks=blocks)
