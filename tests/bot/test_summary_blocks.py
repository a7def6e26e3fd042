"""Every debrief surface, rendered and sent through the local Slack fake (which rejects
anything over Slack's limits), for the largest panel and set a team may have, and the
worked example's words and numbers in English and Estonian."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import question_sets
from bot.core.question_sets import load_question_set_file
from bot.debrief import service as debrief
from bot.debrief.builders.decision import decision_modal
from bot.debrief.builders.full_scorecards import OVERVIEW, PAGE_ACTION, full_scorecards_modal
from bot.debrief.builders.summary import (
    debrief_summary_message,
    decision_announcement,
    nearest_label,
)
from bot.i18n import translator
from bot.slack.mrkdwn import escape
from models import DecisionOutcome, Interview, transaction
from tests.conftest import CHANNEL, LEAD, MARI, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import (
    LARGE_PANEL,
    MARI_SCORES,
    NASTY,
    PEETER_SCORES,
    PIA_SCORES,
    add_scorecard,
    largest_interview,
    largest_set,
    make_interview,
    shipped_set,
    summary_of,
    worked_example,
)


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def mrkdwn_of(blocks: list[dict[str, Any]]) -> str:
    """The text Slack parses for mentions (plain_text, e.g. the header, is shown as typed)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


def post(world: World, message: Any) -> dict[str, Any]:
    reply = world.services.client.chat_postMessage(channel=CHANNEL, text=message.text,
                                                   blocks=message.blocks)
    return world.fake.message(CHANNEL, str(reply["ts"]))


def open_modal(world: World, user: str, view: dict[str, Any]) -> dict[str, Any]:
    reply = world.services.client.views_open(trigger_id=world.fake.issue_trigger_id(user),
                                             view=view)
    return reply["view"]


# --- the largest panel ----------------------------------------------------------------------


def test_the_summary_of_the_largest_panel_fits_one_message(world: World) -> None:
    services = world.services
    summary = summary_of(services, largest_interview(services))
    message = debrief_summary_message(translator("en"), summary)
    assert len(message.blocks) <= 50
    posted = post(world, message)  # the fake refuses invalid or over-limit blocks
    text = text_of(posted["blocks"])
    assert text.count("agenda:cat-") == 10
    assert text.count("panelist:UPANEL") == 12
    mrkdwn = mrkdwn_of(posted["blocks"])
    assert "<!channel>" not in mrkdwn and "<!here>" not in mrkdwn
    assert "&lt;!channel&gt;" in mrkdwn
    assert "Secret" not in text  # private notes
    # Category notes show only as the evidence under split categories, clipped.
    assert "Note " * 50 in text and "Note " * 61 not in text
    assert "more in “Full scorecards”" in text


def test_full_scorecards_of_the_largest_panel_page_by_panelist(world: World) -> None:
    services = world.services
    interview_id = largest_interview(services)
    data = debrief.full_scorecards(services, TEAM, interview_id, LEAD)
    t = translator("en")
    names = {u: f"Panelist {u[-2:]}" for u in LARGE_PANEL}
    overview = open_modal(world, LEAD, full_scorecards_modal(t, data, names))
    select_block = next(b for b in overview["blocks"] if b.get("block_id") == "page")
    options = select_block["elements"][0]["options"]
    assert [o["value"] for o in options] == [OVERVIEW, *LARGE_PANEL]
    assert select_block["elements"][0]["action_id"] == PAGE_ACTION
    assert text_of(overview["blocks"]).count("Private note") == 12
    for user_id in LARGE_PANEL:
        page = full_scorecards_modal(t, data, names, page=user_id)
        view = world.services.client.views_update(view_id=overview["id"], view=page)["view"]
        text = text_of(view["blocks"])
        assert f"<@{user_id}>" in text and "Private note" in text
        assert "Question 14 of category 9?" in text, "every question rated is there"
        sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
        start = next(i for i, x in enumerate(sections) if "*Key takeaways:*" in x)
        end = next(i for i, x in enumerate(sections) if "_Private note" in x)
        takeaways = "".join([sections[start].split("\n", 2)[2], *sections[start + 1:end]])
        assert takeaways == escape((NASTY + " ") * 100), "the takeaways, every word"
        assert text.count("Secret") == 400, "the private note, every word"
        assert len(view["blocks"]) <= 100


