"""Issue #11: an interview speaks its question set's language end to end.

One whole interview per language goes through the real app and the local Slack fake: the
setup modal, the plan and the kits, the scorecard modal (with a validation error), the
reminders, the debrief summary, `/interview summary`, the panel feedback and full
scorecards modals, the decision (recorded, then changed) and a locked scorecard. Everything
the app said about that interview is collected as plain text and checked:

- et and fi: no English fragment of the catalog appears anywhere (English is the catalog's
  source, so an English fragment is a string that missed its translation or went through
  the wrong translator); en is the control: there the fragments must be found;
- the texts the catalog gives for a few known messages, the set's own questions, and the
  number format (decimal comma in et and fi) are where they belong;
- Slack refused nothing (the fake answers ok:false to blocks over Slack's limits, so long
  translations that do not fit fail here).

The setup modal and App Home are workspace-level (DEFAULT_LANGUAGE, en here) and are left out
of that check; `/interview help` and App Home must speak DEFAULT_LANGUAGE. Replies about one
interview outside its surfaces (the debrief command's answer, a Slack failure told after a
click) are checked to be in the interview's language too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from sqlalchemy import select

from bot.catalogs import extract_template
from bot.core.question_sets import QuestionSet
from bot.demo.slack_fake.simulator import Response
from bot.i18n import Translator, catalog_path, translator
from bot.reminders import publish as reminders_publish
from bot.scorecards.service import (
    NOT_ASSESSED,
    PRIVATE_NOTE_BLOCK,
    RECOMMENDATION_BLOCK,
    TAKEAWAYS_BLOCK,
    category_note_block_id,
    rating_block_id,
)
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import start_debrief_button
from bot.slack.mrkdwn import escape, user
from models import Interview, Reminder, ReminderStatus, transaction
from tests.conftest import CHANNEL, LEAD, MARI, PEETER, PIA, RECRUITER, World
from tests.factories import make_interview, shipped_set

INTERVIEW_LANGUAGES = ["en", "et", "fi"]
TRANSLATED = ("et", "fi")

# What people type is not the app's text: kept free of English words, so that only the
# app's own words can trip the check.
CANDIDATE = "Mari Maasikas"
ROLE = "Klienditeenindaja"
NOTE = "Kohtumine Tallinnas"
TAKEAWAYS = {PIA: "Selge STAR-näide, rahulik.", PEETER: "Vastused üldsõnalised."}
PRIVATE_NOTE = "Palgasoov kõrge."
CATEGORY_NOTE = "Hea näide."
REASON = "Paneel arutas; STAR-näited veensid."
CHANGED_REASON = "Soovitajad enne."
WORKER = "language-test"

# Slack errors that are part of a normal flow (the plan's channel joined on the way).
EXPECTED_SLACK_ERRORS = frozenset({"not_in_channel"})
# Calls that carry text the app shows to people.
TEXT_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open",
                          "views.push", "views.update", "views.publish", "response_url",
                          # an upload's alt text and title (the summary's dot plot)
                          "files.getUploadURLExternal", "files.completeUploadExternal"})
# Workspace-level surfaces (DEFAULT_LANGUAGE), not part of any interview: these modals, and
# App Home (views of type "home").
WORKSPACE_CALLBACKS = frozenset({"new_interview"})

Said = list[tuple[str, str]]  # (where, text)


# --- collecting what the app said ------------------------------------------------------------


def texts_in(node: Any) -> list[str]:
    """Every string a person reads in a payload: message text, every text object (labels,
    titles, placeholders, options, hints, buttons) and a view_submission's errors."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "alt_text", "alt_txt", "title") and isinstance(value, str):
                found.append(value)
            elif key == "errors" and isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, str)]
            else:
                found += texts_in(value)
    elif isinstance(node, list):
        for value in node:
            found += texts_in(value)
    return found


def describe_call(number: int, call: dict[str, Any]) -> str:
    params = call["params"] if isinstance(call["params"], dict) else {}
    view = params.get("view") if isinstance(params.get("view"), dict) else {}
    target = (view.get("callback_id") or params.get("channel") or params.get("user")
              or params.get("thread_ts") or "")
    thread = " (thread)" if params.get("thread_ts") else ""
    return f"{call['method']} #{number} {target}{thread}".strip()


