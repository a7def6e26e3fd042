"""The debrief summary message (posted in the plan's thread, or ephemeral for one reader)
and the decision announcement in that thread.

Layout, and why it fits Slack's 50 blocks for the largest set (12 panelists, 10
categories): header, context, the numbers before the talk, headline, alpha, decision,
divider, agenda title, one section per category (10) with the evidence for its extreme
ratings under each split one (10), divider, panel title, one section per panelist (12),
buttons: 43 blocks. Once panelists re-rate after the discussion, the before → after part
follows the agenda (a section per 3000 characters); when it all does not fit, several
panelists, then several categories share a section, and then the re-ratings' reasons are
shortened (`REASON_LENGTHS`).
A loop's debrief may cover several such rounds: then several panelists (and if need be
several categories) share a section. Takeaways are clipped here; every word of them (and
every rating) is in "Full scorecards".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block, ButtonElement

from bot.core.consensus import (
    AGREEMENT_MIN_QUESTIONS,
    AGREEMENT_MIN_RATERS,
    ALPHA_MIN_PAIRABLE,
    Agreement,
    AgreementBand,
    AlphaBand,
    CategoryConsensus,
    MechanicalRecommendation,
    PanelConsensus,
    Unjudged,
    Verdict,
)
from bot.core.question_sets import RECOMMENDATION_KEYS, QuestionSet
from bot.i18n import N_, Translator
from bot.slack.blocks import (
    SECTION_TEXT_LIMIT,
    Message,
    actions,
    button,
    chunk_lines,
    clip,
    context,
    divider,
    header,
    section,
    to_dicts,
)
from bot.slack.buttons import (
    full_scorecards_button,
    record_decision_button,
    rerate_button,
    view_panel_feedback_button,
)
from bot.slack.mrkdwn import escape, user
from models import DecisionOutcome, InterviewStatus

if TYPE_CHECKING:
    from bot.debrief.service import (
        DebriefSummary,
        DecisionResult,
        DecisionView,
        FullScorecard,
        PanelistTakeaways,
    )

# Long takeaways are cut here; "Full scorecards" has them whole.
TAKEAWAYS_IN_SUMMARY = 600
MAX_MESSAGE_BLOCKS = 50

VERDICT_WORDS: Mapping[Verdict, str] = {
    Verdict.SPLIT: N_("Split"),
    Verdict.MIXED: N_("Mixed"),
    Verdict.CONSENSUS: N_("Consensus"),
    Verdict.TOO_FEW: N_("Too few ratings"),
}

# r*wg(J) in words (bot/core/consensus.py); shown only where it is judged.
BAND_WORDS: Mapping[AgreementBand, str] = {
    AgreementBand.NONE: N_("the panel does not agree"),
    AgreementBand.WEAK: N_("the panel agrees weakly"),
    AgreementBand.MODERATE: N_("the panel agrees moderately"),
    AgreementBand.STRONG: N_("the panel agrees strongly"),
    AgreementBand.VERY_STRONG: N_("the panel agrees very strongly"),
}

# Krippendorff's alpha over all questions, in words; shown only where it is judged.
ALPHA_WORDS: Mapping[AlphaBand, str] = {
    AlphaBand.RELIABLE: N_("the panel agrees on where the candidate was stronger and where "
                           "weaker"),
    AlphaBand.TENTATIVE: N_("the panel partly agrees on where the candidate was stronger and "
                            "where weaker"),
    AlphaBand.UNRELIABLE: N_("the panel does not agree on where the candidate was stronger and "
                             "where weaker"),
}

OUTCOME_WORDS: Mapping[DecisionOutcome, str] = {
    DecisionOutcome.HIRE: N_("Hire"),
    DecisionOutcome.NO_HIRE: N_("No hire"),
    DecisionOutcome.HOLD: N_("Hold"),
}

# The order verdict counts are listed in the headline: the ones to talk about first.
VERDICT_ORDER = (Verdict.SPLIT, Verdict.MIXED, Verdict.CONSENSUS, Verdict.TOO_FEW)


# ---------------------------------------------------------------------------- pieces


def nearest_label(qs: QuestionSet, value: float) -> str:
    """The scale's own label for a mean: the nearest point, halves rounded up."""
    point = min(max(math.floor(value + 0.5), qs.scale_min), qs.scale_max)
    try:
        return qs.scale_point(point).label
    except KeyError:  # a scale with gaps: the closest point that exists
        return min(qs.scale, key=lambda p: (abs(p.value - value), -p.value)).label


