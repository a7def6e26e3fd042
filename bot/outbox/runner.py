"""Performing the outbox: the side effects that changes recorded (bot/outbox/record.py),
after the commit and the ack.

Once committed, and once the listener has acked, this process performs them at once, in
its own small pool (never in a thread that acks); the scheduler's sweep performs whatever
is still pending: rows left by a crash or a Slack error, and refreshes that wait for a
burst to settle.

Each row is claimed before it is performed (models/claims.py: SKIP LOCKED on PostgreSQL),
with a lease: two processes never perform it at once, and a row whose process died mid-way
is taken again when the lease runs out. A row is deleted once performed, so a side effect
is repeated only if a process dies between Slack's answer and that delete. Rows with the
same fold key are interchangeable ("re-render the plan of interview 12"): one performance
does them all.

Slack failures (bot/slack/failures.py): a rate limit, a 5xx or a network error releases the
row with backoff (Retry-After honoured); any other Slack error, or MAX_ATTEMPTS failures,
marks it failed, kept with its error for the operator.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from slack_sdk.errors import SlackApiError
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.backoff import MAX_ATTEMPTS, backoff
from bot.logs import request_id
from bot.metrics import SIDE_EFFECTS
from bot.outbox.record import collecting
from bot.people import PeopleUnavailable
from bot.slack.failures import PermanentError, TransientError, classify
from models import OutboxMessage, OutboxStatus, transaction
from models.claims import claim_rows

log = logging.getLogger(__name__)

OUTBOX_THREADS = 2  # per process; a burst's side effects take turns behind its acks
BATCH_SIZE = 50
# A side effect waits at most this long for the requests this process is answering, so
# that in a burst the acks get the CPU first (benchmarks/RESULTS.md); a refresh, which
# nobody waits for, waits longer.
YIELD_TO_ACKS_SECONDS = 0.5
REFRESH_YIELDS_SECONDS = 3.0
Effect = Callable[[Any, dict[str, Any]], None]  # (services, payload)


class Claimed(NamedTuple):
    ids: tuple[int, ...]  # the row performed, and the rows folded into it
    kind: str
    payload: dict[str, Any]
    request_id: str | None


@dataclass
class Outbox:
    """This process's performer of outbox rows. `services` are passed to the effects
    (bot/performers.py) with a Slack client that does not sleep on rate limits: a 429 releases
    the row with backoff instead of holding a thread."""

    services: Any
    effects: Mapping[str, Effect]
    worker: str
    effects_client: Any = None  # a WebClient without in-process retries (bot/slack_client.py)
    lease: timedelta = timedelta(minutes=2)
    threads: int = OUTBOX_THREADS
    # Called with the due time of a row that waits (a settling refresh): the scheduler
    # sets its alarm by it.
    wake_at: Callable[[datetime], None] | None = None
    # Kinds that re-render what is there already (a plan's progress, an App Home): they
    # yield to acks longest.
    refresh_kinds: frozenset[str] = frozenset()
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _acks: threading.Condition = field(default_factory=threading.Condition, init=False,
                                       repr=False)
    _answering: int = field(default=0, init=False, repr=False)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around each Slack request until its ack is sent (bot/web.py): the side effects
        of this process wait meanwhile, at most YIELD_TO_ACKS_SECONDS each, so that Slack
        calls and rendering never make an ack wait behind them."""
        with self._acks:
            self._answering += 1
        try:
            yield
        finally:
            with self._acks:
                self._answering -= 1
                if not self._answering:
                    self._acks.notify_all()

    def _after_the_acks(self, kind: str) -> None:
        patience = (REFRESH_YIELDS_SECONDS if kind in self.refresh_kinds
                    else YIELD_TO_ACKS_SECONDS)
        with self._acks:
            self._acks.wait_for(lambda: not self._answering, patience)

    @property
    def db(self) -> sessionmaker[Session]:
        return self.services.db

    def clock(self) -> datetime:
        return self.services.clock()

    # --- performing ---------------------------------------------------------------------

    def perform_soon(self, committed: Sequence[tuple[int, datetime]]) -> None:
        """After a commit (and its ack): the rows due now in the pool, the others when the
        scheduler wakes. Never raises: the sweep performs whatever this does not."""
        due = self._due_now(committed)
        if due:
            try:
                self._executor().submit(self.perform, due)
            except RuntimeError:  # shutting down: the next start's sweep performs them
                log.info("outbox rows %s left for the sweep (shutting down)", due)

    def _due_now(self, committed: Sequence[tuple[int, datetime]]) -> list[int]:
        """The ids due now; the scheduler is woken for the others."""
        now = self.clock()
        later = [due_at for _, due_at in committed if due_at > now]
        if later and self.wake_at is not None:
            self.wake_at(min(later))
        return [row_id for row_id, due_at in committed if due_at <= now]

    def perform(self, ids: Sequence[int]) -> int:
        """Claim these rows (those still due and free) and perform them; how many."""
        try:
            with transaction(self.db) as session:
                claimed = self._claim(session, [OutboxMessage.id.in_(list(ids))], len(ids))
        except Exception:  # the database is away: the sweep tries again
            log.exception("could not claim outbox rows %s", list(ids))
            return 0
        self._perform_all(claimed)
        return len(claimed)

    def perform_due(self, limit: int = BATCH_SIZE) -> int:
        """Claim up to `limit` due rows, oldest first, and perform them; how many."""
        with transaction(self.db) as session:
            claimed = self._claim(session, [], limit)
        self._perform_all(claimed)
        return len(claimed)

    def _perform_all(self, claimed: Sequence[Claimed]) -> None:
        """Each in turn. A re-render done is deleted with the batch's others (one commit,
        not one each: doing one again after a crash repeats nothing anyone notices); any
        other row at once, so that a crash repeats it only if it died in between."""
        rendered: list[Claimed] = []
        try:
            for item in claimed:
                self._perform(item, rendered if item.kind in self.refresh_kinds else None)
        finally:
            if rendered:
                self._done(*rendered)

    def _perform(self, item: Claimed, done: list[Claimed] | None = None) -> None:
        self._after_the_acks(item.kind)
        effect = self.effects.get(item.kind)
        token = request_id.set(item.request_id)
        try:
            if effect is None:
                raise PermanentError(f"no effect called {item.kind!r}")
            with collecting() as follow_ups:
                effect(self._effect_services(), item.payload)
        except SlackApiError as error:
            self._failed(item, classify(error))
        except (TransientError, PermanentError) as error:
            self._failed(item, error)
        except PeopleUnavailable as error:  # Slack did not answer a lookup: it may next time
            self._failed(item, TransientError(f"people: {error}"))
        except OSError as error:  # connection refused or reset, timeouts
            self._failed(item, TransientError(f"network: {error}"))
        except Exception as error:  # a bug: retried a few times, then kept as failed
            log.exception("outbox %s %s failed", item.kind, item.ids)
            self._failed(item, TransientError(f"{type(error).__name__}: {error}"))
        else:
            if done is None:
                self._done(item)
            else:
                done.append(item)
            SIDE_EFFECTS.labels(item.kind, "done").inc()
            if due := self._due_now(follow_ups):  # what performing it stored, in turn
                self.perform(due)
        finally:
            request_id.reset(token)

    # --- claiming and recording ---------------------------------------------------------

    def _claim(self, session: Session, where: list[Any], limit: int) -> list[Claimed]:
        now = self.clock()
        claim = {"claimed_by": self.worker, "claimed_until": now + self.lease}
        free = [OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.claimed_until.is_(None) | (OutboxMessage.claimed_until < now)]
        ids = claim_rows(session, OutboxMessage, [*where, *free, OutboxMessage.due_at <= now],
                         (OutboxMessage.due_at, OutboxMessage.id), limit, claim)
        if not ids:
            return []
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.payload,
                   OutboxMessage.fold_key, OutboxMessage.request_id)
            .where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)).all()
        keys = {row.fold_key for row in rows if row.fold_key}
        folded: dict[str, list[int]] = {str(key): [] for key in keys}
        if keys:
            # Rows saying the same thing, due later or not: one performance after this
            # claim reads everything they were written for.
            also = claim_rows(session, OutboxMessage, [OutboxMessage.fold_key.in_(keys), *free],
                              (OutboxMessage.id,), BATCH_SIZE * len(keys), claim)
            for row_id, key in session.execute(select(OutboxMessage.id, OutboxMessage.fold_key)
                                               .where(OutboxMessage.id.in_(also))):
                folded[key].append(row_id)
        claimed: list[Claimed] = []
        for row in rows:
            if row.fold_key is None:
                claimed.append(Claimed((row.id,), row.kind, row.payload, row.request_id))
            elif row.fold_key in folded:  # the first row of its key stands for them all
                same = [int(r.id) for r in rows if r.fold_key == row.fold_key]
                merged = tuple(dict.fromkeys([*same, *folded.pop(row.fold_key)]))
                claimed.append(Claimed(merged, row.kind, row.payload, row.request_id))
        return claimed

    def _done(self, *items: Claimed) -> None:
        ids = [row_id for item in items for row_id in item.ids]
        try:
            with transaction(self.db) as session:
                session.execute(delete(OutboxMessage).where(
                    OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == self.worker))
        except Exception:  # performed but not recorded: it may be performed once more
            log.exception("outbox %s performed but not recorded",
                          [(item.kind, item.ids) for item in items])

    def _failed(self, item: Claimed, error: TransientError | PermanentError) -> None:
        reason = error.reason if isinstance(error, TransientError) else str(error)
        now = self.clock()
        try:
            with transaction(self.db) as session:
                attempts = session.scalar(select(func.max(OutboxMessage.attempts))
                                          .where(OutboxMessage.id.in_(item.ids))) or 0
                mine = [OutboxMessage.id.in_(item.ids), OutboxMessage.claimed_by == self.worker]
                if isinstance(error, TransientError) and attempts + 1 < MAX_ATTEMPTS:
                    # Still pending; the claim now doubles as the backoff.
                    wait = backoff(attempts + 1, error.retry_after)
                    session.execute(update(OutboxMessage).where(*mine).values(
                        attempts=attempts + 1, last_error=reason[:2000],
                        claimed_until=now + wait))
                    log.info("outbox %s %s: %s; retrying in %s", item.kind, item.ids, reason,
                             wait)
                    SIDE_EFFECTS.labels(item.kind, "retry").inc()
                    if self.wake_at is not None:
                        self.wake_at(now + wait)
                    return
                session.execute(update(OutboxMessage).where(*mine).values(
                    attempts=attempts + 1, last_error=reason[:2000], claimed_until=None,
                    status=OutboxStatus.FAILED))
                log.warning("outbox %s %s failed for good: %s", item.kind, item.ids, reason)
                SIDE_EFFECTS.labels(item.kind, "failed").inc()
        except Exception:  # the lease runs out and the row is tried again
            log.exception("outbox %s %s: could not record the failure", item.kind, item.ids)

    # --- the scheduler's view -----------------------------------------------------------

    def next_due(self, session: Session) -> datetime | None:
        """When the next pending row can be performed (its due time, or its claim's end)."""
        row = session.execute(
            select(OutboxMessage.due_at, OutboxMessage.claimed_until)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(case((OutboxMessage.claimed_until > OutboxMessage.due_at,
                            OutboxMessage.claimed_until), else_=OutboxMessage.due_at))
            .limit(1)).first()
        if row is None:
            return None
        return max(row.due_at, row.claimed_until) if row.claimed_until else row.due_at

    def _effect_services(self) -> Any:
        if self.effects_client is None:
            return self.services
        return dataclasses.replace(self.services, client=self.effects_client)

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="outbox")
            return self._pool

    def shutdown(self, wait: bool = True) -> None:
        """Finish what is being performed (with `wait`); what is queued stays in the table."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

