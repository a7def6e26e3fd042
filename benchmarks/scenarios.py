"""The bursts, built as Slack sends them (the simulator's own payloads, kept instead of
sent), fired by the load generator, and what each did: acks, and for scorecard
submissions the versions stored and the confirmation DMs that followed."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from benchmarks.world import (
    CHANNEL,
    RECRUITER,
    ROOT,
    SIGNING_SECRET,
    Seeder,
    TimedFake,
    full_priority,
    panelist_id,
)
from bot.demo.slack_fake.simulator import Response, SlackSimulator

WAVE = 50  # simultaneous connections in a wave of the mixed burst
WAVE_GAP = 0.5  # seconds between waves


@dataclass
class Request:
    id: str
    kind: str  # submit, retry (Slack delivering a submission again), click, help, summary
    body: str
    content_type: str
    at: float  # seconds after the burst starts
    retry_num: int | None = None
    user: str = ""
    view_id: str = ""  # submissions: the modal submitted, the stored version's source
    candidate: str = ""  # submissions: the confirmation DM names the candidate


class Capture(SlackSimulator):
    """Builds exactly the requests SlackSimulator sends, and keeps the last one instead."""

    def __init__(self, fake: TimedFake) -> None:
        super().__init__("http://unused.invalid/", SIGNING_SECRET, fake, team_id=fake.team_id)
        self.last: tuple[str, str] = ("", "")

    def send_raw(self, body: bytes, content_type: str, **_: Any) -> Response:
        self.last = (body.decode(), content_type)
        return Response(200, "", {})  # a view submission acked empty: the modal closes


def open_modals(app: SlackSimulator, fake: TimedFake,
                seats: list[tuple[str, int, str]]) -> list[dict[str, Any]]:
    """Each (user, interview, plan ts) presses "Score candidate" through our app (untimed,
    eight at once); the scorecard modals that opened."""

    def open_one(seat: tuple[str, int, str]) -> dict[str, Any]:
        user, interview_id, plan_ts = seat
        before = {v["id"] for v in fake.view_stack(user)}
        reply = app.click(user, "score_candidate", channel=CHANNEL, ts=plan_ts,
                          value=str(interview_id))
        assert reply.status == 200, reply

        def opened() -> dict[str, Any] | None:
            stack = fake.view_stack(user)
            return stack[-1] if stack and stack[-1]["id"] not in before else None

        view = fake.wait_for(opened, timeout=20)
        assert view is not None
        final = any(b.get("block_id") == "recommendation" for b in view["blocks"])
        assert final, "the scorecard modal has more than one page"
        return view

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(open_one, seats))


def submission(capture: Capture, view: dict[str, Any], user: str, candidate: str,
               request_id: str, at: float) -> Request:
    """The final page submitted with every question rated: a submission that is stored."""
    values: dict[str, str] = {"recommendation": "hire",
                              "takeaways": "Concrete STAR stories; calm under pressure."}
    for n, block in enumerate(b for b in view["blocks"] if b.get("type") == "input"):
        if block["block_id"].startswith("q:"):
            values[block["block_id"]] = str(2 + n % 4)
        elif block["block_id"].startswith("note:"):  # the evidence a 5 needs
            values[block["block_id"]] = "Told a concrete story."
    capture.submit(user, view["id"], values)
    body, content_type = capture.last
    return Request(request_id, "submit", body, content_type, at, user=user,
                   view_id=view["id"], candidate=candidate)


def scorecard_burst(app: SlackSimulator, fake: TimedFake, seeder: Seeder, name: str,
                    panelists: int = 50, retries: int = 10,
                    window: float = 1.0) -> list[Request]:
    """One interview's `panelists` submit their final page within `window` seconds; Slack
    delivers `retries` of them a second time, 150 ms later."""
    panel = [panelist_id(n) for n in range(panelists)]
    candidate = f"Burst {name}"
    interview_id, plan_ts = seeder.interview(fake, candidate, panel)
    views = open_modals(app, fake, [(user, interview_id, plan_ts) for user in panel])
    capture = Capture(fake)
    requests = [submission(capture, view, user, candidate, f"submit-{n}",
                           window * n / panelists)
                for n, (user, view) in enumerate(zip(panel, views, strict=True))]
    for n, first in enumerate(requests[::max(1, panelists // retries)][:retries]):
        requests.append(Request(f"retry-{n}", "retry", first.body, first.content_type,
                                first.at + 0.15, retry_num=1, user=first.user))
    return requests


def mixed_burst(app: SlackSimulator, fake: TimedFake, seeder: Seeder, name: str,
                interviews: int = 50) -> list[Request]:
    """`interviews` interviews of four panelists, two of whom have scored. From each: its
    first panelist submits the final page, its second clicks "Score candidate" (a modal
    opens), its third asks `/interview help`, the recruiter asks `/interview summary <id>`
    (the consensus, in the ack). Shuffled, in waves of WAVE simultaneous connections."""
    capture = Capture(fake)
    seats: list[tuple[list[str], int, str, str]] = []
    for n in range(interviews):
        panel = [panelist_id(4 * n + k) for k in range(4)]
        candidate = f"Mixed {name}-{n:03d}"
        interview_id, plan_ts = seeder.interview(fake, candidate, panel)
        seeder.scorecard(interview_id, panel[2], 3)
        seeder.scorecard(interview_id, panel[3], 4)
        seats.append((panel, interview_id, plan_ts, candidate))
    views = open_modals(app, fake, [(panel[0], i, ts) for panel, i, ts, _ in seats])
    requests: list[Request] = []
    for n, ((panel, interview_id, plan_ts, candidate), view) in enumerate(
            zip(seats, views, strict=True)):
        requests.append(submission(capture, view, panel[0], candidate, f"submit-{n}", 0))
        capture.click(panel[1], "score_candidate", channel=CHANNEL, ts=plan_ts,
                      value=str(interview_id))
        requests.append(Request(f"click-{n}", "click", *capture.last, 0))
        capture.command(panel[2], "help", channel_id=CHANNEL)
        requests.append(Request(f"help-{n}", "help", *capture.last, 0))
        capture.command(RECRUITER, f"summary {interview_id}", channel_id=CHANNEL)
        requests.append(Request(f"summary-{n}", "summary", *capture.last, 0))
    random.Random(name).shuffle(requests)
    for n, request in enumerate(requests):
        request.at = WAVE_GAP * (n // WAVE)
    return requests


def fire(url: str, requests: list[Request]) -> dict[str, dict[str, Any]]:
    """The load generator's results, by request id."""
    plan = {"url": url, "signing_secret": SIGNING_SECRET, "start_at": time.time() + 1.0,
            "requests": [{"id": r.id, "at": r.at, "body": r.body,
                          "content_type": r.content_type, "retry_num": r.retry_num}
                         for r in requests]}
    done = subprocess.run([sys.executable, "-m", "benchmarks.loadgen"], cwd=ROOT,
                          preexec_fn=full_priority,
                          input=json.dumps(plan), capture_output=True, text=True, check=True,
                          timeout=120)
    return {r["id"]: r for r in json.loads(done.stdout)}


