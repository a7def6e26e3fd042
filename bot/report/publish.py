"""The calibration report at Slack: the message, the chart and the CSV in the organiser's
DM; the figures kept current after a change (no Slack, but performed the same way); and
the command line's report, written out."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.i18n import translator
from bot.people import display_names
from bot.report.builders import (
    chart_alt_text,
    report_chart,
    report_csv,
    report_document,
    report_message,
)
from bot.report.service import Report, organiser_report, refresh_stats, workspace_reports
from bot.services import Services
from bot.slack.failures import PermanentError, classify
from bot.slack.replies import tell_privately
from models import create_db_engine, make_session_factory, reading


def refresh_calibration(services: Services, payload: dict[str, Any]) -> None:
    refresh_stats(services, payload["interview_id"])


def send_report(services: Services, payload: dict[str, Any]) -> None:
    """The report in the requester's DM; Slack refusing it for good is told through the
    command's response URL."""
    t = translator(services.settings.default_language)
    try:
        report = organiser_report(services, payload["team_id"], payload["user_id"],
                                  payload["days"])
        post_report(services, payload["user_id"], report, payload["days"])
    except UserError as err:
        tell_privately(services.client, payload, err.render_in(services.settings.default_language))
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        tell_privately(services.client, payload, t._(
            "Slack did not take the report ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))


def post_report(services: Services, user_id: str, report: Report, days: int) -> None:
    t = translator(services.settings.default_language)
    client = services.client
    channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    message = report_message(t, report, days)
    client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
    names = display_names(services.users, [f.user_id for f in report.interviewers])
    uploads: list[dict[str, Any]] = [
        {"content": report_csv(report, names).encode("utf-8"),
         "filename": f"calibration-{days}-days.csv", "title": t._("Calibration (CSV)")}]
    chart = report_chart(t, report, names)
    if chart is not None:
        uploads.insert(0, {"content": chart, "filename": f"calibration-{days}-days.png",
                           "title": t._("Interviewer leniency"),
                           "alt_txt": chart_alt_text(t, report, names)})
    client.files_upload_v2(channel=channel, file_uploads=uploads)


def report_from_database(database_url: str, since: datetime, team_id: str | None,
                         fmt: str) -> str:
    """`interview-bot report --since DATE`: every interviewer of the workspace (of the only
    one, or `team_id`), straight from the database, as CSV or JSON."""
    engine = create_db_engine(database_url)
    try:
        with reading(make_session_factory(engine)) as session:
            found = workspace_reports(session, since, team_id=team_id)
    finally:
        engine.dispose()
    if fmt == "json":
        return json.dumps([report_document(r) for r in found], ensure_ascii=False,
                          indent=2) + "\n"
    return "".join(report_csv(r, {}, team_column=True, header=i == 0)
                   for i, r in enumerate(found)) or report_csv(None, {}, team_column=True)
