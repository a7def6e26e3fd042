"""callback_id `delete_interview`: the deletion of the candidate's data is confirmed. Before
the ack the data goes; the channel messages are then edited to say "deleted" and the person
who asked is told (from the outbox). A retried delivery finds it deleted and does nothing
more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_
from bot.lifecycle.builders import read_metadata
from bot.lifecycle.service import delete_candidate_data
from bot.services import Services
from handlers.payload import team_id_of


def delete_interview(ack: Ack, body: dict[str, Any], services: Services) -> None:
    meta = read_metadata(body["view"])
    if meta is None:
        raise UserError(N_("This form has lost its interview; run `/interview delete` "
                           "again."))
    user_id = body["user"]["id"]
    delete_candidate_data(services, team_id_of(body), meta.interview_id, user_id,
                          meta.reply_to(user_id))
    ack()