def score_with_label(t: Translator, qs: QuestionSet, value: float) -> str:
    return f"{t.number(value)} ({escape(nearest_label(qs, value))})"


def recommendation_label(qs: QuestionSet, key: str) -> str:
    try:
        return qs.recommendation.label(key)
    except KeyError:
        return key


def outcome_word(t: Translator, outcome: DecisionOutcome) -> str:
    return t._(OUTCOME_WORDS[outcome])


def _names(user_ids: Sequence[str]) -> str:
    return ", ".join(user(u) for u in user_ids)


Label = Callable[[str], str]


def rater_label(t: Translator, summary: DebriefSummary) -> Label:
    """How a rater of the consensus is named: a mention, with the round its ratings came
    from in a debrief covering several rounds."""
    def label(key: str) -> str:
        found = summary.raters.get(key)
        if found is None:
            return user(key)
        return t._("{user} (round {n})", user=user(found[0]), n=found[1])

    return label


def _scored_names(t: Translator, raters: Sequence[str], scores: Mapping[str, float],
                  label: Label = user) -> str:
    return ", ".join(f"{label(r)} {t.number(scores[r])}" for r in raters)


def category_name(summary: DebriefSummary, category_id: str) -> str:
    try:
        return summary.question_set.category(category_id).name
    except KeyError:
        return summary.category_names.get(category_id, category_id)


# ---------------------------------------------------------------------------- headline


def headline_text(t: Translator, summary: DebriefSummary) -> str:
    qs = summary.question_set
    result = summary.consensus
    lines = [t._("*Scorecards in:* {done} of {total}", done=len(summary.submitted),
                 total=len(summary.panel))]
    if summary.missing and summary.combined:
        lines[0] += " · " + t._("missing: {names}", names="; ".join(
            t._("round {n}: {names}", n=part.round_number, names=_names(part.missing))
            for part in summary.rounds if part.missing))
    elif summary.missing:
        lines[0] += " · " + t._("missing: {names}", names=_names(summary.missing))
    elif summary.panel:
        lines[0] += " · " + t._("everyone's is in")
    tally = " · ".join(f"{escape(recommendation_label(qs, key))} {count}"
                       for key, count in _tally_high_first(result.recommendation_tally))
    lines.append(t._("*Recommendations:* {tally}", tally=tally))
    counts = {v: sum(1 for c in result.categories if c.verdict is v) for v in VERDICT_ORDER}
    verdicts = " · ".join(f"{t._(VERDICT_WORDS[v])} {counts[v]}" for v in VERDICT_ORDER
                          if counts[v])
    lines.append(t._("*Panel agreement by category:* {verdicts}", verdicts=verdicts))
    return "\n".join(lines)


def _tally_high_first(tally: Mapping[str, int]) -> list[tuple[str, int]]:
    """Strong hire first: the order a debrief reads a vote in."""
    known = [(k, tally.get(k, 0)) for k in reversed(RECOMMENDATION_KEYS)]
    return known + [(k, n) for k, n in tally.items() if k not in RECOMMENDATION_KEYS]


def alpha_text(t: Translator, result: PanelConsensus) -> str:
    if result.alpha is None:
        return t._("Krippendorff's alpha (ordinal, over all question ratings): not enough "
                   "paired ratings with different scores to compute it.")
    if not result.alpha_judged or result.alpha_band is None:
        return t._("Krippendorff's alpha (ordinal, over all question ratings): not judged, from "
                   "only {n} paired ratings (it takes {min}).",
                   n=result.alpha_pairable, min=ALPHA_MIN_PAIRABLE)
    return t._("Across all questions, {words} (Krippendorff's alpha {alpha}).",
               words=t._(ALPHA_WORDS[result.alpha_band]), alpha=t.number(result.alpha, 2))


