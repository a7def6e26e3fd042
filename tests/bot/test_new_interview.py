"""The setup form's rules, creating an interview once per submitted view, and the plan and
kit builders at Slack's limits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import func, select

from bot.app import build_services
from bot.core.focus import assign_focus
from bot.core.question_sets import QuestionSet, parse_question_set
from bot.demo.slack_fake import FakeSlack
from bot.demo.slack_fake.blockkit import message_errors, view_errors
from bot.i18n import translator
from bot.plan.builders.kit import kit_messages
from bot.plan.builders.plan import plan_message
from bot.services import Services
from bot.setup.builders import NewInterviewModal
from bot.setup.service import NewInterviewForm, create_interview, validate
from bot.slack.mrkdwn import escape
from models import Candidate, Event, Interview, InterviewStatus, Panelist, Reminder, transaction
from tests.conftest import (
    CHANNEL,
    LEAD,
    MARI,
    PEETER,
    PIA,
    RECRUITER,
    TEAM,
    Clock,
    make_settings,
)
from tests.factories import big_set


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


T = translator("en")


@dataclass
class Small:
    """The services over the Slack fake, without serving the app (these tests call bot/)."""

    fake: FakeSlack
    services: Services
    clock: Clock


@pytest.fixture
def world(fake: FakeSlack, database_url: str) -> Iterator[Small]:
    services = build_services(make_settings(fake, database_url))
    services.clock = Clock()
    yield Small(fake, services, services.clock)
    services.engine.dispose()


def form(world: Small, **changes: object) -> NewInterviewForm:
    start = (world.clock() + timedelta(days=2)).replace(second=0, microsecond=0)
    base = NewInterviewForm(
        candidate_name="Mari Maasikas", role="Support agent", question_set_id="customer-service",
        language="en", panel=(PIA, PEETER, MARI), hiring_lead_id=LEAD, channel_id=CHANNEL,
        starts_at=start, length_minutes=60, debrief_at=start + timedelta(days=1),
        candidate_link=None, note=None)
    return replace(base, **changes)  # type: ignore[arg-type]


def errors(world: Small, **changes: object) -> dict[str, str]:
    return validate(world.services, form(world, **changes), T, TEAM, RECRUITER)


# --- validation ----------------------------------------------------------------------------


def test_a_complete_form_has_no_errors(world: Small) -> None:
    assert errors(world) == {}
    assert errors(world, candidate_link="http://cv.example.com/mari.pdf", note="Hi") == {}


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
def test_the_candidate_needs_a_name(world: Small, name: str) -> None:
    assert errors(world, candidate_name=name) == {"candidate": "Enter the candidate's name."}


def test_names_and_roles_fit_their_columns(world: Small) -> None:
    assert errors(world, candidate_name="x" * 200) == {}
    assert set(errors(world, candidate_name="x" * 201, role="y" * 201)) == {"candidate", "role"}


def test_the_panel_has_one_to_twelve_real_distinct_people(world: Small) -> None:
    for user_id in [f"UP{i:02d}" for i in range(13)]:
        world.fake.add_user(user_id, name=user_id.lower())
    twelve = tuple(f"UP{i:02d}" for i in range(12))
    assert errors(world, panel=twelve) == {}
    assert errors(world, panel=(PIA,)) == {}
    assert "at most 12 people; you picked 13" in errors(world, panel=(*twelve, "UP12"))["panel"]
    assert "1 to 12" in errors(world, panel=())["panel"]
    assert errors(world, panel=(PIA, PEETER, PIA)) == {"panel": "pia is on the panel twice."}
    assert errors(world, panel=(PIA, "UBOTUSER")) == {"panel": "somebot is a bot; pick people."}
    assert errors(world, panel=("UGONE",)) == {
        "panel": "gone is deactivated; pick someone else."}
    assert errors(world, panel=("UNOBODY",)) == {
        "panel": "UNOBODY is not in this workspace."}


def test_the_hiring_lead_is_a_real_active_person(world: Small) -> None:
    assert errors(world, hiring_lead_id="UGONE") == {
        "hiring_lead": "gone is deactivated; pick someone else."}
    assert errors(world, hiring_lead_id=PIA) == {}  # a lead may sit on the panel too


def test_a_slack_hiccup_is_an_error_to_retry_not_a_crash(world: Small) -> None:
    world.fake.add_user("UFRESH", name="fresh")
    for known in (LEAD, RECRUITER):  # cached: only UFRESH is asked about
        world.services.users.get(known)
    world.fake.fail_next("users.info", "fatal_error", status=200, times=1)
    problem = errors(world, panel=("UFRESH",))
    assert problem == {"panel": "Slack did not answer about one of these people; submit "
                                "again in a moment."}


def test_times(world: Small) -> None:
    start = form(world).starts_at
    assert start is not None
    now = world.clock()
    assert errors(world, starts_at=now + timedelta(days=364),
                  debrief_at=now + timedelta(days=365)) == {}
    assert set(errors(world, starts_at=now + timedelta(days=366),
                      debrief_at=now + timedelta(days=367))) == {"starts_at"}
    # Setting up an interview that happened this week is fine; a month back is a typo.
    assert errors(world, starts_at=now - timedelta(days=2)) == {}
    assert set(errors(world, starts_at=now - timedelta(days=8))) == {"starts_at"}
    # The debrief comes after the interview's end, not just its start.
    ninety = errors(world, length_minutes=90, debrief_at=start + timedelta(minutes=60))
    assert list(ninety) == ["debrief_at"]
    assert "after the interview ends" in ninety["debrief_at"]
    assert errors(world, debrief_at=start + timedelta(minutes=61)) == {}
    assert list(errors(world, length_minutes=50)) == ["length"]


@pytest.mark.parametrize("link", ["ftp://x.example.com/cv", "javascript:alert(1)", "https://",
                                  "www.example.com", "https://exa mple.com", "mailto:a@b.ee",
                                  "https://x.example/" + "a" * 2000])
def test_a_link_must_be_http_or_https(world: Small, link: str) -> None:
    assert list(errors(world, candidate_link=link)) == ["link"]


def test_a_stale_question_set_is_refused(world: Small) -> None:
    assert list(errors(world, question_set_id="gone")) == ["question_set"]
    assert list(errors(world, language="xx")) == ["question_set"]


def test_the_modal_reads_back_what_it_built(world: Small) -> None:
    modal = NewInterviewModal(T, world.services.question_sets.sets, "en")
    view = modal.view(recruiter_id=RECRUITER, channel_id=CHANNEL, now=world.clock(),
                      candidate_name="Mari")
    assert view_errors(view) == []
    values = {b["block_id"]: {b["element"]["action_id"]: {}} for b in view["blocks"]}
    values["candidate"]["candidate"] = {"type": "plain_text_input", "value": "Mari"}
    values["panel"]["panel"] = {"type": "multi_users_select", "selected_users": [PIA]}
    values["starts_at"]["starts_at"] = {"selected_date_time": 1_900_000_000}
    values["length"]["length"] = {"selected_option": {"value": "90"}}
    values["question_set"]["question_set"] = {"selected_option": {
        "value": "customer-service:et"}}
    read = NewInterviewModal.read(values)
    assert (read.candidate_name, read.panel, read.length_minutes) == ("Mari", (PIA,), 90)
    assert (read.question_set_id, read.language) == ("customer-service", "et")
    assert read.starts_at is not None and read.starts_at.timestamp() == 1_900_000_000
    assert read.ends_at == read.starts_at + timedelta(minutes=90)
    assert read.debrief_at is None and read.hiring_lead_id is None


# --- creating ------------------------------------------------------------------------------


def counts(world: Small, interview_id: int) -> tuple[int, int, int, int]:
    with transaction(world.services.db) as session:
        def count(model: type, *where: object) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where))
                       or 0)
        return (count(Interview), count(Panelist, Panelist.interview_id == interview_id),
                count(Event, Event.interview_id == interview_id, Event.kind == "created"),
                count(Reminder, Reminder.interview_id == interview_id))


def test_creating_writes_everything_at_once_and_only_once_per_view(world: Small) -> None:
    submitted = form(world, candidate_name="  Mari Maasikas ", note="  ", candidate_link=" ")
    first = create_interview(world.services, team_id=TEAM, recruiter_id=RECRUITER,
                             form=submitted, source_view_id="V123")
    again = create_interview(world.services, team_id=TEAM, recruiter_id=RECRUITER,
                             form=submitted, source_view_id="V123")
    assert first.created and not again.created
    assert again.interview_id == first.interview_id
    interviews, panelists, created, reminders = counts(world, first.interview_id)
    assert (interviews, panelists, created) == (1, 3, 1)
    assert reminders > 0
    with transaction(world.services.db) as session:
        row = session.get(Interview, first.interview_id)
        assert row is not None
        assert (row.candidate.name, row.note, row.candidate.link) == ("Mari Maasikas", None, None)
        assert row.plan_ts is None
        assert [p.user_id for p in row.panelists] == [PIA, PEETER, MARI]
        categories = [c["id"] for c in row.question_set["categories"]]
        assert {p.user_id: p.focus_categories for p in row.panelists} == assign_focus(
            categories, [PIA, PEETER, MARI])


def test_deliveries_racing_each_other_create_one_interview(world: Small) -> None:
    submitted = form(world)
    results = []

    def deliver() -> None:
        results.append(create_interview(world.services, team_id=TEAM, recruiter_id=RECRUITER,
                                        form=submitted, source_view_id="VRACE"))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.interview_id for r in results}) == 1
    assert counts(world, results[0].interview_id)[:3] == (1, 3, 1)


# --- builders at the limits ----------------------------------------------------------------


def test_the_plan_and_kits_fit_for_the_largest_set_and_panel(world: Small) -> None:
    qs = big_set()
    panel = [f"U{i:02d}" for i in range(12)]
    focus = assign_focus([c.id for c in qs.categories], panel)
    start = world.clock()
    candidate = Candidate(id=7, team_id=TEAM, name="N" * 200, role="R" * 200,
                          link="https://ats.example.com/" + "x" * 1970, recruiter_id=RECRUITER)
    interview = Interview(
        id=7, team_id=TEAM, candidate=candidate, round_number=1, note="&" * 2000,
        question_set_id=qs.id, language="en",
        channel_id=CHANNEL, recruiter_id=RECRUITER, hiring_lead_id=LEAD, starts_at=start,
        ends_at=start + timedelta(hours=3), debrief_at=start + timedelta(days=1),
        status=InterviewStatus.SCHEDULED)
    interview.panelists = [Panelist(user_id=u, position=i, focus_categories=focus[u])
                           for i, u in enumerate(panel)]
    plan = plan_message(T, interview, qs, "Europe/Tallinn")
    assert message_errors(plan.blocks) == []
    for panelist in interview.panelists:
        messages = kit_messages(T, interview, qs, panelist, "Asia/Tokyo")
        for message in messages:
            assert message_errors(message.blocks) == [], panelist.user_id
        said = str([m.blocks for m in messages])
        for category_id in panelist.focus_categories:
            for question in qs.category(category_id).questions:
                assert question.text[:10] in said
                assert question.guidance is not None and question.guidance[:10] in said
                # Probes and own anchors come whole, even where a question needs two sections.
                assert all(probe in said for probe in question.probes)
                assert all(anchor in said for anchor in question.anchors or [])


def kit_text(world: Small, qs: QuestionSet, focus: list[str],
             per_category: int | None = None) -> str:
    start = world.clock()
    interview = Interview(
        id=8, team_id=TEAM, round_number=1, question_set_id=qs.id,
        candidate=Candidate(id=8, team_id=TEAM, name="Mari", role="Agent",
                            recruiter_id=RECRUITER),
        language=qs.language, channel_id=CHANNEL,
        recruiter_id=RECRUITER, hiring_lead_id=LEAD, starts_at=start,
        ends_at=start + timedelta(hours=1), debrief_at=start + timedelta(days=1),
        status=InterviewStatus.SCHEDULED, questions_per_category=per_category)
    interview.panelists = [Panelist(user_id=PIA, position=0, focus_categories=focus)]
    messages = kit_messages(T, interview, qs, interview.panelists[0], "Europe/Tallinn")
    for message in messages:
        assert message_errors(message.blocks) == []
    return "\n".join(b["text"]["text"] for m in messages for b in m.blocks
                     if b["type"] == "section" and "text" in b)


def test_the_kit_shows_a_questions_competency_probes_own_anchors_and_spares(
        world: Small) -> None:
    qs = parse_question_set(dump_yaml({
        "id": "kit", "name": "Kit", "language": "en", "description": "For the kit.",
        "scale": [{"value": v, "label": f"L{v}", "anchor": f"Scale anchor {v}"}
                  for v in (1, 2, 3)],
        "competencies": [{"id": "active-listening", "name": "Active listening"}],
        "categories": [{"id": "situational", "name": "Situational", "purpose": "Why.",
                        "questions": [
            {"id": "angry", "text": "How would you handle an angry customer?",
             "guidance": "Listen for: restates the concern.\nRed flag: argues.",
             "guidance_source": "project", "probes": ["What would you say first?",
                                                      "When would you escalate?"],
             "anchors": ["Argues or gives in", "Calm, acknowledges", "Restates, follows up"],
             "competency": "active-listening"},
            {"id": "wrong", "text": "What if the customer is wrong?", "spare": True,
             "competency": "active-listening"}]}],
    }), "kit.en.yaml")

    said = kit_text(world, qs, ["situational"])

    assert ("*1.* How would you handle an angry customer?\n"
            "_Evidence of:_ Active listening\n"
            "> _What to listen for:_\n"
            "> Listen for: restates the concern.\n"
            "> Red flag: argues.\n"
            "> _Follow-up questions:_\n"
            "> • What would you say first?\n"
            "> • When would you escalate?\n"
            "> _Scale for this question:_\n"
            "> *1 · L1* — Argues or gives in\n"
            "> *2 · L2* — Calm, acknowledges\n"
            "> *3 · L3* — Restates, follows up") in said
    assert ("*2.* What if the customer is wrong?\n"
            "_Evidence of:_ Active listening · _Spare question: ask it if time allows._") in said
    assert all(f"*{v} · L{v}* — Scale anchor {v}" in said for v in (1, 2, 3))  # the head


def test_the_kit_asks_the_number_setup_picked_and_lists_the_rest_as_spares(
        world: Small) -> None:
    qs = world.services.question_sets.get("customer-service", "en")
    assert qs is not None
    service = qs.categories[0]
    core = [q for q in service.questions if not q.spare]
    said = kit_text(world, qs, [service.id], per_category=1)
    assert f"*1.* {escape(core[0].text)}\n" in said
    spare_note = "_Spare question: ask it if time allows._"
    assert said.count(spare_note) == len(service.questions) - 1
    assert said.index(escape(core[1].text)) > said.index(escape(core[0].text))


def test_the_kit_of_the_shipped_set_shows_every_aid(world: Small) -> None:
    qs = world.services.question_sets.get("customer-service", "et")
    assert qs is not None
    said = kit_text(world, qs, [c.id for c in qs.categories])
    for category in qs.categories:
        for question in category.questions:
            assert escape(question.text) in said
            assert all(escape(probe) in said for probe in question.probes)
            assert all(escape(anchor) in said for anchor in question.anchors or [])
    for competency in qs.competencies:  # the labels are in T's language, the names in et
        assert f"_Evidence of:_ {escape(competency.name)}" in said
