"""The migrated schema is exactly what the models declare, and upgrades keep the data."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect, select, text

from bot.app import build_services
from bot.core.question_sets import QuestionSetLibrary
from bot.demo.slack_fake import FakeSlack
from bot.interviews import question_set_of
from bot.migrate import alembic_config, is_up_to_date, upgrade
from bot.services import Services
from models import (
    Base,
    Candidate,
    DebriefStats,
    Interview,
    OutboxMessage,
    Panelist,
    PanelistStats,
    PostedKind,
    PostedMessage,
    ScorecardVersion,
    create_db_engine,
    store_version,
    transaction,
)
from models.question_set import content_hash
from tests.conftest import PEETER, PIA, TEAM, make_settings, scratch_postgres_database
from tests.factories import perform_side_effects


def _migrate(config: Config, engine: Engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database to `revision` on one connection."""
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        connection.commit()


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert is_up_to_date(engine)


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "migrate") as url:
        yield url


def test_a_scorecard_the_old_hand_off_held_is_stored_after_the_upgrade(
        fake: FakeSlack, empty_database: str) -> None:
    """0004 drops deferred_jobs: a scorecard acked but not yet stored there becomes an
    outbox row that stores and confirms it."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0003")
        interview_id = _interview_at_0003(services)
        answers = {"ratings": {"define-customer-service": "4"}, "category_notes": {},
                   "recommendation": "hire", "takeaways": "Concrete.", "private_note": ""}
        payload = {"team_id": TEAM, "interview_id": interview_id, "user_id": PIA,
                   "view_id": "V-acked", "opened_by": PIA, "answers": answers}
        with services.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO deferred_jobs (kind, payload, urgent, created_at) "
                "VALUES ('scorecard_submitted', :payload, false, :now)"),
                {"payload": json.dumps(payload), "now": datetime.now(UTC)})
        upgrade(services.engine)
        with transaction(services.db) as session:
            (row,) = session.scalars(select(OutboxMessage)).all()
            assert (row.kind, row.interview_id) == ("store_acked_scorecard", interview_id)
        assert perform_side_effects(services) >= 1
        with transaction(services.db) as session:
            version = session.scalars(select(ScorecardVersion)).one()
            assert (version.source_view_id, version.takeaways) == ("V-acked", "Concrete.")
        assert [m for m in fake.dms(PIA) if "scorecard" in m["text"].lower()]
    finally:
        services.engine.dispose()


def _interview_at_0003(services: Services) -> int:
    """An interview with Pia on its panel, written with the 0003 schema's columns."""
    qs = services.question_sets.get("customer-service", "en")
    assert qs is not None
    now = datetime.now(UTC)
    with services.engine.begin() as connection:
        interview_id = connection.execute(text(
            "INSERT INTO interviews (team_id, candidate_name, role, question_set_id, language,"
            " question_set, channel_id, recruiter_id, hiring_lead_id, starts_at, ends_at,"
            " debrief_at, status, created_at) VALUES (:team, 'Mari', 'Agent', :qs, 'en',"
            " :snapshot, 'C0001', 'URECRUITER', 'ULEAD', :start, :end, :debrief,"
            " 'scheduled', :now) RETURNING id"),
            {"team": TEAM, "qs": qs.id, "snapshot": json.dumps(qs.to_snapshot()),
             "start": now - timedelta(hours=2), "end": now - timedelta(hours=1),
             "debrief": now + timedelta(days=1), "now": now}).scalar_one()
        connection.execute(text(
            "INSERT INTO panelists (interview_id, user_id, position, focus_categories,"
            " added_at) VALUES (:id, :user, 0, :focus, :now)"),
            {"id": interview_id, "user": PIA, "focus": json.dumps(["customer-service"]),
             "now": now})
    return int(interview_id)


