"""Question-set format, validation messages, library and CLI helpers.

Most tests use a small fixture set built here (``valid_set``), mutated one rule at a time, so
they do not depend on the shipped files. The tests of the shipped customer-service set are
grouped at the end in ``TestShippedCustomerServiceSet`` (select them with
``-k TestShippedCustomerServiceSet``).
"""

from __future__ import annotations

import copy
import io
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.core import question_sets as qs
from bot.core.question_sets import (
    RECOMMENDATION_KEYS,
    SUPPORTED_LANGUAGES,
    QuestionSet,
    QuestionSetError,
    QuestionSetLibrary,
    load_question_set_file,
    parse_question_set,
    run_check,
    run_list,
)

FILE = "tiny.en.yaml"
REPO = Path(__file__).resolve().parents[2]


def valid_set() -> dict[str, Any]:
    return {
        "id": "tiny",
        "name": "Tiny set",
        "language": "en",
        "description": "A small set for tests.",
        "scale": [
            {"value": 1, "label": "Poor", "anchor": "No example"},
            {"value": 2, "label": "Weak", "anchor": "Vague example"},
            {"value": 3, "label": "Good", "anchor": "Concrete example"},
            {"value": 4, "label": "Strong", "anchor": "Concrete STAR example"},
            {"value": 5, "label": "Excellent", "anchor": "STAR example with results"},
        ],
        "categories": [
            {
                "id": "service",
                "name": "Service",
                "purpose": "How the candidate thinks about service.",
                "questions": [
                    {"id": "define-service", "text": "How do you define customer service?"},
                    {
                        "id": "bad-service",
                        "text": "Tell us about bad service you received.",
                        "guidance": "Strong: specific.\nRed flag: blames the customer.\n",
                    },
                ],
            },
            {
                "id": "behaviour",
                "name": "Behaviour",
                "purpose": "Past behaviour predicts future behaviour.",
                "questions": [
                    {"id": "angry-customer", "text": "Tell us about an angry customer."},
                ],
            },
        ],
    }


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems_of(data: Any, source: str = FILE) -> list[str]:
    with pytest.raises(QuestionSetError) as caught:
        parse_question_set(dump(data), source)
    return caught.value.problems


def problems_of_text(text: str, source: str = "bad.yaml") -> list[str]:
    with pytest.raises(QuestionSetError) as caught:
        parse_question_set(text, source)
    return caught.value.problems


def mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = copy.deepcopy(valid_set())
    change(data)
    return data


def question(number: int) -> dict[str, str]:
    return {"id": f"q{number}", "text": f"Question {number}?"}


def category(number: int, questions: int = 1, first: int = 0) -> dict[str, Any]:
    return {
        "id": f"c{number}",
        "name": f"Category {number}",
        "purpose": "Purpose.",
        "questions": [question(first + n) for n in range(questions)],
    }


# ---------------------------------------------------------------------------- a valid set


def test_valid_set_parses_with_its_properties() -> None:
    question_set = parse_question_set(dump(valid_set()), FILE)

    assert question_set.key == ("tiny", "en")
    assert (question_set.scale_min, question_set.scale_max, question_set.midpoint) == (1, 5, 3.0)
    assert question_set.question_count == 3
    assert question_set.category("behaviour").name == "Behaviour"
    found_category, found_question = question_set.question("angry-customer")
    assert (found_category.id, found_question.text) == (
        "behaviour",
        "Tell us about an angry customer.",
    )
    assert question_set.scale_point(4).label == "Strong"
    assert question_set.scale[0].option_text() == "1 · Poor: No example"


def test_lookups_raise_key_error_when_absent() -> None:
    question_set = parse_question_set(dump(valid_set()), FILE)
    with pytest.raises(KeyError):
        question_set.category("nope")
    with pytest.raises(KeyError):
        question_set.question("nope")
    with pytest.raises(KeyError):
        question_set.scale_point(9)
    with pytest.raises(KeyError):
        question_set.recommendation.label("maybe")


def test_recommendation_defaults_in_order_low_to_high() -> None:
    question_set = parse_question_set(dump(valid_set()), FILE)
    assert RECOMMENDATION_KEYS == ("strong_no_hire", "no_hire", "hire", "strong_hire")
    labels = [question_set.recommendation.label(key) for key in RECOMMENDATION_KEYS]
    assert labels == ["Strong no hire", "No hire", "Hire", "Strong hire"]


def test_recommendation_labels_can_be_given() -> None:
    labels = {
        "strong_no_hire": "Ei",
        "no_hire": "Pigem ei",
        "hire": "Jah",
        "strong_hire": "Kindlasti",
    }
    question_set = parse_question_set(
        dump(mutated(lambda d: d.update(recommendation=labels))), FILE
    )
    assert question_set.recommendation.label("strong_hire") == "Kindlasti"


def test_text_is_stripped_and_empty_guidance_is_none() -> None:
    def change(data: dict[str, Any]) -> None:
        data["categories"][0]["questions"][0]["guidance"] = "   "

    question_set = parse_question_set(dump(mutated(change)), FILE)
    assert question_set.question("define-service")[1].guidance is None
    guidance = question_set.question("bad-service")[1].guidance
    assert guidance == "Strong: specific.\nRed flag: blames the customer."


