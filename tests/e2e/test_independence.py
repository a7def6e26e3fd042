"""Independence kept, and estimate-talk-estimate, end to end: signed requests to the real
app, answered through the local Slack fake (issue 20). The scores are the worked example's
(tests/bot/test_debrief.py): on behavioural questions Pia 5, 4 (4.5), Peeter 1, 2 (1.5),
Mari 3, 3 (3.0), a split."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.demo.slack_fake.simulator import FORM, Response
from models import Interview, transaction
from tests.conftest import CHANNEL, LEAD, MARI, PEETER, PIA, RECRUITER, TEAM, World
from tests.e2e.test_debrief import post_plan
from tests.factories import MARI_SCORES, PEETER_SCORES, PIA_SCORES, add_scorecard, make_interview
from tests.slack_steps import open_views, told, top_view


def crafted_click(world: World, user: str, action_id: str, value: str) -> Response:
    """A signed block_actions request carrying an action the user was never shown."""
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "name": user.lower(), "team_id": TEAM},
        "api_app_id": world.fake.app_id, "trigger_id": world.fake.issue_trigger_id(user),
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "hiring"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b",
                     "value": value, "action_ts": "1.000002"}],
    }
    return world.slack.send_raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM)


def debrief_started(world: World, interview_id: int) -> bool:
    """The summary's post is stored (its ts, the debrief's start, who has seen it)."""
    with transaction(world.services.db) as session:
        return session.get_one(Interview, interview_id).debrief_started_at is not None


def action_ids(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]]


def test_a_hiring_lead_on_the_panel_waits_for_their_own_scorecard(world: World) -> None:
    services, slack, fake = world.services, world.slack, world.fake
    interview_id = make_interview(services, panel=(LEAD, PIA, PEETER))
    plan_ts = post_plan(world, interview_id)
    add_scorecard(services, interview_id, PIA, PIA_SCORES)
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES)

    # "View panel feedback", crafted: refused, no modal.
    before = open_views(world, LEAD)
    assert crafted_click(world, LEAD, "view_panel_feedback", str(interview_id)).status == 200
    told(world, LEAD, "Submit your own scorecard first")
    assert open_views(world, LEAD) == before
    assert "Submit your own scorecard first" in slack.command(
        LEAD, f"summary {interview_id}").json()["text"]

    # "Start debrief" asks first; nothing is posted until they choose.
    slack.click(LEAD, "start_debrief", channel=CHANNEL, ts=plan_ts)
    warning = told(world, LEAD, f"Your own scorecard for interview {interview_id} is not in")
    assert action_ids(warning) == ["score_candidate", "start_debrief_anyway"]
    assert fake.thread(CHANNEL, plan_ts) == []
    slack.click(LEAD, "start_debrief_anyway", channel=CHANNEL)
    fake.wait_for(lambda: debrief_started(world, interview_id))

    # Their scorecard, saved after the summary was out, is marked and not counted.
    world.clock.advance(minutes=5)
    add_scorecard(services, interview_id, LEAD, PIA_SCORES)
    assert crafted_click(world, LEAD, "view_panel_feedback", str(interview_id)).status == 200
    top_view(world, LEAD, "panel_feedback", before)
    summary = slack.command(LEAD, f"summary {interview_id}").json()
    assert "changed after seeing the panel: not in the figures" in json.dumps(summary["blocks"])


def test_a_panelist_rerates_after_the_discussion(world: World) -> None:
    services, slack, fake = world.services, world.slack, world.fake
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI), focus={
        PIA: ["customer-service"], PEETER: ["behavioural"], MARI: ["situational"]})
    plan_ts = post_plan(world, interview_id)
    for user, scores, recommendation in ((PIA, PIA_SCORES, "strong_hire"),
                                         (PEETER, PEETER_SCORES, "no_hire"),
                                         (MARI, MARI_SCORES, "hire")):
        add_scorecard(services, interview_id, user, scores, recommendation=recommendation)
    slack.click(LEAD, "start_debrief", channel=CHANNEL, ts=plan_ts)
    summary = fake.wait_for(lambda: fake.thread(CHANNEL, plan_ts))[0]
    assert "rerate" in action_ids(summary)
    fake.wait_for(lambda: debrief_started(world, interview_id))
    world.clock.advance(minutes=30)  # the discussion

    # Only the panel re-rates.
    slack.click(RECRUITER, "rerate", channel=CHANNEL, ts=summary["ts"])
    told(world, RECRUITER, f"Only the panel of interview {interview_id} re-rates")

    # Peeter's scorecard opens prefilled; moving behavioural 2.5 points asks why.
    before = open_views(world, PEETER)
    slack.click(PEETER, "rerate", channel=CHANNEL, ts=summary["ts"])
    view = top_view(world, PEETER, "scorecard", before)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["q:hardest-case"]["element"]["initial_option"]["value"] == "1"
    hint = blocks["shift:behavioural"]["hint"]["text"]
    assert "When the debrief started you rated it 1.5" in hint
    moved = {"q:hardest-case": "4", "q:could-not-help": "4", "recommendation": "hire"}
    reply = slack.submit(PEETER, view["id"], moved).json()
    assert reply == {"response_action": "errors", "errors": {
        "shift:behavioural": "You moved “Behavioural questions” from 1.5 to 4.0: say why in "
                             "one line."}}
    reason = "Pia's <outage> story was a concrete STAR example"
    assert slack.submit(PEETER, view["id"], {**moved, "shift:behavioural": reason}).status == 200

    # The summary shows before → after, the figures stay those of the independent ratings.
    def after_the_talk() -> str | None:
        text = json.dumps(fake.message(CHANNEL, summary["ts"])["blocks"], ensure_ascii=False)
        return text if "After the discussion" in text else None

    text = fake.wait_for(after_the_talk)
    assert "*Behavioural questions*: Split → Mixed · mean 3.0 → 3.8" in text
    assert (f"<@{PEETER}> 1.5 → 4.0 (“Pia's &lt;outage&gt; story was a concrete STAR "
            "example”)") in text
    assert "*Recommendations:* Strong hire 1 · Hire 1 · No hire 1 · Strong no hire 0 → " \
           "Strong hire 1 · Hire 2 · No hire 0 · Strong no hire 0" in text
    assert "*1. Behavioural questions* — Split" in text
    assert "changed after seeing the panel: the figures use version 1" in text

    # The dot plot beside it is drawn again: Peeter's behavioural dot moved, hollow where it was.
    def replotted() -> dict[str, object] | None:
        files = fake.files(CHANNEL)
        return files[0] if len(files) == 1 and "→" in str(files[0]["alt_txt"]) else None

    plot = fake.wait_for(replotted)
    assert "peeter 1.5 → 4.0" in str(plot["alt_txt"])
    assert bytes(plot["content"]).startswith(b"\x89PNG")

    # The decision modal shows both.
    before = open_views(world, LEAD)
    slack.click(LEAD, "record_decision", channel=CHANNEL, ts=summary["ts"])
    modal = json.dumps(top_view(world, LEAD, "record_decision", before)["blocks"],
                       ensure_ascii=False)
    assert "The panel before → after the discussion" in modal
    assert "Behavioural questions: Split (mean 3.0) → Mixed (mean 3.8)" in modal
