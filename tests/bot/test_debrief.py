"""The debrief: the summary built from the database (numbers checked against a worked
example), posted once and updated in place, and the decision with its history."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select

from bot.core.consensus import (
    Rating,
    Recommendation,
    Scale,
    Unjudged,
    Verdict,
    panel_consensus,
)
from bot.debrief import publish as debrief_publish
from bot.debrief import service as debrief
from bot.debrief.builders.summary import decision_announcement
from bot.errors import NotAllowed, NotFound, UserError
from bot.i18n import translator
from bot.interviews import get_interview
from bot.lifecycle.service import erase_candidate
from bot.scorecards.service import scorecard_locked
from bot.services import Services
from models import (
    Decision,
    DecisionOutcome,
    Event,
    Interview,
    InterviewStatus,
    PostedKind,
    PostedMessage,
    Reminder,
    ReminderStatus,
    transaction,
    utcnow,
)
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import (
    MARI_SCORES,
    PEETER_SCORES,
    PIA_SCORES,
    add_pending_reminders,
    add_scorecard,
    make_interview,
    perform_side_effects,
    summary_of,
    worked_example,
)

# --- the worked example ----------------------------------------------------------------------
#
# Customer-service set (en), scale 1..5 (Poor, Weak, Adequate, Good, Excellent), midpoint 3;
# clearly high is 4 or 5, clearly low 1 or 2 (bot/core/consensus.py has the rules).
#
#                       Pia            Peeter         Mari
# customer-service      4, 4 -> 4.0    4, 4 -> 4.0    4, 4 -> 4.0   consensus, spread 0
# behavioural           5, 4 -> 4.5    1, 2 -> 1.5    3, 3 -> 3.0   split (2 of 2 questions)
# situational           5, 5 -> 5.0    4, 4 -> 4.0    3, 4 -> 3.5   mixed, spread 1.5
# personal              3 -> 3.0       -              -             too few (one rater)
# company               -              -              -             too few (nobody)
#
# behavioural: mean (4.5+1.5+3)/3 = 3.0, range 1.5-4.5, spread 3. Questions hardest-case
#   (5,1,3) and could-not-help (4,2,3) each hold a clearly high and a clearly low rating: 2 of
#   2 split. r*wg(J): variances 4 and 1, mean 2.5; 1 - 2.5/sigma^2 (= (25-1)/12 = 2) = -0.25.
#   High: Pia 4.5; low: Peeter 1.5; Mari at the midpoint.
# situational: mean (5+4+3.5)/3 = 4.1666 -> "4.2 (Good)", range 3.5-5.0, spread 1.5: no
#   rating <= 2, nothing split; over 1 apart -> mixed. Variances 1 ([5,4,3]) and 1/3
#   ([5,4,4]); mean 2/3; r*wg(J) = 1 - (2/3)/2 = 2/3.
# customer-service: all 4 -> mean 4.0, variances 0 -> r*wg(J) 1.0 -> consensus.
# Agreement is judged on none of them: each has 2 questions, and it takes 4 questions rated by
#   3 panelists.
# Agenda: behavioural (split), situational (mixed), customer-service (consensus), personal,
#   company.
# Tally: Pia strong hire, Peeter no hire, Mari hire.
# Mechanical recommendation: category means 4.0, 3.0, 4.1667 and 3.0 (company: nobody), equal
#   weights: (4 + 3 + 12.5/3 + 3) / 4 = 3.5417, in (3, 4] -> hire.
# Alpha (ordinal): 6 questions rated by all three = 18 pairable values (< 20: not judged).
#   Value counts n_1..n_5 = 1, 1, 3, 10, 3; ordinal d^2(c,k) = (sum n_c..n_k -
#   (n_c+n_k)/2)^2, e.g. d(1,5) = 16^2 = 256, d(4,5) = 6.5^2 = 42.25. Observed (each unit's
#   ordered pairs / (3-1)): 434 + 118.5 + 253.5 + 84.5 = 890.5; expected sum n_c n_k d = 14328;
#   alpha = 1 - 17 * 890.5 / 14328 = -0.0566 -> "-0.06".
EXPECTED_ALPHA = 1 - 17 * 890.5 / 14328

EXPECTED_AGENDA = ["behavioural", "situational", "customer-service", "personal", "company"]


def interview_row(services: Services, interview_id: int) -> Interview:
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        session.expunge(interview)
        return interview


def events(services: Services, interview_id: int, *kinds: str) -> list[Event]:
    with transaction(services.db) as session:
        return list(session.scalars(select(Event).where(
            Event.interview_id == interview_id, Event.kind.in_(kinds)).order_by(Event.id)))


def post_plan(world: World) -> str:
    """A stand-in for the plan message, for the summary to thread under."""
    reply = world.services.client.chat_postMessage(channel=CHANNEL, text="Interview plan")
    return str(reply["ts"])


def summary_posts(world: World) -> list[dict[str, Any]]:
    return [c for c in world.fake.calls("chat.postMessage")
            if str(c.get("params", c).get("text", "")).startswith("Debrief summary")]


# --- the numbers ---------------------------------------------------------------------------


def test_summary_numbers_match_the_worked_example(world: World) -> None:
    summary = summary_of(world.services, worked_example(world.services))
    agenda = summary.consensus.agenda
    assert [c.category_id for c in agenda] == EXPECTED_AGENDA
    behavioural, situational, service, personal, company = agenda

    assert behavioural.verdict is Verdict.SPLIT
    assert (behavioural.mean, behavioural.minimum, behavioural.maximum, behavioural.spread) \
        == (3.0, 1.5, 4.5, 3.0)
    assert behavioural.agreement.value == -0.25 and not behavioural.agreement.judged
    assert [(q.question_id, q.high, q.low) for q in behavioural.split_questions] == [
        ("could-not-help", (PIA,), (PEETER,)), ("hardest-case", (PIA,), (PEETER,))]
    assert (behavioural.high, behavioural.low, behavioural.middle) == ((PIA,), (PEETER,), (MARI,))

    assert situational.verdict is Verdict.MIXED
    assert situational.mean == pytest.approx(12.5 / 3)
    assert (situational.minimum, situational.maximum, situational.spread) == (3.5, 5.0, 1.5)
    assert situational.agreement.value == pytest.approx(2 / 3)
    assert situational.agreement.unjudged is Unjudged.FEW_RATINGS

    assert service.verdict is Verdict.CONSENSUS
    assert (service.mean, service.spread, service.agreement.value) == (4.0, 0.0, 1.0)
    assert service.agreement.band is None

    assert personal.verdict is Verdict.TOO_FEW and personal.raters == 1  # Peeter: not assessed
    assert personal.agreement.unjudged is Unjudged.FEW_RATERS
    assert company.verdict is Verdict.TOO_FEW and company.raters == 0

    assert dict(summary.consensus.recommendation_tally) == {
        "strong_no_hire": 0, "no_hire": 1, "hire": 1, "strong_hire": 1}
    mechanical = summary.consensus.mechanical
    assert mechanical.score == pytest.approx((4 + 3 + 12.5 / 3 + 3) / 4)
    assert mechanical.recommendation is Recommendation.HIRE
    assert summary.consensus.alpha_pairable == 18 and not summary.consensus.alpha_judged
    assert summary.consensus.alpha == pytest.approx(EXPECTED_ALPHA)
    assert (summary.submitted, summary.missing) == ((PIA, PEETER, MARI), ())


def test_in_a_loop_every_seat_of_the_hiring_lead_speaks_last() -> None:
    """Pia (round 1) rates 5, the lead (rounds 1 and 2) and Mari (round 2) 3: Pia is
    furthest from the panel and speaks first; both of the lead's seats come last."""
    keys = {f"{u}@{n}": (u, n) for u, n in ((PIA, 1), (LEAD, 1), (LEAD, 2), (MARI, 2))}
    ratings = [Rating(key, "c", "q", 5 if key.startswith(PIA) else 3) for key in keys]
    categories = panel_consensus(ratings, Scale(1, 5), ["c"], {}, []).categories
    order = debrief.loop_speaking_order(categories, list(keys), keys, LEAD)
    assert [(s.rater, s.lead) for s in order] == [
        (f"{PIA}@1", False), (f"{MARI}@2", False), (f"{LEAD}@1", True), (f"{LEAD}@2", True)]