def test_yml_suffix_is_accepted() -> None:
    assert parse_question_set(dump(valid_set()), "tiny.en.yml").id == "tiny"


def test_set_is_frozen() -> None:
    question_set = parse_question_set(dump(valid_set()), FILE)
    with pytest.raises(ValidationError):
        question_set.name = "Changed"  # type: ignore[misc]


def test_snapshot_round_trip() -> None:
    question_set = parse_question_set(dump(valid_set()), FILE)
    snapshot = question_set.to_snapshot()

    restored = QuestionSet.from_snapshot(json.loads(json.dumps(snapshot)))

    assert restored == question_set
    assert snapshot["recommendation"]["hire"] == "Hire"  # defaults are frozen in too


def test_snapshot_loads_without_policy_checks() -> None:
    # A frozen copy must keep loading even if the app later drops a language.
    snapshot = parse_question_set(dump(valid_set()), FILE).to_snapshot()
    snapshot["language"] = "sv"
    assert QuestionSet.from_snapshot(snapshot).language == "sv"


# ---------------------------------------------------------------------------- interviewer aids

COMPETENCIES = [
    {"id": "active-listening", "name": "Active listening", "source": "article"},
    {"id": "problem-solving", "name": "Problem solving"},
]
OWN_ANCHORS = ["Argues or gives in", "Stays polite, no plan", "Calm, acknowledges, solves",
               "Listens, restates, solves", "Restates, sets expectations, follows up"]


def with_aids(data: dict[str, Any]) -> None:
    """Competencies declared and named by every question; one question with every aid."""
    data["competencies"] = copy.deepcopy(COMPETENCIES)
    for number, item in enumerate(q for c in data["categories"] for q in c["questions"]):
        item["competency"] = ("active-listening", "problem-solving")[number % 2]
    angry = data["categories"][1]["questions"][0]
    angry.update(guidance="Listen for: restates the concern.", guidance_source="project",
                 probes=["What would you say first?", "  When would you escalate?  "],
                 anchors=list(OWN_ANCHORS))
    data["categories"][0]["questions"][1]["spare"] = True


def test_a_set_with_every_aid_parses() -> None:
    question_set = parse_question_set(dump(mutated(with_aids)), FILE)

    assert [c.id for c in question_set.competencies] == ["active-listening", "problem-solving"]
    assert question_set.competency("active-listening").source == "article"
    assert question_set.competency("problem-solving").source is None
    _, angry = question_set.question("angry-customer")
    assert angry.competency == "active-listening"
    assert angry.guidance_source == "project"
    assert angry.probes == ["What would you say first?", "When would you escalate?"]
    assert question_set.question("bad-service")[1].spare is True
    assert question_set.question("define-service")[1].spare is False
    with pytest.raises(KeyError):
        question_set.competency("nope")


def test_a_question_is_rated_on_its_own_anchors_with_the_scales_labels() -> None:
    question_set = parse_question_set(dump(mutated(with_aids)), FILE)
    own = question_set.question_scale(question_set.question("angry-customer")[1])
    expected = zip(question_set.scale, OWN_ANCHORS, strict=True)
    assert [(p.value, p.label, p.anchor) for p in own] == [
        (p.value, p.label, anchor) for p, anchor in expected]
    assert own[2].option_text() == "3 · Good: Calm, acknowledges, solves"
    plain_question = question_set.question("define-service")[1]
    assert question_set.question_scale(plain_question) == question_set.scale


def test_aids_are_optional_and_default_to_none() -> None:
    question = parse_question_set(dump(valid_set()), FILE).question("define-service")[1]
    assert (question.guidance_source, question.probes, question.anchors) == (None, [], None)
    assert (question.competency, question.spare) == (None, False)


def test_aids_survive_the_snapshot_and_old_snapshots_still_load() -> None:
    question_set = parse_question_set(dump(mutated(with_aids)), FILE)
    snapshot = json.loads(json.dumps(question_set.to_snapshot()))
    assert QuestionSet.from_snapshot(snapshot) == question_set
    # A copy frozen before these fields existed.
    old = parse_question_set(dump(valid_set()), FILE).to_snapshot()
    del old["competencies"]
    for item in (q for c in old["categories"] for q in c["questions"]):
        for key in ("guidance_source", "probes", "anchors", "competency", "spare"):
            del item[key]
    assert QuestionSet.from_snapshot(old).question("angry-customer")[1].anchors is None


# ---------------------------------------------------------------------------- one rule each


