"""The plan in its channel and the kits in the panelists' DMs, at Slack.

Posting the plan happens at most once per interview, even when two people (or a retried
request) press "Post plan" together: the interview row is locked (PostgreSQL FOR UPDATE;
SQLite transactions are exclusive) while plan_ts is read, the message posted and plan_ts
stored. It is the one place where a Slack call runs inside a transaction, because the model
has no separate claim column; it happens once per interview.

A channel the bot is not in: a public one is joined (conversations.join); a private one
cannot be, so the result says so and the recruiter is told how to invite the bot; the
interview stays with plan_ts None until "Post plan" is pressed again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import NotFound, UserError
from bot.i18n import N_, translator
from bot.interviews import (
    log_event,
    question_set_of,
    record_posted,
    store_posted,
    translator_for,
)
from bot.plan.builders.kit import kit_messages
from bot.plan.builders.plan import (
    deleted_message,
    needs_invite_message,
    plan_message,
    plan_posted_message,
)
from bot.plan.service import (
    KitsSent,
    PlanResult,
    PlanStatus,
    Published,
    load_interview,
    loop_view,
)
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.failures import PermanentError, TransientError, classify
from bot.slack.messages import Target, update_until_current
from bot.slack.replies import tell_user
from models import Interview, Panelist, PostedKind, reading, transaction

log = logging.getLogger(__name__)

# Slack's answers for a channel the bot cannot post in and cannot join by itself.
NEEDS_INVITE_ERRORS = frozenset({"channel_not_found", "method_not_supported_for_channel_type"})


class _NeedsInvite(Exception):
    pass


def render_plan(services: Services, session: Session, interview: Interview) -> Message:
    tz = services.users.tz(interview.recruiter_id)
    loop = loop_view(session, interview)
    loop = replace(loop, rounds=tuple(
        replace(r, permalink=_permalink(services, r.channel_id, r.plan_ts))
        if r.interview_id != interview.id else r for r in loop.rounds))
    return plan_message(translator_for(interview), interview, question_set_of(interview), tz,
                        loop)


def _permalink(services: Services, channel_id: str, ts: str | None) -> str | None:
    """The link to another round's plan; None when it is not posted or Slack will not
    say (the plan then names the round without a link)."""
    if not ts:
        return None
    return _cached_permalink(services.client, channel_id, ts)


@lru_cache(maxsize=1024)
def _cached_permalink(client: WebClient, channel_id: str, ts: str) -> str | None:
    # A message's permalink never changes: asked once per process, not on every refresh.
    try:
        return str(client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel_id, ts, error.response.get("error"))
        return None


def post_interview_plan(services: Services, interview_id: int,
                        actor_id: str | None = None) -> PlanResult:
    """Post the plan to the interview's channel unless it is there already. Slack errors
    other than "the bot cannot get in" are raised (SlackApiError)."""
    with transaction(services.db) as session:
        interview = load_interview(session, interview_id, for_update=True)
        if interview is None:
            raise NotFound(N_("There is no interview {id} in this workspace."),
                           id=interview_id)
        result = PlanResult(PlanStatus.ALREADY_POSTED, interview.id, interview.channel_id,
                            interview.language, interview.plan_ts)
        if interview.plan_ts:
            return result
        message = render_plan(services, session, interview)
        try:
            ts = _post_joining(services, interview.channel_id, message)
        except _NeedsInvite:
            return PlanResult(PlanStatus.NEEDS_INVITE, interview.id, interview.channel_id,
                              interview.language)
        interview.plan_ts = ts
        record_posted(session, services, interview.id, PostedKind.PLAN, interview.channel_id,
                      ts=ts)
        log_event(session, interview, actor_id, "plan_posted", channel=interview.channel_id)
        return PlanResult(PlanStatus.POSTED, interview.id, interview.channel_id,
                          interview.language, ts)


def _post_joining(services: Services, channel_id: str, message: Message) -> str:
    client = services.client
    try:
        reply = client.chat_postMessage(channel=channel_id, text=message.text,
                                        blocks=message.blocks)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in NEEDS_INVITE_ERRORS:
            raise _NeedsInvite from None
        if code != "not_in_channel":
            raise
        try:  # a public channel: the bot lets itself in
            client.conversations_join(channel=channel_id)
        except SlackApiError as join_error:
            log.info("cannot join %s: %s", channel_id, join_error.response.get("error"))
            raise _NeedsInvite from None
        reply = client.chat_postMessage(channel=channel_id, text=message.text,
                                        blocks=message.blocks)
    return str(reply["ts"])


def refresh_plan_message(services: Services, interview_id: int) -> None:
    """Re-render the plan in its channel from the database (progress, status, decision).
    A no-op while the plan is not posted. No lock is held across the Slack call (see
    bot/slack/messages.py). Slack errors are raised."""
    update_until_current(services.client, lambda: _plan_now(services, interview_id))


def _plan_now(services: Services, interview_id: int) -> Target | None:
    with reading(services.db) as session:
        interview = session.scalars(
            select(Interview).where(Interview.id == interview_id)
            .options(selectinload(Interview.panelists).selectinload(Panelist.scorecard))
        ).first()
        if interview is None or not interview.plan_ts:
            return None
        if interview.deleted_at is not None:  # a refresh that lost the race to the deletion
            return interview.channel_id, interview.plan_ts, deleted_message(
                translator_for(interview), interview.id)
        return interview.channel_id, interview.plan_ts, render_plan(services, session,
                                                                    interview)


def send_kit(services: Services, interview_id: int, panelist_user_id: str) -> None:
    """DM one panelist their kit, or update it in place if it was sent before (the head
    message: times, focus, scale; question pages in its thread are posted once)."""
    with transaction(services.db) as session:
        interview = load_interview(session, interview_id)
        panelist = interview.panelist_for(panelist_user_id) if interview else None
        if interview is None or panelist is None:
            return
        tz = services.users.tz(panelist_user_id)
        messages = kit_messages(translator_for(interview), interview,
                                question_set_of(interview), panelist, tz)
        sent_to = (panelist.kit_channel, panelist.kit_ts)
    client = services.client
    if sent_to[0] and sent_to[1]:
        head = messages[0]
        client.chat_update(channel=sent_to[0], ts=sent_to[1], text=head.text, blocks=head.blocks)
        return
    first = client.chat_postMessage(channel=panelist_user_id, text=messages[0].text,
                                    blocks=messages[0].blocks)
    kit_channel, kit_ts = str(first["channel"]), str(first["ts"])
    with transaction(services.db) as session:
        row = session.scalars(select(Panelist).where(
            Panelist.interview_id == interview_id,
            Panelist.user_id == panelist_user_id)).first()
        if row is not None:
            row.kit_channel, row.kit_ts = kit_channel, kit_ts
        record_posted(session, services, interview_id, PostedKind.KIT, kit_channel, ts=kit_ts)
    for message in messages[1:]:
        page = client.chat_postMessage(channel=kit_channel, thread_ts=kit_ts,
                                       text=message.text, blocks=message.blocks)
        store_posted(services, interview_id, PostedKind.KIT_PAGE, str(page["channel"]),
                     ts=str(page["ts"]))


def publish_new_interview(services: Services, interview_id: int, actor_id: str) -> Published:
    """After the creating commit: the plan in the channel, then every kit (the kits go out
    even when the plan has to wait for an invitation)."""
    error: str | None = None
    try:
        plan = post_interview_plan(services, interview_id, actor_id=actor_id)
        status: PlanStatus | None = plan.status
        channel_id, language = plan.channel_id, plan.language
    except SlackApiError as failure:
        if isinstance(classify(failure), TransientError):
            raise  # tried again from the outbox
        error, status = str(failure.response.get("error") or "error"), None
        log.warning("interview %s: plan not posted: %s", interview_id, error)
        with transaction(services.db) as session:
            interview = load_interview(session, interview_id)
            assert interview is not None  # just created
            channel_id, language = interview.channel_id, interview.language
    kits = send_kits(services, interview_id)
    return Published(interview_id, channel_id, language, status, kits, error)


def send_kits(services: Services, interview_id: int) -> KitsSent:
    """Every active panelist's kit; one failed DM does not stop the others."""
    with transaction(services.db) as session:
        interview = load_interview(session, interview_id)
        panel = [p.user_id for p in interview.active_panelists] if interview else []
    sent, failed = [], []
    for user_id in panel:
        try:
            send_kit(services, interview_id, user_id)
            sent.append(user_id)
        except SlackApiError as error:
            if isinstance(classify(error), TransientError):
                raise  # tried again from the outbox: kits sent already are updated in place
            log.warning("interview %s: kit not sent to %s: %s", interview_id, user_id,
                        error.response.get("error"))
            failed.append(user_id)
    return KitsSent(sent, failed)