def decision_text(t: Translator, decision: DecisionView) -> str:
    text = t._("*Decision:* {outcome} by {who}: {reason}",
               outcome=outcome_word(t, decision.outcome), who=user(decision.decided_by),
               reason=escape(clip(decision.reason, 1500)))
    if decision.changes:
        text += "\n" + t.ngettext("_Changed once; earlier decisions are kept._",
                                  "_Changed {n} times; earlier decisions are kept._",
                                  decision.changes)
    return text


# ---------------------------------------------------------------------------- before the talk

# Notes quoted under a split category are cut here; "Full scorecards" has them whole.
EVIDENCE_NOTE_IN_SUMMARY = 300


def mechanical_text(t: Translator, qs: QuestionSet, mechanical: MechanicalRecommendation
                    ) -> str:
    """The mechanical recommendation in a sentence: its side, and the combined score."""
    if mechanical.score is None:
        return t._("The numbers take no side yet: nobody has rated a category.")
    score = t.number(mechanical.score, 2)
    if mechanical.recommendation is None:
        return t._("The numbers take no side: the category means combine to exactly the "
                   "midpoint, {score}.", score=score)
    weighted = len(set(qs.weights.values())) > 1
    text = t._("The numbers say *{recommendation}*: the category means combine to {score} on "
               "the {low}–{high} scale.",
               recommendation=escape(recommendation_label(qs, mechanical.recommendation.value)),
               score=score, low=qs.scale_min, high=qs.scale_max)
    if weighted:
        text += " " + t._("Categories weigh as the question set says.")
    return text


def speaking_order_text(t: Translator, summary: DebriefSummary) -> str | None:
    """Who speaks first: the furthest from the panel; the hiring lead last. None before
    any scorecard is in."""
    if not summary.speakers:
        return None
    label = rater_label(t, summary)
    names = [t._("{user} (hiring lead)", user=label(s.rater)) if s.lead else label(s.rater)
             for s in summary.speakers]
    if summary.hiring_lead and not any(s.lead for s in summary.speakers):
        names.append(t._("{user} (hiring lead)", user=user(summary.hiring_lead)))
    return t._("*Suggested speaking order:* {names}: the panelist furthest from the panel's "
               "view first, the hiring lead last.", names=" → ".join(names))


def numbers_block(t: Translator, summary: DebriefSummary) -> Block:
    """The numbers before the talk, at the top of the summary."""
    lines = [t._("*Before the talk:* {mechanical}",
                 mechanical=mechanical_text(t, summary.question_set,
                                            summary.consensus.mechanical))]
    order = speaking_order_text(t, summary)
    if order:
        lines.append(order)
    return section("\n".join(lines), block_id="numbers")


def evidence_blocks(t: Translator, summary: DebriefSummary, category: CategoryConsensus,
                    label: Label) -> list[Block]:
    """Under a split category: the notes its panelists gave for ratings at either end of
    the scale, quoted (escaped, clipped) and attributed like the category's names."""
    found = summary.evidence.get(category.category_id, ())
    if category.verdict is not Verdict.SPLIT or not found:
        return []
    lines = [t._("Evidence for the ratings at the ends of the scale:")] + [
        t._("{who} ({scores}): “{note}”", who=label(item.rater),
            scores=", ".join(str(score) for score in item.scores),
            note=escape(clip(" ".join(item.note.split()), EVIDENCE_NOTE_IN_SUMMARY)))
        for item in found]
    return [context(*chunk_lines(lines, 2000), block_id=f"evidence:{category.category_id}")]


# ---------------------------------------------------------------------------- agenda


