"""Deferred jobs (bot/deferred.py): what `serve`'s workers hand to the background process
after an ack. Through the real app and Slack fake: a submission acked by the app is only
written down, and the runner (the background process's loop, here in a thread) stores it,
confirms it and empties the table."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.deferred import CLAIM_LEASE, BackgroundRunner, HandToBackground, claim_jobs
from models import DeferredJob, ScorecardVersion, transaction
from tests.conftest import PIA, World
from tests.e2e.test_scorecards import complete, open_scorecard, scorecard_interview, versions
from tests.factories import shipped_set


class Pipe:
    """The wake-up pipe; each end closed once (a closed number is soon another file's)."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.open = {self.read_fd, self.write_fd}

    def close(self, fd: int) -> None:
        if fd in self.open:
            self.open.discard(fd)
            os.close(fd)


@pytest.fixture
def pipe() -> Iterator[Pipe]:
    made = Pipe()
    yield made
    for fd in list(made.open):
        made.close(fd)


def job_rows(world: World) -> list[DeferredJob]:
    with transaction(world.services.db) as session:
        return list(session.scalars(select(DeferredJob)))


def submit_handed_off(world: World, write_fd: int) -> int:
    """PIA submits a complete scorecard to an app whose after-ack work is handed off."""
    interview_id = scorecard_interview(world, panel=(PIA,))
    view = open_scorecard(world, PIA, interview_id)
    world.services.deferral = HandToBackground(write_fd, "test-worker")
    reply = world.slack.submit(PIA, view["id"], complete(shipped_set(world.services)))
    assert reply.status == 200 and reply.body == ""  # acked: the modal closes
    return interview_id


def confirmations(world: World) -> list[str]:
    return [m["text"] for m in world.fake.dms(PIA) if "scorecard" in m["text"].lower()]


def test_an_acked_submission_is_written_down_and_the_background_finishes_it(
        world: World, pipe: Pipe) -> None:
    read_fd, write_fd = pipe.read_fd, pipe.write_fd
    submit_handed_off(world, write_fd)
    # Only the job is written (right after the ack); nothing is stored or sent yet.
    [job] = world.fake.wait_for(lambda: job_rows(world))
    assert job.kind == "scorecard_submitted" and job.payload["user_id"] == PIA
    assert versions(world) == [] and confirmations(world) == []
    assert os.read(read_fd, 16) == b"."  # the background process was woken

    os.write(write_fd, b".")
    runner = BackgroundRunner(world.services, read_fd, "background")
    thread = threading.Thread(target=runner.run)
    thread.start()
    world.fake.wait_for(lambda: confirmations(world))
    assert len(versions(world, PIA)) == 1
    pipe.close(write_fd)  # every worker is gone: the runner finishes and returns
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert job_rows(world) == [] and len(confirmations(world)) == 1


def test_with_the_background_process_gone_the_worker_does_the_job_itself(
        world: World, pipe: Pipe) -> None:
    pipe.close(pipe.read_fd)
    write_fd = pipe.write_fd
    submit_handed_off(world, write_fd)
    world.fake.wait_for(lambda: confirmations(world))
    assert len(versions(world, PIA)) == 1
    world.fake.wait_for(lambda: not job_rows(world))  # done: the row goes


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
        world: World, pipe: Pipe) -> None:
    """Background processes still starting (none reads here): the click's modal opens
    anyway, from the worker, while its trigger_id is valid; a scorecard's job waits."""
    interview_id = scorecard_interview(world, panel=(PIA,))
    world.services.deferral = HandToBackground(pipe.write_fd, "worker", pickup_seconds=0.2)
    view = open_scorecard(world, PIA, interview_id)  # waits for the modal
    assert view["callback_id"] == "scorecard"
    world.fake.wait_for(lambda: not job_rows(world))
    opened = [c for c in world.fake.calls() if c["method"] == "views.open"]
    assert len(opened) == 1 and opened[0]["response"]["ok"]

    reply = world.slack.submit(PIA, view["id"], complete(shipped_set(world.services)))
    assert reply.status == 200
    time.sleep(0.5)  # not urgent: left for the background processes
    assert [j.kind for j in job_rows(world)] == ["scorecard_submitted"]
    assert confirmations(world) == []


def test_an_urgent_job_the_background_takes_is_done_once(world: World, pipe: Pipe) -> None:
    interview_id = scorecard_interview(world, panel=(PIA,))
    world.services.deferral = HandToBackground(pipe.write_fd, "worker", pickup_seconds=0.3)
    runner = BackgroundRunner(world.services, pipe.read_fd, "background")
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        open_scorecard(world, PIA, interview_id)
        time.sleep(0.6)  # past the worker's look: the job was the background's
        opened = [c for c in world.fake.calls() if c["method"] == "views.open"]
        assert len(opened) == 1
    finally:
        pipe.close(pipe.write_fd)
        thread.join(timeout=10)
