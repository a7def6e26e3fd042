"""callback_id `record_decision`: the decision modal is submitted.

Before the ack (it must carry any errors): who is deciding (the hiring lead, or the
recruiter while no decision exists), an outcome chosen, a reason given. Then the decision is
stored (idempotent on the view's id: Slack's retry stores nothing twice), the plan and the
summary are updated and the panel is told in the thread.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.decision_modal import (
    OUTCOME_BLOCK,
    REASON_BLOCK,
    read_decision,
    read_interview_id,
)
from bot.debrief import check_decision_submission, record_decision
from bot.errors import UserError
from bot.i18n import translator
from bot.replies import tell_user
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    def refusal(err: UserError) -> str:
        return err.render_in(services.settings.default_language)

    @app.view("record_decision")
    def on_record_decision(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        interview_id = read_interview_id(view)
        t = translator(services.settings.default_language)
        if interview_id is None:
            ack(response_action="errors", errors={OUTCOME_BLOCK: t._(
                "This form is not a decision form; press “Record decision” again.")})
            return
        try:
            language = check_decision_submission(services, team_id, interview_id, user_id,
                                                 view["id"])
        except UserError as err:
            ack(response_action="errors", errors={OUTCOME_BLOCK: refusal(err)})
            return
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
        ack()
        try:
            record_decision(services, team_id, interview_id, user_id, outcome, reason,
                            view["id"])
        except UserError as err:  # the status or the decision changed since the check
            tell_user(client, body, refusal(err))
