"""What follows a scorecard's final page once Slack has its ack: the job
`scorecard_submitted` (bot/deferred.py), run at once or in the background process.

The answers were checked before the ack; here they are stored as a new version (unless a
retried delivery already stored them), the author gets their confirmation DM, and the plan,
a summary already posted and the App Homes of the author and the organisers catch up.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.blocks.scorecard_views import scorecard_confirmation
from bot.debrief import refresh_summary
from bot.errors import UserError
from bot.home import refresh_home
from bot.i18n import translator
from bot.plan import refresh_plan_message
from bot.scorecards import Answers, submit_scorecard
from bot.services import Services

log = logging.getLogger(__name__)


def scorecard_submitted_payload(team_id: str, interview_id: int, user_id: str,
                                answers: Answers, view_id: str,
                                opened_by: str | None) -> dict[str, Any]:
    """The job's payload: JSON, written to the database under `serve`."""
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