def agreement_text(t: Translator, agreement: Agreement) -> str:
    """r*wg(J) in words with its value, or why it is not judged."""
    if agreement.band is not None and agreement.value is not None:
        return t._("{words} (agreement index {value})", words=t._(BAND_WORDS[agreement.band]),
                   value=t.number(agreement.value, 2))
    if agreement.unjudged is Unjudged.FEW_RATERS:
        return t._("agreement not judged: fewer than {n} raters", n=AGREEMENT_MIN_RATERS)
    return t._("agreement not judged: fewer than {questions} questions rated by {n} or more",
               questions=AGREEMENT_MIN_QUESTIONS, n=AGREEMENT_MIN_RATERS)


def category_text(t: Translator, qs: QuestionSet, position: int,
                  category: CategoryConsensus, *, name: str | None = None,
                  label: Label = user) -> str:
    """One category on the agenda; `name` for a category the set lacks (another round's),
    `label` to name a rater (rater_label)."""
    if name is None:
        try:
            name = qs.category(category.category_id).name
        except KeyError:
            name = category.category_id
    lines = [f"*{position}. {escape(name)}* — {t._(VERDICT_WORDS[category.verdict])}"]
    if category.raters == 0 or category.mean is None:
        lines.append(t._("Nobody rated this category."))
        return "\n".join(lines)
    assert category.minimum is not None and category.maximum is not None
    lines.append(t._("mean {mean} · range {low} – {high} · {agreement} · {raters}",
                     mean=score_with_label(t, qs, category.mean),
                     low=score_with_label(t, qs, category.minimum),
                     high=score_with_label(t, qs, category.maximum),
                     agreement=agreement_text(t, category.agreement),
                     raters=t.ngettext("{n} rater", "{n} raters", category.raters)))
    sides = []
    total = category.raters
    if category.high:
        sides.append(t._("{n} of {total} rated high: {names}", n=len(category.high), total=total,
                         names=_scored_names(t, category.high, category.rater_scores,
                                              label)))
    if category.low:
        sides.append(t._("{n} of {total} rated low: {names}", n=len(category.low), total=total,
                         names=_scored_names(t, category.low, category.rater_scores,
                                              label)))
    if category.middle:
        sides.append(t._("{n} of {total} at the midpoint: {names}", n=len(category.middle),
                         total=total,
                         names=_scored_names(t, category.middle, category.rater_scores,
                                              label)))
    lines.append(" · ".join(sides))
    split = len(category.split_questions)
    if split:
        lines.append(t._("Split questions (rated clearly high by one panelist, clearly low by "
                         "another): {n} of {total}", n=split, total=category.shared_questions))
    return "\n".join(lines)


def agenda_blocks(t: Translator, summary: DebriefSummary) -> list[Block]:
    """The agenda; in a loop's debrief, the categories of one round only come after it,
    under that round."""
    qs = summary.question_set
    label = rater_label(t, summary)
    blocks: list[Block] = [section(t._("*Agenda*: split categories first, then mixed ones, the "
                                       "widest gap first, then consensus, so the talk starts "
                                       "where views differ."))]
    agenda = summary.consensus.agenda
    alone = {c.category_id: rounds[0] for c in agenda
             if len(rounds := summary.category_rounds.get(c.category_id, ())) == 1}
    if not summary.combined:
        alone = {}
    shared = [c for c in agenda if c.category_id not in alone]
    position = 0
    for group_round in [None, *sorted(set(alone.values()))]:
        group = shared if group_round is None else [
            c for c in agenda if alone.get(c.category_id) == group_round]
        if group_round is not None:
            blocks.append(context(t._("Asked in round {n} only:", n=group_round)))
        for category in group:
            position += 1
            text = category_text(t, qs, position, category, label=label,
                                 name=category_name(summary, category.category_id))
            blocks.append(section(text, block_id=f"agenda:{category.category_id}"))
            blocks += evidence_blocks(t, summary, category, label)
    for part in summary.rounds:
        if not part.combined:
            blocks.append(context(t._("Round {n} rates on another scale: its numbers are in "
                                      "`/interview summary {id}`.", n=part.round_number,
                                      id=part.interview_id)))
    return blocks


