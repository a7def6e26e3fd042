"""Consensus maths for the panel debrief: pure functions over ratings, no I/O.

Everything here takes plain data (``Rating`` rows, a ``Scale``) and returns frozen data; the
debrief summary builder turns the result into words through i18n keys (``Verdict`` and
``AgreementBand`` values), so nothing in this module knows about Slack, the database or a
language.

Arithmetic is exact and converted to ``float`` only in the results. Scores are small integers, so
ratings are first reduced to integer counts (per rater: sum and number of questions; per
question: how many raters gave each scale point) and every statistic is a ratio of integers
built from them; the one division at the end is correctly rounded (``int / int`` and ``float``
of a ``Fraction`` both are), so the floats are those of the same sums done in ``Fraction``
values, only without a gcd per rating. Exactness buys two things a debrief needs: the result
does not depend on the order in which ratings arrive (float sums do), and boundary cases the
design names ("spread <= 1", "more than 2 points apart", "exactly at the midpoint") are decided
exactly, by integer cross-multiplication, instead of by rounding noise. The 1e-9 tolerance the
design asks for is still applied to every such comparison, as a second line of defence.

Sources:
- James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater reliability
  with and without response bias. Journal of Applied Psychology 69(1), 85-98.
- LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater reliability
  and interrater agreement. Organizational Research Methods 11(4), 815-852.
- Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
  Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple, TypeGuard

__all__ = [
    "ALPHA_MIN_PAIRABLE",
    "TOLERANCE",
    "AgreementBand",
    "CategoryConsensus",
    "PanelConsensus",
    "Rating",
    "Scale",
    "Verdict",
    "agreement_band",
    "category_consensus",
    "krippendorff_alpha_ordinal",
    "panel_consensus",
    "rwg_j",
]

# Comparisons on the design's thresholds allow this much slack so that a value such as
# 2.0000000001 (a float artefact) does not flip a verdict or a band.
TOLERANCE = 1e-9

# Below this many pairable values alpha swings wildly with a single rating; the UI shows a caveat.
ALPHA_MIN_PAIRABLE = 20

# Verdict thresholds from the design: "consensus" needs spread <= 1, "split" is spread > 2.
_CONSENSUS_MAX_SPREAD = 1
_SPLIT_MIN_SPREAD = 2


class Verdict(StrEnum):
    """The debrief's one-word reading of a category; values double as i18n key suffixes."""

    CONSENSUS = "consensus"
    SPLIT = "split"
    MIXED = "mixed"
    TOO_FEW = "too_few"


class AgreementBand(StrEnum):
    """LeBreton & Senter's (2008) verbal labels for r_wg(J)."""

    NONE = "none"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    VERY_STRONG = "very_strong"


# LeBreton & Senter (2008), table 3: inclusive upper bound of each band; above .90 is very strong.
_BANDS: tuple[tuple[float, AgreementBand], ...] = (
    (0.30, AgreementBand.NONE),
    (0.50, AgreementBand.WEAK),
    (0.70, AgreementBand.MODERATE),
    (0.90, AgreementBand.STRONG),
)


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

    def contains(self, score: object) -> TypeGuard[int]:
        """True when ``score`` is an integer point of this scale (bools are not scores)."""
        return (
            isinstance(score, int)
            and not isinstance(score, bool)
            and self.minimum <= score <= self.maximum
        )


@dataclass(frozen=True)
class CategoryConsensus:
    """Panel-level statistics for one question category.

    Statistics are over the raters' category scores (the mean of each rater's rated questions),
    so a rater who answered four questions weighs the same as one who answered two. All of
    them are ``None`` when nobody rated the category.
    """

    category_id: str
    rater_scores: Mapping[str, float]
    raters: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    spread: float | None
    rwg: float | None
    band: AgreementBand | None
    verdict: Verdict
    high: tuple[str, ...]
    low: tuple[str, ...]
    middle: tuple[str, ...]


