"""The calibration report: the message, its chart (PNG) and its CSV.

The chart is drawn with matplotlib's object API (a Figure and its Agg canvas, no pyplot:
pyplot keeps global state, and reports are drawn in several threads at once).

Budget: header, context, the team line, one section per interviewer (at most
MAX_INTERVIEWERS_SHOWN; the CSV has them all), a context: under Slack's 50 blocks.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from slack_sdk.models.blocks import Block

from bot.core.calibration import MIN_INTERVIEWS, ON_TIME_HOURS, Timeliness
from bot.i18n import Translator
from bot.slack.blocks import Message, context, header, section, to_dicts
from bot.slack.mrkdwn import user

if TYPE_CHECKING:
    from bot.report.service import InterviewerFigures, Report

MAX_INTERVIEWERS_SHOWN = 40
CSV_COLUMNS = ("user_id", "name", "interviews", "leniency", "leniency_low", "leniency_high",
               "scorecards", "median_hours_to_scorecard", "share_within_24h")


def signed(t: Translator, value: float) -> str:
    return ("+" if value > 0.005 else "") + t.number(value)


def leniency_text(t: Translator, figures: InterviewerFigures) -> str:
    """"+0.6 points from co-panelists (95% interval +0.2 to +1.0), over 7 interviews", or
    why there is no figure yet."""
    found = figures.leniency
    if found.mean is None or found.low is None or found.high is None:
        return t._("not enough interviews yet ({n} of {min})", n=found.interviews,
                   min=MIN_INTERVIEWS)
    interval = t._("95% interval {low} to {high}", low=signed(t, found.low),
                   high=signed(t, found.high))
    return t._("{points} points from co-panelists ({interval}), over {n} interviews",
               points=signed(t, found.mean), interval=interval, n=found.interviews)


def timeliness_text(t: Translator, found: Timeliness) -> str:
    if found.median_hours is None or found.on_time_share is None:
        return t._("no scorecards in yet")
    return t._("median {hours} h to the scorecard; {share}% within {limit} h",
               hours=t.number(found.median_hours), share=round(found.on_time_share * 100),
               limit=round(ON_TIME_HOURS))


def report_message(t: Translator, report: Report, days: int) -> Message:
    """The report for the organiser who asked: each interviewer, the team's debriefs."""
    blocks: list[Block] = [
        # Translators: header of the report message
        header(t._("Interviewer calibration, last {days} days", days=days)),
        context(t._("The interviews you organised. Leniency: an interviewer's rating minus "
                    "their co-panelists' on the same questions, averaged over interviews "
                    "(from {min} interviews on). The chart and a CSV follow.",
                    min=MIN_INTERVIEWS)),
        section(team_text(t, report)),
    ]
    shown = report.interviewers[:MAX_INTERVIEWERS_SHOWN]
    for figures in shown:
        blocks.append(section(f"{user(figures.user_id)} · {leniency_text(t, figures)}\n"
                              f"{timeliness_text(t, figures.timeliness)}"))
    if not shown:
        blocks.append(section(t._("No interviews of yours ended in this period.")))
    if len(report.interviewers) > len(shown):
        blocks.append(context(t.ngettext("…and {n} more in the CSV.", "…and {n} more in the "
                                         "CSV.", len(report.interviewers) - len(shown))))
    text = t._("Interviewer calibration, last {days} days", days=days)
    return Message(text=text, blocks=to_dicts(blocks))


def team_text(t: Translator, report: Report) -> str:
    share = report.complete_share
    if share is None:
        return t._("*Debriefs:* none started in this period.")
    return t.ngettext("*Debriefs:* {complete} of {n} started with every scorecard in ({share}%).",
                      "*Debriefs:* {complete} of {n} started with every scorecard in "
                      "({share}%).", report.debriefs, complete=report.complete_debriefs,
                      share=round(share * 100))


def report_csv(report: Report | None, names: dict[str, str], *, team_column: bool = False,
               header: bool = True) -> str:
    """One row per interviewer; `team_column` first (the command line covers several
    workspaces), `header` False to append to an earlier one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow((("team_id",) if team_column else ()) + CSV_COLUMNS)
    for figures in report.interviewers if report is not None else ():
        found, times = figures.leniency, figures.timeliness
        assert report is not None
        writer.writerow(([report.team_id] if team_column else []) + [
            figures.user_id, names.get(figures.user_id, ""), found.interviews,
            _number(found.mean), _number(found.low), _number(found.high), times.scorecards,
            _number(times.median_hours), _number(times.on_time_share)])
    return out.getvalue()


def report_document(report: Report) -> dict[str, object]:
    """The report as JSON-able data (the command line's --format json)."""
    return {
        "team_id": report.team_id,
        "since": report.since.isoformat(),
        "until": report.until.isoformat() if report.until else None,
        "debriefs": report.debriefs, "complete_debriefs": report.complete_debriefs,
        "interviewers": [
            {"user_id": f.user_id, "interviews": f.leniency.interviews,
             "leniency": f.leniency.mean, "leniency_low": f.leniency.low,
             "leniency_high": f.leniency.high, "scorecards": f.timeliness.scorecards,
             "median_hours_to_scorecard": f.timeliness.median_hours,
             "share_within_24h": f.timeliness.on_time_share}
            for f in report.interviewers],
    }


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def report_chart(t: Translator, report: Report, names: dict[str, str]) -> bytes | None:
    """Each interviewer with enough interviews: their leniency and its 95% interval, zero
    marked. None when nobody has enough interviews yet."""
    rows = [f for f in report.interviewers if f.leniency.mean is not None]
    rows = rows[:MAX_INTERVIEWERS_SHOWN]
    if not rows:
        return None
    figure = Figure(figsize=(7, 1.2 + 0.35 * len(rows)), dpi=100)
    axes = figure.add_subplot()
    means = [f.leniency.mean or 0.0 for f in rows]
    below = [m - (f.leniency.low or 0.0) for m, f in zip(means, rows, strict=True)]
    above = [(f.leniency.high or 0.0) - m for m, f in zip(means, rows, strict=True)]
    positions = list(range(len(rows)))[::-1]
    axes.errorbar(means, positions, xerr=[below, above], fmt="o", capsize=3)
    axes.axvline(0.0, linestyle="--", linewidth=1)
    axes.set_yticks(positions, [_label(names, f.user_id) for f in rows])
    axes.set_xlabel(t._("Points from co-panelists on the same questions (95% interval)"))
    axes.set_title(t._("Interviewer leniency"))
    figure.tight_layout()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def chart_alt_text(t: Translator, report: Report, names: dict[str, str]) -> str:
    """What the chart shows, in words, for screen readers (Slack's alt text)."""
    parts = [f"{_label(names, f.user_id)} {signed(t, f.leniency.mean)}"
             for f in report.interviewers[:MAX_INTERVIEWERS_SHOWN] if f.leniency.mean is not None]
    return t._("Leniency per interviewer: {values}", values="; ".join(parts))[:1000]


def _label(names: dict[str, str], user_id: str) -> str:
    return names.get(user_id) or user_id