def _set_path(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(*path: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def _rename_key(path: list[Any], old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for part in path:
            target = target[part]
        target[new] = target.pop(old)

    return change


def _scale(points: int) -> list[dict[str, Any]]:
    return [{"value": n, "label": f"P{n}", "anchor": "Anchor"} for n in range(1, points + 1)]


LONG_ANCHOR = "x" * 71  # "3 · Good: " is 10 characters, so the option text is 81
LONG_OPTION = f"3 · Good: {LONG_ANCHOR}"

RULES: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("missing field", _delete("name"), "name: is missing"),
    (
        "missing nested field",
        _delete("categories", 1, "purpose"),
        "categories[1].purpose: is missing",
    ),
    (
        "text too long",
        _set_path(["categories", 0, "questions", 1, "text"], "y" * 612),
        "categories[0].questions[1].text: must be at most 500 characters (it has 612)",
    ),
    ("name too long", _set_path(["name"], "n" * 61), "name: must be at most 60 characters"),
    (
        "description too long",
        _set_path(["description"], "d" * 501),
        "description: must be at most 500 characters (it has 501)",
    ),
    (
        "purpose too long",
        _set_path(["categories", 0, "purpose"], "p" * 1001),
        "categories[0].purpose: must be at most 1000 characters (it has 1001)",
    ),
    (
        "guidance too long",
        _set_path(["categories", 0, "questions", 0, "guidance"], "g" * 1501),
        "categories[0].questions[0].guidance: must be at most 1500 characters (it has 1501)",
    ),
    (
        "scale label too long",
        _set_path(["scale", 0, "label"], "L" * 26),
        "scale[0].label: must be at most 25 characters (it has 26)",
    ),
    ("empty text", _set_path(["description"], ""), "description: is empty; write some text"),
    (
        "no value",
        _set_path(["categories", 0, "name"], None),
        "categories[0].name: has no value; write some text after the colon",
    ),
    (
        "unknown key with a close match",
        _rename_key(["categories", 0], "questions", "questons"),
        "categories[0].questons: unknown field; did you mean 'questions'?",
    ),
    (
        "unknown key without a close match",
        _set_path(["categories", 0, "questions", 0, "notes"], "x"),
        "categories[0].questions[0].notes: unknown field; the fields here are id, text, "
        "guidance, guidance_source, probes, anchors, competency, spare",
    ),
    (
        "unknown top-level key",
        _rename_key([], "description", "descripton"),
        "descripton: unknown field; did you mean 'description'?",
    ),
    (
        "question id used twice",
        _set_path(["categories", 1, "questions", 0, "id"], "define-service"),
        "categories[1].questions[0].id: 'define-service' is used twice in this set "
        "(also at categories[0].questions[0].id); give each question its own id",
    ),
    (
        "category id used twice",
        _set_path(["categories", 1, "id"], "service"),
        "categories[1].id: 'service' is used twice in this set (also at categories[0].id); "
        "give each category its own id",
    ),
    (
        "invalid id",
        _set_path(["categories", 0, "questions", 0, "id"], "Define Service"),
        "categories[0].questions[0].id: 'Define Service' is not a valid id; use lowercase "
        "letters, digits and single hyphens between words, like 'define-customer-service'",
    ),
    (
        "id too long",
        _set_path(["categories", 0, "id"], "c" * 41),
        "categories[0].id: must be at most 40 characters (it has 41)",
    ),
    (
        "too many scale points",
        _set_path(["scale"], _scale(11)),
        "scale: has 11 points; a scale needs 2 to 10",
    ),
    (
        "too few scale points",
        _set_path(["scale"], _scale(1)),
        "scale: has 1 point; a scale needs 2 to 10",
    ),
    (
        "scale gap",
        _set_path(["scale", 3, "value"], 5),
        "scale[3].value: expected 4 (values count up from 1 without gaps)",
    ),
    (
        "scale starts at 0",
        _set_path(["scale"], [{"value": 0, "label": "Zero", "anchor": "A"}, *_scale(1)]),
        "scale[0].value: expected 1 (values count up from 1 without gaps)",
    ),
    (
        "scale option text too long",
        _set_path(["scale", 2, "anchor"], LONG_ANCHOR),
        f"scale[2]: option text '{LONG_OPTION[:37]}...' is 81 characters; Slack shows at most "
        "75 — shorten the label or the anchor",
    ),
    (
        "scale value not a whole number",
        _set_path(["scale", 1, "value"], 2.5),
        "scale[1].value: expected a whole number like 3, got 2.5",
    ),
    (
        "yaml boolean instead of text",
        _set_path(["scale", 0, "label"], False),
        "scale[0].label: expected text, got false (YAML reads yes/no/on/off/true/false as "
        "true/false); put the text in quotes",
    ),
    (
        "number instead of text",
        _set_path(["name"], 2024),
        "name: expected text, got the number 2024; put it in quotes",
    ),
    (
        "recommendation key missing",
        _set_path(["recommendation"], {"strong_no_hire": "a", "no_hire": "b", "strong_hire": "d"}),
        "recommendation.hire: is missing",
    ),
    (
        "recommendation unknown key",
        _set_path(
            ["recommendation"],
            {"strong_no_hire": "a", "no_hire": "b", "hire": "c", "strong_hire": "d", "maybe": "e"},
        ),
        "recommendation.maybe: unknown field; the fields here are strong_no_hire, no_hire, "
        "hire, strong_hire",
    ),
    (
        "recommendation label too long",
        _set_path(
            ["recommendation"],
            {"strong_no_hire": "a", "no_hire": "b", "hire": "c" * 76, "strong_hire": "d"},
        ),
        "recommendation.hire: must be at most 75 characters (it has 76)",
    ),
    (
        "unsupported language",
        _set_path(["language"], "sv"),
        "language: 'sv' is not supported; use one of en, et, fi",
    ),
    (
        "region subtag",
        _set_path(["language"], "en-US"),
        "language: 'en-US' is not supported; write 'en'",
    ),
    (
        "no categories",
        _set_path(["categories"], []),
        "categories: has 0 categories; a set needs 1 to 10",
    ),
    (
        "too many categories",
        _set_path(["categories"], [category(n, first=n) for n in range(11)]),
        "categories: has 11 categories; a set needs 1 to 10",
    ),
    (
        "category without questions",
        _set_path(["categories", 1, "questions"], []),
        "categories[1].questions: has 0 questions; a category needs 1 to 40",
    ),
    (
        "too many questions in a category",
        _set_path(["categories"], [category(0, questions=41)]),
        "categories[0].questions: has 41 questions; a category needs 1 to 40",
    ),
    (
        "too many questions in the set",
        _set_path(["categories"], [category(n, questions=38, first=n * 38) for n in range(4)]),
        "categories: the set has 152 questions; at most 150 fit — split it into two sets",
    ),
    (
        "categories not a list",
        _set_path(["categories"], "service"),
        "categories: expected a list (one '- ' line per item), got the text 'service'",
    ),
    (
        "category not a mapping",
        _set_path(["categories", 1], "behaviour"),
        "categories[1]: expected a mapping of fields (key: value lines), got the text 'behaviour'",
    ),
]


def _aids(*changes: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], None]:
    """with_aids, then the changes: one broken rule on an otherwise valid set with aids."""

    def change(data: dict[str, Any]) -> None:
        with_aids(data)
        for each in changes:
            each(data)

    return change


ANGRY = ["categories", 1, "questions", 0]  # the question with every aid
ANGRY_PATH = "categories[1].questions[0]"

AID_RULES: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    (
        "too few own anchors",
        _aids(_set_path([*ANGRY, "anchors"], OWN_ANCHORS[:3])),
        f"{ANGRY_PATH}.anchors: has 3 anchors but the scale has 5 points; give one anchor per "
        "scale point, in the scale's order (or remove anchors to use the scale's own)",
    ),
    (
        "no own anchors in the list",
        _aids(_set_path([*ANGRY, "anchors"], [])),
        f"{ANGRY_PATH}.anchors: has 0 anchors but the scale has 5 points",
    ),
    (
        "own anchor too long for a select option",
        _aids(_set_path([*ANGRY, "anchors", 2], LONG_ANCHOR)),
        f"{ANGRY_PATH}.anchors[2]: option text '{LONG_OPTION[:37]}...' is 81 characters; "
        "Slack shows at most 75 — shorten the anchor",
    ),
    (
        "own anchor empty",
        _aids(_set_path([*ANGRY, "anchors", 1], " ")),
        f"{ANGRY_PATH}.anchors[1]: is empty; write some text",
    ),
    (
        "own anchors not a list",
        _aids(_set_path([*ANGRY, "anchors"], "Calm")),
        f"{ANGRY_PATH}.anchors: expected a list (one '- ' line per item), got the text 'Calm'",
    ),
    (
        "too many probes",
        _aids(_set_path([*ANGRY, "probes"], [f"Probe {n}?" for n in range(6)])),
        f"{ANGRY_PATH}.probes: has 6 probes; a question takes at most 5 — keep the ones that "
        "tell most",
    ),
    (
        "probe too long",
        _aids(_set_path([*ANGRY, "probes", 1], "p" * 301)),
        f"{ANGRY_PATH}.probes[1]: must be at most 300 characters (it has 301)",
    ),
    (
        "probe empty",
        _aids(_set_path([*ANGRY, "probes", 0], "")),
        f"{ANGRY_PATH}.probes[0]: is empty; write some text",
    ),
    (
        "unknown guidance source",
        _aids(_set_path([*ANGRY, "guidance_source"], "articel")),
        f"{ANGRY_PATH}.guidance_source: 'articel' is not allowed here; write 'article' or "
        "'project'",
    ),
    (
        "guidance source without guidance",
        _aids(_set_path(["categories", 0, "questions", 0, "guidance_source"], "article"),
              _set_path(["categories", 0, "questions", 0, "probes"], ["Why?"])),
        "categories[0].questions[0].guidance_source: says where the guidance comes from, but "
        "the question has no guidance; add guidance or remove guidance_source",
    ),
    (
        "spare not true or false",
        _aids(_set_path([*ANGRY, "spare"], "maybe")),
        f"{ANGRY_PATH}.spare: expected true or false, got the text 'maybe'",
    ),
    (
        "every question of a category spare",
        _aids(_set_path([*ANGRY, "spare"], True)),
        "categories[1].questions: every question is marked spare: true; leave at least one "
        "core question (remove spare from it)",
    ),
    (
        "competency misspelt",
        _aids(_set_path([*ANGRY, "competency"], "active-listenin")),
        f"{ANGRY_PATH}.competency: 'active-listenin' is not one of this set's competencies; "
        "did you mean 'active-listening'?",
    ),
    (
        "competency not declared",
        _aids(_set_path([*ANGRY, "competency"], "empathy")),
        f"{ANGRY_PATH}.competency: 'empathy' is not one of this set's competencies; use one of "
        "active-listening, problem-solving, or add it under competencies",
    ),
    (
        "competency named but none declared",
        _aids(_delete("competencies"), _delete("categories", 0, "questions", 0, "competency"),
              _delete("categories", 0, "questions", 1, "competency")),
        f"{ANGRY_PATH}.competency: 'active-listening' is not declared; list the set's "
        "competencies under competencies (id and name of each) or remove competency",
    ),
    (
        "competency missing",
        _aids(_delete("categories", 0, "questions", 1, "competency")),
        "categories[0].questions[1].competency: is missing; the set declares competencies, so "
        "every question names the one it gives evidence of: one of active-listening, "
        "problem-solving",
    ),
    (
        "competency without a value",
        _aids(_set_path([*ANGRY, "competency"], None)),
        f"{ANGRY_PATH}.competency: has no value; the set declares competencies",
    ),
    (
        "competency not an id",
        _aids(_set_path([*ANGRY, "competency"], "Active listening")),
        f"{ANGRY_PATH}.competency: 'Active listening' is not a valid id",
    ),
    (
        "competency id used twice",
        _aids(lambda d: d["competencies"].append({"id": "problem-solving", "name": "Again"})),
        "competencies[2].id: 'problem-solving' is used twice in this set (also at "
        "competencies[1].id); give each competency its own id",
    ),
    (
        "competency not named by any question",
        _aids(lambda d: d["competencies"].append({"id": "empathy", "name": "Empathy"})),
        "competencies[2].id: 'empathy' is not named by any question; tag the questions it "
        "covers with 'competency: empathy', or remove it",
    ),
    (
        "too many competencies",
        _aids(_set_path(["competencies"], [*COMPETENCIES, *[
            {"id": f"extra-{n}", "name": f"Extra {n}"} for n in range(9)]])),
        "competencies: has 11 competencies; a set takes at most 10",
    ),
    (
        "competency name missing",
        _aids(_delete("competencies", 1, "name")),
        "competencies[1].name: is missing",
    ),
    (
        "competency name too long",
        _aids(_set_path(["competencies", 0, "name"], "n" * 61)),
        "competencies[0].name: must be at most 60 characters (it has 61)",
    ),
    (
        "competency unknown field",
        _aids(_set_path(["competencies", 0, "nmae"], "x")),
        "competencies[0].nmae: unknown field; did you mean 'name'?",
    ),
    (
        "competency source unknown",
        _aids(_set_path(["competencies", 0, "source"], "book")),
        "competencies[0].source: 'book' is not allowed here; write 'article' or 'project'",
    ),
]

