"""bot.core.consensus: hand-worked examples, the issue's cases, edge cases, properties, the
random-panel checks behind the thresholds, and reference checks.

The worked examples show their arithmetic in comments so a reviewer can redo it on paper. On a
1-5 scale (FIVE) the midpoint is 3, clearly high is 4 or 5, clearly low 1 or 2, and random
answers have variance sigma^2 = (25 - 1) / 12 = 2; on 1-10 (TEN) the midpoint is 5.5, clearly
high 7 and up, clearly low 4 and down, sigma^2 = 99 / 12 = 8.25. r*wg(J) = 1 - mean(s_j^2) /
sigma^2, with s_j^2 the sample variance (n - 1) of question j.

The ``krippendorff`` package (and numpy) are used here only, as an independent reference for
alpha.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache
from itertools import combinations_with_replacement

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.consensus import (
    AGREEMENT_MIN_QUESTIONS,
    ALPHA_MIN_PAIRABLE,
    Agreement,
    AgreementBand,
    AlphaBand,
    CategoryConsensus,
    Rating,
    Recommendation,
    Scale,
    Unjudged,
    Verdict,
    agreement_band,
    alpha_band,
    category_consensus,
    krippendorff_alpha_ordinal,
    mechanical_recommendation,
    panel_consensus,
    rwg_star_j,
    speaking_order,
)
from bot.core.question_sets import RECOMMENDATION_KEYS

FIVE = Scale(1, 5)
TEN = Scale(1, 10)
KEYS = ("strong_no_hire", "no_hire", "hire", "strong_hire")
STRONG = {AgreementBand.STRONG, AgreementBand.VERY_STRONG}


def ratings_for(
    table: Mapping[str, Mapping[str, int | None]], category: str = "cat"
) -> list[Rating]:
    """``{rater: {question: score}}`` -> Rating rows in one category."""
    return [
        Rating(rater, category, question, score)
        for rater, scores in table.items()
        for question, score in scores.items()
    ]


def by_question(*rows: Sequence[int], raters: str = "ABCDEFGH") -> dict[str, dict[str, int]]:
    """Rows are raters, columns questions: ``by_question([1, 5], [5, 1])`` is A: q0=1 q1=5..."""
    return {raters[i]: {f"q{j}": s for j, s in enumerate(row)} for i, row in enumerate(rows)}


# --------------------------------------------------------------------------- the cases


def test_one_against_five_in_turns_is_split_not_consensus() -> None:
    # A: 1,5,1,5,1,5 -> 3.0   B: 5,1,5,1,5,1 -> 3.0   C: 3 x 6 -> 3.0; equal averages.
    # Every question holds a 5 (>= 4, clearly high) and a 1 (<= 2, clearly low): 6 of 6 split.
    # r*wg(J): each question (1,5,3): mean 3, SS = 4+4+0 = 8, s^2 = 8/2 = 4; mean s^2 = 4;
    #          r* = 1 - 4/2 = -1 (more disagreement than random answers) -> none.
    # 3 raters, 6 questions rated by all three: judged, and shown as "no agreement".
    # (The old rule looked at the averages only: spread 0 -> "consensus ... no agreement".)
    result = category_consensus(
        "cat", ratings_for(by_question([1, 5] * 3, [5, 1] * 3, [3] * 6)), FIVE
    )
    assert dict(result.rater_scores) == {"A": 3.0, "B": 3.0, "C": 3.0}
    assert result.spread == 0.0
    assert result.verdict is Verdict.SPLIT
    assert result.shared_questions == 6 and len(result.split_questions) == 6
    assert result.agreement.value == -1.0
    assert result.agreement.judged and result.agreement.band is AgreementBand.NONE
    first = result.split_questions[0]  # q0: A 1, B 5, C 3
    assert (first.question_id, first.high, first.low) == ("q0", ("B",), ("A",))


def test_two_point_eight_three_three_point_two_is_not_split() -> None:
    # A: 2,3,3,3,3 -> 2.8   B: 3 x 5 -> 3.0   C: 4,3,3,3,3 -> 3.2
    # q0 (2,3,4) is split (2 <= 2, 4 >= 4); 1 of 5 questions split: under the "at least 2" and
    # "a third" rule. Spread 0.4 < 2. -> not split; a split question -> not consensus: mixed.
    # r*wg(J): q0 s^2 = (1+0+1)/2 = 1, the other four 0; mean 1/5; r* = 1 - (1/5)/2 = 0.9
    #          -> strong (bands: <= .90 strong); 5 questions rated by 3 -> judged.
    # (The old rule: averages on both sides of 3 -> "split ... very strong agreement", first.)
    result = category_consensus(
        "cat", ratings_for(by_question([2, 3, 3, 3, 3], [3] * 5, [4, 3, 3, 3, 3])), FIVE
    )
    assert dict(result.rater_scores) == {"A": 2.8, "B": 3.0, "C": 3.2}
    assert result.verdict is Verdict.MIXED
    assert [q.question_id for q in result.split_questions] == ["q0"]
    assert result.agreement.value == pytest.approx(0.9)
    assert result.agreement.band is AgreementBand.STRONG


def _old_rwg_j(items: list[list[int]], points: int) -> Fraction:
    """James, Demaree & Wolf's r_wg(J), the index this module used to report, for contrast."""
    ratio = sum(
        (Fraction(len(s) * sum(x * x for x in s) - sum(s) ** 2, len(s) * (len(s) - 1))
         for s in items), Fraction(0)
    ) / len(items) / Fraction(points**2 - 1, 12)
    if ratio >= 1:
        return Fraction(0)
    return len(items) * (1 - ratio) / (len(items) * (1 - ratio) + ratio)


def test_random_ratings_on_150_questions_are_not_strong_agreement() -> None:
    rng = random.Random(4)
    table = {r: {f"q{i}": rng.randint(1, 5) for i in range(150)} for r in "ABC"}
    result = category_consensus("cat", ratings_for(table), FIVE)
    # The old index grows with the number of questions: on this draw it read 0.88, "strong".
    items = [[table[r][f"q{i}"] for r in "ABC"] for i in range(150)]
    assert _old_rwg_j(items, 5) > 0.85
    # r*wg(J) stays near 0, where random answers put it whatever the number of questions.
    assert result.agreement.judged
    assert result.agreement.value is not None and abs(result.agreement.value) < 0.1
    assert result.agreement.band is AgreementBand.NONE
    assert result.verdict is Verdict.SPLIT  # random 1-5 answers split many questions


def test_random_panels_are_rarely_called_strong_agreement() -> None:
    # 10,000 panels answering uniformly at random: 3-8 raters, 1-20 questions, 3-7 points.
    # Ratings are immutable, so each possible one is made once and shared between panels.
    rng = random.Random(20)
    pool = [[[Rating(f"r{i}", "c", f"q{j}", score) for score in range(8)] for j in range(20)]
            for i in range(8)]
    strong = consensus = 0
    for _ in range(10_000):
        n, j, points = rng.randint(3, 8), rng.randint(1, 20), rng.randint(3, 7)
        scores = iter(rng.choices(range(1, points + 1), k=n * j))
        ratings = [pool[r][q][next(scores)] for r in range(n) for q in range(j)]
        result = category_consensus("c", ratings, Scale(1, points))
        strong += result.agreement.band in STRONG
        consensus += result.verdict is Verdict.CONSENSUS
    assert strong < 500  # fewer than 5 %
    assert strong < 100  # in fact under 1 % with these shapes (4 here)
    assert consensus < 500  # random answers rarely make a consensus either (85 here)


# --------------------------------------------------------------------------- why the gates


@cache
def _variance_distribution(n: int, points: int) -> dict[Fraction, Fraction]:
    """{s^2: probability} for n raters answering uniformly at random on `points` points."""
    weights: Counter[Fraction] = Counter()
    for combo in combinations_with_replacement(range(points), n):
        ways = math.factorial(n) // math.prod(math.factorial(c) for c in Counter(combo).values())
        total, squares = sum(combo), sum(x * x for x in combo)
        weights[Fraction(n * squares - total * total, n * (n - 1))] += ways
    return {v: Fraction(w, points**n) for v, w in weights.items()}


