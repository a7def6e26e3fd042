"""Work a listener does after its ack: here at once, or, under `serve`, in the background.

Slack waits for the ack (3 s at most); the user waits for what follows (a stored scorecard,
its confirmation DM, the plan's progress). A gunicorn worker's threads share one
interpreter lock, so in a burst the work after fifty acks would take the CPU from the
fifty-first request still to be answered. So under `serve` a listener only writes what is
left to do into `deferred_jobs` (one small committed row: from then on the work survives a
crash of any process) and wakes the server's background processes (one per worker), started
by the gunicorn master at a lower CPU priority. They claim the rows (as reminders are
claimed: SKIP LOCKED on PostgreSQL, so the background processes of several servers share
them) and run them on a few threads each. A claim that runs out (its process died mid-job)
is taken again. Everywhere else (Socket Mode, `run`, the demo, the tests) the job runs at
once, in the listener's thread, as it always did.

A job is a function `(services, payload)` named in bot/jobs.py JOBS; its payload is JSON.
Urgent jobs (a person waits: a modal to open within its trigger_id's 3 seconds) are taken
first.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.logs import request_id
from models import DeferredJob, transaction
from models.claims import claim_rows

if TYPE_CHECKING:
    from bot.jobs import JobFunction
    from bot.services import Services

log = logging.getLogger(__name__)

# A job takes a second or so; a claim this old belongs to a process that died.
CLAIM_LEASE = timedelta(minutes=5)
# The background process looks at the table this often even unwoken: rows left by a
# process that died, or written by another server whose background process is busy.
POLL_SECONDS = 1.0
JOB_THREADS = 8  # jobs mostly wait on Slack and the database
# An urgent job still unclaimed after this long is done by the worker that wrote it: a
# click's trigger_id lives 3 s, and opening the modal takes well under one.
URGENT_PICKUP_SECONDS = 1.0


def run_job(services: Services, kind: str, payload: dict[str, Any]) -> None:
    job, _urgent = _jobs()[kind]
    job(services, payload)


def _jobs() -> dict[str, tuple[JobFunction, bool]]:
    from bot.jobs import JOBS  # imported late: the jobs import most of bot/

    return JOBS


class Deferral(Protocol):
    def defer(self, services: Services, kind: str, payload: dict[str, Any]) -> None: ...


class RunHere:
    """The job runs now, in the caller's thread."""

    def defer(self, services: Services, kind: str, payload: dict[str, Any]) -> None:
        run_job(services, kind, payload)


# The worker's one statement per deferred job, built once: a plain Core insert with bound
# parameters. Through the ORM, or with the values in the statement, SQLAlchemy's per-call
# work (unit of work, cache keys over the values) cost the worker several times the CPU.
_JOBS_TABLE = DeferredJob.__table__
_INSERT_JOB = insert(_JOBS_TABLE).returning(_JOBS_TABLE.c.id)


class HandToBackground:
    """`serve`'s workers: the job is written down and the background processes woken
    through `wake_fd`, the write end of a pipe they read.

    An urgent job the background processes have not taken within URGENT_PICKUP_SECONDS
    (they are still starting, or swamped) is taken by the worker itself: a modal must open
    while its trigger_id is valid. The claim decides who runs it, so it runs once."""

    def __init__(self, wake_fd: int, worker: str,
                 pickup_seconds: float = URGENT_PICKUP_SECONDS) -> None:
        os.set_blocking(wake_fd, False)
        self._wake_fd = wake_fd
        self._worker = worker
        self._pickup_seconds = pickup_seconds
        self._watched: list[tuple[float, int]] = []  # (when to look, job id), a heap
        self._watch = threading.Condition()
        self._watcher: threading.Thread | None = None

    def defer(self, services: Services, kind: str, payload: dict[str, Any]) -> None:
        urgent = _jobs()[kind][1]
        with services.engine.begin() as connection:
            job_id = connection.execute(_INSERT_JOB, {
                "kind": kind, "payload": payload, "urgent": urgent,
                "request_id": request_id.get(), "created_at": services.clock()}).scalar_one()
        try:
            os.write(self._wake_fd, b".")
        except BlockingIOError:
            pass  # the pipe is full of wake-ups not yet read: it is awake
        except BrokenPipeError:
            # No background process reads the pipe any more: nothing must wait on it.
            log.error("the background process is gone; job %s runs in this worker", job_id)
            run_claimed(services, self._worker, only_id=job_id)
            return
        if urgent:
            self._look_later(services, job_id)

    def _look_later(self, services: Services, job_id: int) -> None:
        with self._watch:
            heapq.heappush(self._watched, (time.monotonic() + self._pickup_seconds, job_id))
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._look, args=(services,),
                                                 name="deferred-watch", daemon=True)
                self._watcher.start()
            self._watch.notify()

    def _look(self, services: Services) -> None:
        while True:
            with self._watch:
                while not self._watched or self._watched[0][0] > time.monotonic():
                    self._watch.wait(self._watched[0][0] - time.monotonic()
                                     if self._watched else None)
                _, job_id = heapq.heappop(self._watched)
            try:
                if run_claimed(services, self._worker, only_id=job_id):
                    log.warning("deferred job %s was not taken in %s s; this worker did it",
                                job_id, self._pickup_seconds)
            except Exception:  # the database is away: the background takes it when it can
                log.exception("could not take over deferred job %s", job_id)