RULES += AID_RULES

# The debrief's inputs: category weights, and notes for ratings at the ends of the scale.
RULES += [
    ("weight negative", _set_path(["categories", 0, "weight"], -1),
     "categories[0].weight: must be 0 or more, got -1"),
    ("weight too large", _set_path(["categories", 0, "weight"], 11),
     "categories[0].weight: must be at most 10, got 11"),
    ("weight not a number", _set_path(["categories", 0, "weight"], "heavy"),
     "categories[0].weight: expected a number like 1 or 0.5, got the text 'heavy'"),
    ("every weight zero", lambda d: [c.update(weight=0) for c in d["categories"]],
     "categories: every category has weight: 0"),
    ("extreme note flag not true or false", _set_path(["extreme_ratings_need_note"], "yes please"),
     "extreme_ratings_need_note: expected true or false, got the text 'yes please'"),
]


def test_weights_and_the_extreme_note_rule_parse_and_default() -> None:
    plain = parse_question_set(dump(valid_set()), FILE)
    assert plain.weights == {"service": 1.0, "behaviour": 1.0}
    assert plain.extreme_ratings_need_note is False
    data = mutated(_set_path(["categories", 1, "weight"], 0.5))
    data["extreme_ratings_need_note"] = True
    weighted = parse_question_set(dump(data), FILE)
    assert weighted.weights == {"service": 1.0, "behaviour": 0.5}
    assert weighted.extreme_ratings_need_note
    assert [weighted.is_extreme(v) for v in range(1, 6)] == [True, False, False, False, True]