def _chance_of_strong(points: int, sizes: Sequence[int]) -> Fraction:
    """Exact probability that random answers give r*wg(J) > .70 ("strong" or better) for
    questions rated by `sizes` raters: the sum of the s_j^2 must stay under
    J * 0.3 * sigma^2 = J * 3 (A^2 - 1) / 120."""
    limit = Fraction(3 * len(sizes) * (points**2 - 1), 120)
    sums = {Fraction(0): Fraction(1)}
    for n in sizes:
        following: Counter[Fraction] = Counter()
        for total, p in sums.items():
            for variance, q in _variance_distribution(n, points).items():
                if total + variance < limit:
                    following[total + variance] += p * q
        sums = dict(following)
    return sum(sums.values(), Fraction(0))


def test_why_agreement_needs_four_questions_rated_by_three() -> None:
    worst = {
        sizes: max(_chance_of_strong(points, sizes) for points in range(2, 11))
        for sizes in [(3, 3), (3, 3, 3), (3, 3, 3, 3), (3, 3, 3, 3, 2), (3, 3, 3, 3, 2, 2),
                      (3, 3, 3, 4), (4, 4, 4, 4), (3, 3, 3, 3, 3)]
    }
    # Two questions: 12 % of random panels read "strong" (4-point scale); three: 4.3 %.
    assert worst[(3, 3)] > Fraction(11, 100)
    assert Fraction(4, 100) < worst[(3, 3, 3)] < Fraction(5, 100)
    # From four questions rated by three, under 3 % on every scale, other questions or not.
    assert AGREEMENT_MIN_QUESTIONS == 4
    assert all(p < Fraction(3, 100) for sizes, p in worst.items() if len(sizes) >= 4)
    # Counting ratings instead would let three agreeing pairs outweigh a question eight
    # panelists rated: 1 in 8 random panels on a 2-point scale (the pairs all agree, and even
    # a 4-4 split of the eight has s^2 = 16/56 < 0.3).
    assert _chance_of_strong(2, (2, 2, 2, 8)) == Fraction(1, 8)


def test_why_alpha_needs_twenty_pairable_values() -> None:
    # Two panelists rating questions at random on 1-5: how often does alpha reach 0.667, the
    # lowest value Krippendorff accepts for tentative conclusions?
    rng = random.Random(667)

    def chance(questions: int) -> float:
        hits = runs = 0
        while runs < 2_000:
            units = {f"q{j}": {"A": rng.randint(1, 5), "B": rng.randint(1, 5)}
                     for j in range(questions)}
            alpha = krippendorff_alpha_ordinal(units, FIVE)
            if alpha is not None:
                runs += 1
                hits += alpha >= 0.667
        return hits / runs

    assert ALPHA_MIN_PAIRABLE == 20
    assert chance(5) > 0.04  # 10 pairable values: about 5.6 %
    assert chance(10) < 0.03  # 20 pairable values: about 1.3 %


# --------------------------------------------------------------------------- worked examples


def test_consensus_worked_example() -> None:
    # 3 raters x 2 questions, 5-point scale.
    #   A: q1=4 q2=5 -> 4.5    B: q1=4 q2=4 -> 4.0    C: q1=3 q2=4 -> 3.5
    # mean (4.5+4+3.5)/3 = 4.0, median 4.0, min 3.5, max 4.5, spread 1.0.
    # No rating <= 2, so no question is split; spread <= 1.
    # r*wg(J): q1 = (4,4,3): mean 11/3, SS = 1/9+1/9+4/9 = 2/3, s^2 = (2/3)/2 = 1/3
    #          q2 = (5,4,4): s^2 = 1/3 likewise;  mean s^2 = 1/3;  sigma^2 = 2
    #          r* = 1 - (1/3)/2 = 5/6 = 0.8333 > .50 -> consensus.
    # Only 2 questions: the figure is not judged (shown), though the rule uses it.
    result = category_consensus(
        "cat",
        ratings_for({"A": {"q1": 4, "q2": 5}, "B": {"q1": 4, "q2": 4}, "C": {"q1": 3, "q2": 4}}),
        FIVE,
    )
    assert dict(result.rater_scores) == {"A": 4.5, "B": 4.0, "C": 3.5}
    assert result.raters == 3
    assert result.mean == pytest.approx(4.0)
    assert result.median == pytest.approx(4.0)
    assert (result.minimum, result.maximum) == (3.5, 4.5)
    assert result.spread == pytest.approx(1.0)
    assert result.agreement == Agreement(
        value=pytest.approx(5 / 6), band=None, unjudged=Unjudged.FEW_RATINGS, raters=3,
        well_rated=2,
    )
    assert result.verdict is Verdict.CONSENSUS
    assert result.high == ("A", "B", "C")  # highest first
    assert result.low == ()
    assert result.middle == ()
    assert [(q.question_id, q.high, q.low) for q in result.questions] == [
        ("q1", ("A", "B"), ()),  # 4, 4 clearly high; C's 3 is not
        ("q2", ("A", "B", "C"), ()),  # A's 5 first, then B and C's 4s by id
    ]


def test_split_worked_example() -> None:
    # A: q1=2 q2=1 -> 1.5 (below 3)   B: q1=4 q2=5 -> 4.5 (above)   C: q1=3 q2=3 -> 3.0 (at 3)
    # mean 9/3 = 3.0, median 3.0, spread 3.0.
    # q1 (2,4,3): 4 >= 4 and 2 <= 2 -> split; q2 (1,5,3) likewise: 2 of 2 split -> split
    # (and the scores are 3 points apart, which alone makes it split too).
    # r*wg(J): q1 = (2,4,3): mean 3, SS = 1+1+0 = 2, s^2 = 1
    #          q2 = (1,5,3): mean 3, SS = 4+4+0 = 8, s^2 = 4;  mean s^2 = 2.5
    #          r* = 1 - 2.5/2 = -0.25
    result = category_consensus(
        "cat",
        ratings_for({"A": {"q1": 2, "q2": 1}, "B": {"q1": 4, "q2": 5}, "C": {"q1": 3, "q2": 3}}),
        FIVE,
    )
    assert result.mean == pytest.approx(3.0)
    assert result.median == pytest.approx(3.0)
    assert result.spread == pytest.approx(3.0)
    assert result.agreement.value == pytest.approx(-0.25)
    assert result.verdict is Verdict.SPLIT
    assert (result.high, result.low, result.middle) == (("B",), ("A",), ("C",))
    assert len(result.split_questions) == 2


def test_mixed_worked_example() -> None:
    # A: 3,3 -> 3.0 (at midpoint)   B: 5,4 -> 4.5   C: 4,4 -> 4.0
    # No rating <= 2: nothing split; spread 1.5: not split (< 2), not consensus (> 1) -> mixed.
    # mean 11.5/3 = 3.8333, median 4.0.
    # r*wg(J): q1 = (3,5,4): s^2 = 1;  q2 = (3,4,4): mean 11/3, SS = 4/9+1/9+1/9 = 2/3,
    #          s^2 = 1/3;  mean s^2 = 2/3;  r* = 1 - (2/3)/2 = 2/3 = 0.6667
    result = category_consensus(
        "cat",
        ratings_for({"A": {"q1": 3, "q2": 3}, "B": {"q1": 5, "q2": 4}, "C": {"q1": 4, "q2": 4}}),
        FIVE,
    )
    assert result.mean == pytest.approx(3.8333, abs=1e-4)
    assert result.median == pytest.approx(4.0)
    assert result.spread == pytest.approx(1.5)
    assert result.agreement.value == pytest.approx(2 / 3)
    assert result.verdict is Verdict.MIXED
    assert (result.high, result.low, result.middle) == (("B", "C"), (), ("A",))


def test_too_few_worked_example() -> None:
    # One rater: 4 and 5 -> 4.5. Statistics still shown; no question has two scores.
    result = category_consensus("cat", ratings_for({"A": {"q1": 4, "q2": 5}}), FIVE)
    assert result.raters == 1
    assert result.mean == result.median == result.minimum == result.maximum == 4.5
    assert result.spread == 0.0
    assert result.agreement == Agreement(None, None, Unjudged.FEW_RATERS, 1, 0)
    assert result.verdict is Verdict.TOO_FEW
    assert result.high == ("A",)
    assert result.shared_questions == 0


