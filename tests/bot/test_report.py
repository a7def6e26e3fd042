"""Interviewer calibration: the maths on hand-made panels, the figures kept current from
scorecards, who sees which figures, nothing of a deleted candidate left, `/interview report`
in a DM with its chart and CSV, and the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.core import calibration
from bot.debrief.publish import post_debrief_summary
from bot.errors import UserError
from bot.home.publish import publish_home
from bot.home.service import OwnFigures, own_figures
from bot.i18n import translator
from bot.lifecycle.service import delete_candidate_data
from bot.report.builders import report_message
from bot.report.service import refresh_stats, report, request_report
from bot.scorecards.service import Answers, submit_scorecard
from models import DebriefStats, PanelistStats, transaction
from tests.conftest import LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import add_scorecard, make_interview, perform_side_effects

T = translator("en")
QUESTIONS = ("define-customer-service", "good-service-meaning", "hardest-case",
             "could-not-help")


# --- the maths ----------------------------------------------------------------------------


def test_one_point_above_the_others_on_every_question_is_plus_one() -> None:
    panel = {"pia": {"q1": 5, "q2": 4, "q3": 3}, "peeter": {"q1": 4, "q2": 3, "q3": 2},
             "mari": {"q1": 4, "q2": 3, "q3": 2}}
    found = calibration.panel_leniencies(panel)
    assert found["pia"] == calibration.InterviewLeniency(1.0, 3)
    assert found["peeter"].difference == pytest.approx(-0.5)  # vs Pia and Mari: 0 and -1
    leniency = calibration.leniency([found["pia"].difference] * 5)
    assert (leniency.mean, leniency.low, leniency.high) == (1.0, 1.0, 1.0)


def test_only_questions_a_co_panelist_also_rated_count() -> None:
    mine = {"q1": 5, "q2": 1}  # nobody else rated q2
    assert calibration.interview_leniency(mine, [{"q1": 3}, {"q1": 4, "q3": 2}]) == (
        calibration.InterviewLeniency(1.5, 1))
    assert calibration.interview_leniency({"q9": 3}, [{"q1": 3}]) is None


def test_the_interval_is_over_interviews_and_shown_from_five() -> None:
    assert not calibration.leniency([1.0, 2.0, 3.0, 4.0]).enough
    found = calibration.leniency([1.0, 2.0, 3.0, 4.0, 5.0])
    # mean 3, sample sd sqrt(2.5), t(0.975, 4) = 2.776: half-width 2.776 * 1.5811 / sqrt(5)
    half = 2.776 * (2.5 ** 0.5) / (5 ** 0.5)
    assert found.mean == 3.0
    assert (found.low, found.high) == (pytest.approx(3 - half), pytest.approx(3 + half))
    assert calibration.t_975(200) == 1.96


def test_timeliness_is_the_median_and_the_share_within_a_day() -> None:
    found = calibration.timeliness([1.0, 30.0, 5.0, -2.0])
    assert (found.scorecards, found.median_hours, found.on_time_share) == (4, 3.0, 0.75)
    assert calibration.timeliness([]).median_hours is None


# --- the figures, from scorecards -----------------------------------------------------------


def panels(world: World, count: int, *, lead: str = LEAD, recruiter: str = RECRUITER,
           late_hours: float = 2.0) -> list[int]:
    """`count` interviews where Pia rates 1 above Peeter and Mari on every question;
    Peeter scores `late_hours` after the end."""
    services = world.services
    made = []
    for _ in range(count):
        interview_id = make_interview(services, panel=(PIA, PEETER, MARI), hiring_lead_id=lead,
                                      recruiter_id=recruiter)
        add_scorecard(services, interview_id, PIA, dict.fromkeys(QUESTIONS, 4))
        world.clock.advance(hours=late_hours)
        add_scorecard(services, interview_id, PEETER, dict.fromkeys(QUESTIONS, 3))
        add_scorecard(services, interview_id, MARI, dict.fromkeys(QUESTIONS, 3))
        refresh(world, interview_id)
        made.append(interview_id)
    return made


def refresh(world: World, interview_id: int) -> None:
    refresh_stats(world.services, interview_id)


def figures_of(world: World, user_id: str) -> OwnFigures:
    now = world.clock()
    with transaction(world.services.db) as session:
        found = own_figures(session, user_id, now - timedelta(days=365),
                            now + timedelta(days=1), team_id=TEAM)
    assert found is not None
    return found


def home_text(world: World, user_id: str) -> str:
    publish_home(world.services, user_id, team_id=TEAM)
    return json.dumps(world.fake.home(user_id), ensure_ascii=False)


def test_an_interviewers_own_figures_show_in_their_app_home_only(world: World) -> None:
    panels(world, 4)
    early = figures_of(world, PIA)
    assert (early.leniency.interviews, early.leniency.mean) == (4, None)
    assert "from 5 interviews on; you have 4 so far" in home_text(world, PIA)
    panels(world, 1)
    pia = figures_of(world, PIA)
    assert (pia.leniency.interviews, pia.leniency.mean) == (5, 1.0)
    home = home_text(world, PIA)
    assert "You rate 1.0 points above your co-panelists on the same questions, over 5 " \
        "interviews (95% interval +1.0 to +1.0)." in home
    assert "Only you see this." in home
    peeter = figures_of(world, PEETER)
    assert peeter.leniency.mean == pytest.approx(-0.5)
    assert peeter.timeliness.median_hours == pytest.approx(3.0, abs=0.01)  # ended 1 h ago, +2
    assert "0.5 points below your co-panelists" in home_text(world, PEETER)
    assert "median 3.0 hours after the interview; 100% within 24 hours" in home_text(
        world, PEETER)
    assert "How you rate" not in home_text(world, RECRUITER)  # never on a panel


def test_a_scorecard_refreshes_the_figures_through_the_outbox(world: World) -> None:
    interview_id = make_interview(world.services, panel=(PIA, PEETER))
    add_scorecard(world.services, interview_id, PIA, {"hardest-case": 5})
    every = [q for c in ("customer-service", "behavioural", "situational", "personal",
                         "company") for q in _questions(world, c)]
    answers = Answers(ratings=dict.fromkeys(every, "2"), category_notes={},
                      recommendation="no_hire", takeaways="Vague.", private_note="")
    submit_scorecard(world.services, TEAM, interview_id, PEETER, answers, "V-peeter",
                     opened_by=PEETER)
    perform_side_effects(world.services)
    with transaction(world.services.db) as session:
        found = report(session, TEAM, world.clock() - timedelta(days=1),
                       world.clock() + timedelta(days=1), None)
    by_user = {f.user_id: f for f in found.interviewers}
    assert by_user[PEETER].leniency.interviews == 1  # one interview: counted, not shown
    with transaction(world.services.db) as session:
        (row,) = session.scalars(select(PanelistStats).where(
            PanelistStats.interview_id == interview_id, PanelistStats.user_id == PEETER))
        assert (row.leniency, row.shared_questions) == (-3.0, 1)  # 2 against Pia's 5


def _questions(world: World, category: str) -> list[str]:
    qs = world.services.question_sets.get("customer-service", "en")
    assert qs is not None
    return [q.id for q in qs.category(category).questions]


def test_organisers_see_their_own_interviews_only(world: World) -> None:
    panels(world, 5)  # Lauri leads these
    panels(world, 5, lead=OUTSIDER, recruiter=OUTSIDER)  # someone else's
    now = world.clock()
    with transaction(world.services.db) as session:
        mine = report(session, TEAM, now - timedelta(days=1), now + timedelta(days=1), LEAD)
        everyone = report(session, TEAM, now - timedelta(days=1), now + timedelta(days=1),
                          None)
    assert {f.user_id: f.leniency.interviews for f in mine.interviewers} == {
        PIA: 5, PEETER: 5, MARI: 5}
    assert {f.leniency.interviews for f in everyone.interviewers} == {10}
    assert mine.interviewers[0].user_id == PIA  # furthest from their peers first
    with pytest.raises(UserError):  # a panelist organises nothing
        request_report(world.services, TEAM, PIA, "30", None)
    with pytest.raises(UserError):
        request_report(world.services, TEAM, LEAD, "forever", None)


def test_nothing_of_a_deleted_candidate_stays_in_any_figure(world: World) -> None:
    made = panels(world, 5)
    delete_candidate_data(world.services, TEAM, made[0], RECRUITER)
    assert figures_of(world, PIA).leniency.interviews == 4
    with transaction(world.services.db) as session:
        assert session.scalars(select(PanelistStats).where(
            PanelistStats.interview_id == made[0])).all() == []
        assert session.get(DebriefStats, made[0]) is None


def test_the_team_share_of_debriefs_that_started_with_every_scorecard_in(
        world: World) -> None:
    services = world.services
    complete = panels(world, 1, late_hours=0)[0]  # the event log keeps wall-clock time
    partial = make_interview(services, panel=(PIA, PEETER))
    add_scorecard(services, partial, PIA, {"hardest-case": 4})
    for interview_id in (complete, partial):
        post_debrief_summary(services, interview_id, LEAD)
    perform_side_effects(services)
    now = world.clock()
    with transaction(services.db) as session:
        found = report(session, TEAM, now - timedelta(days=1), now + timedelta(days=1), LEAD)
    assert (found.debriefs, found.complete_debriefs) == (2, 1)
    said = json.dumps(report_message(T, found, 30).blocks, ensure_ascii=False)
    assert "1 of 2 started with every scorecard in (50%)" in said


def test_the_report_command_sends_message_chart_and_csv_to_the_dm(world: World) -> None:
    panels(world, 5)
    reply = world.slack.command(LEAD, "report 30").json()
    assert "last 30 days" in reply["text"]
    files = world.fake.wait_for(lambda: len(world.fake.files(LEAD)) == 2
                                and world.fake.files(LEAD))
    by_name = {f["filename"]: f for f in files}
    chart = by_name["calibration-30-days.png"]["content"]
    assert chart.startswith(b"\x89PNG\r\n\x1a\n")
    rows = list(csv.DictReader(io.StringIO(
        by_name["calibration-30-days.csv"]["content"].decode())))
    assert (rows[0]["user_id"], rows[0]["leniency"]) == (PIA, "1.000")
    message = next(m for m in world.fake.dms(LEAD) if "calibration" in m["text"].lower())
    said = json.dumps(message["blocks"], ensure_ascii=False)
    assert f"<@{PIA}> · +1.0 points from co-panelists" in said
    refused = world.slack.command(PIA, "report").json()
    assert "Reports are for recruiters and hiring leads" in refused["text"]


def test_the_command_line_report(world: World, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    panels(world, 5)
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database_url)
    since = (world.clock() - timedelta(days=30)).strftime("%Y-%m-%d")
    assert main(["report", "--since", since, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["team_id"], r["user_id"], r["interviews"]) for r in rows} == {
        (TEAM, PIA, "5"), (TEAM, PEETER, "5"), (TEAM, MARI, "5")}
    assert main(["report", "--since", since, "--format", "json", "--team", TEAM]) == 0
    (document,) = json.loads(capsys.readouterr().out)
    assert document["interviewers"][0]["leniency"] == 1.0
    with pytest.raises(SystemExit):
        main(["report", "--since", "last year"])
