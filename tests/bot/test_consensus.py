"""bot.core.consensus: hand-worked examples, edge cases, properties, and a reference check.

The worked examples show their arithmetic in comments so a reviewer can redo it on paper. The
``krippendorff`` package (and numpy) are used here only, as an independent reference for alpha.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.consensus import (
    AgreementBand,
    CategoryConsensus,
    Rating,
    Scale,
    Verdict,
    agreement_band,
    category_consensus,
    krippendorff_alpha_ordinal,
    panel_consensus,
    rwg_j,
)

FIVE = Scale(1, 5)  # A = 5, midpoint 3, sigma^2_EU = (25 - 1) / 12 = 2
TEN = Scale(1, 10)  # A = 10, midpoint 5.5, sigma^2_EU = (100 - 1) / 12 = 8.25
KEYS = ("strong_no_hire", "no_hire", "hire", "strong_hire")


def ratings_for(
    table: Mapping[str, Mapping[str, int | None]], category: str = "cat"
) -> list[Rating]:
    """``{rater: {question: score}}`` -> Rating rows in one category."""
    return [
        Rating(rater, category, question, score)
        for rater, scores in table.items()
        for question, score in scores.items()
    ]


# --------------------------------------------------------------------------- worked examples


def test_consensus_worked_example() -> None:
    # 3 raters x 2 questions, 5-point scale.
    #   A: q1=4 q2=5 -> 4.5    B: q1=4 q2=4 -> 4.0    C: q1=3 q2=4 -> 3.5
    # mean (4.5+4+3.5)/3 = 4.0, median 4.0, min 3.5, max 4.5, spread 1.0;
    # everyone above the midpoint 3 and spread <= 1 -> consensus.
    # r_wg(J): q1 = (4,4,3): mean 11/3, SS = 1/9+1/9+4/9 = 2/3, s^2 = (2/3)/2 = 1/3
    #          q2 = (5,4,4): s^2 = 1/3 likewise;  mean s^2 = 1/3;  sigma^2 = 2
    #          ratio = (1/3)/2 = 1/6;  J(1 - ratio) = 2 * 5/6 = 5/3
    #          r_wg(J) = (5/3) / (5/3 + 1/6) = 10/11 = 0.9091 -> very strong (> .90)
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
    assert result.rwg == pytest.approx(10 / 11)
    assert round(result.rwg, 4) == 0.9091
    assert result.band is AgreementBand.VERY_STRONG
    assert result.verdict is Verdict.CONSENSUS
    assert result.high == ("A", "B", "C")  # highest first
    assert result.low == ()
    assert result.middle == ()


def test_split_worked_example() -> None:
    # A: q1=2 q2=1 -> 1.5 (below 3)   B: q1=4 q2=5 -> 4.5 (above)   C: q1=3 q2=3 -> 3.0 (at 3)
    # mean 9/3 = 3.0, median 3.0, spread 3.0 -> split (both sides, and > 2 apart).
    # r_wg(J): q1 = (2,4,3): mean 3, SS = 1+1+0 = 2, s^2 = 1
    #          q2 = (1,5,3): mean 3, SS = 4+4+0 = 8, s^2 = 4;  mean s^2 = 2.5
    #          2.5 >= sigma^2 = 2 -> more disagreement than random -> truncated to 0 -> none
    result = category_consensus(
        "cat",
        ratings_for({"A": {"q1": 2, "q2": 1}, "B": {"q1": 4, "q2": 5}, "C": {"q1": 3, "q2": 3}}),
        FIVE,
    )
    assert result.mean == pytest.approx(3.0)
    assert result.median == pytest.approx(3.0)
    assert result.spread == pytest.approx(3.0)
    assert result.rwg == 0.0
    assert result.band is AgreementBand.NONE
    assert result.verdict is Verdict.SPLIT
    assert (result.high, result.low, result.middle) == (("B",), ("A",), ("C",))


def test_mixed_worked_example() -> None:
    # A: 3,3 -> 3.0 (at midpoint)   B: 5,4 -> 4.5   C: 4,4 -> 4.0
    # no one below 3, spread 1.5: not split (<= 2, one side), not consensus (> 1) -> mixed.
    # mean 11.5/3 = 3.8333, median 4.0.
    # r_wg(J): q1 = (3,5,4): s^2 = 1;  q2 = (3,4,4): mean 11/3, SS = 4/9+1/9+1/9 = 2/3, s^2 = 1/3
    #          mean s^2 = (1 + 1/3)/2 = 2/3;  ratio = (2/3)/2 = 1/3;  J(1 - ratio) = 4/3
    #          r_wg(J) = (4/3) / (4/3 + 1/3) = 4/5 = 0.8000 -> strong
    result = category_consensus(
        "cat",
        ratings_for({"A": {"q1": 3, "q2": 3}, "B": {"q1": 5, "q2": 4}, "C": {"q1": 4, "q2": 4}}),
        FIVE,
    )
    assert result.mean == pytest.approx(3.8333, abs=1e-4)
    assert result.median == pytest.approx(4.0)
    assert result.spread == pytest.approx(1.5)
    assert result.rwg == pytest.approx(0.8)
    assert result.band is AgreementBand.STRONG
    assert result.verdict is Verdict.MIXED
    assert (result.high, result.low, result.middle) == (("B", "C"), (), ("A",))


def test_too_few_worked_example() -> None:
    # One rater: 4 and 5 -> 4.5. Statistics still shown; no question has two scores -> no r_wg.
    result = category_consensus("cat", ratings_for({"A": {"q1": 4, "q2": 5}}), FIVE)
    assert result.raters == 1
    assert result.mean == result.median == result.minimum == result.maximum == 4.5
    assert result.spread == 0.0
    assert result.rwg is None
    assert result.band is None
    assert result.verdict is Verdict.TOO_FEW
    assert result.high == ("A",)


def test_rater_at_midpoint_does_not_break_consensus() -> None:
    # A: 3,3 -> 3.0 (exactly at the midpoint)   B: 4,4 -> 4.0; spread 1 -> consensus.
    # r_wg(J): q1 = (3,4): s^2 = 0.5; q2 likewise; ratio = 0.5/2 = 1/4; J(1 - ratio) = 1.5
    #          r_wg(J) = 1.5 / (1.5 + 0.25) = 6/7 = 0.8571 -> strong
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 3, "q2": 3}, "B": {"q1": 4, "q2": 4}}), FIVE
    )
    assert result.verdict is Verdict.CONSENSUS
    assert result.middle == ("A",)
    assert result.high == ("B",)
    assert result.rwg == pytest.approx(6 / 7)
    assert round(result.rwg, 4) == 0.8571


def test_both_sides_is_split_even_with_small_spread() -> None:
    # A: 2,3 -> 2.5 (below 3)   B: 3,4 -> 3.5 (above 3); spread 1.0, but on both sides -> split.
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 2, "q2": 3}, "B": {"q1": 3, "q2": 4}}), FIVE
    )
    assert result.spread == pytest.approx(1.0)
    assert result.verdict is Verdict.SPLIT
    assert (result.high, result.low) == (("B",), ("A",))


def test_everyone_identical() -> None:
    # All 4s: spread 0, every item variance 0 -> r_wg(J) = J / J = 1; consensus.
    # Alpha: every pairable value is 4 -> expected disagreement 0 -> alpha is None (0/0).
    table = {rater: {"q1": 4, "q2": 4} for rater in "ABC"}
    result = category_consensus("cat", ratings_for(table), FIVE)
    assert result.spread == 0.0
    assert result.rwg == 1.0
    assert result.band is AgreementBand.VERY_STRONG
    assert result.verdict is Verdict.CONSENSUS
    panel = panel_consensus(ratings_for(table), FIVE, ["cat"], {}, KEYS)
    assert panel.alpha is None
    assert panel.alpha_pairable == 6
    assert panel.alpha_reliable is False


def test_all_not_assessed() -> None:
    # "Not assessed" is never a zero: a category with only None ratings has nobody in it.
    ratings = ratings_for({"A": {"q1": None}, "B": {"q1": None, "q2": None}}, category="cat")
    panel = panel_consensus(ratings, FIVE, ["cat", "unrated"], {}, KEYS)
    for category in panel.categories:
        assert category.raters == 0
        assert dict(category.rater_scores) == {}
        assert category.verdict is Verdict.TOO_FEW
        assert category.mean is category.median is category.spread is category.rwg is None
        assert category.band is None
        assert category.high == category.low == category.middle == ()
    assert [c.category_id for c in panel.categories] == ["cat", "unrated"]
    assert panel.alpha is None
    assert panel.alpha_pairable == 0


def test_not_assessed_is_not_a_zero() -> None:
    # A: q1=4, q2 not assessed -> 4.0 (not (4+0)/2 = 2.0).
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 4, "q2": None}, "B": {"q1": 4, "q2": 5}}), FIVE
    )
    assert result.rater_scores["A"] == 4.0
    assert result.rater_scores["B"] == 4.5


# --------------------------------------------------------------------------- ten-point scale


def test_ten_point_scale_midpoint() -> None:
    assert TEN.points == 10
    assert TEN.midpoint == 5.5
    # A: 5 -> below 5.5   B: 6 -> above   C: 5,6 -> 5.5 exactly at the midpoint.
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 5}, "B": {"q1": 6}, "C": {"q1": 5, "q2": 6}}), TEN
    )
    assert (result.high, result.low, result.middle) == (("B",), ("A",), ("C",))
    assert result.verdict is Verdict.SPLIT  # 5 and 6: both sides, spread 1


def test_spread_exactly_two_on_one_side_is_mixed() -> None:
    # A: 6,6 -> 6.0   B: 8,8 -> 8.0; both above 5.5, spread exactly 2 -> not split -> mixed.
    # r_wg(J): q1 = (6,8): s^2 = 2; q2 likewise; ratio = 2/8.25 = 8/33; J(1 - ratio) = 50/33
    #          r_wg(J) = (50/33) / (50/33 + 8/33) = 25/29 = 0.8621 -> strong
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 6, "q2": 6}, "B": {"q1": 8, "q2": 8}}), TEN
    )
    assert result.spread == 2.0
    assert result.verdict is Verdict.MIXED
    assert result.rwg == pytest.approx(25 / 29)
    assert round(result.rwg, 4) == 0.8621
    assert result.band is AgreementBand.STRONG


def test_spread_two_and_a_half_is_split() -> None:
    # A: 6,6 -> 6.0   B: 8,9 -> 8.5; both above 5.5 but spread 2.5 > 2 -> split.
    # r_wg(J): q1 = (6,8): s^2 = 2; q2 = (6,9): s^2 = 4.5; mean s^2 = 3.25 = 13/4
    #          ratio = 3.25/8.25 = 13/33; J(1 - ratio) = 40/33; r_wg(J) = 40/53 = 0.7547 -> strong
    result = category_consensus(
        "cat", ratings_for({"A": {"q1": 6, "q2": 6}, "B": {"q1": 8, "q2": 9}}), TEN
    )
    assert result.spread == 2.5
    assert result.verdict is Verdict.SPLIT
    assert result.high == ("B", "A")
    assert result.rwg == pytest.approx(40 / 53)
    assert round(result.rwg, 4) == 0.7547


def test_spread_exactly_two_across_the_midpoint_is_split() -> None:
    # A: 2 (below 3)   B: 4 (above): spread 2 is not "more than 2", but the sides differ.
    result = category_consensus("cat", ratings_for({"A": {"q1": 2}, "B": {"q1": 4}}), FIVE)
    assert result.verdict is Verdict.SPLIT


# --------------------------------------------------------------------------- r_wg and bands


def test_rwg_j_direct() -> None:
    # q1 = (4,5): s^2 = 0.5; q2 has one score -> not an item; J = 1
    # ratio = 0.5/2 = 1/4; r_wg(1) = (3/4) / (3/4 + 1/4) = 0.75 (= 1 - s^2/sigma^2 for J = 1)
    assert rwg_j({"q1": [4, 5], "q2": [3]}, FIVE) == pytest.approx(0.75)
    assert rwg_j({"q1": [4], "q2": [3]}, FIVE) is None
    assert rwg_j({}, FIVE) is None
    # Maximal disagreement on a 2-point scale: (1,2): s^2 = 0.5 >= sigma^2 = 3/12 -> 0.
    assert rwg_j({"q1": [1, 2]}, Scale(1, 2)) == 0.0
    with pytest.raises(ValueError):
        rwg_j({"q1": [4, 6]}, FIVE)


@pytest.mark.parametrize(
    ("rwg", "band"),
    [
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
def test_agreement_band(rwg: float, band: AgreementBand) -> None:
    assert agreement_band(rwg) is band


def test_agreement_band_rejects_nan() -> None:
    with pytest.raises(ValueError):
        agreement_band(math.nan)


# --------------------------------------------------------------------------- the panel


def test_agenda_order() -> None:
    ratings = [
        # c1: 6.0 and 7.5 on TEN (midpoint 5.5) -> one side, spread 1.5 -> mixed
        *ratings_for({"A": {"q": 6}, "B": {"q": 7, "r": 8}}, "c1"),
        # c2: one rater -> too few
        *ratings_for({"A": {"q": 9}}, "c2"),
        # c3: 5 and 6 -> both sides of 5.5, spread 1 -> split
        *ratings_for({"A": {"q": 5}, "B": {"q": 6}}, "c3"),
        # c4: 7 and 7.5 -> spread 0.5 -> consensus
        *ratings_for({"A": {"q": 7}, "B": {"q": 7, "r": 8}}, "c4"),
        # c5: 3 and 6 -> split, spread 3
        *ratings_for({"A": {"q": 3}, "B": {"q": 6}}, "c5"),
        # c6: 8 and 9.5 -> mixed, spread 1.5 (ties with c1: c1 comes first)
        *ratings_for({"A": {"q": 8}, "B": {"q": 9, "r": 10}}, "c6"),
        # c7: 2 and 9 -> split, spread 7 (listed after c8 in the order below)
        *ratings_for({"A": {"q": 2}, "B": {"q": 9}}, "c7"),
        # c8: 4 and 7 -> split, spread 3 (ties with c5)
        *ratings_for({"A": {"q": 4}, "B": {"q": 7}}, "c8"),
    ]
    order = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c8", "c7"]  # c0 has no ratings
    panel = panel_consensus(ratings, TEN, order, {}, KEYS)
    assert [c.category_id for c in panel.categories] == order
    verdicts = {c.category_id: c.verdict for c in panel.categories}
    assert verdicts == {
        "c0": Verdict.TOO_FEW,
        "c1": Verdict.MIXED,
        "c2": Verdict.TOO_FEW,
        "c3": Verdict.SPLIT,
        "c4": Verdict.CONSENSUS,
        "c5": Verdict.SPLIT,
        "c6": Verdict.MIXED,
        "c7": Verdict.SPLIT,
        "c8": Verdict.SPLIT,
    }
    assert [c.category_id for c in panel.agenda] == [
        "c7",  # split, spread 7
        "c5",  # split, spread 3, before c8 by category order
        "c8",  # split, spread 3
        "c3",  # split, spread 1
        "c1",  # mixed, spread 1.5, before c6 by category order
        "c6",  # mixed, spread 1.5
        "c4",  # consensus, spread 0.5
        "c0",  # too few, in category order
        "c2",
    ]


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
    # alpha = 1 - (n-1) * 25/150 = 1 - 5/6 = 1/6 = 0.1667: high r_wg (0.9091) but low alpha,
    # because all ratings sit in a narrow range. With 6 < 20 pairable values it is flagged.
    ratings = ratings_for(
        {"A": {"q1": 4, "q2": 5}, "B": {"q1": 4, "q2": 4}, "C": {"q1": 3, "q2": 4}}
    )
    panel = panel_consensus(ratings, FIVE, ["cat"], {}, KEYS)
    assert panel.alpha == pytest.approx(1 / 6)
    assert panel.alpha_pairable == 6
    assert panel.alpha_reliable is False


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


def test_alpha_none_and_reliability_flag() -> None:
    assert krippendorff_alpha_ordinal({}, FIVE) is None
    assert krippendorff_alpha_ordinal({"q1": {"A": 3}, "q2": {"B": 4}}, FIVE) is None
    # 10 questions x 2 raters = 20 pairable values: enough for no caveat.
    table = {
        "A": {f"q{i}": 1 + i % 5 for i in range(10)},
        "B": {f"q{i}": 1 + i % 5 for i in range(10)},
    }
    panel = panel_consensus(ratings_for(table), FIVE, ["cat"], {}, KEYS)
    assert panel.alpha == 1.0
    assert panel.alpha_pairable == 20
    assert panel.alpha_reliable is True


def test_equal_question_ids_in_two_categories_are_separate_units() -> None:
    ratings = ratings_for({"A": {"q": 1}, "B": {"q": 1}}, "c1") + ratings_for(
        {"A": {"q": 5}, "B": {"q": 5}}, "c2"
    )
    panel = panel_consensus(ratings, FIVE, ["c1", "c2"], {}, KEYS)
    assert panel.alpha == 1.0  # two perfectly agreed units, not one unit of 1,1,5,5
    assert panel.alpha_pairable == 4


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
    scale, ratings = data
    result = category_consensus("cat", ratings, scale)
    assert result.raters == len(result.rater_scores)
    assert (result.verdict is Verdict.TOO_FEW) == (result.raters < 2)
    assert set(result.high) | set(result.low) | set(result.middle) == set(result.rater_scores)
    assert len(result.high) + len(result.low) + len(result.middle) == result.raters
    if result.raters == 0:
        assert result.mean is result.spread is result.rwg is None
        return
    assert result.minimum <= result.mean <= result.maximum
    assert result.minimum <= result.median <= result.maximum
    assert result.spread >= 0
    assert scale.minimum <= result.minimum and result.maximum <= scale.maximum
    if result.rwg is not None:
        assert 0.0 <= result.rwg <= 1.0
        assert result.band is agreement_band(result.rwg)


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
        result.rwg,
        result.band,
        result.verdict,
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
    assert panel.alpha_reliable == (panel.alpha is not None and panel.alpha_pairable >= 20)


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
# The first version of bot.core.consensus, kept here as the specification: every figure summed in
# Fraction values, one per rating. The module now works on integer counts over common
# denominators for speed; this checks the two never drift apart.


def _fraction_rwg(item_scores: list[list[int]], points: int) -> Fraction | None:
    variances = [
        Fraction(len(s) * sum(x * x for x in s) - sum(s) ** 2, len(s) * (len(s) - 1))
        for s in item_scores
        if len(s) >= 2
    ]
    if not variances:
        return None
    ratio = sum(variances, Fraction(0)) / len(variances) / Fraction(points**2 - 1, 12)
    if ratio >= 1:
        return Fraction(0)
    agreement = len(variances) * (1 - ratio)
    return agreement / (agreement + ratio)


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


def _fraction_verdict(scores: list[Fraction], scale: Scale) -> Verdict:
    midpoint = Fraction(scale.minimum + scale.maximum, 2)
    if len(scores) < 2:
        return Verdict.TOO_FEW
    spread = max(scores) - min(scores)
    above = any(s - midpoint > 1e-9 for s in scores)
    below = any(midpoint - s > 1e-9 for s in scores)
    if (above and below) or spread - 2 > 1e-9:
        return Verdict.SPLIT
    return Verdict.CONSENSUS if spread - 1 <= 1e-9 else Verdict.MIXED


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

    for category in panel.categories:
        prefix = f"{category.category_id}/"
        items = {q: list(u.values()) for q, u in units.items() if q.startswith(prefix)}
        rwg = _fraction_rwg(list(items.values()), scale.points)
        assert rwg_j(items, scale) == category.rwg
        assert category.rwg == (None if rwg is None else pytest.approx(float(rwg), abs=1e-12))
        assert category.band is (None if rwg is None else agreement_band(float(rwg)))

        mine = [r for r in scored if r.category_id == category.category_id]
        means = {
            rater: Fraction(sum(r.score for r in mine if r.rater == rater), n)
            for rater, n in Counter(r.rater for r in mine).items()
        }
        assert dict(category.rater_scores) == {r: float(m) for r, m in means.items()}
        assert category.verdict is _fraction_verdict(list(means.values()), scale)
        if means:
            mean = sum(means.values()) / len(means)
            spread = max(means.values()) - min(means.values())
            assert category.mean == pytest.approx(float(mean), abs=1e-12)
            assert category.spread == pytest.approx(float(spread), abs=1e-12)
