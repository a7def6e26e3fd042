"""`/interview sets` at Slack: the uploaded file read from Slack (files.info, then its
url_private with the bot token) into a draft or its problems, and a set sent to someone's
DM as a YAML file (files_upload_v2)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.set_files import MAX_UPLOAD_BYTES, UploadProblem, too_big
from bot.errors import UserError
from bot.i18n import N_, translator
from bot.services import Services
from bot.sets.builders import download_comment
from bot.sets.service import Draft, read_upload, require_publisher, set_file, store_draft
from bot.slack.files import DownloadFailed, TooBig, download, file_info

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """What came of an uploaded file: a draft to preview, or the problems to fix."""

    file_name: str
    draft: Draft | None
    problems: list[UploadProblem] = field(default_factory=list)


def receive_upload(services: Services, team_id: str, user_id: str,
                   files: list[dict[str, Any]], language: str | None) -> Upload:
    """Read the file picked in the upload modal and store it as a draft, or say what is
    wrong with it. NotAllowed for someone who may not publish; a UserError when Slack does
    not hand the file over."""
    require_publisher(services, user_id)
    if not files:
        raise UserError(N_("Pick a file to upload."))
    try:
        found = file_info(services.client, str(files[0].get("id") or ""))
        content = download(services.client, found, MAX_UPLOAD_BYTES)
    except TooBig as big:
        return Upload(str(files[0].get("name") or ""), None, [too_big(big.size)])
    except (SlackApiError, DownloadFailed) as error:
        reason = (error.response.get("error") if isinstance(error, SlackApiError)
                  else str(error)) or "error"
        log.warning("an uploaded question set could not be read: %s", reason)
        raise UserError(N_("Slack did not hand the file over ({error}); upload it again in "
                           "a moment."), error=reason) from None
    parsed = read_upload(content, found.name, language or services.settings.default_language)
    if parsed.problems or parsed.question_set is None:
        return Upload(found.name, None, parsed.problems)
    return Upload(found.name, store_draft(services, team_id, user_id, parsed.question_set))


def send_set_file(services: Services, team_id: str, user_id: str, value: str) -> None:
    """The set as a YAML file in the user's DM, with a line on what to do with it."""
    t = translator(services.settings.default_language)
    name, text, entry = set_file(services, team_id, value)
    client = services.client
    channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    client.files_upload_v2(channel=channel, content=text.encode("utf-8"), filename=name,
                           title=name, initial_comment=download_comment(t, name, entry))
