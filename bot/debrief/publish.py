"""The debrief at Slack: the consensus summary posted in the plan's thread (or updated in
place), and the decision announced there."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.debrief.builders.chart import chart_alt_text, chart_digest, summary_chart
from bot.debrief.builders.summary import (
    debrief_summary_message,
    decision_announcement,
    summary_moved_message,
)
from bot.debrief.service import (
    DebriefSummary,
    StaleChart,
    SummaryStep,
    chart_deleted,
    chart_place,
    claim_summary,
    debrief_holder_id,
    decision_announced,
    forget_summary,
    posted_summary,
    release_summary_claim,
    store_chart,
    store_summary_ts,
)
from bot.errors import UserError
from bot.i18n import Translator, translator
from bot.interviews import load_live_interview, store_posted
from bot.people import display_names
from bot.plan.builders.plan import deleted_message
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.failures import PermanentError, classify
from bot.slack.messages import Target, update_until_current
from bot.slack.replies import tell_privately
from models import PostedKind

log = logging.getLogger(__name__)

# How long a second caller waits for the first one's summary before giving up quietly
# (the first one is posting the same summary).
WAIT_FOR_OTHER_POST_SECONDS = 20.0
WAIT_INTERVAL_SECONDS = 0.05


@dataclass(frozen=True)
class SummaryPost:
    channel: str
    ts: str
    updated: bool  # True: the existing summary was updated in place


def summary_message(summary: DebriefSummary) -> Message:
    return debrief_summary_message(translator(summary.language), summary)


def post_debrief_summary(services: Services, interview_id: int, actor_id: str | None) -> None:
    """Post the consensus summary in the plan's thread (in the channel when the plan was
    never posted), or update it in place when it is already there; never two. Sets the
    status to debrief unless decided or cancelled. The reminders call this at debrief time
    with actor_id None. Raises NotFound / InterviewRefused (cancelled) and SlackApiError."""
    publish_summary(services, interview_id, actor_id)


def publish_summary(services: Services, interview_id: int,
                    actor_id: str | None) -> SummaryPost | None:
    """post_debrief_summary, saying where the summary is (None: another caller is posting
    it and did not finish in time; theirs stands)."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_POST_SECONDS
    while True:
        place = claim_summary(services, interview_id, actor_id)
        if place.step is not SummaryStep.WAIT:
            break
        if time.monotonic() >= deadline:
            log.warning("interview %s: another process is still posting the summary",
                        interview_id)
            return None
        time.sleep(WAIT_INTERVAL_SECONDS)
    assert place.summary is not None
    interview_id = place.interview_id  # the round holding the debrief
    message = summary_message(place.summary)
    if place.step is SummaryStep.UPDATE:
        assert place.ts is not None
        try:
            services.client.chat_update(channel=place.channel, ts=place.ts,
                                        text=message.text, blocks=message.blocks)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
            # Someone deleted the summary in Slack: forget it and post a new one.
            forget_summary(services, interview_id, place.ts)
            return publish_summary(services, interview_id, actor_id)
        refresh_summary_chart(services, interview_id)
        return SummaryPost(place.channel, place.ts, updated=True)
    posted_at = services.clock()  # before it is out: nothing saved later is unseen
    try:
        response = services.client.chat_postMessage(
            channel=place.channel, thread_ts=place.thread_ts, text=message.text,
            blocks=message.blocks)
    except BaseException as error:
        release_summary_claim(services, interview_id, actor_id, repr(error)[:300])
        raise
    ts = str(response["ts"])
    try:
        # No re-render of the summary just posted, unless it changed meanwhile.
        store_summary_ts(services, interview_id, actor_id, place.channel, ts, posted_at,
                         readers=channel_members(services, place.channel),
                         shows=lambda now: summary_message(now) == message)
    except UserError:  # deleted meanwhile: the summary just posted is erased too
        store_posted(services, interview_id, PostedKind.SUMMARY, place.channel, ts=ts)
        raise
    refresh_summary_chart(services, interview_id)
    return SummaryPost(place.channel, ts, updated=False)


def channel_members(services: Services, channel: str) -> set[str] | None:
    """Who can read the channel now (every page of conversations.members), or None when
    Slack would not say: then everyone on the panel is taken to have seen the summary."""
    members: set[str] = set()
    try:
        for page in services.client.conversations_members(channel=channel, limit=1000):
            members.update(str(m) for m in page.get("members") or [])
    except (SlackApiError, OSError) as error:  # the summary is out: its ts must be stored
        log.warning("channel %s: could not list its members (%s); everyone on the panel is "
                    "taken to have seen the summary", channel, error)
        return None
    return members


def refresh_summary(services: Services, interview_id: int) -> None:
    """Re-render the summary in place if it was posted (after a decision, a late
    scorecard); never posts a new one. Sent again when it changed during the update, like
    the plan (bot/plan/publish.py `refresh_plan_message`). Slack errors are raised."""
    update_until_current(services.client, lambda: _summary_now(services, interview_id))
    refresh_summary_chart(services, interview_id)


