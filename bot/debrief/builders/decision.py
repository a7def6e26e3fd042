"""The "Record decision" modal: Hire / No hire / Hold, and a required reason."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.debrief.builders.summary import (
    VERDICT_WORDS,
    mechanical_text,
    outcome_word,
    recommendation_tally_text,
)
from bot.i18n import Translator
from bot.slack.blocks import chunk_lines, clip, context, plain, section
from bot.slack.mrkdwn import escape, user
from models import DecisionOutcome

if TYPE_CHECKING:
    from bot.core.consensus import CategoryConsensus
    from bot.debrief.rerating import BeforeAfter
    from bot.debrief.service import DecisionForm

CALLBACK_ID = "record_decision"
OUTCOME_BLOCK = "outcome"
REASON_BLOCK = "reason"
AGAINST_BLOCK = "against_numbers"
REASON_MAX_LENGTH = 3000
HISTORY_SHOWN = 5  # the latest few; the event log and the export have them all


def decision_modal(t: Translator, form: DecisionForm) -> dict[str, Any]:
    blocks: list[Block] = [section(t._("*{candidate}* · {role} · interview {id}",
                                       candidate=escape(form.candidate_name),
                                       role=escape(form.role), id=form.interview_id))]
    if form.current is not None:
        blocks.append(context(t._("Current decision: {outcome} by {who}: {reason}",
                                  outcome=outcome_word(t, form.current.outcome),
                                  who=user(form.current.decided_by),
                                  reason=escape(clip(form.current.reason, 1500)))))
        earlier = form.history[:-1][-HISTORY_SHOWN:]
        if earlier:
            lines = [t._("{outcome} by {who}", outcome=outcome_word(t, d.outcome),
                         who=user(d.decided_by)) for d in earlier]
            blocks.append(context(t._("Earlier: {decisions}", decisions=" → ".join(lines))))
    blocks += numbers_blocks(t, form)
    blocks += before_after_blocks(t, form.before_after)
    options = [Option(value=o.value, text=plain(outcome_word(t, o))) for o in DecisionOutcome]
    initial = next((o for o in options if form.current and o.value == form.current.outcome),
                   None)
    blocks.append(InputBlock(
        block_id=OUTCOME_BLOCK, label=plain(t._("Decision"), 2000),
        element=RadioButtonsElement(action_id=OUTCOME_BLOCK, options=options,
                                    initial_option=initial)))
    blocks.append(InputBlock(
        block_id=REASON_BLOCK, label=plain(t._("Reason"), 2000),
        hint=plain(t._("The panel reads this in the thread."), 2000),
        element=PlainTextInputElement(action_id=REASON_BLOCK, multiline=True,
                                      max_length=REASON_MAX_LENGTH)))
    blocks += against_blocks(t, form)
    # Translators: modal title, max 24 characters
    title = t._("Change decision") if form.current else t._("Record decision")
    # Translators: modal button, max 24 characters
    submit = t._("Save")
    # Translators: modal button, max 24 characters
    close = t._("Cancel")
    view = View(type="modal", callback_id=CALLBACK_ID, title=plain(title, 24),
                submit=plain(submit, 24), close=plain(close, 24), blocks=blocks,
                private_metadata=json.dumps({"interview_id": form.interview_id}))
    return view.to_dict()


def numbers_blocks(t: Translator, form: DecisionForm) -> list[Block]:
    """The mechanical recommendation, to decide beside."""
    if form.mechanical is None or form.question_set is None:
        return []
    return [context(t._("*Before the talk:* {mechanical}",
                        mechanical=mechanical_text(t, form.question_set, form.mechanical)))]


def against_blocks(t: Translator, form: DecisionForm) -> list[Block]:
    """Where the numbers take a side: why the decision goes against them, if it does
    (optional here; the submission is refused without it when it does)."""
    if form.mechanical is None or form.mechanical.recommendation is None:
        return []
    return [InputBlock(
        block_id=AGAINST_BLOCK, optional=True,
        label=plain(t._("If you decide against the numbers, why?"), 2000),
        hint=plain(t._("Needed for Hire where the numbers say no hire, or No hire where they "
                       "say hire. The panel reads it in the thread."), 2000),
        element=PlainTextInputElement(action_id=AGAINST_BLOCK, multiline=True,
                                      max_length=REASON_MAX_LENGTH))]


def read_against_reason(view: dict[str, Any]) -> str:
    """Why the decision goes against the numbers, as typed ("" when the field is absent)."""
    values = (view.get("state") or {}).get("values") or {}
    return str(((values.get(AGAINST_BLOCK) or {}).get(AGAINST_BLOCK) or {}).get("value") or "")


def _reading(t: Translator, category: CategoryConsensus) -> str:
    verdict = t._(VERDICT_WORDS[category.verdict])
    if category.mean is None:
        return verdict
    return t._("{verdict} (mean {mean})", verdict=verdict, mean=t.number(category.mean))


def before_after_blocks(t: Translator, shift: BeforeAfter | None) -> list[Block]:
    """The panel as it read when the debrief started and as it reads now, per category and
    in recommendations (nothing before the debrief has started)."""
    if shift is None:
        return []
    if not shift.rerated:
        lines = [t._("*The panel when the debrief started* (nobody has re-rated since):")]
        lines += [f"{escape(shift.category_names.get(c.category_id, c.category_id))}: "
                  f"{_reading(t, c)}" for c in shift.before.categories]
        lines.append(t._("Recommendations: {tally}",
                         tally=recommendation_tally_text(shift.before,
                                                         shift.recommendation_labels)))
    else:
        lines = [t._("*The panel before → after the discussion* (re-rated: {n}):",
                     n=len(shift.rerated))]
        for before, after in zip(shift.before.categories, shift.after.categories,
                                 strict=True):
            name = escape(shift.category_names.get(before.category_id, before.category_id))
            lines.append(f"{name}: {_reading(t, before)} → {_reading(t, after)}")
        lines.append(t._("Recommendations: {before} → {after}",
                         before=recommendation_tally_text(shift.before,
                                                          shift.recommendation_labels),
                         after=recommendation_tally_text(shift.after,
                                                         shift.recommendation_labels)))
    return [section(chunk) for chunk in chunk_lines(lines)]


def read_interview_id(view: dict[str, Any]) -> int | None:
    try:
        value = json.loads(view.get("private_metadata") or "{}").get("interview_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def read_decision(view: dict[str, Any]) -> tuple[DecisionOutcome | None, str]:
    """The chosen outcome (None when none or unknown) and the reason as typed."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get(OUTCOME_BLOCK) or {}).get(OUTCOME_BLOCK) or {}).get("selected_option")
    outcome = None
    if isinstance(chosen, dict):
        try:
            outcome = DecisionOutcome(str(chosen.get("value")))
        except ValueError:
            outcome = None
    reason = ((values.get(REASON_BLOCK) or {}).get(REASON_BLOCK) or {}).get("value") or ""
    return outcome, str(reason)
