"""`full_scorecards` (value: interview id): every panelist's scorecard in a modal, for the
hiring lead and the recruiter; others are told why not."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.debrief import service as debrief
from bot.debrief.builders.full_scorecards import full_scorecards_modal, needs_pages
from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.payload import action_value, team_id_of


def panelist_names(services: Services, user_ids: list[str]) -> dict[str, str]:
    """Display names for the page select (option text is plain text: no mentions)."""
    names = {}
    for user_id in user_ids:
        found = services.users.get(user_id)
        names[user_id] = found.name if found and found.name else user_id
    return names


def full_scorecards(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    value = action_value(body)
    try:
        # Stored before the ack: an organiser on the panel has seen it from now.
        data = debrief.full_scorecards(services, team_id, value, user_id)
    except UserError as err:
        ack()
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    ack()
    t = translator(data.language)
    # Names only label the page select; a modal that fits at once looks up nobody
    # (the trigger lives 3 seconds).
    names = (panelist_names(services, [c.user_id for c in data.cards])
             if needs_pages(t, data) else {})
    client.views_open(trigger_id=body["trigger_id"],
                      view=full_scorecards_modal(t, data, names))