def test_rater_at_midpoint_does_not_break_consensus() -> None:
    # A: 3,3 -> 3.0 (exactly at the midpoint)   B: 4,4 -> 4.0; spread 1, nothing split.
    # r*wg(J): q1 = (3,4): s^2 = 0.5; q2 likewise; r* = 1 - 0.5/2 = 0.75 > .50 -> consensus.
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 3, "q2": 3}, "B": {"q1": 4, "q2": 4}}), FIVE
    )
    assert result.verdict is Verdict.CONSENSUS
    assert result.middle == ("A",)
    assert result.high == ("B",)
    assert result.agreement.value == pytest.approx(0.75)
    assert result.agreement.unjudged is Unjudged.FEW_RATERS


def test_sides_of_the_midpoint_without_a_margin_are_not_a_split() -> None:
    # A: 2,3 -> 2.5 (below 3)   B: 3,4 -> 3.5 (above 3): one a little below the midpoint, one a
    # little above. q1 (2,3) and q2 (3,4) each lack a clearly high or a clearly low rating;
    # spread 1.0. r* = 1 - 0.5/2 = 0.75 -> consensus. (The old rule called this "split": any
    # two averages on either side of the midpoint, however close.)
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 2, "q2": 3}, "B": {"q1": 3, "q2": 4}}), FIVE
    )
    assert result.spread == pytest.approx(1.0)
    assert result.verdict is Verdict.CONSENSUS
    assert (result.high, result.low) == (("B",), ("A",))  # the sides are still named
    assert result.split_questions == ()


def test_everyone_identical() -> None:
    # All 4s: spread 0, every question variance 0 -> r*wg(J) = 1; consensus.
    # Alpha: every pairable value is 4 -> expected disagreement 0 -> alpha is None (0/0).
    table = {rater: {f"q{i}": 4 for i in range(4)} for rater in "ABC"}
    result = category_consensus("cat", ratings_for(table), FIVE)
    assert result.spread == 0.0
    assert result.agreement == Agreement(1.0, AgreementBand.VERY_STRONG, None, 3, 4)
    assert result.verdict is Verdict.CONSENSUS
    panel = panel_consensus(ratings_for(table), FIVE, ["cat"], {}, KEYS)
    assert panel.alpha is None
    assert panel.alpha_pairable == 12
    assert panel.alpha_judged is False and panel.alpha_band is None


def test_all_not_assessed() -> None:
    # "Not assessed" is never a zero: a category with only None ratings has nobody in it.
    ratings = ratings_for({"A": {"q1": None}, "B": {"q1": None, "q2": None}}, category="cat")
    panel = panel_consensus(ratings, FIVE, ["cat", "unrated"], {}, KEYS)
    for category in panel.categories:
        assert category.raters == 0
        assert dict(category.rater_scores) == {}
        assert category.verdict is Verdict.TOO_FEW
        assert category.mean is category.median is category.spread is None
        assert category.agreement == Agreement(None, None, Unjudged.FEW_RATERS, 0, 0)
        assert category.high == category.low == category.middle == category.questions == ()
    assert [c.category_id for c in panel.categories] == ["cat", "unrated"]
    assert panel.alpha is None
    assert panel.alpha_pairable == 0
    assert panel.mechanical.score is None and panel.mechanical.recommendation is None


def test_not_assessed_is_not_a_zero() -> None:
    # A: q1=4, q2 not assessed -> 4.0 (not (4+0)/2 = 2.0).
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 4, "q2": None}, "B": {"q1": 4, "q2": 5}}), FIVE
    )
    assert result.rater_scores["A"] == 4.0
    assert result.rater_scores["B"] == 4.5
    assert [(q.question_id, q.raters) for q in result.questions] == [("q1", 2), ("q2", 1)]


# --------------------------------------------------------------------------- the rules' edges


@pytest.mark.parametrize(
    ("scale", "high_from", "low_to"),
    [
        (Scale(1, 2), 2, 1),  # no room for a 1-point margin: the two ends
        (Scale(0, 1), 1, 0),
        (Scale(1, 3), 3, 1),  # midpoint 2: 3 and 1
        (Scale(1, 4), 4, 1),  # midpoint 2.5: >= 3.5 and <= 1.5
        (FIVE, 4, 2),
        (Scale(1, 6), 5, 2),  # midpoint 3.5: >= 4.5 and <= 2.5
        (Scale(1, 7), 5, 3),
        (TEN, 7, 4),  # midpoint 5.5: >= 6.5 and <= 4.5
        (Scale(-2, 2), 1, -1),
        (Scale(-5, -1), -2, -4),  # midpoint -3
    ],
)
def test_clearly_high_and_low(scale: Scale, high_from: int, low_to: int) -> None:
    assert (scale.high_from, scale.low_to) == (high_from, low_to)
    if scale.points > 2:
        assert high_from == math.ceil(scale.midpoint + 1)
        assert low_to == math.floor(scale.midpoint - 1)


def test_two_point_scale_splits_on_any_disagreement() -> None:
    # Pass (1) / fail (0): midpoint 0.5, so "midpoint + 1" would be off the scale and nothing
    # could ever split. There the ends are clearly high and low: A 0,1 vs B 1,0 -> 2 of 2 split.
    result = category_consensus("cat", ratings_for(by_question([0, 1], [1, 0])), Scale(0, 1))
    assert result.verdict is Verdict.SPLIT
    assert len(result.split_questions) == 2


def test_equal_averages_apart_on_every_question_are_not_consensus() -> None:
    # Two panelists, 1 and 3 in turns on 1-5: averages 2.0 and 2.0, and no question holds a
    # clearly high rating, so nothing is split. r* per question: s^2 = (3-1)^2/2 = 2 ->
    # r* = 1 - 2/2 = 0, what random answers give: not a consensus -> mixed.
    result = category_consensus("cat", ratings_for(by_question([1, 3] * 2, [3, 1] * 2)), FIVE)
    assert result.split_questions == () and result.spread == 0.0
    assert result.agreement.value == 0.0
    assert result.verdict is Verdict.MIXED


def test_consensus_never_beside_no_agreement_on_a_ten_point_scale() -> None:
    # A: 5,10,5,10 -> 7.5   B: 10,5,10,5 -> 7.5   C: 7,8,7,8 -> 7.5   (1-10, clearly low <= 4)
    # No rating <= 4: nothing split; spread 0. The averages alone would say consensus.
    # r*wg(J): q0 (5,10,7): mean 22/3, SS = (49+64+1)/9 = 114/9, s^2 = 57/9 = 19/3;
    #          q1 (10,5,8): mean 23/3, SS = (49+64+1)/9, s^2 = 19/3 too; mean s^2 = 19/3;
    #          r* = 1 - (19/3)/(33/4) = 1 - 76/99 = 23/99 = 0.2323 -> none, and judged.
    result = category_consensus(
        "cat", ratings_for(by_question([5, 10] * 2, [10, 5] * 2, [7, 8] * 2)), TEN
    )
    assert result.split_questions == () and result.spread == 0.0
    assert result.agreement.value == pytest.approx(23 / 99)
    assert result.agreement.band is AgreementBand.NONE
    assert result.verdict is Verdict.MIXED


def test_ten_point_neighbours_across_the_midpoint_are_consensus() -> None:
    # A: 5 (below 5.5)   B: 6 (above)   C: 5,6 -> 5.5 exactly at the midpoint.
    # q1 (5,6,5): none >= 7 or <= 4: not split; spread 1.
    # r*wg(J): q1 s^2 = 1/3 (q2 has one score); r* = 1 - (1/3)/8.25 = 0.9596 -> consensus.
    # (The old rule called 5 against 6 "split", for lying on both sides of 5.5.)
    assert TEN.points == 10
    assert TEN.midpoint == 5.5
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 5}, "B": {"q1": 6}, "C": {"q1": 5, "q2": 6}}), TEN
    )
    assert (result.high, result.low, result.middle) == (("B",), ("A",), ("C",))
    assert result.agreement.value == pytest.approx(1 - 4 / 99)
    assert result.verdict is Verdict.CONSENSUS


