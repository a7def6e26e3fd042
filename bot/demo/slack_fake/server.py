"""A local fake of the Slack Web API, spoken over real HTTP.

The app's real ``slack_sdk.WebClient(base_url=fake.url, token=...)`` talks to it; tests read back
the state it keeps (messages, modals, uploads) and can inject failures. Standard library only,
because the app's ``demo`` command ships it.

Where Slack's behaviour matters to an app (error codes, trigger rules, modal stacks, Block Kit
limits) the fake follows Slack; everything else is kept deliberately small. Choices worth knowing:

- views.* answer an invalid view with ``invalid_arguments`` (as Slack does) plus our "errors"
  list; chat.* answer ``invalid_blocks``. A reused trigger_id is ``exchanged_trigger_id``.
- DMs to deleted users answer ``user_disabled``, to bots ``cannot_dm_bot`` (Slack documents no
  single code for either); a private channel the bot is not in is ``channel_not_found``.
- Slack fills in missing block_id/action_id values, so stored blocks gain them.
- A file share posts a message (text = initial_comment) in each conversation it went to;
  files.delete (the bot's own files only, else ``cant_delete_file``; ``file_deleted`` when
  it is gone already) leaves a tombstone there.
- Uploads are checked: the bot must be able to post where a file goes, the alt text is at
  most 1000 characters (``alt_txt_too_large``), a file at most ``max_file_bytes``
  (``file_upload_size_restricted``), and a ``.png`` must be one (``file_type_not_allowed``,
  our choice: Slack takes any bytes, but an app that means to send a PNG wants to know).
- A file a user picks in a modal's file_input (``add_user_file``) is hosted and shared
  nowhere; the app reads it with files.info and downloads its ``url_private`` with the bot
  token. Without the token the download is a 401 (Slack answers with its sign-in page).
- ``ts`` values come from the wall clock (microseconds), unique and increasing.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import mimetypes
import re
import secrets
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

from bot.demo.slack_fake import blockkit

T = TypeVar("T")
Params = dict[str, Any]

_ATOMS = (str, int, float, bool, type(None))


def copied(data: Any) -> Any:
    """A deep copy of the JSON data the fake keeps (views, messages, calls), faster than
    copy.deepcopy (its memo): the fake's views.open of a scorecard went from 8.5 to 6 ms,
    CPU that the benchmark's app shares the machine with. Anything else goes by deepcopy."""
    kind = type(data)
    if kind is dict:
        return {key: copied(value) for key, value in data.items()}
    if kind is list:
        return [copied(value) for value in data]
    if kind in _ATOMS:
        return data
    return copy.deepcopy(data)


Handler = Callable[[Params], dict[str, Any]]