class Claimed(NamedTuple):
    id: int
    kind: str
    payload: dict[str, Any]
    request_id: str | None


def _claimable(now: datetime) -> list[Any]:
    return [(DeferredJob.claimed_until.is_(None)) | (DeferredJob.claimed_until < now)]


def claim_jobs(session: Session, now: datetime, worker: str, limit: int,
               only_id: int | None = None) -> list[Claimed]:
    """Claim up to `limit` rows, urgent ones first, then oldest first, for `worker` until
    now + CLAIM_LEASE (models/claims.py)."""
    where = _claimable(now) + ([DeferredJob.id == only_id] if only_id is not None else [])
    urgent_then_oldest = (DeferredJob.urgent.desc(), DeferredJob.id)
    ids = claim_rows(session, DeferredJob, where, urgent_then_oldest, limit,
                     {"claimed_by": worker, "claimed_until": now + CLAIM_LEASE})
    if not ids:
        return []
    rows = session.execute(select(DeferredJob.id, DeferredJob.kind, DeferredJob.payload,
                                  DeferredJob.request_id)
                           .where(DeferredJob.id.in_(ids)).order_by(*urgent_then_oldest))
    return [Claimed(*row) for row in rows]


def run_claimed(services: Services, worker: str, only_id: int | None = None) -> int:
    """Claim and run, one after another, what is waiting (or the one row `only_id`); the
    number of jobs run. For a process without a background runner, and for tests."""
    done = 0
    while True:
        with transaction(services.db) as session:
            claimed = claim_jobs(session, services.clock(), worker, 1, only_id)
        if not claimed:
            return done
        finish(services, claimed[0])
        done += 1


def finish(services: Services, job: Claimed) -> None:
    """Run one claimed job, then delete its row. A job that raises is logged and dropped,
    as a listener's error is: doing it again would repeat whatever it had already sent."""
    token = request_id.set(job.request_id)
    try:
        run_job(services, job.kind, job.payload)
    except Exception:  # one job's failure must not stop the others
        log.exception("deferred job %s (%s) failed", job.id, job.kind)
    finally:
        request_id.reset(token)
        with transaction(services.db) as session:
            session.execute(delete(DeferredJob).where(DeferredJob.id == job.id))


class BackgroundRunner:
    """The background process's loop: claim what is waiting while a thread is free, run it,
    and sleep until woken (a byte on `wake_fd`), a job finishes, or POLL_SECONDS pass.
    When every writer of the pipe has closed it (the master and all workers have exited),
    it finishes what is left in the table and returns."""

    def __init__(self, services: Services, wake_fd: int, worker: str,
                 threads: int = JOB_THREADS) -> None:
        self.services, self.worker, self.threads = services, worker, threads
        self._wake_fd = wake_fd
        self._nudge = threading.Event()
        self._writers_gone = threading.Event()
        self._busy = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="deferred")

    def run(self) -> None:
        threading.Thread(target=self._read_wakeups, name="deferred-wake", daemon=True).start()
        while True:
            self._nudge.clear()
            last_round = self._writers_gone.is_set()
            try:
                started = self._start_waiting_jobs()
            except Exception:  # the database is away: try again at the next look
                log.exception("could not claim deferred jobs")
                started = 0
            if last_round and not started and self._idle():
                break
            if not started:
                self._nudge.wait(POLL_SECONDS)
        self._pool.shutdown(wait=True)

    def _start_waiting_jobs(self) -> int:
        with self._lock:
            free = self.threads - self._busy
        if free <= 0:
            return 0
        with transaction(self.services.db) as session:
            claimed = claim_jobs(session, self.services.clock(), self.worker, free)
        for job in claimed:
            with self._lock:
                self._busy += 1
            self._pool.submit(self._finish, job)
        return len(claimed)

    def _finish(self, job: Claimed) -> None:
        try:
            finish(self.services, job)
        finally:
            with self._lock:
                self._busy -= 1
            self._nudge.set()

    def _idle(self) -> bool:
        with self._lock:
            return self._busy == 0

    def _read_wakeups(self) -> None:
        while True:
            try:
                data = os.read(self._wake_fd, 4096)
            except OSError:
                data = b""
            if not data:  # end of file: no process can hand work to us any more
                self._writers_gone.set()
                self._nudge.set()
                return
            self._nudge.set()
