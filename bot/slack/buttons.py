"""Buttons that appear on several surfaces (plan, kit, reminders, App Home, summary).

The action_id names the listener module: `score_candidate` is handled in
handlers/actions/score_candidate.py."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from bot.i18n import Translator
from bot.slack.blocks import button


def score_candidate_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Score candidate"), "score_candidate", str(interview_id), style="primary")


def start_debrief_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Start debrief"), "start_debrief", str(interview_id))


def post_plan_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Post plan"), "post_plan", str(interview_id), style="primary")


def record_decision_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Record decision"), "record_decision", str(interview_id), style="primary")


def full_scorecards_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Full scorecards"), "full_scorecards", str(interview_id))


def view_panel_feedback_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("View panel feedback"), "view_panel_feedback", str(interview_id))


def add_round_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Add a round"), "add_round", str(interview_id))


def rerate_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Re-rate after the discussion"), "rerate", str(interview_id))


def start_debrief_anyway_button(t: Translator, interview_id: int) -> ButtonElement:
    # Translators: button, max 30 characters
    return button(t._("Start debrief anyway"), "start_debrief_anyway", str(interview_id))
