"""`earlier_candidate` (the setup modal's candidate choice): redraws the modal for the
chosen candidate's next round, or back for a new candidate. What was typed in the fields
both variants share stays (same block and action ids)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.i18n import translator
from bot.services import Services
from bot.setup.builders import NewInterviewModal, chosen_candidate, decode_metadata
from bot.setup.service import candidate_choice, own_set_choices, recent_candidates
from handlers.payload import team_id_of


def earlier_candidate(ack: Ack, body: dict[str, Any], client: WebClient,
                      services: Services) -> None:
    ack()
    view, user_id, team_id = body["view"], body["user"]["id"], team_id_of(body)
    picked = chosen_candidate((body["actions"][0].get("selected_option") or {}).get("value"))
    chosen = candidate_choice(services, team_id, picked, user_id) if picked else None
    metadata = decode_metadata(view.get("private_metadata"))
    modal = NewInterviewModal(translator(services.settings.default_language),
                              services.question_sets.sets, services.settings.default_language,
                              own_set_choices(services, team_id))
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=modal.view(
        recruiter_id=user_id, channel_id=metadata.channel_id, now=services.clock(),
        metadata=metadata, candidates=recent_candidates(services, team_id, user_id),
        chosen=chosen))
