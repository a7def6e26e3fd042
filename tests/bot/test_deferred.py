"""Deferred jobs (bot/deferred.py, bot/handoff.py): what `serve`'s workers hand to the
background processes after an ack. Through the real app and Slack fake: a submission acked
by the app is only handed over, and the runner (the background process's loop, here in a
thread) writes it down, stores it, confirms it and empties the table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import handoff
from bot.deferred import CLAIM_LEASE, BackgroundRunner, HandToBackground, claim_jobs
from bot.handoff import HandOff, decode
from models import DeferredJob, ScorecardVersion, transaction
from tests.conftest import PIA, World
from tests.e2e.test_scorecards import complete, open_scorecard, scorecard_interview, versions
from tests.factories import shipped_set


class Queues:
    """The hand-off's two queues, as the gunicorn master makes them."""

    def __init__(self) -> None:
        self.urgent, self.other = HandOff.make(), HandOff.make()

    def worker_side(self, world: World, pickup_seconds: float = 1.0,
                    alive: Callable[[], bool] = lambda: True) -> HandToBackground:
        world.services.deferral = HandToBackground(self.urgent, self.other, "worker", alive,
                                                   pickup_seconds=pickup_seconds)
        return world.services.deferral

    def close_sending(self) -> None:
        """Every worker and the master are gone."""
        self.urgent.close_sending()
        self.other.close_sending()


@pytest.fixture
def queues() -> Iterator[Queues]:
    made = Queues()
    yield made
    made.urgent.close()
    made.other.close()


class Running:
    """A background process's runner, in a thread."""

    def __init__(self, world: World, queues: Queues) -> None:
        self.queues = queues
        self.runner = BackgroundRunner(world.services, queues.urgent, queues.other,
                                       "background")
        self.thread = threading.Thread(target=self.runner.run)
        self.thread.start()

    def stop(self) -> None:
        self.queues.close_sending()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def job_rows(world: World) -> list[DeferredJob]:
    with transaction(world.services.db) as session:
        return list(session.scalars(select(DeferredJob)))


def submit_handed_off(world: World, queues: Queues, **worker: Any) -> int:
    """PIA submits a complete scorecard to an app whose after-ack work is handed off."""
    interview_id = scorecard_interview(world, panel=(PIA,))
    view = open_scorecard(world, PIA, interview_id)
    queues.worker_side(world, **worker)
    reply = world.slack.submit(PIA, view["id"], complete(shipped_set(world.services)))
    assert reply.status == 200 and reply.body == ""  # acked: the modal closes
    return interview_id


def confirmations(world: World) -> list[str]:
    return [m["text"] for m in world.fake.dms(PIA) if "scorecard" in m["text"].lower()]


def queued(queue: HandOff) -> list[Any]:
    """What waits in a queue, taken out."""
    taken = []
    while (message := queue.take_older_than(0.0)) is not None:
        taken.append(decode(message))
    return taken


def test_an_acked_submission_is_handed_over_and_the_background_finishes_it(
        world: World, queues: Queues) -> None:
    submit_handed_off(world, queues)
    # Only handed over (right after the ack): nothing is written, stored or sent yet.
    message = world.fake.wait_for(lambda: queues.other.take_older_than(0.0))
    job = decode(message)
    assert job is not None and job.kind == "scorecard_submitted"
    assert job.payload["user_id"] == PIA and not job.urgent
    assert job_rows(world) == [] and versions(world) == [] and confirmations(world) == []

    assert queues.other.send(message)  # back in line, for the background process
    running = Running(world, queues)
    world.fake.wait_for(lambda: confirmations(world))
    assert len(versions(world, PIA)) == 1
    running.stop()  # every worker is gone: the runner finishes and returns
    assert job_rows(world) == [] and len(confirmations(world)) == 1


def test_the_background_writes_a_job_down_before_doing_it(
        world: World, queues: Queues, monkeypatch: pytest.MonkeyPatch) -> None:
    """So that if its process dies mid-job, another takes the row once the claim runs out."""
    seen: list[list[tuple[str, str | None]]] = []
    started, release = threading.Event(), threading.Event()

    def slow_job(services: Any, payload: dict[str, Any]) -> None:
        seen.append([(row.kind, row.claimed_by) for row in job_rows(world)])
        started.set()
        release.wait(10)

    from bot import jobs
    monkeypatch.setitem(jobs.JOBS, "scorecard_submitted", (slow_job, False))
    submit_handed_off(world, queues)
    running = Running(world, queues)
    try:
        assert started.wait(10)
        assert seen == [[("scorecard_submitted", "background")]]
    finally:
        release.set()
        running.stop()
    assert job_rows(world) == []


def test_with_no_background_process_alive_the_worker_does_the_job_itself(
        world: World, queues: Queues) -> None:
    submit_handed_off(world, queues, alive=lambda: False)
    world.fake.wait_for(lambda: confirmations(world))
    assert len(versions(world, PIA)) == 1
    assert job_rows(world) == [] and queued(queues.other) == []