@dataclass
class Sample:
    """What bursts of one kind did against one server (rounds pooled)."""

    acks_ms: list[float] = field(default_factory=list)  # HTTP 200 answers
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # the same, by kind
    not_ok: list[str] = field(default_factory=list)  # other answers, or none
    submissions: int = 0
    lost: int = 0  # no version stored
    duplicated: int = 0  # more than one version stored
    dm_ms: list[float] = field(default_factory=list)  # sent -> confirmation DM at the fake
    dm_missing: int = 0
    dm_doubled: int = 0
    cpu_seconds: float = 0.0  # the server's processes, until its side effects were done

    @property
    def requests(self) -> int:
        return len(self.acks_ms) + len(self.not_ok)

    def add_acks(self, requests: list[Request], results: dict[str, dict[str, Any]]) -> None:
        for request in requests:
            result = results[request.id]
            if result["status"] == 200:
                ack_ms = (result["done"] - result["sent"]) * 1000
                self.acks_ms.append(ack_ms)
                self.by_kind.setdefault(request.kind, []).append(ack_ms)
            else:
                self.not_ok.append(result["error"] or f"HTTP {result['status']}")

    def add_outcomes(self, fake: TimedFake, seeder: Seeder, requests: list[Request],
                     results: dict[str, dict[str, Any]]) -> None:
        """Once the outbox is empty: versions stored and DMs sent per submission."""
        seeder.wait_for_outbox()
        submits = [r for r in requests if r.kind == "submit"]
        stored = seeder.versions_by_view([r.view_id for r in submits])
        arrivals = fake.arrivals()  # DMs are posted to the user's id
        for request in submits:
            self.submissions += 1
            self.lost += stored.get(request.view_id, 0) == 0
            self.duplicated += stored.get(request.view_id, 0) > 1
            times = arrivals.get((request.user, f"Your scorecard for {request.candidate} is in"),
                                 [])
            self.dm_missing += not times
            self.dm_doubled += len(times) > 1
            if times:
                self.dm_ms.append((min(times) - results[request.id]["sent"]) * 1000)
