"""Shared fixtures: a database per backend, the local Slack fake, and the app served over
real HTTP with signed requests coming in, the way Slack talks to it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.app import build_services, create_app, stop_services
from bot.demo.slack_fake import FakeSlack, SlackSimulator
from bot.migrate import upgrade
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.web import make_wsgi_app, start_http_server
from models import Base, create_db_engine

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0001"
CHANNEL = "C0001"
PRIVATE_CHANNEL = "G0001"
RECRUITER, LEAD, PIA, PEETER, MARI, OUTSIDER = (
    "URECRUITER", "ULEAD", "UPIA", "UPEETER", "UMARI", "UOUTSIDER")

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the migrated file (much faster than migrating)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@contextmanager
def scratch_postgres_database(base_url: str, suffix: str) -> Iterator[str]:
    """A new, empty database beside TEST_DATABASE_URL's, dropped afterwards: test runs
    (and servers under test) never share tables with another run on the same server."""
    import psycopg

    parsed = make_url(base_url)
    name = f"{parsed.database}_{suffix}_{os.getpid()}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "run") as url:
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def _postgres_engine(_postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(_postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    engine: Engine = request.getfixturevalue("_postgres_engine")
    _truncate(engine)
    yield request.getfixturevalue("_postgres_url")


def _truncate(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


class Clock:
    """Real time plus an offset a test can move, so "an hour after the interview" needs no
    sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> datetime:
        self.offset += timedelta(**delta)
        return self()


@dataclass
class World:
    """The app under test, the Slack it talks to, and the people in that Slack."""

    fake: FakeSlack
    slack: SlackSimulator
    services: Services
    clock: Clock
    url: str


def make_settings(fake: FakeSlack, database_url: str, **overrides: str) -> Settings:
    environ = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        # Refreshes at once: tests wait for them, and half a second each adds up to a
        # minute over the suite (tests/e2e/test_scorecards.py measures the settling).
        "REFRESH_SETTLE_SECONDS": "0",
        **overrides,
    }
    return load_settings(environ, env_file=None)


def populate(fake: FakeSlack) -> None:
    fake.add_user(RECRUITER, name="rita", real_name="Rita Recruiter", tz="Europe/Tallinn")
    fake.add_user(LEAD, name="lauri", real_name="Lauri Lead", tz="Europe/Helsinki")
    fake.add_user(PIA, name="pia", real_name="Pia Panel", tz="Europe/Tallinn")
    fake.add_user(PEETER, name="peeter", real_name="Peeter Panel", tz="America/New_York")
    fake.add_user(MARI, name="mari", real_name="Mari Panel", tz="Asia/Tokyo")
    fake.add_user(OUTSIDER, name="olle", real_name="Olle Outsider")
    fake.add_user("UBOTUSER", name="somebot", is_bot=True)
    fake.add_user("UGONE", name="gone", deleted=True)
    fake.add_channel(CHANNEL, name="hiring", members=[RECRUITER, LEAD, PIA, PEETER, MARI])
    fake.add_channel("C0002", name="hiring-public", members=[RECRUITER], bot_is_member=False)
    fake.add_channel(PRIVATE_CHANNEL, name="secret-hiring", is_private=True,
                     members=[RECRUITER, LEAD], bot_is_member=False)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM, bot_token=BOT_TOKEN) as fake:
        populate(fake)
        yield fake


@pytest.fixture
def world(fake: FakeSlack, database_url: str, request: pytest.FixtureRequest) -> Iterator[World]:
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    settings = make_settings(fake, database_url, **overrides)
    services = build_services(settings)
    clock = Clock()
    services.clock = clock
    app = create_app(services)
    wsgi = make_wsgi_app(app, services.engine, SIGNING_SECRET,
                         answering=services.side_effects.answering)
    server, _ = start_http_server(wsgi, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    slack = SlackSimulator(url, SIGNING_SECRET, fake, team_id=TEAM)
    try:
        yield World(fake=fake, slack=slack, services=services, clock=clock, url=url)
    finally:
        server.shutdown()
        server.server_close()
        # Listeners and side effects must not outlive the test's Slack fake and database.
        stop_services(services)


@pytest.fixture
def serving(fake: FakeSlack, tmp_path: Path) -> Iterator[Any]:
    """Start servers as subprocesses (tests/serving.py); every one still running is
    stopped when the test ends."""
    from tests.serving import Served, spawn

    started: list[Served] = []

    def start(database_url: str, *, command: str = "serve", workers: int = 1,
              name: str = "serve", log_level: str = "INFO", wait: bool = True,
              **settings: str) -> Served:
        served = spawn(fake, database_url, tmp_path / f"{name}.log", command=command,
                       workers=workers, log_level=log_level, **settings)
        started.append(served)
        if wait:
            served.wait_healthy()
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**env): extra settings for the world fixture")
