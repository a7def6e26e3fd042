"""What the changes of bot/lifecycle/service.py show at Slack: the modal that asks for each
change, the note in the plan's thread, a removed panelist's kit, the short answers to
whoever acted, and, on delete, every message about the candidate edited to say so."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.backoff import backoff
from bot.i18n import Translator, translator
from bot.interviews import load_live_interview, store_posted, translator_for
from bot.lifecycle import builders as blocks
from bot.lifecycle import service as lifecycle
from bot.lifecycle.service import Action, person_name, prepare
from bot.plan.builders.plan import deleted_message
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.failures import TransientError, classify
from bot.slack.replies import tell_user
from models import Interview, PostedKind, reading

log = logging.getLogger(__name__)


def modal_view(services: Services, team_id: str, interview_id: int | str, user_id: str,
               action: Action, reply_channel: str | None = None) -> dict[str, Any]:
    """The modal for `action` (permission and state checked), ready for views.open."""
    info = prepare(services, team_id, interview_id, user_id, action)
    t = translator(info.language)
    meta = blocks.ModalMetadata(info.interview_id, reply_channel)
    if action == Action.RESCHEDULE:
        return blocks.reschedule_modal(t, info, meta)
    if action == Action.CANCEL:
        return blocks.cancel_modal(t, info, meta)
    if action == Action.DELETE:
        return blocks.delete_modal(t, info, meta)
    if action == Action.ADD_PANELIST:
        return blocks.add_panelist_modal(t, info, meta)
    names = {user: person_name(services, user) for user in info.panel}
    return blocks.remove_panelist_modal(t, info, meta, names)


# Thread notes by name: (interview, note's payload, its translator) -> the note.
NOTES: dict[str, Callable[[Services, Interview, dict[str, Any], Translator], Message]] = {
    "rescheduled": lambda services, interview, p, t: blocks.rescheduled_note(
        t, p["actor_id"], interview.starts_at, interview.ends_at, interview.debrief_at,
        [x.user_id for x in interview.active_panelists], services.users.tz(p["actor_id"])),
    "cancelled": lambda services, interview, p, t: blocks.cancelled_note(
        t, interview.id, p["actor_id"], [x.user_id for x in interview.active_panelists]),
    "panelist_added": lambda services, interview, p, t: blocks.panelist_added_note(
        t, p["actor_id"], p["subject_id"]),
    "panelist_removed": lambda services, interview, p, t: (
        blocks.panelist_removed_note(t, p["actor_id"], p["subject_id"])),
}


def thread_note(services: Services, payload: dict[str, Any]) -> None:
    interview = load_live_interview(services.db, payload["interview_id"])
    if interview is None or not interview.plan_ts:
        return
    note = NOTES[payload["note"]](services, interview, payload, translator_for(interview))
    posted = services.client.chat_postMessage(channel=interview.channel_id,
                                              thread_ts=interview.plan_ts, text=note.text,
                                              blocks=note.blocks)
    store_posted(services, interview.id, PostedKind.THREAD_NOTE, str(posted["channel"]),
                 ts=str(posted["ts"]))


# Short answers to the person who acted, by name: (translator, interview id) -> text.
NOTICES: dict[str, Callable[[Translator, int], str]] = {
    "rescheduled": lambda t, interview_id: t._(
        "Interview {id} is rescheduled; the kits and the reminders have moved.",
        id=interview_id),
    "cancelled": lambda t, interview_id: t._(
        "Interview {id} is cancelled; its reminders are off.", id=interview_id),
}


def notice(services: Services, payload: dict[str, Any]) -> None:
    text = NOTICES[payload["notice"]](translator(payload["language"]), payload["interview_id"])
    tell_user(services.client, payload["reply_to"], text)


def removed_from_panel(services: Services, payload: dict[str, Any]) -> None:
    interview = load_live_interview(services.db, payload["interview_id"])
    if interview is None:
        return
    message = blocks.removed_from_panel_message(translator_for(interview),
                                                          interview.id)
    services.client.chat_update(channel=payload["channel"], ts=payload["ts"],
                                text=message.text, blocks=message.blocks)


def erase_messages(services: Services, payload: dict[str, Any]) -> None:
    """Every message and file recorded about the deleted candidate, erased at Slack (edited
    to the deletion notice, deleted, or the file deleted: bot/lifecycle/service.py
    `ERASE`), each one's row removed once done, so that the next round resumes where this
    one stopped. One already gone counts as done; one Slack refuses for good is kept with
    the reason and counted. At most ERASE_BATCH a round, and after a rate limit that
    came after some progress, the rest go in a new outbox row (later, by Retry-After):
    steady progress never runs out of attempts. Then the person who deleted is told."""
    interview_id = payload["interview_id"]
    candidate_id = payload.get("candidate_id") or lifecycle.candidate_of(services, interview_id)
    if candidate_id is None:
        return
    with reading(services.db) as session:
        interview = session.get(Interview, interview_id)
        language = interview.language if interview else services.settings.default_language
    t = translator(language)
    notice = deleted_message(t, interview_id)
    done = 0
    for tried, item in enumerate(lifecycle.posted_to_erase(services, candidate_id)):
        if tried == ERASE_BATCH:
            _resume(services, payload, candidate_id, 0.0)
            return
        try:
            _erase_one(services, item, notice)
        except SlackApiError as error:
            failure, code = classify(error), str(error.response.get("error") or "error")
            if isinstance(failure, TransientError):
                if not done:
                    raise  # the outbox tries the row again with backoff
                _resume(services, payload, candidate_id,
                        backoff(1, failure.retry_after).total_seconds())
                return
            if code not in GONE:
                log.warning("%s %s in %s not erased: %s", item.how.value,
                            item.ts or item.file_id, item.channel_id, code)
                lifecycle.erase_refused(services, item.posted_id, code)
                continue
        except OSError:  # the network
            if not done:
                raise
            _resume(services, payload, candidate_id, backoff(1).total_seconds())
            return
        lifecycle.erased(services, item.posted_id)
        done += 1
    if payload.get("reply_to"):
        tell_user(services.client, payload["reply_to"], blocks.deleted_answer(
            t, interview_id, lifecycle.erase_refusals(services, candidate_id)))


# Erased in one performance at most: well within the outbox's claim on the row, and the
# other side effects get their turn in between.
ERASE_BATCH = 40

# What Slack answers for a message or file that is gone already: nothing left to erase.
GONE = frozenset({"message_not_found", "file_not_found", "file_deleted"})


def _erase_one(services: Services, item: lifecycle.ToErase, notice: Message) -> None:
    client = services.client
    if item.how is lifecycle.Erase.DELETE_FILE:
        client.files_delete(file=item.file_id or "")
    elif item.how is lifecycle.Erase.DELETE:
        client.chat_delete(channel=item.channel_id, ts=item.ts or "")
    else:
        client.chat_update(channel=item.channel_id, ts=item.ts or "", text=notice.text,
                           blocks=notice.blocks)


def _resume(services: Services, payload: dict[str, Any], candidate_id: int,
            after_seconds: float) -> None:
    log.info("erasing candidate %s: the rest in %.0f s", candidate_id, after_seconds)
    lifecycle.resume_erasing(services, payload["interview_id"], candidate_id,
                             payload.get("reply_to"), after_seconds)
