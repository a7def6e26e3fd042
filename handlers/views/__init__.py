"""The view listeners, one module each, registered by the id they answer:
a module's function is named after its callback_id."""

from __future__ import annotations

from slack_bolt import App

from handlers.views import (
    add_panelist,
    cancel_interview,
    delete_interview,
    new_interview,
    publish_question_set,
    record_decision,
    remove_panelist,
    reschedule_interview,
    scorecard,
    upload_question_set,
)


def register(app: App) -> None:
    app.view("add_panelist")(add_panelist.add_panelist)
    app.view("cancel_interview")(cancel_interview.cancel_interview)
    app.view("delete_interview")(delete_interview.delete_interview)
    app.view("new_interview")(new_interview.new_interview)
    app.view("publish_question_set")(publish_question_set.publish_question_set)
    app.view("record_decision")(record_decision.record_decision)
    app.view("remove_panelist")(remove_panelist.remove_panelist)
    app.view("reschedule_interview")(reschedule_interview.reschedule_interview)
    app.view("scorecard")(scorecard.scorecard)
    app.view("upload_question_set")(upload_question_set.upload_question_set)
