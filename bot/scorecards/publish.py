"""What a stored scorecard shows at Slack: its author's confirmation DM (the version they
submitted, private note included); and a scorecard an older version of the app acked but
had not stored, stored now."""

from __future__ import annotations

from typing import Any

from bot.errors import UserError
from bot.i18n import translator
from bot.interviews import store_posted
from bot.scorecards.builders.views import scorecard_confirmation
from bot.scorecards.service import Answers, stored_version, submit_scorecard
from bot.services import Services
from models import PostedKind


def confirm_scorecard(services: Services, payload: dict[str, Any]) -> None:
    result = stored_version(services, payload["interview_id"], payload["user_id"],
                            payload["version"])
    if result is None:
        return
    message = scorecard_confirmation(translator(result.language), result)
    posted = services.client.chat_postMessage(channel=payload["user_id"], text=message.text,
                                              blocks=message.blocks)
    store_posted(services, result.interview_id, PostedKind.CONFIRMATION, str(posted["channel"]),
                 ts=str(posted["ts"]))


def store_acked_scorecard(services: Services, payload: dict[str, Any]) -> None:
    """A scorecard acked by an older version of the app but not stored before it stopped
    (migration 0004): stored now, once (idempotent on its view id)."""
    try:
        submit_scorecard(services, payload["team_id"], payload["interview_id"],
                         payload["user_id"], Answers(**payload["answers"]),
                         payload["view_id"], opened_by=payload.get("opened_by"))
    except UserError as err:  # the interview changed meanwhile: the author is told
        services.client.chat_postMessage(
            channel=payload["user_id"], text=err.render_in(services.settings.default_language))
