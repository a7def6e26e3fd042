"""The request edge, probed as an attacker and an unlucky user would, against the real
servers: `run` (one gunicorn worker, SQLite) and `serve` (two workers, PostgreSQL when the
suite has it). Slash commands work whatever words they carry; junk gets a 4xx, never a
500; nothing of an unsigned body, and no text a user wrote, reaches the log (the servers
run at DEBUG); the app posts only to URLs Slack gave it in the same request; an export
asked twice is sent once."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest

from bot.app import build_services
from bot.demo.slack_fake import FakeSlack, SlackSimulator
from bot.demo.slack_fake.simulator import FORM, build_state, sign
from bot.i18n import translator
from bot.services import Services
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button
from bot.slack.edge import MAX_BODY_BYTES
from tests.conftest import (
    BOT_TOKEN,
    CHANNEL,
    LEAD,
    PIA,
    RECRUITER,
    SIGNING_SECRET,
    TEAM,
    make_settings,
    populate,
    scratch_postgres_database,
)
from tests.factories import make_interview, shipped_set
from tests.serving import Served, spawn

pytestmark = pytest.mark.slow

PAYLOAD_CHANNEL = "C0PAYLOAD"
MARKER = "FORGED-LOG-LINE-7f3a"


@dataclass
class Edge:
    fake: FakeSlack
    served: Served
    slack: SlackSimulator
    services: Services


@pytest.fixture(scope="module", params=["run", "serve"])
def edge(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Edge]:
    tmp = tmp_path_factory.mktemp(request.param)
    with FakeSlack(team_id=TEAM, bot_token=BOT_TOKEN, team_domain="payload-corp") as fake:
        populate(fake)
        fake.add_channel(PAYLOAD_CHANNEL, name="payload-team", members=[RECRUITER, LEAD, PIA])
        with _database(request.param, tmp) as url:
            workers = 1 if request.param == "run" else 2
            served = spawn(fake, url, tmp / "server.log", command=request.param,
                           workers=workers, log_level="DEBUG")
            services = build_services(make_settings(fake, url))
            try:
                served.wait_healthy()
                yield Edge(fake, served, SlackSimulator(served.url, SIGNING_SECRET, fake,
                                                        team_id=TEAM), services)
            finally:
                served.stop()
                services.engine.dispose()


def _database(mode: str, tmp: Path) -> Any:
    from contextlib import nullcontext

    base = os.environ.get("TEST_DATABASE_URL")
    if mode == "serve" and base:
        return scratch_postgres_database(base, "edge")
    return nullcontext(f"sqlite:///{tmp / 'edge.sqlite3'}")


def post(edge: Edge, body: bytes, *, signed: bool = True,
         content_type: str = FORM) -> tuple[int, str]:
    signature = None if signed else "v0=" + "0" * 64
    reply = edge.slack.send_raw(body, content_type, signature=signature)
    return reply.status, reply.body


def help_text(edge: Edge, text: str, channel: str = CHANNEL) -> str:
    reply = edge.slack.command(PIA, text, channel_id=channel)
    assert reply.status == 200, (reply.status, reply.body)
    return str(reply.json()["text"])


# --- every slash command is answered, whatever it says ---------------------------------------


def test_a_command_that_says_payload_is_answered(edge: Edge) -> None:
    assert "interview-bot" in help_text(edge, "help payload")


def test_a_command_from_a_channel_named_payload_is_answered(edge: Edge) -> None:
    # The fake's workspace domain is "payload-corp" too: every request here carries it.
    assert "interview-bot" in help_text(edge, "help", channel=PAYLOAD_CHANNEL)


# --- junk: a 4xx, never a 500, nothing logged of it -------------------------------------------


def test_a_body_over_the_cap_is_refused_before_it_is_read(edge: Edge) -> None:
    big = b"text=" + b"x" * (2 * 1024 * 1024)
    stamp = str(int(time.time()))
    for signature in ("v0=" + "0" * 64, sign(SIGNING_SECRET, stamp, big)):
        head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n"
                f"Content-Length: {len(big)}\r\nX-Slack-Request-Timestamp: {stamp}\r\n"
                f"X-Slack-Signature: {signature}\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", edge.served.port), timeout=10) as sock:
            sock.sendall(head + big[:65536])  # the answer comes without the rest
            assert sock.recv(200).startswith(b"HTTP/1.1 413")


def test_idle_connections_announcing_huge_bodies_hold_nothing(edge: Edge) -> None:
    host, port = "127.0.0.1", edge.served.port
    head = (f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {10 * MAX_BODY_BYTES}\r\n\r\n").encode()

    def idle() -> bytes:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(head)
            return sock.recv(200)

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda _: idle(), range(200)))
    assert all(a.startswith(b"HTTP/1.1 413") for a in answers)
    assert "interview-bot" in help_text(edge, "help")  # still answering


def test_a_body_that_never_finishes_is_dropped(edge: Edge) -> None:
    host, port = "127.0.0.1", edge.served.port
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall((f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n"
                      f"Content-Type: {FORM}\r\nContent-Length: 1000\r\n\r\ntext=").encode())
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 408")


@pytest.mark.parametrize(("body", "unsigned"), [
    (b"payload=%7Bnot+json", 401),                  # malformed payload JSON
    (b"payload=%5B1%2C2%5D", 401),                  # JSON, but not an object
    (b"text=\xff\xfe\xfd&command=%2Finterview", 400),  # not UTF-8: nothing to verify
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": [],
                                       "user": {"id": PIA}})}).encode(), 401),  # no actions
])
def test_malformed_bodies_are_refused_signed_or_not(edge: Edge, body: bytes,
                                                    unsigned: int) -> None:
    assert post(edge, body)[0] == 400
    assert post(edge, body, signed=False)[0] == unsigned


def test_an_unsigned_body_is_refused_and_never_logged(edge: Edge) -> None:
    forged = f'text=help\n{{"level": "ERROR", "message": "{MARKER}"}}'.encode()
    assert post(edge, forged, signed=False)[0] == 401
    stamp = str(int(time.time()) - 600)  # signed, but too old to be Slack's
    stale = edge.slack.send_raw(forged, FORM, timestamp=int(stamp),
                                signature=sign(SIGNING_SECRET, stamp, forged))
    assert stale.status == 401
    time.sleep(0.2)
    log = edge.served.log_text()
    assert MARKER not in log
    refusals = [line for line in edge.served.log_lines() if line.get("refused")]
    assert refusals and all(line["status"] in (401, 400, 408, 413) for line in refusals)
    assert not [line for line in edge.served.log_lines() if line.get("status") == 500]


# --- only URLs Slack gave, in the same request -------------------------------------------------


class _Trap(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        _Trap.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_response_url_smuggled_into_private_metadata_is_never_called(edge: Edge) -> None:
    trap = HTTPServer(("127.0.0.1", 0), _Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    try:
        fake, slack = edge.fake, edge.slack
        assert slack.command(RECRUITER, "new Mari Maasikas").status == 200
        view = fake.wait_for(lambda: [v for v in fake.view_stack(RECRUITER)
                                      if v["callback_id"] == "new_interview"])[-1]
        smuggled = {**{k: v for k, v in view.items() if k != "user"},
                    "private_metadata": json.dumps({
                        "c": CHANNEL, "r": f"http://127.0.0.1:{trap.server_port}/hook"})}
        smuggled["state"] = build_state(smuggled, _setup_values())
        payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "payload-corp"},
                   "user": {"id": RECRUITER, "name": "rita", "team_id": TEAM},
                   "api_app_id": fake.app_id, "trigger_id": fake.issue_trigger_id(RECRUITER),
                   "view": smuggled, "response_urls": []}
        reply = slack.send_raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM)
        assert reply.status == 200
        # The recruiter hears about it where Slack allows (an ephemeral), never via the trap.
        fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER)
                               if "is set up" in e["text"]], timeout=10)
        assert _Trap.hits == []
    finally:
        trap.shutdown()
        trap.server_close()


# --- replays -----------------------------------------------------------------------------------


def test_an_export_asked_twice_is_sent_once(edge: Edge) -> None:
    interview_id = make_interview(edge.services, candidate_name="Export Twice")
    first = edge.slack.command(LEAD, f"export {interview_id}")
    again = edge.slack.command(LEAD, f"export {interview_id}")  # or Slack's replay of it
    assert (first.status, again.status) == (200, 200)
    assert "in your DM" in again.json()["text"]
    files = edge.fake.wait_for(lambda: [f for f in edge.fake.files(LEAD)
                                        if f["filename"].startswith(f"interview-{interview_id}.")],
                               timeout=10)
    time.sleep(1.0)
    assert len([f for f in edge.fake.files(LEAD)
                if f["filename"].startswith(f"interview-{interview_id}.")]) == len(files) == 2


# --- what users wrote stays out of the log, at DEBUG too ---------------------------------------


def test_what_a_panelist_wrote_is_never_logged(edge: Edge) -> None:
    services, fake = edge.services, edge.fake
    interview_id = make_interview(services, panel=(PIA,), candidate_name="Zebra Quill")
    plan = services.client.chat_postMessage(
        channel=CHANNEL, text="Interview plan",
        blocks=to_dicts([actions(score_candidate_button(translator("en"), interview_id))]))
    assert edge.slack.click(PIA, "score_candidate", channel=CHANNEL, ts=plan["ts"],
                            value=str(interview_id)).status == 200
    view = fake.wait_for(lambda: [v for v in fake.view_stack(PIA)
                                  if v["callback_id"] == "scorecard"])[-1]
    qs = shipped_set(services)
    values = {**{f"q:{q.id}": "4" for c in qs.categories for q in c.questions},
              "recommendation": "hire", "takeaways": "TAKEAWAY-OSPREY-91",
              "private_note": "PRIVATE-HERON-17"}
    assert edge.slack.submit(PIA, view["id"], values).status == 200
    fake.wait_for(lambda: [m for m in fake.dms(PIA) if "Zebra Quill" in m["text"]], timeout=10)
    time.sleep(0.5)
    log = edge.served.log_text()
    assert "slack_sdk" in log  # the Slack calls are logged at DEBUG ...
    for secret in ("TAKEAWAY-OSPREY-91", "PRIVATE-HERON-17", "Zebra Quill"):
        assert secret not in log  # ... but not what they carried


def _setup_values() -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    def at(**delta: float) -> int:
        moment = datetime.now(UTC) + timedelta(**delta)
        return int(moment.replace(second=0, microsecond=0).timestamp())

    return {"role": "Agent", "question_set": "customer-service:en", "panel": [PIA],
            "hiring_lead": LEAD, "starts_at": at(days=2), "length": "60",
            "debrief_at": at(days=3)}
