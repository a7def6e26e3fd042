"""callback_id `scorecard`: a page of the scorecard modal is submitted.

Before the ack (it must carry any errors): who is submitting (an active panelist, the one the
form was opened for, scorecards not locked) and what is missing. A non-final page is kept in
the draft and answered with the next page; the final page is acked (the modal closes), and
the rest is the deferred job `scorecard_submitted` (bot/submission.py): stored as a new
version, the author's confirmation DM, the plan's progress.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.scorecard_modal import ScorecardModal, decode_metadata, first_input_block_id
from bot.errors import UserError
from bot.i18n import translator
from bot.jobs import scorecard_submitted_payload
from bot.scorecards import answer_problems, load_form, render_problems, save_draft
from bot.services import Services
from handlers.payload import team_id_of


def register(app: App, services: Services) -> None:
    def refusal(err: UserError) -> str:
        return err.render_in(services.settings.default_language)

    @app.view("scorecard")
    def scorecard(ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        anywhere = first_input_block_id(view)
        meta = decode_metadata(view.get("private_metadata"))
        if meta is None:
            t = translator(services.settings.default_language)
            ack(response_action="errors", errors={anywhere: t._(
                "This form is not a scorecard; open yours with “Score candidate”.")})
            return
        try:
            form = load_form(services, team_id, meta.interview_id, user_id,
                             opened_by=meta.user_id)
        except UserError as err:  # not on the panel, someone else's form, locked: store nothing
            ack(response_action="errors", errors={anywhere: refusal(err)})
            return
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
            try:
                save_draft(services, team_id, meta.interview_id, user_id, patch,
                           opened_by=meta.user_id)
            except UserError as err:
                ack(response_action="errors", errors={anywhere: refusal(err)})
                return
            ack(response_action="update", view=modal.view(page.number + 1, answers))
            return
        ack()
        services.defer("scorecard_submitted", scorecard_submitted_payload(
            team_id, meta.interview_id, user_id, answers, view["id"], meta.user_id))
