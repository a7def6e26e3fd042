"""Changing an interview: the plan's menu, the modals (reschedule, cancel, delete, add or
remove a panelist), the notes in the plan's thread and the "deleted" text.

Everything here speaks the interview's language (the caller passes its translator). The
modals carry the interview id (and where to answer) in private_metadata.

This module must not import bot.plan.builders: the plan imports plan_menu from here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    Block,
    DateTimePickerElement,
    InputBlock,
    Option,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import Translator, length_text
from bot.setup.service import (
    DEBRIEF_AT_BLOCK,
    DEFAULT_LENGTH_MINUTES,
    LENGTH_BLOCK,
    LENGTH_MINUTES,
    STARTS_AT_BLOCK,
)
from bot.slack.blocks import Message, context, plain, section, to_dicts
from bot.slack.mrkdwn import date_token, escape, user

if TYPE_CHECKING:
    from bot.lifecycle.service import InterviewInfo

PANELIST_BLOCK = "panelist"
RESCHEDULE_CALLBACK = "reschedule_interview"
CANCEL_CALLBACK = "cancel_interview"
DELETE_CALLBACK = "delete_interview"
ADD_PANELIST_CALLBACK = "add_panelist"
REMOVE_PANELIST_CALLBACK = "remove_panelist"


# ---------------------------------------------------------------------------- the plan's menu


# ---------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class ModalMetadata:
    interview_id: int
    reply_channel: str | None = None  # where the command or the click came from

    def reply_to(self, user_id: str) -> dict[str, Any]:
        """Where to answer the person who submitted (bot/slack/replies.py `tell_user`)."""
        target: dict[str, Any] = {"user": {"id": user_id}}
        if self.reply_channel:
            target["channel"] = {"id": self.reply_channel}
        return target

    def encode(self) -> str:
        data: dict[str, Any] = {"id": self.interview_id}
        if self.reply_channel:
            data["c"] = self.reply_channel
        return json.dumps(data, separators=(",", ":"))


def read_metadata(view: Mapping[str, Any]) -> ModalMetadata | None:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    number = data.get("id") if isinstance(data, dict) else None
    if not isinstance(number, int):
        return None
    reply = data.get("c")
    return ModalMetadata(number, reply if isinstance(reply, str) else None)


def selected_user(view: Mapping[str, Any]) -> str | None:
    """The person picked in the add / remove panelist modal."""
    state = (((view.get("state") or {}).get("values") or {}).get(PANELIST_BLOCK) or {}).get(
        PANELIST_BLOCK) or {}
    if state.get("selected_user"):
        return str(state["selected_user"])
    option = state.get("selected_option") or {}
    return str(option["value"]) if option.get("value") else None


# ---------------------------------------------------------------------------- modals


def _about(t: Translator, info: InterviewInfo) -> str:
    return t._("*{candidate}* · {role} · interview {id}", candidate=escape(info.candidate_name),
               role=escape(info.role), id=info.interview_id)


def _modal(callback_id: str, title: str, submit: str, close: str, meta: ModalMetadata,
           blocks: Sequence[Block]) -> dict[str, Any]:
    return View(type="modal", callback_id=callback_id, title=plain(title, 24),
                submit=plain(submit, 24), close=plain(close, 24),
                private_metadata=meta.encode(), blocks=list(blocks)).to_dict()


def reschedule_modal(t: Translator, info: InterviewInfo, meta: ModalMetadata) -> dict[str, Any]:
    """Prefilled with the current times; the same fields (and block ids) as the setup
    form, so its validation applies unchanged."""
    length = min(LENGTH_MINUTES, key=lambda m: (abs(m - info.length_minutes),
                                                m != DEFAULT_LENGTH_MINUTES))
    options = [Option(value=str(m), text=plain(length_text(t, m))) for m in LENGTH_MINUTES]
    blocks: list[Block] = [
        section(_about(t, info)),
        InputBlock(block_id=STARTS_AT_BLOCK, label=plain(t._("Interview start"), 2000),
                   hint=plain(t._("In your time zone; everyone sees it in their own."), 2000),
                   element=DateTimePickerElement(
                       action_id=STARTS_AT_BLOCK,
                       initial_date_time=int(info.starts_at.timestamp()))),
        InputBlock(block_id=LENGTH_BLOCK, label=plain(t._("Interview length"), 2000),
                   element=StaticSelectElement(
                       action_id=LENGTH_BLOCK, options=options,
                       initial_option=options[LENGTH_MINUTES.index(length)])),
        InputBlock(block_id=DEBRIEF_AT_BLOCK, label=plain(t._("Debrief"), 2000),
                   element=DateTimePickerElement(
                       action_id=DEBRIEF_AT_BLOCK,
                       initial_date_time=int(info.debrief_at.timestamp()))),
        context(t._("The plan, the kits and the reminders move with it; the panel is told "
                    "in the plan's thread.")),
    ]
    # Translators: modal title, max 24 characters
    return _modal(RESCHEDULE_CALLBACK, t._("Reschedule"),
                  # Translators: modal button, max 24 characters
                  t._("Move"),
                  # Translators: modal button, max 24 characters
                  t._("Close"), meta, blocks)


def cancel_modal(t: Translator, info: InterviewInfo, meta: ModalMetadata) -> dict[str, Any]:
    blocks = [
        section(t._("Cancel this interview?") + "\n" + _about(t, info)),
        context(t._("The plan shows “Cancelled”, the reminders stop, the scorecards lock and "
                    "the panel is told in the plan's thread.")),
    ]
    # Translators: modal title, max 24 characters
    return _modal(CANCEL_CALLBACK, t._("Cancel interview"),
                  # Translators: modal button, max 24 characters
                  t._("Cancel interview"),
                  # Translators: modal button, max 24 characters
                  t._("Keep it"), meta, blocks)


def delete_modal(t: Translator, info: InterviewInfo, meta: ModalMetadata) -> dict[str, Any]:
    """The confirmation names the candidate: nobody deletes the wrong person by a typo."""
    if len(info.rounds) > 1:
        question = t._("Delete everything about *{candidate}* ({role}), in all {n} rounds: "
                       "interviews {ids}?", candidate=escape(info.candidate_name),
                       role=escape(info.role), n=len(info.rounds),
                       ids=", ".join(str(i) for i in info.rounds))
    else:
        question = t._("Delete everything about *{candidate}* ({role}, interview {id})?",
                       candidate=escape(info.candidate_name), role=escape(info.role),
                       id=info.interview_id)
    blocks = [
        section(question),
        section(t._("The name, role, link and note, every scorecard with its ratings and "
                    "notes, and the decision's reason are removed for good. Every message "
                    "I posted about the candidate is changed to say “deleted” or removed, "
                    "and the files I exported are deleted. What stays says nothing about "
                    "the candidate: one event saying that you deleted it and when, the "
                    "panel's user ids, the times and the question set.")),
        section(outside_reach(t)),
        context(t._("This cannot be undone. Need a copy? Export first and download the "
                    "files, since the exported files in Slack are deleted too: "
                    "`/interview export {id}`.", id=info.interview_id)),
    ]
    # Translators: modal title, max 24 characters
    return _modal(DELETE_CALLBACK, t._("Delete data"),
                  # Translators: modal button, max 24 characters
                  t._("Delete for good"),
                  # Translators: modal button, max 24 characters
                  t._("Keep it"), meta, blocks)


def outside_reach(t: Translator) -> str:
    """What a deletion cannot touch, said before and after it."""
    return t._("*Out of my reach:* files people downloaded, messages they copied, forwarded "
               "or quoted, screenshots, and whatever Slack itself keeps under your "
               "workspace's retention settings and in its exports.")


def deleted_answer(t: Translator, interview_id: int, refused: int) -> str:
    """Told to whoever deleted, once every message and file is erased: what is gone, what
    Slack refused (to delete by hand) and what was never within reach."""
    answer = t._("The candidate's data of interview {id} is deleted, and every message and "
                 "file I posted about them is changed to say so or removed.", id=interview_id)
    if refused:
        answer += " " + t.ngettext(
            "{n} Slack message could not be changed; delete it by hand.",
            "{n} Slack messages could not be changed; delete them by hand.", refused)
    return answer + "\n" + outside_reach(t)


def add_panelist_modal(t: Translator, info: InterviewInfo,
                       meta: ModalMetadata) -> dict[str, Any]:
    blocks = [
        section(_about(t, info)),
        InputBlock(block_id=PANELIST_BLOCK, label=plain(t._("Add to the panel"), 2000),
                   hint=plain(t._("Focus categories are shared out again; the new panelist "
                                  "gets their kit in a DM."), 2000),
                   element=UserSelectElement(action_id=PANELIST_BLOCK)),
    ]
    # Translators: modal title, max 24 characters
    return _modal(ADD_PANELIST_CALLBACK, t._("Add panelist"),
                  # Translators: modal button, max 24 characters
                  t._("Add"),
                  # Translators: modal button, max 24 characters
                  t._("Close"), meta, blocks)


def remove_panelist_modal(t: Translator, info: InterviewInfo, meta: ModalMetadata,
                          names: Mapping[str, str]) -> dict[str, Any]:
    options = [Option(value=u, text=plain(names.get(u) or u)) for u in info.panel]
    blocks = [
        section(_about(t, info)),
        InputBlock(block_id=PANELIST_BLOCK, label=plain(t._("Remove from the panel"), 2000),
                   hint=plain(t._("A scorecard they submitted is kept, marked as from a "
                                  "removed panelist; their reminders stop."), 2000),
                   element=StaticSelectElement(action_id=PANELIST_BLOCK, options=options)),
    ]
    # Translators: modal title, max 24 characters
    return _modal(REMOVE_PANELIST_CALLBACK, t._("Remove panelist"),
                  # Translators: modal button, max 24 characters
                  t._("Remove"),
                  # Translators: modal button, max 24 characters
                  t._("Close"), meta, blocks)


# ---------------------------------------------------------------------------- thread notes


def _when(t: Translator, moment: datetime, tz: str, fmt: str = "{date_short_pretty} {time}"
          ) -> str:
    return date_token(moment, fallback=t.datetime(moment, tz), fmt=fmt)


def _panel_line(t: Translator, panel: Sequence[str]) -> Block:
    return context(t._("Panel: {people}", people=", ".join(user(p) for p in panel)))


def rescheduled_note(t: Translator, actor_id: str, starts_at: datetime, ends_at: datetime,
                     debrief_at: datetime, panel: Sequence[str], tz: str) -> Message:
    text = t._("Rescheduled by {who}: the interview is now {start} – {end}, the debrief "
               "{debrief}. Your kits and reminders have moved too.", who=user(actor_id),
               start=_when(t, starts_at, tz), end=_when(t, ends_at, tz, "{time}"),
               debrief=_when(t, debrief_at, tz))
    return Message(text=text, blocks=to_dicts([section(text), _panel_line(t, panel)]))


def cancelled_note(t: Translator, interview_id: int, actor_id: str,
                   panel: Sequence[str]) -> Message:
    text = t._("Interview {id} was cancelled by {who}. No reminders will come; the "
               "scorecards are locked.", id=interview_id, who=user(actor_id))
    return Message(text=text, blocks=to_dicts([section(text), _panel_line(t, panel)]))


def panelist_added_note(t: Translator, actor_id: str, added: str) -> Message:
    text = t._("{who} added {panelist} to the panel. The focus categories are shared out "
               "again: check your kit.", who=user(actor_id), panelist=user(added))
    return Message(text=text, blocks=to_dicts([section(text)]))


def panelist_removed_note(t: Translator, actor_id: str, removed: str) -> Message:
    text = t._("{who} removed {panelist} from the panel. The focus categories are shared "
               "out again: check your kit.", who=user(actor_id), panelist=user(removed))
    return Message(text=text, blocks=to_dicts([section(text)]))


def removed_from_panel_message(t: Translator, interview_id: int) -> Message:
    """What the removed panelist's kit DM becomes."""
    text = t._("You are no longer on the panel of interview {id}; nothing more to do.",
               id=interview_id)
    return Message(text=text, blocks=to_dicts([section(text)]))


