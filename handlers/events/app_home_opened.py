"""`app_home_opened`: the App Home tab is (re)built from the database each time it is
opened: scorecards owed, upcoming interviews, debriefs led, interviews created."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.home.publish import publish_home
from bot.services import Services

log = logging.getLogger(__name__)


def app_home_opened(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    if event.get("tab", "home") != "home":  # the Messages tab needs nothing from us
        return
    user_id = str(event.get("user") or "")
    if not user_id:
        return
    try:
        publish_home(services, user_id, team_id=body.get("team_id"))
    except SlackApiError as error:
        log.warning("App Home of %s not published: %s", user_id,
                    error.response.get("error"))
