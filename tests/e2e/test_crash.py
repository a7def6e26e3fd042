"""An acked change is a stored change: the whole server is killed at once (SIGKILL to its
process group, as when its host or container dies) right after Slack got the ack, while
the first thing the change implies at Slack is on its way. After a restart the change is
there and what it implies arrives, once: on SQLite under `run`, and on PostgreSQL under
`serve` with two workers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import build_services
from bot.demo.slack_fake import FakeSlack, SlackSimulator
from bot.i18n import translator
from bot.services import Services
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button
from models import Interview, ScorecardVersion, transaction
from tests.conftest import (
    CHANNEL,
    LEAD,
    MARI,
    PEETER,
    PIA,
    RECRUITER,
    SIGNING_SECRET,
    TEAM,
    make_settings,
    scratch_postgres_database,
)
from tests.factories import make_interview, shipped_set
from tests.serving import Served, sqlite_url

pytestmark = pytest.mark.slow

# A claim left by the dead server runs out quickly, and the new one looks every second.
FAST_RECOVERY = {"CLAIM_LEASE_SECONDS": "2", "REMINDER_SWEEP_SECONDS": "1"}
RECOVERY_TIMEOUT = 20.0


@dataclass
class Setup:
    url: str
    command: str
    workers: int


@pytest.fixture(params=["sqlite-run", "postgresql-serve"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    if request.param == "sqlite-run":
        yield Setup(sqlite_url(tmp_path, "crash.sqlite3"), "run", 1)
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with scratch_postgres_database(base, "crash") as url:
        yield Setup(url, "serve", 2)


@pytest.fixture
def services(fake: FakeSlack, setup: Setup) -> Iterator[Services]:
    """The test's own view of the database the servers share."""
    services = build_services(make_settings(fake, setup.url))
    yield services
    services.engine.dispose()


def start(serving: Any, setup: Setup, name: str) -> Served:
    return serving(setup.url, command=setup.command, workers=setup.workers, name=name,
                   **FAST_RECOVERY)


def crash_while(fake: FakeSlack, served: Served, hold: Any) -> None:
    """Once the held Slack call is on its way, the whole server dies; the call never
    reaches Slack."""
    assert hold.arrived.wait(10), "the side effect never started"
    served.kill()
    hold.release(drop=True)


def test_a_scorecard_acked_before_a_crash_is_stored_and_confirmed_once(
        fake: FakeSlack, serving: Any, setup: Setup, services: Services) -> None:
    served = start(serving, setup, "before")
    interview_id = make_interview(services, panel=(PIA, PEETER))
    t = translator("en")
    plan = services.client.chat_postMessage(
        channel=CHANNEL, text="Interview plan",
        blocks=to_dicts([actions(score_candidate_button(t, interview_id))]))
    slack = SlackSimulator(served.url, SIGNING_SECRET, fake, team_id=TEAM)
    assert slack.click(PIA, "score_candidate", channel=CHANNEL, ts=plan["ts"],
                       value=str(interview_id)).status == 200
    view = fake.wait_for(lambda: fake.view_stack(PIA))[-1]
    qs = shipped_set(services)
    values = {**{f"q:{q.id}": "4" for c in qs.categories for q in c.questions},
              "recommendation": "hire", "takeaways": "Calm, concrete STAR stories."}
    confirmation = fake.hold("chat.postMessage", lambda p: p.get("channel") == PIA)
    ack = slack.submit(PIA, view["id"], values)
    assert ack.status == 200 and not ack.body  # the modal closes: the scorecard is saved
    crash_while(fake, served, confirmation)

    assert versions(services) == 1  # stored before the ack
    assert fake.dms(PIA) == []
    start(serving, setup, "after")

    def confirmations() -> list[dict[str, Any]]:
        return [m for m in fake.dms(PIA) if "scorecard" in m["text"].lower()]

    fake.wait_for(confirmations, timeout=RECOVERY_TIMEOUT)
    time.sleep(1.5)  # time enough for a second one to show
    assert len(confirmations()) == 1
    assert versions(services) == 1


def test_an_interview_acked_before_a_crash_is_stored_and_published_once(
        fake: FakeSlack, serving: Any, setup: Setup, services: Services) -> None:
    served = start(serving, setup, "before")
    slack = SlackSimulator(served.url, SIGNING_SECRET, fake, team_id=TEAM)
    assert slack.command(RECRUITER, "new Mari Maasikas").status == 200
    view = fake.wait_for(lambda: [v for v in fake.view_stack(RECRUITER)
                                  if v["callback_id"] == "new_interview"])[-1]
    plan_post = fake.hold("chat.postMessage", lambda p: p.get("channel") == CHANNEL)
    ack = slack.submit(RECRUITER, view["id"], setup_values())
    assert ack.status == 200 and not ack.body  # the modal closes: the interview is saved
    crash_while(fake, served, plan_post)

    with transaction(services.db) as session:
        interview = session.scalars(select(Interview)).one()
        assert (interview.candidate.name, interview.plan_ts) == ("Mari Maasikas", None)
    start(serving, setup, "after")

    def plans() -> list[dict[str, Any]]:
        return [m for m in fake.messages(CHANNEL) if "Interview plan" in m["text"]]

    fake.wait_for(plans, timeout=RECOVERY_TIMEOUT)
    fake.wait_for(lambda: all(kits(fake, user) for user in (PIA, PEETER, MARI)),
                  timeout=RECOVERY_TIMEOUT)
    fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER) if "is set up" in e["text"]],
                  timeout=RECOVERY_TIMEOUT)
    time.sleep(1.5)
    assert len(plans()) == 1
    assert all(len(kits(fake, user)) == 1 for user in (PIA, PEETER, MARI))
    with transaction(services.db) as session:
        assert session.scalars(select(Interview.plan_ts)).one() == plans()[0]["ts"]


def versions(services: Services) -> int:
    with transaction(services.db) as session:
        return int(session.scalar(select(func.count()).select_from(ScorecardVersion)) or 0)


def kits(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in fake.dms(user) if "interview kit" in m["text"]
            and m["thread_ts"] is None]


def setup_values() -> dict[str, Any]:
    def at(**delta: float) -> int:
        moment = datetime.now(UTC) + timedelta(**delta)
        return int(moment.replace(second=0, microsecond=0).timestamp())

    return {"role": "Customer support agent", "question_set": "customer-service:en",
            "panel": [PIA, PEETER, MARI], "hiring_lead": LEAD, "starts_at": at(days=2),
            "length": "60", "debrief_at": at(days=3)}
