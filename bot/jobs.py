"""The deferred jobs: what follows the busiest interactions once Slack has its ack, run at
once or, under `serve`, in a background process (bot/deferred.py). Each job is named in
JOBS and takes JSON: what its listener read from the request.

- `open_scorecard`, `open_panel_feedback`: a click on "Score candidate" / "View panel
  feedback" opens its modal (urgent: the click's trigger_id lives 3 seconds).
- `reply_summary`: `/interview summary <id>` answers through the command's response_url
  (valid 30 minutes).
- `scorecard_submitted`: a scorecard's final page, checked before the ack, is stored as a
  new version (unless a retried delivery already stored it), the author gets their
  confirmation DM, and the plan, a summary already posted and the App Homes catch up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.blocks.scorecard_modal import ScorecardModal
from bot.blocks.scorecard_views import panel_feedback_modal, scorecard_confirmation
from bot.blocks.summary import debrief_summary_message
from bot.debrief import refresh_summary, summary_for
from bot.errors import UserError
from bot.home import refresh_home
from bot.i18n import translator
from bot.plan import refresh_plan_message
from bot.replies import tell_user
from bot.scorecards import Answers, load_form, panel_feedback, submit_scorecard
from bot.services import Services

log = logging.getLogger(__name__)


def scorecard_submitted_payload(team_id: str, interview_id: int, user_id: str,
                                answers: Answers, view_id: str,
                                opened_by: str | None) -> dict[str, Any]:
    """The job's payload: JSON, handed to a background process under `serve`."""
    return {
        "team_id": team_id, "interview_id": interview_id, "user_id": user_id,
        "view_id": view_id, "opened_by": opened_by,
        "answers": {
            "ratings": dict(answers.ratings), "category_notes": dict(answers.category_notes),
            "recommendation": answers.recommendation, "takeaways": answers.takeaways,
            "private_note": answers.private_note,
        },
    }


def finish_scorecard_submission(services: Services, payload: dict[str, Any]) -> None:
    team_id, user_id = payload["team_id"], payload["user_id"]
    try:
        result = submit_scorecard(services, team_id, payload["interview_id"], user_id,
                                  Answers(**payload["answers"]), payload["view_id"],
                                  opened_by=payload["opened_by"])
    except UserError as err:  # the panel or the status changed since the check at the ack
        text = err.render_in(services.settings.default_language)
        services.client.chat_postMessage(channel=user_id, text=text)
        return
    if not result.stored:
        return  # a retried delivery: the first one already confirmed
    message = scorecard_confirmation(translator(result.language), result)
    services.client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)
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


# --- clicks and commands ----------------------------------------------------------------


def click_payload(body: dict[str, Any], team_id: str, value: str) -> dict[str, Any]:
    """What a click's job needs: who, where to answer them (bot/replies.py), the value, and
    the trigger_id that opens a modal."""
    return {"team_id": team_id, "user_id": body["user"]["id"], "value": value,
            "trigger_id": body["trigger_id"], "reply_to": reply_target(body)}


def reply_target(body: dict[str, Any]) -> dict[str, Any]:
    """The part of a payload `tell_user` reads: the person, and the channel and thread
    they clicked in."""
    target: dict[str, Any] = {"user": {"id": body["user"]["id"]}}
    for key in ("channel", "container"):
        if body.get(key):
            target[key] = body[key]
    if (body.get("message") or {}).get("thread_ts"):
        target["message"] = {"thread_ts": body["message"]["thread_ts"]}
    return target


def open_scorecard(services: Services, payload: dict[str, Any]) -> None:
    """The panelist's scorecard, prefilled with their last answers; anyone not on the
    panel, or a locked scorecard, is told so and no modal opens."""
    try:
        form = load_form(services, payload["team_id"], payload["value"], payload["user_id"])
    except UserError as err:
        tell_user(services.client, payload["reply_to"],
                  err.render_in(services.settings.default_language))
        return
    modal = ScorecardModal(translator(form.language), form)
    services.client.views_open(trigger_id=payload["trigger_id"], view=modal.view(0))


def open_panel_feedback(services: Services, payload: dict[str, Any]) -> None:
    try:
        feedback = panel_feedback(services, payload["team_id"], payload["value"],
                                  payload["user_id"])
    except UserError as err:
        tell_user(services.client, payload["reply_to"],
                  err.render_in(services.settings.default_language))
        return
    view = panel_feedback_modal(translator(feedback.language), feedback)
    services.client.views_open(trigger_id=payload["trigger_id"], view=view)


def reply_summary(services: Services, payload: dict[str, Any]) -> None:
    """The debrief summary, just for the reader, or why they may not see it."""
    respond = Respond(response_url=payload["response_url"])
    try:
        summary, organiser = summary_for(services, payload["team_id"], payload["interview"],
                                         payload["user_id"])
    except UserError as err:
        respond(text=err.render_in(services.settings.default_language),
                response_type="ephemeral")
        return
    message = debrief_summary_message(translator(summary.language), summary,
                                      organiser=organiser)
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral")


JobFunction = Callable[[Services, dict[str, Any]], None]

# kind -> (job, urgent): an urgent job must be done within seconds (a modal opens only while
# the click's trigger_id is valid, 3 s) and is taken before the others.
JOBS: dict[str, tuple[JobFunction, bool]] = {
    "open_scorecard": (open_scorecard, True),
    "open_panel_feedback": (open_panel_feedback, True),
    "reply_summary": (reply_summary, False),
    "scorecard_submitted": (finish_scorecard_submission, False),
}
