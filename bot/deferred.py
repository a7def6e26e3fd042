"""Work a listener does after its ack: here at once, or, under `serve`, in the background.

Slack waits for the ack (3 s at most); the user waits for what follows (a stored scorecard,
its confirmation DM, the plan's progress). A gunicorn worker's threads share one
interpreter lock, so in a burst the work after fifty acks would take the CPU from the
fifty-first request still to be answered. So under `serve` a listener only sends what is
left to do, as one message, to the server's background processes (one per worker, started
by the gunicorn master at a lower CPU priority) through the hand-off (bot/handoff.py): the
kernel holds it until one of them reads it. That one writes it into `deferred_jobs`,
claimed by itself, runs it and deletes the row; a claim that runs out (its process died
mid-job) is taken again, by any server's background process (SKIP LOCKED on PostgreSQL, as
for reminders). Rows are also how jobs wait that the hand-off could not take. Everywhere
else (Socket Mode, `run`, the demo, the tests) the job runs at once, in the listener's
thread, as it always did.

A job is a function `(services, payload)` named in bot/jobs.py JOBS; its payload is JSON.
Urgent jobs (a person waits: a modal to open within its trigger_id's 3 seconds) have a
queue and threads of their own, and go first among the rows.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from bot.handoff import HandedJob, HandOff, decode, encode, nudge_message
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
URGENT_JOB_THREADS = 4  # modals: a few quick calls each
# An urgent job no background process has read (or claimed) after this long is done by a
# worker: a click's trigger_id lives 3 s, and opening the modal takes well under one.
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


# One statement per job written down, built once: a plain Core insert with bound
# parameters. Through the ORM, or with the values in the statement, SQLAlchemy's per-call
# work (unit of work, cache keys over the values) cost several times the CPU.
_JOBS_TABLE = DeferredJob.__table__
_INSERT_JOB = insert(_JOBS_TABLE).returning(_JOBS_TABLE.c.id)


def write_job(engine: Engine, now: datetime, job: HandedJob,
              claimed_by: str | None = None) -> int:
    """The job as a row (its id): claimed by `claimed_by` until now + CLAIM_LEASE, or
    anyone's."""
    claim = {"claimed_by": claimed_by, "claimed_until": now + CLAIM_LEASE if claimed_by else None}
    with engine.begin() as connection:
        return int(connection.execute(_INSERT_JOB, {
            "kind": job.kind, "payload": job.payload, "urgent": job.urgent,
            "request_id": job.request_id, "created_at": job.created_at, **claim}).scalar_one())


def run_logged(services: Services, kind: str, payload: dict[str, Any],
               job_request_id: str | None, label: str = "without a row") -> None:
    """Run a job under its request's id. A job that raises is logged and dropped, as a
    listener's error is: doing it again would repeat whatever it had already sent."""
    token = request_id.set(job_request_id)
    try:
        run_job(services, kind, payload)
    except Exception:  # one job's failure must not stop the others
        log.exception("deferred %s job (%s) failed", kind, label)
    finally:
        request_id.reset(token)


def run_handed(services: Services, job: HandedJob) -> None:
    """Run a job that has no row."""
    run_logged(services, job.kind, job.payload, job.request_id)


