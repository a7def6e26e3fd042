"""One person's interviews: which interview lands in which section, the caps with "and N
more" (App Home <= 100 blocks, the list message <= 50), and a constant number of queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.debrief.service import record_decision
from bot.demo.slack_fake import blockkit
from bot.home.builders import home_view, list_message
from bot.home.service import LIST_ROWS, home_data, load_home
from bot.i18n import translator
from models import DecisionOutcome, Interview, InterviewStatus, transaction
from tests.conftest import LEAD, MARI, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import add_scorecard, make_interview


def ids(section: Any) -> list[int]:
    return [r.interview_id for r in section.rows]


def set_status(world: World, interview_id: int, status: InterviewStatus) -> None:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.status = status


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(world.services.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(world.services.engine, "before_cursor_execute", count)


def test_each_interview_lands_in_the_right_sections(world: World) -> None:
    services = world.services
    now = services.clock()
    past = make_interview(services)  # ended an hour ago: the panel owes scorecards
    future = make_interview(services, starts_at=now + timedelta(days=2),
                            debrief_at=now + timedelta(days=3))
    scored = make_interview(services)
    add_scorecard(services, scored, PIA, {"define-customer-service": 4})
    decided = make_interview(services)
    record_decision(services, TEAM, decided, LEAD, DecisionOutcome.HIRE, "Yes.", None)
    cancelled = make_interview(services)
    set_status(world, cancelled, InterviewStatus.CANCELLED)
    elsewhere = make_interview(services, team_id="T0002")
    gone = make_interview(services)
    with transaction(services.db) as session:
        row = session.get(Interview, gone)
        assert row is not None
        row.deleted_at = now
        pia = next(p for p in row.panelists if p.user_id == PIA)
        pia.removed_at = now
        removed = session.get(Interview, past)
        assert removed is not None
        next(p for p in removed.panelists if p.user_id == MARI).removed_at = now

    pia_home = load_home(services, PIA, team_id=TEAM)
    assert ids(pia_home.owed) == [past]  # scored, decided, cancelled and deleted: no
    assert ids(pia_home.upcoming) == [future]
    assert pia_home.leading.total == 0 and pia_home.created.total == 0

    mari_home = load_home(services, MARI, team_id=TEAM)
    assert ids(mari_home.owed) == [scored]  # removed from `past`'s panel, owes nothing there

    lead = load_home(services, LEAD, team_id=TEAM)
    assert lead.owed.total == 0
    assert ids(lead.upcoming) == [future]  # the hiring lead is there too
    assert sorted(ids(lead.leading)) == sorted([past, future, scored])
    scored_row = next(r for r in lead.leading.rows if r.interview_id == scored)
    assert (scored_row.submitted, scored_row.panel_size) == (1, 3)
    past_row = next(r for r in lead.leading.rows if r.interview_id == past)
    assert (past_row.submitted, past_row.panel_size) == (0, 2)

    recruiter = load_home(services, RECRUITER, team_id=TEAM)
    assert set(ids(recruiter.created)) == {past, future, scored, decided, cancelled}
    assert ids(recruiter.created)[-2:] in ([decided, cancelled], [cancelled, decided])
    assert elsewhere not in ids(recruiter.created)


def test_sections_are_capped_and_say_how_many_more(world: World) -> None:
    services = world.services
    for _ in range(25):
        make_interview(services, panel=[PIA, PEETER], hiring_lead_id=LEAD)
    with transaction(services.db) as session:
        data = home_data(session, RECRUITER, services.clock(), team_id=TEAM)
    assert (len(data.created.rows), data.created.total, data.created.more) == (13, 25, 12)
    t = translator("en")
    for user in (RECRUITER, LEAD, PIA):
        full = load_home(services, user, team_id=TEAM, own=True)
        view = home_view(t, full, "Europe/Tallinn")
        assert blockkit.view_errors(view) == []
        assert len(view["blocks"]) <= 100
        short = load_home(services, user, team_id=TEAM, rows=LIST_ROWS)
        message = list_message(t, short, "Europe/Tallinn")
        assert len(message.blocks) <= 50
        assert "…and 19 more." in json.dumps(message.blocks, ensure_ascii=False)
    lead_view = home_view(t, load_home(services, LEAD, team_id=TEAM), "UTC")
    assert "…and 12 more." in json.dumps(lead_view, ensure_ascii=False)


def test_owed_scorecards_carry_the_score_button(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, candidate_name="<!channel> & co")
    view = home_view(translator("en"), load_home(services, PIA), "UTC")
    buttons = [b["accessory"] for b in view["blocks"] if b.get("accessory")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("score_candidate", str(interview_id))]
    text = json.dumps(view)
    assert "&lt;!channel&gt; &amp; co" in text and "<!channel>" not in text
    assert "Interviews I created" not in text  # Pia set nothing up


def test_the_number_of_queries_does_not_grow_with_interviews(world: World) -> None:
    services = world.services
    make_interview(services)
    with counted(world) as few:
        load_home(services, LEAD, team_id=TEAM)
    for _ in range(12):
        interview_id = make_interview(services)
        add_scorecard(services, interview_id, PIA, {"define-customer-service": 3})
    with counted(world) as many:
        data = load_home(services, LEAD, team_id=TEAM)
    assert data.leading.total == 13
    assert len(few) == len(many) == 2


def test_created_interviews_show_the_open_ones_first_then_the_latest(world: World) -> None:
    services = world.services
    now = services.clock()
    started = {name: make_interview(services, starts_at=now - timedelta(days=days))
               for name, days in (("decided", 1), ("cancelled", 2), ("debrief", 3),
                                  ("scheduled", 4), ("older decided", 5))}
    for name, interview_id in started.items():
        set_status(world, interview_id, InterviewStatus(name.split()[-1]))
    with transaction(services.db) as session:
        page = home_data(session, RECRUITER, now, team_id=TEAM, rows=3).created
    assert (ids(page), page.total) == (
        [started["debrief"], started["scheduled"], started["decided"]], 5)
