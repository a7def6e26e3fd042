"""The people a service asks about (time zone, bot or not, active or not), as services see
them: no Slack types. bot/slack/users.py looks them up in Slack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    tz: str
    is_bot: bool
    deleted: bool

    @property
    def can_interview(self) -> bool:
        return not self.is_bot and not self.deleted


class PeopleUnavailable(Exception):
    """The directory could not answer now (Slack failed, the network is down)."""


class People(Protocol):
    def get(self, user_id: str) -> Person | None:
        """The person, or None when nobody has that id. Raises PeopleUnavailable."""

    def tz(self, user_id: str, default: str = "UTC") -> str:
        """Their time zone name. Raises PeopleUnavailable."""


def display_names(people: People, user_ids: list[str]) -> dict[str, str]:
    """Each person's name for files people read outside Slack (exports, reports); "" where
    the directory does not know them or cannot answer now."""
    names = {}
    for user_id in user_ids:
        try:
            found = people.get(user_id)
        except PeopleUnavailable:
            found = None
        names[user_id] = found.name if found else ""
    return names