def test_only_current_versions_of_active_panelists_count(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    # Peeter edits: his second version replaces the first in the numbers.
    add_scorecard(services, interview_id, PEETER, {**PEETER_SCORES, "hardest-case": 3,
                                                   "could-not-help": 3}, recommendation="hire")
    with transaction(services.db) as session:  # Mari leaves the panel
        interview = get_interview(session, TEAM, interview_id)
        interview.panelist_for(MARI).removed_at = utcnow()  # type: ignore[union-attr]
    summary = summary_of(services, interview_id)
    behavioural = next(c for c in summary.consensus.categories if c.category_id == "behavioural")
    assert dict(behavioural.rater_scores) == {PIA: 4.5, PEETER: 3.0}
    assert summary.panel == (PIA, PEETER)
    assert dict(summary.consensus.recommendation_tally)["hire"] == 1
    assert [p.version for p in summary.panelists] == [1, 2]


def test_missing_panelists_are_named(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, {"hardest-case": 4})
    summary = summary_of(services, interview_id)
    assert (summary.submitted, summary.missing) == ((PIA,), (PEETER, MARI))


# --- posting once, updating in place --------------------------------------------------------


def test_the_summary_goes_in_the_plan_thread_and_a_second_post_updates_it(world: World) -> None:
    services = world.services
    plan_ts = post_plan(world)
    interview_id = worked_example(services, plan_ts=plan_ts)

    debrief_publish.post_debrief_summary(services, interview_id, actor_id=None)
    thread = world.fake.thread(CHANNEL, plan_ts, shares=False)
    assert len(thread) == 1
    summary_ts = thread[0]["ts"]
    row = interview_row(services, interview_id)
    assert row.summary_ts == summary_ts and row.status == InterviewStatus.DEBRIEF
    assert [e.actor_id for e in events(services, interview_id, "debrief_posted")] == [None]

    add_scorecard(services, interview_id, MARI, MARI_SCORES, recommendation="strong_hire")
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    thread = world.fake.thread(CHANNEL, plan_ts, shares=False)
    assert [m["ts"] for m in thread] == [summary_ts]
    assert thread[0]["edits"], "updated in place"
    assert "Strong hire 2" in str(thread[0]["blocks"])
    assert len(world.fake.messages(CHANNEL)) == 1  # only the plan at the top level


def chart_file_id(services: Services, interview_id: int) -> str | None:
    """The plot recorded as posted about the candidate (None: none; two: an error)."""
    with transaction(services.db) as session:
        return session.scalars(select(PostedMessage.file_id).where(
            PostedMessage.interview_id == interview_id,
            PostedMessage.kind == PostedKind.CHART)).one_or_none()


def test_the_dot_plot_goes_next_to_the_summary_and_is_replaced_when_the_figures_change(
        world: World) -> None:
    services, fake = world.services, world.fake
    # Mari is not in #hiring: the posted summary is not hers to see, so her late scorecard
    # counts and changes the figures.
    fake.add_channel(CHANNEL, name="hiring", members=[RECRUITER, LEAD, PIA, PEETER])
    plan_ts = post_plan(world)
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI), plan_ts=plan_ts)
    add_scorecard(services, interview_id, PIA, PIA_SCORES, recommendation="strong_hire")
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES, recommendation="no_hire")
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    [chart] = fake.files(CHANNEL)
    assert chart["content"].startswith(b"\x89PNG") and chart["thread_ts"] == plan_ts
    assert chart["title"] == "Category scores per panelist"
    assert chart["alt_txt"].startswith(
        "Each panelist's category score on the 1–5 scale. Behavioural questions: pia 4.5, "
        "peeter 1.5 (mean 3.0); Situational questions: ")  # their display names
    assert chart_file_id(services, interview_id) == chart["id"]

    # The same figures keep the plot; changed ones replace it, the old file deleted.
    debrief_publish.refresh_summary(services, interview_id)
    assert [f["id"] for f in fake.files(CHANNEL)] == [chart["id"]]
    add_scorecard(services, interview_id, MARI, MARI_SCORES, recommendation="hire")
    debrief_publish.refresh_summary(services, interview_id)
    [replaced] = fake.files(CHANNEL)
    assert replaced["id"] != chart["id"] == fake.calls("files.delete")[0]["params"]["file"]
    assert "peeter 1.5, mari 3.0 (mean 3.0)" in replaced["alt_txt"]
    assert chart_file_id(services, interview_id) == replaced["id"]  # the old row went too

    # Deleting the candidate's data deletes the plot too, through the posted messages.
    erase_candidate(services, interview_row(services, interview_id).candidate_id, LEAD)
    perform_side_effects(services)
    assert fake.files(CHANNEL) == [] and chart_file_id(services, interview_id) is None
    assert [c["params"]["file"] for c in fake.calls("files.delete")] == [chart["id"],
                                                                        replaced["id"]]


