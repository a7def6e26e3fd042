"""Message refreshes that fold together, and updates that end on the latest state."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.blocks.base import Message
from bot.coalesce import Coalescer, Target, update_until_current
from bot.lifecycle import delete_candidate_data
from bot.plan import refresh_plan_message
from tests.conftest import CHANNEL, MARI, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import add_scorecard, make_interview


def test_requests_while_a_refresh_runs_fold_into_one_more_round() -> None:
    coalescer = Coalescer()
    started, release = threading.Event(), threading.Event()
    rounds: list[int] = []

    def refresh() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            started.set()
            release.wait(5)

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(coalescer.run, "plan-1", refresh)
        assert started.wait(5)
        # Five requests while the first round runs: none runs it itself...
        assert [coalescer.run("plan-1", refresh) for _ in range(5)] == [False] * 5
        # ...another key is not held up.
        assert coalescer.run("plan-2", lambda: None) is True
        release.set()
        assert first.result(5) is True
    assert rounds == [0, 1], "one more round for the five, not five"
    assert coalescer.run("plan-1", refresh) is True and len(rounds) == 3


def test_a_failed_refresh_frees_its_key() -> None:
    coalescer = Coalescer()

    def broken() -> None:
        raise RuntimeError("Slack is down")

    with contextlib.suppress(RuntimeError):
        coalescer.run("k", broken)
    ran: list[bool] = []
    assert coalescer.run("k", lambda: ran.append(True)) and ran == [True]


def test_an_update_that_overtook_a_newer_state_is_corrected(world: World) -> None:
    client = world.services.client
    posted = client.chat_postMessage(channel=CHANNEL, text="v0")
    ts = str(posted["ts"])
    # What the database says at each render: another process changed it right after the
    # first render, so the first update shows an old state.
    states = iter(["v1", "v2", "v2"])

    def current() -> Target:
        return CHANNEL, ts, Message(next(states))

    update_until_current(client, current)
    updates = [c["params"] for c in world.fake.calls("chat.update")]
    assert [(u["ts"], u["text"]) for u in updates] == [(ts, "v1"), (ts, "v2")]
    assert world.fake.message(CHANNEL, ts)["text"] == "v2"


def test_nothing_to_update_sends_nothing(world: World) -> None:
    update_until_current(world.services.client, lambda: None)
    assert world.fake.calls("chat.update") == []


def test_a_burst_of_scorecards_ends_with_the_plan_showing_them_all(world: World) -> None:
    services = world.services
    posted = services.client.chat_postMessage(channel=CHANNEL, text="plan")
    interview_id = make_interview(services, plan_ts=str(posted["ts"]))
    for user_id in (PIA, PEETER, MARI):
        add_scorecard(services, interview_id, user_id, {})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: refresh_plan_message(services, interview_id), range(16)))
    plan = world.fake.message(CHANNEL, str(posted["ts"]))
    assert "3 of 3" in str(plan["blocks"]), plan["blocks"]


def test_a_plan_refresh_after_the_deletion_leaves_the_plan_deleted(world: World) -> None:
    services = world.services
    posted = services.client.chat_postMessage(channel=CHANNEL, text="plan")
    ts = str(posted["ts"])
    interview_id = make_interview(services, plan_ts=ts, candidate_name="Tiina Tamm")
    delete_candidate_data(services, TEAM, interview_id, RECRUITER)
    refresh_plan_message(services, interview_id)  # e.g. a scorecard stored just before
    plan = world.fake.message(CHANNEL, ts)
    assert "Tiina" not in str(plan) and "deleted" in plan["text"]


def test_requests_while_a_refresh_settles_fold_into_its_one_round() -> None:
    rounds: list[int] = []
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        # A burst arrives while the first request settles: each only marks the key.
        assert [coalescer.run("plan-1", refresh, settle=True) for _ in range(5)] == [False] * 5

    def refresh() -> None:
        rounds.append(len(rounds))

    coalescer = Coalescer(settle_seconds=0.5, pause=pause)
    assert coalescer.run("plan-1", refresh, settle=True) is True
    assert rounds == [0] and pauses == [0.5], "one settle, one round for all six"
    assert coalescer.run("plan-1", refresh) is True and pauses == [0.5]  # no settle asked
