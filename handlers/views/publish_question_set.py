"""callback_id `publish_question_set`: the preview of an uploaded set is submitted.

The draft (its id is the view's private_metadata) becomes the set's latest version before
the ack, for someone who may publish; a retried submission finds it published. The modal
then says what happened; a refusal or a draft replaced meanwhile is said in the modal
(handlers/errors.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_, translator
from bot.services import Services
from bot.sets.builders import published_modal
from bot.sets.service import publish
from handlers.payload import team_id_of


def publish_question_set(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    draft = str(view.get("private_metadata") or "")
    if not draft.isdigit():
        raise UserError(N_("This form is not a question-set preview; upload the file again."))
    published = publish(services, team_id_of(body), body["user"]["id"], int(draft))
    ack(response_action="update",
        view=published_modal(translator(services.settings.default_language), published))
