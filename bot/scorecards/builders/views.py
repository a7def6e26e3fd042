"""What a submitted scorecard looks like: the author's confirmation DM with their own scores,
and the "panel feedback" modal with the scorecards a reader may see (the domain has already
left out what they may not: others' scorecards before one's own is in, private notes for
anyone but the organisers)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.core.question_sets import QuestionSet
from bot.i18n import Translator
from bot.scorecards.service import PanelFeedback, ScorecardSummary, SubmitResult
from bot.slack.blocks import (
    Message,
    actions,
    button,
    chunk_lines,
    clip,
    context,
    divider,
    header,
    plain,
    section,
    to_dicts,
)
from bot.slack.buttons import view_panel_feedback_button
from bot.slack.mrkdwn import escape, user

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
QUESTION_TEXT_IN_LISTS = 120




def score_text(t: Translator, qs: QuestionSet, score: int | None) -> str:
    if score is None:
        return t._("not assessed")
    try:
        point = qs.scale_point(score)
    except KeyError:
        return str(score)
    return f"{point.value} · {escape(point.label)}"


def rating_lines(t: Translator, qs: QuestionSet, card: ScorecardSummary,
                 *, per_question: bool = True) -> list[str]:
    """Per category: its mean over rated questions ("not assessed" never counts as a zero),
    then each answered question with its score, then the category note."""
    lines: list[str] = []
    for category in qs.categories:
        answered = [q for q in category.questions if q.id in card.ratings]
        mean = card.category_mean(category)
        rated = sum(1 for q in answered if card.ratings[q.id] is not None)
        average = t.number(mean) if mean is not None else "–"
        lines.append(t._("*{category}*: average {average} ({rated} of {total} rated)",
                         category=escape(category.name), average=average, rated=rated,
                         total=len(category.questions)))
        if per_question:
            lines += [f"• {escape(clip(q.text, QUESTION_TEXT_IN_LISTS))}: "
                      f"*{score_text(t, qs, card.ratings[q.id])}*" for q in answered]
        note = card.category_notes.get(category.id)
        if note:
            lines.append(t._("_Note:_ {note}", note=escape(note)))
    return lines


def _recommendation(qs: QuestionSet, key: str) -> str:
    try:
        return qs.recommendation.label(key)
    except KeyError:
        return key


# ---------------------------------------------------------------------------- confirmation DM


def scorecard_confirmation(t: Translator, result: SubmitResult) -> Message:
    """The author's receipt: their own scores, their recommendation and notes."""
    qs, card = result.question_set, result.scorecard
    def title(candidate: str) -> str:
        if result.edited:
            return t._("Your scorecard for {candidate} is updated", candidate=candidate)
        return t._("Your scorecard for {candidate} is in", candidate=candidate)

    intro = [t._("*{candidate}* · {role} · interview {id}",
                 candidate=escape(result.candidate_name), role=escape(result.role),
                 id=result.interview_id)]
    if result.edited:
        intro.append(t._("This is version {n}; the earlier versions are kept.", n=card.version))
    blocks: list[Block] = [
        header(title(result.candidate_name)),  # plain text: header() escapes it
        section("\n".join(intro)),
        section(t._("*Overall recommendation:* {recommendation}",
                    recommendation=escape(_recommendation(qs, card.recommendation)))
                + "\n" + t._("*Key takeaways:* {takeaways}", takeaways=escape(card.takeaways))),
    ]
    if card.private_note:
        blocks.append(context(t._("Your private note (only the hiring lead and the recruiter "
                                  "see it): {note}", note=escape(card.private_note))))
    blocks.append(divider())
    # Translators: button, max 30 characters
    edit = t._("Edit scorecard")
    tail = [
        context(t._("You can edit your scorecard until the decision is recorded; every "
                    "version is kept.")),
        actions(view_panel_feedback_button(t, result.interview_id),
                # "Score candidate" again, labelled for what it does here.
                button(edit, "score_candidate", str(result.interview_id))),
    ]
    room = MAX_MESSAGE_BLOCKS - len(blocks) - len(tail)
    chunks = chunk_lines(rating_lines(t, qs, card))
    if len(chunks) > room:
        chunks = chunk_lines(rating_lines(t, qs, card, per_question=False))[:room]
    blocks += [section(chunk) for chunk in chunks]
    blocks += tail
    return Message(text=title(escape(result.candidate_name)), blocks=to_dicts(blocks))


# ---------------------------------------------------------------------------- panel feedback


def _card_head(t: Translator, qs: QuestionSet, card: ScorecardSummary) -> str:
    head = t._("{panelist}: *{recommendation}*", panelist=user(card.user_id),
               recommendation=escape(_recommendation(qs, card.recommendation)))
    if card.version > 1:
        head += " · " + t._("edited (version {n})", n=card.version)
    if card.removed:
        head += " · " + t._("_removed from the panel_")
    return head + "\n" + t._("*Key takeaways:* {takeaways}", takeaways=escape(card.takeaways))


def _card_blocks(t: Translator, qs: QuestionSet, card: ScorecardSummary,
                 per_question: bool) -> list[Block]:
    blocks: list[Block] = [divider(), section(_card_head(t, qs, card))]
    if card.private_note:
        blocks.append(context(t._("Private note (hiring lead and recruiter only): {note}",
                                  note=escape(card.private_note))))
    blocks += [section(chunk)
               for chunk in chunk_lines(rating_lines(t, qs, card, per_question=per_question))]
    return blocks


def panel_feedback_modal(t: Translator, feedback: PanelFeedback) -> dict[str, Any]:
    qs = feedback.question_set
    top: list[Block] = [section(t._("*{candidate}* · {role} · interview {id}",
                                    candidate=escape(feedback.candidate_name),
                                    role=escape(feedback.role), id=feedback.interview_id))]
    if not feedback.viewer_is_organiser:
        top.append(context(t._("Your own scorecard is in, so you see the others'. Private "
                               "notes are for the hiring lead and the recruiter only.")))
    if feedback.missing:
        top.append(context(t._("Not in yet: {names}",
                               names=", ".join(user(u) for u in feedback.missing))))
    if not feedback.scorecards:
        top.append(section(t._("No other scorecards are in yet.")))
    # Everything per question if it fits in one modal, else per category (means and notes).
    cards: list[Block] = []
    for per_question in (True, False):
        cards = [b for card in feedback.scorecards
                 for b in _card_blocks(t, qs, card, per_question)]
        if len(top) + len(cards) <= MAX_MODAL_BLOCKS:
            break
    if len(top) + len(cards) > MAX_MODAL_BLOCKS:
        cards = cards[:MAX_MODAL_BLOCKS - len(top) - 1]
        cards.append(context(t._("More feedback than fits here: export the interview for "
                                 "every rating.")))
    # Translators: modal title, max 24 characters
    title = t._("Panel feedback")
    # Translators: modal button, max 24 characters
    close = t._("Close")
    view = View(type="modal", callback_id="panel_feedback", title=plain(title, 24),
                close=plain(close, 24), blocks=top + cards)
    return view.to_dict()
