"""Consensus maths for the panel debrief: pure functions over ratings, no I/O.

Everything here takes plain data (``Rating`` rows, a ``Scale``) and returns frozen data; the
debrief builders turn the results into words through i18n keys (the ``Verdict``,
``AgreementBand``, ``Unjudged``, ``AlphaBand`` and ``Recommendation`` values), so nothing in
this module knows about Slack, the database or a language.

The rules
=========

Scale words. A set's scale runs from its lowest point to its highest (2 to 10 points); its
*midpoint* is half-way between them (3 on 1-5, 5.5 on 1-10). A rating is *clearly high* at or
above the midpoint + 1 and *clearly low* at or below the midpoint - 1 (on 1-5: 4 and 5 are
clearly high, 1 and 2 clearly low; on 1-10: 7 and up, 4 and down; on 1-4: only 4 and 1). A
two-point scale has no room for a margin of one point, so there the top point is clearly high
and the bottom point clearly low (``Scale.high_from``, ``Scale.low_to``).

A panelist's *category score* is the mean of the questions they rated in the category; "not
assessed" never counts, and in particular never as a zero. A category's *raters* are the
panelists with a category score.

Question level. A question is *split* when the panel's ratings on it include a clearly high
and a clearly low one. A question is *shared* when two or more panelists rated it; only shared
questions can show agreement or disagreement.

Verdict of a category, applied in this order:

1. ``too few``: fewer than 2 raters.
2. ``split``: at least a third of the shared questions are split and at least 2 of them; or
   two panelists' category scores are 2 points or more apart.
3. ``consensus``: no question is split, all category scores lie within 1 point of each other
   (the largest minus the smallest is at most 1), and the ratings on the shared questions are
   close: the agreement index below is above 0.50 (moderate or better). That last condition
   is checked even where the index is not shown because there are too few ratings: it is
   what keeps two panelists who give 1 and 3 in turns on a 1-5 scale (equal averages, no
   split question, an index of 0.00) from being called a consensus. With no shared question
   it cannot be checked and the first two conditions decide.
4. ``mixed``: everything else.

So "consensus" never stands beside "no agreement" or "weak agreement".

Sides (who to hear first). Category scores above the midpoint are *rated high*, below it
*rated low*, exactly on it *at the midpoint*; ``high``, ``low`` and ``middle`` list them, most
extreme first, and their lengths are the head counts ("1 of 3 rated low").

Agenda. Split categories first, those with the larger share of split questions first, then
the larger gap between category scores; then mixed ones, the larger gap first, then the
larger share of split questions; then consensus, the larger gap first; then too few. Equal
keys keep the question set's order.

Agreement within a category: r*wg(J) (Lindell, Brandt & Whitney 1999). For every shared
question j, s_j^2 is the sample variance of its ratings (n_j - 1 in the denominator); with
s^2 the mean of the s_j^2 and sigma^2 = (A^2 - 1) / 12 the variance of random answers on an
A-point scale,

    r*wg(J) = 1 - s^2 / sigma^2.

1 means every question got identical ratings, 0 means the ratings on a question differ as much
as random answers would, below 0 more than that. Unlike James, Demaree & Wolf's r_wg(J),
which this replaces, it does not grow with the number of questions: for random answers the
expected s_j^2 is sigma^2 whatever J is, so the expected r*wg(J) is 0 for one question and for
150. It has no undefined cases (a_wg has them at the ends of the scale). The value is put in
LeBreton & Senter's (2008) bands: up to .30 none, up to .50 weak, up to .70 moderate, up to .90
strong, above .90 very strong.

It is *judged* (shown, with its band) only with 3 raters or more and at least 4 questions
each rated by 3 panelists or more. With fewer, random answers too often look alike: of panels
answering at random, 12 % of three panelists on 2 questions of a 4-point scale reach "strong",
4.3 % on 3 questions of a 5-point scale. From 4 such questions on, whatever else was rated,
random answers reach "strong" less than 3 % of the time, on every scale and in every panel
shape tried (computed exactly for small panels, in the tests; simulated for larger and uneven
ones: up to 12 panelists, 20 questions, a mix of questions rated by two and by more). The
strict cut-off is 3 questions (4.3 %); 4 keeps a margin. Counting ratings instead of
questions would not do: the index averages questions, so three pairs that happen to agree
outweigh one question eight panelists rated (on a 2-point scale that shape reaches "strong"
12.5 % of the time).

Agreement over the whole interview: Krippendorff's alpha, ordinal metric (Krippendorff 2011),
with every rated question a unit and the panelists its coders. It says whether the panel
agrees on where the candidate was stronger and where weaker: 1 when every question got the
same rating from everyone (and questions differ), 0 when the ratings of a question differ as
much as ratings taken at random from the whole interview. It is judged only from 20 pairable
values (ratings of questions that at least two panelists rated): with 10 (two panelists, five
questions), random ratings reach 0.667 about 5 to 6 % of the time on 3- to 10-point scales;
from 20, about 1 % or less. Krippendorff's (2004) standards give the words: 0.800 and up
reliable, 0.667 to 0.800 good for tentative conclusions only, below 0.667 not reliable.

Mechanical recommendation. Each category's panel mean (the mean of its raters' category
scores), combined over the categories anyone rated with weights (equal unless the question
set gives them; a category missing from the weights weighs 1, a weight of 0 leaves it out).
The scale from its lowest to its highest point is cut into four equal quarters: score above
the midpoint + a quarter of the range: strong hire; above the midpoint up to that: hire;
below the midpoint down to the midpoint - a quarter: no hire; lower: strong no hire (on 1-5:
above 4 strong hire, (3, 4] hire, [2, 3) no hire, below 2 strong no hire). A score exactly on
the midpoint takes no side (``None``), and so does an interview nobody rated.

Speaking order. Each panelist's distance from the panel is the mean, over the categories they
and someone else rated, of how far their category score lies from the panel's mean for it.
The furthest speaks first (so the outlier's view is heard before the majority's); equal
distances keep the panel order; panelists with nothing to compare follow; the hiring lead,
if on the panel, speaks last.

Arithmetic
==========

Arithmetic is exact and converted to ``float`` only in the results. Scores are small integers,
so ratings are first reduced to integer counts (per rater: sum and number of questions; per
question: how many raters gave each scale point) and every statistic is a ratio of integers
built from them; the one division at the end is correctly rounded (``int / int`` and ``float``
of a ``Fraction`` both are). Exactness buys two things a debrief needs: the result does not
depend on the order in which ratings arrive (float sums do), and boundary cases ("2 points or
more apart", "within 1 point", "exactly at the midpoint") are decided exactly, by integer
cross-multiplication, instead of by rounding noise. A 1e-9 tolerance is still applied to such
comparisons, as a second line of defence.

Sources:
- Lindell, M. K., Brandt, C. J. & Whitney, D. J. (1999). A revised index of interrater
  agreement for multi-item ratings of a single target. Applied Psychological Measurement
  23(2), 127-135.
- James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater reliability
  with and without response bias. Journal of Applied Psychology 69(1), 85-98.
- LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater reliability
  and interrater agreement. Organizational Research Methods 11(4), 815-852.
- Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology (2nd ed.).
  Sage. (The .800 and .667 standards for alpha.)
- Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
  Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple, TypeGuard

__all__ = [
    "AGREEMENT_MIN_QUESTIONS",
    "AGREEMENT_MIN_RATERS",
    "ALPHA_MIN_PAIRABLE",
    "CONSENSUS_MAX_SPREAD",
    "SPLIT_MIN_QUESTIONS",
    "SPLIT_MIN_SHARE",
    "SPLIT_MIN_SPREAD",
    "TOLERANCE",
    "Agreement",
    "AgreementBand",
    "AlphaBand",
    "CategoryConsensus",
    "MechanicalRecommendation",
    "PanelConsensus",
    "QuestionReading",
    "Rating",
    "Recommendation",
    "Scale",
    "Speaker",
    "Unjudged",
    "Verdict",
    "agreement_band",
    "alpha_band",
    "category_consensus",
    "krippendorff_alpha_ordinal",
    "mechanical_recommendation",
    "panel_consensus",
    "rwg_star_j",
    "speaking_order",
]

# Comparisons on the thresholds allow this much slack so that a value such as 2.0000000001 (a
# float artefact) does not flip a verdict or a band.
TOLERANCE = 1e-9

# Verdicts (see the module docstring): a category is split when at least SPLIT_MIN_SHARE of its
# shared questions, and at least SPLIT_MIN_QUESTIONS, are split, or when two category scores are
# SPLIT_MIN_SPREAD points or more apart; consensus needs them within CONSENSUS_MAX_SPREAD.
SPLIT_MIN_SHARE = Fraction(1, 3)
SPLIT_MIN_QUESTIONS = 2
SPLIT_MIN_SPREAD = 2
CONSENSUS_MAX_SPREAD = 1

# r*wg(J) is judged (shown) from this many raters, and this many questions each rated by that
# many raters, on.
AGREEMENT_MIN_RATERS = 3
AGREEMENT_MIN_QUESTIONS = 4

# Krippendorff's alpha is judged (shown) from this many pairable values on.
ALPHA_MIN_PAIRABLE = 20


class Verdict(StrEnum):
    """The debrief's one-word reading of a category; values double as i18n key suffixes."""

    CONSENSUS = "consensus"
    SPLIT = "split"
    MIXED = "mixed"
    TOO_FEW = "too_few"


