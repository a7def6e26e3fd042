"""What an organiser on the panel is asked when they start the debrief before their own
scorecard is in: score first (the primary button), or start anyway.

Asked, not refused: the debrief is a meeting others are waiting for, an organiser may sit
in without scoring, and the scheduled post at debrief time would put the summary out
anyway. What they are told is what it costs: their scorecard, saved after they could see
the panel's, is marked and left out of the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.slack.blocks import Message, actions, section, to_dicts
from bot.slack.buttons import score_candidate_button, start_debrief_anyway_button

if TYPE_CHECKING:
    from bot.debrief.service import DebriefTarget


def own_scorecard_missing_message(t: Translator, target: DebriefTarget) -> Message:
    """The warning, with "Score candidate" (for the round their scorecard is missing in)
    and "Start debrief anyway"."""
    assert target.own_scorecard_missing is not None
    text = t._("Your own scorecard for interview {id} is not in yet. Once the summary is "
               "posted you will see the panel's ratings, and a scorecard you save after that "
               "is marked “changed after seeing the panel” and left out of the figures. "
               "Score first, or start the debrief anyway?", id=target.own_scorecard_missing)
    blocks = [section(text),
              actions(score_candidate_button(t, target.own_scorecard_missing),
                      start_debrief_anyway_button(t, target.interview_id),
                      block_id="own_scorecard_missing")]
    return Message(text=text, blocks=to_dicts(blocks))