def test_every_row_survives_the_move_to_candidates(fake: FakeSlack,
                                                   empty_database: str) -> None:
    """0005: every interview becomes round 1 of its own candidate (same number), the
    candidate takes its name, role and link; every other row of every table is unchanged,
    and the app reads the result."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0004")
        _fill_at_0004(services.engine)
        before = _all_rows(services.engine)
        _migrate(config, services.engine, "0005")
        after = _all_rows(services.engine)

        moved = ("candidate_name", "role", "candidate_link")
        for table, rows in before.items():
            if table in ("interviews", "alembic_version"):
                continue
            assert after[table] == rows, table
        assert [{k: v for k, v in row.items() if k not in moved} | {
            "candidate_id": row["id"], "round_number": 1} for row in before["interviews"]
        ] == after["interviews"]
        assert [{"id": row["id"], "team_id": row["team_id"], "name": row["candidate_name"],
                 "role": row["role"], "link": row["candidate_link"],
                 "recruiter_id": row["recruiter_id"], "created_at": row["created_at"],
                 "deleted_at": row["deleted_at"], "deleted_by": row["deleted_by"]}
                for row in before["interviews"]] == [
            {k: v for k, v in row.items() if k != "debrief_per_round"}
            for row in after["candidates"]]
        assert not any(row["debrief_per_round"] for row in after["candidates"])

        upgrade(services.engine)
        with transaction(services.db) as session:
            live = session.get_one(Interview, 1)
            assert (live.candidate.name, live.candidate.link) == ("Mari Maasikas",
                                                                  "https://ats.example.com/7")
            assert [p.user_id for p in live.panelists] == [PIA, PEETER]
            assert live.panelists[0].scorecard is not None
            # A new candidate's number follows the migrated ones (PostgreSQL's sequence).
            added = Candidate(team_id=TEAM, name="Next", role="Agent", recruiter_id=PIA)
            session.add(added)
            session.flush()
            assert added.id == 3
    finally:
        services.engine.dispose()



def _all_rows(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of every table as the database returns it, by id."""
    found = {}
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            order = " ORDER BY 1"  # the first column: every table's key
            found[table] = [dict(row._mapping) for row in
                            connection.execute(text(f"SELECT * FROM {table}{order}"))]
    return found