# ---------------------------------------------------------------------------- panelists


def panelist_head(t: Translator, qs: QuestionSet, card: PanelistTakeaways | FullScorecard
                  ) -> str:
    """Who (and in which round), their recommendation, the version and whether it changed
    after they saw the panel: the first line of a panelist in the summary and in the full
    scorecards."""
    who = user(card.user_id) if card.round_number is None else t._(
        "{user} (round {n})", user=user(card.user_id), n=card.round_number)
    head = f"{who} · *{escape(recommendation_label(qs, card.recommendation))}*"
    if card.version > 1:
        head += " · " + t._("edited (version {n})", n=card.version)
    return head + seen_mark(t, card.changed_after_seeing, card.counted_version)


def panelist_text(t: Translator, qs: QuestionSet, card: PanelistTakeaways) -> str:
    head = panelist_head(t, qs, card)
    takeaways = card.takeaways.strip()
    if len(takeaways) > TAKEAWAYS_IN_SUMMARY:
        takeaways = takeaways[:TAKEAWAYS_IN_SUMMARY - 1].rstrip() + "…"
        tail = " " + t._("_(more in “Full scorecards”)_")
    else:
        tail = ""
    return head + "\n" + escape(takeaways) + tail


def panelist_blocks(t: Translator, summary: DebriefSummary) -> list[Block]:
    qs = summary.question_set
    blocks: list[Block] = [section(t._("*Panelists*: overall recommendation and key "
                                       "takeaways"))]
    if not summary.panelists:
        blocks.append(section(t._("No scorecards are in yet.")))
    blocks += [section(panelist_text(t, qs, card), block_id=f"panelist:{card.user_id}"
                       + (f"@{card.round_number}" if card.round_number else ""))
               for card in summary.panelists]
    return blocks


def seen_mark(t: Translator, changed_after_seeing: bool, counted_version: int | None) -> str:
    """" · changed after seeing the panel ..." for a scorecard saved after its author could
    see the others' ratings (bot/independence.py), else nothing."""
    if not changed_after_seeing:
        return ""
    if counted_version is None:
        return " · " + t._("_changed after seeing the panel: not in the figures_")
    return " · " + t._("_changed after seeing the panel: the figures use version {n}_",
                       n=counted_version)


# ---------------------------------------------------------------------------- before, after


def _score_or_dash(t: Translator, value: float | None) -> str:
    return "–" if value is None else t.number(value)


# How much of a re-rating's reason the summary quotes: in full up to the first length,
# shorter when the before → after part would not fit the blocks left to it (0: none).
REASON_LENGTHS = (300, 150, 80, 40, 0)


def before_after_blocks(t: Translator, summary: DebriefSummary,
                        max_blocks: int | None = None) -> list[Block]:
    """Once someone re-rated after the discussion: each category that moved, its verdict
    and each panelist's score before → after (with the reason for a big move); then the
    recommendations, and the categories that stayed as they were. Within `max_blocks`
    sections: the reasons are shortened to fit, and as a last resort the lines cut."""
    if summary.before_after is None or not summary.before_after.rerated:
        return []
    for reason_length in REASON_LENGTHS:
        chunks = chunk_lines(_before_after_lines(t, summary, reason_length))
        if max_blocks is None or len(chunks) <= max_blocks:
            break
    if max_blocks is not None and len(chunks) > max_blocks:  # even without the reasons
        chunks = chunks[:max(max_blocks, 1)]
        chunks[-1] = clip(chunks[-1] + "\n…", SECTION_TEXT_LIMIT)
    return [section(chunk) for chunk in chunks]


