"""Slack listeners only: parse the payload, call bot/, reply. One module per listener, a
plain function named after what it answers: the action_id `score_candidate` is handled in
handlers/actions/score_candidate.py, the modal callback_id `new_interview` in
handlers/views/new_interview.py, `/interview new` in handlers/commands/new.py.

Listeners take what they need as arguments: Bolt's own (ack, body, client...) and
`services`, which one middleware puts in every request's context. A listener that changes
state commits before it acks; the side effects its transaction stored (bot/outbox/) are
performed once it returns. Whatever it raises is answered by handlers/errors.py.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltResponse

from bot.services import Services
from handlers import actions, commands, errors, events, views


def register_listeners(app: App, services: Services) -> None:
    def provide_services(context: BoltContext, next: Callable[[], BoltResponse]
                         ) -> BoltResponse:
        context["services"] = services
        return next()

    app.middleware(provide_services)
    errors.register(app, services)
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
