"""The scorecard modal: every question of the set rated on its anchored scale, grouped by
category (the panelist's focus first), a note per category, the overall recommendation, key
takeaways and a private note.

Paging: a modal holds at most 100 blocks. When the whole set fits, it is one page. Otherwise
consecutive categories are packed into pages that each fit, the recommendation, takeaways and
private note on the last page. Non-final pages submit with "Next" (answered with
response_action "update" and the next page); an actions-block "Back" button
(action_id `scorecard_page`) goes back. The pages' answers wait in a ScorecardDraft row until
the final submit; private_metadata carries only the interview id, the page and the user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.question_sets import (
    RECOMMENDATION_KEYS,
    Category,
    Question,
    QuestionSet,
    scale_option_text,
)
from bot.i18n import Translator
from bot.scorecards.service import (
    NOT_ASSESSED,
    PRIVATE_NOTE_BLOCK,
    RECOMMENDATION_BLOCK,
    SHIFT_REASON_MAX_LENGTH,
    TAKEAWAYS_BLOCK,
    TEXT_MAX_LENGTH,
    Answers,
    Patch,
    ScorecardForm,
    category_note_block_id,
    rating_block_id,
    shift_reason_block_id,
)
from bot.slack.blocks import actions, button, clip, header, plain, section
from bot.slack.mrkdwn import escape

CALLBACK_ID = "scorecard"
PAGE_ACTION = "scorecard_page"  # the "Back" button; its value is the page to show
RATING_ACTION = "rating"
NOTE_ACTION = "note"
TEXT_ACTION = "text"
MAX_MODAL_BLOCKS = 100
INPUT_LABEL_LIMIT = 2000
HINT_LIMIT = 2000
OPTION_TEXT_LIMIT = 75  # plain()'s default, which scale_options uses
CONTEXT_TEXT_LIMIT = 2000

# Blocks every page may carry besides the categories: the intro, the page line, "Back".
PAGE_OVERHEAD_BLOCKS = 3
# The last page's divider, recommendation, takeaways and private note.
FINAL_BLOCKS = 4


def category_blocks(category: Category, asks_reason: bool = False) -> int:
    """Header, purpose, one input per question, the category note (and in a re-rating of a
    category rated before, the reason for a big move)."""
    return len(category.questions) + 3 + (1 if asks_reason else 0)


@dataclass(frozen=True)
class Page:
    number: int  # from 0
    category_ids: tuple[str, ...]
    final: bool


def plan_pages(form: ScorecardForm, max_blocks: int = MAX_MODAL_BLOCKS) -> list[Page]:
    """One page if everything fits, else consecutive categories packed into pages that each
    fit (every page leaves room for the final fields, so any page could be last)."""
    categories = form.categories
    single = 1 + sum(category_blocks(c, c.id in form.before) for c in categories) + FINAL_BLOCKS
    if single <= max_blocks:
        return [Page(0, tuple(c.id for c in categories), final=True)]
    capacity = max_blocks - PAGE_OVERHEAD_BLOCKS - FINAL_BLOCKS
    groups: list[list[str]] = [[]]
    used = 0
    for category in categories:
        size = category_blocks(category, category.id in form.before)
        if groups[-1] and used + size > capacity:
            groups.append([])
            used = 0
        groups[-1].append(category.id)
        used += size
    return [Page(n, tuple(ids), final=n == len(groups) - 1) for n, ids in enumerate(groups)]


@dataclass(frozen=True)
class Metadata:
    interview_id: int
    page: int
    user_id: str


def encode_metadata(interview_id: int, page: int, user_id: str) -> str:
    return json.dumps({"i": interview_id, "p": page, "u": user_id}, separators=(",", ":"))


def decode_metadata(raw: str | None) -> Metadata | None:
    """None for anything that is not our metadata (a forged or foreign view)."""
    try:
        data = json.loads(raw or "")
        return Metadata(int(data["i"]), int(data["p"]), str(data["u"]))
    except (ValueError, KeyError, TypeError):
        return None


def scale_options(t: Translator, qs: QuestionSet, question: Question | None = None
                  ) -> list[Option]:
    """Every point shows its label and anchor, so nobody has to look the scale up: the
    question's own anchors where it has them, else the set's."""
    points = qs.question_scale(question) if question is not None else qs.scale
    options = [Option(value=str(p.value), text=plain(p.option_text())) for p in points]
    # Translators: a choice in a select, max 75 characters
    options.append(Option(value=NOT_ASSESSED, text=plain(t._("Not assessed"))))
    return options


def recommendation_options(qs: QuestionSet) -> list[Option]:
    return [Option(value=key, text=plain(qs.recommendation.label(key)))
            for key in RECOMMENDATION_KEYS]


def _selected(options: list[Option], value: str | None) -> Option | None:
    return next((o for o in options if o.value == value), None)


# A block built straight as its Block Kit dict (see RatingInputs) or a slack-sdk model.
ModalBlock = Block | dict[str, Any]


@dataclass(frozen=True)
class _Select:
    """A rating select's serialised options and placeholder, and the option for each value
    (the first with it, like _selected)."""

    options: list[dict[str, Any]]
    placeholder: dict[str, Any]
    by_value: dict[str, dict[str, Any]]


class RatingInputs:
    """The rating input of each question, built as the dict slack-sdk would give for

        InputBlock(block_id=rating_block_id(q.id), label=plain(q.text, INPUT_LABEL_LIMIT),
                   hint=plain(q.guidance, HINT_LIMIT) if q.guidance else None, optional=True,
                   element=StaticSelectElement(action_id=RATING_ACTION, placeholder=...,
                                               options=scale_options(..., q),
                                               initial_option=...))

    Why: with the models, `to_dict` re-validated and re-serialised the same scale options
    and placeholder for every one of up to 150 questions, and that was ~94% of the modal's
    cost (py-spy under load). Here the select is built and serialised once per view with the
    models (so slack-sdk still checks the options and placeholder); each question gets
    copies of those dicts (a view is a fresh tree, as before: no block shares a dict with
    another), a question with its own anchors with their texts in place of the scale's (put
    through `escape` and `clip` as `plain` does; the set's validation keeps them within 75
    characters).
    Keys are in slack-sdk's order (it emits them sorted). Labels and hints go through
    `plain` with the same limits, so clipping is unchanged and InputBlock's own checks hold
    by construction (labels and hints at most 2000 characters, block ids far below 255:
    question ids have at most 40). Copying the shared dicts costs ~0.6 ms for 150 questions.
    tests/bot/blocks/test_scorecard_modal_json.py checks the result against the models."""

    def __init__(self, t: Translator, qs: QuestionSet) -> None:
        self._qs = qs
        options = scale_options(t, qs)
        select = StaticSelectElement(
            action_id=RATING_ACTION,
            # Translators: select placeholder, max 75 characters
            placeholder=plain(t._("Choose a score")),
            options=options).to_dict()
        self._scale = _Select(select["options"], select["placeholder"], _by_value(
            [o.value for o in options], select["options"]))

    def _own_anchors(self, question: Question) -> _Select:
        """The scale's options with the question's own anchors in their texts."""
        scale = self._scale
        options = [_copy_option(o) for o in scale.options]
        # question_scale's texts, without building a ScalePoint for each.
        for option, point, anchor in zip(options, self._qs.scale, question.anchors or (),
                                         strict=False):  # "Not assessed" keeps its text
            option["text"]["text"] = clip(escape(scale_option_text(point.value, point.label,
                                                                   anchor)),
                                          OPTION_TEXT_LIMIT)
        return _Select(options, scale.placeholder,
                       _by_value([o["value"] for o in options], options))

    def block(self, question: Question, value: str | None) -> dict[str, Any]:
        chosen = self._own_anchors(question) if self._qs.has_own_scale(question) else self._scale
        element: dict[str, Any] = {"action_id": RATING_ACTION}
        selected = chosen.by_value.get(value) if value is not None else None
        if selected is not None:
            element["initial_option"] = _copy_option(selected)
        element["options"] = [_copy_option(o) for o in chosen.options]
        element["placeholder"] = dict(chosen.placeholder)
        element["type"] = StaticSelectElement.type
        block: dict[str, Any] = {"block_id": rating_block_id(question.id), "element": element}
        if question.guidance:
            block["hint"] = plain(question.guidance, HINT_LIMIT).to_dict()
        block["label"] = plain(question.text, INPUT_LABEL_LIMIT).to_dict()
        block["optional"] = True
        block["type"] = InputBlock.type
        return block


def _by_value(values: list[str], options: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The first option with each value, like _selected."""
    by_value: dict[str, dict[str, Any]] = {}
    for value, option in zip(values, options, strict=True):
        by_value.setdefault(value, option)
    return by_value


