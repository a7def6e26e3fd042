"""Export: the CSV (one row per rating of the current versions; columns fixed), the JSON
(the whole interview: every version, every decision, the log), who may export, the upload
to the requester's DM, and `interview-bot export` from the shell."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.debrief.service import record_decision
from bot.errors import NotAllowed, NotFound
from bot.export import service as export
from models import DecisionOutcome, Interview, transaction
from tests.conftest import LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import add_scorecard, make_interview, perform_side_effects


def scored_interview(world: World) -> int:
    services = world.services
    interview_id = make_interview(services, candidate_name="=HYPERLINK(\"x\")")
    add_scorecard(services, interview_id, PIA, {"define-customer-service": 2},
                  takeaways="First go.")
    add_scorecard(services, interview_id, PIA,
                  {"define-customer-service": 4, "hardest-case": None, "angry-customer": 5},
                  recommendation="strong_hire", takeaways="Second go.",
                  private_note="Salary high.", category_notes={"behavioural": "STAR, clearly."})
    add_scorecard(services, interview_id, PEETER, {"hardest-case": 1}, recommendation="no_hire")
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        peeter = next(p for p in interview.panelists if p.user_id == PEETER)
        peeter.removed_at = services.clock()
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HOLD, "Wait.", None)
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HIRE, "Go.", None)
    return interview_id


def test_csv_has_one_row_per_rating_of_current_versions(world: World) -> None:
    interview_id = scored_interview(world)
    files = export.export_for(world.services, TEAM, str(interview_id), RECRUITER)
    rows = list(csv.DictReader(io.StringIO(files.csv)))
    assert tuple(rows[0]) == export.CSV_COLUMNS
    assert [(r["panelist_id"], r["question_id"], r["score"], r["scorecard_version"])
            for r in rows] == [
        (PIA, "define-customer-service", "4", "2"),
        (PIA, "hardest-case", "", "2"),
        (PIA, "angry-customer", "5", "2"),
        (PEETER, "hardest-case", "1", "1"),
    ]
    pia = rows[0]
    assert pia["panelist_name"] == "pia"  # the Slack display name
    assert pia["category_id"] == "customer-service" and pia["category_name"]
    assert pia["question_text"].startswith("How do you define customer service")
    assert (pia["score_label"], rows[1]["score_label"]) == ("Good", "not assessed")
    assert pia["recommendation"] == "strong_hire" and pia["panelist_removed"] == "no"
    assert rows[3]["panelist_removed"] == "yes"
    # A cell a spreadsheet would run as a formula is neutralised.
    assert pia["candidate_name"] == "'=HYPERLINK(\"x\")"


def test_json_holds_the_whole_interview(world: World) -> None:
    interview_id = scored_interview(world)
    files = export.export_for(world.services, TEAM, interview_id, LEAD)
    document = json.loads(files.json)
    assert document["schema_version"] == 2
    assert document["candidate"]["name"] == "=HYPERLINK(\"x\")"  # JSON keeps it as typed
    (document,) = document["interviews"]  # one round
    interview = document["interview"]
    assert (interview["id"], interview["round"]) == (interview_id, 1)
    assert interview["decision"]["outcome"] == "hire"
    assert interview["decision"]["reason"] == "Go."
    assert [d["outcome"] for d in document["decisions"]] == ["hold", "hire"]
    assert [p["user_id"] for p in document["panel"]] == [PIA, PEETER, MARI]
    pia = document["panel"][0]["scorecard"]
    assert pia["current_version"] == 2
    assert [v["takeaways"] for v in pia["versions"]] == ["First go.", "Second go."]
    assert pia["versions"][1]["private_note"] == "Salary high."
    assert pia["versions"][1]["category_notes"] == {"behavioural": "STAR, clearly."}
    assert pia["versions"][1]["ratings"][1] == {
        "category_id": "behavioural", "question_id": "hardest-case", "score": None,
        "note": None}
    assert document["panel"][1]["removed_at"] is not None
    assert document["panel"][2]["scorecard"] is None
    assert document["question_set"]["categories"][0]["id"] == "customer-service"
    assert {"decided", "decision_changed"} <= {e["kind"] for e in document["events"]}


def test_only_organisers_export_and_ids_are_checked(world: World) -> None:
    services = world.services
    interview_id = make_interview(services)
    elsewhere = make_interview(services, team_id="T0002")
    for user in (PIA, OUTSIDER):
        with pytest.raises(NotAllowed):
            export.export_for(services, TEAM, str(interview_id), user)
        with pytest.raises(NotAllowed):
            export.request_export(services, TEAM, str(interview_id), user, None)
    for raw in ("4242", "x1", str(elsewhere)):
        with pytest.raises(NotFound):
            export.request_export(services, TEAM, raw, RECRUITER, None)


def test_an_organiser_on_the_panel_exports_once_their_own_scorecard_is_in(
        world: World) -> None:
    """The files hold every rating: the hiring lead on the panel is held to the panelists'
    rule until their scorecard is in (or the decision is made)."""
    services = world.services
    interview_id = make_interview(services, panel=(PIA, LEAD))
    add_scorecard(services, interview_id, PIA, {"hardest-case": 5})
    with pytest.raises(NotAllowed) as refused:
        export.request_export(services, TEAM, str(interview_id), LEAD, None)
    assert "Submit your own scorecard first" in refused.value.render_in("en")
    add_scorecard(services, interview_id, LEAD, {"hardest-case": 2})
    assert export.request_export(services, TEAM, str(interview_id), LEAD, None).interview_id \
        == interview_id


def test_upload_goes_to_the_requesters_dm_once_however_often_asked(world: World) -> None:
    services = world.services
    interview_id = scored_interview(world)
    first = export.request_export(services, TEAM, str(interview_id), LEAD, None)
    assert first.sent_before is None
    perform_side_effects(services)
    files = export.export_for(services, TEAM, interview_id, LEAD)
    # Asked again (or replayed) a minute later: nothing more is sent.
    world.clock.advance(minutes=1)
    again = export.request_export(services, TEAM, str(interview_id), LEAD, None)
    assert again.sent_before is not None
    assert perform_side_effects(services) == 0
    uploaded = world.fake.files(LEAD)
    assert sorted(f["filename"] for f in uploaded) == [f"interview-{interview_id}.csv",
                                                     f"interview-{interview_id}.json"]
    by_name = {f["filename"]: f["content"] for f in uploaded}
    assert by_name[f"interview-{interview_id}.csv"].decode() == files.csv
    document = json.loads(by_name[f"interview-{interview_id}.json"])
    assert document["interviews"][0]["interview"]["id"] == interview_id
    assert world.fake.files(PIA) == []
    # Later it is a new export.
    world.clock.advance(minutes=5)
    assert export.request_export(services, TEAM, str(interview_id), LEAD, None).sent_before is None
    perform_side_effects(services)
    assert len(world.fake.files(LEAD)) == 4


def test_the_shell_export(world: World, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    interview_id = scored_interview(world)
    monkeypatch.setenv("DATABASE_URL", world.services.settings.database_url)
    assert main(["export", str(interview_id), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4 and rows[0]["panelist_name"] == ""  # no Slack from the shell
    assert main(["export", f"#{interview_id}", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["interviews"][0]["interview"]["id"] == interview_id
    assert main(["export", "999999", "--format", "json"]) == 1
    assert "no interview 999999" in capsys.readouterr().err
    assert main(["export", "abc", "--format", "csv"]) == 1
    assert "not an interview number" in capsys.readouterr().err
    target = tmp_path / "out.json"
    assert main(["export", str(interview_id), "--format", "json", "-o", str(target)]) == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["interviews"][0]["interview"]["id"] == interview_id