def said_through_the_api(world: World) -> Said:
    """Everything the app sent Slack: posts, updates, ephemerals, every modal opened, pushed
    or updated (not only the ones still open), response_url replies."""
    said: Said = []
    for number, call in enumerate(world.fake.calls()):
        if call["method"] not in TEXT_METHODS or not isinstance(call["params"], dict):
            continue
        view = call["params"].get("view")
        if isinstance(view, dict) and (view.get("type") == "home"
                                       or view.get("callback_id") in WORKSPACE_CALLBACKS):
            continue
        where = describe_call(number, call)
        said += [(where, text) for text in texts_in(call["params"])]
    return said


def refused_calls(world: World) -> list[str]:
    """Slack calls the fake answered ok:false (other than the expected ones)."""
    refused = []
    for number, call in enumerate(world.fake.calls()):
        response = call.get("response") or {}
        if response.get("ok") is False and response.get("error") not in EXPECTED_SLACK_ERRORS:
            refused.append(f"{describe_call(number, call)}: {response.get('error')} "
                           f"{json.dumps(response, ensure_ascii=False)[:600]}")
    return refused


# --- the catalog's English -------------------------------------------------------------------

PLACEHOLDER_OR_MARKUP = re.compile(r"\{[^{}]*\}|[*_`~<>\n]")
WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
EDGE = " \t,.;:·–—-()[]"


@cache
def catalog(language: str) -> Catalog | None:
    path = catalog_path(language)
    if not path.is_file():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=language)