def test_the_aids_fixture_is_valid() -> None:
    assert parse_question_set(dump(mutated(with_aids)), FILE).question_count == 3


@pytest.mark.parametrize(("change", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_has_a_clear_message(
    change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    problems = problems_of(mutated(change))
    assert any(problem.startswith(f"{FILE}: {expected}") for problem in problems), problems


def test_set_select_option_too_long_is_reported_with_the_name() -> None:
    problems = problems_of(mutated(_set_path(["name"], "n" * 71)))
    assert f"{FILE}: name: must be at most 60 characters (it has 71)" in problems
    assert any(
        p.startswith(f"{FILE}: name: option text ")
        and "is 76 characters; Slack shows at most 75" in p
        for p in problems
    ), problems


def test_file_name_must_match_id_and_language() -> None:
    problems = problems_of(valid_set(), source="customer-service.yaml")
    assert problems == [
        "customer-service.yaml: file name: must be 'tiny.en.yaml' to match id 'tiny' and "
        "language 'en' (the library finds sets by id and language); rename the file or fix "
        "id/language"
    ]


def test_messages_use_the_file_name_not_the_whole_path() -> None:
    problems = problems_of(mutated(_delete("name")), source=f"/some/dir/{FILE}")
    assert problems == [f"{FILE}: name: is missing"]


def test_an_id_used_three_times_is_reported_at_each_repeat() -> None:
    def change(data: dict[str, Any]) -> None:
        data["categories"][0]["questions"][1]["id"] = "define-service"
        data["categories"][1]["questions"][0]["id"] = "define-service"

    problems = [p for p in problems_of(mutated(change)) if "define-service" in p]
    assert problems == [
        f"{FILE}: categories[0].questions[1].id: 'define-service' is used 3 times in this set "
        "(also at categories[0].questions[0].id, categories[1].questions[0].id); "
        "give each question its own id",
        f"{FILE}: categories[1].questions[0].id: 'define-service' is used 3 times in this set "
        "(also at categories[0].questions[0].id, categories[0].questions[1].id); "
        "give each question its own id",
    ]


def test_a_file_with_several_problems_reports_all_of_them() -> None:
    def change(data: dict[str, Any]) -> None:
        del data["description"]  # pydantic: missing
        data["language"] = "sv"  # policy: unsupported language
        data["scale"][4]["value"] = 7  # cross-field: gap
        data["categories"][0]["questons"] = data["categories"][0].pop("questions")  # typo
        data["categories"][1]["questions"].append({"id": "angry-customer", "text": "Again?"})

    problems = problems_of(mutated(change), source="tiny.sv.yaml")

    assert problems == [
        "tiny.sv.yaml: description: is missing",
        "tiny.sv.yaml: categories[0].questions: is missing",
        "tiny.sv.yaml: categories[0].questons: unknown field; did you mean 'questions'?",
        "tiny.sv.yaml: language: 'sv' is not supported; use one of en, et, fi",
        "tiny.sv.yaml: scale[4].value: expected 5 (values count up from 1 without gaps)",
        "tiny.sv.yaml: categories[1].questions[1].id: 'angry-customer' is used twice in this "
        "set (also at categories[1].questions[0].id); give each question its own id",
    ]


# ---------------------------------------------------------------------------- YAML-level problems


def test_tab_character_gives_line_and_column() -> None:
    text = "id: tiny\nname: Tiny\nscale:\n\t- value: 1\n"
    assert problems_of_text(text) == [
        "bad.yaml: line 4, column 1: found character '\\t' that cannot start any token; "
        "indent with spaces, not tabs"
    ]


def test_unclosed_quote_gives_line_and_column_of_both_ends() -> None:
    text = "id: tiny\nname: 'Tiny\nlanguage: en\n"
    assert problems_of_text(text) == [
        "bad.yaml: line 4, column 1: found unexpected end of stream "
        "(while scanning a quoted scalar at line 2, column 7)"
    ]


def test_unquoted_colon_in_text_gets_a_hint() -> None:
    (problem,) = problems_of_text("id: tiny\nname: Tip: quote me\n")
    assert problem.startswith("bad.yaml: line 2, column 10: mapping values are not allowed here")
    assert problem.endswith("put text that contains ': ' in quotes")


def test_duplicate_key_is_a_problem_not_silently_dropped() -> None:
    text = dump(valid_set()) + "categories: []\n"
    (problem,) = problems_of_text(text, source=FILE)
    assert problem.startswith(f"{FILE}: line ")
    assert "found duplicate key 'categories'; each key may appear only once" in problem


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert problems_of_text(text) == [
        "bad.yaml: the file is empty; a question set needs id, name, language, description, "
        "scale and categories"
    ]


@pytest.mark.parametrize(
    ("text", "kind"), [("- id: tiny\n", "a list"), ("just text\n", "the text 'just text'")]
)
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    assert problems_of_text(text) == [
        f"bad.yaml: the top level must be a mapping of fields (id: ..., name: ...), not {kind}"
    ]


# ---------------------------------------------------------------------------- files


def write(directory: Path, data: Any, name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if name is None:
        name = f"{data['id']}.{data['language']}.yaml"
    path = directory / name
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return path


def test_load_question_set_file(tmp_path: Path) -> None:
    path = write(tmp_path, valid_set())
    assert load_question_set_file(path).key == ("tiny", "en")


def test_load_question_set_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_bytes(dump(valid_set()).replace("Tiny set", "Tiny s\xe4t").encode("latin-1"))
    with pytest.raises(QuestionSetError) as caught:
        load_question_set_file(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{FILE}: byte ")
    assert problem.endswith("is not UTF-8 text; save the file as UTF-8")


def test_load_question_set_file_missing(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError) as caught:
        load_question_set_file(tmp_path / FILE)
    assert caught.value.problems == [f"{FILE}: cannot read the file: No such file or directory"]


# ---------------------------------------------------------------------------- library


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the shipped directory holding the fixture set, in en and et."""
    directory = tmp_path / "shipped"
    write(directory, valid_set())
    write(directory, {**valid_set(), "language": "et", "name": "Väike komplekt"})
    monkeypatch.setattr(qs, "shipped_dir", lambda: directory)
    return directory


def test_library_loads_shipped_sets(shipped: Path) -> None:
    library = QuestionSetLibrary.load()

    assert len(library) == 2
    assert library.get("tiny", "en") is not None
    assert library.get("tiny", "fi") is None
    assert library.get("other", "en") is None
    assert library.languages("tiny") == ["en", "et"]
    assert library.errors == []


def test_library_sorts_sets_by_name_then_language(shipped: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    write(extra, {**valid_set(), "id": "alpha", "name": "Alpha"})
    library = QuestionSetLibrary.load([extra])
    assert [s.key for s in library] == [("alpha", "en"), ("tiny", "en"), ("tiny", "et")]


def test_library_skips_a_broken_custom_set_and_logs_it(
    shipped: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = tmp_path / "extra"
    write(extra, {**valid_set(), "id": "good", "name": "Good"})
    broken = {**valid_set(), "id": "broken"}
    del broken["name"]
    write(extra, broken)

    with caplog.at_level(logging.ERROR, logger="bot.core.question_sets"):
        library = QuestionSetLibrary.load([extra])

    assert sorted(s.id for s in library) == ["good", "tiny", "tiny"]
    assert library.get("broken", "en") is None
    assert library.errors == ["broken.en.yaml: name: is missing"]
    assert "broken.en.yaml: name: is missing" in caplog.text
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_extra_dir_overrides_shipped_set_with_same_id_and_language(
    shipped: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write(first, {**valid_set(), "name": "Custom tiny"})
    write(second, {**valid_set(), "name": "Latest tiny"})

    library = QuestionSetLibrary.load([first, second])

    assert len(library) == 2
    assert library.get("tiny", "en").name == "Latest tiny"  # type: ignore[union-attr]
    assert library.get("tiny", "et").name == "Väike komplekt"  # type: ignore[union-attr]


def test_a_broken_override_keeps_the_shipped_set(shipped: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    write(extra, mutated(_set_path(["scale"], _scale(1))))
    library = QuestionSetLibrary.load([extra])
    assert library.get("tiny", "en").name == "Tiny set"  # type: ignore[union-attr]
    assert library.errors == ["tiny.en.yaml: scale: has 1 point; a scale needs 2 to 10"]


def test_library_reports_a_missing_extra_dir(shipped: Path, tmp_path: Path) -> None:
    library = QuestionSetLibrary.load([tmp_path / "nowhere"])
    assert len(library) == 2
    assert library.errors == [f"{tmp_path / 'nowhere'}: question set directory not found"]


# ---------------------------------------------------------------------------- CLI helpers


def test_run_check_on_a_broken_file_prints_every_problem(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["name"]
        data["scale"][2]["anchor"] = LONG_ANCHOR

    path = write(tmp_path, mutated(change))
    out = io.StringIO()

    assert run_check([path], out) == 1
    assert out.getvalue().splitlines() == [
        f"{FILE}: name: is missing",
        f"{FILE}: scale[2]: option text '{LONG_OPTION[:37]}...' is 81 characters; Slack shows "
        "at most 75 — shorten the label or the anchor",
    ]


def test_run_check_on_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, valid_set())
    out = io.StringIO()
    assert run_check([path], out) == 0
    assert out.getvalue() == f"ok: {path} (3 questions)\n"


def test_run_check_on_a_directory(tmp_path: Path) -> None:
    good = write(tmp_path, valid_set())
    write(tmp_path, "- not a set\n", name="list.en.yml")
    write(tmp_path, "ignored", name="notes.txt")
    out = io.StringIO()

    assert run_check([tmp_path], out) == 1
    assert out.getvalue().splitlines() == [
        "list.en.yml: the top level must be a mapping of fields (id: ..., name: ...), not a list",
        f"ok: {good} (3 questions)",
    ]


def test_run_check_on_missing_and_empty_paths(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = io.StringIO()
    assert run_check([tmp_path / "nope.yaml", empty], out) == 1
    assert out.getvalue().splitlines() == [
        f"{tmp_path / 'nope.yaml'}: no such file or directory",
        f"{empty}: no *.yaml or *.yml files in this directory",
    ]


def test_run_check_without_paths_checks_the_shipped_dir(shipped: Path) -> None:
    out = io.StringIO()
    assert run_check([], out) == 0
    assert out.getvalue().count("ok: ") == 2


def test_run_list_prints_a_table_then_errors(shipped: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    write(extra, {**valid_set(), "id": "alpha", "name": "Alpha"})
    write(extra, "id: [\n", name="broken.en.yaml")
    out = io.StringIO()

    assert run_list([extra], out) == 0

    lines = out.getvalue().splitlines()
    assert lines[:4] == [
        "ID     LANGUAGE  CATEGORIES  QUESTIONS  NAME",
        "alpha  en                 2          3  Alpha",
        "tiny   en                 2          3  Tiny set",
        "tiny   et                 2          3  Väike komplekt",
    ]
    assert lines[5] == "Skipped because of problems (1):"
    assert lines[6].startswith("broken.en.yaml: line 2, column 1: ")


def test_run_list_with_no_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qs, "shipped_dir", lambda: tmp_path)
    out = io.StringIO()
    assert run_list([], out) == 0
    assert out.getvalue() == "No question sets found.\n"


def test_readme_example_is_a_valid_set() -> None:
    # The README is not package data, so read it from the source tree.
    readme = (REPO / "question_sets" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    question_set = parse_question_set(example, "sales-basics.en.yaml")
    assert question_set.question_count == 3


# ---------------------------------------------------------------------------- shipped set
# These read the real files in question_sets/ (written separately from this module).


@pytest.fixture(scope="module")
def shipped_sets() -> dict[str, QuestionSet]:
    return {
        language: load_question_set_file(qs.shipped_dir() / f"customer-service.{language}.yaml")
        for language in SUPPORTED_LANGUAGES
    }


class TestShippedCustomerServiceSet:
    def test_shipped_sets_load_in_every_language(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        library = QuestionSetLibrary.load()
        assert library.errors == []
        assert library.languages("customer-service") == ["en", "et", "fi"]
        for language, question_set in shipped_sets.items():
            assert question_set.key == ("customer-service", language)

    def test_shipped_sets_have_five_categories(self, shipped_sets: dict[str, QuestionSet]) -> None:
        for question_set in shipped_sets.values():
            assert len(question_set.categories) == 5

    def test_shipped_sets_ask_for_evidence_of_a_1_or_a_5(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        assert all(q.extreme_ratings_need_note for q in shipped_sets.values())

    def test_shipped_sets_share_category_and_question_ids(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        def ids(question_set: QuestionSet) -> list[tuple[str, list[str]]]:
            return [(c.id, [q.id for q in c.questions]) for c in question_set.categories]

        assert ids(shipped_sets["en"]) == ids(shipped_sets["et"]) == ids(shipped_sets["fi"])

    def test_shipped_define_question_guidance_mentions_star(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        for question_set in shipped_sets.values():
            _, question = question_set.question("define-customer-service")
            assert question.guidance is not None
            assert "STAR" in question.guidance

    def test_shipped_sets_match_question_for_question(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        # Same competencies, and per question the same competency, spare mark, guidance
        # source, number of probes and own anchors or none: only the texts are translated.
        def shape(question_set: QuestionSet) -> list[Any]:
            return [
                [(c.id, c.source) for c in question_set.competencies],
                question_set.extreme_ratings_need_note, question_set.weights,
                *[
                    (q.id, q.competency, q.spare, q.guidance_source, len(q.probes),
                     q.anchors is not None)
                    for category in question_set.categories
                    for q in category.questions
                ],
            ]

        assert shape(shipped_sets["en"]) == shape(shipped_sets["et"]) == shape(shipped_sets["fi"])

    def test_every_shipped_question_has_its_own_guidance_probes_and_competency(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        for question_set in shipped_sets.values():
            questions = [q for c in question_set.categories for q in c.questions]
            assert all(q.guidance and q.guidance_source and q.probes for q in questions)
            assert all(q.competency for q in questions)
            # No text repeated from question to question (the behavioural one used to be).
            guidance = [q.guidance for q in questions]
            assert len(set(guidance)) == len(guidance)

    def test_the_shipped_competencies_are_the_finnish_articles_five_and_one_of_ours(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        competencies = shipped_sets["en"].competencies
        assert [(c.id, c.name, c.source) for c in competencies] == [
            ("courtesy-professionalism", "Courtesy and professionalism", "article"),
            ("active-listening", "Active listening", "article"),
            ("customer-focus", "Customer focus", "article"),
            ("problem-solving", "Problem solving", "article"),
            ("clear-communication", "Clear communication", "article"),
            ("motivation-and-fit", "Motivation and fit", "project"),
        ]

    def test_shipped_questions_have_own_anchors_where_the_star_scale_does_not_fit(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        # The set's scale speaks of STAR examples and blame: it fits the behavioural
        # questions only.
        for question_set in shipped_sets.values():
            for category in question_set.categories:
                own = [q.anchors is not None for q in category.questions]
                assert own == [category.id != "behavioural"] * len(own), category.id

    def test_shipped_core_questions_make_an_interview(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        question_set = shipped_sets["en"]
        core = [q for c in question_set.categories for q in c.questions if not q.spare]
        # 13 questions of about 4-5 minutes with probes: a 60-minute interview.
        assert len(core) == 13
        assert {q.competency for q in core} == {c.id for c in question_set.competencies}
        assert "define-customer-service" in {q.id for q in core}

    def test_the_estonian_set_addresses_the_candidate_formally(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        question_set = shipped_sets["et"]
        to_candidate = [
            text
            for category in question_set.categories
            for q in category.questions
            for text in [q.text, *q.probes]
        ]
        informal = re.compile(
            r"\b(sa|sina|sinu|sul|sulle|sind|sinust|sinuga|räägi|too mulle)\b", re.I)
        lowercase_formal = re.compile(r"\b(te|teie|teid|teile|teil)\b")
        for text in to_candidate:
            assert not informal.search(text), text
            assert not lowercase_formal.search(text), text
        everything = json.dumps(question_set.to_snapshot(), ensure_ascii=False)
        # What the language review found (../shared/reviews/language-review.md).
        for wrong in ("inimesteks", "Oota vastust", "Käitumisintervjuu", "Käitumuslik ",
                      "õnnetu", "osalejatel", "Mida teha", "Olukorrapõhised intervjuu",
                      "Isiklikud intervjuu", "tõsielulugude"):
            assert wrong not in everything, wrong

    def test_the_finnish_set_has_the_reviews_corrections(
        self, shipped_sets: dict[str, QuestionSet]
    ) -> None:
        everything = json.dumps(shipped_sets["fi"].to_snapshot(), ensure_ascii=False)
        for wrong in ("ihmisihmisenä", "Odota vastausta", "kääntämään", "tukemiesi",
                      "ongelma, ja", "tehtävässäsi, ja", "asiakaspalvelussa, ja",
                      "viimeksi, ja", "meille, ja"):
            assert wrong not in everything, wrong

    def test_shipped_files_pass_run_check(self) -> None:
        out = io.StringIO()
        assert run_check([qs.shipped_dir()], out) == 0, out.getvalue()
