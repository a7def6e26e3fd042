"""The fake Web API, driven by slack_sdk's real WebClient over HTTP."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.demo.slack_fake import FakeSlack
from bot.demo.slack_fake.blockkit import message_errors, view_errors

TOKEN = "xoxb-test-token"
PIA, GONE, OTHER_BOT = "UPIA", "UGONE", "UOTHERBOT"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.add_user(PIA, name="pia", real_name="Pia Panel", tz="Asia/Tokyo")
        fake.add_user(GONE, name="gone", deleted=True)
        fake.add_user(OTHER_BOT, name="otherbot", is_bot=True)
        fake.add_channel("C0001", name="hiring", members=[PIA])
        fake.add_channel("C0002", name="outside", bot_is_member=False)
        fake.add_channel("G0001", name="secret", is_private=True, bot_is_member=False)
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token=TOKEN)


def section(index: int = 0) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"row {index}"}}


def modal(**overrides: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Scorecard"},
            "blocks": [section()], **overrides}


def select(options: int) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick",
            "options": [{"text": {"type": "plain_text", "text": f"o{i}"}, "value": f"v{i}"}
                        for i in range(options)]}


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call()
    return dict(caught.value.response.data)


# --- auth and dispatch -------------------------------------------------------------------------


def test_auth_test_answers_for_the_bot(client: WebClient) -> None:
    reply = client.auth_test()
    assert (reply["team_id"], reply["user_id"], reply["bot_id"]) == ("T0001", "UBOT", "BBOT")
    assert reply["url"].startswith("https://")


def test_wrong_token_and_unknown_method(fake: FakeSlack) -> None:
    wrong = WebClient(base_url=fake.url, token="xoxb-wrong")
    assert error_of(wrong.auth_test)["error"] == "invalid_auth"
    client = WebClient(base_url=fake.url, token=TOKEN)
    assert error_of(lambda: client.api_call("chat.teleport"))["error"] == "unknown_method"
    assert [c["method"] for c in fake.calls()] == ["auth.test", "chat.teleport"]


def test_json_multipart_and_get_requests_are_understood(client: WebClient,
                                                        fake: FakeSlack) -> None:
    client.api_call("chat.postMessage", json={"channel": "C0001", "text": "json", "blocks": [
        section()]})
    client.api_call("chat.postMessage", data={"channel": "C0001", "text": "multipart"})
    info = client.api_call("users.info", http_verb="GET", params={"user": PIA})

    assert [m["text"] for m in fake.messages("C0001")] == ["json", "multipart"]
    assert fake.messages("C0001")[0]["blocks"][0]["text"]["text"] == "row 0"
    assert info["user"]["name"] == "pia"
    assert fake.calls("chat.postMessage")[0]["params"]["blocks"][0]["type"] == "section"


# --- chat --------------------------------------------------------------------------------------


def test_post_to_channel_dm_and_user_id(client: WebClient, fake: FakeSlack) -> None:
    first = client.chat_postMessage(channel="C0001", text="hello channel")
    dm = fake.dm_channel(PIA)
    second = client.chat_postMessage(channel=dm, text="hello dm")
    third = client.chat_postMessage(channel=PIA, text="via user id")

    assert third["channel"] == dm  # a user id means the DM, and Slack answers with its id
    assert first["ts"] < second["ts"] < third["ts"]
    assert first["message"]["bot_id"] == "BBOT"
    assert [m["text"] for m in fake.messages("C0001")] == ["hello channel"]
    assert [m["text"] for m in fake.dms(PIA)] == ["hello dm", "via user id"]
    assert fake.dm_channel(PIA) == dm
    assert fake.message(dm, third["ts"])["user"] == "UBOT"


def test_thread_replies(client: WebClient, fake: FakeSlack) -> None:
    parent = client.chat_postMessage(channel="C0001", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C0001", text="one", thread_ts=parent)
    client.chat_postMessage(channel="C0001", text="two", thread_ts=reply["ts"])

    assert reply["message"]["thread_ts"] == parent
    assert [m["text"] for m in fake.messages("C0001")] == ["parent"]
    assert [m["text"] for m in fake.thread("C0001", parent)] == ["one", "two"]
    assert fake.messages("C0001")[0]["replies_count"] == 2
    assert fake.messages("C0001")[0]["thread_ts"] is None
    missing = error_of(lambda: client.chat_postMessage(channel="C0001", text="x", thread_ts="1.2"))
    assert missing["error"] == "thread_not_found"


def test_update_keeps_previous_versions(client: WebClient, fake: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C0001", text="v1", blocks=[section(1)])["ts"]
    client.chat_update(channel="C0001", ts=ts, text="v2")
    client.chat_update(channel="C0001", ts=ts, text="v3", blocks=[section(3)])

    message = fake.message("C0001", ts)
    assert message["text"] == "v3"
    assert message["blocks"][0]["text"]["text"] == "row 3"
    assert [e["text"] for e in message["edits"]] == ["v1", "v2"]
    assert message["edits"][1]["blocks"][0]["text"]["text"] == "row 1"  # v2 kept v1's blocks
    assert error_of(lambda: client.chat_update(channel="C0001", ts="1.1", text="x"))["error"] == (
        "message_not_found")
    # chat.update wants the DM's own id, not the user id
    dm_ts = client.chat_postMessage(channel=PIA, text="dm")["ts"]
    assert error_of(lambda: client.chat_update(channel=PIA, ts=dm_ts, text="x"))["error"] == (
        "channel_not_found")


def test_concurrent_posts_are_all_kept_in_order(client: WebClient, fake: FakeSlack) -> None:
    def post(index: int) -> str:
        return client.chat_postMessage(channel="C0001", text=str(index))["ts"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(post, range(40)))

    messages = fake.messages("C0001")
    assert sorted(int(m["text"]) for m in messages) == list(range(40))
    assert len(set(stamps)) == 40
    assert [m["ts"] for m in messages] == sorted(stamps)
    assert len(fake.calls("chat.postMessage")) == 40


def test_delete_ephemeral_and_permalink(client: WebClient, fake: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C0001", text="bye")["ts"]
    link = client.chat_getPermalink(channel="C0001", message_ts=ts)["permalink"]
    client.chat_delete(channel="C0001", ts=ts)
    client.chat_postEphemeral(channel="C0001", user=PIA, text="only you")

    assert link.endswith(f"/archives/C0001/p{ts.replace('.', '')}")
    assert fake.messages("C0001") == []
    assert [(e["channel"], e["user"], e["text"]) for e in fake.ephemerals(PIA)] == [
        ("C0001", PIA, "only you")]


def test_not_in_channel_until_joined(client: WebClient, fake: FakeSlack) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0002", text="hi"))["error"] == (
        "not_in_channel")
    joined = client.conversations_join(channel="C0002")
    client.chat_postMessage(channel="C0002", text="hi")

    assert joined["channel"]["is_member"] is True
    assert [m["text"] for m in fake.messages("C0002")] == ["hi"]
    assert error_of(lambda: client.conversations_join(channel="G0001"))["error"] == (
        "method_not_supported_for_channel_type")
    assert error_of(lambda: client.conversations_join(channel="C9999"))["error"] == (
        "channel_not_found")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": GONE, "text": "hi"}, "user_disabled"),
        ({"channel": OTHER_BOT, "text": "hi"}, "cannot_dm_bot"),
        ({"channel": "UNOBODY", "text": "hi"}, "channel_not_found"),
        ({"channel": "C9999", "text": "hi"}, "channel_not_found"),
        ({"channel": "G0001", "text": "hi"}, "channel_not_found"),  # invisible to the bot
        pytest.param({"channel": "C0001"}, "no_text",
                     marks=pytest.mark.filterwarnings("ignore:The top-level `text`")),
        ({"channel": "C0001", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_post_message_errors(client: WebClient, kwargs: dict[str, Any], error: str) -> None:
    assert error_of(lambda: client.chat_postMessage(**kwargs))["error"] == error


def test_conversations_info_and_open(client: WebClient, fake: FakeSlack) -> None:
    info = client.conversations_info(channel="C0001")["channel"]
    opened = client.conversations_open(users=PIA)["channel"]

    assert (info["name"], info["is_private"], info["is_member"]) == ("hiring", False, True)
    assert opened["id"] == fake.dm_channel(PIA)
    assert client.conversations_info(channel=opened["id"])["channel"]["is_im"] is True
    assert error_of(lambda: client.conversations_info(channel="G0001"))["error"] == (
        "channel_not_found")


def test_users_info_has_timezone(client: WebClient) -> None:
    user = client.users_info(user=PIA)["user"]
    assert (user["name"], user["real_name"], user["tz"]) == ("pia", "Pia Panel", "Asia/Tokyo")
    assert user["tz_offset"] == 9 * 3600
    assert user["tz_label"] == datetime.now(ZoneInfo("Asia/Tokyo")).tzname()
    assert user["profile"]["display_name"] == "pia"
    assert error_of(lambda: client.users_info(user="UNOBODY"))["error"] == "user_not_found"


# --- views -------------------------------------------------------------------------------------


def test_views_open_trigger_rules(client: WebClient, fake: FakeSlack) -> None:
    trigger = fake.issue_trigger_id(PIA)
    view = client.views_open(trigger_id=trigger, view=modal(private_metadata="42"))["view"]

    assert view["id"].startswith("V")
    assert view["state"] == {"values": {}}
    assert view["root_view_id"] == view["id"]
    assert fake.view(view["id"])["user"] == PIA
    assert [v["id"] for v in fake.view_stack(PIA)] == [view["id"]]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal()))["error"] == (
        "exchanged_trigger_id")
    assert error_of(lambda: client.views_open(trigger_id="1.2.3", view=modal()))["error"] == (
        "invalid_trigger_id")


def test_expired_trigger() -> None:
    with FakeSlack(bot_token=TOKEN, trigger_ttl=0.05) as fake:
        fast = WebClient(base_url=fake.url, token=TOKEN)
        trigger = fake.issue_trigger_id(PIA)
        time.sleep(0.1)
        assert error_of(lambda: fast.views_open(trigger_id=trigger, view=modal()))["error"] == (
            "expired_trigger_id")


def test_views_push_update_and_close(client: WebClient, fake: FakeSlack) -> None:
    root = client.views_open(trigger_id=fake.issue_trigger_id(PIA), view=modal())["view"]
    pushed = [client.views_push(trigger_id=fake.issue_trigger_id(PIA), view=modal())["view"]
              for _ in range(2)]
    over = error_of(lambda: client.views_push(trigger_id=fake.issue_trigger_id(PIA), view=modal()))

    assert over["error"] == "push_limit_reached"
    assert pushed[1]["previous_view_id"] == pushed[0]["id"]
    assert pushed[1]["root_view_id"] == root["id"]
    fake.close_view(PIA, pushed[0]["id"])
    assert [v["id"] for v in fake.view_stack(PIA)] == [root["id"]]
    assert error_of(lambda: client.views_update(view_id=pushed[1]["id"], view=modal()))[
        "error"] == "not_found"


def test_views_update_hash_conflict(client: WebClient, fake: FakeSlack) -> None:
    view = client.views_open(trigger_id=fake.issue_trigger_id(PIA),
                             view=modal(external_id="scorecard-7"))["view"]
    updated = client.views_update(view_id=view["id"], hash=view["hash"],
                                  view=modal(external_id="scorecard-7", private_metadata="2"))
    stale = error_of(lambda: client.views_update(view_id=view["id"], hash=view["hash"],
                                                 view=modal()))
    by_external = client.views_update(external_id="scorecard-7", view=modal(callback_id="cb"))

    assert updated["view"]["hash"] != view["hash"]
    assert stale["error"] == "hash_conflict"
    assert by_external["view"]["id"] == view["id"]
    assert fake.view(view["id"])["callback_id"] == "cb"


def test_views_publish_home(client: WebClient, fake: FakeSlack) -> None:
    home = {"type": "home", "blocks": [section()]}
    first = client.views_publish(user_id=PIA, view=home)["view"]
    second = client.views_publish(user_id=PIA, view={**home, "private_metadata": "2"})["view"]

    assert first["id"] == second["id"]
    assert fake.home(PIA)["private_metadata"] == "2"
    assert fake.home("UOTHER") is None
    assert error_of(lambda: client.views_publish(user_id=PIA, view=modal()))["error"] == (
        "invalid_arguments")


# --- Block Kit limits --------------------------------------------------------------------------


def test_51_blocks_in_a_message(client: WebClient) -> None:
    error = error_of(lambda: client.chat_postMessage(
        channel="C0001", text="t", blocks=[section(i) for i in range(51)]))
    assert error["error"] == "invalid_blocks"
    assert error["errors"] == ["must be less than 51 items [json-pointer:/blocks]"]


def button(text: str) -> dict[str, Any]:
    return {"type": "actions", "elements": [
        {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": text}}]}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (modal(blocks=[section(i) for i in range(101)]),
         "must be less than 101 items [json-pointer:/view/blocks]"),
        (modal(title={"type": "plain_text", "text": "x" * 25}),
         "must be less than 25 characters [json-pointer:/view/title/text]"),
        (modal(private_metadata="x" * 3001),
         "must be less than 3001 characters [json-pointer:/view/private_metadata]"),
        (modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "Pick"},
                        "element": select(101)}], submit={"type": "plain_text", "text": "OK"}),
         "must be less than 101 items [json-pointer:/view/blocks/0/element/options]"),
        (modal(blocks=[button("x" * 76)]),
         "must be less than 76 characters [json-pointer:/view/blocks/0/elements/0/text/text]"),
    ],
    ids=["101-blocks", "25-char-title", "metadata-3001", "101-options", "76-char-button"],
)
def test_view_limits(client: WebClient, fake: FakeSlack, view: dict[str, Any],
                     expected: str) -> None:
    error = error_of(lambda: client.views_open(trigger_id=fake.issue_trigger_id(PIA), view=view))
    # views.* answers invalid_arguments (as Slack does), with the problems listed
    assert error["error"] == "invalid_arguments"
    assert expected in error["errors"]
    assert f"[ERROR] {expected}" in error["response_metadata"]["messages"]


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
         "must be plain_text [json-pointer:/blocks/0/text/type]"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
         "must be less than 151 characters [json-pointer:/blocks/0/text/text]"),
        ([{"type": "carousel"}], "unsupported type: carousel [json-pointer:/blocks/0/type]"),
        ([{"type": "input", "label": {"type": "plain_text", "text": "l"},
           "element": {"type": "plain_text_input"}}],
         "unsupported type: input [json-pointer:/blocks/0/type]"),
        ([{**section(), "block_id": "a"}, {**section(), "block_id": "a"}],
         "duplicate block_id: a [json-pointer:/blocks/1/block_id]"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}],
         "must be more than 0 characters [json-pointer:/blocks/0/text/text]"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
         "must be less than 11 items [json-pointer:/blocks/0/fields]"),
        ([{"type": "actions", "elements": [{"type": "overflow", "action_id": "o", "options": [
            {"text": {"type": "plain_text", "text": "a"}, "value": "a"}]}]}],
         "must provide at least 2 items [json-pointer:/blocks/0/elements/0/options]"),
        ([{"type": "actions", "elements": [{"type": "button", "action_id": "b" * 256,
                                            "text": {"type": "plain_text", "text": "b"}}]}],
         "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"),
    ],
    ids=["mrkdwn-header", "long-header", "unknown-type", "input-in-message", "duplicate-id",
         "empty-text", "11-fields", "1-option-overflow", "long-action-id"],
)
def test_message_block_rules(blocks: list[dict[str, Any]], expected: str) -> None:
    assert expected in message_errors(blocks)


def test_valid_blocks_pass() -> None:
    radio = {"type": "radio_buttons", "action_id": "r", "options": [
        {"text": {"type": "mrkdwn", "text": "*yes*"}, "value": "y"}]}
    view = modal(submit={"type": "plain_text", "text": "Save"}, blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": "Candidate"}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ctx"}]},
        {"type": "input", "block_id": "r", "label": {"type": "plain_text", "text": "R"},
         "element": radio},
        {"type": "section", "text": {"type": "mrkdwn", "text": "s"}, "accessory": select(3)},
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
    ])
    assert view_errors(view) == []
    assert message_errors([section(), button("ok")]) == []


# --- files -------------------------------------------------------------------------------------


def test_files_upload_v2_records_the_upload(client: WebClient, fake: FakeSlack) -> None:
    dm = fake.dm_channel(PIA)
    reply = client.files_upload_v2(channel=dm, content=b"name,score\npia,4\n",
                                   filename="scores.csv", title="Scores",
                                   initial_comment="Here you go")

    assert reply["file"]["id"].startswith("F")
    [upload] = fake.files(PIA)
    assert upload["content"] == b"name,score\npia,4\n"
    assert (upload["filename"], upload["title"], upload["channels"]) == (
        "scores.csv", "Scores", [dm])
    assert upload["initial_comment"] == "Here you go"
    assert fake.files("C0001") == []
    assert [m["text"] for m in fake.dms(PIA)] == ["Here you go"]  # the share is a message


def test_files_upload_v2_to_a_user_id_is_rejected(client: WebClient) -> None:
    error = error_of(lambda: client.files_upload_v2(channel=PIA, content="x", filename="a.txt"))
    assert error["error"] == "invalid_arguments"


def test_files_delete_removes_the_bots_own_file_and_leaves_a_tombstone(
        client: WebClient, fake: FakeSlack) -> None:
    dm = fake.dm_channel(PIA)
    file_id = client.files_upload_v2(channel=dm, content=b"secret", filename="a.csv",
                                     initial_comment="Here")["file"]["id"]
    theirs = fake.add_file(PIA, PIA, filename="cv.pdf")

    assert client.files_delete(file=file_id)["ok"] is True

    assert [f["id"] for f in fake.files(PIA)] == [theirs]
    [share] = fake.dms(PIA)
    assert share["files"] == [{"id": file_id, "mode": "tombstone"}]
    assert error_of(lambda: client.files_delete(file=file_id))["error"] == "file_deleted"
    assert error_of(lambda: client.files_delete(file="F9999"))["error"] == "file_not_found"
    assert error_of(lambda: client.files_delete(file=theirs))["error"] == "cant_delete_file"
    assert [f["id"] for f in fake.files(PIA)] == [theirs]


def test_a_file_picked_in_a_file_input_is_read_with_the_bot_token(
        client: WebClient, fake: FakeSlack) -> None:
    picked = fake.add_user_file(PIA, "team set.yaml", b"id: team\n")
    info = client.files_info(file=picked["id"])["file"]
    assert (info["name"], info["size"], info["user"], info["channels"]) == (
        "team set.yaml", 9, PIA, [])
    assert info["url_private"] == picked["url_private"]
    for url in (info["url_private"], info["url_private_download"]):
        with_token = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(with_token, timeout=5) as answer:
            assert answer.read() == b"id: team\n"
        for headers in ({}, {"Authorization": "Bearer xoxb-someone-else"}):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
            assert refused.value.code == 401
    assert error_of(lambda: client.files_info(file="FNOPE"))["error"] == "file_not_found"


def test_a_file_input_is_for_modals_only(client: WebClient, fake: FakeSlack) -> None:
    file_input = {"type": "input", "block_id": "f", "label": {"type": "plain_text", "text": "F"},
                  "element": {"type": "file_input", "action_id": "f", "max_files": 1,
                              "filetypes": ["yaml", "csv"]}}
    ok = modal(blocks=[file_input], submit={"type": "plain_text", "text": "OK"})
    assert view_errors(ok) == []
    assert view_errors(modal(blocks=[{**file_input, "element": {
        **file_input["element"], "max_files": 11}}], submit={"type": "plain_text", "text": "OK"})
    ) == ["must be between 1 and 10 [json-pointer:/view/blocks/0/element/max_files]"]
    home = {"type": "home", "blocks": [file_input]}
    assert view_errors(home) == [
        "file_input is only supported in modals [json-pointer:/view/blocks/0/element/type]"]
    assert message_errors([file_input])  # input blocks are not for messages at all


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32  # the signature is what the fake looks at


def test_a_png_in_a_thread_is_shared_and_deleted(client: WebClient, fake: FakeSlack) -> None:
    root = client.chat_postMessage(channel="C0001", text="plan")["ts"]
    reply = client.files_upload_v2(channel="C0001", thread_ts=root, content=PNG,
                                   filename="plot.png", title="Plot", alt_txt="Dots.")
    file_id = reply["file"]["id"]
    [upload] = fake.files("C0001")
    assert (upload["alt_txt"], upload["thread_ts"]) == ("Dots.", root)
    assert [m.get("files", [{}])[0].get("id") for m in fake.thread("C0001", root)] == [file_id]

    client.files_delete(file=file_id)
    assert fake.files("C0001") == [] and fake.thread("C0001", root, shares=False) == []
    [share] = fake.thread("C0001", root)
    assert share["files"] == [{"id": file_id, "mode": "tombstone"}]


def test_an_upload_is_checked(client: WebClient, fake: FakeSlack) -> None:
    def error(**given: Any) -> str:
        upload = {"channel": "C0001", "content": PNG, "filename": "plot.png", **given}
        return str(error_of(lambda: client.files_upload_v2(**upload))["error"])

    assert error(content=b"GIF89a not a png") == "file_type_not_allowed"
    assert error(alt_txt="x" * 1001) == "alt_txt_too_large"
    assert error(channel="C0002") == "not_in_channel"
    fake.max_file_bytes = len(PNG) - 1
    assert error() == "file_upload_size_restricted"
    assert fake.files() == []


# --- failures and waiting ----------------------------------------------------------------------


def test_rate_limit_is_retried_after_retry_after(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.url, token=TOKEN,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    fake.fail_next("chat.postMessage", retry_after=0)

    reply = client.chat_postMessage(channel="C0001", text="eventually")

    assert reply["ok"] is True
    outcomes = [c["response"].get("error", "ok") for c in fake.calls("chat.postMessage")]
    assert outcomes == ["ratelimited", "ok"]
    assert [m["text"] for m in fake.messages("C0001")] == ["eventually"]


def test_injected_server_errors_and_plain_errors(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_next("users.info", "internal_error", status=500)
    fake.fail_next("auth.test", "fatal_error", status=200, times=2)

    with pytest.raises(SlackApiError) as caught:
        client.users_info(user=PIA)
    assert caught.value.response.status_code == 500
    assert error_of(client.auth_test)["error"] == "fatal_error"
    assert error_of(client.auth_test)["error"] == "fatal_error"
    assert client.auth_test()["ok"] is True


def test_wait_for_returns_the_value_or_explains_the_timeout(fake: FakeSlack,
                                                            client: WebClient) -> None:
    assert fake.wait_for(lambda: 42) == 42
    client.auth_test()
    with pytest.raises(AssertionError) as caught:
        fake.wait_for(lambda: fake.messages("C0001"), timeout=0.1)
    message = str(caught.value)
    assert "still false after 0.1s" in message
    assert "fake.messages" in message  # names the condition
    assert "auth.test→ok" in message  # and what the app did meanwhile
