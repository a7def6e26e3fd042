"""`plan_menu`: the "…" menu on the plan (value "<action>:<interview id>"): reschedule, add
or remove a panelist, cancel, delete the candidate's data. Opens that action's modal for the
hiring lead or the recruiter; anyone else is told why not."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.lifecycle.publish import modal_view
from bot.lifecycle.service import Action
from bot.plan.builders.plan import parse_menu_value
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.payload import team_id_of

log = logging.getLogger(__name__)


def plan_menu(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    chosen = (body["actions"][0].get("selected_option") or {}).get("value") or ""
    name, raw_id = parse_menu_value(str(chosen))
    try:
        action = Action(name)
    except ValueError:
        log.warning("plan_menu: unknown option %r", chosen)
        return
    channel = (body.get("channel") or {}).get("id")
    try:
        view = modal_view(services, team_id, raw_id, user_id, action, channel)
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)
