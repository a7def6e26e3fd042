"""The App Home tab and the `/interview list` message: one person's interviews.

Workspace-level text (DEFAULT_LANGUAGE): the page mixes interviews of several languages.
A candidate with two or more rounds in a section gets their name once, above the rounds.
Budget: each section is a header, at most `rows` lines (one block each, a button beside
the ones that need a click), at most rows/2 candidate names, an "and N more" line and a
divider. The home shows 13 rows a section and "How you rate" (4 x 22 + 2 + 3 <= 100
blocks), the list message 6 (4 x 12 - 1 <= 50).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement
from slack_sdk.models.views import View

from bot.core.calibration import MIN_INTERVIEWS, ON_TIME_HOURS
from bot.home.service import HomeData, InterviewRow, OwnFigures, Section
from bot.i18n import Translator
from bot.plan.builders.plan import DECISION_WORDS, STATUS_WORDS
from bot.slack.blocks import Message, context, divider, header, section, to_dicts
from bot.slack.buttons import (
    record_decision_button,
    score_candidate_button,
    start_debrief_button,
)
from bot.slack.mrkdwn import channel, date_token, escape
from models import InterviewStatus

MAX_HOME_BLOCKS = 100
MAX_MESSAGE_BLOCKS = 50


def home_view(t: Translator, data: HomeData, tz: str) -> dict[str, Any]:
    blocks: list[Block] = [
        # Translators: header of the App Home tab
        header(t._("Your interviews")),
        context(t._("Scorecards to write, interviews coming up and debriefs you lead. "
                    "`/interview help` lists every command.")),
        *_sections(t, data, tz),
    ]
    own = own_section(t, data.own) if data.own else []
    return View(type="home",
                blocks=blocks[:MAX_HOME_BLOCKS - len(own)] + own).to_dict()


def list_message(t: Translator, data: HomeData, tz: str) -> Message:
    """`/interview list`: the same sections, as an ephemeral message."""
    blocks = _sections(t, data, tz)
    if blocks and blocks[-1].type == "divider":
        blocks.pop()
    text = t.ngettext("You owe {n} scorecard.", "You owe {n} scorecards.", data.owed.total)
    return Message(text=text, blocks=to_dicts(blocks[:MAX_MESSAGE_BLOCKS]))


def _sections(t: Translator, data: HomeData, tz: str) -> list[Block]:
    blocks: list[Block] = []
    blocks += _section(t, t._("Scorecards I owe"), data.owed, t._("No scorecards to write."),
                       lambda row, grouped: _owed_line(t, row, tz, grouped),
                       lambda row: score_candidate_button(t, row.interview_id))
    blocks += _section(t, t._("My upcoming interviews"), data.upcoming,
                       t._("No interviews coming up."),
                       lambda row, grouped: _upcoming_line(t, row, tz, grouped))
    blocks += _section(t, t._("Debriefs I lead"), data.leading, t._("No debriefs to lead."),
                       lambda row, grouped: _leading_line(t, row, tz, grouped),
                       lambda row: _leading_button(t, row))
    if data.created.total:  # recruiters only: people who set interviews up
        blocks += _section(t, t._("Interviews I created"), data.created, "",
                           lambda row, grouped: _created_line(t, row, tz, grouped))
    return blocks


def _section(t: Translator, title: str, rows: Section, empty: str,
             line: Callable[[InterviewRow, bool], str],
             button: Callable[[InterviewRow], ButtonElement | None] | None = None
             ) -> list[Block]:
    blocks: list[Block] = [header(title)]
    for group in _by_candidate(rows.rows):
        if len(group) > 1:
            blocks.append(context(_candidate(t, group[0])))
        for row in group:
            blocks.append(section(line(row, len(group) > 1),
                                  accessory=button(row) if button else None))
    if not rows.rows:
        blocks.append(context(empty))
    if rows.more:
        blocks.append(context(t.ngettext("…and {n} more.", "…and {n} more.", rows.more)))
    blocks.append(divider())
    return blocks


def _by_candidate(rows: Sequence[InterviewRow]) -> list[list[InterviewRow]]:
    """The rows grouped by candidate, each group where its first row was."""
    groups: dict[int, list[InterviewRow]] = {}
    for row in rows:
        groups.setdefault(row.candidate_id, []).append(row)
    return list(groups.values())


def _when(t: Translator, moment: datetime, tz: str) -> str:
    return date_token(moment, fallback=t.datetime(moment, tz))


def _candidate(t: Translator, row: InterviewRow) -> str:
    return t._("*{candidate}* · {role}", candidate=escape(row.candidate_name),
               role=escape(row.role))


def _who(t: Translator, row: InterviewRow, grouped: bool) -> str:
    """Who and which round; `grouped`: under the candidate's name, the round alone."""
    if grouped:
        return t._("*Round {n}* · interview {id}", n=row.round_number, id=row.interview_id)
    if row.rounds > 1:
        return t._("*{candidate}* · {role} · round {n}, interview {id}",
                   candidate=escape(row.candidate_name), role=escape(row.role),
                   n=row.round_number, id=row.interview_id)
    return t._("*{candidate}* · {role} · interview {id}", candidate=escape(row.candidate_name),
               role=escape(row.role), id=row.interview_id)


