"""callback_id `reschedule_interview`: the reschedule modal is submitted.

Checked first: who (an organiser), the interview still open, and the times by the setup
form's rules (errors next to the fields). Then, before the ack, the times move with the
reminders in one transaction, which also stores what follows: the plan, the kits and the
thread. A retried delivery finds the times already moved and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_
from bot.lifecycle.builders import read_metadata
from bot.lifecycle.service import check_reschedule, reschedule
from bot.services import Services
from bot.setup.builders import NewInterviewModal
from handlers.payload import team_id_of


def reschedule_interview(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    meta = read_metadata(view)
    if meta is None:
        raise UserError(N_("This form has lost its interview; run `/interview "
                           "reschedule` again."))
    form = NewInterviewModal.read((view.get("state") or {}).get("values"))
    _, errors = check_reschedule(services, team_id, meta.interview_id, user_id, form)
    if errors or not (form.starts_at and form.ends_at and form.debrief_at):
        ack(response_action="errors", errors=errors)
        return
    reschedule(services, team_id, meta.interview_id, user_id, form.starts_at,
               form.ends_at, form.debrief_at, meta.reply_to(user_id))
    ack()
