"""What a person does in Slack, step by step, for the end-to-end tests: a datetimepicker's
value, the modal that opened, what the bot told someone alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import World


def picked_time(world: World, **delta: float) -> int:
    """Epoch seconds, as Slack's datetimepicker sends them, relative to the app's clock."""
    moment = world.clock() + timedelta(**delta)
    return int(moment.replace(second=0, microsecond=0).timestamp())


def open_views(world: World, user: str) -> set[str]:
    return {v["id"] for v in world.fake.view_stack(user)}


def top_view(world: World, user: str, callback_id: str,
             not_ids: set[str] | None = None) -> dict[str, Any]:
    """Wait for a modal `callback_id` on top of the user's stack, other than `not_ids`."""
    not_ids = not_ids or set()

    def opened() -> dict[str, Any] | None:
        stack = world.fake.view_stack(user)
        top = stack[-1] if stack else None
        if top and top["callback_id"] == callback_id and top["id"] not in not_ids:
            return top
        return None

    return world.fake.wait_for(opened)


def said_to(world: World, user: str) -> list[str]:
    """What the bot said to one person alone: ephemerals and DMs."""
    return ([e["text"] for e in world.fake.ephemerals(user)]
            + [m["text"] for m in world.fake.dms(user)])


def told(world: World, user: str, words: str) -> dict[str, Any]:
    """Wait for an ephemeral or a DM to `user` containing `words`."""
    return world.fake.wait_for(lambda: next(
        (m for m in world.fake.ephemerals(user) + world.fake.dms(user)
         if words in m["text"]), None))