def test_spread_of_exactly_two_is_split() -> None:
    # A: 6,6 -> 6.0   B: 8,8 -> 8.0; both above 5.5, no question split, but the category
    # scores are 2 points apart -> split ("2 points or more"; the old rule wanted more than 2).
    # r*wg(J): q1 = (6,8): s^2 = 2; q2 likewise; r* = 1 - 2/8.25 = 25/33 = 0.7576
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 6, "q2": 6}, "B": {"q1": 8, "q2": 8}}), TEN
    )
    assert result.spread == 2.0
    assert result.split_questions == ()
    assert result.verdict is Verdict.SPLIT
    assert result.agreement.value == pytest.approx(25 / 33)


def test_spread_just_under_two_is_mixed() -> None:
    # A: 6,6,6 -> 6.0   B: 8,8,7 -> 23/3 = 7.667: spread 5/3 < 2, over 1 -> mixed.
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 6, "q2": 6, "q3": 6}, "B": {"q1": 8, "q2": 8, "q3": 7}}),
        TEN,
    )
    assert result.spread == pytest.approx(5 / 3)
    assert result.verdict is Verdict.MIXED


def test_spread_two_and_a_half_is_split() -> None:
    # A: 6,6 -> 6.0   B: 8,9 -> 8.5; both above 5.5 but spread 2.5 >= 2 -> split.
    # r*wg(J): q1 = (6,8): s^2 = 2; q2 = (6,9): s^2 = 4.5; mean s^2 = 3.25
    #          r* = 1 - 3.25/8.25 = 20/33 = 0.6061
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 6, "q2": 6}, "B": {"q1": 8, "q2": 9}}), TEN
    )
    assert result.spread == 2.5
    assert result.verdict is Verdict.SPLIT
    assert result.high == ("B", "A")
    assert result.agreement.value == pytest.approx(20 / 33)


def test_one_split_question_alone_is_not_a_split_category() -> None:
    # 3 questions; q0 (1,4) is split, q1 and q2 agree: 1 of 3 is a third, but not 2 questions.
    # A: 1,4,4 -> 3.0   B: 4,4,4 -> 4.0: spread 1; a split question -> mixed.
    result = category_consensus("cat", ratings_for(by_question([1, 4, 4], [4, 4, 4])), FIVE)
    assert len(result.split_questions) == 1
    assert result.verdict is Verdict.MIXED


@pytest.mark.parametrize(
    ("split", "shared", "verdict"),
    [
        (2, 6, Verdict.SPLIT),  # 2 of 6 = a third
        (2, 7, Verdict.MIXED),  # 2 of 7 < a third
        (3, 9, Verdict.SPLIT),
        (3, 10, Verdict.MIXED),
        (2, 2, Verdict.SPLIT),
    ],
)
def test_a_third_of_the_shared_questions(split: int, shared: int, verdict: Verdict) -> None:
    # Split questions: A 1, B 5, C 3 (averages stay equal when they alternate); agreed: all 3.
    # Questions rated by A alone (never shared) do not count either way.
    a = [1, 5] * (split // 2) + [1] * (split % 2) + [3] * (shared - split)
    b = [5, 1] * (split // 2) + [5] * (split % 2) + [3] * (shared - split)
    c = [3] * shared
    table = by_question(a, b, c)
    table["A"].update({f"alone{i}": 3 for i in range(10)})
    result = category_consensus("cat", ratings_for(table), FIVE)
    assert result.spread is not None and result.spread < 2
    assert (len(result.split_questions), result.shared_questions) == (split, shared)
    assert result.verdict is verdict


def test_question_readings_name_who_is_on_which_side() -> None:
    # q0 on 1-5: A 5, B 1, C 2, D 4, E 3 -> clearly high A (5), D (4); clearly low B (1), C (2).
    table = by_question([5], [1], [2], [4], [3])
    result = category_consensus("cat", ratings_for(table), FIVE)
    (question,) = result.questions
    assert question.high == ("A", "D") and question.low == ("B", "C")
    assert question.split and question.shared and question.raters == 5
    assert dict(question.scores) == {"A": 5, "B": 1, "C": 2, "D": 4, "E": 3}
    # Category level: "2 of 5 rated high, 2 of 5 rated low".
    assert (len(result.high), len(result.low), len(result.middle), result.raters) == (2, 2, 1, 5)


# --------------------------------------------------------------------------- agreement


def test_rwg_star_j_direct() -> None:
    # q1 = (4,5): s^2 = 0.5; q2 has one score and is left out; r* = 1 - 0.5/2 = 0.75
    assert rwg_star_j({"q1": [4, 5], "q2": [3]}, FIVE) == pytest.approx(0.75)
    assert rwg_star_j({"q1": [4], "q2": [3]}, FIVE) is None
    assert rwg_star_j({}, FIVE) is None
    # Maximal disagreement on a 2-point scale: (1,2): s^2 = 0.5, sigma^2 = 3/12 -> 1 - 2 = -1.
    assert rwg_star_j({"q1": [1, 2]}, Scale(1, 2)) == -1.0
    with pytest.raises(ValueError):
        rwg_star_j({"q1": [4, 6]}, FIVE)


def test_rwg_star_does_not_grow_with_the_number_of_questions() -> None:
    # The same question repeated: r*wg(J) is the same for 1 question and for 40.
    one = rwg_star_j({"q": [2, 3, 4]}, FIVE)
    many = rwg_star_j({f"q{i}": [2, 3, 4] for i in range(40)}, FIVE)
    assert one == many == 0.5  # s^2 = 1; 1 - 1/2


def test_agreement_is_judged_from_four_questions_rated_by_three() -> None:
    def agreement(table: Mapping[str, Mapping[str, int | None]]) -> Agreement:
        return category_consensus("cat", ratings_for(table), FIVE).agreement

    assert agreement(by_question([4] * 10, [4] * 10)).unjudged is Unjudged.FEW_RATERS
    assert agreement(by_question([4] * 3, [4] * 3, [4] * 3)).unjudged is Unjudged.FEW_RATINGS
    judged = agreement(by_question([4] * 4, [4] * 4, [4] * 4))
    assert judged.judged and judged.band is AgreementBand.VERY_STRONG and judged.well_rated == 4
    # Four raters on four questions, but one question only two of them rated: 3 count.
    table = by_question([4] * 4, [4] * 4, [4] * 4, [4] * 4)
    table["C"]["q3"] = table["D"]["q3"] = None
    assert agreement(table).well_rated == 3
    assert agreement(table).unjudged is Unjudged.FEW_RATINGS


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (-1.5, AgreementBand.NONE),
        (0.0, AgreementBand.NONE),
        (0.30, AgreementBand.NONE),
        (0.30000000000000004, AgreementBand.NONE),  # float noise on the bound
        (0.305, AgreementBand.WEAK),
        (0.31, AgreementBand.WEAK),
        (0.50, AgreementBand.WEAK),
        (0.505, AgreementBand.MODERATE),
        (0.70, AgreementBand.MODERATE),
        (0.71, AgreementBand.STRONG),
        (0.90, AgreementBand.STRONG),
        (0.9000000001, AgreementBand.STRONG),
        (0.905, AgreementBand.VERY_STRONG),
        (1.0, AgreementBand.VERY_STRONG),
    ],
)
def test_agreement_band(value: float, band: AgreementBand) -> None:
    assert agreement_band(value) is band


def test_bands_reject_nan() -> None:
    with pytest.raises(ValueError):
        agreement_band(math.nan)
    with pytest.raises(ValueError):
        alpha_band(math.nan)


@pytest.mark.parametrize(
    ("alpha", "band"),
    [
        (-0.5, AlphaBand.UNRELIABLE),
        (0.666, AlphaBand.UNRELIABLE),
        (0.667, AlphaBand.TENTATIVE),
        (0.6669999999, AlphaBand.TENTATIVE),  # within the tolerance
        (0.799, AlphaBand.TENTATIVE),
        (0.8, AlphaBand.RELIABLE),
        (1.0, AlphaBand.RELIABLE),
    ],
)
def test_alpha_band(alpha: float, band: AlphaBand) -> None:
    assert alpha_band(alpha) is band


# --------------------------------------------------------------------------- the panel


