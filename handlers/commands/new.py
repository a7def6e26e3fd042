"""`/interview new [candidate name]`: opens the setup modal at once (the trigger lives 3
seconds), prefilled with the name when one is given, offering the recruiter's earlier
candidates for a next round. Then, if the recruiter has interviews
whose plan is still waiting (a private channel the bot was not in), it offers to post them:
rerunning the command never loses an interview."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.plan.builders.plan import unposted_plans_message
from bot.plan.service import unposted_plans
from bot.setup.builders import NewInterviewModal, SetupMetadata
from bot.setup.service import own_set_choices, recent_candidates
from handlers.commands.base import CommandCall

log = logging.getLogger(__name__)


def handle(call: CommandCall) -> None:
    services, t = call.services, call.t
    sets = services.question_sets.sets
    own = own_set_choices(services, call.team_id)
    if not sets and not own:
        call.ack(text=t._("No question sets are loaded, so there is nothing to interview "
                          "with. Ask whoever runs interview-bot to check QUESTION_SETS_DIR."),
                 response_type="ephemeral")
        return
    call.ack()
    modal = NewInterviewModal(t, sets, services.settings.default_language, own)
    metadata = SetupMetadata(call.channel_id)
    view = modal.view(recruiter_id=call.user_id, channel_id=call.channel_id,
                      now=services.clock(), candidate_name=call.args, metadata=metadata,
                      candidates=recent_candidates(services, call.team_id, call.user_id))
    try:
        call.client.views_open(trigger_id=call.body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("setup modal not opened: %s", error.response.get("error"))
        call.respond(text=t._("Slack did not open the form ({error}); run `/interview new` "
                              "again.", error=error.response.get("error") or "error"),
                     response_type="ephemeral")
        return
    waiting = unposted_plans(services, call.team_id, call.user_id)
    if waiting:
        message = unposted_plans_message(t, waiting)
        call.respond(text=message.text, blocks=message.blocks, response_type="ephemeral")