class HandToBackground:
    """`serve`'s workers: the job goes to the background processes through the hand-off
    (bot/handoff.py), urgent jobs and the others each through their own queue.

    An urgent job no background process has read within URGENT_PICKUP_SECONDS (they are
    still starting, or swamped) is taken back and run by a worker: a modal must open while
    its trigger_id is valid. Other jobs wait in their queue for a background process. A
    job the queue cannot take (full, or too big) is written into the table instead; an
    urgent one of those the worker runs itself if it is still unclaimed after the same
    wait. With no background process alive, the worker runs every job itself."""

    def __init__(self, urgent: HandOff, other: HandOff, worker: str,
                 background_alive: Callable[[], bool] = lambda: True,
                 pickup_seconds: float = URGENT_PICKUP_SECONDS) -> None:
        self._urgent, self._other = urgent, other
        self._worker = worker
        self._background_alive = background_alive
        self._pickup_seconds = pickup_seconds
        # (when to look, job id), a heap; job id -1: look at the urgent queue.
        self._watched: list[tuple[float, int]] = []
        self._queue_look_due = False
        self._watch = threading.Condition()
        self._watcher: threading.Thread | None = None

    def defer(self, services: Services, kind: str, payload: dict[str, Any]) -> None:
        urgent = _jobs()[kind][1]
        if not self._background_alive():
            log.error("no background process is running; the %s job runs in this worker",
                      kind)
            run_job(services, kind, payload)
            self._look_at_queue_later(services, 0.0)  # and what they left unread
            return
        queue = self._urgent if urgent else self._other
        job = HandedJob(kind, payload, urgent, request_id.get(), services.clock(), time.time())
        try:
            sent = queue.send(encode(job))
        except BrokenPipeError:  # nobody holds the reading end (a test's set-up)
            log.error("the hand-off is closed; the %s job runs in this worker", kind)
            run_job(services, kind, payload)
            return
        if sent:
            if urgent:
                self._look_at_queue_later(services, self._pickup_seconds)
            return
        job_id = write_job(services.engine, services.clock(), job)
        queue.send(nudge_message())  # if the queue is full, it is being read: fine
        if urgent:
            self._look_later(services, time.monotonic() + self._pickup_seconds, job_id)

    def _look_at_queue_later(self, services: Services, delay: float) -> None:
        with self._watch:
            if self._queue_look_due:
                return
            self._queue_look_due = True
        self._look_later(services, time.monotonic() + delay, None)

    def _look_later(self, services: Services, when: float, job_id: int | None) -> None:
        with self._watch:
            heapq.heappush(self._watched, (when, -1 if job_id is None else job_id))
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
                if job_id < 0:
                    self._queue_look_due = False
            try:
                if job_id < 0:
                    self._take_back_late_urgent_jobs(services)
                elif run_claimed(services, self._worker, only_id=job_id):
                    log.warning("deferred job %s was not taken in %s s; this worker did it",
                                job_id, self._pickup_seconds)
            except Exception:  # the database is away: the background takes it when it can
                log.exception("could not take over deferred job %s", job_id)

    def _take_back_late_urgent_jobs(self, services: Services) -> None:
        if not self._background_alive():
            self._take_back_everything(services)
            return
        self._run_taken(services, self._urgent, self._pickup_seconds,
                        f"was not taken in {self._pickup_seconds} s")
        oldest = self._urgent.oldest_sent_at()
        if oldest is not None:  # not late yet: look again when it would be
            self._look_at_queue_later(
                services, max(0.01, oldest + self._pickup_seconds - time.time()))

    def _take_back_everything(self, services: Services) -> None:
        """No background process is left to read the queues: this worker does what they
        hold (another worker may be taking some of it at the same time: each message is
        taken once)."""
        for queue in (self._urgent, self._other):
            self._run_taken(services, queue, 0.0, "was queued, and no background process is "
                            "running")

    @staticmethod
    def _run_taken(services: Services, queue: HandOff, older_than: float, why: str) -> None:
        """Take the messages sent over `older_than` seconds ago, and run their jobs here."""
        while (message := queue.take_older_than(older_than)) is not None:
            if (job := decode(message)) is not None:
                log.warning("a deferred %s job %s; this worker did it", job.kind, why)
                run_handed(services, job)


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
    """Run one claimed job (run_logged), then delete its row."""
    try:
        run_logged(services, job.kind, job.payload, job.request_id, f"row {job.id}")
    finally:
        with transaction(services.db) as session:
            session.execute(delete(DeferredJob).where(DeferredJob.id == job.id))