def test_agenda_order() -> None:
    ratings = [
        # c1: 6.0 and 7.5 on TEN, nothing split, spread 1.5 -> mixed
        *ratings_for({"A": {"q": 6}, "B": {"q": 7, "r": 8}}, "c1"),
        # c2: one rater -> too few
        *ratings_for({"A": {"q": 9}}, "c2"),
        # c3: 5 and 6, spread 1 -> consensus (r* = 1 - 0.5/8.25 = 0.94)
        *ratings_for({"A": {"q": 5}, "B": {"q": 6}}, "c3"),
        # c4: 7 and 7.5, spread 0.5 -> consensus
        *ratings_for({"A": {"q": 7}, "B": {"q": 7, "r": 8}}, "c4"),
        # c5: 3 and 6: 3 is clearly low, 6 not clearly high: q not split; spread 3 -> split
        *ratings_for({"A": {"q": 3}, "B": {"q": 6}}, "c5"),
        # c6: 8 and 9.5, spread 1.5 -> mixed (ties with c1: c1 comes first)
        *ratings_for({"A": {"q": 8}, "B": {"q": 9, "r": 10}}, "c6"),
        # c7: 2 and 9: q split (1 of 1), spread 7 -> split, share 1
        *ratings_for({"A": {"q": 2}, "B": {"q": 9}}, "c7"),
        # c8: 4 and 7: q split, spread 3 -> split, share 1 (listed before c7 below)
        *ratings_for({"A": {"q": 4}, "B": {"q": 7}}, "c8"),
        # c9: A 8,5 -> 6.5   B 2,5 -> 3.5: q split (8 >= 7, 2 <= 4), r agreed: 1 of 2 split
        #     (share 1/2, but not 2 questions); spread 3 -> split
        *ratings_for({"A": {"q": 8, "r": 5}, "B": {"q": 2, "r": 5}}, "c9"),
    ]
    order = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c8", "c7", "c9"]  # c0 has no ratings
    panel = panel_consensus(ratings, TEN, order, {}, KEYS)
    assert [c.category_id for c in panel.categories] == order
    verdicts = {c.category_id: c.verdict for c in panel.categories}
    assert verdicts == {
        "c0": Verdict.TOO_FEW,
        "c1": Verdict.MIXED,
        "c2": Verdict.TOO_FEW,
        "c3": Verdict.CONSENSUS,
        "c4": Verdict.CONSENSUS,
        "c5": Verdict.SPLIT,
        "c6": Verdict.MIXED,
        "c7": Verdict.SPLIT,
        "c8": Verdict.SPLIT,
        "c9": Verdict.SPLIT,
    }
    assert [c.category_id for c in panel.agenda] == [
        "c7",  # split, every shared question split, spread 7
        "c8",  # split, every shared question split, spread 3
        "c9",  # split, half the shared questions split
        "c5",  # split on the spread alone (3), no split question
        "c1",  # mixed, spread 1.5, before c6 by category order
        "c6",  # mixed, spread 1.5
        "c3",  # consensus, spread 1
        "c4",  # consensus, spread 0.5
        "c0",  # too few, in category order
        "c2",
    ]


def test_mixed_categories_go_by_spread_then_split_questions() -> None:
    ratings = [
        # m1: A 2,4,4,4 -> 3.5   B 4,4,4,4 -> 4.0: spread 0.5; q0 (2,4) split, 1 of 4 -> mixed
        *ratings_for(by_question([2, 4, 4, 4], [4, 4, 4, 4]), "m1"),
        # m2: A 3.0, B 4.5: spread 1.5, nothing split -> mixed, first (wider)
        *ratings_for({"A": {"q0": 3, "q1": 3}, "B": {"q0": 5, "q1": 4}}, "m2"),
        # m3: A 4.0 B 4.5 C 3.0 -> spread 1.5 too, and q0 (4,5,2) split -> before m2
        *ratings_for({"A": {"q0": 4, "q1": 4}, "B": {"q0": 5, "q1": 4},
                      "C": {"q0": 2, "q1": 4}}, "m3"),
    ]
    panel = panel_consensus(ratings, FIVE, ["m1", "m2", "m3"], {}, KEYS)
    assert {c.verdict for c in panel.categories} == {Verdict.MIXED}
    assert [c.category_id for c in panel.agenda] == ["m3", "m2", "m1"]


def test_recommendation_tally_includes_zero_keys() -> None:
    recommendations = {"A": "hire", "B": "strong_hire", "C": "hire"}
    panel = panel_consensus([], FIVE, [], recommendations, KEYS)
    assert list(panel.recommendation_tally.items()) == [
        ("strong_no_hire", 0),
        ("no_hire", 0),
        ("hire", 2),
        ("strong_hire", 1),
    ]


def test_recommendation_outside_the_keys_is_still_counted() -> None:
    panel = panel_consensus([], FIVE, [], {"A": "hire", "B": "maybe"}, ["no_hire", "hire"])
    assert list(panel.recommendation_tally.items()) == [("no_hire", 0), ("hire", 1), ("maybe", 1)]


def test_unlisted_category_follows_the_given_order() -> None:
    ratings = ratings_for({"A": {"q": 4}}, "zeta") + ratings_for({"A": {"q": 4}}, "alpha")
    panel = panel_consensus(ratings, FIVE, ["listed"], {}, KEYS)
    assert [c.category_id for c in panel.categories] == ["listed", "alpha", "zeta"]


def test_panel_alpha_worked_example() -> None:
    # Units q1 = (4,4,3) and q2 = (5,4,4); n = 6 pairable values.
    # Coincidences (each unit has m = 3, so every ordered pair weighs 1/(m-1) = 1/2):
    #   q1: o_44 += 2*1/2 = 1, o_34 = o_43 += 1;  q2: o_44 += 1, o_45 = o_54 += 1
    #   marginals n_3 = 1, n_4 = 4, n_5 = 1
    # Ordinal d^2: (3,4) = (1+4 - (1+4)/2)^2 = 6.25, (4,5) = (4+1 - 2.5)^2 = 6.25,
    #              (3,5) = (1+4+1 - (1+1)/2)^2 = 25
    # sum o*d = 2*6.25 + 2*6.25 = 25;  sum n_c n_k d = 2*(4*6.25 + 4*6.25 + 1*25) = 150
    # alpha = 1 - (n-1) * 25/150 = 1 - 5/6 = 1/6 = 0.1667: high r* (0.83) but low alpha,
    # because all ratings sit in a narrow range. 6 < 20 pairable values: not judged.
    ratings = ratings_for(
        {"A": {"q1": 4, "q2": 5}, "B": {"q1": 4, "q2": 4}, "C": {"q1": 3, "q2": 4}}
    )
    panel = panel_consensus(ratings, FIVE, ["cat"], {}, KEYS)
    assert panel.alpha == pytest.approx(1 / 6)
    assert panel.alpha_pairable == 6
    assert panel.alpha_judged is False and panel.alpha_band is None


def test_alpha_two_raters_worked_example() -> None:
    # q1 = (1,1), q2 = (2,3), q3 = (3,3); m = 2 everywhere, so pairs weigh 1.
    #   o_11 = 2, o_23 = o_32 = 1, o_33 = 2;  n_1 = 2, n_2 = 1, n_3 = 3; n = 6
    # d^2: (1,2) = (3 - 1.5)^2 = 2.25, (2,3) = (4 - 2)^2 = 4, (1,3) = (6 - 2.5)^2 = 12.25
    # sum o*d = 2*4 = 8;  sum n_c n_k d = 2*(2*1*2.25 + 1*3*4 + 2*3*12.25) = 2*90 = 180
    # alpha = 1 - 5 * 8/180 = 7/9 = 0.7778
    units = {"q1": {"A": 1, "B": 1}, "q2": {"A": 2, "B": 3}, "q3": {"A": 3, "B": 3}}
    assert krippendorff_alpha_ordinal(units, FIVE) == pytest.approx(7 / 9)


def test_alpha_published_example() -> None:
    # Krippendorff (2011), section C: 4 observers, 12 units, missing data. The reference package
    # documents ordinal alpha = 0.815 for these data (nominal .743 in the paper).
    rows = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = {
        f"u{j}": {f"o{i}": row[j] for i, row in enumerate(rows) if row[j] is not None}
        for j in range(12)
    }
    assert round(krippendorff_alpha_ordinal(units, FIVE), 3) == 0.815


