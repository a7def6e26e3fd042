"""Question-set versions: one row per distinct document and owner, numbered per set."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from models import (
    QuestionSetStatus,
    QuestionSetVersion,
    make_session_factory,
    store_version,
    transaction,
)
from models.question_set import content_hash

TEAM, OTHER = "T0001", "T0002"


def document(description: str, language: str = "en") -> dict[str, Any]:
    return {"id": "support", "language": language, "name": "Support",
            "description": description, "scale": [], "categories": []}


def test_a_document_is_stored_once_per_owner_and_numbered_per_set(engine: Engine) -> None:
    db = make_session_factory(engine)
    with transaction(db) as session:
        first = store_version(session, document("v1"))
        again = store_version(session, dict(reversed(list(document("v1").items()))))
        estonian = store_version(session, document("v1", "et"))
        second = store_version(session, document("v2"))
        # A workspace's own copy of the same text is its own version 1, kept as a draft
        # until published; storing it again finds it, whatever its status.
        draft = store_version(session, document("v1"), team_id=TEAM, created_by="UREC",
                              status=QuestionSetStatus.DRAFT)
        assert store_version(session, document("v1"), team_id=TEAM) is draft
        theirs = store_version(session, document("v1"), team_id=OTHER)
    assert again is first
    assert [(v.team_id, v.language, v.version, v.status) for v in (
        first, estonian, second, draft, theirs)] == [
        (None, "en", 1, "published"), (None, "et", 1, "published"),
        (None, "en", 2, "published"), (TEAM, "en", 1, "draft"), (OTHER, "en", 1, "published")]
    assert first.content_hash == content_hash(document("v1")) != second.content_hash
    with transaction(db) as session:
        assert session.scalar(select(QuestionSetVersion.document).where(
            QuestionSetVersion.id == first.id)) == document("v1")


def test_two_processes_storing_one_new_document_share_one_row(
        engine: Engine, database_url: str) -> None:
    """PostgreSQL lets two transactions look for the document at once: the second waits
    on the unique index for the first's commit, then takes the first's row."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns from BEGIN")
    db = make_session_factory(engine)
    found: list[int] = []
    with transaction(db) as session:
        mine = store_version(session, document("new"))
        session.flush()

        def other() -> None:
            with transaction(db) as theirs:
                found.append(store_version(theirs, document("new")).id)

        thread = threading.Thread(target=other)
        thread.start()
        _wait_until_blocked(engine)
    thread.join(10)
    assert found == [mine.id]
    with transaction(db) as session:
        assert len(session.scalars(select(QuestionSetVersion)).all()) == 1


def _wait_until_blocked(engine: Engine) -> None:
    """Until another connection waits on a lock (the other transaction's INSERT)."""
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"))
            connection.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the other transaction never waited")
