"""The "Full scorecards" modal for the hiring lead and the recruiter: every panelist's
current scorecard, rating by rating, private notes included.

When everything fits in one modal (100 blocks) it is shown at once. A big panel with a big
set (12 panelists, 150 questions) does not fit: then a select at the top pages between an
overview (recommendation, takeaways, private note and category means of everyone) and one
panelist's ratings question by question.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import ActionsBlock, Block, Option, StaticSelectElement
from slack_sdk.models.views import View

from bot.core.question_sets import Category, QuestionSet
from bot.debrief.builders.summary import panelist_head, score_with_label
from bot.i18n import Translator
from bot.scorecards.builders.views import score_text
from bot.slack.blocks import SECTION_TEXT_LIMIT, chunk_lines, clip, context, divider, plain, section
from bot.slack.mrkdwn import escape, user

if TYPE_CHECKING:
    from bot.debrief.service import FullScorecard, FullScorecards

CALLBACK_ID = "full_scorecards"
PAGE_ACTION = "full_scorecards_page"
OVERVIEW = "overview"
MAX_MODAL_BLOCKS = 100
QUESTION_TEXT_IN_LISTS = 120






def escaped_pieces(text: str, first: int, rest: int = SECTION_TEXT_LIMIT) -> list[str]:
    """`text` escaped for mrkdwn and cut into pieces, the first at most `first` characters,
    the others `rest`, never inside an escape: long takeaways lose nothing, however many
    `&` they hold."""
    pieces: list[str] = []
    current, limit = "", first
    for char in text:
        part = escape(char)
        if len(current) + len(part) > limit:
            pieces.append(current)
            current, limit = "", rest
        current += part
    return [*pieces, current]


def _long_text(first_line: str, text: str) -> list[Block]:
    """A heading line and a text as long as a scorecard allows (3000 characters, more once
    escaped), over as many sections as it takes."""
    first, *more = escaped_pieces(text, SECTION_TEXT_LIMIT - len(first_line) - 1)
    return [section(f"{first_line}\n{first}"), *(section(p) for p in more if p)]


def _head(t: Translator, qs: QuestionSet, card: FullScorecard) -> list[Block]:
    return _long_text(panelist_head(t, qs, card) + "\n" + t._("*Key takeaways:*"),
                      card.takeaways)


def _private_note(t: Translator, card: FullScorecard) -> list[Block]:
    if not card.private_note:
        return []
    return _long_text(t._("_Private note (hiring lead and recruiter only):_"),
                      card.private_note)


def _category_mean(t: Translator, qs: QuestionSet, card: FullScorecard,
                   category: Category) -> str:
    mean = card.category_mean([q.id for q in category.questions])
    return t._("not rated") if mean is None else score_with_label(t, qs, mean)


def _means(t: Translator, qs: QuestionSet, card: FullScorecard) -> Block:
    lines = [f"{escape(c.name)}: {_category_mean(t, qs, card, c)}" for c in qs.categories]
    return section("\n".join(lines))


def _detail(t: Translator, qs: QuestionSet, card: FullScorecard) -> list[Block]:
    """Every rating, category by category, with the category notes."""
    lines: list[str] = []
    for category in qs.categories:
        lines.append(f"*{escape(category.name)}* — {_category_mean(t, qs, card, category)}")
        for question in category.questions:
            if question.id in card.ratings:
                lines.append(f"• {escape(clip(question.text, QUESTION_TEXT_IN_LISTS))}: "
                             f"{score_text(t, qs, card.ratings[question.id])}")
        note = card.category_notes.get(category.id)
        if note:
            lines.append(t._("_Note:_ {note}", note=escape(note)))
    return [section(chunk) for chunk in chunk_lines(lines)]


def _card_blocks(t: Translator, qs: QuestionSet, card: FullScorecard,
                 detail: bool) -> list[Block]:
    qs = card.question_set or qs  # a loop's card: its own round's set
    blocks = [divider(), *_head(t, qs, card), *_private_note(t, card)]
    blocks += _detail(t, qs, card) if detail else [_means(t, qs, card)]
    return blocks


def _top(t: Translator, data: FullScorecards) -> list[Block]:
    blocks: list[Block] = [section(t._("*{candidate}* · {role} · interview {id}",
                                       candidate=escape(data.candidate_name),
                                       role=escape(data.role), id=data.interview_id))]
    if data.missing:
        blocks.append(context(t._("Not in yet: {names}",
                                  names=", ".join(user(u) for u in data.missing))))
    if not data.cards:
        blocks.append(section(t._("No scorecards are in yet.")))
    return blocks


def _page_select(t: Translator, data: FullScorecards, names: Mapping[str, str],
                 page: str) -> Block:
    options = [Option(value=OVERVIEW, text=plain(t._("Overview: everyone")))]
    options += [Option(value=card.key, text=plain(_page_name(t, card, names)))
                for card in data.cards]
    initial = next((o for o in options if o.value == page), options[0])
    return ActionsBlock(block_id="page", elements=[StaticSelectElement(
        action_id=PAGE_ACTION, placeholder=plain(t._("Show")), options=options,
        initial_option=initial)])


def _page_name(t: Translator, card: FullScorecard, names: Mapping[str, str]) -> str:
    name = names.get(card.user_id) or card.user_id
    return name if card.round_number is None else t._("{name} (round {n})", name=name,
                                                      n=card.round_number)


def _fit(t: Translator, blocks: list[Block]) -> list[Block]:
    if len(blocks) <= MAX_MODAL_BLOCKS:
        return blocks
    more = context(t._("More than fits here: export the interview for every rating."))
    return [*blocks[:MAX_MODAL_BLOCKS - 1], more]


def needs_pages(t: Translator, data: FullScorecards) -> bool:
    """Whether the modal pages by panelist (and so needs their names for the select)."""
    qs = data.question_set
    everything = [b for card in data.cards for b in _card_blocks(t, qs, card, detail=True)]
    return len(_top(t, data)) + len(everything) > MAX_MODAL_BLOCKS


def full_scorecards_modal(t: Translator, data: FullScorecards, names: Mapping[str, str],
                          page: str | None = None) -> dict[str, Any]:
    """The modal; `page` (OVERVIEW or a panelist's user id) pages a panel too big for one
    modal, `names` are the panelists' display names for the page select."""
    qs = data.question_set
    top = _top(t, data)
    if page is None and not needs_pages(t, data):
        blocks = top + [b for card in data.cards
                        for b in _card_blocks(t, qs, card, detail=True)]
    else:
        page = page if page in {c.key for c in data.cards} else OVERVIEW
        blocks = [*top, _page_select(t, data, names, page)]
        if page == OVERVIEW:
            blocks.append(context(t._("Choose a panelist above for every rating.")))
            blocks += [b for card in data.cards
                       for b in _card_blocks(t, qs, card, detail=False)]
        else:
            card = next(c for c in data.cards if c.key == page)
            blocks += _card_blocks(t, qs, card, detail=True)
    # Translators: modal title, max 24 characters
    title = t._("Full scorecards")
    # Translators: modal button, max 24 characters
    close = t._("Close")
    view = View(type="modal", callback_id=CALLBACK_ID, title=plain(title, 24),
                close=plain(close, 24), blocks=_fit(t, blocks),
                private_metadata=json.dumps({"interview_id": data.interview_id}))
    return view.to_dict()


def read_interview_id(view: Mapping[str, Any]) -> int | None:
    try:
        value = json.loads(view.get("private_metadata") or "{}").get("interview_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None
