"""callback_id `record_decision`: the decision modal is submitted.

Checked first (errors go back into the modal): who is deciding (the hiring lead, or the
recruiter while no decision exists), an outcome chosen, a reason given; and, when storing,
a reason for going against the numbers if the decision does (next to that field). The decision is
stored before the ack (idempotent on the view's id: Slack's retry stores nothing twice);
the plan, the summary, the App Homes and the thread's announcement follow from the outbox.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.debrief import service as debrief
from bot.debrief.builders.decision import (
    AGAINST_BLOCK,
    OUTCOME_BLOCK,
    REASON_BLOCK,
    read_against_reason,
    read_decision,
    read_interview_id,
)
from bot.debrief.service import AgainstTheNumbers, check_decision_submission
from bot.errors import UserError
from bot.i18n import N_, translator
from bot.services import Services
from handlers.payload import team_id_of


def record_decision(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    interview_id = read_interview_id(view)
    if interview_id is None:
        raise UserError(N_("This form is not a decision form; press “Record decision” "
                           "again."))
    language = check_decision_submission(services, team_id, interview_id, user_id,
                                         view["id"])
    t = translator(language)
    outcome, reason = read_decision(view)
    errors = {}
    if outcome is None:
        errors[OUTCOME_BLOCK] = t._("Choose Hire, No hire or Hold.")
    if not reason.strip():
        errors[REASON_BLOCK] = t._("Give a reason for the decision.")
    if errors or outcome is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        debrief.record_decision(services, team_id, interview_id, user_id, outcome, reason,
                                view["id"], against_reason=read_against_reason(view))
    except AgainstTheNumbers as err:
        ack(response_action="errors", errors={AGAINST_BLOCK: err.render(t)})
        return
    ack()
