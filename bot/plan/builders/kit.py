"""The interview kit: one panelist's DM with their focus categories, the questions with
their guidance, follow-up questions and any anchors of their own, the rating scale with its
anchors, the times, and the "Score candidate" button.

Only the panelist's focus categories are written out. Most kits fit one message; a big one
(a category may hold 40 questions, each with up to 1,500 characters of guidance, five
probes and ten anchors) does not fit 50 blocks of at most 3,000 characters, so the head
(times, focus, scale, button) is the DM and the questions follow as replies in its thread,
as many messages as they need; a question too long for one section continues in the next.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.core.question_sets import Category, Question, QuestionSet
from bot.core.selection import as_asked
from bot.i18n import Translator
from bot.plan.builders.plan import (
    candidate_line,
    focus_names,
    interview_times,
    link_lines,
    note_blocks,
    when,
)
from bot.slack.blocks import (
    SECTION_TEXT_LIMIT,
    Message,
    actions,
    chunk_lines,
    context,
    header,
    section,
    to_dicts,
)
from bot.slack.buttons import score_candidate_button
from bot.slack.mrkdwn import escape, user
from models import Interview, Panelist

MESSAGE_BLOCKS = 50  # Slack's limit for a message
NOTE_IN_KIT = SECTION_TEXT_LIMIT


def kit_messages(t: Translator, interview: Interview, qs: QuestionSet, panelist: Panelist,
                 tz: str) -> list[Message]:
    """The kit as messages: the first is the DM, any others go in its thread. Each category
    lists the questions the interview asks, then its spares (bot/core/selection.py)."""
    qs = as_asked(qs, interview.questions_per_category)
    head = _head(t, interview, qs, panelist, tz)
    questions: list[Block] = []
    for category_id in panelist.focus_categories:
        try:
            questions += category_blocks(t, qs, qs.category(category_id))
        except KeyError:
            continue
    text = t._("Your interview kit: {candidate} ({role})",
               candidate=escape(interview.candidate.name), role=escape(interview.candidate.role))
    if len(head) + len(questions) <= MESSAGE_BLOCKS:
        return [Message(text=text, blocks=to_dicts(head + questions))]
    head.append(context(t._("Your questions follow in this thread.")))
    pages = [questions[i:i + MESSAGE_BLOCKS] for i in range(0, len(questions), MESSAGE_BLOCKS)]
    messages = [Message(text=text, blocks=to_dicts(head))]
    for number, page in enumerate(pages, start=1):
        page_text = t._("Questions for {candidate} ({page} of {pages})",
                        candidate=escape(interview.candidate.name), page=number,
                        pages=len(pages))
        messages.append(Message(text=page_text, blocks=to_dicts(page)))
    return messages


def _head(t: Translator, interview: Interview, qs: QuestionSet, panelist: Panelist,
          tz: str) -> list[Block]:
    details = [
        candidate_line(t, interview),
        interview_times(t, interview, tz),
        t._("*Debrief:* {when}", when=when(t, interview.debrief_at, tz)),
        t._("*Hiring lead:* {lead}", lead=user(interview.hiring_lead_id)),
        *link_lines(t, interview),
    ]
    focus = ", ".join(f"*{escape(n)}*" for n in focus_names(qs, panelist.focus_categories))
    scale = [t._("*Rating scale*")] + [
        f"*{point.value} · {escape(point.label)}* — {escape(point.anchor)}" for point in qs.scale
    ]
    blocks: list[Block] = [
        # Translators: header of the kit DM, max 100 characters before the name
        header(t._("Your interview kit: {candidate}", candidate=interview.candidate.name)),
        *[section(text) for text in chunk_lines(details)],
        *note_blocks(t, interview, NOTE_IN_KIT),
        section(t._("*Your focus:* {categories}. Ask these questions and rate every answer "
                    "against the scale's anchors.", categories=focus)),
        *[section(text) for text in chunk_lines(scale)],
        actions(score_candidate_button(t, interview.id), block_id="kit_actions"),
        context(t._("Score on your own, before the debrief: nobody sees the others' scores "
                    "before theirs is in. Interview {id}.", id=interview.id)),
    ]
    return blocks


def category_blocks(t: Translator, qs: QuestionSet, category: Category) -> list[Block]:
    """A category's name, purpose, and its questions packed into as few sections as fit."""
    blocks: list[Block] = [header(category.name),
                           section(f"_{escape(category.purpose)}_")]
    texts = [text for number, q in enumerate(category.questions, start=1)
             for text in chunk_lines(question_lines(t, qs, number, q))]
    blocks += [section(text) for text in pack(texts)]
    return blocks


def question_lines(t: Translator, qs: QuestionSet, number: int, question: Question
                   ) -> list[str]:
    """A question, what it gives evidence of, whether it is a spare, what to listen for,
    the follow-up questions and the question's own anchors, as mrkdwn lines."""
    lines = [f"*{number}.* {escape(question.text)}"]
    about = []
    if question.competency:
        try:
            name = qs.competency(question.competency).name
        except KeyError:  # a set that parsed names only its own; be lenient with old copies
            name = question.competency
        about.append(t._("_Evidence of:_ {competency}", competency=escape(name)))
    if question.spare:
        about.append(t._("_Spare question: ask it if time allows._"))
    if about:
        lines.append(" · ".join(about))
    if question.guidance:
        lines.append(t._("> _What to listen for:_"))
        lines += [f"> {escape(line)}" for line in question.guidance.splitlines()
                  if line.strip()]
    if question.probes:
        lines.append(t._("> _Follow-up questions:_"))
        lines += [f"> • {escape(probe)}" for probe in question.probes]
    if qs.has_own_scale(question):
        lines.append(t._("> _Scale for this question:_"))
        lines += [f"> *{point.value} · {escape(point.label)}* — {escape(point.anchor)}"
                  for point in qs.question_scale(question)]
    return lines


def pack(texts: Sequence[str], limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Whole questions, blank-line separated, in as few texts of at most `limit` as fit."""
    packed: list[str] = []
    for text in texts:
        if packed and len(packed[-1]) + 2 + len(text) <= limit:
            packed[-1] += "\n\n" + text
        else:
            packed.append(text)
    return packed
