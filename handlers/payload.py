"""Reading the few fields listeners need from Slack's interaction payloads."""

from __future__ import annotations

from typing import Any


def team_id_of(body: dict[str, Any]) -> str:
    """The workspace of a block_actions or view_submission payload."""
    return (body.get("team") or {}).get("id") or body["user"].get("team_id", "")


def action_value(body: dict[str, Any]) -> str:
    """The clicked button's value (an interview id on our buttons)."""
    return str(body["actions"][0].get("value") or "")