def test_alpha_none_and_the_judged_flag() -> None:
    assert krippendorff_alpha_ordinal({}, FIVE) is None
    assert krippendorff_alpha_ordinal({"q1": {"A": 3}, "q2": {"B": 4}}, FIVE) is None
    # 10 questions x 2 raters = 20 pairable values: judged.
    table = {
        "A": {f"q{i}": 1 + i % 5 for i in range(10)},
        "B": {f"q{i}": 1 + i % 5 for i in range(10)},
    }
    panel = panel_consensus(ratings_for(table), FIVE, ["cat"], {}, KEYS)
    assert panel.alpha == 1.0
    assert panel.alpha_pairable == 20
    assert panel.alpha_judged is True and panel.alpha_band is AlphaBand.RELIABLE
    # One question fewer: 18 values, computed but not judged.
    del table["A"]["q9"], table["B"]["q9"]
    panel = panel_consensus(ratings_for(table), FIVE, ["cat"], {}, KEYS)
    assert panel.alpha == 1.0 and panel.alpha_pairable == 18
    assert panel.alpha_judged is False and panel.alpha_band is None


def test_equal_question_ids_in_two_categories_are_separate_units() -> None:
    ratings = ratings_for({"A": {"q": 1}, "B": {"q": 1}}, "c1") + ratings_for(
        {"A": {"q": 5}, "B": {"q": 5}}, "c2"
    )
    panel = panel_consensus(ratings, FIVE, ["c1", "c2"], {}, KEYS)
    assert panel.alpha == 1.0  # two perfectly agreed units, not one unit of 1,1,5,5
    assert panel.alpha_pairable == 4


# --------------------------------------------------------------------------- recommendation


def _panel_with_means(means: Mapping[str, float], scale: Scale = FIVE) -> list[CategoryConsensus]:
    """One rater per category whose score is the given mean (a mean of two ratings)."""
    ratings = []
    for category, mean in means.items():
        low = math.floor(mean)
        high = low + (1 if mean != low else 0)
        ratings += [Rating("A", category, "q1", low), Rating("A", category, "q2", high)]
    panel = panel_consensus(ratings, scale, list(means), {}, KEYS)
    assert [c.mean for c in panel.categories] == list(means.values())
    return list(panel.categories)


def test_recommendation_keys_are_the_question_sets() -> None:
    assert [r.value for r in Recommendation] == list(RECOMMENDATION_KEYS)


def test_mechanical_recommendation_worked_example() -> None:
    # Category means 4.5 and 3.0, equal weights: (4.5 + 3.0) / 2 = 3.75, in (3, 4] -> hire.
    categories = _panel_with_means({"a": 4.5, "b": 3.0})
    result = mechanical_recommendation(categories, FIVE)
    assert result.score == 3.75
    assert result.recommendation is Recommendation.HIRE
    assert dict(result.weights) == {"a": 0.5, "b": 0.5}
    # Weights 3 and 1: (3 * 4.5 + 1 * 3.0) / 4 = 16.5 / 4 = 4.125 > 4 -> strong hire.
    weighted = mechanical_recommendation(categories, FIVE, {"a": 3, "b": 1})
    assert weighted.score == 4.125
    assert weighted.recommendation is Recommendation.STRONG_HIRE
    assert dict(weighted.weights) == {"a": 0.75, "b": 0.25}


@pytest.mark.parametrize(
    ("score", "recommendation"),
    [
        (1.0, Recommendation.STRONG_NO_HIRE),
        (1.5, Recommendation.STRONG_NO_HIRE),
        (2.0, Recommendation.NO_HIRE),  # a boundary goes to the milder side
        (2.5, Recommendation.NO_HIRE),
        (3.0, None),  # exactly the midpoint: no side
        (3.5, Recommendation.HIRE),
        (4.0, Recommendation.HIRE),
        (4.5, Recommendation.STRONG_HIRE),
        (5.0, Recommendation.STRONG_HIRE),
    ],
)
def test_mechanical_thresholds_on_five_points(
    score: float, recommendation: Recommendation | None
) -> None:
    result = mechanical_recommendation(_panel_with_means({"a": score}), FIVE)
    assert (result.score, result.recommendation) == (score, recommendation)


@pytest.mark.parametrize(
    ("scale", "means", "recommendation"),
    [
        # 1-10: midpoint 5.5, a quarter of the range 9/4 = 2.25: strong hire above 7.75.
        (TEN, {"a": 7.5}, Recommendation.HIRE),
        (TEN, {"a": 8.0}, Recommendation.STRONG_HIRE),
        (TEN, {"a": 3.5}, Recommendation.NO_HIRE),  # 3.25 and above
        (TEN, {"a": 3.0}, Recommendation.STRONG_NO_HIRE),  # below 3.25
        (TEN, {"a": 5.5}, None),
        (TEN, {"a": 5.0, "b": 6.0}, None),  # 5.5 exactly
        # 1-2: midpoint 1.5, quarter 0.25.
        (Scale(1, 2), {"a": 2.0}, Recommendation.STRONG_HIRE),
        (Scale(1, 2), {"a": 1.5, "b": 2.0}, Recommendation.HIRE),  # 1.75: the boundary
        (Scale(1, 2), {"a": 1.0}, Recommendation.STRONG_NO_HIRE),
    ],
)
def test_mechanical_thresholds_on_other_scales(
    scale: Scale, means: dict[str, float], recommendation: Recommendation | None
) -> None:
    assert mechanical_recommendation(_panel_with_means(means, scale), scale).recommendation \
        is recommendation


def test_mechanical_recommendation_skips_unrated_and_zero_weight_categories() -> None:
    categories = _panel_with_means({"a": 4.5, "b": 1.0})
    unrated = panel_consensus([], FIVE, ["c"], {}, KEYS).categories[0]
    result = mechanical_recommendation([*categories, unrated], FIVE, {"b": 0})
    assert result.score == 4.5 and dict(result.weights) == {"a": 1.0}
    assert result.recommendation is Recommendation.STRONG_HIRE
    nothing = mechanical_recommendation([unrated], FIVE)
    assert (nothing.score, nothing.recommendation, dict(nothing.weights)) == (None, None, {})
    # Weights reach panel_consensus too.
    ratings = ratings_for({"A": {"q": 5}}, "a") + ratings_for({"A": {"q": 1}}, "b")
    panel = panel_consensus(ratings, FIVE, ["a", "b"], {}, KEYS, weights={"a": 1, "b": 3})
    assert panel.mechanical.score == 2.0  # (5 + 3 * 1) / 4


def test_bad_weights_are_refused() -> None:
    categories = _panel_with_means({"a": 4.0})
    with pytest.raises(ValueError, match="not a category"):
        mechanical_recommendation(categories, FIVE, {"nope": 1})
    for weight in (-1, math.nan, math.inf):
        with pytest.raises(ValueError, match="0 or more"):
            mechanical_recommendation(categories, FIVE, {"a": weight})
    with pytest.raises(TypeError):
        mechanical_recommendation(categories, FIVE, {"a": True})


# --------------------------------------------------------------------------- speaking order


def test_speaking_order_worked_example() -> None:
    # c1: A 5, B 4, C 3, L 4 -> mean 4: distances A 1, B 0, C 1, L 0
    # c2: A 5, B 4, C 4, L 3 -> mean 4: distances A 1, B 0, C 0, L 1
    # c3: only A rated it: nothing to compare, left out.
    # Mean distance: A 1, B 0, C 0.5, L 0.5. D has no scorecard: nothing to compare.
    # Order: A (1), C (0.5), B (0), D (nothing), and the hiring lead L last.
    ratings = [
        *ratings_for({"A": {"q": 5}, "B": {"q": 4}, "C": {"q": 3}, "L": {"q": 4}}, "c1"),
        *ratings_for({"A": {"q": 5}, "B": {"q": 4}, "C": {"q": 4}, "L": {"q": 3}}, "c2"),
        *ratings_for({"A": {"q": 1}}, "c3"),
    ]
    panel = panel_consensus(ratings, FIVE, ["c1", "c2", "c3"], {}, KEYS)
    order = speaking_order(panel.categories, ["L", "A", "B", "C", "D"], lead="L")
    assert [(s.rater, s.distance, s.lead) for s in order] == [
        ("A", 1.0, False),
        ("C", 0.5, False),
        ("B", 0.0, False),
        ("D", None, False),
        ("L", 0.5, True),
    ]