def _fill_at_0004(engine: Engine) -> None:
    """One row or more in every table, as the 0004 schema had them: a live interview
    with a scored panel, a decision, reminders, events, a draft and an outbox row; and a
    deleted one."""
    tables = MetaData()
    tables.reflect(engine)
    now = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    snapshot = {"id": "customer-service", "language": "en", "categories": []}
    interview = {
        "team_id": TEAM, "note": "Bring the CV", "question_set_id": "customer-service",
        "language": "en", "question_set": snapshot, "channel_id": "C0001",
        "plan_ts": "1700000000.000100", "summary_ts": "1700000000.000200",
        "recruiter_id": "URECRUITER", "hiring_lead_id": "ULEAD", "starts_at": now,
        "ends_at": now + timedelta(hours=1), "debrief_at": now + timedelta(days=1),
        "status": "decided", "decision": "hire", "decided_by": "ULEAD",
        "decided_at": now + timedelta(days=1, hours=1), "decision_reason": "Strong STAR",
        "created_at": now - timedelta(days=2), "deleted_at": None, "deleted_by": None,
        "source_view_id": "V-new-1"}
    rows: list[tuple[str, dict[str, object]]] = [
        ("interviews", {**interview, "id": 1, "candidate_name": "Mari Maasikas",
                        "role": "Support agent", "candidate_link": "https://ats.example.com/7"}),
        ("interviews", {**interview, "id": 2, "candidate_name": "[deleted]", "role": "",
                        "candidate_link": None, "note": None, "status": "cancelled",
                        "decision": None, "decided_by": None, "decided_at": None,
                        "decision_reason": None, "deleted_at": now, "deleted_by": "ULEAD",
                        "source_view_id": "V-new-2"}),
        ("panelists", {"id": 1, "interview_id": 1, "user_id": PIA, "position": 0,
                       "focus_categories": ["customer-service"], "added_at": now,
                       "removed_at": None, "kit_channel": "D0001", "kit_ts": "1700.1"}),
        ("panelists", {"id": 2, "interview_id": 1, "user_id": PEETER, "position": 1,
                       "focus_categories": ["behavioural"], "added_at": now,
                       "removed_at": None, "kit_channel": None, "kit_ts": None}),
        ("panelists", {"id": 3, "interview_id": 2, "user_id": PIA, "position": 0,
                       "focus_categories": [], "added_at": now, "removed_at": None,
                       "kit_channel": None, "kit_ts": None}),
        ("scorecards", {"id": 1, "interview_id": 1, "panelist_id": 1, "current_version": 2,
                        "submitted_at": now, "updated_at": now}),
        ("scorecard_versions", {"id": 1, "scorecard_id": 1, "number": 1,
                                "recommendation": "hire", "takeaways": "Good",
                                "private_note": None, "category_notes": {},
                                "created_at": now, "source_view_id": "V-s-1"}),
        ("scorecard_versions", {"id": 2, "scorecard_id": 1, "number": 2,
                                "recommendation": "strong_hire", "takeaways": "Better",
                                "private_note": "Mind the gap",
                                "category_notes": {"customer-service": "STAR"},
                                "created_at": now, "source_view_id": "V-s-2"}),
        ("ratings", {"id": 1, "version_id": 1, "category_id": "customer-service",
                     "question_id": "define-customer-service", "score": 4, "note": None}),
        ("ratings", {"id": 2, "version_id": 2, "category_id": "customer-service",
                     "question_id": "define-customer-service", "score": 5, "note": "Clear"}),
        ("ratings", {"id": 3, "version_id": 2, "category_id": "customer-service",
                     "question_id": "difficult-customer", "score": None, "note": None}),
        ("scorecard_drafts", {"id": 1, "panelist_id": 2, "data": {"takeaways": "Draft"},
                              "updated_at": now}),
        ("decisions", {"id": 1, "interview_id": 1, "outcome": "hire", "reason": "Strong STAR",
                       "decided_by": "ULEAD", "decided_at": now, "source_view_id": "V-d-1"}),
        ("reminders", {"id": 1, "interview_id": 1, "kind": "first", "recipient_id": PEETER,
                       "due_at": now, "status": "sent", "claimed_by": None,
                       "claimed_until": None, "attempts": 1, "last_error": None,
                       "sent_at": now, "created_at": now}),
        ("reminders", {"id": 2, "interview_id": 1, "kind": "debrief", "recipient_id": "C0001",
                       "due_at": now, "status": "skipped", "claimed_by": "host:1:ab",
                       "claimed_until": None, "attempts": 0, "last_error": "decided",
                       "sent_at": None, "created_at": now}),
        ("events", {"id": 1, "team_id": TEAM, "interview_id": 1, "actor_id": "URECRUITER",
                    "kind": "created", "detail": {"panel": [PIA, PEETER]}, "created_at": now}),
        ("events", {"id": 2, "team_id": TEAM, "interview_id": 2, "actor_id": "ULEAD",
                    "kind": "deleted", "detail": {"reason": "request"}, "created_at": now}),
        ("outbox", {"id": 1, "kind": "refresh_home", "payload": {"user_id": PIA},
                    "fold_key": "home:T0001:UPIA", "interview_id": 1, "due_at": now,
                    "status": "failed", "attempts": 5, "last_error": "ratelimited",
                    "request_id": None, "claimed_by": None, "claimed_until": None,
                    "created_at": now}),
    ]
    with engine.begin() as connection:
        for table, row in rows:
            connection.execute(tables.tables[table].insert().values(**row))
    assert {t for t, _ in rows} == set(tables.tables) - {"alembic_version"}
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences on
        with engine.begin() as connection:
            for table in {t for t, _ in rows}:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"))


