"""Updating a message that several processes may re-render at once.

No lock is held across a Slack call. Instead, whoever updates a message renders it again
afterwards and updates once more if it changed: an update that overtook a newer one
(another process, a slow request) is corrected by its own next round.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack.blocks import Message

# Where a message is and what it should say now; None: there is nothing to update.
Target = tuple[str, str, Message]
UPDATE_ROUNDS = 3  # a bound, in case a render is not a pure function of the database


def update_until_current(client: WebClient, current: Callable[[], Target | None]) -> None:
    """chat.update the message to what `current()` renders, then render again and repeat
    while it changed. No lock is held across the Slack call; instead, whoever updates last
    has checked after its update that the message shows the latest state, so an update
    that overtook a newer one (another process, a slow request) is corrected by its own
    next round. Slack errors are raised."""
    sent: Message | None = None
    for _ in range(UPDATE_ROUNDS):
        target = current()
        if target is None or target[2] == sent:
            return
        channel, ts, message = target
        client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        sent = message