def test_a_plot_whose_deletion_failed_is_deleted_by_the_next_refresh(world: World) -> None:
    services, fake = world.services, world.fake
    fake.add_channel(CHANNEL, name="hiring", members=[RECRUITER, LEAD, PIA, PEETER])
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES, recommendation="strong_hire")
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES, recommendation="no_hire")
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    [chart] = fake.files(CHANNEL)
    add_scorecard(services, interview_id, MARI, MARI_SCORES, recommendation="hire")
    fake.fail_next("files.delete", "fatal_error", status=200)
    debrief_publish.refresh_summary(services, interview_id)  # the new plot is up, the old stays
    assert len(fake.files(CHANNEL)) == 2
    with transaction(services.db) as session:
        recorded = session.scalars(select(PostedMessage.file_id).where(
            PostedMessage.kind == PostedKind.CHART).order_by(PostedMessage.id)).all()
    assert recorded[0] == chart["id"] and len(recorded) == 2  # the candidate's delete finds it

    debrief_publish.refresh_summary(services, interview_id)
    assert [f["id"] for f in fake.files(CHANNEL)] == [recorded[1]]
    assert chart_file_id(services, interview_id) == recorded[1]


def test_a_failed_upload_leaves_the_summary_out_and_the_next_refresh_tries_again(
        world: World) -> None:
    services, fake = world.services, world.fake
    interview_id = worked_example(services)
    fake.fail_next("files.getUploadURLExternal", "file_uploads_disabled", status=200)
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    assert interview_row(services, interview_id).summary_ts == fake.messages(CHANNEL)[0]["ts"]
    assert fake.files(CHANNEL) == [] and chart_file_id(services, interview_id) is None
    debrief_publish.refresh_summary(services, interview_id)
    [chart] = fake.files(CHANNEL)
    assert chart["thread_ts"] == fake.messages(CHANNEL)[0]["ts"]  # no plan: the summary's thread


