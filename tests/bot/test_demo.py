"""`interview-bot demo`: the newcomer's first command plays a whole interview against the local
Slack stand-in, through the app's real HTTP endpoint, and exits 0 only when every step did."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.demo.play import DemoOptions, run_demo
from bot.demo.slack_fake import FakeSlack
from models import (
    Interview,
    InterviewStatus,
    Scorecard,
    create_db_engine,
    make_session_factory,
    transaction,
)

ROOT = Path(__file__).resolve().parents[2]
STEPS = [f"━━ {n}/9 " for n in range(1, 10)]


def test_the_command_plays_the_whole_interview_on_a_fresh_machine(tmp_path: Path) -> None:
    """As `make demo` runs it: a subprocess, no .env worth the name, no Slack settings."""
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-token\nDATABASE_URL=nonsense\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DATABASE_URL", "QUESTION_SETS_DIR"))}
    env.update({"PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
    done = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr

    positions = [out.index(step) for step in STEPS]
    assert positions == sorted(positions)  # every step, in order
    assert out.count("   ✓ ") == 9
    assert "\x1b[" not in out  # not a terminal: plain text

    # What the app sent, rendered: the modal, the plan, a kit, the reminder, the summary...
    assert "┏━ New interview · modal for @Rita Rebane, as submitted" in out
    assert "Panelists: [@Pia Põld, @Peeter Park, @Aiko Tanaka]" in out
    assert "│ Interview plan: Mari Maasikas" in out
    assert "┌─ DM to @Pia Põld (Europe/Tallinn) · interview-bot" in out
    assert "│ Your interview kit: Mari Maasikas" in out
    assert "┌─ DM to @Aiko Tanaka (Asia/Tokyo) · interview-bot" in out  # the reminder
    assert "│ Debrief: Mari Maasikas · Customer support agent" in out
    agenda = re.findall(r"│ (\d)\. (.+?)  +(Split|Consensus|Mixed)", out)
    assert agenda[0] == ("1", "Behavioural questions", "Split")
    assert ("Customer service questions", "Consensus") in [(a[1], a[2]) for a in agenda]
    assert "1 of 2 rated high: @Pia Põld 5.0 · 1 of 2 rated low: @Peeter Park 2.0" in out
    assert "Across all questions, the panel does not agree on where the candidate" in out
    assert "“You moved “Behavioural questions” from 2.0 to 4.0: say why in one line.”" in out
    assert "@Peeter Park 2.0 → 4.0 (“Pia's billing-outage story was the concrete STAR" in out
    assert "│ Decision recorded by @Lauri Lepik: Hire." in out
    assert out.rstrip().splitlines()[-1].startswith("Demo finished: every step succeeded.")

    # Nothing left behind: the temporary database is gone.
    database = re.search(r"database  sqlite:///(\S+)", out)
    assert database is not None
    assert not Path(database.group(1)).exists()
    assert not Path(database.group(1)).parent.exists()


def test_in_estonian_with_a_database_that_is_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    out = io.StringIO()
    assert run_demo(DemoOptions(language="et", database_url=url), out) == 0, out.getvalue()
    text = out.getvalue()
    # Slack content comes from the app in the set's language; the narration stays English.
    assert "Käitumuslikud küsimused" in text and "Kindlasti palgata" in text
    assert "[Klienditeenindaja]" in text
    assert "1. Käitumuslikud küsimused" in text
    assert text.rstrip().splitlines()[-1].startswith("Demo finished: every step succeeded.")
    assert f"the database is kept at {url}" in text

    engine = create_db_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            interview = session.scalars(select(Interview)).one()
            assert (interview.language, interview.status, str(interview.decision)) == (
                "et", InterviewStatus.DECIDED, "hire")
            assert session.scalar(select(func.count()).select_from(Scorecard)) == 3
    finally:
        engine.dispose()

    # A second run on the same database plays a second interview beside the first.
    again = io.StringIO()
    assert run_demo(DemoOptions(language="et", database_url=url), again) == 0, again.getvalue()


def test_a_failing_step_stops_the_demo_with_exit_1_and_names_the_step() -> None:
    def break_the_plan(fake: FakeSlack) -> None:
        fake.fail_next("chat.postMessage", "is_archived", status=200)  # the plan

    out = io.StringIO()
    options = DemoOptions(quiet=True, timeout=10.0)
    assert run_demo(options, out, prepare=break_the_plan) == 1
    text = out.getvalue()
    assert "✗ Slack refused chat.postMessage: is_archived" in text
    assert "Demo failed at step 2/9 (Rita fills in the form" in text
    assert "━━ 3/9" not in text and "Demo finished" not in text
    assert "┌─" not in text and "┏━" not in text  # quiet: steps and checks only


def test_an_unreachable_database_is_reported_plainly() -> None:
    out = io.StringIO()
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    assert run_demo(DemoOptions(database_url=url), out) == 1
    assert out.getvalue().startswith("Demo could not start: Cannot reach the database")


def test_a_second_round_joins_the_loop_and_one_debrief_covers_both(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'loop.sqlite3'}"
    out = io.StringIO()
    assert run_demo(DemoOptions(quiet=True, second_round=True, database_url=url), out) == 0, (
        out.getvalue())
    text = out.getvalue()
    assert text.count("   ✓ ") == 11
    assert "━━ 7/11 Lauri wants a work sample too" in text
    engine = create_db_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            first, second = session.scalars(select(Interview).order_by(Interview.id))
            assert (first.candidate_id, first.round_number, second.round_number) == (
                second.candidate_id, 1, 2)
            assert (first.status, second.status) == (InterviewStatus.DECIDED,) * 2
            assert (first.summary_ts, str(second.decision)) == (None, "hire")
            assert session.scalar(select(func.count()).select_from(Scorecard)) == 5
    finally:
        engine.dispose()