class AgreementBand(StrEnum):
    """LeBreton & Senter's (2008) verbal labels for an r_wg-family agreement value."""

    NONE = "none"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    VERY_STRONG = "very_strong"


class Unjudged(StrEnum):
    """Why a category's agreement is not shown."""

    FEW_RATERS = "few_raters"  # fewer than AGREEMENT_MIN_RATERS raters
    FEW_RATINGS = "few_ratings"  # fewer than AGREEMENT_MIN_QUESTIONS questions rated by 3+


class AlphaBand(StrEnum):
    """Krippendorff's (2004) standards for alpha: rely on it, draw tentative conclusions, or
    neither."""

    RELIABLE = "reliable"  # alpha >= 0.800
    TENTATIVE = "tentative"  # 0.667 <= alpha < 0.800
    UNRELIABLE = "unreliable"  # alpha < 0.667


class Recommendation(StrEnum):
    """A side, in the question sets' recommendation keys (bot/core/question_sets.py)."""

    STRONG_NO_HIRE = "strong_no_hire"
    NO_HIRE = "no_hire"
    HIRE = "hire"
    STRONG_HIRE = "strong_hire"


# LeBreton & Senter (2008), table 3: inclusive upper bound of each band; above .90 is very strong.
_BANDS: tuple[tuple[float, AgreementBand], ...] = (
    (0.30, AgreementBand.NONE),
    (0.50, AgreementBand.WEAK),
    (0.70, AgreementBand.MODERATE),
    (0.90, AgreementBand.STRONG),
)
# Consensus needs the agreement index in one of these bands (where it can be computed).
_CONSENSUS_BANDS = frozenset(
    {AgreementBand.MODERATE, AgreementBand.STRONG, AgreementBand.VERY_STRONG}
)
# Krippendorff (2004): the lower bound of each band.
_ALPHA_RELIABLE = 0.800
_ALPHA_TENTATIVE = 0.667


