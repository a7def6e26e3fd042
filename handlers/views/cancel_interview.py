"""callback_id `cancel_interview`: the cancellation is confirmed. Before the ack the
interview is cancelled (reminders removed, scorecards locked) and what follows is stored
with it: the plan shows it and the panel is told in the thread (with no plan posted, the
person who cancelled is told). A retried delivery finds it cancelled and does nothing
more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_
from bot.lifecycle import service as lifecycle
from bot.lifecycle.builders import read_metadata
from bot.services import Services
from handlers.payload import team_id_of


def cancel_interview(ack: Ack, body: dict[str, Any], services: Services) -> None:
    meta = read_metadata(body["view"])
    if meta is None:
        raise UserError(N_("This form has lost its interview; run `/interview cancel` "
                           "again."))
    user_id = body["user"]["id"]
    lifecycle.cancel_interview(services, team_id_of(body), meta.interview_id, user_id,
                     meta.reply_to(user_id))
    ack()
