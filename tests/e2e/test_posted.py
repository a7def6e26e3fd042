"""What the bot posts about a candidate, end to end with a hostile candidate: every text
it sends (each message's notification `text` and every text object of its blocks and
views, whatever the kind) carries what people typed escaped; and once the candidate is
deleted, no name, note, takeaway, rating or file of theirs is left in Slack (the messages
and files people see, the App Homes) nor in any table of the database.

One interview walks every kind of message and file (plan, kits and their pages, thread
notes, notices, a removed panelist's kit, confirmation DMs, a reminder, panel feedback,
App Home, /interview list, the summary and its dot plot, full scorecards, the decision, an
export, the delete confirmation and its answer), so the suite pays for one setup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import inspect, select, text

from bot.reminders.publish import process_due
from bot.slack.mrkdwn import escape
from models import Event, Interview, PostedKind, PostedMessage, transaction
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, World
from tests.factories import shipped_set
from tests.slack_steps import open_views, picked_time, told, top_view

# Typed by users: markup that would ping, mention, link and bold if it were not escaped.
HOSTILE = "<!channel> <@U123> <https://evil.example|click> *b* &amp;"
RAW_MARKUP = ("<!channel>", "<@U123>", "<https://evil.example")
# Each typed text carries a word of its own, to say which one is left where.
TYPED = {
    "name": f"Xanthippe {HOSTILE}",
    "role": f"Quibbler {HOSTILE}",
    "link": "https://ats.example.com/xv-4417",
    "note": f"Bluemeeting {HOSTILE}",
    "takeaways": f"Zeppelin {HOSTILE}",
    "private": f"Salary987 {HOSTILE}",
    "category": f"Napkin {HOSTILE}",
    "reason": f"Narwhal {HOSTILE}",
}
WORDS = {"Xanthippe", "Quibbler", "xv-4417", "Bluemeeting", "Zeppelin", "Salary987",
         "Napkin", "Narwhal"}
PANEL = [PIA, PEETER, MARI]


# --- what the fake recorded ------------------------------------------------------------------


def sent_texts(world: World, acks: list[Any]) -> Iterator[tuple[str, str]]:
    """(method, text) for every text the app sent Slack: a message's `text` and initial
    comment, and every text object (plain_text or mrkdwn) anywhere in its params: blocks,
    views (titles, buttons, labels, options), response_url payloads; and in the answers
    to slash commands (`acks`, method "ack"), which go back in the HTTP response."""
    calls = [*world.fake.calls(), *({"method": "ack", "params": a} for a in acks)]
    for call in calls:
        params = call["params"] or {}
        for key in ("text", "initial_comment"):
            if isinstance(params.get(key), str):
                yield call["method"], params[key]
        yield from ((call["method"], t) for t in _text_objects(params))


def _text_objects(data: Any) -> Iterator[str]:
    if isinstance(data, str) and data[:1] in "[{":
        try:
            data = json.loads(data)
        except ValueError:
            return
    if isinstance(data, dict):
        if data.get("type") in ("plain_text", "mrkdwn") and isinstance(data.get("text"), str):
            yield data["text"]
        for value in data.values():
            yield from _text_objects(value)
    elif isinstance(data, list):
        for value in data:
            yield from _text_objects(value)


def unescaped(world: World, acks: list[Any]) -> list[tuple[str, str]]:
    """The texts that carry typed markup as markup: raw <...> or an & not escaped."""
    return [(method, shown[:300]) for method, shown in sent_texts(world, acks)
            if any(raw in shown for raw in RAW_MARKUP)
            or shown.count("*b* &") != shown.count("*b* &amp;amp;")]


def shown_in_slack(world: World) -> str:
    """Everything people can see now: every message in every conversation (threads
    included) with its files, every file, every App Home and open modal."""
    fake = world.fake
    with fake._lock:  # the fake's own state, read whole
        messages = [m for ms in fake._messages.values() for m in ms]
        shown = [[m["text"], m["blocks"], m.get("files")] for m in messages]
    shown += [fake.files()]
    users = [RECRUITER, LEAD, PIA, PEETER, MARI, OUTSIDER]
    shown += [fake.home(u) for u in users] + [fake.view_stack(u) for u in users]
    return json.dumps(shown, ensure_ascii=False, default=repr)


def stored(world: World) -> str:
    """Every value of every table in the database, as text."""
    engine = world.services.engine
    parts: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                parts += [json.dumps(v, default=str, ensure_ascii=False)
                          if isinstance(v, dict | list) else str(v) for v in row]
    return "\n".join(parts)


# --- steps -----------------------------------------------------------------------------------


def interview(world: World, interview_id: int) -> Interview:
    with transaction(world.services.db) as session:
        found = session.get_one(Interview, interview_id)
        _ = [p.kit_ts for p in found.panelists]
        session.expunge_all()
        return found


def create(world: World) -> int:
    """`/interview new` as the recruiter types it; waits for the plan and every kit."""
    before = open_views(world, RECRUITER)
    world.slack.command(RECRUITER, f"new {TYPED['name']}")
    view = top_view(world, RECRUITER, "new_interview", before)
    world.slack.submit(RECRUITER, view["id"], {
        "role": TYPED["role"], "question_set": "customer-service:en", "panel": PANEL,
        "hiring_lead": LEAD, "channel": CHANNEL, "starts_at": picked_time(world, days=2),
        "length": "60", "debrief_at": picked_time(world, days=3), "link": TYPED["link"],
        "note": TYPED["note"]})

    def ready() -> int | None:
        with transaction(world.services.db) as session:
            found = session.scalars(select(Interview)).first()
            if found and found.plan_ts and all(p.kit_ts for p in found.panelists):
                return found.id
        return None

    return world.fake.wait_for(ready)


def command(world: World, acks: list[Any], user: str, text: str) -> None:
    """A slash command; its answer (the HTTP response) kept in `acks`."""
    response = world.slack.command(user, text)
    assert response.status == 200
    acks.append(response.json())


def thread_says(world: World, interview_id: int, words: str) -> None:
    plan_ts = interview(world, interview_id).plan_ts
    assert plan_ts
    world.fake.wait_for(lambda: any(words in m["text"]
                                    for m in world.fake.thread(CHANNEL, plan_ts)))


def modal_from_menu(world: World, user: str, interview_id: int, action: str,
                    callback_id: str) -> dict[str, Any]:
    before = open_views(world, user)
    world.slack.click(user, "plan_menu", channel=CHANNEL, ts=interview(world, interview_id)
                      .plan_ts, selected=f"{action}:{interview_id}")
    return top_view(world, user, callback_id, before)


def score(world: World, user: str, interview_id: int) -> None:
    """The panelist scores in the modal, everything typed hostile; waits for their DM."""
    qs = shipped_set(world.services)
    before = open_views(world, user)
    world.slack.click(user, "score_candidate", channel=CHANNEL, value=str(interview_id))
    view = top_view(world, user, "scorecard", before)
    values = {f"q:{q.id}": "4" for c in qs.categories for q in c.questions}
    values |= {f"note:{c.id}": TYPED["category"] for c in qs.categories}
    values |= {"recommendation": "hire", "takeaways": TYPED["takeaways"],
               "private_note": TYPED["private"]}
    assert world.slack.submit(user, view["id"], values).json() is None
    world.fake.wait_for(lambda: any("Your scorecard" in m["text"]
                                    for m in world.fake.dms(user)))


def posted_kinds(world: World) -> set[PostedKind]:
    with transaction(world.services.db) as session:
        return set(session.scalars(select(PostedMessage.kind)))


# --- the test --------------------------------------------------------------------------------


def test_typed_text_is_escaped_everywhere_and_a_delete_leaves_nothing(world: World) -> None:
    fake, slack, services = world.fake, world.slack, world.services
    acks: list[Any] = []
    interview_id = create(world)

    # Changes the panel is told about in the plan's thread, answered with notices.
    command(world, acks, RECRUITER, f"reschedule {interview_id}")
    view = top_view(world, RECRUITER, "reschedule_interview")
    slack.submit(RECRUITER, view["id"], {"debrief_at": picked_time(world, days=4)})
    thread_says(world, interview_id, "Rescheduled by")
    view = modal_from_menu(world, LEAD, interview_id, "add_panelist", "add_panelist")
    slack.submit(LEAD, view["id"], {"panelist": OUTSIDER})
    fake.wait_for(lambda: interview(world, interview_id).panelists[-1].kit_ts)
    view = modal_from_menu(world, LEAD, interview_id, "remove_panelist", "remove_panelist")
    slack.submit(LEAD, view["id"], {"panelist": OUTSIDER})
    thread_says(world, interview_id, f"removed <@{OUTSIDER}>")

    # After the interview: two scorecards (confirmation DMs), a reminder to the third,
    # panel feedback, the App Home and the list.
    world.clock.advance(days=2, hours=2)
    score(world, PIA, interview_id)
    score(world, PEETER, interview_id)
    ends = interview(world, interview_id).ends_at
    assert [o.status for o in process_due(services, ends + timedelta(hours=2), "t")
            if o.recipient_id == MARI] == ["sent"]
    before = open_views(world, PIA)
    slack.click(PIA, "view_panel_feedback", channel=fake.dm_channel(PIA))
    slack.close(PIA, top_view(world, PIA, "panel_feedback", before)["id"])
    slack.home_opened(LEAD)
    fake.wait_for(lambda: "Xanthippe" in json.dumps(fake.home(LEAD)))
    command(world, acks, LEAD, "list")

    # The debrief: summary, full scorecards, the decision; then an export.
    command(world, acks, LEAD, f"debrief {interview_id}")
    fake.wait_for(lambda: interview(world, interview_id).summary_ts)
    summary_ts = interview(world, interview_id).summary_ts
    before = open_views(world, LEAD)
    slack.click(LEAD, "full_scorecards", channel=CHANNEL, ts=summary_ts)
    slack.close(LEAD, top_view(world, LEAD, "full_scorecards", before)["id"])
    before = open_views(world, LEAD)
    slack.click(LEAD, "record_decision", channel=CHANNEL, ts=summary_ts)
    view = top_view(world, LEAD, "record_decision", before)
    slack.submit(LEAD, view["id"], {"outcome": "hire", "reason": TYPED["reason"]})
    thread_says(world, interview_id, "Decision on interview")
    command(world, acks, RECRUITER, f"export {interview_id}")
    fake.wait_for(lambda: len(fake.files(RECRUITER)) == 2)

    # Every kind of message and file is out and recorded (a kit this short has no pages:
    # tests/bot/test_lifecycle.py erases those), and every text escaped.
    every_kind = set(PostedKind) - {PostedKind.MESSAGE, PostedKind.KIT_PAGE}
    fake.wait_for(lambda: posted_kinds(world) == every_kind)
    assert unescaped(world, acks) == []
    assert all(word in shown_in_slack(world) for word in WORDS - {"xv-4417"})
    assert all(word in stored(world) for word in WORDS)
    escaped = escape(HOSTILE)
    carried = {method for method, shown in sent_texts(world, acks) if escaped in shown}
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish",
            "ack"} <= carried

    [chart] = [f["id"] for f in fake.files(CHANNEL) if f["filename"].endswith(".png")]

    # The delete: the confirmation names the candidate and says what it cannot reach.
    command(world, acks, RECRUITER, f"delete {interview_id}")
    view = top_view(world, RECRUITER, "delete_interview")
    confirmation = json.dumps(view["blocks"], ensure_ascii=False)
    assert "Xanthippe" in confirmation and "Out of my reach" in confirmation
    slack.submit(RECRUITER, view["id"])
    answer = told(world, RECRUITER, f"interview {interview_id} is deleted")
    assert "Out of my reach" in answer["text"] and "by hand" not in answer["text"]
    people = [RECRUITER, LEAD, *PANEL, OUTSIDER]
    fake.wait_for(lambda: not any(word in json.dumps(fake.home(u)) for u in people
                                  for word in WORDS))

    assert unescaped(world, acks) == []
    left = shown_in_slack(world)
    assert [word for word in WORDS if word in left] == []
    qs = shipped_set(services)
    assert [p.label for p in qs.scale if f"{p.value} · {p.label}" in left] == []  # ratings
    assert fake.files() == []
    assert chart in [c["params"]["file"] for c in fake.calls("files.delete")]  # the dot plot
    database = stored(world)
    assert [word for word in WORDS if word in database] == []
    with transaction(services.db) as session:
        assert session.scalars(select(PostedMessage)).all() == []
        events = session.scalars(select(Event).where(Event.interview_id == interview_id))
        assert [(e.kind, e.actor_id, e.detail) for e in events] == [
            ("deleted", RECRUITER, {"reason": "request"})]
        assert session.scalar(text("SELECT count(*) FROM ratings")) == 0
    # Gone for everyone: the number is unknown now.
    for asked in (f"export {interview_id}", f"delete {interview_id}"):
        assert "no interview" in slack.command(RECRUITER, asked).json()["text"]
