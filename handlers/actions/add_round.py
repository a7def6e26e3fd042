"""`add_round` (value: interview id), on a plan: opens the setup modal for the candidate's
next round; someone who does not organise the loop is told why not."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.setup.builders import NewInterviewModal, SetupMetadata
from bot.setup.service import next_round_choice, own_set_choices, recent_candidates
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def add_round(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    user_id, team_id = body["user"]["id"], team_id_of(body)
    try:
        chosen = next_round_choice(services, team_id, action_value(body), user_id)
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    channel_id = (body.get("channel") or {}).get("id")
    modal = NewInterviewModal(translator(services.settings.default_language),
                              services.question_sets.sets, services.settings.default_language,
                              own_set_choices(services, team_id))
    client.views_open(trigger_id=body["trigger_id"], view=modal.view(
        recruiter_id=user_id, channel_id=channel_id, now=services.clock(),
        metadata=SetupMetadata(channel_id),
        candidates=recent_candidates(services, team_id, user_id), chosen=chosen))
