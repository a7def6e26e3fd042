"""Plays Slack towards the app: signed slash commands, clicks, submissions and events over HTTP.

Payloads are built from what the FakeSlack currently shows the user (the message, the modal, the
App Home), so a test can only click buttons that exist and only submit modals that are open.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.demo.slack_fake import blockkit
from bot.demo.slack_fake.server import FakeSlack

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack but still sent


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]
    elapsed: float = field(default=0.0, compare=False)  # seconds; Slack gives up after 3

    def json(self) -> Any:
        """The parsed body, or None when it is empty."""
        return json.loads(self.body) if self.body.strip() else None


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSimulator:
    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        team_id: str = "T0001",
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id
        self.timeout = timeout
        # Never route the local app through an environment proxy.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # --- what users do -------------------------------------------------------------------------

    def command(
        self,
        user_id: str,
        text: str = "",
        *,
        command: str = "/interview",
        channel_id: str = "C0001",
        retry_num: int | None = None,
    ) -> Response:
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.fake.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.issue_response_url(channel_id, user_id),
            "trigger_id": self.fake.issue_trigger_id(user_id),
        }
        response = self.send_raw(urlencode(form).encode(), FORM, retry_num=retry_num)
        reply = response.json() if response.status == 200 and response.body.strip() else None
        if isinstance(reply, dict) and (reply.get("text") or reply.get("blocks")):
            self.fake.show_command_reply(channel_id, user_id, reply)
        return response

    def click(
        self,
        user_id: str,
        action_id: str,
        *,
        channel: str | None = None,
        ts: str | None = None,
        view_id: str | None = None,
        value: str | None = None,
        selected: str | Sequence[str] | None = None,
    ) -> Response:
        """Act on an element the user can see; AssertionError if there is no such element.

        Where: a message (channel + ts), a modal (view_id), the newest message or ephemeral in
        `channel` that has the element (channel alone), else the user's App Home.
        """
        surface = self._surface(user_id, channel, ts, view_id, action_id, value)
        block, element = _find_element(surface.blocks, action_id, value, surface.where)
        action = {**_action_state(element, selected, surface.where),
                  "action_id": action_id, "block_id": block["block_id"],
                  "action_ts": f"{time.time():.6f}"}
        payload = {
            "type": "block_actions",
            **self._envelope(user_id),
            "trigger_id": self.fake.issue_trigger_id(user_id),
            "container": surface.container,
            **surface.extra,
            "actions": [action],
        }
        return self._send_payload(payload)

    def submit(
        self,
        user_id: str,
        view_id: str,
        values: Mapping[str, Any] | None = None,
        *,
        retry_num: int | None = None,
    ) -> Response:
        """Submit the modal on top of the user's stack; `values` maps block_id to a value."""
        self._check_submittable(user_id, view_id)
        state = build_state(self.fake.view(view_id), values or {})
        self.fake.set_view_state(view_id, state)
        payload = {
            "type": "view_submission",
            **self._envelope(user_id),
            "trigger_id": self.fake.issue_trigger_id(user_id),
            "view": _payload_view(self.fake.view(view_id)),
            "response_urls": self._response_urls(user_id, self.fake.view(view_id), state),
        }
        response = self._send_payload(payload, retry_num=retry_num)
        self._apply_ack(user_id, view_id, response)
        return response

    def _response_urls(self, user_id: str, view: Mapping[str, Any],
                       state: Mapping[str, Any]) -> list[dict[str, Any]]:
        """What Slack sends for each conversation picker with response_url_enabled: a
        response_url for the conversation chosen there."""
        found = []
        for block in view.get("blocks") or []:
            element = block.get("element") or {}
            if block.get("type") != "input" or not element.get("response_url_enabled"):
                continue
            value = state["values"][block["block_id"]][element["action_id"]]
            channel = value.get("selected_conversation") or value.get("selected_channel")
            if channel:
                found.append({"block_id": block["block_id"], "action_id": element["action_id"],
                              "channel_id": channel,
                              "response_url": self.fake.issue_response_url(channel, user_id)})
        return found

    def close(self, user_id: str, view_id: str) -> Response | None:
        """The user closes a modal; the app hears view_closed only if it asked (notify_on_close)."""
        view = self.fake.view(view_id)
        self.fake.close_view(user_id, view_id)
        if not view.get("notify_on_close"):
            return None
        payload = {"type": "view_closed", **self._envelope(user_id),
                   "view": _payload_view(view), "is_cleared": False}
        return self._send_payload(payload)

    def home_opened(self, user_id: str) -> Response:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.fake.dm_channel(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.fake.home(user_id)
        if home is not None:
            event["view"] = _payload_view(home)
        return self.event(event)

    def event(self, event: Mapping[str, Any], *, retry_num: int | None = None) -> Response:
        """Deliver any Events API event wrapped in an event_callback, as Slack does."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.fake.app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [{
                "enterprise_id": None,
                "team_id": self.team_id,
                "user_id": self.fake.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }],
            "is_ext_shared_channel": False,
        }
        return self.send_raw(json.dumps(envelope).encode(), JSON, retry_num=retry_num)

    # --- the wire ------------------------------------------------------------------------------

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        retry_num: int | None = None,
    ) -> Response:
        """POST a body signed like Slack signs it (or with the given timestamp/signature)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or sign(self.signing_secret, stamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(self.app_url, data=body, headers=headers, method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                status, raw, reply_headers = reply.status, reply.read(), reply.headers
        except urllib.error.HTTPError as error:  # non-2xx answers are results, not failures
            status, raw, reply_headers = error.code, error.read(), error.headers
        return Response(status, raw.decode("utf-8", "replace"), dict(reply_headers.items()),
                        time.monotonic() - started)

    def _send_payload(
        self, payload: Mapping[str, Any], *, retry_num: int | None = None
    ) -> Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.send_raw(body, FORM, retry_num=retry_num)

    # --- payload pieces ------------------------------------------------------------------------

    def _envelope(self, user_id: str) -> dict[str, Any]:
        return {
            "user": {"id": user_id, "username": self._user_name(user_id),
                     "name": self._user_name(user_id), "team_id": self.team_id},
            "api_app_id": self.fake.app_id,
            "token": VERIFICATION_TOKEN,
            "team": {"id": self.team_id, "domain": self.fake.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _user_name(self, user_id: str) -> str:
        user = self.fake.user(user_id)
        return user["name"] if user else user_id

    def _channel_name(self, channel_id: str) -> str:
        channel = self.fake.channel(channel_id)
        if channel is None:
            return "unknown"
        return "directmessage" if channel["is_im"] else channel["name"]

    def _surface(
        self,
        user_id: str,
        channel: str | None,
        ts: str | None,
        view_id: str | None,
        action_id: str,
        value: str | None,
    ) -> _Surface:
        if view_id is not None:
            self._check_visible(user_id, self.fake.view(view_id))
            return self._view_surface(self.fake.view(view_id), f"view {view_id}")
        if channel is not None and ts is not None:
            return self._message_surface(user_id, channel, ts)
        if channel is not None:
            return self._newest_surface(user_id, channel, action_id, value)
        home = self.fake.home(user_id)
        if home is None:
            raise AssertionError(
                f"no element with action_id {action_id!r}: no channel/ts or view_id given "
                f"and {user_id} has no App Home"
            )
        return self._view_surface(home, f"the App Home of {user_id}")

    def _check_visible(self, user_id: str, view: dict[str, Any]) -> None:
        """Users only act on their own App Home or the modal on top of their own stack."""
        if view["type"] == "home":
            visible = view["user"] == user_id
        else:
            stack = self.fake.view_stack(user_id)
            visible = bool(stack) and stack[-1]["id"] == view["id"]
        if not visible:
            raise AssertionError(f"{user_id} cannot see view {view['id']} to click in it")

    def _view_surface(self, view: dict[str, Any], where: str) -> _Surface:
        return _Surface(
            blocks=view["blocks"],
            where=where,
            container={"type": "view", "view_id": view["id"]},
            extra={"view": _payload_view(view)},
        )

    def _message_surface(self, user_id: str, channel: str, ts: str) -> _Surface:
        message = self.fake.api_message(channel, ts)
        channel_id = self.fake.message(channel, ts)["channel"]
        container = {"type": "message", "message_ts": ts, "channel_id": channel_id,
                     "is_ephemeral": False}
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        response_url = self.fake.issue_response_url(channel_id, user_id, message_ts=ts)
        return _Surface(
            blocks=message["blocks"],
            where=f"message {ts} in {channel_id}",
            container=container,
            extra={"message": message, "state": {"values": {}}, "response_url": response_url,
                   "channel": {"id": channel_id, "name": self._channel_name(channel_id)}},
        )

    def _ephemeral_surface(self, user_id: str, ephemeral: dict[str, Any]) -> _Surface:
        channel_id, ts = ephemeral["channel"], ephemeral["ts"]
        response_url = self.fake.issue_response_url(
            channel_id, user_id, message_ts=ts, ephemeral=True
        )
        return _Surface(
            blocks=ephemeral["blocks"],
            where=f"ephemeral {ts} in {channel_id}",
            container={"type": "message", "message_ts": ts, "channel_id": channel_id,
                       "is_ephemeral": True},
            extra={"state": {"values": {}}, "response_url": response_url,
                   "channel": {"id": channel_id, "name": self._channel_name(channel_id)}},
        )

    def _newest_surface(
        self, user_id: str, channel: str, action_id: str, value: str | None
    ) -> _Surface:
        """The newest message (or ephemeral to this user) in `channel` with the element."""
        channel_id = self.fake.dm_channel(channel) if channel[:1] in ("U", "W") else channel
        ephemerals = [e for e in self.fake.ephemerals(user_id) if e["channel"] == channel_id]
        candidates = [(e, True) for e in ephemerals]
        candidates += [(m, False) for m in self._all_messages(channel_id)]
        for item, ephemeral in sorted(candidates, key=lambda c: c[0]["ts"], reverse=True):
            if not _candidates(item["blocks"], action_id, value):
                continue
            if ephemeral:
                return self._ephemeral_surface(user_id, item)
            return self._message_surface(user_id, channel_id, item["ts"])
        raise AssertionError(
            f"no element with action_id {action_id!r}{_value_note(value)} in any message in "
            f"{channel_id} visible to {user_id}"
        )

    def _all_messages(self, channel_id: str) -> list[dict[str, Any]]:
        messages = self.fake.messages(channel_id)
        replies = [r for m in messages if m["replies_count"]
                   for r in self.fake.thread(channel_id, m["ts"])]
        return messages + replies

    def _check_submittable(self, user_id: str, view_id: str) -> None:
        stack = [v["id"] for v in self.fake.view_stack(user_id)]
        if not stack or stack[-1] != view_id:
            raise AssertionError(
                f"{user_id} cannot submit {view_id}: it is not the modal on top (open: {stack})"
            )
        if self.fake.view(view_id).get("submit") is None:
            raise AssertionError(f"{view_id} has no submit button, so it cannot be submitted")

    def _apply_ack(self, user_id: str, view_id: str, response: Response) -> None:
        if response.status != 200:
            return  # Slack shows the user an error and the modal stays
        try:
            reply = response.json()
        except ValueError:
            raise AssertionError(f"view_submission ack is not JSON: {response.body!r}") from None
        self.fake.apply_view_submission(user_id, view_id, reply)


@dataclass
class _Surface:
    """Where a click happens: its blocks and what the payload says about it."""

    blocks: list[dict[str, Any]]
    where: str
    container: dict[str, Any]
    extra: dict[str, Any]


# --- finding elements ----------------------------------------------------------------------------


def _candidates(
    blocks: list[dict[str, Any]], action_id: str, value: str | None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [
        (block, element)
        for block in blocks
        # An input's element sends block_actions only with dispatch_action, like Slack's.
        if block.get("type") != "input" or block.get("dispatch_action")
        for element in blockkit.interactive_elements(block)
        if element.get("action_id") == action_id and value in (None, element.get("value"))
    ]


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, value: str | None, where: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    found = _candidates(blocks, action_id, value)
    if not found:
        there = [
            str(e.get("action_id")) + (f"={e['value']}" if "value" in e else "")
            for b in blocks
            for e in blockkit.interactive_elements(b)
        ]
        raise AssertionError(
            f"no element with action_id {action_id!r}{_value_note(value)} in {where}; "
            f"elements there: {there}"
        )
    if len(found) > 1:
        raise AssertionError(
            f"{len(found)} elements with action_id {action_id!r} in {where}; pass value= to pick"
        )
    return found[0]


def _value_note(value: str | None) -> str:
    return "" if value is None else f" and value {value!r}"


# --- element state (what Slack reports for a chosen value) --------------------------------------

Builder = Callable[[dict[str, Any], Any, str], dict[str, Any]]


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return found


def _option(element: dict[str, Any], value: Any, where: str) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    known = [o.get("value") for o in _options(element)]
    raise AssertionError(f"{where}: no option with value {value!r} (options: {known})")


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else list(raw)


def _text_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    return {"value": None if raw in (None, "") else str(raw)}


def _option_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    return {"selected_option": None if raw is None else _option(element, raw, where)}


def _options_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    return {"selected_options": [_option(element, v, where) for v in _as_list(raw)]}


def _single(key: str) -> Builder:
    return lambda element, raw, where: {key: raw}


def _multi(key: str) -> Builder:
    return lambda element, raw, where: {key: _as_list(raw)}


def _date_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    return {"selected_date": raw.isoformat() if isinstance(raw, dt.date) else raw}


def _time_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    return {"selected_time": raw.strftime("%H:%M") if isinstance(raw, dt.time) else raw}


def _datetime_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, dt.datetime):
        raw = int(raw.timestamp())
    return {"selected_date_time": None if raw is None else int(raw)}


def _files_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    """The files picked in a file_input: pass the objects FakeSlack.add_user_file gave."""
    files = [] if raw is None else list(raw) if isinstance(raw, list | tuple) else [raw]
    if not all(isinstance(f, dict) and f.get("id") for f in files):
        raise AssertionError(f"{where}: pass the file objects FakeSlack.add_user_file returns")
    if len(files) > int(element.get("max_files") or 10):
        raise AssertionError(f"{where}: more files than max_files; Slack would not take them")
    return {"files": copy.deepcopy(files)}


# element type -> (how its state looks, the field holding its prefilled value)
STATE: dict[str, tuple[Builder, str]] = {
    "plain_text_input": (_text_state, "initial_value"),
    "url_text_input": (_text_state, "initial_value"),
    "email_text_input": (_text_state, "initial_value"),
    "number_input": (_text_state, "initial_value"),
    "static_select": (_option_state, "initial_option"),
    "radio_buttons": (_option_state, "initial_option"),
    "overflow": (_option_state, "initial_option"),
    "multi_static_select": (_options_state, "initial_options"),
    "checkboxes": (_options_state, "initial_options"),
    "users_select": (_single("selected_user"), "initial_user"),
    "multi_users_select": (_multi("selected_users"), "initial_users"),
    "conversations_select": (_single("selected_conversation"), "initial_conversation"),
    "multi_conversations_select": (_multi("selected_conversations"), "initial_conversations"),
    "channels_select": (_single("selected_channel"), "initial_channel"),
    "multi_channels_select": (_multi("selected_channels"), "initial_channels"),
    "datepicker": (_date_state, "initial_date"),
    "timepicker": (_time_state, "initial_time"),
    "datetimepicker": (_datetime_state, "initial_date_time"),
    "file_input": (_files_state, "initial_files"),  # nothing is prefilled in a file_input
}


def _initial(element: dict[str, Any]) -> Any:
    """The prefilled value, in the same form a test passes values in."""
    key = STATE[element["type"]][1]
    initial = element.get(key)
    if key == "initial_option":
        return initial.get("value") if isinstance(initial, dict) else None
    if key == "initial_options":
        return [o.get("value") for o in initial or []]
    return initial


def element_state(element: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
    kind = element.get("type", "")
    if kind not in STATE:
        raise AssertionError(f"{where}: the simulator cannot fill a {kind!r} element")
    builder, _ = STATE[kind]
    return {"type": kind, **builder(element, raw, where)}


def _action_state(element: dict[str, Any], selected: Any, where: str) -> dict[str, Any]:
    kind = element.get("type", "")
    if kind == "button":
        extra: dict[str, Any] = {k: element[k] for k in ("text", "value", "style", "url")
                                 if k in element}
        return {"type": "button", **extra}
    if selected is None and STATE.get(kind, (None, ""))[1] in ("initial_option", "initial_options"):
        raise AssertionError(f"{where}: clicking a {kind} needs selected=<option value>")
    return element_state(element, selected, where)


def _is_empty(state: Mapping[str, Any]) -> bool:
    return all(v in (None, "", []) for k, v in state.items() if k != "type")


def _check_client_side(element: dict[str, Any], state: Mapping[str, Any], where: str) -> None:
    """Limits the Slack client enforces before it lets the user submit."""
    value = state.get("value")
    if value is None:
        return
    if element["type"] == "plain_text_input":
        if len(value) > element.get("max_length", 3000):
            raise AssertionError(f"{where}: longer than max_length; Slack would not submit")
        if len(value) < element.get("min_length", 0):
            raise AssertionError(f"{where}: shorter than min_length; Slack would not submit")
    if element["type"] == "number_input":
        _check_number(element, value, where)


def _check_number(element: dict[str, Any], value: str, where: str) -> None:
    try:
        number = float(value) if element.get("is_decimal_allowed") else int(value)
    except ValueError:
        raise AssertionError(f"{where}: {value!r} is not a number Slack would accept") from None
    low, high = element.get("min_value"), element.get("max_value")
    if (low is not None and number < float(low)) or (high is not None and number > float(high)):
        raise AssertionError(f"{where}: {value} is outside [{low}, {high}]")


def build_state(view: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The view's state.values as Slack reports it when the user submits `values`."""
    inputs = {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise AssertionError(
            f"no input block(s) {unknown} in view {view['id']}; input blocks: {sorted(inputs)}"
        )
    state: dict[str, Any] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        where = f"input block {block_id!r} of view {view['id']}"
        raw = values[block_id] if block_id in values else _initial(element)
        value = element_state(element, raw, where)
        if not block.get("optional") and _is_empty(value):
            raise AssertionError(f"{where} is required; Slack would not let the user submit")
        _check_client_side(element, value, where)
        state[block_id] = {element["action_id"]: value}
    return {"values": state}


def _payload_view(view: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in view.items() if k != "user"}
