"""callback_id `scorecard`: a page of the scorecard modal is submitted.

Before the ack (it must carry any errors): who is submitting (an active panelist, the one the
form was opened for, scorecards not locked) and what is missing. A non-final page is kept in
the draft and answered with the next page; the final page is acked (the modal closes), then
stored as a new version, the author gets their confirmation DM and the plan its progress.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.scorecard_modal import ScorecardModal, decode_metadata, first_input_block_id
from bot.blocks.scorecard_views import scorecard_confirmation
from bot.debrief import refresh_summary
from bot.errors import UserError
from bot.home import refresh_home
from bot.i18n import translator
from bot.plan import refresh_plan_message
from bot.scorecards import (
    answer_problems,
    load_form,
    render_problems,
    save_draft,
    submit_scorecard,
)
from bot.services import Services
from handlers.payload import team_id_of
from handlers.replies import tell_user

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def refusal(err: UserError) -> str:
        return err.render_in(services.settings.default_language)

    @app.view("scorecard")
    def scorecard(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
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
        try:
            result = submit_scorecard(services, team_id, meta.interview_id, user_id, answers,
                                      view["id"], opened_by=meta.user_id)
        except UserError as err:  # the panel or the status changed since the check above
            tell_user(client, body, refusal(err))
            return
        if not result.stored:
            return  # a retried delivery: the first one already confirmed
        message = scorecard_confirmation(t, result)
        client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)
        try:
            refresh_plan_message(services, result.interview_id)
            # A late or edited scorecard also updates a summary already posted.
            refresh_summary(services, result.interview_id)
        except Exception:  # the scorecard is stored and confirmed; the plan catches up later
            log.exception("could not refresh the plan of interview %s", result.interview_id)
        # Owed scorecards and debrief progress change for these three only; the organisers'
        # tabs change with every panelist's submission, so theirs settle first.
        refresh_home(services, [user_id], team_id=team_id)
        refresh_home(services, result.organisers, team_id=team_id, settle=True)