def test_decision_modal_with_a_long_history_fits(world: World) -> None:
    services = world.services
    interview_id = largest_interview(services)
    for n in range(8):
        outcome = list(DecisionOutcome)[n % 3]
        debrief.record_decision(services, TEAM, interview_id, LEAD, outcome,
                                (NASTY + " ") * 90, f"V{n}")
    form = debrief.decision_form(services, TEAM, interview_id, LEAD)
    view = open_modal(world, LEAD, decision_modal(translator("en"), form))
    assert view["title"]["text"] == "Change decision"
    assert view["callback_id"] == "record_decision"
    radio = next(b for b in view["blocks"] if b.get("block_id") == "outcome")["element"]
    assert [o["value"] for o in radio["options"]] == ["hire", "no_hire", "hold"]
    assert radio["initial_option"]["value"] == list(DecisionOutcome)[7 % 3].value
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")
    assert reason["element"]["multiline"] and not reason.get("optional")
    summary = summary_of(services, interview_id)
    posted = post(world, debrief_summary_message(translator("en"), summary))
    assert "Changed 7 times" in text_of(posted["blocks"])


def test_the_largest_panel_re_rated_after_the_debrief_still_fits(world: World) -> None:
    """All 12 panelists saw the summary and then moved every category, each with a long
    reason: the summary (numbers, evidence, before → after) stays within a message's 50
    blocks, the decision modal (numbers, before → after, history) within a modal's 100."""
    services = world.services
    interview_id = largest_interview(services)
    with transaction(services.db) as session:
        interview = session.get_one(Interview, interview_id)
        interview.debrief_started_at = services.clock()
        for panelist in interview.panelists:
            panelist.saw_panel_at = services.clock()
    world.clock.advance(minutes=5)
    qs = largest_set()
    for i, user_id in enumerate(LARGE_PANEL):
        add_scorecard(services, interview_id, user_id,
                      {q.id: 5 if i % 2 else 1 for c in qs.categories for q in c.questions},
                      takeaways=(NASTY + " ") * 100,
                      category_notes={c.id: "Note " * 500 for c in qs.categories},
                      shift_reasons={c.id: (NASTY + " ") * 20 for c in qs.categories})
    summary = summary_of(services, interview_id)
    assert summary.before_after is not None and len(summary.before_after.rerated) == 12
    message = debrief_summary_message(translator("en"), summary)
    assert len(message.blocks) <= 50
    posted = text_of(post(world, message)["blocks"])
    assert "*After the discussion* (re-rated by" in posted and "Before the talk" in posted
    assert "(“&lt;!channel&gt;" in posted  # the reasons, shortened to fit

    for n in range(8):
        debrief.record_decision(services, TEAM, interview_id, LEAD,
                                list(DecisionOutcome)[n % 3], (NASTY + " ") * 90, f"V{n}")
    form = debrief.decision_form(services, TEAM, interview_id, LEAD)
    view = open_modal(world, LEAD, decision_modal(translator("en"), form))
    assert len(view["blocks"]) <= 100
    shown = text_of(view["blocks"])
    assert "before → after the discussion" in shown and "Before the talk" in shown


# --- the worked example, in words -----------------------------------------------------------


def agenda_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b.get("block_id", "").startswith("agenda:")]


def test_english_summary_of_the_worked_example(world: World) -> None:
    services = world.services
    summary = summary_of(services, worked_example(services))
    message = debrief_summary_message(translator("en"), summary)
    blocks = post(world, message)["blocks"]
    kinds = [b["type"] for b in blocks]
    assert ["divider", "divider"] not in [kinds[i:i + 2] for i in range(len(kinds))]
    headline = next(b for b in blocks if b.get("block_id") == "headline")["text"]["text"]
    assert "*Scorecards in:* 3 of 3 · everyone's is in" in headline
    assert "*Recommendations:* Strong hire 1 · Hire 1 · No hire 1 · Strong no hire 0" in headline
    assert "Split 1 · Mixed 1 · Consensus 1 · Too few ratings 2" in headline
    agenda = agenda_texts(blocks)
    assert [a.splitlines()[0] for a in agenda] == [
        "*1. Behavioural questions* — Split",
        "*2. Situational questions* — Mixed",
        "*3. Customer service questions* — Consensus",
        "*4. Personal questions* — Too few ratings",
        "*5. Questions about the company* — Too few ratings",
    ]
    # Two questions per category: too few to judge agreement (it takes 4 rated by 3).
    unjudged = "agreement not judged: fewer than 4 questions rated by 3 or more"
    assert agenda[0].splitlines()[1:] == [
        f"mean 3.0 (Adequate) · range 1.5 (Weak) – 4.5 (Excellent) · {unjudged} · 3 raters",
        f"1 of 3 rated high: <@{PIA}> 4.5 · 1 of 3 rated low: <@UPEETER> 1.5"
        " · 1 of 3 at the midpoint: <@UMARI> 3.0",
        "Split questions (rated clearly high by one panelist, clearly low by another): 2 of 2",
    ]
    assert agenda[1].splitlines()[1] == (
        f"mean 4.2 (Good) · range 3.5 (Good) – 5.0 (Excellent) · {unjudged} · 3 raters")
    assert "Split questions" not in agenda[1]
    assert unjudged in agenda[2] and "Split questions" not in agenda[2]
    assert "agreement not judged: fewer than 3 raters · 1 rater" in agenda[3]
    assert "Nobody rated this category." in agenda[4]
    text = text_of(blocks)
    assert ("Krippendorff's alpha (ordinal, over all question ratings): not judged, from only 18 "
            "paired ratings (it takes 20).") in text
    assert "Owned the &lt;!channel&gt; outage story &amp; fixed it." in text
    assert "Salary" not in text  # the private note stays private
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["text"]["text"]) for e in buttons] == [
        ("record_decision", "Record decision"), ("full_scorecards", "Full scorecards")]