def test_jobs_still_queued_when_the_background_processes_die_are_done_by_a_worker(
        world: World, queues: Queues) -> None:
    alive = [True]
    interview_id = submit_handed_off(world, queues, alive=lambda: alive[0])
    time.sleep(0.2)
    assert confirmations(world) == []  # queued, for a background process that then dies
    alive[0] = False
    open_scorecard(world, PIA, interview_id)  # the next job: the worker opens the modal
    world.fake.wait_for(lambda: confirmations(world))
    assert len(versions(world, PIA)) == 1
    assert queued(queues.other) == [] and job_rows(world) == []


def test_a_job_the_queue_cannot_take_waits_in_the_table(
        world: World, queues: Queues, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too big for a message (or the queue full): written down by the worker, and the
    background processes told to look."""
    monkeypatch.setattr(handoff, "MAX_MESSAGE", 100)
    submit_handed_off(world, queues)
    [row] = world.fake.wait_for(lambda: job_rows(world))
    assert row.kind == "scorecard_submitted" and row.claimed_by is None
    assert world.fake.wait_for(lambda: queued(queues.other)) == [None]  # the nudge, after
    running = Running(world, queues)
    world.fake.wait_for(lambda: confirmations(world))
    running.stop()
    assert len(versions(world, PIA)) == 1 and job_rows(world) == []


def test_a_claim_that_ran_out_is_taken_again(world: World) -> None:
    services = world.services
    with transaction(services.db) as session:
        session.add_all([DeferredJob(kind="scorecard_submitted", payload={"n": n})
                         for n in range(3)])
    now = services.clock()
    with transaction(services.db) as session:
        first = claim_jobs(session, now, "a", limit=2)
    with transaction(services.db) as session:
        second = claim_jobs(session, now, "b", limit=5)
    assert [j.payload["n"] for j in first] == [0, 1]
    assert [j.payload["n"] for j in second] == [2]
    # "a" died holding its two: once the lease is over, they are anyone's.
    with transaction(services.db) as session:
        assert claim_jobs(session, now + CLAIM_LEASE - timedelta(seconds=1), "c", 5) == []
    with transaction(services.db) as session:
        again = claim_jobs(session, now + CLAIM_LEASE + timedelta(seconds=1), "c", 5)
    assert [j.payload["n"] for j in again] == [0, 1, 2]
    with transaction(services.db) as session:
        assert session.scalar(select(func.count()).select_from(ScorecardVersion)) == 0


def test_urgent_jobs_are_taken_first(world: World) -> None:
    """A modal to open (its trigger_id lives 3 s) goes before scorecards written earlier."""
    services = world.services
    with transaction(services.db) as session:
        session.add_all([DeferredJob(kind="scorecard_submitted", payload={"n": n})
                         for n in range(3)])
        session.add(DeferredJob(kind="open_scorecard", payload={"n": 3}, urgent=True))
    with transaction(services.db) as session:
        claimed = claim_jobs(session, services.clock(), "a", limit=2)
    assert [(j.kind, j.payload["n"]) for j in claimed] == [
        ("open_scorecard", 3), ("scorecard_submitted", 0)]


def test_a_modal_the_background_does_not_take_in_time_is_opened_by_the_worker(
        world: World, queues: Queues) -> None:
    """Background processes still starting (none reads here): the click's modal opens
    anyway, from the worker, while its trigger_id is valid; a scorecard's job waits."""
    interview_id = scorecard_interview(world, panel=(PIA,))
    queues.worker_side(world, pickup_seconds=0.2)
    view = open_scorecard(world, PIA, interview_id)  # waits for the modal
    assert view["callback_id"] == "scorecard"
    opened = [c for c in world.fake.calls() if c["method"] == "views.open"]
    assert len(opened) == 1 and opened[0]["response"]["ok"]
    assert queued(queues.urgent) == []

    reply = world.slack.submit(PIA, view["id"], complete(shipped_set(world.services)))
    assert reply.status == 200
    time.sleep(0.5)  # not urgent: left for the background processes
    assert [job.kind for job in queued(queues.other)] == ["scorecard_submitted"]
    assert confirmations(world) == [] and job_rows(world) == []


def test_a_modal_in_the_table_the_background_does_not_take_is_opened_by_the_worker(
        world: World, queues: Queues, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff, "MAX_MESSAGE", 100)  # every job goes to the table
    interview_id = scorecard_interview(world, panel=(PIA,))
    queues.worker_side(world, pickup_seconds=0.2)
    view = open_scorecard(world, PIA, interview_id)
    assert view["callback_id"] == "scorecard"
    world.fake.wait_for(lambda: not job_rows(world))


def test_an_urgent_job_the_background_takes_is_done_once(
        world: World, queues: Queues) -> None:
    interview_id = scorecard_interview(world, panel=(PIA,))
    queues.worker_side(world, pickup_seconds=0.3)
    running = Running(world, queues)
    try:
        open_scorecard(world, PIA, interview_id)
        time.sleep(0.6)  # past the worker's look: the job was the background's
        opened = [c for c in world.fake.calls() if c["method"] == "views.open"]
        assert len(opened) == 1
    finally:
        running.stop()
    assert job_rows(world) == []  # a modal is not written down