def _copy_option(option: dict[str, Any]) -> dict[str, Any]:
    """An option dict's own copy (its values are strings or a text object's flat dict)."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in option.items()}


def _view_dict(blocks: list[ModalBlock], **view: Any) -> dict[str, Any]:
    """`View(blocks=blocks, **view).to_dict()` without re-parsing the blocks that are dicts:
    the View serialises the model blocks, the dicts are put back at their places."""
    # View would check this on all the blocks; it only sees the models here.
    if len(blocks) > View.blocks_max_length:
        raise SlackObjectFormationError(
            f"views must contain between 1 and {View.blocks_max_length} blocks")
    result = View(blocks=[b for b in blocks if isinstance(b, Block)], **view).to_dict()
    serialised = iter(result["blocks"])
    result["blocks"] = [b if isinstance(b, dict) else next(serialised) for b in blocks]
    return result


class ScorecardModal:
    """Builds the pages of one panelist's scorecard and reads a submitted page back."""

    def __init__(self, t: Translator, form: ScorecardForm) -> None:
        self.t = t
        self.form = form
        self.pages = plan_pages(form)
        self._categories = {c.id: c for c in form.question_set.categories}

    def page(self, number: int) -> Page:
        return self.pages[max(0, min(number, len(self.pages) - 1))]

    # ------------------------------------------------------------------ building

    def view(self, number: int, answers: Answers | None = None) -> dict[str, Any]:
        t, page = self.t, self.page(number)
        answers = answers if answers is not None else self.form.answers
        blocks: list[ModalBlock] = [self._intro()]
        if len(self.pages) > 1:
            names = ", ".join(self._categories[c].name for c in page.category_ids)
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(
                t._("Page {page} of {pages}: {categories}", page=page.number + 1,
                    pages=len(self.pages), categories=escape(names)), CONTEXT_TEXT_LIMIT))]))
        ratings = RatingInputs(t, self.form.question_set)
        for category_id in page.category_ids:
            blocks += self._category(self._categories[category_id], ratings, answers)
        if page.final:
            blocks += self._final(answers)
        if page.number > 0:
            # Translators: button, max 30 characters
            back = t._("Back")
            blocks.append(actions(button(back, PAGE_ACTION, str(page.number - 1)),
                                  block_id="scorecard_nav"))
        # Translators: modal title, max 24 characters
        title = t._("Scorecard")
        # Translators: modal button, max 24 characters
        submit = t._("Submit")
        if not page.final:
            # Translators: modal button going to the next page, max 24 characters
            submit = t._("Next")
        # Translators: modal button, max 24 characters
        close = t._("Cancel")
        return _view_dict(
            blocks, type="modal", callback_id=CALLBACK_ID, title=plain(title, 24),
            submit=plain(submit, 24), close=plain(close, 24),
            private_metadata=encode_metadata(self.form.interview_id, page.number,
                                             self.form.user_id))

    def _intro(self) -> Block:
        t, form = self.t, self.form
        lines = [f"*{escape(form.candidate_name)}* · {escape(form.role)}",
                 t._("Rate each question on the scale, or choose “Not assessed”. Your focus "
                     "areas come first: rate at least one question in each.")]
        if form.version:
            lines.append(t._("You are editing your scorecard; version {n} stays in the "
                             "history.", n=form.version))
        if form.rerating:
            lines.append(self._rerating_intro())
        return section("\n".join(lines))

    def _rerating_intro(self) -> str:
        return self.t._("The debrief has started: what you save now is your rating *after* "
                        "the discussion, shown beside the one before. Moving a category 2 "
                        "points or more asks for a one-line reason.")

    def _shift_reason(self, category: Category, before: float,
                      answers: Answers) -> InputBlock:
        """In a re-rating: why the category moved, next to the score it had before."""
        t = self.t
        hint = t._("When the debrief started you rated it {score}. Needed if you move it 2 "
                   "points or more.", score=t.number(before))
        return InputBlock(
            block_id=shift_reason_block_id(category.id),
            label=plain(t._("Why it moved: {category}", category=category.name),
                        INPUT_LABEL_LIMIT),
            hint=plain(hint, HINT_LIMIT), optional=True,
            element=PlainTextInputElement(
                action_id=NOTE_ACTION, max_length=SHIFT_REASON_MAX_LENGTH,
                initial_value=answers.shift_reasons.get(category.id) or None))

    def _category(self, category: Category, ratings: RatingInputs,
                  answers: Answers) -> list[ModalBlock]:
        t = self.t
        title = (t._("{category} (your focus)", category=category.name)
                 if category.id in self.form.focus else category.name)
        blocks: list[ModalBlock] = [
            header(title),
            ContextBlock(elements=[MarkdownTextObject(
                text=clip(escape(category.purpose), CONTEXT_TEXT_LIMIT))]),
        ]
        for question in category.questions:
            blocks.append(ratings.block(question, answers.ratings.get(question.id)))
        blocks.append(InputBlock(
            block_id=category_note_block_id(category.id),
            label=plain(t._("Notes on {category}", category=category.name), INPUT_LABEL_LIMIT),
            optional=True,
            element=PlainTextInputElement(
                action_id=NOTE_ACTION, multiline=True, max_length=TEXT_MAX_LENGTH,
                initial_value=answers.category_notes.get(category.id) or None)))
        before = self.form.before.get(category.id)
        if before is not None:
            blocks.append(self._shift_reason(category, before, answers))
        return blocks

    def _final(self, answers: Answers) -> list[Block]:
        t = self.t
        options = recommendation_options(self.form.question_set)
        return [
            DividerBlock(),
            InputBlock(
                block_id=RECOMMENDATION_BLOCK, label=plain(t._("Overall recommendation")),
                element=RadioButtonsElement(
                    action_id=RATING_ACTION, options=options,
                    initial_option=_selected(options, answers.recommendation))),
            InputBlock(
                block_id=TAKEAWAYS_BLOCK, label=plain(t._("Key takeaways")),
                hint=plain(t._("What the debrief should know: strengths, concerns, evidence."),
                           HINT_LIMIT),
                element=PlainTextInputElement(
                    action_id=TEXT_ACTION, multiline=True, max_length=TEXT_MAX_LENGTH,
                    initial_value=answers.takeaways or None)),
            InputBlock(
                block_id=PRIVATE_NOTE_BLOCK, label=plain(t._("Private note")), optional=True,
                hint=plain(t._("Only the hiring lead and the recruiter see this note."),
                           HINT_LIMIT),
                element=PlainTextInputElement(
                    action_id=TEXT_ACTION, multiline=True, max_length=TEXT_MAX_LENGTH,
                    initial_value=answers.private_note or None)),
        ]

    # ------------------------------------------------------------------ reading

    def read(self, number: int, state_values: dict[str, Any] | None) -> Patch:
        """A page's answers from the view state. A field in the state is in the patch (an
        empty string for one left empty); a field the state does not mention (another page,
        or a state that leaves untouched inputs out) keeps its earlier answer."""
        values = state_values or {}
        page = self.page(number)
        patch: Patch = {"ratings": {}, "category_notes": {}}
        for category_id in page.category_ids:
            category = self._categories[category_id]
            for question in category.questions:
                block_id = rating_block_id(question.id)
                if block_id in values:
                    patch["ratings"][question.id] = _value(values[block_id])
            block_id = category_note_block_id(category_id)
            if block_id in values:
                patch["category_notes"][category_id] = _value(values[block_id])
            block_id = shift_reason_block_id(category_id)
            if block_id in values:
                patch.setdefault("shift_reasons", {})[category_id] = _value(values[block_id])
        if page.final:
            for block_id in (RECOMMENDATION_BLOCK, TAKEAWAYS_BLOCK, PRIVATE_NOTE_BLOCK):
                if block_id in values:
                    patch[block_id] = _value(values[block_id])
        return patch


def _value(block_state: Any) -> str:
    """The selected option's value or the typed text of a block's single element."""
    for element in (block_state or {}).values():
        if not isinstance(element, dict):
            continue
        option = element.get("selected_option")
        if isinstance(option, dict):
            return str(option.get("value") or "")
        if isinstance(element.get("value"), str):
            return element["value"]
    return ""


def first_input_block_id(view: dict[str, Any]) -> str:
    """Where to put an error that belongs to the whole form: the first input on the page."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return RECOMMENDATION_BLOCK
