"""The action listeners, one module each, registered by the id they answer:
a module's function is named after its action_id."""

from __future__ import annotations

from slack_bolt import App

from handlers.actions import (
    add_round,
    earlier_candidate,
    full_scorecards,
    full_scorecards_page,
    plan_menu,
    post_plan,
    record_decision,
    rerate,
    score_candidate,
    scorecard_page,
    start_debrief,
    start_debrief_anyway,
    view_panel_feedback,
)


def register(app: App) -> None:
    app.action("add_round")(add_round.add_round)
    app.action("earlier_candidate")(earlier_candidate.earlier_candidate)
    app.action("full_scorecards")(full_scorecards.full_scorecards)
    app.action("full_scorecards_page")(full_scorecards_page.full_scorecards_page)
    app.action("plan_menu")(plan_menu.plan_menu)
    app.action("post_plan")(post_plan.post_plan)
    app.action("record_decision")(record_decision.record_decision)
    app.action("rerate")(rerate.rerate)
    app.action("score_candidate")(score_candidate.score_candidate)
    app.action("scorecard_page")(scorecard_page.scorecard_page)
    app.action("start_debrief")(start_debrief.start_debrief)
    app.action("start_debrief_anyway")(start_debrief_anyway.start_debrief_anyway)
    app.action("view_panel_feedback")(view_panel_feedback.view_panel_feedback)
