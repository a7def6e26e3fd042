"""Consensus maths for the panel debrief: pure functions over ratings, no I/O.

Everything here takes plain data (``Rating`` rows, a ``Scale``) and returns frozen data; the
debrief summary builder turns the result into words through i18n keys (``Verdict`` and
``AgreementBand`` values), so nothing in this module knows about Slack, the database or a
language.

Arithmetic is done on exact rationals (``fractions.Fraction``) and converted to ``float`` only in
the results. Scores are small integers, so this is cheap, and it buys two things a debrief needs:
the result does not depend on the order in which ratings arrive (float sums do), and boundary
cases the design names ("spread <= 1", "more than 2 points apart", "exactly at the midpoint")
are decided exactly instead of by rounding noise. The 1e-9 tolerance the design asks for is
still applied to every such comparison, as a second line of defence.

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

    def _exact_midpoint(self) -> Fraction:
        return Fraction(self.minimum + self.maximum, 2)


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


class _Scored(NamedTuple):
    """A rating that counts: checked, and with a score that is certainly an int."""

    rater: str
    category_id: str
    question_id: str
    score: int


def _scored(ratings: Iterable[Rating], scale: Scale) -> list[_Scored]:
    """The ratings that count: "not assessed" dropped, scores checked, duplicates refused.

    Two scores from one rater for one question would silently weigh that question double; the
    caller is meant to pass each panelist's current scorecard version only, so a duplicate is
    reported rather than guessed at.
    """
    seen: set[tuple[str, str, str]] = set()
    kept: list[_Scored] = []
    for rating in ratings:
        if rating.score is None:
            continue
        score = _check_score(rating.score, scale)
        key = (rating.rater, rating.category_id, rating.question_id)
        if key in seen:
            raise ValueError(
                f"rater {rating.rater!r} has two scores for question "
                f"{rating.question_id!r} in category {rating.category_id!r}"
            )
        seen.add(key)
        kept.append(_Scored(*key, score))
    return kept


# --------------------------------------------------------------------------- r_wg(J)


def _sample_variance(scores: Sequence[int]) -> Fraction:
    """Unbiased (n - 1) variance, exactly: (n*sum(x^2) - sum(x)^2) / (n*(n - 1))."""
    n = len(scores)
    total = sum(scores)
    squares = sum(x * x for x in scores)
    return Fraction(n * squares - total * total, n * (n - 1))


def _rwg_exact(item_scores: Iterable[Sequence[int]], scale: Scale) -> Fraction | None:
    """r_wg(J) as an exact rational; see ``rwg_j``."""
    variances = [_sample_variance(scores) for scores in item_scores if len(scores) >= 2]
    if not variances:
        return None
    items = len(variances)
    mean_variance = sum(variances, Fraction(0)) / items
    null_variance = Fraction(scale.points**2 - 1, 12)
    ratio = mean_variance / null_variance
    if ratio >= 1:
        return Fraction(0)
    agreement = items * (1 - ratio)
    return agreement / (agreement + ratio)


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
    value = _rwg_exact(checked, scale)
    return None if value is None else float(value)


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


def _median(values: Sequence[Fraction]) -> Fraction:
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2


def _rater_scores(scored: Iterable[_Scored]) -> dict[str, Fraction]:
    """Each rater's category score: the mean of the questions they rated, exactly."""
    by_rater: defaultdict[str, list[int]] = defaultdict(list)
    for rating in scored:
        by_rater[rating.rater].append(rating.score)
    return {rater: Fraction(sum(s), len(s)) for rater, s in sorted(by_rater.items())}


def _above(score: Fraction, midpoint: Fraction) -> bool:
    return score - midpoint > TOLERANCE


def _below(score: Fraction, midpoint: Fraction) -> bool:
    return midpoint - score > TOLERANCE


def _verdict(scores: Sequence[Fraction], midpoint: Fraction) -> Verdict:
    """Apply the design's verdict rules in order: too few, split, consensus, mixed.

    A rater exactly at the midpoint (within ``TOLERANCE``) is on neither side. They do not make
    a category split (that needs someone strictly above *and* someone strictly below) and they
    do not break consensus: 3.0 and 3.5 on a 1-5 scale is consensus, 2.5 and 3.5 is a split.
    """
    if len(scores) < 2:
        return Verdict.TOO_FEW
    spread = max(scores) - min(scores)
    both_sides = any(_above(s, midpoint) for s in scores) and any(
        _below(s, midpoint) for s in scores
    )
    if both_sides or spread - _SPLIT_MIN_SPREAD > TOLERANCE:
        return Verdict.SPLIT
    if spread - _CONSENSUS_MAX_SPREAD <= TOLERANCE:
        return Verdict.CONSENSUS
    return Verdict.MIXED