def _before_after_lines(t: Translator, summary: DebriefSummary,
                        reason_length: int) -> list[str]:
    shift = summary.before_after
    assert shift is not None
    label = rater_label(t, summary)
    lines = [t._("*After the discussion* (re-rated by {names}): before → after, both sides "
                 "read by the same rules", names=", ".join(label(r) for r in shift.rerated))]
    unchanged = []
    for category_id in [c.category_id for c in summary.consensus.agenda]:
        name = escape(shift.category_names.get(category_id, category_id))
        if not shift.moved(category_id):
            unchanged.append(name)
            continue
        before, after = shift.category(category_id)
        lines.append(t._("*{category}*: {before} → {after} · mean {mean_before} → {mean_after}",
                         category=name, before=t._(VERDICT_WORDS[before.verdict]),
                         after=t._(VERDICT_WORDS[after.verdict]),
                         mean_before=_score_or_dash(t, before.mean),
                         mean_after=_score_or_dash(t, after.mean)))
        lines += _rater_moves(t, shift.reasons, category_id, before, after, label,
                              reason_length)
    if shift.before.recommendation_tally != shift.after.recommendation_tally:
        lines.append(t._("*Recommendations:* {before} → {after}",
                         before=recommendation_tally_text(shift.before,
                                                          shift.recommendation_labels),
                         after=recommendation_tally_text(shift.after,
                                                         shift.recommendation_labels)))
    if unchanged:
        lines.append(t._("Unchanged: {categories}", categories=", ".join(unchanged)))
    return lines


def _rater_moves(t: Translator, reasons: Mapping[tuple[str, str], str], category_id: str,
                 before: CategoryConsensus, after: CategoryConsensus, label: Label,
                 reason_length: int = REASON_LENGTHS[0]) -> list[str]:
    """A line per panelist whose score moved (with their reason), one for the others."""
    lines, steady = [], []
    for rater in dict.fromkeys([*before.rater_scores, *after.rater_scores]):
        was, now = before.rater_scores.get(rater), after.rater_scores.get(rater)
        if was == now:
            steady.append(f"{label(rater)} {_score_or_dash(t, now)}")
            continue
        line = f"• {label(rater)} {_score_or_dash(t, was)} → {_score_or_dash(t, now)}"
        reason = reasons.get((rater, category_id))
        if reason and reason_length:
            line += " " + t._("(“{reason}”)", reason=escape(clip(reason, reason_length)))
        lines.append(line)
    if steady:
        lines.append("• " + t._("unchanged: {names}", names=", ".join(steady)))
    return lines


def recommendation_tally_text(result: PanelConsensus, labels: Mapping[str, str]) -> str:
    """"Strong hire 1 · Hire 2 · ...", strong hire first, in `labels`' words."""
    return " · ".join(f"{escape(labels.get(key, key))} {count}"
                      for key, count in _tally_high_first(result.recommendation_tally))


# ---------------------------------------------------------------------------- the message


def _rerate_buttons(t: Translator, summary: DebriefSummary) -> list[ButtonElement]:
    """"Re-rate after the discussion" while the debrief is on (until the decision)."""
    if summary.status is not InterviewStatus.DEBRIEF:
        return []
    return [rerate_button(t, summary.interview_id)]


def summary_buttons(t: Translator, summary: DebriefSummary, organiser: bool) -> Block:
    interview_id = summary.interview_id
    if not organiser:
        return actions(view_panel_feedback_button(t, interview_id),
                       *_rerate_buttons(t, summary), block_id="debrief_actions")
    decide = record_decision_button(t, interview_id)
    if summary.decision is not None:
        # Translators: button, max 30 characters
        decide = button(t._("Change decision"), "record_decision", str(interview_id))
    return actions(decide, full_scorecards_button(t, interview_id),
                   *_rerate_buttons(t, summary), block_id="debrief_actions")


def _packed(blocks: Sequence[Block]) -> list[Block]:
    """The blocks' texts in as few sections as they fit in, in order."""
    texts = []
    for block in blocks:
        found = block.to_dict()
        texts.append((found.get("text") or {}).get("text") or " ".join(
            e.get("text", "") for e in found.get("elements", [])))
    return [section(text) for text in chunk_lines([f"{x}\n" for x in texts])]