@dataclass(frozen=True)
class Rating:
    """One panelist's score for one question; ``score=None`` means "not assessed".

    "Not assessed" is a deliberate non-answer (the topic did not come up), so it never counts,
    and in particular never as a zero.
    """

    rater: str
    category_id: str
    question_id: str
    score: int | None


@dataclass(frozen=True)
class Scale:
    """An anchored integer rating scale, ``minimum..maximum`` inclusive (2 to 10 points)."""

    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        for name in ("minimum", "maximum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Scale.{name} must be an int, got {value!r}")
        if not 2 <= self.points <= 10:
            raise ValueError(f"a scale needs 2 to 10 points, got {self.minimum}..{self.maximum}")

    @property
    def points(self) -> int:
        """Number of scale points, A in James et al. (1984)."""
        return self.maximum - self.minimum + 1

    @property
    def midpoint(self) -> float:
        """The scale's centre; on an even-point scale it lies between two anchors."""
        return (self.minimum + self.maximum) / 2

    @property
    def high_from(self) -> int:
        """The lowest clearly high point: at or above the midpoint + 1 (the top point of a
        two-point scale). ceil((min + max + 2) / 2), in integers."""
        if self.points == 2:
            return self.maximum
        return (self.minimum + self.maximum + 3) // 2

    @property
    def low_to(self) -> int:
        """The highest clearly low point: at or below the midpoint - 1 (the bottom point of a
        two-point scale). floor((min + max - 2) / 2), in integers."""
        if self.points == 2:
            return self.minimum
        return (self.minimum + self.maximum - 2) // 2

    def contains(self, score: object) -> TypeGuard[int]:
        """True when ``score`` is an integer point of this scale (bools are not scores)."""
        return (
            isinstance(score, int)
            and not isinstance(score, bool)
            and self.minimum <= score <= self.maximum
        )


@dataclass(frozen=True)
class QuestionReading:
    """The panel's ratings of one question.

    ``high`` and ``low`` are the raters who rated it clearly high (at or above
    ``Scale.high_from``) and clearly low (at or below ``Scale.low_to``), most extreme first,
    ties by rater id; their lengths are the head counts ("2 of 5 rated it low").
    """

    question_id: str
    scores: Mapping[str, int]  # rater -> score, by rater id
    high: tuple[str, ...]
    low: tuple[str, ...]

    @property
    def raters(self) -> int:
        return len(self.scores)

    @property
    def shared(self) -> bool:
        """Two or more panelists rated it: only then can it show (dis)agreement."""
        return len(self.scores) >= 2

    @property
    def split(self) -> bool:
        """Someone rated it clearly high and someone clearly low."""
        return bool(self.high) and bool(self.low)


@dataclass(frozen=True)
class Agreement:
    """r*wg(J) for one category, and whether it may be shown.

    ``value`` is computed whenever a question is shared (``None`` otherwise) and is what the
    consensus rule checks; show it, with ``band``, only when ``judged``. ``band`` is ``None``
    exactly when ``unjudged`` says why not.
    """

    value: float | None
    band: AgreementBand | None
    unjudged: Unjudged | None
    raters: int
    well_rated: int  # questions rated by AGREEMENT_MIN_RATERS panelists or more

    @property
    def judged(self) -> bool:
        return self.unjudged is None


@dataclass(frozen=True)
class CategoryConsensus:
    """Panel-level figures for one question category (rules: the module docstring).

    Statistics are over the raters' category scores (the mean of each rater's rated questions),
    so a rater who answered four questions weighs the same as one who answered two. They are
    ``None`` when nobody rated the category. ``question_scores`` holds every rated question's
    ratings, by question id (callers re-sort by the set's order); ``questions`` reads them.
    """

    category_id: str
    rater_scores: Mapping[str, float]
    raters: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    spread: float | None
    agreement: Agreement
    verdict: Verdict
    high: tuple[str, ...]
    low: tuple[str, ...]
    middle: tuple[str, ...]
    question_scores: Mapping[str, Mapping[str, int]]  # question -> {rater: score}, both by id
    scale: Scale

    @cached_property
    def questions(self) -> tuple[QuestionReading, ...]:
        """Every rated question, by question id: who rated it clearly high and clearly low."""
        return tuple(_reading(q, scores, self.scale) for q, scores in self.question_scores.items())

    @property
    def shared_questions(self) -> int:
        """How many questions two or more panelists rated."""
        return sum(1 for scores in self.question_scores.values() if len(scores) >= 2)

    @property
    def split_questions(self) -> tuple[QuestionReading, ...]:
        return tuple(q for q in self.questions if q.split)


@dataclass(frozen=True)
class MechanicalRecommendation:
    """Category means combined with weights and mapped to a side (rules: module docstring).

    ``score`` is on the set's scale (``None`` when no weighted category was rated);
    ``recommendation`` is ``None`` then too, and when the score is exactly the midpoint.
    ``weights`` are the normalised weights (summing to 1) of the categories that counted, in
    category order.
    """

    score: float | None
    recommendation: Recommendation | None
    weights: Mapping[str, float]