@dataclass(frozen=True)
class PanelConsensus:
    """Everything the debrief summary shows: per category, the agenda, and panel-wide figures."""

    categories: tuple[CategoryConsensus, ...]
    agenda: tuple[CategoryConsensus, ...]
    recommendation_tally: Mapping[str, int]
    alpha: float | None
    alpha_pairable: int
    alpha_reliable: bool


# --------------------------------------------------------------------------- validation


def _check_score(score: object, scale: Scale) -> int:
    """Reject scores off the scale: a 7 on a 5-point scale is a bug upstream, not data."""
    if scale.contains(score):
        return score
    raise ValueError(f"score {score!r} is not on the scale {scale.minimum}..{scale.maximum}")


class _Tally:
    """One category's ratings reduced to integer counts, which is all its statistics need.

    ``raters`` maps a rater to ``[sum of their scores, questions they rated]``; ``items`` maps a
    question to how many raters gave each scale point (index 0 is ``scale.minimum``). Counts do
    not depend on the order ratings arrive in, and everything below is exact integer arithmetic
    on them, so the results are as order-independent as the rationals they replace.
    """

    __slots__ = ("items", "raters")

    def __init__(self) -> None:
        self.raters: dict[str, list[int]] = {}
        self.items: dict[str, list[int]] = {}


def _collect(ratings: Iterable[Rating], scale: Scale) -> dict[str, _Tally]:
    """The ratings that count, tallied per category: "not assessed" dropped, scores checked,
    duplicates refused.

    Two scores from one rater for one question would silently weigh that question double; the
    caller is meant to pass each panelist's current scorecard version only, so a duplicate is
    reported rather than guessed at.
    """
    seen: set[tuple[str, str, str]] = set()
    tallies: dict[str, _Tally] = {}
    lowest, highest, points = scale.minimum, scale.maximum, scale.points
    for rating in ratings:
        score = rating.score
        if score is None:
            continue
        # Plain ints on the scale skip the general check, which also takes int subclasses
        # (not bools) and raises for anything off the scale.
        if type(score) is not int or not lowest <= score <= highest:
            score = _check_score(score, scale)
        rater, category, question = key = (rating.rater, rating.category_id, rating.question_id)
        if key in seen:
            raise ValueError(
                f"rater {rater!r} has two scores for question {question!r} in category {category!r}"
            )
        seen.add(key)
        tally = tallies.get(category)
        if tally is None:
            tally = tallies[category] = _Tally()
        sums = tally.raters.get(rater)
        if sums is None:
            tally.raters[rater] = [score, 1]
        else:
            sums[0] += score
            sums[1] += 1
        counts = tally.items.get(question)
        if counts is None:
            counts = tally.items[question] = [0] * points
        counts[score - lowest] += 1
    return tallies


# --------------------------------------------------------------------------- exact comparisons


def _exceeds(numerator: int, denominator: int) -> bool:
    """``numerator / denominator > TOLERANCE`` for a positive denominator, decided exactly.

    This is what comparing a ``Fraction`` with the float ``TOLERANCE`` did (Python compares a
    rational with a float exactly), done by cross-multiplying integers: a verdict or a side must
    never flip on float rounding, so these decisions stay exact while the means become floats
    only for the result.
    """
    tolerance_numerator, tolerance_denominator = TOLERANCE.as_integer_ratio()
    return numerator * tolerance_denominator > tolerance_numerator * denominator


# --------------------------------------------------------------------------- r_wg(J)


def _moments(scores: Sequence[int]) -> tuple[int, int, int]:
    """(n, sum(x), sum(x^2)) of one question's scores."""
    return len(scores), sum(scores), sum(x * x for x in scores)


# x and x^2 for x = 0..9, the offsets of a 2- to 10-point scale's points from its minimum.
_OFFSETS = tuple(range(10))
_SQUARED_OFFSETS = tuple(x * x for x in _OFFSETS)


