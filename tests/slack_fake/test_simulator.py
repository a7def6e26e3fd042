"""The simulator against a tiny real Bolt app served over HTTP, with the fake as its Web API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.demo.slack_fake import FakeSlack, SlackSimulator

SECRET = "simulator-signing-secret"
TOKEN = "xoxb-test-token"
PIA, PEETER = "UPIA", "UPEETER"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Harness:
    fake: FakeSlack
    slack: SlackSimulator
    app: App
    client: WebClient
    seen: list[dict[str, Any]] = field(default_factory=list)  # what listeners received


@pytest.fixture
def harness() -> Iterator[Harness]:
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.add_user(PIA, name="pia", real_name="Pia Panel")
        fake.add_user(PEETER, name="peeter")
        fake.add_channel("C0001", name="hiring", members=[PIA, PEETER])
        client = WebClient(base_url=fake.url, token=TOKEN)
        app = App(signing_secret=SECRET, client=client, token_verification_enabled=False)
        server = make_server("127.0.0.1", 0, SlackRequestHandler(app),
                             server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        try:
            yield Harness(fake, SlackSimulator(url, SECRET, fake), app, client)
        finally:
            server.shutdown()
            server.server_close()


def text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def option(value: str) -> dict[str, Any]:
    return {"text": text(value.upper()), "value": value}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "scorecard", "title": text("Scorecard"),
            "submit": text("Save"), "blocks": blocks, **extra}


def field_block(block_id: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": text(block_id),
            "element": {"action_id": "v", **element}, **extra}


# --- requests and signatures -------------------------------------------------------------------


def test_signed_command_opens_a_modal_with_the_issued_trigger(harness: Harness) -> None:
    @harness.app.command("/interview")
    def open_modal(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        harness.seen.append(body)
        client.views_open(trigger_id=body["trigger_id"], view=modal([
            field_block("notes", {"type": "plain_text_input"})]))

    response = harness.slack.command(PIA, "plan Ada")

    assert response.status == 200
    stack = harness.fake.wait_for(lambda: harness.fake.view_stack(PIA))
    assert stack[0]["callback_id"] == "scorecard"
    body = harness.seen[0]
    assert (body["user_id"], body["user_name"], body["text"]) == (PIA, "pia", "plan Ada")
    assert (body["channel_id"], body["channel_name"]) == ("C0001", "hiring")


def test_respond_through_the_response_url(harness: Harness) -> None:
    @harness.app.command("/interview")
    def reply(ack: Any, respond: Any) -> None:
        ack()
        respond("just for you")
        respond(text="for everyone", response_type="in_channel")

    harness.slack.command(PIA)

    ephemerals = harness.fake.wait_for(lambda: harness.fake.ephemerals(PIA))
    assert (ephemerals[0]["channel"], ephemerals[0]["text"]) == ("C0001", "just for you")
    messages = harness.fake.wait_for(lambda: harness.fake.messages("C0001"))
    assert messages[0]["text"] == "for everyone"


def test_bad_signature_and_old_timestamp_are_refused(harness: Harness) -> None:
    @harness.app.command("/interview")
    def never(ack: Any) -> None:
        ack()
        harness.seen.append({})

    body = urlencode({"command": "/interview", "user_id": PIA, "text": ""}).encode()
    form = "application/x-www-form-urlencoded"
    forged = harness.slack.send_raw(body, form, signature="v0=" + "0" * 64)
    stale = harness.slack.send_raw(body, form, timestamp=int(time.time()) - 6 * 60)

    assert (forged.status, stale.status) == (401, 401)
    assert harness.seen == []


def test_retry_headers_reach_the_app(harness: Harness) -> None:
    @harness.app.command("/interview")
    def note_retry(ack: Any, request: Any) -> None:
        ack()
        harness.seen.append(dict(request.headers))

    assert harness.slack.command(PIA, retry_num=2).status == 200
    headers = harness.fake.wait_for(lambda: harness.seen)[0]
    assert headers["x-slack-retry-num"] == ["2"]
    assert headers["x-slack-retry-reason"] == ["http_timeout"]


# --- clicks ------------------------------------------------------------------------------------


def test_click_on_a_posted_button_reaches_the_action_listener(harness: Harness) -> None:
    @harness.app.action("approve")
    def approve(ack: Any, body: dict[str, Any]) -> None:
        ack()
        harness.seen.append(body)

    buttons = {"type": "actions", "block_id": "decide", "elements": [
        {"type": "button", "action_id": "approve", "text": text("Yes"), "value": "cand-1"},
        {"type": "button", "action_id": "approve", "text": text("Yes"), "value": "cand-2"}]}
    ts = harness.client.chat_postMessage(channel="C0001", text="Decide", blocks=[buttons])["ts"]

    assert harness.slack.click(PIA, "approve", channel="C0001", ts=ts, value="cand-2").status == 200

    body = harness.fake.wait_for(lambda: harness.seen)[0]
    action = body["actions"][0]
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "approve", "decide", "cand-2")
    assert body["container"] == {"type": "message", "message_ts": ts, "channel_id": "C0001",
                                 "is_ephemeral": False}
    assert body["message"]["ts"] == ts
    assert body["channel"]["id"] == "C0001"
    assert body["trigger_id"] and body["response_url"]
    with pytest.raises(AssertionError, match="pass value="):
        harness.slack.click(PIA, "approve", channel="C0001", ts=ts)


def test_click_on_a_missing_element_fails_the_test(harness: Harness) -> None:
    ts = harness.client.chat_postMessage(channel="C0001", text="no buttons here")["ts"]
    with pytest.raises(AssertionError, match="no element with action_id 'approve'"):
        harness.slack.click(PIA, "approve", channel="C0001", ts=ts)
    with pytest.raises(AssertionError, match="no element with action_id 'approve'"):
        harness.slack.click(PIA, "approve")  # no home either


def test_select_in_the_app_home_after_home_opened(harness: Harness) -> None:
    picker = {"type": "static_select", "action_id": "pick", "placeholder": text("Pick"),
              "options": [option("ada"), option("bob")]}

    @harness.app.event("app_home_opened")
    def publish(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [
            {"type": "section", "block_id": "who", "text": text("Candidate"),
             "accessory": picker}]})

    @harness.app.action("pick")
    def picked(ack: Any, body: dict[str, Any]) -> None:
        ack()
        harness.seen.append(body)

    assert harness.slack.home_opened(PIA).status == 200
    home = harness.fake.wait_for(lambda: harness.fake.home(PIA))
    harness.slack.click(PIA, "pick", selected="bob")

    body = harness.fake.wait_for(lambda: harness.seen)[0]
    assert body["container"] == {"type": "view", "view_id": home["id"]}
    assert body["view"]["id"] == home["id"]
    assert body["actions"][0]["selected_option"] == option("bob")
    with pytest.raises(AssertionError, match="no option with value 'eve'"):
        harness.slack.click(PIA, "pick", selected="eve")


# --- submissions -------------------------------------------------------------------------------

EVERY_INPUT = [
    field_block("name", {"type": "plain_text_input"}),
    field_block("site", {"type": "url_text_input"}),
    field_block("count", {"type": "number_input", "is_decimal_allowed": False}),
    field_block("level", {"type": "static_select",
                          "options": [option("junior"), option("senior")]}),
    field_block("hire", {"type": "radio_buttons", "options": [option("yes"), option("no")]}),
    field_block("skills", {"type": "multi_static_select",
                           "options": [option("sql"), option("go"), option("ux")]}),
    field_block("flags", {"type": "checkboxes", "options": [option("remote"), option("visa")]}),
    field_block("lead", {"type": "users_select"}),
    field_block("panel", {"type": "multi_users_select"}),
    field_block("room", {"type": "conversations_select"}),
    field_block("chan", {"type": "channels_select"}),
    field_block("day", {"type": "datepicker"}),
    field_block("at", {"type": "timepicker"}),
    field_block("when", {"type": "datetimepicker"}),
    field_block("kept", {"type": "plain_text_input", "initial_value": "prefilled"}),
    field_block("extra", {"type": "static_select", "options": [option("a")]}, optional=True),
]
EVERY_VALUE = {
    "name": "Ada", "site": "https://ada.example", "count": 3, "level": "senior", "hire": "yes",
    "skills": ["sql", "ux"], "flags": ["visa"], "lead": PIA, "panel": [PIA, PEETER],
    "room": "C0001", "chan": "C0001", "day": date(2024, 5, 17), "at": "09:30",
    "when": 1715930000,
}


def open_modal(harness: Harness, blocks: list[dict[str, Any]]) -> str:
    trigger = harness.fake.issue_trigger_id(PIA)
    return harness.client.views_open(trigger_id=trigger, view=modal(blocks))["view"]["id"]


def test_submit_builds_state_of_the_right_shape(harness: Harness) -> None:
    acks: list[dict[str, Any]] = [
        {"response_action": "errors", "errors": {"name": "Too short"}},
        {},  # a plain ack()
    ]

    @harness.app.view("scorecard")
    def save(ack: Any, view: dict[str, Any]) -> None:
        harness.seen.append(view["state"]["values"])
        ack(**acks.pop(0))

    view_id = open_modal(harness, EVERY_INPUT)
    first = harness.slack.submit(PIA, view_id, EVERY_VALUE)

    assert first.json()["response_action"] == "errors"
    assert [v["id"] for v in harness.fake.view_stack(PIA)] == [view_id]  # errors keep it open
    state = {block: values["v"] for block, values in harness.seen[0].items()}
    assert state["name"] == {"type": "plain_text_input", "value": "Ada"}
    assert state["site"] == {"type": "url_text_input", "value": "https://ada.example"}
    assert state["count"] == {"type": "number_input", "value": "3"}
    assert state["level"] == {"type": "static_select", "selected_option": option("senior")}
    assert state["hire"] == {"type": "radio_buttons", "selected_option": option("yes")}
    assert state["skills"]["selected_options"] == [option("sql"), option("ux")]
    assert state["flags"] == {"type": "checkboxes", "selected_options": [option("visa")]}
    assert state["lead"] == {"type": "users_select", "selected_user": PIA}
    assert state["panel"] == {"type": "multi_users_select", "selected_users": [PIA, PEETER]}
    assert state["room"] == {"type": "conversations_select", "selected_conversation": "C0001"}
    assert state["chan"] == {"type": "channels_select", "selected_channel": "C0001"}
    assert state["day"] == {"type": "datepicker", "selected_date": "2024-05-17"}
    assert state["at"] == {"type": "timepicker", "selected_time": "09:30"}
    assert state["when"] == {"type": "datetimepicker", "selected_date_time": 1715930000}
    assert state["kept"]["value"] == "prefilled"
    assert state["extra"] == {"type": "static_select", "selected_option": None}

    second = harness.slack.submit(PIA, view_id, EVERY_VALUE)

    assert (second.status, second.body) == (200, "")
    assert harness.fake.view_stack(PIA) == []  # a plain ack closes it


def test_submit_refuses_what_the_user_could_not_do(harness: Harness) -> None:
    view_id = open_modal(harness, [field_block("name", {"type": "plain_text_input"})])

    with pytest.raises(AssertionError, match="no input block"):
        harness.slack.submit(PIA, view_id, {"nmae": "typo"})
    with pytest.raises(AssertionError, match="is required"):
        harness.slack.submit(PIA, view_id, {})
    with pytest.raises(AssertionError, match="not the modal on top"):
        harness.slack.submit(PEETER, view_id, {"name": "x"})
    with pytest.raises(AssertionError, match="cannot see view"):
        harness.slack.click(PEETER, "v", view_id=view_id)


def test_update_and_push_acks_change_the_stack(harness: Harness) -> None:
    follow_up = modal([{"type": "section", "text": text("Thanks")}], callback_id="next")
    acks = [{"response_action": "push", "view": follow_up},
            {"response_action": "update", "view": {**follow_up, "title": text("x" * 25)}}]

    @harness.app.view("scorecard")
    def save(ack: Any) -> None:
        ack(**acks.pop(0))

    view_id = open_modal(harness, [field_block("name", {"type": "plain_text_input"})])
    harness.slack.submit(PIA, view_id, {"name": "Ada"})

    stack = harness.fake.view_stack(PIA)
    assert [v["callback_id"] for v in stack] == ["scorecard", "next"]
    assert stack[1]["previous_view_id"] == view_id
    harness.fake.close_view(PIA, stack[1]["id"])
    with pytest.raises(AssertionError, match="Slack would reject"):
        harness.slack.submit(PIA, view_id, {"name": "Ada"})  # a 25-character title


def test_click_in_an_ephemeral_and_replace_it(harness: Harness) -> None:
    undo = {"type": "actions", "elements": [
        {"type": "button", "action_id": "undo", "text": text("Undo"), "value": "42"}]}

    @harness.app.command("/interview")
    def offer(ack: Any, respond: Any) -> None:
        ack()
        respond(text="Saved", blocks=[undo])

    @harness.app.action("undo")
    def undone(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        harness.seen.append(body)
        respond(text="Undone", replace_original=True)

    harness.slack.command(PIA)
    harness.fake.wait_for(lambda: harness.fake.ephemerals(PIA))
    harness.slack.click(PIA, "undo", channel="C0001")  # the newest one there with that button

    harness.fake.wait_for(lambda: harness.fake.ephemerals(PIA)[0]["text"] == "Undone")
    assert harness.seen[0]["container"]["is_ephemeral"] is True
    assert harness.seen[0]["actions"][0]["value"] == "42"


def test_closing_a_modal_tells_the_app_when_asked(harness: Harness) -> None:
    @harness.app.view_closed("scorecard")
    def closed(ack: Any, view: dict[str, Any]) -> None:
        ack()
        harness.seen.append(view)

    trigger = harness.fake.issue_trigger_id(PIA)
    view = modal([{"type": "section", "text": text("Bye")}], notify_on_close=True)
    view_id = harness.client.views_open(trigger_id=trigger, view=view)["view"]["id"]

    assert harness.slack.close(PIA, view_id).status == 200
    assert harness.fake.wait_for(lambda: harness.seen)[0]["id"] == view_id
    assert harness.fake.view_stack(PIA) == []
