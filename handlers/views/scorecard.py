"""callback_id `scorecard`: a page of the scorecard modal is submitted.

Checked first: who is submitting (an active panelist, the one the form was opened for,
scorecards not locked) and what is missing; problems go back next to the fields. A
non-final page is kept in the draft and answered with the next page. The final page is
stored as a new version before the ack (the modal closes on a stored scorecard; a retried
delivery stores nothing twice); the confirmation DM, the plan's progress and the App Homes
follow from the outbox.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.errors import UserError
from bot.i18n import N_, translator
from bot.scorecards.builders.modal import ScorecardModal, decode_metadata
from bot.scorecards.service import (
    answer_problems,
    load_form,
    render_problems,
    save_draft,
    submit_scorecard,
)
from bot.services import Services
from handlers.payload import team_id_of


def scorecard(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    meta = decode_metadata(view.get("private_metadata"))
    if meta is None:
        raise UserError(N_("This form is not a scorecard; open yours with “Score "
                           "candidate”."))
    form = load_form(services, team_id, meta.interview_id, user_id, opened_by=meta.user_id)
    t = translator(form.language)
    modal = ScorecardModal(t, form)
    page = modal.page(meta.page)
    patch = modal.read(page.number, (view.get("state") or {}).get("values"))
    answers = form.answers.apply(patch)
    problems = answer_problems(form, answers, categories=page.category_ids,
                               final=page.final)
    if problems:
        ack(response_action="errors", errors=render_problems(t, problems))
        return
    if not page.final:
        save_draft(services, team_id, meta.interview_id, user_id, patch,
                   opened_by=meta.user_id)
        ack(response_action="update", view=modal.view(page.number + 1, answers))
        return
    submit_scorecard(services, team_id, meta.interview_id, user_id, answers, view["id"],
                     opened_by=meta.user_id, checked=form)
    ack()
