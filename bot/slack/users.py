"""Slack users as the app needs them: time zone, bot or not, active or not; cached briefly."""

from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.people import PeopleUnavailable, Person

CACHE_SECONDS = 600.0


class UserDirectory:
    """bot.people's People, from Slack's users.info, each answer kept CACHE_SECONDS."""

    def __init__(self, client: WebClient, ttl: float = CACHE_SECONDS) -> None:
        self._client = client
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Person | None]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> Person | None:
        """The user, or None when Slack does not know them."""
        with self._lock:
            hit = self._cache.get(user_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        user = self._fetch(user_id)
        with self._lock:
            self._cache[user_id] = (time.monotonic() + self._ttl, user)
        return user

    def tz(self, user_id: str, default: str = "UTC") -> str:
        user = self.get(user_id)
        return user.tz if user and user.tz else default

    def _fetch(self, user_id: str) -> Person | None:
        try:
            data = self._client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                return None
            raise PeopleUnavailable(str(error.response.get("error"))) from error
        except OSError as error:
            raise PeopleUnavailable(f"network: {error}") from error
        profile = data.get("profile") or {}
        return Person(
            id=data["id"],
            name=profile.get("display_name") or data.get("real_name") or data.get("name", ""),
            tz=data.get("tz") or "UTC",
            is_bot=bool(data.get("is_bot")) or data["id"] == "USLACKBOT",
            deleted=bool(data.get("deleted")),
            is_admin=any(bool(data.get(key))
                         for key in ("is_admin", "is_owner", "is_primary_owner")),
        )
