"""A candidate's two-round loop through Slack: set up round 1, add round 2 from
`/interview new` by picking the candidate, score both, reminders per round, one debrief in
the latest round's thread, the decision, export and deletion of every round."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.reminders.publish import process_due
from models import Candidate, Interview, InterviewStatus, transaction
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, World
from tests.factories import add_scorecard, shipped_set
from tests.slack_steps import open_views, picked_time, said_to, told, top_view

SCREEN = {"define-customer-service": 4, "good-service-meaning": 5}


def interview(world: World, interview_id: int) -> Interview:
    with transaction(world.services.db) as session:
        found = session.get_one(Interview, interview_id)
        _ = [p.scorecard for p in found.panelists]
        session.expunge_all()
        return found


def wait_published(world: World, name: str, round_number: int) -> int:
    """The round's id, once its plan and every kit are out."""
    def ready() -> int | None:
        with transaction(world.services.db) as session:
            found = session.scalars(select(Interview).join(Interview.candidate).where(
                Candidate.name == name, Interview.round_number == round_number)).first()
            if found and found.plan_ts and all(p.kit_ts for p in found.panelists):
                return found.id
        return None

    return world.fake.wait_for(ready)


def plan(world: World, interview_id: int) -> dict[str, Any]:
    ts = interview(world, interview_id).plan_ts
    assert ts
    return world.fake.message(CHANNEL, ts)


def shown(message: dict[str, Any]) -> str:
    return json.dumps([message.get("text"), message["blocks"]], ensure_ascii=False)


def first_round(world: World) -> int:
    before = open_views(world, RECRUITER)
    world.slack.command(RECRUITER, "new Ada Lovelace")
    view = top_view(world, RECRUITER, "new_interview", before)
    assert "earlier_candidate" not in shown(view)  # nobody to add a round for yet
    world.slack.submit(RECRUITER, view["id"], {
        "role": "Support engineer", "question_set": "customer-service:en",
        "panel": [PIA, PEETER], "hiring_lead": LEAD, "channel": CHANNEL,
        "starts_at": picked_time(world, days=1), "length": "60",
        "debrief_at": picked_time(world, days=2)})
    return wait_published(world, "Ada Lovelace", 1)


def second_round(world: World, candidate_id: int) -> int:
    """`/interview new`, Ada picked at the top: the modal becomes her next round."""
    before = open_views(world, RECRUITER)
    world.slack.command(RECRUITER, "new")
    view = top_view(world, RECRUITER, "new_interview", before)
    assert view["title"]["text"] == "New interview"
    world.slack.click(RECRUITER, "earlier_candidate", view_id=view["id"],
                      selected=str(candidate_id))
    redrawn = world.fake.wait_for(lambda: next(
        (v for v in world.fake.view_stack(RECRUITER)
         if v["id"] == view["id"] and v["title"]["text"] == "Next round"), None))
    inputs = [b["block_id"] for b in redrawn["blocks"] if b["type"] == "input"]
    assert "candidate" not in inputs and "role" not in inputs and "link" not in inputs
    assert "Round 2 for *Ada Lovelace* · Support engineer" in shown(redrawn)
    world.slack.submit(RECRUITER, view["id"], {
        "question_set": "customer-service:en", "panel": [PEETER, MARI],
        "hiring_lead": LEAD, "channel": CHANNEL,
        "starts_at": picked_time(world, days=3), "length": "90",
        "debrief_at": picked_time(world, days=4)})
    return wait_published(world, "Ada Lovelace", 2)


