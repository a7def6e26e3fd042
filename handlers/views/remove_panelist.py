"""callback_id `remove_panelist`: someone leaves the panel. Before the ack: their scorecard
stays (marked), their reminders stop, the focus is shared out over the others; the kits'
updates and the thread's note are stored with it. A retried delivery finds them off the
panel and does nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.i18n import translator
from bot.lifecycle import service as lifecycle
from bot.lifecycle.builders import PANELIST_BLOCK, read_metadata, selected_user
from bot.services import Services
from handlers.payload import team_id_of


def remove_panelist(ack: Ack, body: dict[str, Any], services: Services) -> None:
    view = body["view"]
    meta = read_metadata(view)
    leaving = selected_user(view)
    if meta is None or not leaving:
        t = translator(services.settings.default_language)
        ack(response_action="errors", errors={PANELIST_BLOCK: t._("Pick the person to "
                                                                  "remove.")})
        return
    lifecycle.remove_panelist(services, team_id_of(body), meta.interview_id, body["user"]["id"],
                    leaving)
    ack()
