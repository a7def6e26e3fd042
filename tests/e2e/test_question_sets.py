"""`/interview sets` end to end: a recruiter who may publish uploads a file in the modal's
file input (read from the Slack fake with files.info and url_private), sees its problems
with their lines or its preview, publishes it as a version; an interview keeps the
version it was created with; any set comes back as YAML in a DM."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.core.question_sets import QuestionSet, parse_question_set
from bot.core.set_files import set_yaml
from bot.errors import NotAllowed
from bot.interviews import question_set_of
from bot.sets.publish import receive_upload
from bot.sets.service import publish as publish_version
from models import Event, Interview, QuestionSetStatus, QuestionSetVersion, reading
from tests.conftest import LEAD, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.slack_steps import picked_time, told, top_view

pytestmark = pytest.mark.settings(QUESTION_SET_PUBLISHERS=RECRUITER)
ADMIN = "UADMIN"


def team_set(*questions: str, set_id: str = "team-set") -> dict[str, Any]:
    """A small set of the workspace's own: one category, these questions."""
    return {
        "id": set_id, "name": "Team set", "language": "en",
        "description": "Our own questions.",
        "scale": [{"value": n, "label": label, "anchor": f"{label} answer"}
                  for n, label in enumerate(["Poor", "Weak", "Fair", "Good", "Great"], 1)],
        "categories": [{"id": "team", "name": "Teamwork", "purpose": "How they work with us.",
                        "questions": [{"id": f"q{n}", "text": text}
                                      for n, text in enumerate(questions, 1)]}],
    }


