"""A candidate's loop: rounds added to an earlier candidate, one debrief held by the latest
round and covering them all (or one per round), and what works per candidate: reminders,
the decision and its lock, App Home, export and deletion."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.debrief import service as debrief
from bot.debrief.builders.summary import debrief_summary_message
from bot.debrief.publish import post_debrief_summary
from bot.demo.slack_fake import blockkit
from bot.errors import InterviewRefused, NotFound
from bot.export.service import export_for
from bot.home.builders import home_view
from bot.home.service import load_home
from bot.i18n import translator
from bot.lifecycle.service import cancel_interview, delete_candidate_data
from bot.reminders.publish import process_due
from bot.reminders.service import DEBRIEF, DEBRIEF_LEAD, LAST, LEAD_MISSING, pending_kinds
from bot.scorecards.service import scorecard_locked
from bot.setup.service import (
    DEBRIEF_AT_BLOCK,
    EARLIER_CANDIDATE_BLOCK,
    NewInterviewForm,
    create_interview,
    recent_candidates,
    validate,
)
from models import Candidate, DecisionOutcome, Interview, InterviewStatus, transaction
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import (
    LARGE_PANEL,
    add_scorecard,
    generated_set,
    largest_set,
    make_interview,
    perform_side_effects,
)

T = translator("en")
SCREEN = {"define-customer-service": 4}  # a rating in the set's first category


def round_form(world: World, days: int, **changes: object) -> NewInterviewForm:
    """A round `days` from now, debrief a day later."""
    start = (world.clock() + timedelta(days=days)).replace(second=0, microsecond=0)
    base = NewInterviewForm(
        candidate_name="Ada Lovelace", role="Support engineer",
        question_set_id="customer-service", language="en", panel=(PIA, PEETER),
        hiring_lead_id=LEAD, channel_id=CHANNEL, starts_at=start, length_minutes=60,
        debrief_at=start + timedelta(days=1))
    return replace(base, **changes)  # type: ignore[arg-type]


def add_round(world: World, form: NewInterviewForm, view: str) -> int:
    assert validate(world.services, form, T, TEAM, RECRUITER) == {}
    created = create_interview(world.services, team_id=TEAM, recruiter_id=RECRUITER,
                               form=form, source_view_id=view)
    perform_side_effects(world.services)
    return created.interview_id


def loop(world: World, *, per_round: bool = False) -> tuple[int, int, int]:
    """Ada's phone screen (Pia, Peeter) in 1 day and her panel (Peeter, Mari) in 3:
    (candidate id, round 1, round 2)."""
    first = add_round(world, round_form(world, 1, debrief_per_round=per_round), "V-1")
    with transaction(world.services.db) as session:
        candidate_id = session.get_one(Interview, first).candidate_id
    second = add_round(world, round_form(world, 3, candidate_id=candidate_id,
                                         panel=(PEETER, MARI), candidate_name="", role=""),
                       "V-2")
    return candidate_id, first, second


def rows(world: World, *ids: int) -> list[Interview]:
    with transaction(world.services.db) as session:
        return [session.get_one(Interview, i) for i in ids]


def test_a_next_round_joins_the_candidate_and_the_loops_one_debrief(world: World) -> None:
    candidate_id, first, second = loop(world)
    one, two = rows(world, first, second)
    assert (one.candidate_id, one.round_number, two.candidate_id, two.round_number) == (
        candidate_id, 1, candidate_id, 2)
    assert two.candidate.name == "Ada Lovelace"  # the name is the candidate's, once
    # One debrief, at the new round's time, for both rounds.
    assert one.debrief_at == two.debrief_at
    with transaction(world.services.db) as session:
        pending = {i: pending_kinds(session, i) for i in (first, second)}
    assert {k for k, _, _ in pending[first]} & {DEBRIEF, DEBRIEF_LEAD, LEAD_MISSING} == set()
    assert {(k, r) for k, r, _ in pending[second]} >= {(DEBRIEF, CHANNEL), (DEBRIEF_LEAD, LEAD)}
    # Round 1's panel is still chased, up to the loop's debrief.
    last = [due for kind, who, due in pending[first] if kind == LAST and who == PIA]
    assert last and last[0] < two.debrief_at and last[0] > one.ends_at
    with transaction(world.services.db) as session:
        assert [r.round_number for r in session.get_one(Candidate, candidate_id).rounds] == [
            1, 2]


def test_a_round_is_offered_only_to_the_loops_organisers(world: World) -> None:
    candidate_id, _, _ = loop(world)
    assert [c.candidate_id for c in recent_candidates(world.services, TEAM, RECRUITER)] == [
        candidate_id]
    assert recent_candidates(world.services, TEAM, LEAD)[0].rounds == 2
    assert recent_candidates(world.services, TEAM, PIA) == []  # a panelist sets nothing up
    form = round_form(world, 5, candidate_id=candidate_id)
    problems = validate(world.services, form, T, TEAM, OUTSIDER)
    assert EARLIER_CANDIDATE_BLOCK in problems
    assert EARLIER_CANDIDATE_BLOCK in validate(world.services, form, T, "T0002", RECRUITER)


def test_a_loops_debrief_comes_after_its_last_round(world: World) -> None:
    candidate_id, _, second = loop(world)
    (two,) = rows(world, second)
    early = round_form(world, 1, candidate_id=candidate_id)
    early = replace(early, debrief_at=two.ends_at - timedelta(minutes=5))
    assert list(validate(world.services, early, T, TEAM, RECRUITER)) == [DEBRIEF_AT_BLOCK]


def test_the_latest_round_holds_the_debrief_and_its_summary(world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    add_scorecard(services, first, PIA, SCREEN)
    # "Start debrief" on round 1's plan posts the loop's summary in round 2's thread.
    target = debrief.start_debrief(services, TEAM, first, LEAD, {"user": {"id": LEAD}})
    assert target.interview_id == second
    perform_side_effects(services)
    one, two = rows(world, first, second)
    assert one.summary_ts is None and two.summary_ts is not None
    assert two.plan_ts
    assert world.fake.thread(CHANNEL, two.plan_ts, shares=False)[-1]["ts"] == two.summary_ts
    assert (one.status, two.status) == (InterviewStatus.DEBRIEF, InterviewStatus.DEBRIEF)


def test_the_decision_closes_every_round_of_the_loop(world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    result = debrief.record_decision(services, TEAM, first, LEAD, DecisionOutcome.HIRE,
                                     "Strong in both rounds.", "V-decide")
    assert result.interview_id == second
    assert set(result.panel) == {PIA, PEETER, MARI}  # both rounds' panels are told
    one, two = rows(world, first, second)
    assert (one.status, two.status) == (InterviewStatus.DECIDED, InterviewStatus.DECIDED)
    assert (one.decision, two.decision) == (None, DecisionOutcome.HIRE)
    assert scorecard_locked(one) and scorecard_locked(two)
    with transaction(services.db) as session:
        assert pending_kinds(session, first) == pending_kinds(session, second) == []
    # Only the hiring lead changes it; the modal shows the loop's decisions.
    with pytest.raises(InterviewRefused):
        debrief.decision_form(services, TEAM, first, RECRUITER)
    form = debrief.decision_form(services, TEAM, first, LEAD)
    assert (form.interview_id, [d.outcome for d in form.history]) == (
        second, [DecisionOutcome.HIRE])


def test_a_new_round_moves_a_debrief_that_had_started(world: World) -> None:
    services = world.services
    first = add_round(world, round_form(world, 1), "V-1")
    add_scorecard(services, first, PIA, SCREEN)
    post_debrief_summary(services, first, LEAD)
    perform_side_effects(services)
    (one,) = rows(world, first)
    assert one.status == InterviewStatus.DEBRIEF and one.summary_ts
    second = add_round(world, round_form(world, 3, candidate_id=one.candidate_id), "V-2")
    (one,) = rows(world, first)
    assert one.status == InterviewStatus.SCHEDULED  # the debrief waits for round 2
    # The summary in round 1's thread no longer shows scores round 2's panel could read.
    moved = world.fake.message(CHANNEL, str(one.summary_ts))
    assert f"posted with interview {second}" in moved["text"]
    assert "Pia" not in json.dumps(moved["blocks"]) and "4.0" not in json.dumps(moved["blocks"])


def test_cancelling_the_latest_round_hands_the_debrief_back(world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    cancel_interview(services, TEAM, second, RECRUITER)
    with transaction(services.db) as session:
        kinds = {k for k, _, _ in pending_kinds(session, first)}
        assert pending_kinds(session, second) == []
    assert {DEBRIEF, DEBRIEF_LEAD} <= kinds
    assert debrief.start_debrief(services, TEAM, first, LEAD,
                                 {"user": {"id": LEAD}}).interview_id == first


def test_rounds_debriefed_one_by_one(world: World) -> None:
    services = world.services
    _, first, second = loop(world, per_round=True)
    one, two = rows(world, first, second)
    assert one.debrief_at < two.debrief_at  # each keeps its own
    with transaction(services.db) as session:
        assert DEBRIEF in {k for k, _, _ in pending_kinds(session, first)}
    debrief.record_decision(services, TEAM, first, LEAD, DecisionOutcome.HIRE,
                            "Through to the panel.", "V-screen")
    one, two = rows(world, first, second)
    assert (one.status, two.status) == (InterviewStatus.DECIDED, InterviewStatus.SCHEDULED)
    assert not scorecard_locked(two)


def test_the_leads_note_names_who_is_missing_in_which_round(world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    add_scorecard(services, first, PIA, SCREEN)
    add_scorecard(services, second, MARI, SCREEN)
    (two,) = rows(world, second)
    process_due(services, two.debrief_at + timedelta(minutes=1), "worker")
    (note,) = [m for m in world.fake.dms(LEAD) if "starts now" in m["text"]
               or "still missing" in m["text"]]
    said = json.dumps(note["blocks"])
    assert f"round 1: <@{PEETER}>" in said and f"round 2: <@{PEETER}>" in said
    assert f"<@{PIA}>" not in said and f"<@{MARI}>" not in said


def test_a_panelist_reads_the_loops_summary_once_all_their_scorecards_are_in(
        world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    add_scorecard(services, second, PEETER, SCREEN)  # Peeter sits on both rounds
    with pytest.raises(InterviewRefused):
        debrief.summary_for(services, TEAM, second, PEETER)
    add_scorecard(services, first, PEETER, SCREEN)
    summary, organiser = debrief.summary_for(services, TEAM, second, PEETER)
    assert (summary.interview_id, organiser) == (second, False)
    add_scorecard(services, second, MARI, SCREEN)
    assert debrief.summary_for(services, TEAM, first, MARI)[0].interview_id == second


def test_app_home_groups_a_candidates_rounds(world: World) -> None:
    services = world.services
    _, first, second = loop(world)
    add_scorecard(services, first, PIA, SCREEN)
    lead = load_home(services, LEAD, team_id=TEAM)
    # One debrief to lead, with the progress of both rounds.
    (row,) = lead.leading.rows
    assert (row.interview_id, row.debrief_submitted, row.debrief_panel_size) == (second, 1, 4)
    recruiter = load_home(services, RECRUITER, team_id=TEAM)
    view = home_view(T, recruiter, "UTC")
    texts = [json.dumps(b, ensure_ascii=False) for b in view["blocks"]]
    (created,) = [i for i, text in enumerate(texts) if "Ada Lovelace" in text]  # once
    under = texts[created + 1] + texts[created + 2]  # newest first, without the name
    assert "*Round 1* · interview" in under and "*Round 2* · interview" in under
    assert "Ada" not in under


def test_export_and_deletion_cover_every_round(world: World) -> None:
    services = world.services
    candidate_id, first, second = loop(world)
    add_scorecard(services, first, PIA, SCREEN, takeaways="Phone screen went well")
    add_scorecard(services, second, MARI, SCREEN, takeaways="Panel went well")
    files = export_for(services, TEAM, second, RECRUITER)
    assert files.filename("csv") == f"interviews-{first}-{second}.csv"
    document = json.loads(files.json)
    assert [r["interview"]["round"] for r in document["interviews"]] == [1, 2]
    assert "Phone screen went well" in files.json and "Panel went well" in files.json
    assert {line.split(",")[1] for line in files.csv.splitlines()[1:]} == {"1", "2"}

    deleted = delete_candidate_data(services, TEAM, str(first), RECRUITER)
    assert deleted.rounds == (first, second)
    perform_side_effects(services)
    with transaction(services.db) as session:
        candidate = session.get_one(Candidate, candidate_id)
        assert (candidate.name, candidate.deleted_at is not None) == ("[deleted]", True)
        assert all(i.deleted_at is not None for i in session.scalars(
            select(Interview).where(Interview.candidate_id == candidate_id)))
    for interview in rows(world, first, second):
        assert interview.plan_ts is not None
        assert "deleted" in world.fake.message(CHANNEL, interview.plan_ts)["text"]
    with pytest.raises(NotFound):
        export_for(services, TEAM, second, RECRUITER)


def test_one_summary_combines_the_rounds_and_names_each_ratings_round(world: World) -> None:
    """Round 1 (Pia, Peeter) and round 2 (Peeter, Mari) share the set's categories: one
    agenda over both, each rating named with its round; the work-sample category of a
    round-2-only set is shown under round 2."""
    services = world.services
    _, first, second = loop(world)
    add_scorecard(services, first, PIA, {"hardest-case": 5, "could-not-help": 5},
                  takeaways="Phone screen: clear STAR story.")
    add_scorecard(services, first, PEETER, {"hardest-case": 1, "could-not-help": 1})
    add_scorecard(services, second, PEETER, {"hardest-case": 2, "define-customer-service": 4})
    summary, _ = debrief.summary_for(services, TEAM, first, LEAD)
    assert summary.interview_id == second and summary.combined
    assert [(p.round_number, p.missing) for p in summary.rounds] == [(1, ()), (2, (MARI,))]
    behavioural = next(c for c in summary.consensus.categories
                       if c.category_id == "behavioural")
    assert set(behavioural.rater_scores) == {f"{PIA}@1", f"{PEETER}@1", f"{PEETER}@2"}
    message = debrief_summary_message(T, summary)
    said = json.dumps(message.blocks, ensure_ascii=False)
    assert f"<@{PIA}> (round 1) 5.0" in said and f"<@{PEETER}> (round 2) 2.0" in said
    assert f"missing: round 2: <@{MARI}>" in said
    assert f"round 1, interview {first}" in said and f"round 2, interview {second}" in said
    assert "Phone screen: clear STAR story." in said
    assert blockkit.message_errors(message.blocks) == []


def test_a_category_asked_in_one_round_only_is_shown_under_it(world: World) -> None:
    services = world.services
    first = add_round(world, round_form(world, 1), "V-1")
    work_sample = generated_set((2,), set_id="work-sample")
    with transaction(services.db) as session:
        candidate_id = session.get_one(Interview, first).candidate_id
    second = make_interview(services, candidate_id=candidate_id, question_set=work_sample,
                            panel=(MARI, PEETER))
    add_scorecard(services, first, PIA, SCREEN)
    add_scorecard(services, second, MARI, {"c0-q0": 4})
    summary, _ = debrief.summary_for(services, TEAM, second, LEAD)
    assert summary.category_rounds["cat-0"] == (2,)
    assert summary.category_rounds["customer-service"] == (1,)
    said = json.dumps(debrief_summary_message(T, summary).blocks, ensure_ascii=False)
    assert "Asked in round 1 only:" in said and "Asked in round 2 only:" in said
    assert said.index("Asked in round 2 only:") < said.index("Category 0 with a fairly long")


def test_a_loops_summary_fits_slack_with_big_panels_in_every_round(world: World) -> None:
    services = world.services
    first = make_interview(services, panel=LARGE_PANEL, question_set=largest_set())
    with transaction(services.db) as session:
        candidate_id = session.get_one(Interview, first).candidate_id
    rounds = [first] + [make_interview(services, candidate_id=candidate_id, panel=LARGE_PANEL,
                                       question_set=largest_set()) for _ in range(2)]
    for interview_id in rounds:
        for user_id in LARGE_PANEL:
            add_scorecard(services, interview_id, user_id, {"c0-q0": 3, "c1-q0": 4},
                          takeaways="Long takeaways. " * 200)
    summary, _ = debrief.summary_for(services, TEAM, rounds[0], LEAD)
    message = debrief_summary_message(T, summary)
    assert blockkit.message_errors(message.blocks) == []
    assert len(summary.panelists) == 36
    said = json.dumps(message.blocks, ensure_ascii=False)
    assert all(f"(round {n})" in said for n in (1, 2, 3))
