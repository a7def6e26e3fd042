"""`scorecard_page`: the "Back" button of a paged scorecard modal (value: the page to show).
The page's answers are kept in the draft before the other page replaces it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import UserError
from bot.i18n import translator
from bot.scorecards.builders.modal import ScorecardModal, decode_metadata
from bot.scorecards.service import load_form, save_draft
from bot.services import Services
from bot.slack.replies import tell_user
from handlers.payload import team_id_of


def scorecard_page(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    view = body.get("view") or {}
    meta = decode_metadata(view.get("private_metadata"))
    if meta is None:
        return
    user_id = body["user"]["id"]
    team_id = team_id_of(body)
    try:
        target = int(body["actions"][0].get("value") or 0)
        form = load_form(services, team_id, meta.interview_id, user_id,
                         opened_by=meta.user_id)
        modal = ScorecardModal(translator(form.language), form)
        patch = modal.read(meta.page, (view.get("state") or {}).get("values"))
        save_draft(services, team_id, meta.interview_id, user_id, patch,
                   opened_by=meta.user_id)
    except ValueError:
        return
    except UserError as err:
        tell_user(client, body, err.render_in(services.settings.default_language))
        return
    client.views_update(view_id=view["id"], view=modal.view(target, form.answers.apply(patch)))
