"""callback_id `add_panelist`: someone joins the panel. Checked first (an organiser, the
interview open, a real active person not on the panel yet; problems go next to the
field); then, before the ack, they are put on the panel, the focus is shared out again and
the reminders re-planned, and what follows is stored with it: the new kit, the others'
kits updated, the thread told. A retried delivery finds them on the panel and does nothing
more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_
from bot.lifecycle import service as lifecycle
from bot.lifecycle.builders import PANELIST_BLOCK, read_metadata, selected_user
from bot.lifecycle.service import check_new_panelist
from bot.services import Services
from handlers.payload import team_id_of


def add_panelist(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    meta = read_metadata(view)
    if meta is None:
        raise UserError(N_("This form has lost its interview; choose “Add a panelist” "
                           "again."))
    new_user = selected_user(view)
    _, problem = check_new_panelist(services, team_id, meta.interview_id, user_id, new_user)
    if problem or not new_user:
        ack(response_action="errors", errors={PANELIST_BLOCK: problem or ""})
        return
    lifecycle.add_panelist(services, team_id, meta.interview_id, user_id, new_user)
    ack()