@dataclass(frozen=True)
class Speaker:
    """One place in the suggested speaking order."""

    rater: str
    distance: float | None  # mean distance from the panel's category means; None: nothing shared
    lead: bool


@dataclass(frozen=True)
class PanelConsensus:
    """Everything the debrief summary shows: per category, the agenda, and panel-wide figures.

    ``alpha`` is computed when it can be (``None``: no two differing pairable values); show it,
    with ``alpha_band``, only when ``alpha_judged`` (``alpha_pairable >= ALPHA_MIN_PAIRABLE``).
    """

    categories: tuple[CategoryConsensus, ...]
    agenda: tuple[CategoryConsensus, ...]
    recommendation_tally: Mapping[str, int]
    alpha: float | None
    alpha_pairable: int
    alpha_judged: bool
    alpha_band: AlphaBand | None
    mechanical: MechanicalRecommendation


# --------------------------------------------------------------------------- validation


def _check_score(score: object, scale: Scale) -> int:
    """Reject scores off the scale: a 7 on a 5-point scale is a bug upstream, not data."""
    if scale.contains(score):
        return score
    raise ValueError(f"score {score!r} is not on the scale {scale.minimum}..{scale.maximum}")


class _Tally:
    """One category's ratings reduced to integer counts, plus who gave which score.

    ``raters`` maps a rater to ``[sum of their scores, questions they rated]``; ``items`` maps a
    question to how many raters gave each scale point (index 0 is ``scale.minimum``);
    ``scores`` maps a question to ``{rater: score}``, for the names behind a split. Counts do
    not depend on the order ratings arrive in, and everything below is exact integer arithmetic
    on them.
    """

    __slots__ = ("items", "raters", "scores")

    def __init__(self) -> None:
        self.raters: dict[str, list[int]] = {}
        self.items: dict[str, list[int]] = {}
        self.scores: dict[str, dict[str, int]] = {}


def _collect(ratings: Iterable[Rating], scale: Scale) -> dict[str, _Tally]:
    """The ratings that count, tallied per category: "not assessed" dropped, scores checked,
    duplicates refused.

    Two scores from one rater for one question would silently weigh that question double; the
    caller is meant to pass each panelist's current scorecard version only, so a duplicate is
    reported rather than guessed at.
    """
    tallies: dict[str, _Tally] = {}
    lowest, highest, points = scale.minimum, scale.maximum, scale.points
    category: str | None = None
    tally = _Tally()
    for rating in ratings:
        score = rating.score
        if score is None:
            continue
        # Plain ints on the scale skip the general check, which also takes int subclasses
        # (not bools) and raises for anything off the scale.
        if type(score) is not int or not lowest <= score <= highest:
            score = _check_score(score, scale)
        rater, question = rating.rater, rating.question_id
        if rating.category_id != category:  # ratings usually come a category at a time
            category = rating.category_id
            tally = tallies.get(category) or tallies.setdefault(category, _Tally())
        given = tally.scores.get(question)
        if given is None:
            given = tally.scores[question] = {}
            counts = tally.items[question] = [0] * points
        elif rater in given:
            raise ValueError(
                f"rater {rater!r} has two scores for question {question!r} in category {category!r}"
            )
        else:
            counts = tally.items[question]
        given[rater] = score
        counts[score - lowest] += 1
        sums = tally.raters.get(rater)
        if sums is None:
            tally.raters[rater] = [score, 1]
        else:
            sums[0] += score
            sums[1] += 1
    return tallies


# --------------------------------------------------------------------------- exact comparisons


def _exceeds(numerator: int, denominator: int) -> bool:
    """``numerator / denominator > TOLERANCE`` for a positive denominator, decided exactly.

    This is what comparing a ``Fraction`` with the float ``TOLERANCE`` does (Python compares a
    rational with a float exactly), done by cross-multiplying integers: a verdict or a side must
    never flip on float rounding, so these decisions stay exact while the means become floats
    only for the result.
    """
    tolerance_numerator, tolerance_denominator = TOLERANCE.as_integer_ratio()
    return numerator * tolerance_denominator > tolerance_numerator * denominator


