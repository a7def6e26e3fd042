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
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from bot.app import build_services
from bot.demo.slack_fake import FakeSlack
from bot.migrate import alembic_config, is_up_to_date, upgrade
from bot.services import Services
from models import Base, OutboxMessage, ScorecardVersion, transaction
from tests.conftest import PIA, TEAM, make_settings, scratch_postgres_database
from tests.factories import perform_side_effects


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
        with services.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
            connection.commit()
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