def _where(t: Translator, summary: DebriefSummary) -> str:
    if not summary.combined:
        return t._("Interview {id} · {set}", id=summary.interview_id,
                   set=escape(summary.question_set.name))
    return t._("One debrief for {n} rounds: {rounds}", n=len(summary.rounds),
               rounds=" · ".join(t._("round {n}, interview {id} ({set})", n=part.round_number,
                                     id=part.interview_id, set=escape(part.set_name))
                                 for part in summary.rounds))


def debrief_summary_message(t: Translator, summary: DebriefSummary, *,
                            organiser: bool = True) -> Message:
    """The summary; `organiser` False gives the reader-only buttons of a panelist."""
    blocks: list[Block] = [
        header(t._("Debrief: {candidate} · {role}", candidate=summary.candidate_name,
                   role=summary.role)),
        context(_where(t, summary)),
        numbers_block(t, summary),
        section(headline_text(t, summary), block_id="headline"),
        context(alpha_text(t, summary.consensus)),
    ]
    if summary.decision is not None:
        blocks.append(section(decision_text(t, summary.decision), block_id="decision"))
    agenda = agenda_blocks(t, summary)
    shift = before_after_blocks(t, summary)
    panel = panelist_blocks(t, summary)
    room = MAX_MESSAGE_BLOCKS - len(blocks) - 3  # the two dividers' and the buttons' room
    if len(agenda) + len(shift) + len(panel) > room:
        # A loop of big panels and sets: several panelists (then categories) per section,
        # then the reasons for re-ratings shortened.
        panel = _packed(panel)
        if len(agenda) + len(shift) + len(panel) > room:
            agenda = _packed(agenda)
        if len(agenda) + len(shift) + len(panel) > room:
            shift = before_after_blocks(t, summary, room - len(agenda) - len(panel))
    blocks += [divider(), *agenda, *shift, divider(), *panel]
    blocks.append(summary_buttons(t, summary, organiser))
    text = t._("Debrief summary: {candidate}, interview {id}",
               candidate=escape(summary.candidate_name), id=summary.interview_id)
    return Message(text=text, blocks=to_dicts(blocks))


def decision_announcement(t: Translator, result: DecisionResult) -> Message:
    """Told in the thread: the outcome, its reason, and the panel mentioned."""
    outcome = outcome_word(t, result.outcome)
    if result.previous is None:
        text = t._("Decision recorded by {who}: *{outcome}*. Reason: {reason}",
                   who=user(result.decided_by), outcome=outcome,
                   reason=escape(clip(result.reason, 2000)))
    else:
        text = t._("Decision changed by {who}: *{outcome}* (was {previous}). Reason: {reason}",
                   who=user(result.decided_by), outcome=outcome,
                   previous=outcome_word(t, result.previous),
                   reason=escape(clip(result.reason, 2000)))
    blocks: list[Block] = [section(text)]
    if result.against_label is not None:
        blocks.append(section(t._("This goes against the numbers, which said {side}. Why: "
                                  "{reason}", side=escape(result.against_label),
                                  reason=escape(clip(result.against_reason or "", 2000)))))
    if result.panel:
        blocks.append(context(t._("Panel: {names}. Scorecards are now locked.",
                                  names=_names(result.panel))))
    plain = t._("Decision on interview {id}: {outcome}", id=result.interview_id,
                outcome=outcome)
    return Message(text=plain, blocks=to_dicts(blocks))


def summary_moved_message(t: Translator, interview_id: int, holder_id: int) -> Message:
    """What an earlier round's summary says once a later round joins its loop's debrief:
    no scores are left here for the new round's panel to see before they rate."""
    text = t._("The debrief on interview {id} moved: it now covers the candidate's later "
               "rounds too, and its summary will be posted with interview {holder}.",
               id=interview_id, holder=holder_id)
    return Message(text=text, blocks=to_dicts([section(text)]))
