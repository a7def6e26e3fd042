"""Alembic environment. Run through `interview-bot migrate` (bot/migrate.py), which passes
the connection in, so the advisory lock and the migration share one connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import models

config = context.config
target_metadata = models.Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = models.create_db_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        run_with(conn)


run_migrations_online()
