"""The two request bursts, built as Slack would send them (with the simulator's own payload
code), fired by the load generator process, and measured: ack latency at the client, and
the time until each request's side effect shows at the Slack fake."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.servers import ROOT
from benchmarks.world import (
    CHANNEL,
    LEAD,
    RECRUITER,
    SIGNING_SECRET,
    Seeder,
    TimedFake,
    panelist_id,
    post_plan_message,
)
from bot.question_sets import QuestionSet
from bot.slack_fake.simulator import Response, SlackSimulator
from models import Panelist, Scorecard, ScorecardVersion, transaction

LEAD_IN = 0.5  # seconds between handing the plan to the load generator and the first send


@dataclass
class Planned:
    """One request to send: its body, and what its side effect at the fake will be."""

    id: str
    kind: str  # "submit", "retry", "click", "help", "summary"
    body: str
    content_type: str
    at: float = 0.0
    retry_num: int | None = None
    user: str = ""
    trigger_id: str | None = None  # clicks: the views.open that answers it
    response_token: str | None = None  # `/interview summary`: its response_url's answer


class CapturingSimulator(SlackSimulator):
    """Builds exactly the payloads SlackSimulator sends, and keeps them instead."""

    def __init__(self, fake: TimedFake) -> None:
        super().__init__("http://unused.invalid/slack/events", SIGNING_SECRET, fake,
                         team_id=fake.team_id)
        self.captured: list[tuple[str, str, int | None]] = []

    def send_raw(self, body: bytes, content_type: str, *, timestamp: int | None = None,
                 signature: str | None = None, retry_num: int | None = None) -> Response:
        self.captured.append((body.decode(), content_type, retry_num))
        return Response(200, "", {})

    def take(self) -> tuple[str, str]:
        body, content_type, _ = self.captured.pop()
        return body, content_type


def trigger_of(body: str) -> str | None:
    from urllib.parse import parse_qs

    form = parse_qs(body)
    if "payload" in form:
        return json.loads(form["payload"][0]).get("trigger_id")
    return (form.get("trigger_id") or [None])[0]


def response_token_of(body: str) -> str | None:
    from urllib.parse import parse_qs

    url = (parse_qs(body).get("response_url") or [""])[0]
    return url.rsplit("/", 1)[-1] or None


# --- scenario 1: 50 panelists submit within one second -----------------------------------


@dataclass
class ScorecardBurst:
    interview_id: int
    plan_ts: str
    panel: list[str]
    requests: list[Planned]


def open_modals(fake: TimedFake, app: SlackSimulator, users: list[str], interview_id: int,
                plan_ts: str) -> dict[str, str]:
    """Each panelist presses "Score candidate" on the plan (untimed): user -> view id."""
    opened: dict[str, str] = {}
    for user in users:
        before = {v["id"] for v in fake.view_stack(user)}
        reply = app.click(user, "score_candidate", channel=CHANNEL, ts=plan_ts,
                          value=str(interview_id))
        assert reply.status == 200, reply

        def modal(user: str = user, before: set[str] = before) -> str | None:
            stack = fake.view_stack(user)
            top = stack[-1] if stack else None
            if top and top["callback_id"] == "scorecard" and top["id"] not in before:
                return str(top["id"])
            return None

        opened[user] = fake.wait_for(modal, timeout=10)
    return opened


def complete_answers(view: dict[str, Any]) -> dict[str, str]:
    """Every question rated, a recommendation and takeaways: a submission that passes."""
    values: dict[str, str] = {}
    for n, block in enumerate(b for b in view["blocks"] if b.get("type") == "input"):
        block_id = block["block_id"]
        if block_id.startswith("q:"):
            values[block_id] = str(2 + n % 4)
        elif block_id == "recommendation":
            values[block_id] = "hire"
        elif block_id == "takeaways":
            values[block_id] = "Concrete STAR stories; calm under pressure."
    return values


def build_scorecard_burst(fake: TimedFake, seeder: Seeder, app: SlackSimulator,
                          qs: QuestionSet, panelists: int, retries: int,
                          window: float) -> ScorecardBurst:
    panel = [panelist_id(n) for n in range(panelists)]
    interview_id = seeder.interview(qs, panel, candidate="Burst Candidate")
    plan_ts = post_plan_message(fake, interview_id)
    seeder.set_plan_ts(interview_id, plan_ts)
    views = open_modals(fake, app, panel, interview_id, plan_ts)
    capture = CapturingSimulator(fake)
    requests: list[Planned] = []
    for n, user in enumerate(panel):
        view_id = views[user]
        capture.submit(user, view_id, complete_answers(fake.view(view_id)))
        body, content_type = capture.take()
        requests.append(Planned(f"submit-{n}", "submit", body, content_type,
                                at=window * n / panelists, user=user))
    # Slack retries some deliveries (X-Slack-Retry-Num): the same body again, soon after.
    for n in range(retries):
        first = requests[n * (panelists // max(retries, 1))]
        requests.append(Planned(f"retry-{n}", "retry", first.body, first.content_type,
                                at=min(first.at + 0.15, window), retry_num=1, user=first.user))
    return ScorecardBurst(interview_id, plan_ts, panel, requests)


def scorecard_rows(seeder: Seeder, interview_id: int) -> dict[str, int]:
    """Versions stored per panelist of the interview."""
    with transaction(seeder.db) as session:
        rows = session.execute(
            select(Panelist.user_id, func.count(ScorecardVersion.id))
            .join(Scorecard, Scorecard.panelist_id == Panelist.id)
            .join(ScorecardVersion, ScorecardVersion.scorecard_id == Scorecard.id)
            .where(Panelist.interview_id == interview_id)
            .group_by(Panelist.user_id)).all()
    return {user: int(count) for user, count in rows}


# --- scenario 2: 200 mixed interactions across 50 interviews -----------------------------


@dataclass
class MixedBurst:
    interview_ids: list[int]
    requests: list[Planned]
    mix: Counter[str] = field(default_factory=Counter)


def build_mixed_burst(fake: TimedFake, seeder: Seeder, qs: QuestionSet, interviews: int,
                      total: int, waves: int, wave_gap: float) -> MixedBurst:
    """`interviews` interviews of four panelists, two of them scored already. The mix: 40%
    "Score candidate" clicks (modal opens), 10% "View panel feedback" by the hiring lead
    (modal with every scorecard), 25% `/interview help`, 25% `/interview summary <id>` by
    the recruiter (consensus computed, answered through the response_url). Sent in `waves`
    bursts of simultaneous connections, `wave_gap` seconds apart."""
    rng = random.Random(10)
    scores = {q.id: 3 for c in qs.categories for q in c.questions}
    ids: list[tuple[int, list[str], str]] = []
    for n in range(interviews):
        panel = [panelist_id((4 * n + k) % 50) for k in range(4)]
        interview_id = seeder.interview(qs, panel, candidate=f"Mixed Candidate {n}")
        plan_ts = post_plan_message(fake, interview_id)
        seeder.set_plan_ts(interview_id, plan_ts)
        for k, user in enumerate(panel[:2]):
            seeder.scorecard(interview_id, user,
                             {q: (s + k + n) % 5 + 1 for q, s in scores.items()},
                             recommendation=("hire", "no_hire")[(n + k) % 2])
        ids.append((interview_id, panel, plan_ts))
    kinds = (["click"] * 40 + ["feedback"] * 10 + ["help"] * 25 + ["summary"] * 25)
    capture = CapturingSimulator(fake)
    requests: list[Planned] = []
    mix: Counter[str] = Counter()
    per_wave = max(1, total // waves)
    for n in range(total):
        kind = kinds[n % len(kinds)]
        interview_id, panel, plan_ts = ids[rng.randrange(len(ids))]
        if kind == "click":
            user = panel[2 + rng.randrange(2)]
            capture.click(user, "score_candidate", channel=CHANNEL, ts=plan_ts,
                          value=str(interview_id))
        elif kind == "feedback":
            user = LEAD
            capture.click(user, "view_panel_feedback", channel=CHANNEL, ts=plan_ts,
                          value=str(interview_id))
        elif kind == "help":
            user = panelist_id(rng.randrange(50))
            capture.command(user, "help", channel_id=CHANNEL)
        else:
            user = RECRUITER
            capture.command(user, f"summary {interview_id}", channel_id=CHANNEL)
        body, content_type = capture.take()
        trigger = trigger_of(body) if kind in ("click", "feedback") else None
        token = response_token_of(body) if kind == "summary" else None
        requests.append(Planned(f"{kind}-{n}", kind, body, content_type,
                                at=wave_gap * (n // per_wave), user=user, trigger_id=trigger,
                                response_token=token))
        mix[kind] += 1
    rng.shuffle(requests)  # the kinds arrive mixed within each wave
    return MixedBurst([i for i, _, _ in ids], requests, mix)


# --- firing ------------------------------------------------------------------------------


def fire(url: str, requests: list[Planned]) -> list[dict[str, Any]]:
    """Hand the requests to the load generator process; its results, by request id."""
    with tempfile.TemporaryDirectory() as tmp:
        plan_path, out_path = Path(tmp, "plan.json"), Path(tmp, "out.json")
        start_at = time.time() + LEAD_IN + 0.5  # the process starts, its threads wait
        plan_path.write_text(json.dumps({
            "url": url, "signing_secret": SIGNING_SECRET, "start_at": start_at,
            "requests": [{"id": r.id, "at": r.at, "body": r.body,
                          "content_type": r.content_type, "retry_num": r.retry_num}
                         for r in requests]}))
        subprocess.run([sys.executable, "-m", "benchmarks.loadgen", str(plan_path),
                        str(out_path)], cwd=ROOT, check=True, timeout=300)
        return json.loads(out_path.read_text())


@dataclass
class Measured:
    """What one burst did against one server."""

    requests: int
    dropped: int  # no HTTP answer at all: refused, reset, timed out
    failed: int  # an HTTP answer other than 200
    ack_ms: list[float]
    effect_ms: list[float]  # request sent -> its side effect visible at the fake
    effects_missing: int = 0
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # ack ms per request kind


def pool(rounds: list[Measured]) -> Measured | None:
    """Several rounds of one burst as one sample: percentiles over all their requests."""
    if not rounds:
        return None
    pooled = Measured(sum(m.requests for m in rounds), sum(m.dropped for m in rounds),
                      sum(m.failed for m in rounds), [a for m in rounds for a in m.ack_ms],
                      [e for m in rounds for e in m.effect_ms],
                      sum(m.effects_missing for m in rounds))
    pooled.notes = sorted({n for m in rounds for n in m.notes})
    for m in rounds:
        for kind, values in m.by_kind.items():
            pooled.by_kind.setdefault(kind, []).extend(values)
    for key in {k for m in rounds for k in m.extra}:
        values = [m.extra[key] for m in rounds if key in m.extra]
        if all(isinstance(v, dict) and all(isinstance(x, float | int) for x in v.values())
               for v in values):
            pooled.extra[key] = {k: sum(v.get(k, 0) for v in values) for k in values[0]}
        elif all(isinstance(v, int | float) for v in values):
            pooled.extra[key] = max(values) if key.endswith(("_s", "_ms")) else sum(values)
        else:
            pooled.extra[key] = values[0]
    return pooled


def measure_acks(results: list[dict[str, Any]]) -> Measured:
    acks = [(r["done"] - r["sent"]) * 1000 for r in results if r.get("status") == 200]
    dropped = sum(r.get("status") is None for r in results)
    failed = sum(r.get("status") not in (None, 200) for r in results)
    measured = Measured(len(results), dropped, failed, acks, [])
    errors = Counter(r.get("error") or f"HTTP {r.get('status')}" for r in results
                     if r.get("status") != 200)
    measured.notes += [f"{count} x {error}" for error, count in errors.most_common(5)]
    return measured


def scorecard_effects(fake: TimedFake, mark: int, burst: ScorecardBurst,
                      results: list[dict[str, Any]], timeout: float = 60.0) -> Measured:
    """Side effect of a submission: the author's confirmation DM. Also: when the plan
    message was last updated (its progress), and how many DMs each panelist got."""
    measured = measure_acks(results)
    sent = {r["id"]: r["sent"] for r in results}
    submits = [r for r in burst.requests if r.kind == "submit"]
    deadline = time.monotonic() + timeout

    def confirmations() -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for call in fake.calls_since(mark):
            if call.method == "chat.postMessage" and call.ok:
                channel = str(call.params.get("channel"))
                found.setdefault(channel, []).append(call.at)
        return found

    while time.monotonic() < deadline:
        found = confirmations()
        if all(r.user in found for r in submits):
            break
        time.sleep(0.05)
    time.sleep(1.0)  # late duplicates, plan updates still in flight
    found = confirmations()
    for request in submits:
        times = found.get(request.user)
        if times and request.id in sent:
            measured.effect_ms.append((min(times) - sent[request.id]) * 1000)
        else:
            measured.effects_missing += 1
    doubled = sum(len(found.get(r.user, [])) > 1 for r in submits)
    plan_updates = [c for c in fake.calls_since(mark)
                    if c.method == "chat.update" and str(c.params.get("ts")) == burst.plan_ts]
    first_sent = min(sent.values())
    measured.extra = {
        "confirmation_dms_doubled": doubled,
        "plan_updates": len(plan_updates),
        "plan_updated_ok": sum(c.ok for c in plan_updates),
        "last_plan_update_s": (max(c.at for c in plan_updates) - first_sent)
        if plan_updates else None,
    }
    return measured


def mixed_effects(fake: TimedFake, mark: int, burst: MixedBurst,
                  results: list[dict[str, Any]], timeout: float = 30.0) -> Measured:
    """Side effects: a click's modal opening (views.open answering its trigger); the
    summary's answer through its response_url; `/interview help` answers in its ack, so its
    side effect is the ack itself."""
    measured = measure_acks(results)
    by_id = {r["id"]: r for r in results}
    clicks = [r for r in burst.requests if r.trigger_id]
    awaited = [r for r in burst.requests if r.trigger_id or r.response_token]
    deadline = time.monotonic() + timeout

    def seen() -> dict[str, tuple[float, bool, str | None]]:
        """trigger_id or response_url token -> (when answered, ok, error)."""
        found = {}
        for c in fake.calls_since(mark):
            if c.method == "views.open":
                found[str(c.params.get("trigger_id"))] = (c.at, c.ok, c.error)
            elif c.method == "response_url":
                found[str(c.params.get("token"))] = (c.at, c.ok, c.error)
        return found

    while time.monotonic() < deadline and len(seen()) < len(awaited):
        time.sleep(0.05)
    views = seen()
    failures: Counter[str] = Counter()
    for request in burst.requests:
        result = by_id.get(request.id)
        if result is None or result.get("status") != 200:
            continue
        key = request.trigger_id or request.response_token
        if key is None:
            measured.effect_ms.append((result["done"] - result["sent"]) * 1000)
            continue
        view = views.get(key)
        if view is None:
            measured.effects_missing += 1
        elif not view[1]:
            failures[str(view[2])] += 1
        else:
            measured.effect_ms.append((view[0] - result["sent"]) * 1000)
    measured.notes += [f"views.open or response_url {error}: {n}"
                       for error, n in failures.items()]
    for request in burst.requests:  # acks by kind: which interactions are slow to answer
        result = by_id.get(request.id)
        if result is not None and result.get("status") == 200:
            measured.by_kind.setdefault(request.kind, []).append(
                (result["done"] - result["sent"]) * 1000)
    measured.extra = {"mix": dict(burst.mix), "modal_errors": sum(failures.values()),
                      "slowest_modal_ms": max(
                          (views[r.trigger_id][0] - by_id[r.id]["sent"]) * 1000
                          for r in clicks if r.trigger_id in views and r.id in by_id)
                      if clicks and views else None}
    return measured