def test_speaking_order_ties_keep_the_panel_order() -> None:
    ratings = ratings_for({"A": {"q": 5}, "B": {"q": 1}, "C": {"q": 3}})
    categories = panel_consensus(ratings, FIVE, ["cat"], {}, KEYS).categories
    assert [s.rater for s in speaking_order(categories, ["B", "C", "A"])] == ["B", "A", "C"]
    assert [s.rater for s in speaking_order(categories, ["A", "B", "C"], lead="X")] == [
        "A", "B", "C"]  # a lead not on the panel is not listed
    with pytest.raises(ValueError):
        speaking_order(categories, ["A", "A"])


# --------------------------------------------------------------------------- bad input


def test_scale_validation() -> None:
    assert Scale(1, 5).points == 5
    assert Scale(0, 1).midpoint == 0.5
    with pytest.raises(ValueError):
        Scale(1, 1)
    with pytest.raises(ValueError):
        Scale(1, 11)
    with pytest.raises(ValueError):
        Scale(5, 1)
    with pytest.raises(TypeError):
        Scale(1.0, 5)  # type: ignore[arg-type]


def test_off_scale_score_is_refused() -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        category_consensus("cat", [Rating("A", "cat", "q", 6)], FIVE)
    with pytest.raises(ValueError):
        krippendorff_alpha_ordinal({"q": {"A": 0, "B": 1}}, FIVE)


def test_duplicate_score_is_refused() -> None:
    ratings = [Rating("A", "cat", "q", 4), Rating("A", "cat", "q", 5)]
    with pytest.raises(ValueError, match="two scores"):
        panel_consensus(ratings, FIVE, ["cat"], {}, KEYS)


# --------------------------------------------------------------------------- properties


@st.composite
def category_inputs(draw: st.DrawFn) -> tuple[Scale, list[Rating]]:
    """A scale of 2-10 points and a category's ratings, some not assessed."""
    minimum = draw(st.integers(-2, 3))
    scale = Scale(minimum, minimum + draw(st.integers(2, 10)) - 1)
    raters = draw(st.lists(st.text("abcdef", min_size=1, max_size=3), unique=True, max_size=6))
    questions = [f"q{i}" for i in range(draw(st.integers(1, 4)))]
    score = st.none() | st.integers(scale.minimum, scale.maximum)
    ratings = [Rating(r, "cat", q, draw(score)) for r in raters for q in questions]
    return scale, ratings


PROPERTIES = settings(max_examples=200, deadline=None)


@PROPERTIES
@given(category_inputs())
def test_statistics_are_consistent(data: tuple[Scale, list[Rating]]) -> None:
    """Sides, agreement and verdicts hang together, whatever the ratings and the scale."""
    scale, ratings = data
    result = category_consensus("cat", ratings, scale)
    agreement = result.agreement
    assert result.raters == len(result.rater_scores) == agreement.raters
    assert (result.verdict is Verdict.TOO_FEW) == (result.raters < 2)
    assert set(result.high) | set(result.low) | set(result.middle) == set(result.rater_scores)
    assert len(result.high) + len(result.low) + len(result.middle) == result.raters
    assert (agreement.band is None) == (agreement.unjudged is not None)
    if agreement.band is not None:
        assert agreement.value is not None and agreement.band is agreement_band(agreement.value)
        assert result.raters >= 3 and agreement.well_rated >= AGREEMENT_MIN_QUESTIONS
    if result.raters == 0:
        assert result.mean is result.spread is agreement.value is None
        return
    assert result.minimum <= result.mean <= result.maximum
    assert result.minimum <= result.median <= result.maximum
    assert result.spread >= 0
    assert scale.minimum <= result.minimum and result.maximum <= scale.maximum
    if agreement.value is not None:
        assert agreement.value <= 1.0
    for question in result.questions:
        assert set(question.high).isdisjoint(question.low)
        assert all(question.scores[r] >= scale.high_from for r in question.high)
        assert all(question.scores[r] <= scale.low_to for r in question.low)
    # The category path and rwg_star_j agree on every scale.
    items = {q: list(scores.values()) for q, scores in result.question_scores.items()}
    assert agreement.value == rwg_star_j(items, scale)
    # Consensus never stands beside no or weak agreement; split has its reasons.
    if result.verdict is Verdict.CONSENSUS:
        assert result.split_questions == ()
        assert result.spread <= 1
        assert agreement.value is None or agreement.value > 0.5
        assert agreement.band not in {AgreementBand.NONE, AgreementBand.WEAK}
    if result.verdict is Verdict.SPLIT:
        assert len(result.split_questions) >= 2 or result.spread >= 2


@PROPERTIES
@given(category_inputs(), st.randoms(use_true_random=False))
def test_reordering_the_input_changes_nothing(
    data: tuple[Scale, list[Rating]], rng: random.Random
) -> None:
    scale, ratings = data
    shuffled = list(ratings)
    rng.shuffle(shuffled)
    assert category_consensus("cat", shuffled, scale) == category_consensus("cat", ratings, scale)
    panel = panel_consensus(ratings, scale, ["cat"], {}, KEYS)
    assert panel_consensus(shuffled, scale, ["cat"], {}, KEYS) == panel


@PROPERTIES
@given(category_inputs())
def test_renaming_raters_changes_nothing(data: tuple[Scale, list[Rating]]) -> None:
    scale, ratings = data
    rename = {r.rater: f"z{r.rater[::-1]}!" for r in ratings}
    renamed = [Rating(rename[r.rater], r.category_id, r.question_id, r.score) for r in ratings]
    before = category_consensus("cat", ratings, scale)
    after = category_consensus("cat", renamed, scale)
    assert _figures(after) == _figures(before)
    assert dict(after.rater_scores) == {rename[r]: s for r, s in before.rater_scores.items()}
    for side in ("high", "low", "middle"):
        assert set(getattr(after, side)) == {rename[r] for r in getattr(before, side)}
        # The order within a side goes by score; only ties may be re-ordered by the new names.
        assert [after.rater_scores[r] for r in getattr(after, side)] == [
            before.rater_scores[r] for r in getattr(before, side)
        ]
    alpha_before = panel_consensus(ratings, scale, ["cat"], {}, KEYS).alpha
    assert panel_consensus(renamed, scale, ["cat"], {}, KEYS).alpha == alpha_before


def _figures(result: CategoryConsensus) -> tuple[object, ...]:
    return (
        result.raters,
        result.mean,
        result.median,
        result.minimum,
        result.maximum,
        result.spread,
        result.agreement,
        result.verdict,
        [(q.question_id, q.raters, len(q.high), len(q.low)) for q in result.questions],
    )


@PROPERTIES
@given(
    category_inputs(),
    st.sampled_from(["a", "new rater"]),
    st.sampled_from(["q0", "new question"]),
)
def test_adding_not_assessed_changes_nothing(
    data: tuple[Scale, list[Rating]], rater: str, question: str
) -> None:
    scale, ratings = data
    extra = [*ratings, Rating(rater, "cat", question, None)]
    assert category_consensus("cat", extra, scale) == category_consensus("cat", ratings, scale)
    before = panel_consensus(ratings, scale, ["cat"], {}, KEYS)
    assert panel_consensus(extra, scale, ["cat"], {}, KEYS) == before


@PROPERTIES
@given(category_inputs())
def test_panel_matches_category_consensus(data: tuple[Scale, list[Rating]]) -> None:
    scale, ratings = data
    panel = panel_consensus(ratings, scale, ["cat"], {}, KEYS)
    assert panel.categories == (category_consensus("cat", ratings, scale),)
    assert panel.alpha_judged == (panel.alpha is not None and panel.alpha_pairable >= 20)


# --------------------------------------------------------------------------- alpha reference


def _reference_alpha(matrix: np.ndarray, points: int) -> float | None:
    """The krippendorff package's ordinal alpha, with its 'cannot compute' cases as None."""
    try:
        value = krippendorff.alpha(
            reliability_data=matrix,
            level_of_measurement="ordinal",
            value_domain=list(range(1, points + 1)),
        )
    except ValueError:  # no unit with two coders
        return None
    return None if math.isnan(value) else float(value)


