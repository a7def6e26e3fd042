"""What the changes of bot/lifecycle/service.py show at Slack: the modal that asks for each
change, the note in the plan's thread, a removed panelist's kit, the short answers to
whoever acted, and, on delete, every message about the candidate edited to say so."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.i18n import Translator, translator
from bot.interviews import load_live_interview, translator_for
from bot.lifecycle import builders as blocks
from bot.lifecycle.service import Action, person_name, prepare
from bot.plan.builders.plan import deleted_message
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.failures import PermanentError, classify
from bot.slack.replies import tell_user
from models import Interview, reading

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
    services.client.chat_postMessage(channel=interview.channel_id, thread_ts=interview.plan_ts,
                                     text=note.text, blocks=note.blocks)


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
    """Each message edited to "deleted" and each file deleted (one that cannot be is
    counted, not retried: it may be gone already); then the person who deleted is told."""
    with reading(services.db) as session:
        interview = session.get(Interview, payload["interview_id"])
        language = interview.language if interview else services.settings.default_language
    t = translator(language)
    text = deleted_message(t, payload["interview_id"])
    failed = 0
    for channel, ts in payload["messages"]:
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text.text,
                                        blocks=text.blocks)
        except SlackApiError as error:
            if not isinstance(classify(error), PermanentError):
                raise  # the edits done are done again: harmless
            log.warning("message %s in %s not updated: %s", ts, channel,
                        error.response.get("error"))
            failed += 1
    for file_id in payload.get("files") or []:
        try:
            services.client.files_delete(file=file_id)
        except SlackApiError as error:
            if not isinstance(classify(error), PermanentError):
                raise
            if error.response.get("error") not in ("file_not_found", "file_deleted"):
                log.warning("file %s not deleted: %s", file_id, error.response.get("error"))
                failed += 1
    if payload.get("reply_to"):
        answer = t._("The candidate's data of interview {id} is deleted.",
                     id=payload["interview_id"])
        if failed:
            answer += " " + t.ngettext(
                "{n} Slack message could not be changed; delete it by hand.",
                "{n} Slack messages could not be changed; delete them by hand.", failed)
        tell_user(services.client, payload["reply_to"], answer)
