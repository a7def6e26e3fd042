"""The alarm clock for reminders and the outbox: APScheduler 3 in memory, in UTC.

The rows in the database are the truth (reminders, outbox rows); this only wakes the
process. Two jobs:
- a sweep every REMINDER_SWEEP_SECONDS, which catches anything the alarm missed (rows
  written by another process, a lease that expired, a backoff that ended, side effects a
  crash left pending);
- an "alarm": a one-shot job re-armed to the next due row after every run, whenever
  services.reminders_changed() is called, and when a side effect is put off (a refresh
  settling, a backoff).
Both send due reminders (bot.reminders.service.process_due) and perform due outbox rows
(bot.outbox.runner), each claimed before it is sent, so several processes (or an alarm and a
sweep at once) never send one twice. Job functions take only the worker id, a plain
string: nothing is pickled, nothing can be lost to a job store that cannot unpickle it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from bot.outbox.record import collecting
from bot.reminders.publish import process_due
from bot.reminders.service import BATCH_SIZE, next_due_at, worker_id
from bot.services import Services
from models import transaction

log = logging.getLogger(__name__)

SWEEP_JOB = "reminders-sweep"
ALARM_JOB = "reminders-alarm"
RETENTION_JOB = "retention-sweep"

# The running schedulers of this process, by worker id: what the job functions look up.
_RUNNING: dict[str, ReminderScheduler] = {}
_RUNNING_LOCK = threading.Lock()


def run_reminders(worker: str) -> None:
    """The job function of both jobs: send what is due for this worker's services."""
    with _RUNNING_LOCK:
        scheduler = _RUNNING.get(worker)
    if scheduler is not None:
        scheduler.run_due()


def run_retention(worker: str) -> None:
    """The daily DATA_RETENTION_DAYS job: delete candidate data older than the period."""
    with _RUNNING_LOCK:
        scheduler = _RUNNING.get(worker)
    if scheduler is None:
        return
    from bot.lifecycle.service import retention_sweep

    try:
        retention_sweep(scheduler.services)
    except Exception:  # the database is down, say: tomorrow's run tries again
        log.exception("Retention sweep failed")


def start_scheduler(services: Services) -> ReminderScheduler:
    """The alarm clock of this process, started: anything that fell due while it was down
    goes out now. Stop it with `shutdown()` (which waits for a reminder being sent)."""
    scheduler = ReminderScheduler(services)
    scheduler.start()
    return scheduler


class ReminderScheduler:
    def __init__(self, services: Services, worker: str | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        self.services = services
        self.worker = worker or worker_id()
        self.batch_size = batch_size  # rows claimed at a time
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            # Late is fine (the rows say what is due), twice in a row is pointless.
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._run_lock = threading.Lock()  # one process_due at a time in this process
        self._arm_lock = threading.Lock()  # the freshest read of the next due time wins
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self) -> None:
        with _RUNNING_LOCK:
            _RUNNING[self.worker] = self
        self.services.on_reminders_changed.append(self.rearm)
        self.services.side_effects.wake_at = self.wake_at
        self._scheduler.add_job(
            run_reminders, "interval", args=[self.worker], id=SWEEP_JOB,
            seconds=self.services.settings.reminder_sweep_seconds,
        )
        if self.services.settings.data_retention_days:
            # Daily, and once at start (a bot restarted every night still sweeps).
            self._scheduler.add_job(run_retention, "interval", args=[self.worker],
                                    id=RETENTION_JOB, days=1, next_run_time=datetime.now(UTC))
        self._scheduler.start()
        # Anything that fell due while the bot was down goes out now.
        self._arm(datetime.now(UTC))
        log.info("Reminder scheduler started (worker %s)", self.worker)

    def shutdown(self, wait: bool = True) -> None:
        if self.rearm in self.services.on_reminders_changed:
            self.services.on_reminders_changed.remove(self.rearm)
        if self.services.side_effects.wake_at == self.wake_at:
            self.services.side_effects.wake_at = None
        with _RUNNING_LOCK:
            _RUNNING.pop(self.worker, None)
        # APScheduler's shutdown holds its job store lock while it waits for running jobs:
        # a job re-arming the alarm then would deadlock. After this flag none does.
        with self._arm_lock:
            self._stopping = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        log.info("Reminder scheduler stopped (worker %s)", self.worker)

    def run_due(self) -> None:
        """Send due reminders and perform due side effects in batches until none is left,
        then re-arm the alarm."""
        outbox = self.services.side_effects
        try:
            with self._run_lock:
                while True:
                    with collecting() as committed:  # what sending a reminder implies
                        sent = len(process_due(self.services, self.services.clock(),
                                               self.worker, self.batch_size))
                    outbox.perform_soon(committed)
                    performed = outbox.perform_due(self.batch_size)
                    if sent < self.batch_size and performed < self.batch_size:
                        break
        except Exception:
            # The database is unreachable, say: no alarm loop, the sweep tries again.
            log.exception("Sending due reminders failed; the next sweep tries again")
            return
        self.rearm()

    def rearm(self) -> None:
        """Set the alarm to the next due row (services.reminders_changed() calls this)."""
        try:
            with self._arm_lock:
                if self._stopping or not self._scheduler.running:
                    return
                with transaction(self.services.db) as session:
                    due = [at for at in (next_due_at(session),
                                         self.services.side_effects.next_due(session))
                           if at is not None]
                if not due:
                    self._disarm()
                    return
                self._arm(self._wall_clock(min(due)))
        except Exception:
            log.exception("Could not re-arm the reminder alarm; the sweep still runs")

    def wake_at(self, at: datetime) -> None:
        """Ring no later than `at` (the app's clock): a side effect put off until then."""
        with self._arm_lock:
            if self._stopping or not self._scheduler.running:
                return
            wall = max(self._wall_clock(at), datetime.now(UTC))
            current = self.next_alarm()
            if current is None or wall < current:
                self._arm(wall)

    def _wall_clock(self, at: datetime) -> datetime:
        # The app's clock may run ahead of the wall clock (tests, the demo): APScheduler
        # waits in wall-clock time.
        return at - (self.services.clock() - datetime.now(UTC))

    def next_alarm(self) -> datetime | None:
        job = self._scheduler.get_job(ALARM_JOB)
        return job.next_run_time if job is not None else None

    def _arm(self, at: datetime) -> None:
        at = max(at, datetime.now(UTC))
        # A few instances may overlap (an alarm re-armed to "now" by a running one);
        # _run_lock serialises them.
        self._scheduler.add_job(run_reminders, "date", args=[self.worker], id=ALARM_JOB,
                                run_date=at, replace_existing=True, max_instances=3)

    def _disarm(self) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(ALARM_JOB)