def _random_panel(
    rng: np.random.Generator, raters: int, questions: int, points: int, missing: float
) -> np.ndarray:
    """Raters x questions scores with NaN for missing; half the panels share a true score."""
    if rng.random() < 0.5:
        data = rng.integers(1, points + 1, size=(raters, questions)).astype(float)
    else:
        truth = rng.integers(1, points + 1, size=questions)
        noise = rng.integers(-1, 2, size=(raters, questions))
        data = np.clip(truth + noise, 1, points).astype(float)
    data[rng.random(size=data.shape) < missing] = np.nan
    return data


SHAPES = [
    (2, 5, 5),
    (2, 40, 7),
    (3, 12, 5),
    (4, 30, 7),
    (5, 60, 5),
    (8, 100, 7),
    (12, 150, 5),
    (12, 150, 7),
    (6, 5, 7),
    (10, 20, 5),
]


@pytest.mark.parametrize(("raters", "questions", "points"), SHAPES)
def test_alpha_matches_reference_package(raters: int, questions: int, points: int) -> None:
    rng = np.random.default_rng(20240611 + raters * 1000 + questions * 10 + points)
    scale = Scale(1, points)
    for missing in (0.0, 0.2, 0.5, 0.8):
        matrix = _random_panel(rng, raters, questions, points, missing)
        units = {
            f"q{j}": {
                f"r{i}": int(matrix[i, j]) for i in range(raters) if not np.isnan(matrix[i, j])
            }
            for j in range(questions)
        }
        expected = _reference_alpha(matrix, points)
        actual = krippendorff_alpha_ordinal(units, scale)
        if expected is None:
            assert actual is None
        else:
            assert actual == pytest.approx(expected, abs=1e-9)


def test_panel_alpha_matches_reference_package() -> None:
    # Several categories at once: the panel's alpha pools every question of every category.
    rng = np.random.default_rng(7)
    matrix = _random_panel(rng, 5, 24, 5, 0.3)
    ratings = [
        Rating(f"r{i}", f"c{j % 4}", f"q{j}", None if np.isnan(matrix[i, j]) else int(matrix[i, j]))
        for i in range(5)
        for j in range(24)
    ]
    panel = panel_consensus(ratings, FIVE, ["c0", "c1", "c2", "c3"], {}, KEYS)
    assert panel.alpha == pytest.approx(_reference_alpha(matrix, 5), abs=1e-9)
    assert panel.alpha_pairable == sum(
        int(count) for count in (~np.isnan(matrix)).sum(axis=0) if count >= 2
    )


# --------------------------------------------------------------------------- exact reference
# The rules restated in the plainest code, every figure summed in Fraction values, one per
# rating: the module works on integer counts over common denominators for speed; this checks
# the two never drift apart.


def _fraction_rwg_star(item_scores: list[list[int]], points: int) -> Fraction | None:
    variances = [
        Fraction(len(s) * sum(x * x for x in s) - sum(s) ** 2, len(s) * (len(s) - 1))
        for s in item_scores
        if len(s) >= 2
    ]
    if not variances:
        return None
    return 1 - sum(variances, Fraction(0)) / len(variances) / Fraction(points**2 - 1, 12)


def _fraction_alpha(units: list[list[int]], scale: Scale) -> tuple[Fraction | None, int]:
    pairable = [Counter(unit) for unit in units if len(unit) >= 2]
    marginals = [sum(c[v] for c in pairable) for v in range(scale.minimum, scale.maximum + 1)]
    n = sum(marginals)
    if n == 0:
        return None, 0

    def d2(c: int, k: int) -> Fraction:  # ordinal metric, on scale values
        c, k = sorted((c - scale.minimum, k - scale.minimum))
        return (sum(marginals[c : k + 1]) - Fraction(marginals[c] + marginals[k], 2)) ** 2

    observed = sum(
        (
            Fraction(sum(u[c] * u[k] * d2(c, k) for c in u for k in u), u.total() - 1)
            for u in pairable
        ),
        Fraction(0),
    )
    domain = range(scale.minimum, scale.maximum + 1)
    totals = dict(zip(domain, marginals, strict=True))
    expected = sum(totals[c] * totals[k] * d2(c, k) for c in domain for k in domain)
    if expected == 0:
        return None, n
    return 1 - (n - 1) * observed / expected, n


def _fraction_verdict(
    means: list[Fraction], items: list[list[int]], rwg: Fraction | None, scale: Scale
) -> Verdict:
    if len(means) < 2:
        return Verdict.TOO_FEW
    midpoint = Fraction(scale.minimum + scale.maximum, 2)
    margin = Fraction(1) if scale.points > 2 else Fraction(1, 2)
    shared = [s for s in items if len(s) >= 2]
    split = [
        s for s in shared
        if any(x >= midpoint + margin for x in s) and any(x <= midpoint - margin for x in s)
    ]
    spread = max(means) - min(means)
    if (len(split) >= 2 and 3 * len(split) >= len(shared)) or spread >= 2:
        return Verdict.SPLIT
    if not split and spread <= 1 and (rwg is None or rwg > Fraction(1, 2)):
        return Verdict.CONSENSUS
    return Verdict.MIXED


@st.composite
def panel_inputs(draw: st.DrawFn) -> tuple[Scale, list[Rating]]:
    """Up to 12 raters and 24 questions in 3 categories, on a 2- to 10-point scale."""
    minimum = draw(st.integers(-2, 3))
    scale = Scale(minimum, minimum + draw(st.integers(2, 10)) - 1)
    raters = [f"r{i}" for i in range(draw(st.integers(0, 12)))]
    questions = [(f"c{j % 3}", f"q{j}") for j in range(draw(st.integers(1, 24)))]
    score = st.none() | st.integers(scale.minimum, scale.maximum)
    ratings = [Rating(r, c, q, draw(score)) for r in raters for c, q in questions]
    return scale, ratings


@PROPERTIES
@given(panel_inputs())
def test_matches_exact_fraction_reference(data: tuple[Scale, list[Rating]]) -> None:
    scale, ratings = data
    panel = panel_consensus(ratings, scale, ["c0", "c1", "c2"], {}, KEYS)
    scored = [r for r in ratings if r.score is not None]
    units: dict[str, dict[str, int]] = {}
    for r in scored:
        units.setdefault(f"{r.category_id}/{r.question_id}", {})[r.rater] = r.score

    alpha, pairable = _fraction_alpha([list(u.values()) for u in units.values()], scale)
    assert panel.alpha_pairable == pairable
    for value in (panel.alpha, krippendorff_alpha_ordinal(units, scale)):
        assert value == (None if alpha is None else pytest.approx(float(alpha), abs=1e-12))

    weighted: list[tuple[Fraction, Fraction]] = []
    for category in panel.categories:
        prefix = f"{category.category_id}/"
        items = {q: list(u.values()) for q, u in units.items() if q.startswith(prefix)}
        rwg = _fraction_rwg_star(list(items.values()), scale.points)
        assert rwg_star_j(items, scale) == category.agreement.value
        assert category.agreement.value == (
            None if rwg is None else pytest.approx(float(rwg), abs=1e-12)
        )

        mine = [r for r in scored if r.category_id == category.category_id]
        means = {
            rater: Fraction(sum(r.score for r in mine if r.rater == rater), n)
            for rater, n in Counter(r.rater for r in mine).items()
        }
        assert dict(category.rater_scores) == {r: float(m) for r, m in means.items()}
        verdict = _fraction_verdict(list(means.values()), list(items.values()), rwg, scale)
        assert category.verdict is verdict
        if means:
            mean = sum(means.values()) / len(means)
            spread = max(means.values()) - min(means.values())
            assert category.mean == pytest.approx(float(mean), abs=1e-12)
            assert category.spread == pytest.approx(float(spread), abs=1e-12)
            weighted.append((mean, Fraction(1)))

    mechanical = panel.mechanical
    if not weighted:
        assert mechanical.score is None and mechanical.recommendation is None
        return
    score = sum(m for m, _ in weighted) / len(weighted)
    assert mechanical.score == pytest.approx(float(score), abs=1e-12)
    offset = score - Fraction(scale.minimum + scale.maximum, 2)
    quarter = Fraction(scale.maximum - scale.minimum, 4)
    expected = (
        None if offset == 0
        else Recommendation.STRONG_HIRE if offset > quarter
        else Recommendation.HIRE if offset > 0
        else Recommendation.STRONG_NO_HIRE if offset < -quarter
        else Recommendation.NO_HIRE
    )
    assert mechanical.recommendation is expected
