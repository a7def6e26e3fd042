"""Independence visible (issue 20): the moment each panelist could first see the others'
ratings is recorded, a version saved after it is marked, and the figures use the version
saved before it. The worked example's numbers are those of tests/bot/test_debrief.py."""

from __future__ import annotations

from bot.debrief import publish as debrief_publish
from bot.debrief import service as debrief
from bot.debrief.builders.full_scorecards import full_scorecards_modal
from bot.debrief.builders.summary import debrief_summary_message
from bot.i18n import translator
from bot.scorecards.service import panel_feedback
from models import Interview, transaction
from tests.conftest import LEAD, MARI, OUTSIDER, PEETER, PIA, TEAM, World
from tests.factories import (
    MARI_SCORES,
    PEETER_SCORES,
    PIA_SCORES,
    add_scorecard,
    make_interview,
    summary_of,
    worked_example,
)

MARK = "changed after seeing the panel: the figures use version 1"


def test_a_version_saved_after_seeing_the_panel_is_marked_and_not_counted(
        world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    world.clock.advance(minutes=5)
    panel_feedback(services, TEAM, interview_id, PEETER)  # Peeter reads the others'
    world.clock.advance(minutes=5)
    add_scorecard(services, interview_id, PEETER, {**PEETER_SCORES, "hardest-case": 4,
                                                   "could-not-help": 4}, recommendation="hire")

    summary = summary_of(services, interview_id)
    behavioural = summary.consensus.agenda[0]
    assert behavioural.category_id == "behavioural"
    assert behavioural.rater_scores[PEETER] == 1.5  # version 1, not 4.0
    assert dict(summary.consensus.recommendation_tally)["no_hire"] == 1
    assert summary.before_after is None  # the debrief has not started
    text = str(debrief_summary_message(translator("en"), summary).blocks)
    assert f"<@{PEETER}> · *Hire* · edited (version 2) · _{MARK}_" in text
    assert text.count("changed after seeing the panel") == 1

    full = debrief.full_scorecards(services, TEAM, interview_id, LEAD)
    assert MARK in str(full_scorecards_modal(translator("en"), full, {})["blocks"])


def test_the_posted_summary_counts_as_seen_by_the_channel_members_only(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, OUTSIDER))  # Olle is not in #hiring
    add_scorecard(services, interview_id, PIA, PIA_SCORES)
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    with transaction(services.db) as session:
        interview = session.get_one(Interview, interview_id)
        assert interview.debrief_started_at is not None
        seen = {p.user_id: p.saw_panel_at for p in interview.panelists}
    assert seen[PIA] == interview.debrief_started_at and seen[OUTSIDER] is None

    world.clock.advance(minutes=5)
    add_scorecard(services, interview_id, OUTSIDER, PIA_SCORES)  # late, but unseen: counts
    add_scorecard(services, interview_id, PIA, {**PIA_SCORES, "hardest-case": 1})
    summary = summary_of(services, interview_id)
    behavioural = next(c for c in summary.consensus.categories if c.category_id == "behavioural")
    assert dict(behavioural.rater_scores) == {OUTSIDER: 4.5, PIA: 4.5}
    assert [(p.user_id, p.changed_after_seeing) for p in summary.panelists] == [
        (PIA, True), (OUTSIDER, False)]
    assert summary.before_after is not None and set(summary.before_after.rerated) == {
        PIA, OUTSIDER}
    _, after = summary.before_after.category("behavioural")
    assert dict(after.rater_scores) == {OUTSIDER: 4.5, PIA: 2.5}


def test_the_numbers_before_the_talk_and_the_quotes_come_from_the_counted_versions(
        world: World) -> None:
    """Peeter reads the others' ratings, then turns his behavioural 1 and 2 into 5s with a
    new note: the summary still quotes the note behind his counted 1, next to the figures
    of that version, and the mechanical recommendation and speaking order stay."""
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES,
                  category_notes={"behavioural": "Owned the outage."})
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES,
                  category_notes={"behavioural": "No example."})
    add_scorecard(services, interview_id, MARI, MARI_SCORES)
    independent = summary_of(services, interview_id)
    world.clock.advance(minutes=5)
    panel_feedback(services, TEAM, interview_id, PEETER)
    world.clock.advance(minutes=5)
    add_scorecard(services, interview_id, PEETER,
                  {**PEETER_SCORES, "hardest-case": 5, "could-not-help": 5},
                  category_notes={"behavioural": "Pia convinced me."})

    summary = summary_of(services, interview_id)
    assert [(e.rater, e.scores, e.note) for e in summary.evidence["behavioural"]] == [
        (PIA, (5,), "Owned the outage."), (PEETER, (1,), "No example.")]
    assert summary.consensus.mechanical == independent.consensus.mechanical
    assert summary.speakers == independent.speakers
    assert "Pia convinced me" not in str(debrief_summary_message(translator("en"),
                                                                 summary).blocks)
