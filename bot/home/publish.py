"""One person's App Home, rendered from the database and published (views.publish)."""

from __future__ import annotations

from typing import Any

from bot.home.builders import home_view
from bot.home.service import load_home
from bot.i18n import translator
from bot.services import Services


def publish_home(services: Services, user_id: str, *, team_id: str | None = None) -> None:
    """Build and publish one person's App Home. Slack errors are raised."""
    data = load_home(services, user_id, team_id=team_id, own=True)
    t = translator(services.settings.default_language)
    view = home_view(t, data, services.users.tz(user_id))
    services.client.views_publish(user_id=user_id, view=view)


def refresh_home(services: Services, payload: dict[str, Any]) -> None:
    publish_home(services, payload["user_id"], team_id=payload["team_id"])