def test_the_numbers_before_the_talk_and_the_evidence_under_a_split(world: World) -> None:
    """The worked example with notes: category means 4.0, 3.0, 4.17 and 3.0 (personal, Pia
    alone) combine to 3.54, "hire" (above 3 up to 4); Pia sits 0.78 from the panel on
    average, Peeter 0.56, Mari 0.22; the lead is not on the panel and speaks last. Pia's and
    Peeter's notes back their 5 and 1 in the split behavioural category; Pia's 5s in the
    mixed situational one are not quoted."""
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES,
                  category_notes={"behavioural": NASTY, "situational": "Calm with the angry one."})
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES,
                  category_notes={"behavioural": "No example,\n  none at all."})
    add_scorecard(services, interview_id, MARI, MARI_SCORES)
    blocks = post(world, debrief_summary_message(translator("en"), summary_of(
        services, interview_id)))["blocks"]
    assert blocks[2]["block_id"] == "numbers"
    assert blocks[2]["text"]["text"].splitlines() == [
        "*Before the talk:* The numbers say *Hire*: the category means combine to 3.54 on the "
        "1–5 scale.",
        f"*Suggested speaking order:* <@{PIA}> → <@{PEETER}> → <@{MARI}> → <@{LEAD}> (hiring "
        "lead): the panelist furthest from the panel's view first, the hiring lead last.",
    ]
    ids = [b.get("block_id", "") for b in blocks]
    evidence = blocks[ids.index("agenda:behavioural") + 1]
    assert evidence["type"] == "context"
    assert evidence["elements"][0]["text"].splitlines() == [
        "Evidence for the ratings at the ends of the scale:",
        f"<@{PIA}> (5): “{escape(NASTY)}”",
        f"<@{PEETER}> (1): “No example, none at all.”",
    ]
    assert "Calm with the angry one" not in text_of(blocks)
    assert blocks[ids.index("agenda:situational") + 1].get("block_id") != "evidence"


def test_estonian_summary_uses_decimal_commas_and_the_sets_labels(world: World) -> None:
    services = world.services
    summary = summary_of(services, worked_example(services, language="et"))
    qs = shipped_set(services, "et")
    blocks = post(world, debrief_summary_message(translator("et"), summary))["blocks"]
    agenda = agenda_texts(blocks)
    assert agenda[0].startswith(f"*1. {qs.category('behavioural').name}*")
    assert f"3,0 ({qs.scale_point(3).label})" in agenda[0]
    assert f"4,5 ({qs.scale_point(5).label})" in agenda[0]
    assert f"4,2 ({qs.scale_point(4).label})" in agenda[1]
    assert "3.0" not in agenda[0]
    assert "kooskõla ei hinnata: vähem kui 4 küsimust" in agenda[0]
    assert "Lahknevad küsimused" in agenda[0] and "2/2" in agenda[0]


# The issue's cases, on the shipped set: customer service, Pia and Peeter 1 against 5 in turns
# and Mari 3 throughout; behavioural, 3 throughout but Pia's 2 and Peeter's 4 on one question.
ISSUE_SCORES = {
    PIA: {"define-customer-service": 1, "good-service-meaning": 5, "enjoy-about-service": 1,
          "best-service-received": 5, "hardest-case": 2, "could-not-help": 3,
          "unhappy-to-happy": 3, "excellent-service-example": 3, "product-issues-supported": 3},
    PEETER: {"define-customer-service": 5, "good-service-meaning": 1, "enjoy-about-service": 5,
             "best-service-received": 1, "hardest-case": 4, "could-not-help": 3,
             "unhappy-to-happy": 3, "excellent-service-example": 3,
             "product-issues-supported": 3},
    MARI: {"define-customer-service": 3, "good-service-meaning": 3, "enjoy-about-service": 3,
           "best-service-received": 3, "hardest-case": 3, "could-not-help": 3,
           "unhappy-to-happy": 3, "excellent-service-example": 3, "product-issues-supported": 3},
}


