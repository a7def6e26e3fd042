"""`full_scorecards_page` (the select in a paged "Full scorecards" modal): shows the
overview or one panelist's ratings in the same modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.debrief.builders.full_scorecards import OVERVIEW, full_scorecards_modal, read_interview_id
from bot.debrief.service import full_scorecards
from bot.errors import UserError
from bot.i18n import translator
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.actions.full_scorecards import panelist_names
from handlers.payload import team_id_of


def full_scorecards_page(ack: Ack, body: dict[str, Any], client: WebClient,
                         services: Services) -> None:
    ack()
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    view = body.get("view") or {}
    interview_id = read_interview_id(view)
    page = ((body["actions"][0].get("selected_option") or {}).get("value")) or OVERVIEW
    if interview_id is None:
        return
    try:
        data = full_scorecards(services, team_id, interview_id, user_id)
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    names = panelist_names(services, [c.user_id for c in data.cards])
    client.views_update(view_id=view["id"], hash=view.get("hash"),
                        view=full_scorecards_modal(translator(data.language), data, names,
                                                   page=page))
