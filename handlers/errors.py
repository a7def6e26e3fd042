"""One answer for whatever a listener raises, so that listeners hold only their happy path.

A UserError says what the person should do; a database failure says nothing was saved and
to try again (nothing they typed is lost: a modal stays open); anything else says sorry.
Before the ack, the answer travels in it: next to the form's first field for a modal, as
an ephemeral reply for a slash command. A click's ack is never shown, and after the ack
there is nothing to carry it, so those get an ephemeral message (a DM where Slack allows
no ephemeral).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import UserError
from bot.i18n import Translator, translator
from bot.people import PeopleUnavailable
from bot.services import Services
from bot.slack.blocks import plain, section, to_dicts
from bot.slack.replies import tell_user

log = logging.getLogger(__name__)

# How long one look for a missing answer may wait (Bolt gives up after 3 s, and looks
# again after each of ours).
ACK_LOOK_SECONDS = 0.1


class FirstAnswerAck(Ack):
    """Bolt's ack (1.30, slack_bolt/listener/thread_runner.py), with two fixes:
    - it keeps its first answer: when a listener raises after acking, Bolt sets
      `ack.response` back to None, and a request thread that had not read the answer yet
      waits out the 3 seconds and answers Slack 404;
    - the request thread, which Bolt has look for the answer every 10 ms, is woken the
      moment it is set: answers are not up to 10 ms late, and the waiting threads of a
      busy worker do not wake a hundred times a second each."""

    _first: BoltResponse | None = None

    def __init__(self) -> None:
        self._set = threading.Event()
        self._waiter = threading.get_ident()  # made by the middleware, on that thread
        super().__init__()

    @property
    def response(self) -> BoltResponse | None:
        if self._first is None and threading.get_ident() == self._waiter:
            self._set.wait(ACK_LOOK_SECONDS)
        return self._first

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if self._first is None and value is not None:
            self._first = value
            self._set.set()


def register(app: App, services: Services) -> None:
    @app.middleware
    def keep_the_first_answer(context: BoltContext, next: Callable[[], BoltResponse]
                              ) -> BoltResponse:
        context["ack"] = FirstAnswerAck()
        return next()

    @app.error
    def on_listener_error(error: Exception, body: dict[str, Any],
                          response: BoltResponse | None) -> BoltResponse | None:
        text = explain(error, services.settings.default_language)
        if response is None:  # acked already: only a message reaches them now
            _tell(services, body, text)
            return None
        if body.get("type") == "view_submission":
            block_id = first_input_block_id(body.get("view") or {})
            if block_id is not None:
                return _json({"response_action": "errors", "errors": {block_id: text}})
            # A confirmation with no field to put it next to: the modal says it instead.
            return _json({"response_action": "update",
                          "view": error_modal(translator(services.settings.default_language),
                                              text)})
        if body.get("command"):
            return _json({"response_type": "ephemeral", "text": text})
        _tell(services, body, text)
        return BoltResponse(status=200, body="")


def explain(error: Exception, default_language: str) -> str:
    """What to tell the person; anything but a UserError is logged with its traceback."""
    if isinstance(error, UserError):
        return error.render_in(default_language)
    t = translator(default_language)
    if isinstance(error, SQLAlchemyError):
        log.error("a listener's database work failed", exc_info=error)
        return t._("Sorry, I could not save that: the database did not answer. Nothing was "
                   "changed; please try again in a moment.")
    if isinstance(error, PeopleUnavailable):
        log.warning("a listener could not look people up: %s", error)
        return t._("Slack did not answer about one of these people; submit again in a "
                   "moment.")
    if isinstance(error, SlackApiError):
        code = error.response.get("error") or "error"
        log.warning("a listener's Slack call failed: %s", code)
        return t._("Slack did not take that ({error}); please try again in a moment.",
                   error=code)
    log.error("a listener failed", exc_info=error)
    return t._("Sorry, something went wrong on my side; please try again in a moment.")


def first_input_block_id(view: dict[str, Any]) -> str | None:
    """Where an error about the whole form goes: its first input."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def error_modal(t: Translator, text: str) -> dict[str, Any]:
    """The modal, updated to say why its submission was not done."""
    # Translators: modal title, max 24 characters
    title = t._("Not done")
    # Translators: button, max 24 characters
    close = t._("Close")
    return {"type": "modal", "title": plain(title, 24).to_dict(),
            "close": plain(close, 24).to_dict(), "blocks": to_dicts([section(text)])}


def _json(data: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(data),
                        headers={"content-type": "application/json;charset=utf-8"})


def _tell(services: Services, body: dict[str, Any], text: str) -> None:
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    if not user_id:
        return
    target = body if body.get("user") else {**body, "user": {"id": user_id},
                                              "channel": {"id": body.get("channel_id")}}
    try:
        tell_user(services.client, target, text)
    except (SlackApiError, OSError) as failure:
        log.warning("could not tell %s about an error: %s", user_id, failure)