def test_a_two_round_loop_from_setup_to_deletion(world: World) -> None:
    fake, slack, services = world.fake, world.slack, world.services
    first = first_round(world)
    candidate_id = interview(world, first).candidate_id
    second = second_round(world, candidate_id)

    # Round 2's plan links round 1's and holds the loop's one debrief; only the latest
    # plan offers another round.
    two = shown(plan(world, second))
    assert "Interview plan: Ada Lovelace, round 2" in two
    assert "https://" in two and "Round 1" in two and "one for all 2 rounds" in two
    fake.wait_for(lambda: f"with interview {second}" in shown(plan(world, first)))
    assert '"add_round"' in two and '"add_round"' not in shown(plan(world, first))
    assert interview(world, first).debrief_at == interview(world, second).debrief_at
    # "Add a round" on it opens the next round's form for the organisers only.
    before = open_views(world, LEAD)
    slack.click(LEAD, "add_round", channel=CHANNEL, ts=interview(world, second).plan_ts)
    assert "Round 3 for *Ada Lovelace*" in shown(top_view(world, LEAD, "new_interview", before))
    slack.click(OUTSIDER, "add_round", channel=CHANNEL, ts=interview(world, second).plan_ts)
    told(world, OUTSIDER, "Only the hiring lead and the recruiter")

    # Scores in both rounds; Peeter sits on both and scores round 1 in its modal.
    add_scorecard(services, first, PIA, SCREEN)
    before = open_views(world, PEETER)
    slack.click(PEETER, "score_candidate", channel=CHANNEL, value=str(first))
    card = top_view(world, PEETER, "scorecard", before)
    qs = shipped_set(services, "en")
    values = {f"q:{q.id}": "4" for c in qs.categories for q in c.questions}
    values.update({"recommendation": "hire", "takeaways": "Calm on the phone."})
    answer = slack.submit(PEETER, card["id"], values)
    assert answer.status == 200 and answer.json() is None, answer.json()
    fake.wait_for(lambda: interview(world, first).panelists[1].scorecard)
    add_scorecard(services, second, MARI, SCREEN, recommendation="strong_hire")

    # Reminders go per round: after round 2, only its missing panelist (Peeter) is chased.
    nudged = process_due(services, interview(world, second).ends_at + timedelta(hours=2), "t")
    assert {(o.kind, o.recipient_id) for o in nudged if o.status == "sent"} == {
        ("first", PEETER)}
    assert f"Interview {second}" in json.dumps(fake.dms(PEETER)[-1]["blocks"])

    # At the debrief: the summary in round 2's thread, covering both rounds.
    debrief_at = interview(world, second).debrief_at
    process_due(services, debrief_at + timedelta(minutes=1), "t")
    summary_ts = fake.wait_for(lambda: interview(world, second).summary_ts)
    assert interview(world, first).summary_ts is None
    summary = fake.message(CHANNEL, summary_ts)
    assert summary["thread_ts"] == interview(world, second).plan_ts
    said = shown(summary)
    assert f"One debrief for 2 rounds: round 1, interview {first}" in said
    assert f"<@{PIA}> (round 1)" in said and f"<@{MARI}> (round 2)" in said
    assert f"missing: round 2: <@{PEETER}>" in said
    note = next(m for m in fake.dms(LEAD) if "starts now" in json.dumps(m["blocks"]))
    assert f"round 2: <@{PEETER}>" in json.dumps(note["blocks"])
    assert {interview(world, i).status for i in (first, second)} == {InterviewStatus.DEBRIEF}

    # The decision, from the summary, closes both rounds.
    before = open_views(world, LEAD)
    slack.click(LEAD, "record_decision", channel=CHANNEL, ts=summary_ts)
    modal = top_view(world, LEAD, "record_decision", before)
    slack.submit(LEAD, modal["id"], {"outcome": "hire", "reason": "Strong in both rounds."})
    fake.wait_for(lambda: "Decided: Hire" in shown(plan(world, first))
                  and "Decided: Hire" in shown(plan(world, second)))
    slack.click(PIA, "score_candidate", channel=CHANNEL, value=str(first))
    fake.wait_for(lambda: any("locked" in m for m in said_to(world, PIA)))

    # Export: every round, in the lead's DM.
    assert slack.command(LEAD, f"export {first}").status == 200
    files = fake.wait_for(lambda: fake.files(LEAD) or None)
    assert sorted(f["filename"] for f in files) == [
        f"interviews-{first}-{second}.csv", f"interviews-{first}-{second}.json"]
    document = json.loads(next(f for f in files if f["filename"].endswith(".json"))["content"])
    assert [r["interview"]["id"] for r in document["interviews"]] == [first, second]

    # Deletion from round 2 takes round 1 with it.
    assert slack.command(RECRUITER, f"delete {second}").status == 200
    confirm = top_view(world, RECRUITER, "delete_interview")
    assert f"in all 2 rounds: interviews {first}, {second}" in shown(confirm)
    slack.submit(RECRUITER, confirm["id"])
    fake.wait_for(lambda: all("deleted" in plan(world, i)["text"] for i in (first, second))
                  and "deleted" in fake.message(CHANNEL, summary_ts)["text"])
    for message in (plan(world, first), plan(world, second),
                    fake.message(CHANNEL, summary_ts)):
        assert "Ada" not in shown(message)
    assert "no interview" in slack.command(LEAD, f"export {first}").json()["text"]
