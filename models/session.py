"""Engine and session factory: one session, one transaction, per user action."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "interview_bot_read_only"  # the execution option `reading` sets
_WRITING = "interview_bot_holds_write_lock"


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    # Several threads (Bolt's listener pool, the scheduler) share the file: WAL lets readers
    # run beside a writer, the busy timeout makes writers queue instead of failing, and
    # "BEGIN IMMEDIATE" takes the write lock up front so two transactions cannot deadlock
    # upgrading their read locks. A read-only transaction (see `reading`) begins deferred:
    # it never waits for the write lock, so a check before an ack does not queue behind
    # the writes of requests already answered.
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
    if make_url(url).database in (None, "", ":memory:"):
        raise ValueError("use a SQLite file, not an in-memory database: threads share it")
    engine = create_engine(url, **kwargs)
    writer = _WriterLock(str(make_url(url).database))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event drive BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        writer.acquire()
        connection.info[_WRITING] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _done_writing(connection.info)
            raise

    def _done_writing(info: dict[str, Any]) -> None:
        if info.pop(_WRITING, False):
            writer.release()

    # Released as the transaction ends, or, should it never end cleanly, when the pool
    # takes the connection back.
    event.listen(engine, "commit", lambda connection: _done_writing(connection.info))
    event.listen(engine, "rollback", lambda connection: _done_writing(connection.info))
    event.listen(engine.pool, "checkin", lambda _dbapi, record: _done_writing(record.info))
    return engine


class _WriterLock:
    """One SQLite writer at a time, across the threads of a process (a lock) and across the
    processes of a server (an exclusive flock on a file beside the database): a writer
    waiting for it goes the moment it is free. Left to SQLite's busy handler, a waiter
    sleeps 1, 2, 5 ... 100 ms between tries while the database may long be free again: in a
    burst of 50 scorecards a write waited up to a second (benchmarks/RESULTS.md)."""

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._file = os.open(database + ".writer", os.O_RDWR | os.O_CREAT, 0o600) \
            if fcntl is not None else None

    def acquire(self) -> None:
        self._threads.acquire()
        if self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            except OSError:
                self._threads.release()
                raise

    def release(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back as a whole on error."""
    with factory.begin() as session:
        yield session


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Only reads. On SQLite, one transaction (one snapshot) that does not take the write
    lock. On PostgreSQL, each statement on its own, in autocommit: at READ COMMITTED a
    statement sees what was committed when it began either way, and BEGIN and COMMIT cost
    two round trips, a third of those of the check before a scorecard's ack. The session
    ends with a commit, not a rollback: a rollback would expire the loaded objects."""
    with factory.begin() as session:
        options: dict[str, Any] = {READ_ONLY: True}
        if session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        session.connection(execution_options=options)
        yield session
