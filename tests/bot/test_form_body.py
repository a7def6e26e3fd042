"""bot/form_body.py reads every body exactly as Bolt and the standard library would."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode

from hypothesis import given
from hypothesis import strategies as st
from slack_bolt import BoltRequest

from bot.form_body import SlackRequest, parse_form, unquote_form_value

FORM = {"content-type": ["application/x-www-form-urlencoded"]}

# Text a form may carry: anything printable, plus the characters that encoding changes.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
    list("%+&=\\ \n\"'{}[]:,é—€😀")), max_size=40)


@given(st.dictionaries(text, text, max_size=6))
def test_any_encoded_form_reads_as_the_standard_library_reads_it(fields: dict[str, str]) -> None:
    body = urlencode(fields)
    assert parse_form(body) == dict(parse_qsl(body, keep_blank_values=True))


@given(st.text(alphabet=st.sampled_from(list("%+&=\\abcXYZ019é—")), max_size=30))
def test_malformed_or_raw_text_reads_as_the_standard_library_reads_it(body: str) -> None:
    # Escapes cut short or not hex ("%4", "%zz"), raw non-ASCII, bytes that are not UTF-8.
    assert parse_form(body) == dict(parse_qsl(body, keep_blank_values=True))


def test_bytes_that_are_not_utf8_decode_like_urllib() -> None:
    for raw in ("%C3", "%E9t%E9", "%ff%fe", "a%C3%A9%", "%5Cx41"):
        assert unquote_form_value(raw) == dict(parse_qsl(f"k={raw}"))["k"]


LABEL = "Question {n} — “why?” 100% + \\"


def interaction(view_blocks: int) -> str:
    payload = {
        "type": "view_submission", "team": {"id": "T1", "domain": "x"},
        "user": {"id": "U1", "team_id": "T1"}, "api_app_id": "A1",
        "enterprise": None, "is_enterprise_install": False,
        "view": {"id": "V1", "callback_id": "scorecard", "private_metadata": "1:0:U1",
                 "blocks": [{"type": "input", "block_id": f"q:{n}",
                             "label": {"type": "plain_text", "text": LABEL.format(n=n)}}
                            for n in range(view_blocks)],
                 "state": {"values": {"q:0": {"rating": {"selected_option": {"value": "4"}}}}}},
    }
    return "payload=" + quote(json.dumps(payload, ensure_ascii=False), safe="")


def test_a_request_is_what_bolt_would_make_of_it() -> None:
    command = urlencode({"command": "/interview", "text": "summary 12 + 3%", "team_id": "T1",
                         "user_id": "U1", "channel_id": "C1", "response_url": "https://x/y?z=1",
                         "trigger_id": "1.2.3", "enterprise_id": "", "api_app_id": "A1"})
    for body, headers in ((interaction(150), FORM), (command, FORM),
                          (json.dumps({"type": "event_callback", "team_id": "T1",
                                       "event": {"type": "app_home_opened", "user": "U1"}}),
                           {"content-type": ["application/json"]})):
        ours = SlackRequest(body=body, query="a=1", headers=headers)
        bolts = BoltRequest(body=body, query="a=1", headers=headers)
        assert ours.body == bolts.body and ours.raw_body == bolts.raw_body == body
        assert dict(ours.context) == dict(bolts.context)
        assert (ours.query, ours.headers, ours.content_type, ours.mode, ours.lazy_only) == (
            bolts.query, bolts.headers, bolts.content_type, bolts.mode, bolts.lazy_only)