def _float_or_none(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


# --------------------------------------------------------------------------- r*wg(J)


def _moments(scores: Sequence[int]) -> tuple[int, int, int]:
    """(n, sum(x), sum(x^2)) of one question's scores."""
    return len(scores), sum(scores), sum(x * x for x in scores)


def _count_moments(counts: Sequence[int]) -> tuple[int, int, int]:
    """(n, sum(x), sum(x^2)) from per-point counts, x measured from the scale's minimum.

    The shift leaves n*sum(x^2) - sum(x)^2, the only use of these, unchanged. Works for any
    number of points: the offsets are the counts' own positions.
    """
    total = weighted = squared = 0
    for offset, count in enumerate(counts):
        if count:
            total += count
            weighted += count * offset
            squared += count * offset * offset
    return total, weighted, squared


def _rwg_star_exact(moments: Iterable[tuple[int, int, int]], scale: Scale) -> Fraction | None:
    """r*wg(J) = 1 - mean(s_j^2) / sigma^2_EU as an exact rational, from each question's
    ``(n, sum, sum of squares)``; questions with fewer than two scores are skipped.

    A question's unbiased variance is (n*sum(x^2) - sum(x)^2) / (n(n - 1)). Numerators are
    summed per n and put over the lcm of the n(n - 1), so the mean variance and its ratio to
    sigma^2_EU = (A^2 - 1) / 12 are one ratio of integers. Returns ``None`` when no question has
    two scores.
    """
    by_size: dict[int, int] = {}
    questions = 0
    for n, total, squares in moments:
        if n < 2:
            continue
        questions += 1
        by_size[n] = by_size.get(n, 0) + n * squares - total * total
    if not questions:
        return None
    common = math.lcm(*(n * (n - 1) for n in by_size))
    summed = sum(numerator * (common // (n * (n - 1))) for n, numerator in by_size.items())
    # mean s^2 = summed / (common * questions); / sigma^2 = * 12 / (A^2 - 1)
    return 1 - Fraction(12 * summed, common * questions * (scale.points**2 - 1))


def rwg_star_j(item_scores: Mapping[str, Sequence[int]], scale: Scale) -> float | None:
    """Lindell, Brandt & Whitney's (1999) r*wg(J) for a multi-question category.

    ``item_scores`` maps each question to the scores the raters gave it. Over the questions with
    at least two scores, r*wg(J) = 1 - mean(s_j^2) / sigma^2_EU, with s_j^2 the sample variance
    (n - 1) of question j and sigma^2_EU = (A^2 - 1) / 12 the variance of uniformly random
    answers on the A-point scale. Not truncated: below 0 the panel disagrees more than random
    answering would. Returns ``None`` when no question has two scores. This is the figure
    ``category_consensus`` reports as ``agreement.value``, for every scale.
    """
    checked = [[_check_score(s, scale) for s in scores] for scores in item_scores.values()]
    return _float_or_none(_rwg_star_exact((_moments(scores) for scores in checked), scale))


def agreement_band(value: float) -> AgreementBand:
    """LeBreton & Senter's (2008) label for an agreement value.

    Their bands are written on two decimals (.00-.30 none, .31-.50 weak, .51-.70 moderate,
    .71-.90 strong, .91-1.00 very strong); values between them (e.g. 0.305) go by the upper
    bounds: <= .30 none (negative values included), <= .50 weak, <= .70 moderate, <= .90
    strong, else very strong. The bounds allow ``TOLERANCE`` so that 0.9000000001 from float
    arithmetic is still "strong".
    """
    if math.isnan(value):
        raise ValueError("agreement is NaN")
    for upper, band in _BANDS:
        if value <= upper + TOLERANCE:
            return band
    return AgreementBand.VERY_STRONG


def _agreement(value: Fraction | None, raters: int, well_rated: int) -> Agreement:
    number = _float_or_none(value)
    unjudged: Unjudged | None = None
    if raters < AGREEMENT_MIN_RATERS:
        unjudged = Unjudged.FEW_RATERS
    elif number is None or well_rated < AGREEMENT_MIN_QUESTIONS:
        unjudged = Unjudged.FEW_RATINGS
    band = agreement_band(number) if unjudged is None and number is not None else None
    return Agreement(value=number, band=band, unjudged=unjudged, raters=raters,
                     well_rated=well_rated)


# --------------------------------------------------------------------------- one category


class _RaterScores(NamedTuple):
    """Every rater's category score (the mean of their rated questions) as ``scaled / common``.

    ``common`` is the lcm of the raters' question counts, so each mean total/count is exactly
    the integer total * (common // count) over ``common``: comparing, sorting, summing and
    subtracting the ``scaled`` integers is exact, as it would be on ``Fraction`` values.
    """

    common: int
    scaled: dict[str, int]  # by rater id, sorted


def _rater_scores(raters: Mapping[str, Sequence[int]]) -> _RaterScores:
    common = math.lcm(*(count for _, count in raters.values()))
    scaled = {rater: total * (common // count) for rater, (total, count) in sorted(raters.items())}
    return _RaterScores(common, scaled)


def _median(ordered: Sequence[int], common: int) -> float:
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half] / common
    return (ordered[half - 1] + ordered[half]) / (2 * common)


def _sides(
    scores: _RaterScores, scale: Scale
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Who is above, below and at the midpoint (within ``TOLERANCE``), most extreme first, ties
    by rater id.

    score - midpoint = (2 * scaled - (min + max) * common) / (2 * common), compared exactly.
    """
    twice_midpoint = (scale.minimum + scale.maximum) * scores.common
    denominator = 2 * scores.common
    scaled = scores.scaled
    high = sorted(
        (r for r, s in scaled.items() if _exceeds(2 * s - twice_midpoint, denominator)),
        key=lambda r: (-scaled[r], r),
    )
    low = sorted(
        (r for r, s in scaled.items() if _exceeds(twice_midpoint - 2 * s, denominator)),
        key=lambda r: (scaled[r], r),
    )
    middle = sorted(set(scaled) - set(high) - set(low))
    return tuple(high), tuple(low), tuple(middle)


def _reading(question_id: str, given: Mapping[str, int], scale: Scale) -> QuestionReading:
    high_from, low_to = scale.high_from, scale.low_to
    high = sorted((r for r, s in given.items() if s >= high_from), key=lambda r: (-given[r], r))
    low = sorted((r for r, s in given.items() if s <= low_to), key=lambda r: (given[r], r))
    return QuestionReading(question_id, given, tuple(high), tuple(low))


class _QuestionCounts(NamedTuple):
    shared: int  # questions with two ratings or more
    split: int  # questions with a clearly high and a clearly low rating
    well_rated: int  # questions with AGREEMENT_MIN_RATERS ratings or more


def _question_counts(items: Iterable[Sequence[int]], scale: Scale) -> _QuestionCounts:
    """Counted on the per-point tallies: counts[:low_end] are the clearly low points,
    counts[high_start:] the clearly high ones."""
    low_end = scale.low_to - scale.minimum + 1
    high_start = scale.high_from - scale.minimum
    shared = split = well_rated = 0
    for counts in items:
        n = sum(counts)
        if n >= 2:
            shared += 1
            split += any(counts[:low_end]) and any(counts[high_start:])
        well_rated += n >= AGREEMENT_MIN_RATERS
    return _QuestionCounts(shared, split, well_rated)


def _verdict(scores: _RaterScores, questions: _QuestionCounts, agreement: float | None) -> Verdict:
    """Apply the verdict rules in order: too few, split, consensus, mixed (module docstring).

    The spread thresholds are compared exactly, on the integers over ``common``; the split share
    as integers too (split >= shared / 3 <=> split * 3 >= shared).
    """
    if len(scores.scaled) < 2:
        return Verdict.TOO_FEW
    spread = max(scores.scaled.values()) - min(scores.scaled.values())
    common = scores.common
    split, share = questions.split, SPLIT_MIN_SHARE
    many_split = (
        split >= SPLIT_MIN_QUESTIONS
        and split * share.denominator >= share.numerator * questions.shared
    )
    far_apart = not _exceeds(SPLIT_MIN_SPREAD * common - spread, common)  # spread >= 2
    if many_split or far_apart:
        return Verdict.SPLIT
    close = not _exceeds(spread - CONSENSUS_MAX_SPREAD * common, common)  # spread <= 1
    agrees = agreement is None or agreement_band(agreement) in _CONSENSUS_BANDS
    if split == 0 and close and agrees:
        return Verdict.CONSENSUS
    return Verdict.MIXED


def _from_tally(category_id: str, tally: _Tally, scale: Scale) -> CategoryConsensus:
    """Build one category's figures from its tally.

    Floats come from one integer true division each (``a / b`` on ints is correctly rounded),
    so they are the floats ``float(Fraction(a, b))`` gives.
    """
    scores = _rater_scores(tally.raters) if tally.raters else _RaterScores(1, {})
    counted = _question_counts(tally.items.values(), scale)
    rstar = _rwg_star_exact(map(_count_moments, tally.items.values()), scale)
    agreement = _agreement(rstar, len(scores.scaled), counted.well_rated)
    high, low, middle = _sides(scores, scale)
    ordered = sorted(scores.scaled.values())
    common = scores.common
    return CategoryConsensus(
        category_id=category_id,
        rater_scores=MappingProxyType({r: t / c for r, (t, c) in sorted(tally.raters.items())}),
        raters=len(ordered),
        mean=sum(ordered) / (common * len(ordered)) if ordered else None,
        median=_median(ordered, common) if ordered else None,
        minimum=ordered[0] / common if ordered else None,
        maximum=ordered[-1] / common if ordered else None,
        spread=(ordered[-1] - ordered[0]) / common if ordered else None,
        agreement=agreement,
        verdict=_verdict(scores, counted, agreement.value),
        high=high,
        low=low,
        middle=middle,
        question_scores=MappingProxyType({
            q: MappingProxyType(dict(sorted(given.items())))
            for q, given in sorted(tally.scores.items())
        }),
        scale=scale,
    )


def category_consensus(
    category_id: str, ratings: Iterable[Rating], scale: Scale
) -> CategoryConsensus:
    """The panel's figures for one category.

    ``ratings`` may hold ratings of other categories too (for example a whole panel's); only
    those with this ``category_id`` are used. "Not assessed" ratings are ignored, so a rater
    with nothing rated here is absent from ``rater_scores`` and not counted in ``raters``.
    Raises ``ValueError`` for a score off the scale or two scores from one rater for one
    question.
    """
    tallies = _collect((r for r in ratings if r.category_id == category_id), scale)
    return _from_tally(category_id, tallies.get(category_id) or _Tally(), scale)


# --------------------------------------------------------------------------- Krippendorff


def _ordinal_distances(marginals: Sequence[int]) -> list[list[int]]:
    """Four times Krippendorff's ordinal metric, in integers.

    d^2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, so 4 d^2(c, k) =
    (2 sum_{g=c..k} n_g - n_c - n_k)^2. ``marginals`` are the pairable counts n_g for every
    scale point in order. Distances depend on how many values lie between two ranks, not on
    the numbers on the anchors. The common factor 4 cancels in alpha's ratio.
    """
    size = len(marginals)
    distances = [[0] * size for _ in range(size)]
    for c in range(size):
        between = marginals[c]
        for k in range(c + 1, size):
            between += marginals[k]
            value = (2 * between - marginals[c] - marginals[k]) ** 2
            distances[c][k] = distances[k][c] = value
    return distances


def _disagreement(counts: Sequence[int], distances: Sequence[Sequence[int]]) -> int:
    """sum over c != k of counts_c * counts_k * distances_ck (each unordered pair twice)."""
    present = [(point, count) for point, count in enumerate(counts) if count]
    total = 0
    for i, (c, count_c) in enumerate(present):
        row = distances[c]
        for k, count_k in present[i + 1 :]:
            total += count_c * count_k * row[k]
    return 2 * total


def _alpha_from_counts(units: Iterable[Sequence[int]]) -> tuple[Fraction | None, int]:
    """Ordinal alpha (exact) and the number of pairable values, from per-unit value counts.

    Follows Krippendorff (2011), section "C. Any number of observers, missing data": the
    coincidence matrix o_ck = sum_u (number of c-k pairs in u) / (m_u - 1), marginals n_c,
    n = sum n_c, and alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck. Units with fewer
    than two values cannot be paired and drop out. Each unit's pair disagreement is an
    integer (with 4 d^2); they are summed per m_u and put over the lcm of the m_u - 1, so
    alpha is one ratio of integers.
    """
    pairable_units = [counts for counts in units if sum(counts) >= 2]
    marginals = [sum(column) for column in zip(*pairable_units, strict=True)]
    pairable = sum(marginals)
    if pairable == 0:
        return None, 0
    distances = _ordinal_distances(marginals)
    expected = _disagreement(marginals, distances)  # 4 * sum n_c n_k d_ck
    if expected == 0:
        return None, pairable
    by_size: dict[int, int] = {}
    for counts in pairable_units:
        size = sum(counts)
        by_size[size] = by_size.get(size, 0) + _disagreement(counts, distances)
    common = math.lcm(*(size - 1 for size in by_size))
    observed = sum(total * (common // (size - 1)) for size, total in by_size.items())
    # sum o_ck d_ck = observed / (4 * common), sum n_c n_k d_ck = expected / 4
    return 1 - Fraction((pairable - 1) * observed, common * expected), pairable


def _unit_counts(unit: Mapping[str, int], scale: Scale) -> list[int]:
    counts = [0] * scale.points
    for score in unit.values():
        counts[_check_score(score, scale) - scale.minimum] += 1
    return counts


def krippendorff_alpha_ordinal(
    units: Mapping[str, Mapping[str, int]], scale: Scale
) -> float | None:
    """Krippendorff's alpha with the ordinal metric (Krippendorff 2011).

    ``units`` maps each unit (a question) to ``{rater: score}``. The value domain is every point
    of ``scale``; points nobody used have n_g = 0 and so add nothing to the ordinal distances.
    Units rated by fewer than two raters cannot be paired and drop out, as in the source.

    Returns ``None`` when there is nothing to measure: no unit has two scores, or every
    pairable value is the same, which makes the expected disagreement 0 and alpha 0/0.
    Reporting "perfect" there would be a guess; reporting nothing lets the debrief say why
    (the reference implementation returns NaN in that case).
    """
    value, _ = _alpha_from_counts([_unit_counts(unit, scale) for unit in units.values()])
    return _float_or_none(value)


def alpha_band(alpha: float) -> AlphaBand:
    """Krippendorff's (2004) standard for an alpha value: >= .800 reliable, >= .667 tentative,
    below that unreliable (bounds with ``TOLERANCE``)."""
    if math.isnan(alpha):
        raise ValueError("alpha is NaN")
    if alpha >= _ALPHA_RELIABLE - TOLERANCE:
        return AlphaBand.RELIABLE
    if alpha >= _ALPHA_TENTATIVE - TOLERANCE:
        return AlphaBand.TENTATIVE
    return AlphaBand.UNRELIABLE


# --------------------------------------------------------------------------- recommendation


def _weight(weights: Mapping[str, float] | None, category_id: str) -> Fraction:
    if weights is None or category_id not in weights:
        return Fraction(1)
    return Fraction(weights[category_id])


def _check_weights(weights: Mapping[str, float], known: set[str]) -> None:
    for category_id, weight in weights.items():
        if category_id not in known:
            raise ValueError(f"a weight for {category_id!r}, which is not a category here")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise TypeError(f"the weight of {category_id!r} must be a number, got {weight!r}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"the weight of {category_id!r} must be 0 or more, got {weight!r}")


def _side(score: Fraction, scale: Scale) -> Recommendation | None:
    """The quarter of the scale a score falls in; the midpoint itself takes no side."""
    offset = score - Fraction(scale.minimum + scale.maximum, 2)
    quarter = Fraction(scale.maximum - scale.minimum, 4)
    if abs(offset) <= TOLERANCE:
        return None
    strong = abs(offset) - quarter > TOLERANCE
    if offset > 0:
        return Recommendation.STRONG_HIRE if strong else Recommendation.HIRE
    return Recommendation.STRONG_NO_HIRE if strong else Recommendation.NO_HIRE


def mechanical_recommendation(
    categories: Sequence[CategoryConsensus],
    scale: Scale,
    weights: Mapping[str, float] | None = None,
) -> MechanicalRecommendation:
    """The panel's category means combined with ``weights`` and mapped to a side.

    ``weights`` maps category ids to weights of 0 or more; categories absent from it weigh 1
    (with no mapping, all are equal). Categories nobody rated, or weighed 0, do not count; the
    weights of those that do are normalised to sum to 1. The thresholds are the four quarters
    of the scale (module docstring). Raises ``ValueError`` for a weight that is negative, not
    finite or given for a category not in ``categories``, ``TypeError`` for a non-number.

    The sum is taken exactly on the float means (``Fraction`` of a float is exact), so the
    result does not depend on category order and a mean of exactly the midpoint is seen as such.
    """
    if weights is not None:
        _check_weights(weights, {c.category_id for c in categories})
    counted = [
        (c.category_id, Fraction(c.mean), _weight(weights, c.category_id))
        for c in categories
        if c.mean is not None and _weight(weights, c.category_id) > 0
    ]
    total_weight = sum((w for _, _, w in counted), Fraction(0))
    if not counted:
        return MechanicalRecommendation(None, None, MappingProxyType({}))
    score = sum((mean * w for _, mean, w in counted), Fraction(0)) / total_weight
    normalised = {c: float(w / total_weight) for c, _, w in counted}
    return MechanicalRecommendation(
        score=float(score), recommendation=_side(score, scale), weights=MappingProxyType(normalised)
    )


# --------------------------------------------------------------------------- speaking order


def speaking_order(
    categories: Sequence[CategoryConsensus], panel: Sequence[str], lead: str | None = None
) -> tuple[Speaker, ...]:
    """Who speaks first at the debrief: the panelist furthest from the panel first, the hiring
    lead (if on ``panel``) last.

    A panelist's distance is the mean, over the categories they rated that at least one other
    panelist rated too, of |their category score - the category's mean|. Larger distances first
    (rounded to 9 decimals, so float noise makes a tie); ties keep the order of ``panel``;
    panelists with no such category follow, in panel order; the lead comes last whatever their
    distance. Only people in ``panel`` are listed. Raises ``ValueError`` for a name listed twice.
    """
    if len(set(panel)) != len(panel):
        raise ValueError("each panelist may appear only once")
    totals: dict[str, list[float]] = defaultdict(list)
    for category in categories:
        if category.raters < 2 or category.mean is None:
            continue
        for rater, score in category.rater_scores.items():
            totals[rater].append(abs(score - category.mean))
    speakers = [
        Speaker(rater, sum(totals[rater]) / len(totals[rater]) if totals[rater] else None,
                rater == lead)
        for rater in panel
    ]
    position = {rater: i for i, rater in enumerate(panel)}

    def key(speaker: Speaker) -> tuple[bool, bool, float, int]:
        distance = 0.0 if speaker.distance is None else round(speaker.distance, 9)
        return speaker.lead, speaker.distance is None, -distance, position[speaker.rater]

    return tuple(sorted(speakers, key=key))


# --------------------------------------------------------------------------- the panel

_VERDICT_RANK = {Verdict.SPLIT: 0, Verdict.MIXED: 1, Verdict.CONSENSUS: 2, Verdict.TOO_FEW: 3}


def _agenda_key(category: CategoryConsensus) -> tuple[int, Fraction, Fraction]:
    """Verdict rank, then the verdict's own order of disagreement (module docstring); ``sorted``
    is stable, so equal keys keep the set's category order.

    The spread is rounded to 9 decimals so two spreads that differ only by float noise count as
    a tie; the share of split questions is exact.
    """
    rank = _VERDICT_RANK[category.verdict]
    if category.verdict is Verdict.TOO_FEW:
        return rank, Fraction(0), Fraction(0)
    spread = Fraction(round(category.spread or 0.0, 9))
    shared = category.shared_questions
    share = Fraction(len(category.split_questions), shared) if shared else Fraction(0)
    if category.verdict is Verdict.SPLIT:
        return rank, -share, -spread
    return rank, -spread, -share


def _tally(recommendations: Mapping[str, str], keys: Sequence[str]) -> Mapping[str, int]:
    """Count recommendations with every expected key present (0 when nobody chose it).

    A recommendation outside ``keys`` is still counted, after the expected keys in sorted
    order: a debrief must not lose a panelist's vote because the key list is out of date.
    """
    tally = dict.fromkeys(keys, 0)
    extra: defaultdict[str, int] = defaultdict(int)
    for key in recommendations.values():
        if key in tally:
            tally[key] += 1
        else:
            extra[key] += 1
    tally.update(sorted(extra.items()))
    return MappingProxyType(tally)


def panel_consensus(
    ratings: Iterable[Rating],
    scale: Scale,
    category_order: Sequence[str],
    recommendations: Mapping[str, str],
    recommendation_keys: Sequence[str],
    weights: Mapping[str, float] | None = None,
) -> PanelConsensus:
    """The whole debrief summary: every category, the agenda, the tally, alpha and the
    mechanical recommendation (with ``weights``: see ``mechanical_recommendation``).

    Every category in ``category_order`` appears, with ``raters == 0`` and ``TOO_FEW`` when
    nobody rated it. Ratings in a category missing from ``category_order`` are not dropped:
    such categories follow the given ones, sorted by id. Alpha's units are questions (keyed by
    category and question id, so equal question ids in two categories stay apart) and its
    coders are raters. Raises ``ValueError`` like ``category_consensus`` and
    ``mechanical_recommendation``.
    """
    tallies = _collect(ratings, scale)
    order = list(dict.fromkeys(category_order))
    order += sorted(set(tallies) - set(order))
    categories = tuple(_from_tally(c, tallies.get(c) or _Tally(), scale) for c in order)
    # A category's questions are its alpha units; the per-category dicts keep equal question ids
    # of two categories apart.
    units = [counts for tally in tallies.values() for counts in tally.items.values()]
    alpha, pairable = _alpha_from_counts(units)
    judged = alpha is not None and pairable >= ALPHA_MIN_PAIRABLE
    return PanelConsensus(
        categories=categories,
        agenda=tuple(sorted(categories, key=_agenda_key)),
        recommendation_tally=_tally(recommendations, recommendation_keys),
        alpha=_float_or_none(alpha),
        alpha_pairable=pairable,
        alpha_judged=judged,
        alpha_band=alpha_band(float(alpha)) if judged and alpha is not None else None,
        mechanical=mechanical_recommendation(categories, scale, weights),
    )