def test_the_calibration_figures_of_past_interviews_are_filled_in(
        fake: FakeSlack, empty_database: str) -> None:
    """0006 computes every past interview's figures: Pia rated 5 where Peeter rated 3 (on
    both shared questions), 2 hours after the end; the summary went out after both."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0005")
        tables = MetaData()
        tables.reflect(services.engine)
        end = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        snapshot = {"id": "customer-service", "language": "en", "categories": []}
        rows: list[tuple[str, dict[str, object]]] = [
            ("candidates", {"id": 1, "team_id": TEAM, "name": "Mari", "role": "Agent",
                            "link": None, "recruiter_id": "UREC", "debrief_per_round": False,
                            "created_at": end, "deleted_at": None, "deleted_by": None}),
            ("interviews", {"id": 1, "team_id": TEAM, "candidate_id": 1, "round_number": 1,
                            "note": None, "question_set_id": "customer-service",
                            "language": "en", "question_set": snapshot, "channel_id": "C1",
                            "plan_ts": None, "summary_ts": "1.2", "recruiter_id": "UREC",
                            "hiring_lead_id": "ULEAD", "starts_at": end - timedelta(hours=1),
                            "ends_at": end, "debrief_at": end + timedelta(days=1),
                            "status": "debrief", "decision": None, "decided_by": None,
                            "decided_at": None, "decision_reason": None, "created_at": end,
                            "deleted_at": None, "deleted_by": None, "source_view_id": None}),
        ]
        for n, (user, score) in enumerate(((PIA, 5), (PEETER, 3)), start=1):
            rows += [
                ("panelists", {"id": n, "interview_id": 1, "user_id": user, "position": n,
                               "focus_categories": [], "added_at": end, "removed_at": None,
                               "kit_channel": None, "kit_ts": None}),
                ("scorecards", {"id": n, "interview_id": 1, "panelist_id": n,
                                "current_version": 1, "updated_at": end,
                                "submitted_at": end + timedelta(hours=2 * n)}),
                ("scorecard_versions", {"id": n, "scorecard_id": n, "number": 1,
                                        "recommendation": "hire", "takeaways": "-",
                                        "private_note": None, "category_notes": {},
                                        "created_at": end, "source_view_id": None}),
                ("ratings", {"version_id": n, "category_id": "behavioural",
                             "question_id": "hardest-case", "score": score, "note": None}),
                ("ratings", {"version_id": n, "category_id": "behavioural",
                             "question_id": "could-not-help", "score": score, "note": None}),
            ]
        rows.append(("events", {"team_id": TEAM, "interview_id": 1, "actor_id": None,
                                "kind": "debrief_posted", "detail": {},
                                "created_at": end + timedelta(hours=5)}))
        with services.engine.begin() as connection:
            for table, row in rows:
                connection.execute(tables.tables[table].insert().values(**row))
        upgrade(services.engine)
        with transaction(services.db) as session:
            stats = {s.user_id: (s.leniency, s.shared_questions, s.hours_to_scorecard)
                     for s in session.scalars(select(PanelistStats))}
            assert stats == {PIA: (2.0, 2, 2.0), PEETER: (-2.0, 2, 4.0)}
            (debrief,) = session.scalars(select(DebriefStats))
            assert (debrief.interview_id, debrief.complete) == (1, True)
    finally:
        services.engine.dispose()


def test_past_debriefs_get_their_start_and_their_panels_have_seen_them(
        fake: FakeSlack, empty_database: str) -> None:
    """0007: a loop's two rounds, debriefed as one on round 2 (posted at 15:00): both rounds'
    debriefs started then, and both panels saw the summary then; a per-round candidate
    never debriefed keeps none; old versions have no reasons."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0006")
        tables = MetaData()
        tables.reflect(services.engine)
        end = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        posted = end + timedelta(hours=5)
        snapshot = {"id": "customer-service", "language": "en", "categories": []}
        interview = {"team_id": TEAM, "note": None, "question_set_id": "customer-service",
                     "language": "en", "question_set": snapshot, "channel_id": "C1",
                     "plan_ts": None, "summary_ts": None, "recruiter_id": "UREC",
                     "hiring_lead_id": "ULEAD", "starts_at": end - timedelta(hours=1),
                     "ends_at": end, "debrief_at": end + timedelta(days=1),
                     "status": "debrief", "decision": None, "decided_by": None,
                     "decided_at": None, "decision_reason": None, "created_at": end,
                     "deleted_at": None, "deleted_by": None, "source_view_id": None}
        candidate = {"team_id": TEAM, "name": "Mari", "role": "Agent", "link": None,
                     "recruiter_id": "UREC", "created_at": end, "deleted_at": None,
                     "deleted_by": None}
        rows: list[tuple[str, dict[str, object]]] = [
            ("candidates", {**candidate, "id": 1, "debrief_per_round": False}),
            ("candidates", {**candidate, "id": 2, "debrief_per_round": True}),
            ("interviews", {**interview, "id": 1, "candidate_id": 1, "round_number": 1}),
            ("interviews", {**interview, "id": 2, "candidate_id": 1, "round_number": 2,
                            "summary_ts": "1.2"}),
            ("interviews", {**interview, "id": 3, "candidate_id": 2, "round_number": 1,
                            "status": "scheduled"}),
            ("events", {"team_id": TEAM, "interview_id": 2, "actor_id": None,
                        "kind": "debrief_posted", "detail": {}, "created_at": posted}),
        ]
        for n, (interview_id, user) in enumerate(((1, PIA), (2, PEETER), (3, PIA)), start=1):
            rows += [
                ("panelists", {"id": n, "interview_id": interview_id, "user_id": user,
                               "position": 0, "focus_categories": [], "added_at": end,
                               "removed_at": None, "kit_channel": None, "kit_ts": None}),
                ("scorecards", {"id": n, "interview_id": interview_id, "panelist_id": n,
                                "current_version": 1, "updated_at": end, "submitted_at": end}),
                ("scorecard_versions", {"id": n, "scorecard_id": n, "number": 1,
                                        "recommendation": "hire", "takeaways": "-",
                                        "private_note": None, "category_notes": {},
                                        "created_at": end, "source_view_id": None}),
            ]
        with services.engine.begin() as connection:
            for table, row in rows:
                connection.execute(tables.tables[table].insert().values(**row))
        upgrade(services.engine)
        with transaction(services.db) as session:
            started = {i.id: i.debrief_started_at for i in session.scalars(select(Interview))}
            assert started == {1: posted, 2: posted, 3: None}
            seen = {p.id: p.saw_panel_at for p in session.scalars(select(Panelist))}
            assert seen == {1: posted, 2: posted, 3: None}
            assert [v.shift_reasons for v in session.scalars(select(ScorecardVersion))] == [
                None, None, None]
    finally:
        services.engine.dispose()


