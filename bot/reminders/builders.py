"""The reminder DMs: nudges to panelists and the hiring lead's "still missing" note. (At
debrief time the summary itself comes from bot.debrief.service.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import Translator
from bot.slack.blocks import Message, actions, context, section, to_dicts
from bot.slack.buttons import score_candidate_button
from bot.slack.mrkdwn import date_token, escape, user
from models import Interview


def _when(t: Translator, moment_utc: datetime, tz: str) -> str:
    return date_token(moment_utc, fallback=t.datetime(moment_utc, tz))


def _candidate(interview: Interview) -> str:
    return f"*{escape(interview.candidate.name)}* ({escape(interview.candidate.role)})"


def _names(user_ids: Sequence[str]) -> str:
    return ", ".join(user(u) for u in user_ids)


def _missing_names(t: Translator, missing: Sequence[tuple[int, Sequence[str]]],
                   by_round: bool) -> str:
    """The names; by round when the debrief covers several rounds."""
    if not by_round:
        return _names([u for _, users in missing for u in users])
    return "; ".join(t._("round {n}: {names}", n=number, names=_names(users))
                     for number, users in missing)


def nudge_message(t: Translator, interview: Interview, stage: str, tz: str) -> Message:
    """A DM to a panelist whose scorecard is not in. `stage`: first, daily or last."""
    candidate = _candidate(interview)
    debrief = _when(t, interview.debrief_at, tz)
    if stage == "first":
        text = t._("Please score {candidate} while the interview is fresh.",
                   candidate=escape(interview.candidate.name))
        body = t._("Thanks for interviewing {candidate}. Please score them while the interview "
                   "is fresh: your scorecard is independent, nobody sees the others' before "
                   "theirs is in. The debrief is {debrief}.", candidate=candidate,
                   debrief=debrief)
    elif stage == "last":
        text = t._("Last reminder: your scorecard for {candidate} is still missing.",
                   candidate=escape(interview.candidate.name))
        body = t._("Last reminder: your scorecard for {candidate} is still missing and the "
                   "debrief is {debrief}. Please score now so the summary includes you.",
                   candidate=candidate, debrief=debrief)
    else:
        text = t._("Your scorecard for {candidate} is still missing.",
                   candidate=escape(interview.candidate.name))
        body = t._("Your scorecard for {candidate} is still missing. The debrief is "
                   "{debrief}.", candidate=candidate, debrief=debrief)
    blocks = [
        section(body),
        actions(score_candidate_button(t, interview.id)),
        context(t._("Interview {id}", id=interview.id)),
    ]
    return Message(text=text, blocks=to_dicts(blocks))


def lead_missing_message(t: Translator, interview: Interview,
                         missing: Sequence[tuple[int, Sequence[str]]], tz: str,
                         *, final: bool, by_round: bool = False) -> Message:
    """To the hiring lead: who has not scored yet, (round number, user ids) for each round
    of the debrief (named when `by_round`), before the debrief (`final` False) or at its
    start (`final` True)."""
    candidate = _candidate(interview)
    names = _missing_names(t, missing, by_round)
    count = sum(len(users) for _, users in missing)
    debrief = _when(t, interview.debrief_at, tz)
    if final:
        text = t.ngettext("{n} scorecard still missing for the debrief",
                          "{n} scorecards still missing for the debrief", count)
        body = t._("The debrief on {candidate} starts now. Still missing: {names}.",
                   candidate=candidate, names=names)
    else:
        text = t.ngettext("{n} scorecard still missing before the debrief",
                          "{n} scorecards still missing before the debrief", count)
        body = t._("The debrief on {candidate} is {debrief}. Still missing: {names}. They "
                   "have had a last reminder.", candidate=candidate, debrief=debrief,
                   names=names)
    blocks = [section(body), context(t._("Interview {id}", id=interview.id))]
    return Message(text=text, blocks=to_dicts(blocks))