def _count_moments(counts: Sequence[int]) -> tuple[int, int, int]:
    """(n, sum(x), sum(x^2)) from per-point counts, x measured from the scale's minimum.

    The shift leaves n*sum(x^2) - sum(x)^2, the only use of these, unchanged.
    """
    return (
        sum(counts),
        sum(map(operator.mul, counts, _OFFSETS)),
        sum(map(operator.mul, counts, _SQUARED_OFFSETS)),
    )


def _rwg_exact(moments: Iterable[tuple[int, int, int]], scale: Scale) -> Fraction | None:
    """r_wg(J) as an exact rational from each question's ``(n, sum, sum of squares)``.

    A question's unbiased variance is (n*sum(x^2) - sum(x)^2) / (n(n - 1)). Numerators are
    summed per n and put over the lcm of the n(n - 1), so the mean variance, the ratio to
    sigma^2_EU and r_wg(J) are ratios of integers and only the result is a ``Fraction``: the
    same value as summing one ``Fraction`` per question, without the per-question gcds.
    """
    by_size: dict[int, int] = {}
    items = 0
    for n, total, squares in moments:
        if n >= 2:
            by_size[n] = by_size.get(n, 0) + n * squares - total * total
            items += 1
    if not items:
        return None
    common = math.lcm(*(n * (n - 1) for n in by_size))
    variance_sum = sum(numerator * (common // (n * (n - 1))) for n, numerator in by_size.items())
    # ratio = s^2 / sigma^2_EU = (variance_sum / (common * items)) / ((A^2 - 1) / 12)
    ratio_numerator = 12 * variance_sum
    ratio_denominator = common * items * (scale.points**2 - 1)
    if ratio_numerator >= ratio_denominator:
        return Fraction(0)
    # J (1 - p/q) / (J (1 - p/q) + p/q) = J (q - p) / (J (q - p) + p)
    agreement = items * (ratio_denominator - ratio_numerator)
    return Fraction(agreement, agreement + ratio_numerator)


def rwg_j(item_scores: Mapping[str, Sequence[int]], scale: Scale) -> float | None:
    """Within-group agreement r_wg(J) for a multi-item category (James, Demaree & Wolf 1984).

    ``item_scores`` maps each question to the scores the raters gave it. With the uniform
    ("no response bias") null distribution, the variance expected from random answers on an
    A-point scale is sigma^2_EU = (A^2 - 1) / 12. Over the J questions that have at least two
    scores, s^2 is the mean of their sample variances (n - 1), and

        r_wg(J) = J (1 - s^2 / sigma^2_EU) / (J (1 - s^2 / sigma^2_EU) + s^2 / sigma^2_EU).

    When s^2 >= sigma^2_EU the panel disagrees more than random answering would, the formula
    leaves [0, 1], and following LeBreton & Senter (2008, question 11) the value is truncated
    to 0. Returns ``None`` when no question has two scores: agreement needs two raters on the
    same question.
    """
    checked = [[_check_score(s, scale) for s in scores] for scores in item_scores.values()]
    value = _rwg_exact((_moments(scores) for scores in checked), scale)
    return _float_or_none(value)


def agreement_band(rwg: float) -> AgreementBand:
    """LeBreton & Senter's (2008) label for an agreement value.

    Their bands are written on two decimals (.00-.30 none, .31-.50 weak, .51-.70 moderate,
    .71-.90 strong, .91-1.00 very strong); values between them (e.g. 0.305) go by the upper
    bounds: <= .30 none, <= .50 weak, <= .70 moderate, <= .90 strong, else very strong. The
    bounds allow ``TOLERANCE`` so that 0.9000000001 from float arithmetic is still "strong".
    """
    if math.isnan(rwg):
        raise ValueError("agreement is NaN")
    for upper, band in _BANDS:
        if rwg <= upper + TOLERANCE:
            return band
    return AgreementBand.VERY_STRONG


# --------------------------------------------------------------------------- one category


def _float_or_none(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


class _RaterScores(NamedTuple):
    """Every rater's category score (the mean of their rated questions) as ``scaled / common``.

    ``common`` is the lcm of the raters' question counts, so each mean total/count is exactly
    the integer total * (common // count) over ``common``: comparing, sorting, summing and
    subtracting the ``scaled`` integers is exact, as it was on ``Fraction`` values.
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


def _verdict(scores: _RaterScores, both_sides: bool) -> Verdict:
    """Apply the design's verdict rules in order: too few, split, consensus, mixed.

    A rater exactly at the midpoint (within ``TOLERANCE``) is on neither side. They do not make
    a category split (that needs someone strictly above *and* someone strictly below) and they
    do not break consensus: 3.0 and 3.5 on a 1-5 scale is consensus, 2.5 and 3.5 is a split.
    The spread thresholds are compared exactly, on the integers over ``common``.
    """
    if len(scores.scaled) < 2:
        return Verdict.TOO_FEW
    spread = max(scores.scaled.values()) - min(scores.scaled.values())
    common = scores.common
    if both_sides or _exceeds(spread - _SPLIT_MIN_SPREAD * common, common):
        return Verdict.SPLIT
    if not _exceeds(spread - _CONSENSUS_MAX_SPREAD * common, common):
        return Verdict.CONSENSUS
    return Verdict.MIXED


def _from_tally(category_id: str, tally: _Tally, scale: Scale) -> CategoryConsensus:
    """Build one category's figures from its tally.

    Floats come from one integer true division each (``a / b`` on ints is correctly rounded),
    so they are the very floats ``float(Fraction(a, b))`` gave: the band (from ``rwg``) and the
    agenda order (from ``spread``) are decided on the same values as before.
    """
    scores = _rater_scores(tally.raters)
    rwg = _float_or_none(_rwg_exact(map(_count_moments, tally.items.values()), scale))
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
        rwg=rwg,
        band=None if rwg is None else agreement_band(rwg),
        verdict=_verdict(scores, bool(high) and bool(low)),
        high=high,
        low=low,
        middle=middle,
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
    alpha is one ratio of integers, exactly the old sum of ``Fraction`` values.
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


# --------------------------------------------------------------------------- the panel


def _agenda_key(category: CategoryConsensus) -> tuple[bool, bool, float]:
    """Split first, then largest spread, too-few last; ``sorted`` is stable for ties.

    The spread is rounded to 9 decimals so two spreads that differ only by float noise count as
    a tie and keep the question set's category order.
    """
    too_few = category.verdict is Verdict.TOO_FEW
    not_split = category.verdict is not Verdict.SPLIT
    spread = 0.0 if too_few or category.spread is None else round(category.spread, 9)
    return too_few, not_split, -spread


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
) -> PanelConsensus:
    """The whole debrief summary: every category, the agenda, the tally and alpha.

    Every category in ``category_order`` appears, with ``raters == 0`` and ``TOO_FEW`` when
    nobody rated it. Ratings in a category missing from ``category_order`` are not dropped:
    such categories follow the given ones, sorted by id. Alpha's units are questions (keyed by
    category and question id, so equal question ids in two categories stay apart) and its
    coders are raters. Raises ``ValueError`` like ``category_consensus``.
    """
    tallies = _collect(ratings, scale)
    order = list(dict.fromkeys(category_order))
    order += sorted(set(tallies) - set(order))
    categories = tuple(_from_tally(c, tallies.get(c) or _Tally(), scale) for c in order)
    # A category's questions are its alpha units; the per-category dicts keep equal question ids
    # of two categories apart.
    units = [counts for tally in tallies.values() for counts in tally.items.values()]
    alpha, pairable = _alpha_from_counts(units)
    return PanelConsensus(
        categories=categories,
        agenda=tuple(sorted(categories, key=_agenda_key)),
        recommendation_tally=_tally(recommendations, recommendation_keys),
        alpha=_float_or_none(alpha),
        alpha_pairable=pairable,
        alpha_reliable=alpha is not None and pairable >= ALPHA_MIN_PAIRABLE,
    )