def _summary_now(services: Services, interview_id: int) -> Target | None:
    posted = posted_summary(services, interview_id)
    if posted is None:
        return None
    if posted.moved_to is not None:
        return posted.channel, posted.ts, summary_moved_message(
            translator(posted.language), interview_id, posted.moved_to)
    if posted.summary is None:  # a refresh that lost the race to the deletion
        return posted.channel, posted.ts, deleted_message(translator(posted.language),
                                                          interview_id)
    return posted.channel, posted.ts, summary_message(posted.summary)


# ---------------------------------------------------------------------------- the dot plot


def refresh_summary_chart(services: Services, interview_id: int) -> None:
    """The dot plot next to the summary, as the summary reads now: uploaded into its thread,
    replaced when its figures changed (the old file deleted), deleted when there is nothing
    to show. Never raises: whatever happens to the picture, the summary stands (the next
    refresh tries again)."""
    try:
        _sync_chart(services, interview_id)
    except Exception:
        log.warning("interview %s: the summary's chart was not updated", interview_id,
                    exc_info=True)


def _sync_chart(services: Services, interview_id: int) -> None:
    place = chart_place(services, interview_id)
    if place is None:
        return
    summary = place.summary
    t = translator(summary.language if summary else services.settings.default_language)
    name = _chart_names(services, t, summary) if summary else str
    png = None
    if summary is not None:
        digest = chart_digest(t, summary, name)
        if place.file_id and digest == place.digest:
            if place.stale:  # an earlier plot's deletion failed: try again
                _delete_charts(services, store_chart(services, interview_id, place.file_id,
                                                     digest))
            return  # the plot there shows these figures
        png = summary_chart(t, summary, name)
    if png is None or summary is None:
        if place.file_id:
            _delete_charts(services, store_chart(services, interview_id, None, None))
        return
    uploaded = services.client.files_upload_v2(
        channel=place.channel, thread_ts=place.thread_ts,
        file_uploads=[{"content": png, "filename": f"debrief-{summary.interview_id}.png",
                       "title": t._("Category scores per panelist"),
                       "alt_txt": chart_alt_text(t, summary, name)}])
    file_id = str(uploaded["files"][0]["id"])
    _delete_charts(services, store_chart(services, interview_id, file_id, digest))


# What Slack answers for a file that is gone already (someone deleted it by hand).
FILE_GONE = frozenset({"file_not_found", "file_deleted"})


def _delete_charts(services: Services, charts: list[StaleChart]) -> None:
    """Earlier plots deleted from Slack, each one's posted_messages row with it; one that
    fails stays recorded (the next refresh, or the candidate's deletion, tries again)."""
    for chart in charts:
        try:
            services.client.files_delete(file=chart.file_id)
        except SlackApiError as error:
            if error.response.get("error") not in FILE_GONE:
                raise
        chart_deleted(services, chart.posted_id)


def _chart_names(services: Services, t: Translator, summary: DebriefSummary
                 ) -> Callable[[str], str]:
    """Plain names for the plot's legend (Slack renders no mentions in a picture): each
    rater's display name (their id when the directory does not know them), with the round
    in a loop."""
    people = list(dict.fromkeys([*summary.submitted,
                                 *(user for user, _ in summary.raters.values())]))
    known = display_names(services.users, people)

    def name(key: str) -> str:
        seat = summary.raters.get(key)
        if seat is None:
            return known.get(key) or key
        return t._("{user} (round {n})", user=known.get(seat[0]) or seat[0], n=seat[1])

    return name


def refresh_posted_summary(services: Services, payload: dict[str, Any]) -> None:
    """This round's posted summary, and that of the round holding its debrief when that
    is another one (a scorecard of round 1 changes the loop's summary)."""
    interview_id = payload["interview_id"]
    refresh_summary(services, interview_id)
    holder_id = debrief_holder_id(services, interview_id)
    if holder_id is not None and holder_id != interview_id:
        refresh_summary(services, holder_id)


def post_summary(services: Services, payload: dict[str, Any]) -> None:
    """The debrief summary posted (or updated in place); a refusal, or Slack refusing it
    for good, is told to whoever asked."""
    try:
        publish_summary(services, payload["interview_id"], payload["actor_id"])
    except UserError as err:
        tell_privately(services.client, payload, err.render_in(services.settings.default_language))
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        interview = load_live_interview(services.db, payload["interview_id"])
        t = translator(interview.language if interview else
                       services.settings.default_language)
        tell_privately(services.client, payload, t._(
            "Slack did not take the summary ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))


def announce_decision(services: Services, payload: dict[str, Any]) -> None:
    result = decision_announced(services, payload["interview_id"], payload["decision_id"])
    if result is None:
        return
    message = decision_announcement(translator(result.language), result)
    posted = services.client.chat_postMessage(channel=result.channel,
                                              thread_ts=result.thread_ts, text=message.text,
                                              blocks=message.blocks)
    store_posted(services, result.interview_id, PostedKind.DECISION, str(posted["channel"]),
                 ts=str(posted["ts"]))