def test_the_issues_panels_read_as_they_should(world: World) -> None:
    """Once "Customer service questions — Consensus … no agreement" and "Behavioural questions
    — Split … very strong agreement", first on the agenda (bot/core/consensus.py has the
    arithmetic: r*wg(J) -1.00 and 0.90)."""
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    for user_id, scores in ISSUE_SCORES.items():
        add_scorecard(services, interview_id, user_id, scores)
    blocks = post(world, debrief_summary_message(translator("en"), summary_of(
        services, interview_id)))["blocks"]
    agenda = agenda_texts(blocks)
    assert agenda[0].splitlines() == [
        "*1. Customer service questions* — Split",
        "mean 3.0 (Adequate) · range 3.0 (Adequate) – 3.0 (Adequate) · the panel does not agree"
        " (agreement index -1.00) · 3 raters",
        f"3 of 3 at the midpoint: <@{MARI}> 3.0, <@{PEETER}> 3.0, <@{PIA}> 3.0",
        "Split questions (rated clearly high by one panelist, clearly low by another): 4 of 4",
    ]
    assert agenda[1].splitlines() == [
        "*2. Behavioural questions* — Mixed",
        "mean 3.0 (Adequate) · range 2.8 (Adequate) – 3.2 (Adequate) · the panel agrees strongly"
        " (agreement index 0.90) · 3 raters",
        f"1 of 3 rated high: <@{PEETER}> 3.2 · 1 of 3 rated low: <@{PIA}> 2.8"
        f" · 1 of 3 at the midpoint: <@{MARI}> 3.0",
        "Split questions (rated clearly high by one panelist, clearly low by another): 1 of 5",
    ]
    # 9 questions rated by all three: 27 pairable values, enough to judge alpha.
    assert ("Across all questions, the panel does not agree on where the candidate was stronger"
            " and where weaker (Krippendorff's alpha -0.44).") in text_of(blocks)


def test_panelist_reader_gets_the_feedback_button_not_the_decision(world: World) -> None:
    summary = summary_of(world.services, worked_example(world.services))
    blocks = post(world, debrief_summary_message(translator("en"), summary,
                                                 organiser=False))["blocks"]
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["view_panel_feedback"]


def test_small_full_scorecards_show_everything_at_once(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    data = debrief.full_scorecards(services, TEAM, interview_id, RECRUITER)
    view = open_modal(world, RECRUITER, full_scorecards_modal(translator("en"), data, {}))
    text = text_of(view["blocks"])
    assert all(b.get("block_id") != "page" for b in view["blocks"])
    assert "Salary expectations are high." in text  # organisers see private notes
    assert "• How do you define customer service?: 4 · Good" in text
    assert "Behavioural questions* — 4.5 (Excellent)" in text


def test_the_decision_announcement_mentions_the_panel(world: World) -> None:
    services = world.services
    interview_id = worked_example(services)
    result = debrief.record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.NO_HIRE,
                                     NASTY, "V1", against_reason=NASTY)
    posted = post(world, decision_announcement(translator("en"), result))
    text = text_of(posted["blocks"])
    assert "Decision recorded by <@ULEAD>: *No hire*" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "<@UPIA>, <@UPEETER>, <@UMARI>" in text


@pytest.mark.parametrize(("mean", "label"), [(1.0, "Poor"), (1.49, "Poor"), (1.5, "Weak"),
                                             (2.5, "Adequate"), (4.4, "Good"),
                                             (4.5, "Excellent"), (5.0, "Excellent")])
def test_a_mean_takes_the_nearest_scale_label(mean: float, label: str) -> None:
    qs = load_question_set_file(Path(question_sets.__file__).parent / "customer-service.en.yaml")
    assert nearest_label(qs, mean) == label


def test_every_surface_names_the_interview(world: World) -> None:
    """The notification text (what a phone shows) says which interview it is."""
    services = world.services
    interview_id = worked_example(services)
    summary = summary_of(services, interview_id)
    message = debrief_summary_message(translator("en"), summary)
    assert message.text == f"Debrief summary: Mari Maasikas, interview {interview_id}"