MAX_TEXT = 40_000
MAX_VIEW_STACK = 3
UPLOAD_PATH = "/upload/v1/"
FILES_PATH = "/files-pri/"
RESPONSE_URL_PATH = "/response_url/"
# Fields slack_sdk sends as JSON strings inside a form body, and the error for bad JSON in each.
JSON_FIELDS = {
    "blocks": "invalid_blocks_format",
    "attachments": "invalid_attachments",
    "view": "invalid_arguments",
    "files": "invalid_arguments",
    "metadata": "invalid_metadata_format",
}
# files.completeUploadExternal only takes conversation ids (a user id is rejected).
UPLOAD_CHANNEL = re.compile(r"^[CGDZ][A-Z0-9]+$")
# Slack's documented limits on an upload: 1 GB, and 1000 characters of alt text.
MAX_FILE_BYTES = 1 << 30
MAX_ALT_TEXT = 1000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ApiError(Exception):
    """A Slack error answer: {"ok": false, "error": error, **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def invalid_arguments(*problems: str) -> ApiError:
    return ApiError(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
    )


def invalid_blocks(errors: list[str]) -> ApiError:
    return ApiError(
        "invalid_blocks",
        errors=errors,
        response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
    )


def invalid_view(errors: list[str]) -> ApiError:
    # Slack answers views.* with invalid_arguments (not invalid_blocks); "errors" is our extra.
    error = invalid_arguments(*errors)
    error.extra["errors"] = errors
    return error


@dataclass
class HttpReply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> HttpReply:
        content_type = {"Content-Type": "application/json; charset=utf-8"}
        return cls(status, json.dumps(data).encode(), {**content_type, **(headers or {})})

    @classmethod
    def of_text(cls, text: str, status: int = 200) -> HttpReply:
        return cls(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})


@dataclass
class _Trigger:
    user: str
    expires_at: float
    used: bool = False


@dataclass(frozen=True)
class _Failure:
    error: str
    status: int
    retry_after: int | None


@dataclass
class Hold:
    """Calls held by FakeSlack.hold: `arrived` is set when one is waiting."""

    method: str
    matching: Callable[[Params], bool]
    delay: float | None
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    drop: bool = False

    def release(self, *, drop: bool = False) -> None:
        self.drop = drop
        self.released.set()


@dataclass(frozen=True)
class _ResponseUrl:
    channel: str
    user: str
    message_ts: str | None
    ephemeral: bool


class FakeSlack:
    """The Slack Web API for one workspace with one bot, kept in memory behind a lock."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_token: str = "xoxb-test-token",
        trigger_ttl: float = 3.0,
        app_id: str = "A0001",
        team_domain: str = "fake-workspace",
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_token = bot_token
        self.trigger_ttl = trigger_ttl
        self.app_id = app_id
        self.team_domain = team_domain
        self.max_file_bytes = max_file_bytes
        # Re-entrant: API handlers call helpers that take the lock too.
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._counter = itertools.count(1)
        # Slack's view ids are unique everywhere, and the app keys retries on them: a second
        # stand-in on the same database must not reuse the first one's ids.
        self._view_prefix = secrets.token_hex(3).upper()
        self._last_ts_us = 0
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._by_ts: dict[tuple[str, str], dict[str, Any]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._view_users: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._files: list[dict[str, Any]] = []
        self._deleted_files: set[str] = set()
        self._calls: list[dict[str, Any]] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._holds: list[Hold] = []
        self._methods: dict[str, Handler] = {
            "api.test": lambda p: {"args": p},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.delete": self._files_delete,
            "files.info": self._files_info,
        }
        # Like any workspace, this one knows its own bot user.
        self.add_user(bot_user_id, name="interview-bot", is_bot=True, team_id=team_id)

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.fake = self
        self._server = server
        # A short poll interval keeps stop() (and so every test teardown) fast.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name="fake-slack",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._lock:
            for hold in self._holds:  # nothing still waiting keeps the server up
                hold.release(drop=True)
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() or use it as a context")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def url(self) -> str:
        """The Web API base URL for slack_sdk (trailing slash included)."""
        return f"{self.base_url}/api/"

    # --- world set-up --------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "Europe/Tallinn",
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> dict[str, Any]:
        ZoneInfo(tz)  # fail here, not in users.info, on a misspelt zone
        record = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name,
            "real_name": real_name or name,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": deleted,
            "is_admin": is_admin or is_owner,  # Slack: owners are admins too
            "is_owner": is_owner,
        }
        with self._lock:
            self._users[user_id] = record
            return self._user_json(record)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        is_private: bool = False,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
    ) -> dict[str, Any]:
        if not channel_id.startswith(("C", "G")):
            raise ValueError(f"channel ids start with C or G (DMs: dm_channel): {channel_id}")
        record = {
            "id": channel_id,
            "name": name,
            "is_private": is_private,
            "is_im": False,
            "user": None,
            "members": list(dict.fromkeys(members)),
            "bot_is_member": bot_is_member,
            "created": int(time.time()),
        }
        with self._lock:
            self._channels[channel_id] = record
            return self._channel_json(record)

    def add_file(self, user_id: str, channel: str, *, filename: str,
                 content: bytes = b"") -> str:
        """A file someone shared in a conversation (a user id means their DM); its id."""
        with self._lock:
            file_id = f"F{next(self._counter):04d}"
            channel_id = self._lookup_id(channel)
            self._files.append({"id": file_id, "filename": filename, "title": filename,
                                "content": content, "channels": [channel_id],
                                "initial_comment": None, "user": user_id, "thread_ts": None})
            return file_id

    def add_user_file(self, user_id: str, name: str, content: bytes, *,
                      title: str | None = None) -> dict[str, Any]:
        """A file the user picks in a modal's file_input: uploaded to Slack, shared nowhere.
        Returns the file object Slack puts in the view_submission's state."""
        with self._lock:
            if user_id not in self._users:
                raise ValueError(f"no user {user_id}")
            record: dict[str, Any] = {
                      "id": f"F{next(self._counter):04d}{secrets.token_hex(3).upper()}",
                      "filename": name, "title": title or name, "content": bytes(content),
                      "channels": [], "initial_comment": None, "user": user_id,
                      "thread_ts": None, "created": int(time.time())}
            self._files.append(record)
            return self._file_json(record)

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger_id like Slack puts in interactions: valid trigger_ttl seconds, usable once."""
        with self._lock:
            trigger_id = f"{next(self._counter)}.{int(time.time())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(user_id, time.monotonic() + self.trigger_ttl)
            return trigger_id

    def dm_channel(self, user_id: str) -> str:
        with self._lock:
            return self._dm_record(user_id)["id"]

    # --- recorded state (copies, safe to read from the test thread) ----------------------------

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return copied([c for c in self._calls if method in (None, c["method"])])

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            channel_id = self._lookup_id(channel)
            found = [m for m in self._messages.get(channel_id, []) if m["thread_ts"] is None]
            return copied(found)

    def thread(self, channel: str, thread_ts: str, *, shares: bool = True
               ) -> list[dict[str, Any]]:
        """The replies in a thread; `shares` False leaves out the messages that only share
        files (an uploaded picture), to look at what was said."""
        with self._lock:
            channel_id = self._lookup_id(channel)
            found = [m for m in self._messages.get(channel_id, []) if m["thread_ts"] == thread_ts
                     and (shares or m["text"] or not m.get("files"))]
            return copied(found)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._lock:
            return copied(self._existing_message(channel, ts))

    def api_message(self, channel: str, ts: str) -> dict[str, Any]:
        """The message the way Slack's API and interaction payloads show it."""
        with self._lock:
            return self._message_json(self._existing_message(channel, ts))

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        return self.messages(self.dm_channel(user_id))

    def ephemerals(self, user_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return copied([e for e in self._ephemerals if user_id in (None, e["user"])])

    def view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            if view_id not in self._views:
                raise AssertionError(f"no view {view_id!r}; known views: {sorted(self._views)}")
            return self._view_snapshot(view_id)

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self._view_snapshot(v) for v in self._stacks.get(user_id, [])]

    def home(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._homes.get(user_id)
            return self._view_snapshot(view_id) if view_id else None

    def files(self, user_id_or_channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            key = user_id_or_channel
            wanted = {key, self._dms_by_user().get(key or "")} if key else None
            found = [f for f in self._files if wanted is None or wanted & set(f["channels"])]
            return copied(found)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """users.info's user object, or None when the workspace has no such user."""
        with self._lock:
            record = self._users.get(user_id)
            return self._user_json(record) if record else None

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        """conversations.info's channel object (a user id means that user's DM), or None."""
        with self._lock:
            if channel_id[:1] in ("U", "W"):
                return self._channel_json(self._dm_record(channel_id))
            record = self._channels.get(channel_id)
            return self._channel_json(record) if record else None

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.02
    ) -> T:
        """Poll until predicate() is truthy (the app works on other threads) and return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"wait_for: still false after {timeout}s: {_describe(predicate)} "
                    f"(last value: {result!r}); recent API calls: {self._recent_calls()}"
                )
            time.sleep(interval)

    # --- test controls -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        *,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with a failure.

        429 sends Retry-After (when given) and a JSON error body; 5xx sends a plain-text body like
        a broken gateway; any other status (e.g. 200) sends {"ok": false, "error": error}.
        """
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend([_Failure(error, status, retry_after)] * times)

    def hold(self, method: str, matching: Callable[[Params], bool] = lambda _: True,
             *, delay: float | None = None) -> Hold:
        """Hold calls of `method` whose params match: each waits, unrecorded, until the hold
        is released (or `delay` seconds pass), then goes through as usual, or, released with
        drop=True, is answered 500 and never happens: as when the caller died meanwhile."""
        hold = Hold(method, matching, delay)
        with self._lock:
            self._holds.append(hold)
        return hold

    def _held(self, method: str, headers: Mapping[str, str], body: bytes,
              query: str) -> HttpReply | None:
        with self._lock:
            holds = [h for h in self._holds if h.method == method and not h.released.is_set()]
        if not holds:
            return None
        try:
            params = _parse_params(headers.get("content-type", ""), body, query)
            _decode_json_fields(params)
        except (ApiError, ValueError):
            return None
        hold = next((h for h in holds if h.matching(params)), None)
        if hold is None:
            return None
        hold.arrived.set()
        hold.released.wait(hold.delay)
        if hold.drop:
            return HttpReply.of_text("500 dropped by a hold", 500)
        return None

    def close_view(self, user_id: str, view_id: str) -> None:
        """The user closes a modal: it (and anything pushed above it) leaves the stack."""
        with self._lock:
            stack = self._stacks.get(user_id, [])
            if view_id not in stack:
                raise AssertionError(f"view {view_id} is not open for {user_id} (open: {stack})")
            if self._views[view_id].get("clear_on_close"):
                stack.clear()
            else:
                del stack[stack.index(view_id):]

    # --- hooks for SlackSimulator (what Slack itself does around an interaction) ---------------

    def issue_response_url(
        self, channel: str, user_id: str, *, message_ts: str | None = None, ephemeral: bool = False
    ) -> str:
        with self._lock:
            token = f"{next(self._counter)}{secrets.token_hex(8)}"
            channel_id = self._lookup_id(channel)
            self._response_urls[token] = _ResponseUrl(channel_id, user_id, message_ts, ephemeral)
            return f"{self.base_url}{RESPONSE_URL_PATH}{token}"

    def show_command_reply(self, channel: str, user_id: str, reply: Mapping[str, Any]) -> None:
        """A slash command's ack with a message in it: Slack shows it to the user (to the
        channel with response_type in_channel), like a reply through its response_url."""
        with self._lock:
            target = _ResponseUrl(self._lookup_id(channel), user_id, None, ephemeral=True)
            self._respond(target, dict(reply))

    def set_view_state(self, view_id: str, state: dict[str, Any]) -> None:
        """What the user has entered in a modal (Slack keeps it on the view)."""
        with self._lock:
            self._views[view_id]["state"] = copied(state)

    def apply_view_submission(
        self, user_id: str, view_id: str, reply: Mapping[str, Any] | None
    ) -> None:
        """Slack's reaction to the app's view_submission ack (`reply` is its JSON, None if empty).

        Raises AssertionError where Slack would refuse the ack (and show the user an error).
        """
        if reply is not None and not isinstance(reply, Mapping):
            raise AssertionError(f"a view_submission ack must be a JSON object: {reply!r}")
        reply = reply or {}
        with self._lock:
            stack = self._stacks.setdefault(user_id, [])
            action = reply.get("response_action")
            if action == "errors":
                self._check_error_keys(view_id, reply.get("errors"))
            elif action == "update":
                self._apply_spec(self._views[view_id], self._response_view(reply))
            elif action == "push":
                self._push_from_ack(user_id, stack, self._response_view(reply))
            elif action == "clear":
                stack.clear()
            elif action is None:
                if stack and stack[-1] == view_id:
                    stack.pop()
            else:
                raise AssertionError(f"Slack does not know response_action {action!r}")

    # --- HTTP entry points (called by the request handler threads) ---------------------------

    def handle_api(
        self, method: str, headers: Mapping[str, str], body: bytes, query: str
    ) -> HttpReply:
        held = self._held(method, headers, body, query)
        if held is not None:
            return held
        with self._lock:
            params: Params = {}
            try:
                params = _parse_params(headers.get("content-type", ""), body, query)
                reply, data = self._answer(method, headers, params)
            except ApiError as error:
                data = {"ok": False, "error": error.error, **error.extra}
                reply = HttpReply.of_json(data)
            self._calls.append(
                {"method": method, "params": copied(params), "response": copied(data)}
            )
            return reply

    def handle_upload(self, file_id: str, body: bytes) -> HttpReply:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return HttpReply.of_text("not found", 404)
            upload["content"] = body
            return HttpReply.of_text(f"OK - {len(body)}")

    def handle_file_download(self, path: str, headers: Mapping[str, str]) -> HttpReply:
        """GET of a file's url_private(_download): its bytes for the bot token, else 401."""
        with self._lock:
            authorization = headers.get("authorization", "")
            record = next((f for f in self._files
                           if path in (self._private_path(f), self._private_path(f, True))),
                          None)
            authorized = authorization == f"Bearer {self.bot_token}"
            self._calls.append({"method": "url_private", "params": {"path": path},
                                "response": {"ok": authorized and record is not None}})
            if not authorized:
                return HttpReply.of_text("not_authed: send the bot token as a Bearer token",
                                         401)
            if record is None:
                return HttpReply.of_text("file not found", 404)
            return HttpReply(200, bytes(record["content"] or b""),
                             {"Content-Type": _mimetype(record["filename"])})

    def handle_response_url(self, token: str, body: bytes) -> HttpReply:
        with self._lock:
            target = self._response_urls.get(token)
            if target is None:
                return HttpReply.of_text("no_active_hooks", 404)
            payload: Any = None
            try:
                payload = json.loads(body or b"null")
                if not isinstance(payload, dict):
                    raise ApiError("invalid_payload")
                self._respond(target, payload)
                data: dict[str, Any] = {"ok": True}
            except ValueError:
                data = {"ok": False, "error": "invalid_payload"}
            except ApiError as error:
                data = {"ok": False, "error": error.error, **error.extra}
            self._calls.append({"method": "response_url", "params": payload, "response": data})
            return HttpReply.of_json(data, 200 if data["ok"] else 400)

    def _answer(
        self, method: str, headers: Mapping[str, str], params: Params
    ) -> tuple[HttpReply, dict[str, Any]]:
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        self._authenticate(headers, params)
        _decode_json_fields(params)
        failures = self._failures.get(method)
        if failures:
            return _failure_reply(failures.popleft())
        data = {"ok": True, **handler(params)}
        return HttpReply.of_json(data), data

    def _authenticate(self, headers: Mapping[str, str], params: Params) -> None:
        token = params.pop("token", None)
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ").strip()
        if not token:
            raise ApiError("not_authed")
        if token != self.bot_token:
            raise ApiError("invalid_auth")

    # --- auth / users / conversations ----------------------------------------------------------

    def _auth_test(self, p: Params) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain,
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, p: Params) -> dict[str, Any]:
        record = self._users.get(str(p.get("user") or ""))
        if record is None:
            raise ApiError("user_not_found")
        return {"user": self._user_json(record)}

    def _users_list(self, p: Params) -> dict[str, Any]:
        members = [self._user_json(r) for r in self._users.values()]
        return {"members": members, "cache_ts": int(time.time()),
                "response_metadata": {"next_cursor": ""}}

    def _conversations_info(self, p: Params) -> dict[str, Any]:
        return {"channel": self._channel_json(self._visible_channel(p.get("channel")))}

    def _conversations_join(self, p: Params) -> dict[str, Any]:
        record = self._find_channel(p.get("channel"), allow_user=False)
        if record["is_im"] or record["is_private"]:
            raise ApiError("method_not_supported_for_channel_type")
        if record["bot_is_member"]:
            return {"channel": self._channel_json(record), "warning": "already_in_channel",
                    "response_metadata": {"warnings": ["already_in_channel"]}}
        record["bot_is_member"] = True
        return {"channel": self._channel_json(record)}

    def _conversations_open(self, p: Params) -> dict[str, Any]:
        if p.get("channel"):
            record = self._find_channel(p["channel"])
        else:
            users = [u.strip() for u in str(p.get("users") or "").split(",") if u.strip()]
            if not users:
                raise ApiError("users_list_not_supplied")
            if len(users) > 1:
                raise ApiError("not_supported_by_fake", detail="group DMs are not emulated")
            self._check_dm_recipient(users[0])
            record = self._dm_record(users[0])
        if _flag(p.get("return_im")):
            return {"channel": self._channel_json(record)}
        return {"channel": {"id": record["id"]}}

    def _conversations_members(self, p: Params) -> dict[str, Any]:
        record = self._visible_channel(p.get("channel"))
        members = list(record["members"])
        if record["bot_is_member"] and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        return {"members": members, "response_metadata": {"next_cursor": ""}}

    # --- chat ----------------------------------------------------------------------------------

    def _chat_post_message(self, p: Params) -> dict[str, Any]:
        record = self._postable_channel(p.get("channel"))
        text, blocks = self._content(p)
        thread_ts = self._thread_root(record["id"], p.get("thread_ts"))
        extra = {"metadata": p["metadata"]} if p.get("metadata") else {}
        message = self._store_message(record["id"], text, blocks, thread_ts=thread_ts, **extra)
        return {"channel": record["id"], "ts": message["ts"],
                "message": self._message_json(message)}

    def _chat_update(self, p: Params) -> dict[str, Any]:
        # chat.update needs the conversation id itself: a user id is channel_not_found.
        record = self._find_channel(p.get("channel"), allow_user=False)
        message = self._own_message(record["id"], p.get("ts"), "cant_update_message")
        text, blocks = self._content(p)
        message["edits"].append(
            {"text": message["text"], "blocks": copied(message["blocks"])}
        )
        if p.get("text") is not None:
            message["text"] = text
        if blocks is not None:  # Slack keeps the old blocks when none are sent
            message["blocks"] = blocks
        message["edited_ts"] = self._next_ts()
        return {"channel": record["id"], "ts": message["ts"], "text": message["text"],
                "message": self._message_json(message)}

    def _chat_delete(self, p: Params) -> dict[str, Any]:
        record = self._find_channel(p.get("channel"), allow_user=False)
        message = self._own_message(record["id"], p.get("ts"), "cant_delete_message")
        self._remove_message(message)
        return {"channel": record["id"], "ts": message["ts"]}

    def _chat_post_ephemeral(self, p: Params) -> dict[str, Any]:
        record = self._postable_channel(p.get("channel"))
        user_id = str(p.get("user") or "")
        if user_id not in self._users:
            raise ApiError("user_not_found")
        text, blocks = self._content(p)
        ts = self._next_ts()
        self._ephemerals.append({"ts": ts, "channel": record["id"], "user": user_id,
                                 "text": text, "blocks": blocks or [],
                                 "thread_ts": p.get("thread_ts") or None})
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: Params) -> dict[str, Any]:
        record = self._find_channel(p.get("channel"), allow_user=False)
        message = self._by_ts.get((record["id"], str(p.get("message_ts") or "")))
        if message is None:
            raise ApiError("message_not_found")
        link = (f"https://{self.team_domain}.slack.com/archives/{record['id']}"
                f"/p{message['ts'].replace('.', '')}")
        if message["thread_ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={record['id']}"
        return {"channel": record["id"], "permalink": link}

    # --- views ---------------------------------------------------------------------------------

    def _views_open(self, p: Params) -> dict[str, Any]:
        trigger = self._valid_trigger(p.get("trigger_id"))
        spec = self._view_spec(p, "modal")
        self._check_external_id(spec)
        trigger.used = True
        view = self._new_view(spec, trigger.user)
        # Opening from a fresh interaction starts a new stack.
        self._stacks[trigger.user] = [view["id"]]
        return {"view": copied(view)}

    def _views_push(self, p: Params) -> dict[str, Any]:
        trigger = self._valid_trigger(p.get("trigger_id"))
        stack = self._stacks.get(trigger.user) or []
        if not stack:
            raise ApiError("not_found")  # nothing open to push onto
        if len(stack) >= MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        spec = self._view_spec(p, "modal")
        self._check_external_id(spec)
        trigger.used = True
        view = self._new_view(spec, trigger.user, root=stack[0], previous=stack[-1])
        stack.append(view["id"])
        return {"view": copied(view)}

    def _views_update(self, p: Params) -> dict[str, Any]:
        view = self._open_view(p.get("view_id"), p.get("external_id"))
        self._check_hash(view, p.get("hash"))
        spec = self._view_spec(p, view["type"])
        self._check_external_id(spec, exclude=view["id"])
        self._apply_spec(view, spec)
        return {"view": copied(view)}

    def _views_publish(self, p: Params) -> dict[str, Any]:
        user_id = str(p.get("user_id") or "")
        if user_id not in self._users:
            raise ApiError("user_not_found")
        spec = self._view_spec(p, "home")
        existing = self._homes.get(user_id)
        if existing:
            view = self._views[existing]
            self._check_hash(view, p.get("hash"))
            self._apply_spec(view, spec)
        else:
            view = self._new_view(spec, user_id)
            self._homes[user_id] = view["id"]
        return {"view": copied(view)}

    def _valid_trigger(self, trigger_id: Any) -> _Trigger:
        trigger = self._triggers.get(str(trigger_id or ""))
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")  # Slack's word for "already used"
        if time.monotonic() > trigger.expires_at:
            raise ApiError("expired_trigger_id")
        return trigger

    def _view_spec(self, p: Params, kind: str) -> dict[str, Any]:
        spec = p.get("view")
        errors = blockkit.view_errors(spec)
        if errors or not isinstance(spec, dict):
            raise invalid_view(errors or ["view must be an object"])
        if spec["type"] != kind:
            raise invalid_arguments(f"view type must be {kind} here [json-pointer:/view/type]")
        return spec

    def _response_view(self, reply: Mapping[str, Any]) -> dict[str, Any]:
        spec = reply.get("view")
        errors = blockkit.view_errors(spec)
        if errors or not isinstance(spec, dict):
            raise AssertionError(f"Slack would reject the view in this ack: {errors}")
        if spec["type"] != "modal":
            raise AssertionError("a response_action view must be a modal")
        return spec

    def _push_from_ack(self, user_id: str, stack: list[str], spec: dict[str, Any]) -> None:
        if not stack:
            raise AssertionError(f"{user_id} has no open modal to push onto")
        if len(stack) >= MAX_VIEW_STACK:
            raise AssertionError("response_action push: Slack allows at most 3 stacked modals")
        view = self._new_view(spec, user_id, root=stack[0], previous=stack[-1])
        stack.append(view["id"])

    def _check_error_keys(self, view_id: str, errors: Any) -> None:
        inputs = {b.get("block_id") for b in self._views[view_id]["blocks"]
                  if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            raise AssertionError(f"response_action errors needs a non-empty object: {errors!r}")
        unknown = sorted(set(errors) - inputs)
        if unknown:
            raise AssertionError(
                f"response_action errors names {unknown}, not input blocks of {view_id} "
                f"(input blocks: {sorted(inputs)}); Slack would refuse it"
            )

    def _new_view(
        self, spec: dict[str, Any], user_id: str, *, root: str | None = None,
        previous: str | None = None,
    ) -> dict[str, Any]:
        view_id = f"V{self._view_prefix}{next(self._counter):04d}"
        view = {"id": view_id, "team_id": self.team_id, "type": spec["type"],
                "state": {"values": {}}, "root_view_id": root or view_id,
                "previous_view_id": previous, "app_id": self.app_id,
                "app_installed_team_id": self.team_id, "bot_id": self.bot_id}
        self._apply_spec(view, spec)
        self._views[view_id] = view
        self._view_users[view_id] = user_id
        return view

    def _apply_spec(self, view: dict[str, Any], spec: dict[str, Any]) -> None:
        blocks = self._with_generated_ids(spec.get("blocks") or [])
        # Like Slack, what the user typed survives an update for blocks that are still there.
        block_ids = {b["block_id"] for b in blocks}
        kept = {k: v for k, v in view["state"]["values"].items() if k in block_ids}
        view.update({
            "title": spec.get("title"),
            "blocks": blocks,
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "external_id": spec.get("external_id", ""),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "state": {"values": kept},
        })

    def _open_view(self, view_id: Any, external_id: Any) -> dict[str, Any]:
        if view_id:
            view = self._views.get(str(view_id))
        elif external_id:
            view = next((v for v in self._views.values()
                         if v["external_id"] == external_id and self._is_open(v["id"])), None)
        else:
            raise invalid_arguments("must provide view_id or external_id [json-pointer:/]")
        # A closed modal can no longer be updated.
        if view is None or not self._is_open(view["id"]):
            raise ApiError("not_found")
        return view

    def _is_open(self, view_id: str) -> bool:
        return view_id in self._homes.values() or any(
            view_id in stack for stack in self._stacks.values()
        )

    def _check_hash(self, view: dict[str, Any], given: Any) -> None:
        if given and given != view["hash"]:
            raise ApiError("hash_conflict")

    def _check_external_id(self, spec: dict[str, Any], exclude: str | None = None) -> None:
        external_id = spec.get("external_id")
        if external_id and any(v["external_id"] == external_id and v["id"] != exclude
                               and self._is_open(v["id"]) for v in self._views.values()):
            raise ApiError("duplicate_external_id")

    def _view_snapshot(self, view_id: str) -> dict[str, Any]:
        return {**copied(self._views[view_id]), "user": self._view_users[view_id]}

    # --- files ---------------------------------------------------------------------------------

    def _files_get_upload_url(self, p: Params) -> dict[str, Any]:
        filename, length = p.get("filename"), p.get("length")
        if not filename or length in (None, ""):
            raise invalid_arguments("missing required field: filename or length [json-pointer:/]")
        if int(length) <= 0:
            raise ApiError("missing_argument")
        if int(length) > self.max_file_bytes:
            raise ApiError("file_upload_size_restricted")
        alt_txt = str(p.get("alt_txt") or "")
        if len(alt_txt) > MAX_ALT_TEXT:
            raise ApiError("alt_txt_too_large")
        file_id = f"F{next(self._counter):04d}"
        self._uploads[file_id] = {"filename": filename, "length": int(length), "content": None,
                                  "alt_txt": alt_txt or None}
        return {"upload_url": f"{self.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}

    def _files_complete_upload(self, p: Params) -> dict[str, Any]:
        items = p.get("files")
        if not isinstance(items, list) or not items:
            raise invalid_arguments("missing required field: files [json-pointer:/files]")
        channels = self._upload_channels(p)
        uploads = [self._finished_upload(item) for item in items]
        thread_ts = p.get("thread_ts") or None
        comment = p.get("initial_comment") or ""
        shared = []
        for (file_id, upload), item in zip(uploads, items, strict=True):
            record = {"id": file_id, "filename": upload["filename"],
                      "title": item.get("title") or upload["filename"],
                      "content": upload["content"], "channels": channels,
                      "initial_comment": comment or None, "user": self.bot_user_id,
                      "thread_ts": thread_ts, "alt_txt": upload["alt_txt"]}
            self._files.append(record)
            del self._uploads[file_id]
            shared.append(self._file_json(record))
        # Sharing posts one message per conversation, carrying the comment and the files.
        for channel_id in channels:
            root = self._thread_root(channel_id, thread_ts)
            self._store_message(channel_id, comment, None, thread_ts=root, files=shared)
        return {"files": shared}

    def _upload_channels(self, p: Params) -> list[str]:
        given = [p["channel_id"]] if p.get("channel_id") else []
        given += [c.strip() for c in str(p.get("channels") or "").split(",") if c.strip()]
        for channel in given:
            if not UPLOAD_CHANNEL.match(channel):
                pattern = "^[CGDZ][A-Z0-9]{8,}$"
                raise invalid_arguments(
                    f"input must match regex pattern: {pattern} [json-pointer:/channel_id]"
                )
            self._postable_channel(channel)
        return given

    def _finished_upload(self, item: Any) -> tuple[str, dict[str, Any]]:
        file_id = item.get("id") if isinstance(item, dict) else None
        upload = self._uploads.get(str(file_id))
        if upload is None or upload["content"] is None:
            raise ApiError("file_not_found")
        content = upload["content"]
        if len(content) > self.max_file_bytes:
            raise ApiError("file_upload_size_restricted")
        if str(upload["filename"]).lower().endswith(".png") and not content.startswith(
                PNG_SIGNATURE):
            raise ApiError("file_type_not_allowed")
        return str(file_id), upload

    def _files_delete(self, p: Params) -> dict[str, Any]:
        """The bot deletes its own upload: gone from the files, and each message that shared
        it shows a tombstone in its place, as Slack's do. Deleting it again is
        ``file_deleted``."""
        file_id = str(p.get("file") or "")
        record = next((f for f in self._files if f["id"] == file_id), None)
        if record is None:
            raise ApiError("file_deleted" if file_id in self._deleted_files else "file_not_found")
        if record["user"] != self.bot_user_id:
            raise ApiError("cant_delete_file")
        self._files.remove(record)
        self._deleted_files.add(file_id)
        for message in self._by_ts.values():
            shared = message.get("files")
            if shared and any(f.get("id") == file_id for f in shared):
                message["files"] = [{"id": file_id, "mode": "tombstone"}
                                    if f.get("id") == file_id else f for f in shared]
        return {}

    def _files_info(self, p: Params) -> dict[str, Any]:
        record = next((f for f in self._files if f["id"] == p.get("file")), None)
        if record is None:
            raise ApiError("file_not_found")
        return {"file": self._file_json(record), "comments": [],
                "response_metadata": {"next_cursor": ""}}

    def _private_path(self, record: dict[str, Any], download: bool = False) -> str:
        name = quote(str(record["filename"]))
        middle = "download/" if download else ""
        return f"{FILES_PATH}{self.team_id}-{record['id']}/{middle}{name}"

    def _file_json(self, record: dict[str, Any]) -> dict[str, Any]:
        name = str(record["filename"])
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        return {"id": record["id"], "created": record.get("created", 0),
                "timestamp": record.get("created", 0), "name": name,
                "title": record["title"], "mimetype": _mimetype(name), "filetype": suffix,
                "user": record["user"], "user_team": self.team_id, "editable": False,
                "size": len(record["content"] or b""), "mode": "hosted",
                "is_external": False, "is_public": False, "public_url_shared": False,
                "url_private": self.base_url + self._private_path(record),
                "url_private_download": self.base_url + self._private_path(record, True),
                "permalink": f"https://{self.team_domain}.slack.com/files/{record['id']}",
                "channels": [c for c in record["channels"] if c[:1] == "C"],
                "groups": [c for c in record["channels"] if c[:1] == "G"],
                "ims": [c for c in record["channels"] if c[:1] == "D"]}

    # --- response_url --------------------------------------------------------------------------

    def _respond(self, target: _ResponseUrl, payload: dict[str, Any]) -> None:
        if _flag(payload.get("delete_original")):
            self._delete_original(target)
            return
        text, blocks = self._content(payload)
        if _flag(payload.get("replace_original")) and target.message_ts:
            self._replace_original(target, text, blocks)
        elif payload.get("response_type") == "in_channel":
            root = self._thread_root(target.channel, payload.get("thread_ts"))
            self._store_message(target.channel, text, blocks, thread_ts=root)
        else:
            self._ephemerals.append({"ts": self._next_ts(), "channel": target.channel,
                                     "user": target.user, "text": text, "blocks": blocks or [],
                                     "thread_ts": payload.get("thread_ts") or None})

    def _replace_original(
        self, target: _ResponseUrl, text: str, blocks: list[dict[str, Any]] | None
    ) -> None:
        if target.ephemeral:
            for ephemeral in self._ephemerals:
                if ephemeral["ts"] == target.message_ts:
                    ephemeral.update(text=text, blocks=blocks or [])
            return
        message = self._by_ts.get((target.channel, target.message_ts or ""))
        if message is None:
            raise ApiError("message_not_found")
        message["edits"].append({"text": message["text"], "blocks": message["blocks"]})
        message.update(text=text, blocks=blocks or [], edited_ts=self._next_ts())

    def _delete_original(self, target: _ResponseUrl) -> None:
        if target.ephemeral:
            self._ephemerals = [e for e in self._ephemerals if e["ts"] != target.message_ts]
            return
        message = self._by_ts.get((target.channel, target.message_ts or ""))
        if message is not None:
            self._remove_message(message)

    # --- helpers: channels and users -----------------------------------------------------------

    def _dm_record(self, user_id: str) -> dict[str, Any]:
        channel_id = f"D{user_id}"
        if channel_id not in self._channels:
            self._channels[channel_id] = {
                "id": channel_id, "name": None, "is_private": True, "is_im": True,
                "user": user_id, "members": [user_id], "bot_is_member": True,
                "created": int(time.time()),
            }
        return self._channels[channel_id]

    def _dms_by_user(self) -> dict[str, str]:
        return {r["user"]: r["id"] for r in self._channels.values() if r["is_im"]}

    def _lookup_id(self, channel: str) -> str:
        """Test-side lookups accept a user id for that user's DM."""
        return self._dm_record(channel)["id"] if channel[:1] in ("U", "W") else channel

    def _find_channel(self, channel: Any, *, allow_user: bool = True) -> dict[str, Any]:
        if not isinstance(channel, str) or not channel:
            raise ApiError("channel_not_found")
        if channel[0] in ("U", "W") and allow_user:
            if channel not in self._users:
                raise ApiError("channel_not_found")
            return self._dm_record(channel)
        record = self._channels.get(channel)
        if record is None:
            raise ApiError("channel_not_found")
        return record

    def _visible_channel(self, channel: Any) -> dict[str, Any]:
        record = self._find_channel(channel, allow_user=False)
        # A bot cannot see private channels it is not in.
        if record["is_private"] and not record["is_im"] and not record["bot_is_member"]:
            raise ApiError("channel_not_found")
        return record

    def _postable_channel(self, channel: Any) -> dict[str, Any]:
        record = self._find_channel(channel)
        if record["is_im"]:
            self._check_dm_recipient(record["user"])
        elif not record["bot_is_member"]:
            raise ApiError("channel_not_found" if record["is_private"] else "not_in_channel")
        return record

    def _check_dm_recipient(self, user_id: str) -> None:
        user = self._users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        # Our choice of codes: Slack has no single documented answer for these two cases.
        if user["deleted"]:
            raise ApiError("user_disabled")
        if user["is_bot"]:
            raise ApiError("cannot_dm_bot")

    def _user_json(self, record: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(ZoneInfo(record["tz"]))
        offset = now.utcoffset()
        return {
            "id": record["id"],
            "team_id": record["team_id"],
            "name": record["name"],
            "real_name": record["real_name"],
            "deleted": record["deleted"],
            "is_bot": record["is_bot"],
            "is_admin": record.get("is_admin", False),
            "is_owner": record.get("is_owner", False),
            "is_primary_owner": False,
            "is_app_user": False,
            "tz": record["tz"],
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {
                "real_name": record["real_name"],
                "display_name": record["name"],
                "real_name_normalized": record["real_name"],
                "display_name_normalized": record["name"],
                "team": record["team_id"],
            },
        }

    def _channel_json(self, record: dict[str, Any]) -> dict[str, Any]:
        data = {
            "id": record["id"],
            "name": record["name"],
            "is_channel": not record["is_im"],
            "is_group": record["is_private"] and record["id"].startswith("G"),
            "is_im": record["is_im"],
            "is_mpim": False,
            "is_private": record["is_private"],
            "is_archived": False,
            "is_member": record["bot_is_member"],
            "created": record["created"],
            "context_team_id": self.team_id,
        }
        if record["is_im"]:
            data["user"] = record["user"]
        return data

    # --- helpers: messages ---------------------------------------------------------------------

    def _next_ts(self) -> str:
        # Wall-clock microseconds, bumped when two messages land in the same microsecond.
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _content(self, p: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
        """Validated (text, blocks); blocks is None when none were sent."""
        text, blocks = p.get("text"), p.get("blocks")
        text = "" if text is None else str(text)
        if not text and not blocks and not p.get("attachments"):
            raise ApiError("no_text")
        if len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        if blocks is None:
            return text, None
        errors = blockkit.message_errors(blocks)
        if errors:
            raise invalid_blocks(errors)
        return text, self._with_generated_ids(blocks)

    def _with_generated_ids(self, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Slack fills in block_id and action_id where the app left them out.
        blocks = copied(blocks)
        for block in blocks:
            block.setdefault("block_id", secrets.token_urlsafe(3))
            for element in blockkit.interactive_elements(block):
                element.setdefault("action_id", secrets.token_urlsafe(3))
        return blocks

    def _thread_root(self, channel_id: str, thread_ts: Any) -> str | None:
        if not thread_ts:
            return None
        parent = self._by_ts.get((channel_id, str(thread_ts)))
        if parent is None:
            raise ApiError("thread_not_found")
        # Replying to a reply lands in the same thread.
        return parent["thread_ts"] or parent["ts"]

    def _store_message(
        self,
        channel_id: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        *,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message = {"ts": self._next_ts(), "channel": channel_id, "text": text,
                   "blocks": blocks or [], "thread_ts": thread_ts, "user": self.bot_user_id,
                   "bot_id": self.bot_id, "edits": [], "replies_count": 0, **extra}
        self._messages.setdefault(channel_id, []).append(message)
        self._by_ts[(channel_id, message["ts"])] = message
        if thread_ts:
            self._by_ts[(channel_id, thread_ts)]["replies_count"] += 1
        return message

    def _remove_message(self, message: dict[str, Any]) -> None:
        channel_id = message["channel"]
        self._messages[channel_id].remove(message)
        del self._by_ts[(channel_id, message["ts"])]
        parent = self._by_ts.get((channel_id, message["thread_ts"] or ""))
        if parent is not None:
            parent["replies_count"] -= 1

    def _own_message(self, channel_id: str, ts: Any, not_own_error: str) -> dict[str, Any]:
        message = self._by_ts.get((channel_id, str(ts or "")))
        if message is None:
            raise ApiError("message_not_found")
        if message["user"] != self.bot_user_id:
            raise ApiError(not_own_error)
        return message

    def _existing_message(self, channel: str, ts: str) -> dict[str, Any]:
        channel_id = self._lookup_id(channel)
        message = self._by_ts.get((channel_id, ts))
        if message is None:
            known = [m["ts"] for m in self._messages.get(channel_id, [])]
            raise AssertionError(f"no message {ts} in {channel_id}; messages there: {known}")
        return message

    def _message_json(self, message: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "user": message["user"],
                                "text": message["text"], "blocks": message["blocks"],
                                "ts": message["ts"], "team": self.team_id}
        if message["user"] == self.bot_user_id:
            data.update(bot_id=self.bot_id, app_id=self.app_id)
        if message["thread_ts"]:
            data.update(thread_ts=message["thread_ts"], parent_user_id=self.bot_user_id)
        elif message["replies_count"]:
            data.update(thread_ts=message["ts"], reply_count=message["replies_count"])
        if message["edits"]:
            data["edited"] = {"user": message["user"], "ts": message.get("edited_ts")}
        for key in ("metadata", "files"):
            if key in message:
                data[key] = message[key]
        return copied(data)

    def _recent_calls(self, count: int = 8) -> str:
        with self._lock:
            recent = self._calls[-count:]
        described = [
            f"{c['method']}→{'ok' if c['response'].get('ok') else c['response'].get('error')}"
            for c in recent
        ]
        return ", ".join(described) or "none"


# --- request parsing ---------------------------------------------------------------------------


def _mimetype(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _parse_params(content_type: str, body: bytes, query: str) -> Params:
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ApiError("invalid_json")
            params.update(data)
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        elif body:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        error = "invalid_json" if kind == "application/json" else "invalid_form_data"
        raise ApiError(error) from None
    return params


def _parse_multipart(content_type: str, body: bytes) -> Params:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    params: Params = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        params[str(name)] = raw if part.get_filename() else raw.decode("utf-8")
    return params


def _decode_json_fields(params: Params) -> None:
    for key, error in JSON_FIELDS.items():
        value = params.get(key)
        if isinstance(value, str):
            try:
                params[key] = json.loads(value) if value else None
            except ValueError:
                raise ApiError(error) from None


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _failure_reply(failure: _Failure) -> tuple[HttpReply, dict[str, Any]]:
    data = {"ok": False, "error": failure.error}
    if failure.status >= 500:
        return HttpReply.of_text(f"{failure.status} {failure.error}", failure.status), data
    headers = {}
    if failure.status == 429 and failure.retry_after is not None:
        headers["Retry-After"] = str(failure.retry_after)
    return HttpReply.of_json(data, failure.status, headers), data


def _describe(predicate: Callable[..., Any]) -> str:
    try:
        return " ".join(inspect.getsource(predicate).split())[:200]
    except (OSError, TypeError):
        return repr(predicate)


# --- HTTP plumbing -----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops bursts from a multi-threaded app (a 1 s SYN retry each).
    request_queue_size = 128
    fake: FakeSlack


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def do_GET(self) -> None:
        self._route(b"")

    def _route(self, body: bytes) -> None:
        path, _, query = self.path.partition("?")
        fake = self.server.fake
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            if path.startswith("/api/"):
                reply = fake.handle_api(path.removeprefix("/api/"), headers, body, query)
            elif path.startswith(UPLOAD_PATH):
                reply = fake.handle_upload(path.removeprefix(UPLOAD_PATH), body)
            elif path.startswith(FILES_PATH) and self.command == "GET":
                reply = fake.handle_file_download(path, headers)
            elif path.startswith(RESPONSE_URL_PATH):
                reply = fake.handle_response_url(path.removeprefix(RESPONSE_URL_PATH), body)
            else:
                reply = HttpReply.of_text("not found", 404)
        except Exception:  # a bug in the fake: say so instead of dropping the connection
            reply = HttpReply.of_text(f"fake slack crashed:\n{traceback.format_exc()}", 500)
        self._send(reply)

    def _send(self, reply: HttpReply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet
