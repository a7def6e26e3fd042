"""`/interview new` end to end: a signed slash command opens the setup modal, the recruiter
submits it, and the plan, the kits and the replies appear in the local Slack fake (which
rejects anything over Slack's limits); rows are checked in the database."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from bot.core.focus import assign_focus
from bot.core.question_sets import QuestionSetLibrary
from bot.demo.slack_fake.simulator import FORM, Response, build_state
from models import Event, Interview, Panelist, Reminder, transaction
from tests.conftest import (
    CHANNEL,
    LEAD,
    MARI,
    PEETER,
    PIA,
    PRIVATE_CHANNEL,
    RECRUITER,
    TEAM,
    World,
)
from tests.factories import big_set, shipped_set
from tests.slack_steps import picked_time

PANEL = [PIA, PEETER, MARI]


# --- helpers -------------------------------------------------------------------------------


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def open_setup(world: World, text: str = "new Mari Maasikas", *, user: str = RECRUITER,
               channel: str = CHANNEL) -> dict[str, Any]:
    before = {v["id"] for v in world.fake.view_stack(user)}
    response = world.slack.command(user, text, channel_id=channel)
    assert response.status == 200

    def opened() -> dict[str, Any] | None:
        stack = world.fake.view_stack(user)
        top = stack[-1] if stack else None
        if top and top["callback_id"] == "new_interview" and top["id"] not in before:
            return top
        return None

    return world.fake.wait_for(opened)




def valid_values(world: World, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "role": "Customer support agent",
        "question_set": "customer-service:en",
        "panel": list(PANEL),
        "hiring_lead": LEAD,
        "starts_at": picked_time(world, days=2),
        "length": "60",
        "debrief_at": picked_time(world, days=3),
        "link": "https://ats.example.com/candidates/42",
        "note": "Prefers mornings.",
    }
    values.update(overrides)
    return values


def submit(world: World, view: dict[str, Any], values: dict[str, Any],
           user: str = RECRUITER) -> Response:
    return world.slack.submit(user, view["id"], values)


def send_again(world: World, view: dict[str, Any], values: dict[str, Any],
               retry_num: int | None, user: str = RECRUITER) -> Response:
    """The same view_submission once more, as Slack retries (or a double click sends) it."""
    payload_view = {k: v for k, v in view.items() if k != "user"}
    payload_view["state"] = build_state(payload_view, values)
    payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": user, "name": user.lower(), "team_id": TEAM},
               "api_app_id": world.fake.app_id,
               "trigger_id": world.fake.issue_trigger_id(user), "view": payload_view,
               "response_urls": []}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return world.slack.send_raw(body, FORM, retry_num=retry_num)


def interviews(world: World) -> list[Interview]:
    with transaction(world.services.db) as session:
        rows = list(session.scalars(select(Interview).order_by(Interview.id)))
        for row in rows:
            _ = [p.focus_categories for p in row.panelists]
            session.expunge(row)
        return rows


def only_interview(world: World) -> Interview:
    rows = interviews(world)
    assert len(rows) == 1
    return rows[0]


def plan_in(world: World, channel: str = CHANNEL) -> dict[str, Any]:
    return world.fake.wait_for(lambda: [m for m in world.fake.messages(channel)
                                        if "Interview plan" in m["text"]])[0]


def kit_of(world: World, user: str) -> list[dict[str, Any]]:
    """The kit DM and the replies in its thread."""
    head = world.fake.wait_for(lambda: [m for m in world.fake.dms(user)
                                        if "interview kit" in m["text"]])[0]
    return [head, *world.fake.thread(user, head["ts"])]


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn text in the blocks (where Slack parses mentions)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]] + [
        b["accessory"] for b in blocks if b.get("accessory")]


def told(world: World, user: str) -> list[dict[str, Any]]:
    return world.fake.ephemerals(user) + world.fake.dms(user)


# --- opening -------------------------------------------------------------------------------


def test_the_command_opens_the_modal_at_once_prefilled(world: World) -> None:
    started = datetime.now(UTC)
    view = open_setup(world, "new   Mari Maasikas ")
    assert datetime.now(UTC) - started < timedelta(seconds=3)
    assert view["title"]["text"] == "New interview"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["candidate", "role", "question_set", "panel", "hiring_lead",
                            "channel", "starts_at", "length", "debrief_at", "link", "note",
                            "debrief_mode"]
    assert inputs["debrief_mode"]["initial_option"]["value"] == "together"
    assert inputs["candidate"]["initial_value"] == "Mari Maasikas"
    assert inputs["hiring_lead"]["initial_user"] == RECRUITER
    assert inputs["channel"]["initial_conversation"] == CHANNEL
    assert inputs["channel"]["filter"] == {"include": ["public", "private"],
                                           "exclude_bot_users": True}
    assert inputs["panel"]["type"] == "multi_users_select"
    assert inputs["panel"]["max_selected_items"] == 12
    assert inputs["starts_at"]["type"] == inputs["debrief_at"]["type"] == "datetimepicker"
    assert inputs["debrief_at"]["initial_date_time"] - inputs["starts_at"][
        "initial_date_time"] == 86400
    assert inputs["starts_at"]["initial_date_time"] > world.clock().timestamp()
    assert [o["value"] for o in inputs["length"]["options"]] == [
        "30", "45", "60", "90", "120", "180"]
    assert inputs["length"]["initial_option"]["value"] == "60"
    assert inputs["link"]["type"] == "url_text_input"
    assert inputs["note"]["multiline"] is True
    assert {o["text"]["text"] for o in inputs["question_set"]["options"]} == {
        "Customer service (en)", "Klienditeenindus (et)", "Asiakaspalvelu (fi)"}
    optional = {b["block_id"] for b in view["blocks"] if b.get("optional")}
    assert optional == {"link", "note"}
    assert len(view["private_metadata"]) < 500


def test_without_a_name_the_candidate_field_is_empty(world: World) -> None:
    view = open_setup(world, "new")
    candidate = next(b for b in view["blocks"] if b["block_id"] == "candidate")
    assert "initial_value" not in candidate["element"]


# --- the happy path ------------------------------------------------------------------------


def test_a_submitted_interview_gets_its_plan_kits_and_confirmation(world: World) -> None:
    fake = world.fake
    view = open_setup(world)
    values = valid_values(world)
    response = submit(world, view, values)
    assert response.status == 200 and response.json() is None  # the modal closes
    assert fake.view_stack(RECRUITER) == []

    plan = plan_in(world)
    # The ts is stored as the posting transaction commits, just after Slack has it.
    world.fake.wait_for(lambda: only_interview(world).plan_ts)
    interview = only_interview(world)
    qs = shipped_set(world.services, "en")
    assert interview.plan_ts == plan["ts"]
    assert (interview.candidate.name, interview.candidate.role, interview.language) == (
        "Mari Maasikas", "Customer support agent", "en")
    assert interview.starts_at == datetime.fromtimestamp(values["starts_at"], UTC)
    assert interview.ends_at == interview.starts_at + timedelta(minutes=60)
    assert interview.debrief_at == datetime.fromtimestamp(values["debrief_at"], UTC)
    assert interview.starts_at.tzinfo is not None and interview.starts_at.utcoffset() == \
        timedelta(0)
    assert (interview.recruiter_id, interview.hiring_lead_id, interview.channel_id) == (
        RECRUITER, LEAD, CHANNEL)
    assert interview.candidate.link == "https://ats.example.com/candidates/42"
    assert interview.question_set == qs.to_snapshot()
    assert interview.source_view_id == view["id"]
    expected_focus = assign_focus([c.id for c in qs.categories], PANEL)
    assert {p.user_id: p.focus_categories for p in interview.panelists} == expected_focus
    with transaction(world.services.db) as session:
        kinds = list(session.scalars(select(Event.kind).where(
            Event.interview_id == interview.id)))
        reminders = session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.interview_id == interview.id))
    assert "created" in kinds and "plan_posted" in kinds
    assert reminders  # scheduled in the creating transaction

    # The plan: who, when (date tokens), the panel's focus, progress, buttons; no questions.
    text = "\n".join(mrkdwn_texts(plan["blocks"]))
    assert "*Candidate:* Mari Maasikas · *Role:* Customer support agent" in text
    assert f"<!date^{values['starts_at']}^" in text
    assert f"<!date^{values['debrief_at']}^" in text
    assert f"*Hiring lead:* <@{LEAD}>" in text
    assert "*0 of 3 scorecards in*" in text
    for user_id, focus in expected_focus.items():
        names = ", ".join(qs.category(c).name for c in focus)
        assert f"<@{user_id}> — {names}" in text
    assert "How do you define customer service?" not in dump(plan)
    buttons = {e["action_id"]: e.get("value") for e in elements(plan["blocks"])
               if e["type"] == "button"}
    assert buttons == {"score_candidate": str(interview.id), "start_debrief": str(interview.id),
                       "add_round": str(interview.id)}
    menu = next(e for e in elements(plan["blocks"]) if e["type"] == "overflow")
    assert menu["action_id"] == "plan_menu"  # the organisers' menu (handled elsewhere)

    # Every panelist's kit: their categories with questions and guidance, the scale, times.
    for user_id, focus in expected_focus.items():
        kit = kit_of(world, user_id)
        said = "\n".join(t for m in kit for t in mrkdwn_texts(m["blocks"]))
        for category in qs.categories:
            questions = [q.text for q in category.questions]
            if category.id in focus:
                assert all(q in said for q in questions), (user_id, category.id)
            else:
                assert not any(q in said for q in questions), (user_id, category.id)
        assert all(p.anchor in said for p in qs.scale)
        assert f"<!date^{values['starts_at']}^" in said
        kit_buttons = [(e["action_id"], e["value"]) for m in kit for e in elements(m["blocks"])]
        assert kit_buttons == [("score_candidate", str(interview.id))]
    define = next(p for p, f in expected_focus.items() if "customer-service" in f)
    assert "STAR method" in dump(kit_of(world, define))  # the guidance is in the kit
    def kits_stored() -> dict[str, tuple[str | None, str | None]] | None:
        with transaction(world.services.db) as session:
            kits = {p.user_id: (p.kit_channel, p.kit_ts)
                    for p in session.scalars(select(Panelist))}
        return kits if all(channel and ts for channel, ts in kits.values()) else None

    # Each kit's place is stored as its DM goes out, just after Slack has it.
    kits = world.fake.wait_for(kits_stored)
    assert set(kits) == set(expected_focus)

    # The recruiter hears where the plan went, in the channel they ran the command in.
    confirmation = fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER)
                                          if f"Interview {interview.id} is set up" in e["text"]])
    assert confirmation[0]["channel"] == CHANNEL
    assert "3 panelists have the interview kit" in dump(confirmation[0]["blocks"])


def test_a_panelist_can_open_the_scorecard_from_the_plan(world: World) -> None:
    view = open_setup(world)
    submit(world, view, valid_values(world))
    plan = plan_in(world)
    world.slack.click(PIA, "score_candidate", channel=CHANNEL, ts=plan["ts"])
    world.fake.wait_for(lambda: [v for v in world.fake.view_stack(PIA)
                                 if v["callback_id"] == "scorecard"])


# --- validation ----------------------------------------------------------------------------

INVALID = {
    "empty name": ({"candidate": "   "}, "candidate", "name"),
    "debrief before the end": ({"length": "90", "debrief_at": "start+60m"}, "debrief_at",
                               "after the interview ends"),
    "debrief at the end": ({"length": "60", "debrief_at": "start+60m"}, "debrief_at",
                           "after the interview ends"),
    "over a year away": ({"starts_at": "in 400 days", "debrief_at": "in 401 days"}, "starts_at",
                         "more than a year"),
    "long in the past": ({"starts_at": "30 days ago"}, "starts_at", "check the date"),
    "a bot on the panel": ({"panel": [PIA, "UBOTUSER"]}, "panel", "bot"),
    "a deactivated panelist": ({"panel": [PIA, "UGONE"]}, "panel", "deactivated"),
    "the same person twice": ({"panel": [PIA, PEETER, PIA]}, "panel", "twice"),
    "a bot as hiring lead": ({"hiring_lead": "UBOTUSER"}, "hiring_lead", "bot"),
    "a link that is not http": ({"link": "javascript:alert(1)"}, "link", "https://"),
    "an ftp link": ({"link": "ftp://files.example.com/cv.pdf"}, "link", "https://"),
}


def resolve(world: World, values: dict[str, Any]) -> dict[str, Any]:
    """Relative times in INVALID made concrete (epoch seconds)."""
    days = {"in 400 days": 400, "in 401 days": 401, "30 days ago": -30}
    resolved = {k: picked_time(world, days=days[v]) if isinstance(v, str) and v in days else v
                for k, v in values.items()}
    if resolved["debrief_at"] == "start+60m":
        resolved["debrief_at"] = resolved["starts_at"] + 3600
    return resolved


def test_each_mistake_is_answered_next_to_its_field_and_nothing_is_lost(world: World) -> None:
    view = open_setup(world)
    for case, (overrides, block_id, words) in INVALID.items():
        values = resolve(world, valid_values(world, **overrides))
        reply = submit(world, view, values).json()
        assert reply["response_action"] == "errors", case
        assert list(reply["errors"]) == [block_id], case
        assert words in reply["errors"][block_id], case
        # The modal stays open with what was typed; nothing was created.
        stack = world.fake.view_stack(RECRUITER)
        assert [v["id"] for v in stack] == [view["id"]], case
        assert stack[-1]["state"]["values"]["role"]["role"]["value"] == "Customer support agent"
        assert interviews(world) == [], case
    # Fixed, it goes through.
    assert submit(world, view, valid_values(world, candidate="Mari Maasikas")).json() is None
    plan_in(world)
    assert len(interviews(world)) == 1


def test_several_mistakes_are_answered_at_once(world: World) -> None:
    view = open_setup(world)
    values = valid_values(world, candidate=" ", panel=["UGONE"], link="mailto:x@example.com")
    values["debrief_at"] = values["starts_at"]
    reply = submit(world, view, values).json()
    assert set(reply["errors"]) == {"candidate", "panel", "debrief_at", "link"}


# --- channels ------------------------------------------------------------------------------


def test_a_private_channel_without_the_bot_keeps_the_interview_until_invited(
        world: World) -> None:
    fake, slack = world.fake, world.slack
    view = open_setup(world)
    submit(world, view, valid_values(world, channel=PRIVATE_CHANNEL))

    # The recruiter is told how to invite the bot, with a "Post plan" button, in the
    # channel they chose: through the response URL Slack gave for that picker.
    invite = fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER)
                                    if "/invite @interview-bot" in dump(e["blocks"])])[0]
    assert invite["channel"] == PRIVATE_CHANNEL
    interview = only_interview(world)
    assert interview.plan_ts is None and interview.channel_id == PRIVATE_CHANNEL
    assert [(e["action_id"], e["value"]) for e in elements(invite["blocks"])] == [
        ("post_plan", str(interview.id))]
    assert fake.messages(PRIVATE_CHANNEL) == []
    for user_id in PANEL:  # the kits went out regardless
        kit_of(world, user_id)

    # Pressed too early: the same advice again, nothing posted.
    slack.click(RECRUITER, "post_plan", channel=PRIVATE_CHANNEL, value=str(interview.id))
    fake.wait_for(lambda: len(fake.calls("response_url")) >= 2)
    assert fake.messages(PRIVATE_CHANNEL) == []

    # Running the command again offers the waiting plan: nothing typed is lost.
    fake.close_view(RECRUITER, open_setup(world, "new")["id"])
    offer = fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER)
                                   if "not posted yet" in e["text"]])[0]
    assert [(e["action_id"], e["value"]) for e in elements(offer["blocks"])] == [
        ("post_plan", str(interview.id))]

    # Invited, the recruiter presses "Post plan": the plan appears, once.
    fake.add_channel(PRIVATE_CHANNEL, name="secret-hiring", is_private=True,
                     members=[RECRUITER, LEAD], bot_is_member=True)
    slack.click(RECRUITER, "post_plan", channel=CHANNEL, value=str(interview.id))
    plan = plan_in(world, PRIVATE_CHANNEL)
    assert "*Candidate:* Mari Maasikas" in dump(plan["blocks"])
    # The ts is stored as the posting transaction commits, just after Slack has it.
    assert world.fake.wait_for(lambda: only_interview(world).plan_ts) == plan["ts"]
    fake.wait_for(lambda: any("Posted the plan" in e["text"] for e in fake.ephemerals(RECRUITER)))
    # The other message with the button, pressed later: already there, not posted twice.
    slack.click(RECRUITER, "post_plan", channel=PRIVATE_CHANNEL, value=str(interview.id))
    fake.wait_for(lambda: any("already in" in e["text"] for e in fake.ephemerals(RECRUITER)))
    assert len(fake.messages(PRIVATE_CHANNEL)) == 1


def test_only_organisers_may_post_the_plan(world: World) -> None:
    view = open_setup(world)
    submit(world, view, valid_values(world, channel=PRIVATE_CHANNEL))
    world.fake.wait_for(lambda: world.fake.ephemerals(RECRUITER))
    interview = only_interview(world)
    world.fake.add_channel(PRIVATE_CHANNEL, name="secret-hiring", is_private=True,
                           members=[RECRUITER, LEAD], bot_is_member=True)
    plan_dm = world.services.client.chat_postMessage(
        channel=PIA, text="x", blocks=[{"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": "Post plan"},
            "action_id": "post_plan", "value": str(interview.id)}]}])
    world.slack.click(PIA, "post_plan", channel=PIA, ts=plan_dm["ts"])
    world.fake.wait_for(lambda: any("Only the hiring lead and the recruiter" in m["text"]
                                    for m in told(world, PIA)))
    assert world.fake.messages(PRIVATE_CHANNEL) == []


def test_a_public_channel_without_the_bot_is_joined(world: World) -> None:
    view = open_setup(world)
    submit(world, view, valid_values(world, channel="C0002"))
    plan_in(world, "C0002")
    assert [c["params"]["channel"] for c in world.fake.calls("conversations.join")] == ["C0002"]
    assert world.fake.channel("C0002")["is_member"] is True


def test_a_plan_slack_refused_can_be_posted_later(world: World) -> None:
    fake = world.fake
    view = open_setup(world)
    fake.fail_next("chat.postMessage", "is_archived", status=200)  # the plan, not the kits
    submit(world, view, valid_values(world))
    told_to = fake.wait_for(lambda: [e for e in fake.ephemerals(RECRUITER)
                                     if "did not take its plan" in e["text"]])[0]
    assert "(is_archived)" in told_to["text"]
    assert only_interview(world).plan_ts is None
    assert all(len(fake.dms(u)) == 1 for u in PANEL)
    world.slack.click(RECRUITER, "post_plan", channel=CHANNEL,
                      value=str(only_interview(world).id))
    plan = plan_in(world)
    fake.wait_for(lambda: only_interview(world).plan_ts == plan["ts"])


def test_the_command_in_a_private_channel_answers_there(world: World) -> None:
    """The bot is not in the channel the command was run in: the reply still reaches the
    recruiter there (through the command's response_url)."""
    view = open_setup(world, channel=PRIVATE_CHANNEL)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["channel"]["initial_conversation"] == PRIVATE_CHANNEL
    submit(world, view, valid_values(world))
    reply = world.fake.wait_for(lambda: world.fake.ephemerals(RECRUITER))[0]
    assert reply["channel"] == PRIVATE_CHANNEL
    assert "/invite @interview-bot" in dump(reply["blocks"])


# --- retries -------------------------------------------------------------------------------


def test_a_retried_submission_creates_one_interview_one_plan_one_set_of_kits(
        world: World) -> None:
    fake = world.fake
    view = open_setup(world)
    values = valid_values(world)
    assert submit(world, view, values).json() is None
    assert send_again(world, view, values, retry_num=1).status == 200
    assert send_again(world, view, values, retry_num=2).status == 200
    plan_in(world)
    for user_id in PANEL:
        kit_of(world, user_id)
    fake.wait_for(lambda: fake.ephemerals(RECRUITER))
    assert len(interviews(world)) == 1
    assert len(fake.messages(CHANNEL)) == 1
    assert all(len(fake.dms(u)) == 1 for u in PANEL)
    assert len(fake.ephemerals(RECRUITER)) == 1


def test_two_deliveries_at_once_create_one_interview(world: World) -> None:
    view = open_setup(world)
    values = valid_values(world)
    replies: list[Response] = []
    threads = [threading.Thread(target=lambda n=n: replies.append(
        send_again(world, view, values, retry_num=n))) for n in (None, 1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200, 200, 200]
    plan_in(world)
    for user_id in PANEL:
        kit_of(world, user_id)
    assert len(interviews(world)) == 1
    assert len(world.fake.messages(CHANNEL)) == 1
    assert all(len(world.fake.dms(u)) == 1 for u in PANEL)


# --- escaping ------------------------------------------------------------------------------


def test_typed_text_is_shown_as_typed_and_pings_nobody(world: World) -> None:
    fake = world.fake
    view = open_setup(world, "new <!channel> & <b>")
    candidate = next(b for b in view["blocks"] if b["block_id"] == "candidate")
    assert candidate["element"]["initial_value"] == "<!channel> & <b>"
    values = valid_values(world, role="<@ULEAD> <!here>", note="<https://evil.example|x> *hi*",
                          link="https://ats.example.com/c?id=1&x=<b>")
    submit(world, view, values)
    plan = plan_in(world)
    kit = kit_of(world, PIA)
    reply = fake.wait_for(lambda: fake.ephemerals(RECRUITER))
    interview = only_interview(world)
    assert (interview.candidate.name, interview.candidate.role) == (
        "<!channel> & <b>", "<@ULEAD> <!here>")

    texts = [*mrkdwn_texts(plan["blocks"]), plan["text"]]
    texts += [t for m in kit for t in [*mrkdwn_texts(m["blocks"]), m["text"]]]
    texts += [t for e in reply for t in [*mrkdwn_texts(e["blocks"]), e["text"]]]
    said = "\n".join(texts)
    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in said
    assert "&lt;@ULEAD&gt; &lt;!here&gt;" in said
    assert "&lt;https://evil.example|x&gt;" in said
    for ping in ("<!channel>", "<!here>", "<@ULEAD> ", "<b>", "<https://evil"):
        assert ping not in said
    # Plain text too: Slack reads &, < and > as control characters in every text object
    # and shows the three entities as the characters typed.
    assert plan["blocks"][0]["text"] == {"type": "plain_text", "emoji": True,
                                         "text": "Interview plan: &lt;!channel&gt; &amp; &lt;b&gt;"}


# --- the largest set a team may write ------------------------------------------------------


def test_the_largest_set_and_panel_fit_slacks_limits(world: World) -> None:
    fake, services = world.fake, world.services
    qs = big_set()
    assert qs.question_count == 150
    services.question_sets = QuestionSetLibrary([*services.question_sets.sets, qs])
    panel = [f"UBIG{i:02d}" for i in range(12)]
    for user_id in panel:
        fake.add_user(user_id, name=user_id.lower())
    view = open_setup(world)
    assert submit(world, view, valid_values(world, question_set="big:en",
                                            panel=panel)).json() is None
    plan = plan_in(world)
    assert "*0 of 12 scorecards in*" in dump(plan["blocks"])
    fake.wait_for(lambda: fake.ephemerals(RECRUITER))  # told once every kit is out
    interview = only_interview(world)
    focus = {p.user_id: p.focus_categories for p in interview.panelists}
    assert focus == assign_focus([c.id for c in qs.categories], panel)
    for user_id in panel:
        kit = kit_of(world, user_id)
        said = dump([m["blocks"] for m in kit])
        for category in qs.categories:
            mine = category.id in focus[user_id]
            for question in category.questions:
                assert (f"{question.text.split()[0]} " in said) == mine
                if mine:
                    assert f"{question.guidance.split()[0]} " in said
        assert all(len(m["blocks"]) <= 50 for m in kit)
    # The panelists with the two 40-question categories needed a thread.
    heavy = next(u for u, f in focus.items() if "cat-0" in f)
    assert len(kit_of(world, heavy)) > 1
    failures = [c for c in fake.calls() if not c["response"].get("ok")]
    assert failures == []