def test_without_a_plan_message_the_summary_goes_in_the_channel(world: World) -> None:
    interview_id = worked_example(world.services)
    debrief_publish.post_debrief_summary(world.services, interview_id, actor_id=RECRUITER)
    top = world.fake.messages(CHANNEL)
    assert len(top) == 1 and top[0]["text"].startswith("Debrief summary")
    assert interview_row(world.services, interview_id).summary_ts == top[0]["ts"]


def test_a_summary_just_posted_is_updated_only_if_a_scorecard_came_in_meanwhile(
        world: World) -> None:
    services = world.services
    quiet = make_interview(services, panel=(PIA, PEETER), candidate_name="Quiet")
    add_scorecard(services, quiet, PIA, PIA_SCORES)
    debrief_publish.post_debrief_summary(services, quiet, actor_id=None)
    perform_side_effects(services)
    [posted] = world.fake.messages(CHANNEL)
    assert posted["edits"] == []  # it shows what there is: not rendered and sent again

    busy = make_interview(services, panel=(PIA, PEETER), candidate_name="Busy")
    add_scorecard(services, busy, PIA, PIA_SCORES)
    hold = world.fake.hold("chat.postMessage", lambda p: "Busy" in str(p.get("text")))
    poster = threading.Thread(target=debrief_publish.post_debrief_summary,
                              args=(services, busy, None))
    poster.start()
    try:
        assert hold.arrived.wait(10)
        add_scorecard(services, busy, PEETER, PEETER_SCORES, takeaways="Late but thorough.")
    finally:
        hold.release()
        poster.join(10)
    perform_side_effects(services)
    [message] = [m for m in world.fake.messages(CHANNEL) if "Busy" in m["text"]]
    assert "Late but thorough." not in str(message["edits"])
    assert "Late but thorough." in str(message["blocks"])


