"""An interview's files (CSV and JSON) in the requester's DM."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.export.service import export_for, upload_export
from bot.i18n import translator
from bot.services import Services
from bot.slack.failures import PermanentError, classify
from bot.slack.replies import tell_privately


def send_export(services: Services, payload: dict[str, Any]) -> None:
    """The files in the requester's DM; a refusal (deleted, no longer an organiser) or
    Slack refusing the files for good is told through the command's response URL."""
    try:
        files = export_for(services, payload["team_id"], payload["interview_id"],
                           payload["user_id"])
        upload_export(services, payload["user_id"], files)
    except UserError as err:
        tell_privately(services.client, payload, err.render_in(services.settings.default_language))
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        t = translator(services.settings.default_language)
        tell_privately(services.client, payload, t._(
            "Slack did not take the files ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))