def refresh_plan(services: Services, payload: dict[str, Any]) -> None:
    refresh_plan_message(services, payload["interview_id"])


def post_plan(services: Services, payload: dict[str, Any]) -> None:
    """"Post plan": posted (or found posted), and the answer in place of the button's
    message; Slack refusing it for good is said there too."""
    reply_to = payload["reply_to"]
    try:
        result = post_interview_plan(services, payload["interview_id"],
                                     actor_id=payload["user_id"])
    except UserError as err:
        tell_user(services.client, reply_to, err.render_in(services.settings.default_language))
        return
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        t = translator(services.settings.default_language)
        tell_user(services.client, reply_to, t._(
            "Slack did not take the plan ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))
        return
    t = translator(result.language)
    if result.status == PlanStatus.NEEDS_INVITE:
        message = needs_invite_message(t, result.interview_id, result.channel_id)
    else:
        message = plan_posted_message(t, result.interview_id, result.channel_id,
                                      already=result.status == PlanStatus.ALREADY_POSTED)
    _answer_in_place(services, payload, message)


def _answer_in_place(services: Services, payload: dict[str, Any], message: Message) -> None:
    """In place of the message with the button when Slack gave a response_url; else
    ephemerally."""
    if payload.get("response_url"):
        try:
            answer = Respond(response_url=payload["response_url"])(
                text=message.text, blocks=message.blocks, replace_original=True)
            if answer.status_code == 200:
                return
            log.info("response_url answered %s; answering ephemerally", answer.status_code)
        except OSError as failure:
            log.info("response_url failed (%s); answering ephemerally", failure)
    tell_user(services.client, payload["reply_to"], message.text, message.blocks)


def kit(services: Services, payload: dict[str, Any]) -> None:
    send_kit(services, payload["interview_id"], payload["user_id"])
