"""An interview's files (CSV and JSON) in the requester's DM, each recorded as posted about
the candidate so that deleting the candidate deletes the files too."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.export.service import ExportFiles, export_for
from bot.i18n import translator
from bot.interviews import record_posted
from bot.services import Services
from bot.slack.failures import PermanentError, classify
from bot.slack.replies import tell_privately
from models import PostedKind, transaction


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


def upload_export(services: Services, user_id: str, files: ExportFiles) -> str:
    """Both files in the requester's DM (files go to a conversation id, not a user id),
    recorded as posted about the candidate; the DM channel id."""
    client = services.client
    channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    t = translator(files.language)
    uploaded = client.files_upload_v2(
        channel=channel,
        initial_comment=t.ngettext(
            "Interview {ids}: the ratings as CSV (one row per rating) and the whole interview "
            "as JSON. They hold candidate data: keep them safe.",
            "Interviews {ids}, every round of the candidate: the ratings as CSV (one row per "
            "rating) and the whole loop as JSON. They hold candidate data: keep them safe.",
            len(files.interview_ids), ids=", ".join(str(i) for i in files.interview_ids)),
        file_uploads=[
            {"content": files.csv.encode("utf-8"), "filename": files.filename("csv"),
             "title": files.filename("csv")},
            {"content": files.json.encode("utf-8"), "filename": files.filename("json"),
             "title": files.filename("json")},
        ],
    )
    with transaction(services.db) as session:
        for file in uploaded.get("files") or []:
            record_posted(session, services, files.interview_ids[-1], PostedKind.EXPORT_FILE,
                          channel, file_id=str(file["id"]))
    return channel
