"""The edge of `/slack/events`: what a request must be before Bolt sees it.

In order, each step answering with a 4xx and logging nothing of the body:
1. size: a body over MAX_BODY_BYTES is refused (413) before it is read; the largest real
   request, a 150-question scorecard page, is about 160 KB;
2. time: a body that does not arrive within BODY_READ_SECONDS is refused (408);
3. text: the body must be UTF-8 (400), as everything Slack signs is;
4. signature: Slack's signature and timestamp are checked (401), before anything is parsed;
5. shape: the body must parse into an object, an interaction with its actions (400).

Then Bolt gets a request whose body was parsed here (SlackRequest). Bolt's own parsing
(slack_bolt/request/internals.py `parse_body`) takes any form body that merely contains
the text "payload" for an interaction and returns an empty body when it has no `payload`
field: `/interview help payload`, or a command from #payload-team, would go unanswered.
Here a form body is an interaction only when it has a `payload` field.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltContext, BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

MAX_BODY_BYTES = 1_000_000
BODY_READ_SECONDS = 5.0  # Slack gives up on an answer after 3 s anyway


class Refused(Exception):
    """A request the edge answers itself: an HTTP status and a short reason for the log."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackRequest(BoltRequest):
    """A BoltRequest (HTTP mode) whose body was parsed by the edge: Bolt sets up everything
    else from an empty body, then the body and the context drawn from it are put in, as
    Bolt's own constructor would."""

    def __init__(self, *, raw_body: str, body: dict[str, Any], query: str,
                 headers: dict[str, str | Sequence[str]]) -> None:
        super().__init__(body="", query=query, headers=headers)
        self.raw_body = raw_body
        self.body = body
        self.context = build_context(BoltContext({}), body)


def slack_request(environ: dict[str, Any], verifier: SignatureVerifier) -> SlackRequest:
    """The request Bolt should dispatch, or Refused."""
    raw = read_body(environ)
    headers = _headers(environ)
    try:
        text = raw.decode("utf-8")  # Slack signs text; nothing else is signed by Slack
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "body is not UTF-8") from None
    try:
        signed = verifier.is_valid(text, _one(headers, "x-slack-request-timestamp"),
                                   _one(headers, "x-slack-signature"))
    except ValueError:  # a timestamp that is not a number
        signed = False
    if not signed:
        raise Refused("401 Unauthorized", "bad or missing signature")
    content_type = (_one(headers, "content-type") or "").split(";", 1)[0].strip().lower()
    try:
        body = parse_body(text, content_type)
    except ValueError as error:
        raise Refused("400 Bad Request", f"body does not parse ({error})") from None
    return SlackRequest(raw_body=text, body=body, query=environ.get("QUERY_STRING", ""),
                        headers=headers)


def parse_body(text: str, content_type: str) -> dict[str, Any]:
    """A Slack request body as an object: JSON (events), a form with one `payload` field
    of JSON (interactions), or a form (slash commands). ValueError otherwise."""
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        data = json.loads(text)
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        data = json.loads(form["payload"]) if "payload" in form else form
    if not isinstance(data, dict):
        raise ValueError("not an object")
    if data.get("type") == "block_actions" and not _actions(data):
        raise ValueError("an interaction without actions")
    return data


def _actions(data: dict[str, Any]) -> bool:
    actions = data.get("actions")
    return isinstance(actions, list) and bool(actions) and all(
        isinstance(a, dict) for a in actions)


def read_body(environ: dict[str, Any]) -> bytes:
    """The body, read only if it is small enough, and only as long as it keeps coming."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        raise Refused("400 Bad Request", "Content-Length is not a number") from None
    if length > MAX_BODY_BYTES:
        raise Refused("413 Content Too Large", f"Content-Length {length}")
    stream = environ["wsgi.input"]
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        sock.settimeout(BODY_READ_SECONDS)  # gunicorn reads the body on this socket
    try:
        body = stream.read(length if length >= 0 else MAX_BODY_BYTES + 1)
    except TimeoutError:
        raise Refused("408 Request Timeout", "body too slow") from None
    finally:
        if isinstance(sock, socket.socket):
            sock.settimeout(None)
    if len(body) > MAX_BODY_BYTES:
        raise Refused("413 Content Too Large", "chunked body over the limit")
    return bytes(body)


def _headers(environ: dict[str, Any]) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {key[5:].replace("_", "-").lower(): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = str(environ["CONTENT_LENGTH"])
    return headers


def _one(headers: dict[str, str | Sequence[str]], name: str) -> str | None:
    value = headers.get(name)
    return value if isinstance(value, str) or value is None else next(iter(value), None)