def as_file(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def open_upload(world: World, user: str = RECRUITER) -> dict[str, Any]:
    before = {v["id"] for v in world.fake.view_stack(user)}
    assert world.slack.command(user, "sets").status == 200
    world.slack.click(user, "upload_question_set", channel="C0001")
    return top_view(world, user, "upload_question_set", not_ids=before)


def sets_list(world: World, user: str = RECRUITER) -> dict[str, Any]:
    """`/interview sets` as the user sees it now."""
    assert world.slack.command(user, "sets").status == 200
    return [e for e in world.fake.ephemerals(user) if e["text"] == "Question sets"][-1]


def upload(world: World, name: str, content: bytes, user: str = RECRUITER,
           view: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    """Pick the file in the upload modal and submit it: the modal as it is then."""
    view = view or open_upload(world, user)
    picked = world.fake.add_user_file(user, name, content)
    response = world.slack.submit(user, view["id"], {"question_set_file": [picked], **values})
    assert response.status == 200, response.body
    return world.fake.view_stack(user)[-1]


def publish(world: World, preview: dict[str, Any], user: str = RECRUITER) -> dict[str, Any]:
    assert preview["callback_id"] == "publish_question_set", texts(preview)
    assert world.slack.submit(user, preview["id"]).status == 200
    return world.fake.view_stack(user)[-1]


def texts(view: dict[str, Any]) -> str:
    return "\n".join(str((b.get("text") or {}).get("text") or "") for b in view["blocks"])


def versions(world: World) -> list[tuple[str, int, str, str | None]]:
    with reading(world.services.db) as session:
        rows = session.scalars(select(QuestionSetVersion)
                               .where(QuestionSetVersion.team_id.is_not(None))
                               .order_by(QuestionSetVersion.id))
        return [(r.set_id, r.version, r.status.value, r.created_by) for r in rows]


def create_interview(world: World, set_option_text: str, **values: Any) -> int:
    world.slack.command(RECRUITER, "new Mari Maasikas")
    view = top_view(world, RECRUITER, "new_interview")
    select_ = next(b for b in view["blocks"] if b["block_id"] == "question_set")["element"]
    options = {o["text"]["text"]: o["value"]
               for group in select_.get("option_groups") or [] for o in group["options"]}
    assert set_option_text in options, options
    response = world.slack.submit(RECRUITER, view["id"], {
        "role": "Support agent", "question_set": options[set_option_text],
        "panel": [PIA, PEETER], "hiring_lead": LEAD,
        "starts_at": picked_time(world, days=2), "length": "60",
        "debrief_at": picked_time(world, days=3), **values})
    assert response.status == 200 and response.json() is None, response.body
    with reading(world.services.db) as session:
        return max(session.scalars(select(Interview.id)))


# ---------------------------------------------------------------------------- tests


def test_a_set_is_published_as_versions_and_an_interview_keeps_its_own(world: World) -> None:
    """v1 from YAML, an interview on it, v2 from a CSV sheet of the same set: the interview
    still asks v1's questions, a new one v2's; the list shows who published which."""
    preview = upload(world, "team-set.en.yaml",
                     as_file(team_set("Tell us about a team you liked.")))
    assert "Publish this as a new set, *Team set* (en), version 1?" in texts(preview)
    assert "Tell us about a team you liked." in texts(preview)
    done = publish(world, preview)
    assert "*Team set* (en) version 1 is published" in texts(done)
    assert versions(world) == [("team-set", 1, "published", RECRUITER)]

    first = create_interview(world, "Team set (en) · version 1",
                             questions_per_category="1")
    kit = told(world, PIA, "Your interview kit")
    assert "Tell us about a team you liked." in str(kit["blocks"])

    sheet = ("category,question,guidance,anchors\n"
             "Teamwork,Tell us about a team you liked.,,\n"
             ",What makes a good colleague?,Listen for specifics.,"
             "Nothing | Vague | One trait | Traits with an example | Examples and results\n")
    preview = upload(world, "team-set.csv", sheet.encode())
    assert "Publish this as version 2 of *team-set* (en)? Version 1 is the latest" \
        in texts(preview)
    publish(world, preview)
    assert versions(world) == [("team-set", 1, "published", RECRUITER),
                               ("team-set", 2, "published", RECRUITER)]

    second = create_interview(world, "team-set (en) · version 2")
    with reading(world.services.db) as session:
        old, new = session.get_one(Interview, first), session.get_one(Interview, second)
        assert [q.text for q in question_set_of(old).categories[0].questions] == [
            "Tell us about a team you liked."]
        assert [q.text for q in question_set_of(new).categories[0].questions] == [
            "Tell us about a team you liked.", "What makes a good colleague?"]
        assert (old.question_set_version.version, new.question_set_version.version) == (1, 2)
        # 1 picked; by default 60 minutes fit 12 questions, all in its one category
        assert (old.questions_per_category, new.questions_per_category) == (1, 12)
        published = session.scalars(select(Event.detail).where(
            Event.kind == "question_set_published")).all()
    assert [d["version"] for d in published] == [1, 2]

    shown = str(sets_list(world)["blocks"])
    assert "*team-set* (en) · 2 questions · 1 category" in shown
    assert f"Version 2, published by <@{RECRUITER}>" in shown
    assert "*Customer service* (en)" in shown


def test_a_file_with_problems_comes_back_with_each_on_its_line(world: World) -> None:
    data = team_set("Fine question?", "Second?")
    data["categories"][0]["questions"][1]["id"] = "q1"  # used twice
    data["categories"][0]["questions"][0]["text"] = "x" * 501  # too long
    del data["description"]
    again = upload(world, "team-set.en.yaml", as_file(data))
    assert again["callback_id"] == "upload_question_set"
    shown = texts(again)
    assert "*team-set.en.yaml* has 3 problems. Fix them and upload the file again:" in shown
    assert "Line 1, `description`: is missing" in shown
    assert ("Line 26, `categories[0].questions[0].text`: must be at most 500 characters (it "
            "has 501)" in shown)
    assert "Line 27, `categories[0].questions[1].id`: 'q1' is used twice in this set" in shown
    assert versions(world) == []

    sheet = "category;question;anchors\nTeam;Why us?;Bad | Good\n"
    shown = texts(upload(world, "sheet.csv", sheet.encode(), view=again))
    assert ("Line 2, `anchors`: has 2 anchors but the scale has 5 points; give one anchor "
            "per scale point" in shown)
    assert versions(world) == []


def test_a_file_too_big_is_refused_before_it_is_downloaded(world: World) -> None:
    shown = texts(upload(world, "huge.yaml", b"# " + b"x" * 600_000))
    assert "the file is 601 KB; at most 500 KB is taken — split the set in two" in shown
    assert world.fake.calls("url_private") == []


def test_only_publishers_and_admins_may_upload(world: World) -> None:
    world.slack.command(OUTSIDER, "sets")
    world.slack.click(OUTSIDER, "upload_question_set", channel="C0001")
    refusal = told(world, OUTSIDER, "may publish question sets")
    assert "QUESTION_SET_PUBLISHERS" in refusal["text"]
    assert world.fake.view_stack(OUTSIDER) == []
    # Past the button too: an upload or a publish by them is refused before anything is read.
    picked = world.fake.add_user_file(OUTSIDER, "team-set.en.yaml", as_file(team_set("Why?")))
    with pytest.raises(NotAllowed):
        receive_upload(world.services, TEAM, OUTSIDER, [picked], None)
    assert world.fake.calls("files.info") == []

    world.fake.add_user(ADMIN, name="ada", is_admin=True)
    preview = upload(world, "team-set.en.yaml", as_file(team_set("Why us?")), user=ADMIN)
    publish(world, preview, user=ADMIN)
    assert versions(world) == [("team-set", 1, "published", ADMIN)]
    with reading(world.services.db) as session:
        draft_id = session.scalars(select(QuestionSetVersion.id)).one()
    with pytest.raises(NotAllowed):
        publish_version(world.services, TEAM, OUTSIDER, draft_id)
    # The file was read with the bot token; without it Slack gives nothing.
    assert [c["response"]["ok"] for c in world.fake.calls("url_private")] == [True]


def test_any_set_downloads_as_yaml_that_uploads_again(world: World) -> None:
    publish(world, upload(world, "team-set.en.yaml", as_file(team_set("Why us?"))))
    listing = sets_list(world)
    own, *shipped = [e["value"] for b in listing["blocks"] if b["type"] == "actions"
                     for e in b["elements"] if e["action_id"] == "download_question_set"]
    assert shipped == ["customer-service:fi", "customer-service:en", "customer-service:et"]
    world.slack.click(RECRUITER, "download_question_set", channel="C0001", value=own)
    world.slack.click(RECRUITER, "download_question_set", channel="C0001", value=shipped[1])
    files = world.fake.wait_for(lambda: len(world.fake.files(RECRUITER)) == 2
                                and world.fake.files(RECRUITER))
    by_name = {f["filename"]: f["content"].decode() for f in files}
    assert parse_question_set(by_name["team-set.en.yaml"], "team-set.en.yaml") == \
        QuestionSet.model_validate(team_set("Why us?"))
    shipped_text = by_name["customer-service.en.yaml"]
    assert shipped_text.startswith("# Sources:")  # the file as shipped, comments and all
    assert parse_question_set(shipped_text, "customer-service.en.yaml") == \
        world.services.question_sets.get("customer-service", "en")
    # An unchanged download uploaded again is nothing new to publish.
    again = upload(world, "team-set.en.yaml", by_name["team-set.en.yaml"].encode())
    assert "which is published already: there is nothing new to publish" in texts(again)
    assert again.get("submit") is None
    assert set_yaml(QuestionSet.model_validate(team_set("Why us?"))) == \
        by_name["team-set.en.yaml"]
    assert versions(world) == [("team-set", 1, "published", RECRUITER)]
    assert QuestionSetStatus.PUBLISHED.value == "published"