def test_what_the_database_knew_was_posted_becomes_posted_messages(
        fake: FakeSlack, empty_database: str) -> None:
    """0008 records the live interviews' plan, summary and kits, and every message the
    event log holds a ts of; a deletion still waiting in the outbox gets its messages as
    rows of its candidate and is then performed from them. A deleted interview's messages
    were edited when it was deleted: they are not carried over."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0007")
        tables = MetaData()
        tables.reflect(services.engine)
        at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        snapshot = {"id": "customer-service", "language": "en", "categories": []}
        candidate = {"team_id": TEAM, "role": "Agent", "link": None, "recruiter_id": "UREC",
                     "debrief_per_round": False, "created_at": at, "deleted_by": None}
        interview = {"team_id": TEAM, "round_number": 1, "note": None,
                     "question_set_id": "customer-service", "language": "en",
                     "question_set": snapshot, "channel_id": "C0001", "recruiter_id": "UREC",
                     "hiring_lead_id": "ULEAD", "starts_at": at, "ends_at": at,
                     "debrief_at": at, "status": "debrief", "decision": None,
                     "decided_by": None, "decided_at": None, "decision_reason": None,
                     "created_at": at, "deleted_by": None, "source_view_id": None}
        rows: list[tuple[str, dict[str, object]]] = [
            ("candidates", {**candidate, "id": 1, "name": "Mari", "deleted_at": None}),
            ("candidates", {**candidate, "id": 2, "name": "[deleted]", "deleted_at": at}),
            ("interviews", {**interview, "id": 1, "candidate_id": 1, "plan_ts": "1.1",
                            "summary_ts": "1.2", "deleted_at": None}),
            ("interviews", {**interview, "id": 2, "candidate_id": 2, "plan_ts": "2.1",
                            "summary_ts": None, "deleted_at": at}),
            ("panelists", {"id": 1, "interview_id": 1, "user_id": PIA, "position": 0,
                           "focus_categories": [], "added_at": at, "removed_at": None,
                           "kit_channel": "DUPIA", "kit_ts": "1.3"}),
            ("events", {"team_id": TEAM, "interview_id": 1, "actor_id": None,
                        "kind": "scorecard_confirmed", "created_at": at,
                        "detail": {"channel": "DUPIA", "ts": "1.4"}}),
            ("events", {"team_id": TEAM, "interview_id": 1, "actor_id": None,
                        "kind": "reminder_sent", "created_at": at,
                        "detail": {"reminder": "first", "recipient": PEETER,
                                   "channel": "DUPEETER", "ts": "1.5"}}),
            ("events", {"team_id": TEAM, "interview_id": 1, "actor_id": None,
                        "kind": "debrief_posted", "created_at": at,
                        "detail": {"ts": "1.2", "by": "user"}}),  # the summary, once
            ("events", {"team_id": TEAM, "interview_id": 1, "actor_id": None,
                        "kind": "plan_posted", "created_at": at,
                        "detail": {"channel": "C0001"}}),  # no ts: nothing to record
            ("outbox", {"kind": "erase_messages", "interview_id": 2, "due_at": at,
                        "status": "pending", "attempts": 0, "created_at": at,
                        "payload": {"interview_id": 2, "reply_to": None,
                                    "messages": [["C0001", "2.1"], ["DUPIA", "2.2"]]}}),
        ]
        with services.engine.begin() as connection:
            for table, row in rows:
                connection.execute(tables.tables[table].insert().values(**row))
        upgrade(services.engine)
        fake.dm_channel(PIA)  # the DM exists; its message does not (any more)
        with transaction(services.db) as session:
            posted = session.scalars(select(PostedMessage).order_by(PostedMessage.id)).all()
            assert [(p.candidate_id, p.interview_id, p.kind, p.channel_id, p.ts)
                    for p in posted] == [
                (1, 1, PostedKind.PLAN, "C0001", "1.1"),
                (1, 1, PostedKind.SUMMARY, "C0001", "1.2"),
                (1, 1, PostedKind.KIT, "DUPIA", "1.3"),
                (1, 1, PostedKind.CONFIRMATION, "DUPIA", "1.4"),
                (1, 1, PostedKind.REMINDER, "DUPEETER", "1.5"),
                (2, 2, PostedKind.MESSAGE, "C0001", "2.1"),
                (2, 2, PostedKind.MESSAGE, "DUPIA", "2.2"),
            ]
            (erase,) = session.scalars(select(OutboxMessage)).all()
            assert erase.payload == {"interview_id": 2, "candidate_id": 2, "reply_to": None}
        with services.engine.connect() as connection:  # and back, as 0007's app reads it
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
            connection.commit()
            (payload,) = connection.execute(text("SELECT payload FROM outbox")).scalars()
            payload = json.loads(payload) if isinstance(payload, str) else payload
            assert payload == {"interview_id": 2, "reply_to": None,
                               "messages": [["C0001", "2.1"], ["DUPIA", "2.2"]]}
        upgrade(services.engine)
        assert perform_side_effects(services) == 1  # both messages are gone from this Slack
        with transaction(services.db) as session:
            assert {p.candidate_id for p in session.scalars(select(PostedMessage))} == {1}
    finally:
        services.engine.dispose()


def test_frozen_question_sets_are_stored_once_and_come_back_on_downgrade(
        fake: FakeSlack, empty_database: str) -> None:
    """0009: three interviews on one document and one on another share two version rows
    (a later edit of the first set, used once, is its version 2); every interview reads
    exactly the set it had; nothing else changes; the downgrade gives every row back."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        before_0009 = ScriptDirectory.from_config(config).get_revision("0009").down_revision
        with services.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, str(before_0009))
            connection.commit()
        shipped = services.question_sets.get("customer-service", "en")
        estonian = services.question_sets.get("customer-service", "et")
        assert shipped is not None and estonian is not None
        edited = shipped.to_snapshot() | {"description": "Edited after the first interviews."}
        documents = [shipped.to_snapshot(), estonian.to_snapshot(), shipped.to_snapshot(),
                     edited, shipped.to_snapshot()]
        _fill_with_sets(services.engine, documents)
        before = _all_rows(services.engine)

        _migrate(config, services.engine, "0009")
        after = _all_rows(services.engine)
        for table, rows in before.items():
            if table not in ("interviews", "alembic_version"):
                assert after[table] == rows, table
        versions = after["question_set_versions"]
        assert [(v["id"], v["team_id"], v["set_id"], v["language"], v["version"],
                 v["status"], v["created_by"]) for v in versions] == [
            (1, None, "customer-service", "en", 1, "published", None),
            (2, None, "customer-service", "et", 1, "published", None),
            (3, None, "customer-service", "en", 2, "published", None)]
        assert [v["content_hash"] for v in versions] == [
            content_hash(d) for d in (documents[0], documents[1], edited)]
        assert [row["question_set_version_id"] for row in after["interviews"]] == [
            1, 2, 1, 3, 1]
        assert [{k: v for k, v in row.items() if k != "question_set"}
                for row in before["interviews"]] == [
            {k: v for k, v in row.items() if k != "question_set_version_id"}
            for row in after["interviews"]]

        upgrade(services.engine)  # the app reads it (at head)
        with transaction(services.db) as session:
            for number, document in enumerate(documents, start=1):
                interview = session.get_one(Interview, number)
                assert interview.question_set == document
                assert question_set_of(interview).description == document["description"]
            # A new interview on the shipped set points at the migrated row; a new
            # document takes the set's next number (PostgreSQL's sequence follows too).
            assert store_version(session, shipped.to_snapshot()).id == 1
            newer = store_version(session, edited | {"description": "Third."})
            assert (newer.id, newer.version) == (4, 3)
            session.rollback()

        with services.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, str(before_0009))
            connection.commit()
        assert _all_rows(services.engine) == before
    finally:
        services.engine.dispose()


