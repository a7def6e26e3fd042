"""callback_id `upload_question_set`: a file was picked in the upload modal.

Before the ack (Slack's 3 seconds): who is uploading may publish, the file is read from
Slack and parsed; a set that parses is stored as a draft and the modal turns into its
preview (callback_id `publish_question_set`); a file with problems brings the upload modal
back with every problem listed, each with its line. A refusal, or Slack not handing the
file over, appears next to the file input (handlers/errors.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.i18n import translator
from bot.services import Services
from bot.sets.builders import preview_modal, read_upload_form, upload_modal
from bot.sets.publish import receive_upload
from handlers.payload import team_id_of


def upload_question_set(ack: Ack, body: dict[str, Any], services: Services) -> None:
    language = services.settings.default_language
    t = translator(language)
    files, csv_language = read_upload_form((body["view"].get("state") or {}).get("values"))
    upload = receive_upload(services, team_id_of(body), body["user"]["id"], files,
                            csv_language)
    if upload.draft is None:
        ack(response_action="update",
            view=upload_modal(t, csv_language or language, upload.problems, upload.file_name))
        return
    ack(response_action="update",
        view=preview_modal(t, upload.draft.question_set, draft=upload.draft))