def ids_of(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def strings_of(message_string: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if not message_string:
        return ()
    return tuple(s for s in ids_of(message_string) if s)


def fragments_of(text: str) -> list[str]:
    """The literal pieces of a message id between placeholders and markup that are clearly
    English: at least two words and eight letters."""
    found = []
    for piece in PLACEHOLDER_OR_MARKUP.split(text):
        piece = piece.strip(EDGE)
        if len(WORD.findall(piece)) >= 2 and sum(c.isalpha() for c in piece) >= 8:
            found.append(piece)
    return found


@cache
def english_messages() -> tuple[str | tuple[str, ...], ...]:
    """The English source of every message: the en catalog's, plus any the code has that
    the catalog does not have yet (extracted like `make catalogs` does)."""
    english = catalog("en")
    assert english is not None, f"no English catalog at {catalog_path('en')}"
    ids = [m.id for m in english if m.id]
    known = set(ids)
    return (*ids, *(m.id for m in extract_template() if m.id and m.id not in known))


@cache
def english_fragments(language: str) -> dict[str, list[str]]:
    """fragment -> the message ids it comes from. For et and fi, a fragment the translation
    of that very message also contains (a word both languages share, e.g. "STAR") is not
    evidence of English and is dropped."""
    target = None if language == "en" else catalog(language)
    fragments: dict[str, list[str]] = {}
    for message_id in english_messages():
        translated: tuple[str, ...] = ()
        if target is not None:
            found = target.get(message_id)
            translated = strings_of(found.string) if found is not None else ()
        for source in ids_of(message_id):
            for fragment in fragments_of(source):
                if language != "en" and any(fragment in s for s in translated):
                    continue
                fragments.setdefault(fragment, []).append(ids_of(message_id)[0])
    return fragments


def english_in(said: Said, language: str) -> list[str]:
    """`fragment` (from msgid ...) in <where>: <text>, for every English fragment found."""
    found = []
    for fragment, msgids in sorted(english_fragments(language).items()):
        for where, text in said:
            if fragment in text:
                sources = " or ".join(repr(m) for m in dict.fromkeys(msgids))
                found.append(f"{fragment!r} (msgid {sources}) in {where}: {text[:160]!r}")
                break
    return found


# --- driving the interview -------------------------------------------------------------------


@dataclass
class Run:
    """One interview, driven through the app, and the replies Slack got in HTTP answers
    (command acks, view_submission errors and page updates) that the fake does not keep."""

    world: World
    language: str
    acks: Said = field(default_factory=list)
    interview_id: int = 0
    plan_ts: str = ""
    summary_ts: str = ""
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # callback_id -> first one

    def answer(self, where: str, response: Response) -> Any:
        assert response.status == 200, (where, response.status, response.body)
        body = response.json()
        if body is not None:
            self.acks += [(f"ack of {where}", text) for text in texts_in(body)]
        return body

    def top_view(self, user_id: str, callback_id: str, before: set[str]) -> dict[str, Any]:
        fake = self.world.fake

        def opened() -> dict[str, Any] | None:
            stack = fake.view_stack(user_id)
            top = stack[-1] if stack else None
            if top and top["callback_id"] == callback_id and top["id"] not in before:
                return top
            return None

        view = fake.wait_for(opened)
        self.views.setdefault(callback_id, view)
        return view

    def click_for_view(self, user_id: str, action_id: str, callback_id: str,
                       **where: Any) -> dict[str, Any]:
        before = {v["id"] for v in self.world.fake.view_stack(user_id)}
        self.answer(f"{action_id} by {user_id}", self.world.slack.click(user_id, action_id,
                                                                          **where))
        return self.top_view(user_id, callback_id, before)

    def move_clock_to(self, moment: datetime) -> datetime:
        return self.world.clock.advance(seconds=(moment - self.world.clock()).total_seconds())

    def remind(self, *kinds: str) -> None:
        """Send the reminders due now, as the scheduler's job does."""
        outcomes = reminders_publish.process_due(self.world.services, self.world.clock(), WORKER)
        sent = {o.kind.split(":")[0] for o in outcomes if o.status == "sent"}
        assert set(kinds) <= sent, [(o.kind, o.recipient_id, o.status, o.detail)
                                    for o in outcomes]


def interview_row(world: World, interview_id: int | None = None) -> Interview | None:
    with transaction(world.services.db) as session:
        query = select(Interview).order_by(Interview.id.desc())
        if interview_id is not None:
            query = query.where(Interview.id == interview_id)
        row = session.scalars(query).first()
        if row is not None:
            _ = [p.focus_categories for p in row.panelists]
            session.expunge(row)
        return row


def ratings(qs: QuestionSet, score: str) -> dict[str, str]:
    return {rating_block_id(q.id): score for c in qs.categories for q in c.questions}


def set_up(run: Run) -> None:
    """`/interview new`, the set chosen in the run's language: the plan and the kits."""
    world = run.world
    fake, slack = world.fake, world.slack
    before = {v["id"] for v in fake.view_stack(RECRUITER)}
    run.answer("/interview new", slack.command(RECRUITER, f"new {CANDIDATE}"))
    setup = run.top_view(RECRUITER, "new_interview", before)
    start = int((world.clock() + timedelta(hours=1)).replace(second=0, microsecond=0)
                .timestamp())
    values = {"role": ROLE, "question_set": f"customer-service:{run.language}",
              "panel": [PIA, PEETER, MARI], "hiring_lead": LEAD, "starts_at": start,
              "length": "60", "debrief_at": start + 86400, "note": NOTE}
    assert run.answer("the setup modal", slack.submit(RECRUITER, setup["id"], values)) is None
    row = fake.wait_for(lambda: (r := interview_row(world)) and r.plan_ts and r)
    assert row.language == run.language
    run.interview_id, run.plan_ts = row.id, row.plan_ts
    fake.wait_for(lambda: all(fake.dms(u) for u in (PIA, PEETER, MARI)))
    fake.wait_for(lambda: fake.ephemerals(RECRUITER))  # "Interview N is set up"


def score(run: Run, user_id: str, value: str, *, from_channel: str, ts: str | None = None,
          mistake_first: bool = False) -> None:
    """A panelist presses "Score candidate" and submits; optionally a mistake first (their
    focus categories left unrated, blank takeaways), answered next to the fields."""
    world = run.world
    qs = shipped_set(world.services, run.language)
    where = {"channel": from_channel, "value": str(run.interview_id)}
    if ts:
        where = {"channel": from_channel, "ts": ts}
    view = run.click_for_view(user_id, "score_candidate", "scorecard", **where)
    dms = len(world.fake.dms(user_id))
    if mistake_first:
        wrong = {**ratings(qs, NOT_ASSESSED), RECOMMENDATION_BLOCK: "hire",
                 TAKEAWAYS_BLOCK: "   "}
        errors = run.answer(f"scorecard of {user_id}", world.slack.submit(user_id, view["id"],
                                                                           wrong))
        assert errors["response_action"] == "errors"
        assert TAKEAWAYS_BLOCK in errors["errors"] and len(errors["errors"]) >= 2
    values = {**ratings(qs, value), RECOMMENDATION_BLOCK: "hire",
              TAKEAWAYS_BLOCK: TAKEAWAYS[user_id],
              category_note_block_id(qs.categories[0].id): CATEGORY_NOTE}
    if user_id == PIA:
        values[PRIVATE_NOTE_BLOCK] = PRIVATE_NOTE
    reply = run.answer(f"scorecard of {user_id}", world.slack.submit(user_id, view["id"], values))
    assert reply is None  # the modal closes
    world.fake.wait_for(lambda: len(world.fake.dms(user_id)) > dms)  # the receipt


def debrief(run: Run) -> None:
    """Reminders up to the debrief, which posts the summary; "Start debrief" refreshes it."""
    world = run.world
    fake, slack = world.fake, world.slack
    row = interview_row(world, run.interview_id)
    assert row is not None
    run.move_clock_to(row.debrief_at - timedelta(minutes=60))
    run.remind("last", "lead_missing")
    score(run, PEETER, "3", from_channel=PEETER)  # from the reminder's own button
    run.move_clock_to(row.debrief_at + timedelta(minutes=1))
    run.remind("debrief", "debrief_lead")
    run.summary_ts = fake.wait_for(lambda: fake.thread(CHANNEL, run.plan_ts, shares=False))[0]["ts"]
    run.answer("start_debrief", slack.click(LEAD, "start_debrief", channel=CHANNEL,
                                            ts=run.plan_ts))
    fake.wait_for(lambda: fake.message(CHANNEL, run.summary_ts)["edits"])


def read_and_decide(run: Run) -> None:
    world = run.world
    fake, slack = world.fake, world.slack
    for reader in (PIA, LEAD):
        # The summary is the ack's answer, ephemeral.
        reply = run.answer(f"/interview summary by {reader}",
                           slack.command(reader, f"summary {run.interview_id}"))
        assert reply["response_type"] == "ephemeral" and reply.get("blocks"), reply
    feedback = run.click_for_view(PIA, "view_panel_feedback", "panel_feedback", channel=PIA)
    fake.close_view(PIA, feedback["id"])
    full = run.click_for_view(LEAD, "full_scorecards", "full_scorecards", channel=CHANNEL,
                              ts=run.summary_ts)
    fake.close_view(LEAD, full["id"])

    modal = run.click_for_view(RECRUITER, "record_decision", "record_decision",
                               channel=CHANNEL, ts=run.summary_ts)
    errors = run.answer("the decision modal", slack.submit(
        RECRUITER, modal["id"], {"outcome": "hire", "reason": "   "}))
    assert errors["response_action"] == "errors"
    assert run.answer("the decision modal", slack.submit(
        RECRUITER, modal["id"], {"outcome": "hire", "reason": REASON})) is None
    fake.wait_for(lambda: len(fake.thread(CHANNEL, run.plan_ts, shares=False)) >= 2)
    fake.wait_for(lambda: "decision" in {b.get("block_id") for b in fake.message(
        CHANNEL, run.summary_ts)["blocks"]})

    # Too late to score: the panelist is told the scorecards are locked.
    told = len(fake.ephemerals(PIA))
    run.answer("score_candidate after the decision", slack.click(
        PIA, "score_candidate", channel=CHANNEL, ts=run.plan_ts))
    fake.wait_for(lambda: len(fake.ephemerals(PIA)) > told)

    # The hiring lead changes it: a second modal, a second note in the thread.
    before = {v["id"] for v in fake.view_stack(LEAD)}
    run.answer("record_decision by the lead", slack.click(
        LEAD, "record_decision", channel=CHANNEL, ts=run.summary_ts))
    change = run.top_view(LEAD, "record_decision", before)
    assert run.answer("the change modal", slack.submit(
        LEAD, change["id"], {"outcome": "hold", "reason": CHANGED_REASON})) is None
    fake.wait_for(lambda: len(fake.thread(CHANNEL, run.plan_ts, shares=False)) >= 3)


def run_interview(world: World, language: str) -> Run:
    run = Run(world, language)
    set_up(run)
    row = interview_row(world, run.interview_id)
    assert row is not None
    # An hour after the interview: Pia scores from the plan (a mistake first), the others
    # are reminded.
    run.move_clock_to(row.ends_at + timedelta(minutes=65))
    score(run, PIA, "4", from_channel=CHANNEL, ts=run.plan_ts, mistake_first=True)
    run.remind("first")
    debrief(run)
    read_and_decide(run)
    with transaction(world.services.db) as session:
        statuses = set(session.scalars(select(Reminder.status).where(
            Reminder.interview_id == run.interview_id)))
    assert ReminderStatus.FAILED not in statuses
    return run


# --- what to find where ----------------------------------------------------------------------


def texts_of_messages(messages: Iterable[dict[str, Any]]) -> list[str]:
    return [text for m in messages for text in texts_in({"text": m["text"],
                                                         "blocks": m["blocks"]})]


def expectations(run: Run, t: Translator) -> list[tuple[str, list[str], list[str]]]:
    """(surface, texts it must contain, its texts): the catalog's words for known messages
    and the set's own questions, each on the surface it belongs to."""
    fake = run.world.fake
    qs = shipped_set(run.world.services, run.language)
    row = interview_row(run.world, run.interview_id)
    assert row is not None
    pia_focus = next(p.focus_categories for p in row.panelists if p.user_id == PIA)
    plan = texts_of_messages([fake.message(CHANNEL, run.plan_ts)])
    kit = texts_of_messages(x for m in fake.dms(PIA) for x in [m, *fake.thread(PIA, m["ts"])])
    modal = texts_in(run.views["scorecard"])
    reminders_to_peeter = texts_of_messages(fake.dms(PEETER))
    to_lead = texts_of_messages(fake.dms(LEAD))
    summary = texts_of_messages([fake.message(CHANNEL, run.summary_ts)])
    thread = texts_of_messages(fake.thread(CHANNEL, run.plan_ts, shares=False)[1:])
    decision_modal = texts_in(run.views["record_decision"])
    return [
        ("plan", [t._("Score candidate"), t._("Start debrief"),
                  t._("Interview plan: {candidate}", candidate=CANDIDATE)], plan),
        ("Pia's kit", [q.text for c in qs.categories if c.id in pia_focus
                       for q in c.questions] + [t._("Score candidate")], kit),
        ("scorecard modal", [q.text for c in qs.categories for q in c.questions]
         + [t._("Scorecard"), t._("Overall recommendation"), t._("Not assessed")], modal),
        ("reminders to Peeter", [t._("Please score {candidate} while the interview is fresh.",
                                     candidate=escape(CANDIDATE)),
                                 t._("Last reminder: your scorecard for {candidate} is still "
                                     "missing.", candidate=escape(CANDIDATE))],
         reminders_to_peeter),
        ("the hiring lead's DMs", [t.ngettext("{n} scorecard still missing for the debrief",
                                              "{n} scorecards still missing for the debrief",
                                              1)], to_lead),
        ("summary", [t._("Debrief: {candidate} · {role}", candidate=CANDIDATE, role=ROLE),
                     t._("*Scorecards in:* {done} of {total}", done=2, total=3),
                     t._("Full scorecards")], summary),
        ("decision modal", [t._("Record decision"), t._("Reason")], decision_modal),
        ("decision in the thread", [t._("Decision recorded by {who}: *{outcome}*. Reason: "
                                        "{reason}", who=user(RECRUITER), outcome=t._("Hire"),
                                        reason=escape(REASON))], thread),
    ]


# Messages whose translation the positive checks rely on: in et and fi they must differ from
# the English (else the check above would pass on English text).
KNOWN_MSGIDS = ("Score candidate", "Start debrief", "Interview plan: {candidate}", "Scorecard",
                "Overall recommendation", "Not assessed",
                "Please score {candidate} while the interview is fresh.",
                "Debrief: {candidate} · {role}", "Full scorecards", "Record decision",
                "Reason", "Hire")


def language_problems(run: Run) -> list[str]:
    language, fake = run.language, run.world.fake
    t = translator(language)
    problems = []
    if language in TRANSLATED:
        problems += [f"the {language} catalog has no translation of {m!r}"
                     for m in KNOWN_MSGIDS if t._(m) == m]
    for surface, wanted, texts in expectations(run, t):
        everything = "\n".join(texts)
        problems += [f"{surface}: {w!r} missing" for w in wanted if w not in everything]
    # A category mean of 4 and 3 is 3.5: a decimal comma in et and fi, a point in en.
    summary = "\n".join(texts_of_messages([fake.message(CHANNEL, run.summary_ts)]))
    point, comma = "3.5", "3,5"
    shown, not_shown = (comma, point) if language in TRANSLATED else (point, comma)
    if shown not in summary or re.search(rf"\b{re.escape(not_shown)}\b", summary):
        problems.append(f"summary: expected {shown!r} (not {not_shown!r}) for the category "
                        f"means: {summary[:600]!r}")
    return problems


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", INTERVIEW_LANGUAGES)
def test_an_interview_speaks_its_sets_language_end_to_end(world: World, language: str) -> None:
    run = run_interview(world, language)
    assert refused_calls(world) == [], "Slack refused calls (over a limit?)"

    said = said_through_the_api(world) + run.acks
    assert len(said) > 100  # every surface was collected
    assert any(where.startswith("files.") for where, _ in said)  # the dot plot's words too
    english = english_in(said, language)
    if language == "en":
        # The control: the same check finds the catalog's English in an English interview.
        assert len(english) > 40, english
        assert language_problems(run) == []
        return
    problems = language_problems(run)
    report = [f"untranslated English: {line}" for line in english] + problems
    assert report == [], f"{len(english)} English fragments, {len(problems)} other problems " \
                         f"in the {language} interview:\n" + "\n".join(report)


@pytest.mark.parametrize("language", [
    pytest.param("en", id="en-default"),
    pytest.param("et", marks=pytest.mark.settings(DEFAULT_LANGUAGE="et"), id="et"),
    pytest.param("fi", marks=pytest.mark.settings(DEFAULT_LANGUAGE="fi"), id="fi"),
])
def test_help_and_app_home_speak_the_workspace_language(world: World, language: str) -> None:
    """Workspace-level text follows DEFAULT_LANGUAGE, whatever language the interviews
    listed on App Home speak (this one is Estonian)."""
    t = translator(language)
    make_interview(world.services, language="et", panel=(PIA, RECRUITER))
    reply = world.slack.command(RECRUITER, "help").json()
    assert reply["response_type"] == "ephemeral"
    world.slack.home_opened(RECRUITER)
    home = world.fake.wait_for(lambda: world.fake.home(RECRUITER))
    said = ([("/interview help", text) for text in texts_in(reply)]
            + [("App Home", text) for text in texts_in(home)])
    everything = "\n".join(text for _, text in said)
    known = ("Structured panel interviews", "Show this help.", "Your interviews",
             "Scorecards I owe")
    missing = [f"{t._(m)!r} missing" for m in known if t._(m) not in everything]
    assert missing == [], missing
    assert refused_calls(world) == []
    english = english_in(said, language)
    if language == "en":
        assert english
        return
    untranslated = [f"the {language} catalog has no translation of {m!r}" for m in known
                    if t._(m) == m]
    assert english + untranslated == [], "\n".join(english + untranslated)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_debrief_command_answers_in_the_interviews_language(world: World,
                                                                 language: str) -> None:
    interview_id = make_interview(world.services, language=language)
    reply = world.slack.command(LEAD, f"debrief {interview_id}").json()
    t = translator(language)
    assert reply["text"] == t._("Posting the debrief summary of interview {id} in its thread…",
                                id=interview_id)
    world.fake.wait_for(lambda: world.fake.messages(CHANNEL))  # the summary itself


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_summary_slack_refused_is_told_in_the_interviews_language(world: World,
                                                                    language: str) -> None:
    t = translator(language)
    interview_id = make_interview(world.services, language=language)
    button = start_debrief_button(t, interview_id)
    world.services.client.chat_postMessage(channel=CHANNEL, text="plan",
                                           blocks=to_dicts([actions(button)]))
    world.fake.fail_next("chat.postMessage", "is_archived", status=200)
    world.slack.click(LEAD, "start_debrief", channel=CHANNEL, value=str(interview_id))
    told = world.fake.wait_for(lambda: world.fake.ephemerals(LEAD))
    assert told[0]["text"] == t._("Slack did not take the summary ({error}); try again in a "
                                  "moment.", error="is_archived")