def _fill_with_sets(engine: Engine, documents: list[dict[str, object]]) -> None:
    """An interview (round n of one candidate) on each document, the last one deleted,
    with a panelist, a scored scorecard, a reminder and an event on the first."""
    tables = MetaData()
    tables.reflect(engine)
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    rows: list[tuple[str, dict[str, object]]] = [
        ("candidates", {"id": 1, "team_id": TEAM, "name": "Mari", "role": "Agent",
                        "link": None, "recruiter_id": "UREC", "debrief_per_round": True,
                        "created_at": start, "deleted_at": None, "deleted_by": None})]
    for n, document in enumerate(documents, start=1):
        rows.append(("interviews", {
            "id": n, "team_id": TEAM, "candidate_id": 1, "round_number": n, "note": None,
            "question_set_id": document["id"], "language": document["language"],
            "question_set": document, "channel_id": "C1", "plan_ts": None,
            "summary_ts": None, "recruiter_id": "UREC", "hiring_lead_id": "ULEAD",
            "starts_at": start + timedelta(days=n), "ends_at": start + timedelta(days=n, hours=1),
            "debrief_at": start + timedelta(days=n + 1), "status": "scheduled",
            "decision": None, "decided_by": None, "decided_at": None, "decision_reason": None,
            "created_at": start + timedelta(minutes=n),
            "deleted_at": start if n == len(documents) else None,
            "deleted_by": "UREC" if n == len(documents) else None, "source_view_id": None}))
    rows += [
        ("panelists", {"id": 1, "interview_id": 1, "user_id": PIA, "position": 0,
                       "focus_categories": ["behavioural"], "added_at": start,
                       "removed_at": None, "kit_channel": None, "kit_ts": None}),
        ("scorecards", {"id": 1, "interview_id": 1, "panelist_id": 1, "current_version": 1,
                        "submitted_at": start, "updated_at": start}),
        ("scorecard_versions", {"id": 1, "scorecard_id": 1, "number": 1,
                                "recommendation": "hire", "takeaways": "Good",
                                "private_note": None, "category_notes": {},
                                "created_at": start, "source_view_id": None}),
        ("ratings", {"id": 1, "version_id": 1, "category_id": "behavioural",
                     "question_id": "hardest-case", "score": 4, "note": None}),
        ("reminders", {"id": 1, "interview_id": 1, "kind": "first", "recipient_id": PIA,
                       "due_at": start, "status": "sent", "claimed_by": None,
                       "claimed_until": None, "attempts": 1, "last_error": None,
                       "sent_at": start, "created_at": start}),
        ("events", {"id": 1, "team_id": TEAM, "interview_id": 1, "actor_id": "UREC",
                    "kind": "created", "detail": {"panel": [PIA]}, "created_at": start}),
    ]
    with engine.begin() as connection:
        for table, row in rows:
            connection.execute(tables.tables[table].insert().values(**row))