class _Threads:
    """A pool with a count of its threads taken: taken before a job is read or claimed,
    given back when it is done, so that a process reads no more than it can start."""

    def __init__(self, count: int, name: str) -> None:
        self.count = count
        self.pool = ThreadPoolExecutor(count, thread_name_prefix=name)
        self._taken = 0
        self._changed = threading.Condition()

    def take_one(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._taken < self.count)
            self._taken += 1

    def take_free(self) -> int:
        with self._changed:
            free = self.count - self._taken
            self._taken += free
            return free

    def give_back(self, count: int = 1) -> None:
        with self._changed:
            self._taken -= count
            self._changed.notify_all()

    def idle(self) -> bool:
        with self._changed:
            return self._taken == 0


class BackgroundRunner:
    """The background process's loop. Two threads read the hand-off's queues (urgent jobs,
    the others), each only while a thread of its pool is free to start what it reads. A
    job read from the other queue is first written down, claimed by this process, so that
    if the process dies mid-job it is done again (an urgent job is not: a modal's
    trigger_id would be gone by then). Meanwhile the loop claims rows from the table (left
    by processes that died, or written there when a queue was full) whenever it is nudged,
    a job finishes, or POLL_SECONDS pass. Once every sending end of both queues is closed
    (the master and all workers have exited) it finishes what is left and returns."""

    def __init__(self, services: Services, urgent: HandOff, other: HandOff, worker: str,
                 threads: int = JOB_THREADS, urgent_threads: int = URGENT_JOB_THREADS) -> None:
        self.services, self.worker = services, worker
        self._queues = {"urgent": (urgent, _Threads(urgent_threads, "urgent-job")),
                        "other": (other, _Threads(threads, "deferred-job"))}
        self._nudge = threading.Event()
        self._closed: list[str] = []  # the queues whose every sending end is closed

    def run(self) -> None:
        for name in self._queues:
            threading.Thread(target=self._read, args=(name,), daemon=True,
                             name=f"deferred-read-{name}").start()
        _, threads = self._queues["other"]
        while True:
            self._nudge.clear()
            last_round = len(self._closed) == len(self._queues)
            try:
                started = self._start_waiting_rows(threads)
            except Exception:  # the database is away: try again at the next look
                log.exception("could not claim deferred jobs")
                started = 0
            if last_round and not started and all(t.idle() for _, t in self._queues.values()):
                break
            if not started:
                self._nudge.wait(POLL_SECONDS)
        for _, t in self._queues.values():
            t.pool.shutdown(wait=True)

    def _read(self, queue_name: str) -> None:
        queue, threads = self._queues[queue_name]
        while True:
            threads.take_one()
            try:
                message = queue.receive()
            except OSError:
                message = None
            if message is None:  # no process can hand work to us any more
                threads.give_back()
                self._closed.append(queue_name)
                self._nudge.set()
                return
            job = decode(message)
            if job is None:  # a nudge: look at the table
                threads.give_back()
                self._nudge.set()
                continue
            threads.pool.submit(self._then_free, threads, self._run_handed, job)

    def _then_free(self, threads: _Threads, run: Callable[[Any], None], job: Any) -> None:
        """In a pool thread: run, then free the thread and let the loop look again."""
        try:
            run(job)
        finally:
            threads.give_back()
            self._nudge.set()

    def _run_handed(self, job: HandedJob) -> None:
        if job.urgent:
            run_handed(self.services, job)
            return
        try:
            job_id = write_job(self.services.engine, self.services.clock(), job,
                               claimed_by=self.worker)
        except Exception:  # the database is away: the job will most likely say so
            log.exception("could not write down a deferred %s job; running it", job.kind)
            run_handed(self.services, job)
            return
        finish(self.services, Claimed(job_id, job.kind, job.payload, job.request_id))

    def _start_waiting_rows(self, threads: _Threads) -> int:
        free = threads.take_free()
        if free <= 0:
            return 0
        try:
            with transaction(self.services.db) as session:
                claimed = claim_jobs(session, self.services.clock(), self.worker, free)
        except Exception:
            threads.give_back(free)
            raise
        threads.give_back(free - len(claimed))
        for job in claimed:
            threads.pool.submit(self._then_free, threads, partial(finish, self.services), job)
        return len(claimed)