def _sides(
    scores: Mapping[str, Fraction], midpoint: Fraction
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Who is above, below and at the midpoint, most extreme first, ties by rater id."""
    high = sorted(
        (r for r, s in scores.items() if _above(s, midpoint)), key=lambda r: (-scores[r], r)
    )
    low = sorted(
        (r for r, s in scores.items() if _below(s, midpoint)), key=lambda r: (scores[r], r)
    )
    middle = sorted(set(scores) - set(high) - set(low))
    return tuple(high), tuple(low), tuple(middle)


def _float_or_none(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _from_scored(category_id: str, scored: Sequence[_Scored], scale: Scale) -> CategoryConsensus:
    """Build one category's figures from already-checked ratings of that category."""
    by_rater = _rater_scores(scored)
    values = list(by_rater.values())
    by_item: defaultdict[str, list[int]] = defaultdict(list)
    for rating in scored:
        by_item[rating.question_id].append(rating.score)
    rwg = _float_or_none(_rwg_exact(by_item.values(), scale))
    midpoint = scale._exact_midpoint()
    high, low, middle = _sides(by_rater, midpoint)
    return CategoryConsensus(
        category_id=category_id,
        rater_scores=MappingProxyType({r: float(s) for r, s in by_rater.items()}),
        raters=len(values),
        mean=float(sum(values, Fraction(0)) / len(values)) if values else None,
        median=float(_median(values)) if values else None,
        minimum=float(min(values)) if values else None,
        maximum=float(max(values)) if values else None,
        spread=float(max(values) - min(values)) if values else None,
        rwg=rwg,
        band=None if rwg is None else agreement_band(rwg),
        verdict=_verdict(values, midpoint),
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
    scored = _scored((r for r in ratings if r.category_id == category_id), scale)
    return _from_scored(category_id, scored, scale)


# --------------------------------------------------------------------------- Krippendorff


def _value_counts(units: Iterable[Mapping[str, int]], scale: Scale) -> list[dict[int, int]]:
    """Per pairable unit, how many raters gave each value; units with < 2 values drop out."""
    counted: list[dict[int, int]] = []
    for unit in units:
        counts: defaultdict[int, int] = defaultdict(int)
        for score in unit.values():
            counts[_check_score(score, scale)] += 1
        if sum(counts.values()) >= 2:
            counted.append(dict(counts))
    return counted


def _ordinal_distances(marginals: Sequence[int]) -> list[list[Fraction]]:
    """Krippendorff's ordinal metric: d^2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2.

    ``marginals`` are the pairable counts n_g for every scale point in order. Distances depend
    on how many values lie between two ranks, not on the numbers on the anchors.
    """
    size = len(marginals)
    distances = [[Fraction(0)] * size for _ in range(size)]
    for c in range(size):
        for k in range(c + 1, size):
            between = sum(marginals[c : k + 1])
            value = (between - Fraction(marginals[c] + marginals[k], 2)) ** 2
            distances[c][k] = distances[k][c] = value
    return distances


def _alpha_from_units(
    units: Iterable[Mapping[str, int]], scale: Scale
) -> tuple[Fraction | None, int]:
    """Ordinal alpha (exact) and the number of pairable values, from per-unit rater scores.

    Follows Krippendorff (2011), section "C. Any number of observers, missing data": the
    coincidence matrix o_ck = sum_u (number of c-k pairs in u) / (m_u - 1), marginals n_c,
    n = sum n_c, and alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck.
    """
    counted = _value_counts(units, scale)
    domain = range(scale.minimum, scale.maximum + 1)
    marginals = [sum(counts.get(value, 0) for counts in counted) for value in domain]
    pairable = sum(marginals)
    if pairable == 0:
        return None, 0
    distances = _ordinal_distances(marginals)
    offset = scale.minimum
    observed = Fraction(0)
    for counts in counted:
        within = sum(
            counts[c] * counts[k] * distances[c - offset][k - offset]
            for c in counts
            for k in counts
            if c != k
        )
        observed += Fraction(within, sum(counts.values()) - 1)
    expected = sum(
        marginals[c] * marginals[k] * distances[c][k]
        for c in range(len(marginals))
        for k in range(len(marginals))
        if c != k
    )
    if expected == 0:
        return None, pairable
    return 1 - (pairable - 1) * observed / expected, pairable


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
    value, _ = _alpha_from_units(units.values(), scale)
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
    scored = _scored(ratings, scale)
    by_category: defaultdict[str, list[_Scored]] = defaultdict(list)
    units: defaultdict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for rating in scored:
        by_category[rating.category_id].append(rating)
        units[(rating.category_id, rating.question_id)][rating.rater] = rating.score
    order = list(dict.fromkeys(category_order))
    order += sorted(set(by_category) - set(order))
    categories = tuple(_from_scored(c, by_category.get(c, []), scale) for c in order)
    alpha, pairable = _alpha_from_units(units.values(), scale)
    return PanelConsensus(
        categories=categories,
        agenda=tuple(sorted(categories, key=_agenda_key)),
        recommendation_tally=_tally(recommendations, recommendation_keys),
        alpha=_float_or_none(alpha),
        alpha_pairable=pairable,
        alpha_reliable=alpha is not None and pairable >= ALPHA_MIN_PAIRABLE,
    )