def test_questions_per_category_is_added_empty_and_removed_cleanly(
        empty_database: str) -> None:
    """0010: every interview keeps its row, with no number (the set's own core and spare
    marks); the downgrade gives the 0009 rows back exactly."""
    engine = create_db_engine(empty_database)
    try:
        config = alembic_config(empty_database)
        before_0009 = ScriptDirectory.from_config(config).get_revision("0009").down_revision
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, str(before_0009))
            connection.commit()
        shipped = QuestionSetLibrary.load().get("customer-service", "en")
        assert shipped is not None
        _fill_with_sets(engine, [shipped.to_snapshot(), shipped.to_snapshot()])
        _migrate(config, engine, "0009")
        at_0009 = _all_rows(engine)

        _migrate(config, engine, "0010")
        at_0010 = _all_rows(engine)
        assert [row.pop("questions_per_category") for row in at_0010["interviews"]] == [
            None, None]
        assert {k: v for k, v in at_0010.items() if k != "alembic_version"} == {
            k: v for k, v in at_0009.items() if k != "alembic_version"}

        _migrate(config, engine, "0009", down=True)
        assert _all_rows(engine) == at_0009
    finally:
        engine.dispose()


def test_decisions_and_interviews_keep_their_rows_when_the_evidence_columns_come(
        fake: FakeSlack, empty_database: str) -> None:
    """0011 adds a decision's stand against the numbers and the digest of the summary's
    chart: every earlier row keeps its values; an old decision went against nothing, an old
    summary has no chart. Back at 0010, a chart is recorded as a file that app erases."""
    services = build_services(make_settings(fake, empty_database))
    try:
        config = alembic_config(empty_database)
        _migrate(config, services.engine, "0010")
        tables = MetaData()
        tables.reflect(services.engine)
        now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        rows: list[tuple[str, dict[str, object]]] = [
            ("candidates", {"id": 1, "team_id": TEAM, "name": "Mari", "role": "Agent",
                            "link": None, "recruiter_id": "UREC", "debrief_per_round": False,
                            "created_at": now, "deleted_at": None, "deleted_by": None}),
            ("question_set_versions", {"id": 1, "team_id": None, "set_id": "customer-service",
                                       "language": "en", "version": 1, "content_hash": "0" * 64,
                                       "status": "published", "created_at": now,
                                       "document": {"id": "customer-service"},
                                       "created_by": None}),
            ("interviews", {"id": 1, "team_id": TEAM, "candidate_id": 1, "round_number": 1,
                            "note": None, "question_set_id": "customer-service",
                            "language": "en", "question_set_version_id": 1,
                            "questions_per_category": None,
                            "channel_id": "C1", "plan_ts": "1.1", "summary_ts": "1.2",
                            "debrief_started_at": now,
                            "recruiter_id": "UREC", "hiring_lead_id": "ULEAD",
                            "starts_at": now, "ends_at": now, "debrief_at": now,
                            "status": "decided", "decision": "hire", "decided_by": "ULEAD",
                            "decided_at": now, "decision_reason": "Strong", "created_at": now,
                            "deleted_at": None, "deleted_by": None, "source_view_id": None}),
            ("decisions", {"id": 1, "interview_id": 1, "outcome": "hire", "reason": "Strong",
                           "decided_by": "ULEAD", "decided_at": now, "source_view_id": "V1"}),
            ("posted_messages", {"candidate_id": 1, "interview_id": 1,
                                 "kind": "summary", "channel_id": "C1", "ts": "1.2",
                                 "file_id": None, "posted_at": now, "erase_error": None}),
        ]
        with services.engine.begin() as connection:
            for table, row in rows:
                connection.execute(tables.tables[table].insert().values(**row))
        before = _all_rows(services.engine)
        upgrade(services.engine)
        after = _all_rows(services.engine)
        added = {"decisions": {"mechanical": None, "against_mechanical": False,
                               "against_reason": None},
                 "interviews": {"summary_chart_digest": None}}
        for table, found in before.items():
            if table != "alembic_version":
                assert after[table] == [row | added.get(table, {}) for row in found], table
        with transaction(services.db) as session:
            interview = session.get_one(Interview, 1)
            assert [(d.reason, d.against_mechanical) for d in interview.decisions] == [
                ("Strong", False)]
            session.add(PostedMessage(candidate_id=1, interview_id=1, kind=PostedKind.CHART,
                                      channel_id="C1", file_id="F1", posted_at=now))
        with services.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
            connection.commit()
            kinds = connection.execute(text(
                "SELECT kind, file_id FROM posted_messages ORDER BY id")).all()
            assert [tuple(k) for k in kinds] == [("summary", None), ("export_file", "F1")]
    finally:
        services.engine.dispose()
