"""Estimate, talk, estimate: the panel as it stood when the debrief started ("before") and
as it stands now ("after"), each read with the same rules (bot/core/consensus.py), and why
panelists moved a category 2 points or more (bot/independence.py has which version is
which)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.core import consensus
from bot.core.question_sets import RECOMMENDATION_KEYS, QuestionSet
from bot.independence import PanelHistory, Side
from bot.interviews import Ratings
from models import Interview


@dataclass(frozen=True)
class BeforeAfter:
    """The panel before and after the discussion. Rater keys are those of the summary's
    consensus (a user id; `user@round` in a debrief covering several rounds)."""

    before: consensus.PanelConsensus
    after: consensus.PanelConsensus
    rerated: tuple[str, ...]  # who saved their scorecard after the debrief started
    reasons: Mapping[tuple[str, str], str]  # (rater, category id) -> why it moved
    category_names: Mapping[str, str]  # every category, in the summary's order
    recommendation_labels: Mapping[str, str]  # recommendation key -> the set's word

    def category(self, category_id: str) -> tuple[consensus.CategoryConsensus,
                                                  consensus.CategoryConsensus]:
        before = next(c for c in self.before.categories if c.category_id == category_id)
        after = next(c for c in self.after.categories if c.category_id == category_id)
        return before, after

    def moved(self, category_id: str) -> bool:
        """Its verdict, or someone's category score, is not what it was."""
        before, after = self.category(category_id)
        return before.verdict is not after.verdict or dict(before.rater_scores) != dict(
            after.rater_scores)


# One round of the debrief: the round, its set, its scorecards, and how its raters are keyed.
RoundHistory = tuple[Interview, QuestionSet, PanelHistory, Callable[[str], str]]
CountedRatings = Callable[[Interview, QuestionSet, Mapping[int, Ratings]],
                          list[consensus.Rating]]


def before_after(rounds: Sequence[RoundHistory], qs: QuestionSet, order: Sequence[str],
                 names: Mapping[str, str], counted: CountedRatings) -> BeforeAfter | None:
    """The panel before and after the discussion, once the debrief has started (None
    before). `counted` picks the ratings a round's summary counts (debrief.service
    `consensus_ratings`)."""
    if not any(history.started_at is not None for _, _, history, _ in rounds):
        return None
    sides = {}
    for side in (Side.BEFORE, Side.AFTER):
        ratings: list[consensus.Rating] = []
        recommendations: dict[str, str] = {}
        for interview, qs, history, key in rounds:
            ratings += [replace(r, rater=key(r.rater))
                        for r in counted(interview, qs, history.ratings(side))]
            recommendations.update({key(user_id): recommendation for user_id, recommendation
                                    in history.recommendations(side).items()})
        sides[side] = consensus.panel_consensus(
            ratings, consensus.Scale(minimum=qs.scale_min, maximum=qs.scale_max), order,
            recommendations, RECOMMENDATION_KEYS)
    rerated = tuple(key(seat.user_id) for _, _, history, key in rounds
                    for seat in history.seats.values() if seat.rerated)
    reasons = {(key(seat.user_id), category_id): text
               for _, _, history, key in rounds for seat in history.seats.values()
               if seat.rerated for category_id, text in seat.current.shift_reasons.items()}
    return BeforeAfter(before=sides[Side.BEFORE], after=sides[Side.AFTER], rerated=rerated,
                       reasons=reasons,
                       category_names={c.category_id: names.get(c.category_id, c.category_id)
                                       for c in sides[Side.AFTER].categories},
                       recommendation_labels={key: qs.recommendation.label(key)
                                              for key in RECOMMENDATION_KEYS})
