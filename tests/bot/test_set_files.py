"""Uploaded question-set files (bot/core/set_files.py): a YAML file or a CSV sheet becomes a
set, or every problem comes back at once with its line; any set goes back out as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.question_sets import QuestionSetLibrary
from bot.core.set_files import MAX_UPLOAD_BYTES, UploadProblem, parse_upload, set_yaml, slug
from bot.i18n import translator
from bot.sets.builders import problem_line
from bot.sets.service import csv_defaults


def yaml_upload(text: str, name: str = "team.en.yaml") -> list[tuple[int | None, str, str]]:
    return [(p.line, p.where, str(p.message)) for p in parse_upload(text.encode(), name).problems]


def csv_upload(text: str, name: str = "Sales team.csv", language: str = "en") -> Any:
    return parse_upload(text.encode(), name, csv_defaults(name, language))


def csv_problems(text: str) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.where, str(p.message)) for p in csv_upload(text).problems]


GOOD_YAML = """\
id: team
name: Team set
language: en
description: Our own questions.
scale:
  - {value: 1, label: Poor, anchor: No example}
  - {value: 2, label: Good, anchor: An example}
  - {value: 3, label: Great, anchor: Examples with results}
categories:
  - id: teamwork
    name: Teamwork
    purpose: How they work with others.
    questions:
      - id: liked-team
        text: Tell us about a team you liked.
        anchors: [Blames others, Names one thing, Names what they did]
      - id: colleague
        text: What makes a good colleague?
