"""callback_id `new_interview`: the setup modal is submitted.

Validation errors appear next to the fields and the modal keeps what was typed. A valid
form is stored before the ack, once per view (a retried or doubled delivery finds the first
one's interview), together with what follows (bot/outbox/effects.py): the plan in the channel,
the kits, the App Homes and the answer to the recruiter. If it cannot be stored, the modal
stays open with the error (handlers/errors.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.i18n import translator
from bot.services import Services
from bot.setup.builders import NewInterviewModal, decode_metadata, response_url
from bot.setup.service import create_interview, validate
from handlers.payload import team_id_of


def new_interview(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    t = translator(services.settings.default_language)
    form = NewInterviewModal.read((view.get("state") or {}).get("values"))
    errors = validate(services, form, t, team_id_of(body), user_id)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    meta = decode_metadata(view.get("private_metadata"))
    create_interview(services, team_id=team_id_of(body), recruiter_id=user_id, form=form,
                     source_view_id=view["id"],
                     reply={"channel_id": meta.channel_id,
                            "response_url": response_url(body)})
    ack()