def _progress(t: Translator, row: InterviewRow) -> str:
    return t.ngettext("{done} of {n} scorecard in", "{done} of {n} scorecards in",
                      row.panel_size, done=row.submitted)


def _debrief_progress(t: Translator, row: InterviewRow) -> str:
    """Over every round the debrief covers."""
    return t.ngettext("{done} of {n} scorecard in", "{done} of {n} scorecards in",
                      row.debrief_panel_size, done=row.debrief_submitted)


def _status(t: Translator, row: InterviewRow) -> str:
    if row.status == InterviewStatus.DECIDED and row.decision is not None:
        return t._("Decided: {decision}", decision=t._(DECISION_WORDS[row.decision]))
    return t._(STATUS_WORDS[row.status])


def _owed_line(t: Translator, row: InterviewRow, tz: str, grouped: bool) -> str:
    return _who(t, row, grouped) + "\n" + t._("Interviewed {when} · debrief {debrief}",
                                     when=_when(t, row.starts_at, tz),
                                     debrief=_when(t, row.debrief_at, tz))


def _upcoming_line(t: Translator, row: InterviewRow, tz: str, grouped: bool) -> str:
    return _who(t, row, grouped) + "\n" + t._("{when} · plan in {channel}",
                                     when=_when(t, row.starts_at, tz),
                                     channel=channel(row.channel_id))


def _leading_line(t: Translator, row: InterviewRow, tz: str, grouped: bool) -> str:
    return _who(t, row, grouped) + "\n" + t._("Debrief {when} · {progress} · {status}",
                                     when=_when(t, row.debrief_at, tz),
                                     progress=_debrief_progress(t, row),
                                     status=_status(t, row))


def _leading_button(t: Translator, row: InterviewRow) -> ButtonElement:
    if row.status == InterviewStatus.DEBRIEF:
        return record_decision_button(t, row.interview_id)
    return start_debrief_button(t, row.interview_id)


def _created_line(t: Translator, row: InterviewRow, tz: str, grouped: bool) -> str:
    return _who(t, row, grouped) + "\n" + t._("{when} · {progress} · {status}",
                                     when=_when(t, row.starts_at, tz),
                                     progress=_progress(t, row), status=_status(t, row))


def own_section(t: Translator, figures: OwnFigures) -> list[Block]:
    """How the person rates compared with their co-panelists, and how soon their
    scorecards come in: only they see their App Home."""
    return [
        # Translators: header of an App Home section
        header(t._("How you rate")),
        section(f"{_own_leniency(t, figures)}\n{_own_timeliness(t, figures)}"),
        context(t._("Only you see this. Knowing how your ratings compare with your peers' "
                    "narrows the differences between raters.")),
    ]


def _own_leniency(t: Translator, figures: OwnFigures) -> str:
    found = figures.leniency
    if found.mean is None or found.low is None or found.high is None:
        return t._("Your ratings are compared with your co-panelists' from {min} interviews "
                   "on; you have {n} so far.", min=MIN_INTERVIEWS, n=found.interviews)
    points = t.number(abs(found.mean))
    if round(found.mean, 1) == 0:
        text = t._("You rate like your co-panelists on the same questions, over {n} "
                   "interviews", n=found.interviews)
    elif found.mean > 0:
        text = t._("You rate {points} points above your co-panelists on the same questions, "
                   "over {n} interviews", points=points, n=found.interviews)
    else:
        text = t._("You rate {points} points below your co-panelists on the same questions, "
                   "over {n} interviews", points=points, n=found.interviews)
    # Translators: {text} is "You rate 0.6 points above your co-panelists ..."
    return t._("{text} (95% interval {low} to {high}).", text=text,
               low=_signed(t, found.low), high=_signed(t, found.high))


def _signed(t: Translator, value: float) -> str:
    return ("+" if value > 0.005 else "") + t.number(value)


def _own_timeliness(t: Translator, figures: OwnFigures) -> str:
    found = figures.timeliness
    if found.median_hours is None or found.on_time_share is None:
        return t._("None of your scorecards is in yet.")
    return t._("Your scorecards come in a median {hours} hours after the interview; "
               "{share}% within {limit} hours.", hours=t.number(found.median_hours),
               share=round(found.on_time_share * 100), limit=round(ON_TIME_HOURS))