"""


@pytest.mark.parametrize("language", ["en", "et", "fi"])
def test_a_downloaded_shipped_set_uploads_back_unchanged(language: str) -> None:
    shipped = QuestionSetLibrary.load().get("customer-service", language)
    assert shipped is not None
    text = set_yaml(shipped)
    assert "guidance: |" in text or "guidance: >" in text or "guidance: |-" in text
    parsed = parse_upload(text.encode(), "any-name.yaml")
    assert parsed.problems == [] and parsed.question_set == shipped


def test_every_problem_of_a_yaml_file_comes_back_with_its_line() -> None:
    text = GOOD_YAML.replace("description: Our own questions.\n", "") \
        .replace("        anchors: [Blames others, Names one thing, Names what they did]\n",
                 "        anchors: [Blames others, Names one thing]\n") \
        .replace("      - id: colleague\n        text: What makes a good colleague?\n",
                 "      - id: colleague\n        txet: What makes a good colleague?\n")
    assert yaml_upload(text) == [
        (1, "description", "is missing"),
        (16, "categories[0].questions[1].text", "is missing"),
        (17, "categories[0].questions[1].txet", "unknown field; did you mean 'text'?"),
        (15, "categories[0].questions[0].anchors",
         "has 2 anchors but the scale has 3 points; give one anchor per scale point, in the "
         "scale's order (or remove anchors to use the scale's own)"),
    ]
    assert yaml_upload(GOOD_YAML) == []


def test_a_yaml_syntax_error_says_where_and_how_to_fix_it() -> None:
    (problem,) = parse_upload(b"id: team\nname: Tip: quote me\n", "x.yaml").problems
    assert (problem.line, problem.column) == (2, 10)
    assert str(problem.message).endswith("; put text that contains ': ' in quotes")
    assert yaml_upload("- id: team\n") == [
        (1, "", "the top level must be a mapping of fields (id: ..., name: ...), not a list")]


def test_whole_file_problems() -> None:
    assert [str(p.message) for p in parse_upload(b"x" * (MAX_UPLOAD_BYTES + 1),
                                                 "big.yaml").problems] == [
        "the file is 501 KB; at most 500 KB is taken — split the set in two"]
    (bad,) = parse_upload("id: team\nname: Caf\xe9\n".encode("latin-1"), "x.yaml").problems
    assert (bad.line, str(bad.message)) == (2, "byte 19 is not UTF-8 text; save the file as "
                                                "UTF-8")
    (wrong,) = parse_upload(b"{}", "questions.docx").problems
    assert str(wrong.message) == ("'questions.docx' is neither YAML nor CSV; upload a .yaml, "
                                  ".yml or .csv file")


ANCHORS = "Only friendly | Names one part | Several parts | Parts and an example | Tied to us"
SHEET = f"""\
Category;Question;Guidance;Anchors;Purpose
Customer service;How do you define customer service?;"Listens for: courtesy, listening.
Red flag: friendliness only.";{ANCHORS};What service means to them.
;What does good service mean to you?;;;
Situational;What would you do with an angry customer?;;;
"""


def test_a_csv_sheet_becomes_a_set_with_the_default_scale_in_its_language() -> None:
    parsed = csv_upload(SHEET, "Sales team.csv", "et")
    assert parsed.problems == []
    qs = parsed.question_set
    assert (qs.id, qs.name, qs.language) == ("sales-team", "Sales team", "et")
    assert [(c.id, c.name, [q.id for q in c.questions]) for c in qs.categories] == [
        ("customer-service", "Customer service",
         ["how-do-you-define-customer-service", "what-does-good-service-mean-to-you"]),
        # ids are cut between words, leaving room for a -2 where two texts start alike
        ("situational", "Situational", ["what-would-you-do-with-an-angry"]),
    ]
    first = qs.categories[0].questions[0]
    assert first.guidance == "Listens for: courtesy, listening.\nRed flag: friendliness only."
    assert first.anchors == ["Only friendly", "Names one part", "Several parts",
                             "Parts and an example", "Tied to us"]
    assert qs.categories[0].purpose == "What service means to them."
    t = translator("et")
    assert qs.categories[1].purpose == t._("Ask these questions and rate each answer on the "
                                           "scale.")
    assert [p.label for p in qs.scale] == [t._(w) for w in
                                           ("Poor", "Weak", "Adequate", "Good", "Excellent")]


@pytest.mark.parametrize("language", ["en", "et", "fi"])
def test_the_default_scale_fits_slack_in_every_language(language: str) -> None:
    assert csv_upload("category,question\nA,Why?\n", language=language).problems == []


@pytest.mark.parametrize(("sheet", "expected"), [
    ("", [(None, "", "the file is empty; the first row names the columns: category, "
                     "question, guidance, anchors, purpose")]),
    ("category,question\n", [(2, "", "there are no questions below the header; write one "
                                     "question per row")]),
    ("category,text\nA,Why?\n",
     [(1, "", "'text' is not a column of a question sheet; the columns are category, "
              "question, guidance, anchors, purpose")]),
    ("question,guidance\nWhy?,\n",
     [(1, "", "the first row has no 'category' column; it names the columns: category, "
              "question, guidance, anchors, purpose (guidance, anchors and purpose may be "
              "left out)")]),
    ("category,question\n,Why?\n",
     [(2, "category", "the first question has no category; write the category's name in "
                      "the category column")]),
    ("category,question,guidance\nA,,Listen.\n",
     [(2, "question", "the row has no question; write it in the question column, or delete "
                      "the row")]),
    ("category,question\nA,Why, really?\n",
     [(2, "", "the row has more cells than the header has columns; put text that contains "
              "the separator in double quotes")]),
    ('category,question\nA,"Why?\nB,How?\n',
     [(2, "", "a quoted cell starts here and does not end well: close its quote (\"), and "
              "write a quote inside a quoted cell twice (\"\")")]),
    ("category,question,purpose\nA,Why?,One.\nA,How?,Two.\n",
     [(3, "purpose", "the category 'A' has a different purpose on line 2; give its purpose "
                     "once")]),
    ("category,question,anchors\nA,Why?,Bad | Good\n",
     [(2, "anchors", "has 2 anchors but the scale has 5 points; give one anchor per scale "
                     "point, in the scale's order (or remove anchors to use the scale's own)")]),
    (f"category,question\nA,Fine?\nA,{'x' * 501}\n",
     [(3, "question", "must be at most 500 characters (it has 501)")]),
])
def test_each_kind_of_csv_problem_has_its_line_and_fix(
        sheet: str, expected: list[tuple[int | None, str, str]]) -> None:
    assert csv_problems(sheet) == expected


def test_problems_read_in_the_workspace_language() -> None:
    problem = UploadProblem(15, "categories[0].questions[0].anchors",
                            parse_upload(GOOD_YAML.replace(
                                ", Names what they did]", "]").encode(), "x.yaml")
                            .problems[0].message)
    assert problem_line(translator("en"), problem) == (
        "Line 15, `categories[0].questions[0].anchors`: has 2 anchors but the scale has 3 "
        "points; give one anchor per scale point, in the scale's order (or remove anchors to "
        "use the scale's own)")
    estonian = problem_line(translator("et"), problem)
    assert estonian.startswith("Rida 15, `categories[0].questions[0].anchors`: ")
    assert "on 2 kirjeldust, aga skaalal on 3 punkti" in estonian


def test_ids_come_from_the_text() -> None:
    assert slug("Kas peate end “inimesteks”? Põhjendage.") == "kas-peate-end-inimesteks-pohjendage"
    assert slug("Mõõdik ja ülevaade") == "moodik-ja-ulevaade"
    assert len(slug("word " * 30)) <= 40
    assert slug("???") == ""


def test_yaml_out_writes_long_text_as_blocks() -> None:
    qs = parse_upload(GOOD_YAML.encode(), "x.yaml").question_set
    assert qs is not None
    changed = qs.model_copy(update={"description": "Line one.\nLine two."})
    text = set_yaml(changed)
    assert "description: |-\n  Line one.\n  Line two.\n" in text
    assert yaml.safe_load(text)["description"] == "Line one.\nLine two."


def test_the_example_sheet_and_the_readmes_sheet_upload_cleanly() -> None:
    root = Path(__file__).resolve().parents[2] / "question_sets"
    example = parse_upload((root / "examples" / "sales-basics.csv").read_bytes(),
                           "sales-basics.csv", csv_defaults("sales-basics.csv", "en"))
    assert example.problems == []
    assert example.question_set is not None and example.question_set.question_count == 3
    readme = (root / "README.md").read_text(encoding="utf-8")
    sheet = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    assert csv_upload(sheet).problems == []
