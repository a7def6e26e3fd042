"""Interviewer calibration maths: pure functions over plain numbers, no I/O.

Leniency: how much higher (or lower) an interviewer rates than their co-panelists on the
same questions. Within one interview it is the mean, over the questions the interviewer
and at least one co-panelist rated, of (their rating - the co-panelists' mean rating on
that question). Across interviews it is the mean of those per-interview differences, with
a 95% interval from their spread (Student's t): ratings within one interview are not
independent, so the interview, not the rating, is the unit. It is shown only from
MIN_INTERVIEWS interviews on.

Timeliness: hours from the interview's end to the interviewer's first scorecard; the median
and the share within 24 hours.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Fewer interviews than this say more about the candidates than about the interviewer.
MIN_INTERVIEWS = 5
ON_TIME_HOURS = 24.0

# Student's t, two-sided 95% (the 0.975 quantile), by degrees of freedom; 1.96 beyond.
_T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
          2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
          2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
_T_975_40, _T_975_60, _T_975_120 = 2.021, 2.000, 1.980

# question id -> score (not-assessed questions are left out)
Scores = Mapping[str, int]


@dataclass(frozen=True)
class InterviewLeniency:
    """One interviewer in one interview."""

    difference: float  # their mean minus the co-panelists' mean, same questions
    questions: int  # questions both they and a co-panelist rated


def interview_leniency(mine: Scores, others: Sequence[Scores]) -> InterviewLeniency | None:
    """The interviewer's difference from their co-panelists in one interview; None when
    no question was rated by them and by a co-panelist."""
    differences = []
    for question, score in mine.items():
        theirs = [o[question] for o in others if question in o]
        if theirs:
            differences.append(score - sum(theirs) / len(theirs))
    if not differences:
        return None
    return InterviewLeniency(sum(differences) / len(differences), len(differences))


def panel_leniencies(panel: Mapping[str, Scores]) -> dict[str, InterviewLeniency]:
    """Every panelist's leniency in one interview (by rater), those with a shared question."""
    found = {}
    for rater, scores in panel.items():
        others = [s for r, s in panel.items() if r != rater]
        leniency = interview_leniency(scores, others)
        if leniency is not None:
            found[rater] = leniency
    return found


def t_975(degrees_of_freedom: int) -> float:
    """The 0.975 quantile of Student's t (a two-sided 95% interval)."""
    if degrees_of_freedom < 1:
        raise ValueError("an interval needs at least two values")
    if degrees_of_freedom <= len(_T_975):
        return _T_975[degrees_of_freedom - 1]
    if degrees_of_freedom <= 40:
        return _T_975_40
    if degrees_of_freedom <= 60:
        return _T_975_60
    return _T_975_120 if degrees_of_freedom <= 120 else 1.96


@dataclass(frozen=True)
class Leniency:
    """An interviewer's leniency over their interviews."""

    interviews: int
    mean: float | None  # None below MIN_INTERVIEWS: not shown
    low: float | None  # the 95% interval
    high: float | None

    @property
    def enough(self) -> bool:
        return self.mean is not None


def leniency(differences: Sequence[float], minimum: int = MIN_INTERVIEWS) -> Leniency:
    """The mean of per-interview differences and its 95% interval, from `minimum`
    interviews on."""
    n = len(differences)
    if n < max(minimum, 2):
        return Leniency(n, None, None, None)
    mean = statistics.fmean(differences)
    half = t_975(n - 1) * statistics.stdev(differences) / math.sqrt(n)
    return Leniency(n, mean, mean - half, mean + half)


@dataclass(frozen=True)
class Timeliness:
    scorecards: int
    median_hours: float | None
    on_time_share: float | None  # within ON_TIME_HOURS of the interview's end


def timeliness(hours: Sequence[float]) -> Timeliness:
    """From the hours between each interview's end and the interviewer's scorecard (a
    scorecard in before the end counts as 0)."""
    if not hours:
        return Timeliness(0, None, None)
    clipped = [max(h, 0.0) for h in hours]
    on_time = sum(1 for h in clipped if h <= ON_TIME_HOURS)
    return Timeliness(len(clipped), statistics.median(clipped), on_time / len(clipped))