def test_timer_and_button_at_once_give_one_summary(world: World) -> None:
    services = world.services
    plan_ts = post_plan(world)
    interview_id = worked_example(services, plan_ts=plan_ts)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def press(actor: str | None) -> None:
        start.wait()
        try:
            debrief_publish.post_debrief_summary(services, interview_id, actor_id=actor)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=press, args=(a,)) for a in (None, LEAD, RECRUITER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(world.fake.thread(CHANNEL, plan_ts, shares=False)) == 1
    assert len(summary_posts(world)) == 1
    assert len(events(services, interview_id, "debrief_posted")) == 1


def test_a_caller_finding_a_post_in_progress_waits_and_updates_that_message(
        world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    with transaction(services.db) as session:  # another process has claimed the post
        session.add(Event(team_id=TEAM, interview_id=interview_id, kind=debrief.CLAIMED,
                          detail={}, created_at=utcnow()))
    waiter = threading.Thread(target=debrief_publish.post_debrief_summary,
                              args=(services, interview_id, LEAD))
    waiter.start()
    world.fake.wait_for(lambda: len(events(services, interview_id, debrief.CLAIMED)) == 1
                        and waiter.is_alive())
    # ... and finishes: its message is in and its ts stored.
    other_ts = str(services.client.chat_postMessage(channel=CHANNEL, text="Debrief (other)")["ts"])
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.summary_ts = other_ts
        session.add(Event(team_id=TEAM, interview_id=interview_id, kind=debrief.POSTED,
                          detail={}, created_at=utcnow()))
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert [m["ts"] for m in world.fake.messages(CHANNEL)] == [other_ts]
    assert world.fake.message(CHANNEL, other_ts)["text"].startswith("Debrief summary")


def test_a_failed_post_releases_its_claim(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    world.fake.fail_next("chat.postMessage", "not_in_channel", status=200)
    with pytest.raises(SlackApiError):
        debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    assert interview_row(services, interview_id).summary_ts is None
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)  # no waiting
    assert len(world.fake.messages(CHANNEL)) == 1


def test_a_claim_left_by_a_dead_process_expires(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    with transaction(services.db) as session:
        session.add(Event(team_id=TEAM, interview_id=interview_id, kind=debrief.CLAIMED,
                          detail={}, created_at=utcnow() - timedelta(minutes=5)))
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=None)
    assert len(world.fake.messages(CHANNEL)) == 1


def test_a_summary_deleted_in_slack_is_posted_again(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=None)
    old_ts = interview_row(services, interview_id).summary_ts
    services.client.chat_delete(channel=CHANNEL, ts=old_ts)
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=LEAD)
    new_ts = interview_row(services, interview_id).summary_ts
    assert new_ts and new_ts != old_ts
    assert [m["ts"] for m in world.fake.messages(CHANNEL)] == [new_ts]


def test_a_cancelled_interview_has_no_debrief(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    with transaction(services.db) as session:
        session.get(Interview, interview_id).status = InterviewStatus.CANCELLED  # type: ignore
    with pytest.raises(debrief.InterviewRefused):
        debrief_publish.post_debrief_summary(services, interview_id, actor_id=None)
    assert world.fake.messages(CHANNEL) == []


def test_only_organisers_start_the_debrief(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    for outsider in (PIA, OUTSIDER):
        with pytest.raises(NotAllowed):
            debrief.start_debrief(services, TEAM, str(interview_id), outsider, {})
    with pytest.raises(NotFound):
        debrief.start_debrief(services, "TOTHER", str(interview_id), LEAD, {})
    reply_to = {"user": {"id": RECRUITER}, "channel": {"id": CHANNEL}}
    target = debrief.start_debrief(services, TEAM, f"#{interview_id}", RECRUITER, reply_to)
    assert target.interview_id == interview_id
    assert world.fake.messages(CHANNEL) == []  # asked for; posted after the ack
    assert perform_side_effects(services) >= 1
    assert [m["text"] for m in world.fake.messages(CHANNEL)] == [
        f"Debrief summary: Mari Maasikas, interview {interview_id}"]


# --- who may read the summary ---------------------------------------------------------------


def test_summary_readers(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES)
    for reader, organiser in ((LEAD, True), (RECRUITER, True), (PIA, False)):
        summary, is_organiser = debrief.summary_for(services, TEAM, str(interview_id), reader)
        assert is_organiser is organiser and summary.submitted == (PIA,)
    with pytest.raises(debrief.InterviewRefused, match="own scorecard first"):
        debrief.summary_for(services, TEAM, str(interview_id), PEETER)
    with pytest.raises(debrief.InterviewRefused, match="Only the hiring lead"):
        debrief.summary_for(services, TEAM, str(interview_id), OUTSIDER)


# --- the decision ---------------------------------------------------------------------------


def reminder_statuses(services: Services, interview_id: int) -> list[ReminderStatus]:
    with transaction(services.db) as session:
        return list(session.scalars(select(Reminder.status).where(
            Reminder.interview_id == interview_id)))


def test_recording_a_decision(world: World) -> None:
    services = world.services
    plan_ts = post_plan(world)
    interview_id = worked_example(services, plan_ts=plan_ts)
    add_pending_reminders(services, interview_id)
    debrief_publish.post_debrief_summary(services, interview_id, actor_id=None)

    result = debrief.record_decision(services, TEAM, interview_id, RECRUITER,
                                     DecisionOutcome.HIRE, "  Strong STAR stories <b>.  ",
                                     "V1")
    perform_side_effects(services)
    assert result.stored and result.previous is None
    row = interview_row(services, interview_id)
    assert (row.status, row.decision, row.decided_by, row.decision_reason) == (
        InterviewStatus.DECIDED, DecisionOutcome.HIRE, RECRUITER, "Strong STAR stories <b>.")
    assert row.decided_at is not None
    assert scorecard_locked(row)
    assert reminder_statuses(services, interview_id) == [ReminderStatus.SENT]  # pending gone
    assert [e.detail["outcome"] for e in events(services, interview_id, "decided")] == ["hire"]

    thread = world.fake.thread(CHANNEL, plan_ts, shares=False)
    summary, announcement = thread
    assert "Decision recorded" in announcement["blocks"][0]["text"]["text"]
    assert "*Hire*" in announcement["blocks"][0]["text"]["text"]
    assert "&lt;b&gt;" in announcement["blocks"][0]["text"]["text"]
    for panelist in (PIA, PEETER, MARI):
        assert f"<@{panelist}>" in str(announcement["blocks"])
    assert summary["edits"] and "*Decision:* Hire" in str(summary["blocks"])
    assert "Change decision" in str(summary["blocks"])


@pytest.mark.parametrize(("side", "against"), [
    (Recommendation.STRONG_HIRE, {DecisionOutcome.NO_HIRE}),
    (Recommendation.HIRE, {DecisionOutcome.NO_HIRE}),
    (Recommendation.NO_HIRE, {DecisionOutcome.HIRE}),
    (Recommendation.STRONG_NO_HIRE, {DecisionOutcome.HIRE}),
    (None, set()),
])
def test_what_goes_against_the_numbers(side: Recommendation | None,
                                       against: set[DecisionOutcome]) -> None:
    assert {o for o in DecisionOutcome if debrief.goes_against(side, o)} == against


def test_a_decision_against_the_numbers_needs_its_reason_and_is_recorded(world: World) -> None:
    """The worked example's numbers say hire (3.54): no hire needs a reason for going
    against them; hold takes no side."""
    services = world.services
    interview_id = worked_example(services)
    with pytest.raises(debrief.AgainstTheNumbers) as refused:
        debrief.record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.NO_HIRE,
                                "Weak references.", "V1", against_reason="  ")
    assert refused.value.render_in("en") == ("The numbers say Hire. Say here why you decide "
                                             "otherwise.")
    assert interview_row(services, interview_id).decision is None  # nothing stored

    result = debrief.record_decision(services, TEAM, interview_id, LEAD,
                                     DecisionOutcome.NO_HIRE, "Weak references.", "V2",
                                     against_reason="Two references say <b>no</b>.")
    assert (result.against_label, result.against_reason) == ("Hire",
                                                             "Two references say <b>no</b>.")
    held = debrief.record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HOLD,
                                   "Wait.", "V3", against_reason="Ignored: hold is no side.")
    assert held.against_label is None
    with transaction(services.db) as session:
        rows = [(d.outcome, d.mechanical, d.against_mechanical, d.against_reason)
                for d in session.scalars(select(Decision).order_by(Decision.id))]
    assert rows == [(DecisionOutcome.NO_HIRE, "hire", True, "Two references say <b>no</b>."),
                    (DecisionOutcome.HOLD, "hire", False, None)]
    logged = [(e.detail["mechanical"], e.detail["against_mechanical"]) for e in
              events(services, interview_id, "decided", "decision_changed")]
    assert logged == [("hire", True), ("hire", False)]
    said = json.dumps(decision_announcement(translator("en"), result).blocks)
    assert ("This goes against the numbers, which said Hire. Why: Two references say "
            "&lt;b&gt;no&lt;/b&gt;.") in said


def test_a_retried_submission_stores_one_decision(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    first = debrief.record_decision(services, TEAM, interview_id, RECRUITER,
                                    DecisionOutcome.HOLD, "Wait for references.", "V1")
    again = debrief.record_decision(services, TEAM, interview_id, RECRUITER,
                                    DecisionOutcome.HOLD, "Wait for references.", "V1")
    perform_side_effects(services)
    assert first.stored and not again.stored
    with transaction(services.db) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
    assert len(world.fake.messages(CHANNEL)) == 1  # one announcement


def test_only_the_hiring_lead_changes_a_decision_and_history_is_kept(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    debrief.record_decision(services, TEAM, interview_id, RECRUITER, DecisionOutcome.HOLD,
                            "References first.", "V1")
    with pytest.raises(debrief.InterviewRefused, match="only the hiring lead"):
        debrief.decision_form(services, TEAM, interview_id, RECRUITER)
    with pytest.raises(debrief.InterviewRefused, match="only the hiring lead"):
        debrief.record_decision(services, TEAM, interview_id, RECRUITER,
                                DecisionOutcome.HIRE, "Changed my mind.", "V2")
    changed = debrief.record_decision(services, TEAM, interview_id, LEAD,
                                      DecisionOutcome.NO_HIRE, "References were poor.", "V3",
                                      against_reason="The numbers say hire; references not.")
    assert changed.previous is DecisionOutcome.HOLD
    form = debrief.decision_form(services, TEAM, interview_id, LEAD)
    assert [d.outcome for d in form.history] == [DecisionOutcome.HOLD, DecisionOutcome.NO_HIRE]
    assert form.current is not None and form.current.changes == 1
    row = interview_row(services, interview_id)
    assert (row.decision, row.decided_by) == (DecisionOutcome.NO_HIRE, LEAD)
    assert len(events(services, interview_id, "decision_changed")) == 1
    perform_side_effects(services)
    told = [m["blocks"][0]["text"]["text"] for m in world.fake.messages(CHANNEL)]
    assert "Decision changed" in told[-1] and "(was Hold)" in told[-1]


def test_panelists_and_outsiders_cannot_decide(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    for who in (PIA, OUTSIDER):
        with pytest.raises(NotAllowed):
            debrief.record_decision(services, TEAM, interview_id, who, DecisionOutcome.HIRE,
                                    "Yes.", f"V-{who}")
    with pytest.raises(UserError, match="reason"):
        debrief.record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HIRE,
                                "   ", "V-empty")
    assert interview_row(services, interview_id).decision is None
