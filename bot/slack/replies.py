"""How the app answers one person: ephemeral where Slack allows it, a DM otherwise."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def tell_user(client: WebClient, body: dict[str, Any], text: str,
              blocks: list[dict[str, Any]] | None = None, *, channel: str | None = None) -> None:
    """Answer the person who clicked: an ephemeral message in the channel the click came
    from (or `channel`: where a modal was opened from); from App Home or a modal with no
    such channel, a DM from the bot."""
    user_id = body["user"]["id"]
    channel = channel or (body.get("channel") or {}).get("id") or (
        body.get("container") or {}).get("channel_id")
    thread_ts = (body.get("message") or {}).get("thread_ts")
    try:
        if channel and not channel.startswith("D"):
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks,
                                      thread_ts=thread_ts)
            return
    except SlackApiError as error:
        log.info("ephemeral reply failed (%s); sending a DM", error.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def tell_privately(client: WebClient, where: Mapping[str, Any], text: str) -> None:
    """An ephemeral answer through the command's or the click's `response_url` (which
    works where the bot may not post, a private channel it is not in), else tell_user to
    `reply_to` (`where` may hold either or both)."""
    response_url, reply_to = where.get("response_url"), where.get("reply_to")
    if response_url:
        try:
            Respond(response_url=response_url)(text=text, response_type="ephemeral")
            return
        except OSError as failure:
            log.info("response_url failed (%s); answering ephemerally", failure)
    if reply_to:
        tell_user(client, reply_to, text)
