"""The `/interview new` setup modal (callback_id `new_interview`): building it and reading
back what the recruiter submitted.

Text is workspace-level (DEFAULT_LANGUAGE): the interview's language is the chosen set's,
unknown until it is chosen. Times are Slack datetimepickers: Slack shows them in the user's
own time zone and sends epoch seconds, stored as UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ConversationFilter,
    ConversationSelectElement,
    DateTimePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core.question_sets import QuestionSet
from bot.i18n import Translator, length_text
from bot.setup.service import (
    CANDIDATE_BLOCK,
    CHANNEL_BLOCK,
    DEBRIEF_AT_BLOCK,
    DEFAULT_LENGTH_MINUTES,
    HIRING_LEAD_BLOCK,
    LENGTH_BLOCK,
    LENGTH_MINUTES,
    LINK_BLOCK,
    MAX_PANEL,
    NAME_MAX_LENGTH,
    NOTE_BLOCK,
    NOTE_MAX_LENGTH,
    PANEL_BLOCK,
    QUESTION_SET_BLOCK,
    ROLE_BLOCK,
    ROLE_MAX_LENGTH,
    STARTS_AT_BLOCK,
    NewInterviewForm,
    parse_question_set_value,
    question_set_value,
)
from bot.slack.blocks import clip, plain

CALLBACK_ID = "new_interview"
MAX_OPTIONS = 100  # Slack's limit for a select; a library with more sets shows the first 100
METADATA_LIMIT = 3000


@dataclass(frozen=True)
class SetupMetadata:
    """Where the command was run, for the answer after the modal closes when Slack gives
    no response URL for it (see `response_url`)."""

    channel_id: str | None = None

    def encode(self) -> str:
        return json.dumps({"c": self.channel_id} if self.channel_id else {},
                          separators=(",", ":"))


def decode_metadata(raw: str | None) -> SetupMetadata:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return SetupMetadata()
    channel = data.get("c") if isinstance(data, dict) else None
    return SetupMetadata(channel if isinstance(channel, str) else None)


def response_url(body: dict[str, Any]) -> str | None:
    """The response URL Slack sent with this submission for the plan's channel (the
    channel picker has response_url_enabled): it reaches the recruiter there even in a
    private channel the bot is not in. Only a URL from the submission itself is used,
    never one from private_metadata, which the client controls."""
    for item in body.get("response_urls") or []:
        if isinstance(item, dict) and item.get("block_id") == CHANNEL_BLOCK:
            url = item.get("response_url")
            return url if isinstance(url, str) else None
    return None


def default_start(now: datetime) -> datetime:
    """A day from now, at the next full hour."""
    later = now.astimezone(UTC) + timedelta(days=1)
    return later.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class NewInterviewModal:
    def __init__(self, t: Translator, question_sets: Sequence[QuestionSet],
                 default_language: str) -> None:
        self.t = t
        self.question_sets = list(question_sets)[:MAX_OPTIONS]
        self.default_language = default_language

    # ------------------------------------------------------------------ building

    def view(self, *, recruiter_id: str, channel_id: str | None, now: datetime,
             candidate_name: str = "", metadata: SetupMetadata | None = None) -> dict[str, Any]:
        t = self.t
        starts = default_start(now)
        blocks: list[Block] = [
            InputBlock(
                block_id=CANDIDATE_BLOCK, label=plain(t._("Candidate name"), 2000),
                element=PlainTextInputElement(
                    action_id=CANDIDATE_BLOCK, max_length=NAME_MAX_LENGTH,
                    initial_value=clip(candidate_name.strip(), NAME_MAX_LENGTH) or None,
                    focus_on_load=not candidate_name.strip()),
            ),
            InputBlock(
                block_id=ROLE_BLOCK, label=plain(t._("Role"), 2000),
                element=PlainTextInputElement(
                    action_id=ROLE_BLOCK, max_length=ROLE_MAX_LENGTH,
                    placeholder=plain(t._("e.g. Customer support agent"), 150),
                    focus_on_load=bool(candidate_name.strip())),
            ),
            self._question_set_block(),
            InputBlock(
                block_id=PANEL_BLOCK, label=plain(t._("Panelists"), 2000),
                hint=plain(t._("1 to {n} people. Each gets focus categories and their "
                               "questions in a DM.", n=MAX_PANEL), 2000),
                element=UserMultiSelectElement(action_id=PANEL_BLOCK,
                                               max_selected_items=MAX_PANEL),
            ),
            InputBlock(
                block_id=HIRING_LEAD_BLOCK, label=plain(t._("Hiring lead"), 2000),
                element=UserSelectElement(action_id=HIRING_LEAD_BLOCK, initial_user=recruiter_id),
            ),
            InputBlock(
                block_id=CHANNEL_BLOCK, label=plain(t._("Channel for the plan"), 2000),
                hint=plain(t._("The plan shows the panel and the times, never the questions."),
                           2000),
                element=ConversationSelectElement(
                    action_id=CHANNEL_BLOCK, response_url_enabled=True,
                    initial_conversation=channel_id if _is_channel(channel_id) else None,
                    filter=ConversationFilter(include=["public", "private"],
                                              exclude_bot_users=True)),
            ),
            InputBlock(
                block_id=STARTS_AT_BLOCK, label=plain(t._("Interview start"), 2000),
                hint=plain(t._("In your time zone; everyone sees it in their own."), 2000),
                element=DateTimePickerElement(action_id=STARTS_AT_BLOCK,
                                              initial_date_time=int(starts.timestamp())),
            ),
            InputBlock(
                block_id=LENGTH_BLOCK, label=plain(t._("Interview length"), 2000),
                element=self._length_select(),
            ),
            InputBlock(
                block_id=DEBRIEF_AT_BLOCK, label=plain(t._("Debrief"), 2000),
                hint=plain(t._("The consensus summary is posted at this time."), 2000),
                element=DateTimePickerElement(
                    action_id=DEBRIEF_AT_BLOCK,
                    initial_date_time=int((starts + timedelta(days=1)).timestamp())),
            ),
            InputBlock(
                block_id=LINK_BLOCK, label=plain(t._("Candidate link"), 2000), optional=True,
                hint=plain(t._("The CV or the candidate's page in your ATS."), 2000),
                element=UrlInputElement(action_id=LINK_BLOCK,
                                        placeholder=plain("https://", 150)),
            ),
            InputBlock(
                block_id=NOTE_BLOCK, label=plain(t._("Note for the panel"), 2000),
                optional=True,
                element=PlainTextInputElement(action_id=NOTE_BLOCK, multiline=True,
                                              max_length=NOTE_MAX_LENGTH),
            ),
        ]
        return View(
            type="modal",
            callback_id=CALLBACK_ID,
            # Translators: modal title, max 24 characters
            title=plain(t._("New interview"), 24),
            # Translators: modal button, max 24 characters
            submit=plain(t._("Create"), 24),
            # Translators: modal button, max 24 characters
            close=plain(t._("Cancel"), 24),
            private_metadata=(metadata or SetupMetadata(channel_id)).encode(),
            blocks=blocks,
        ).to_dict()

    def _question_set_block(self) -> Block:
        t = self.t
        options = [Option(value=question_set_value(s), text=plain(f"{s.name} ({s.language})"))
                   for s in self.question_sets]
        preferred = next((o for o, s in zip(options, self.question_sets, strict=True)
                          if s.language == self.default_language), options[0] if options else None)
        return InputBlock(
            block_id=QUESTION_SET_BLOCK, label=plain(t._("Question set"), 2000),
            hint=plain(t._("The plan, the kits and the scorecards use the set's language."),
                       2000),
            element=StaticSelectElement(action_id=QUESTION_SET_BLOCK, options=options,
                                        initial_option=preferred),
        )

    def _length_select(self) -> StaticSelectElement:
        options = [Option(value=str(m), text=plain(length_text(self.t, m)))
                   for m in LENGTH_MINUTES]
        initial = options[LENGTH_MINUTES.index(DEFAULT_LENGTH_MINUTES)]
        return StaticSelectElement(action_id=LENGTH_BLOCK, options=options,
                                   initial_option=initial)

    # ------------------------------------------------------------------ reading

    @staticmethod
    def read(values: Mapping[str, Any] | None) -> NewInterviewForm:
        """The submitted state (view.state.values) as a form; missing fields are empty."""
        values = values or {}

        def state(block_id: str) -> Mapping[str, Any]:
            found = (values.get(block_id) or {}).get(block_id)
            return found if isinstance(found, Mapping) else {}

        set_id, language = parse_question_set_value(
            (state(QUESTION_SET_BLOCK).get("selected_option") or {}).get("value"))
        length = (state(LENGTH_BLOCK).get("selected_option") or {}).get("value")
        return NewInterviewForm(
            candidate_name=state(CANDIDATE_BLOCK).get("value") or "",
            role=state(ROLE_BLOCK).get("value") or "",
            question_set_id=set_id,
            language=language,
            panel=tuple(state(PANEL_BLOCK).get("selected_users") or ()),
            hiring_lead_id=state(HIRING_LEAD_BLOCK).get("selected_user"),
            channel_id=state(CHANNEL_BLOCK).get("selected_conversation"),
            starts_at=_moment(state(STARTS_AT_BLOCK).get("selected_date_time")),
            length_minutes=int(str(length)) if str(length or "").isdigit() else None,
            debrief_at=_moment(state(DEBRIEF_AT_BLOCK).get("selected_date_time")),
            candidate_link=state(LINK_BLOCK).get("value"),
            note=state(NOTE_BLOCK).get("value"),
        )


def _is_channel(channel_id: str | None) -> bool:
    # The select lists channels only: a DM (D…) cannot be its initial value.
    return bool(channel_id) and str(channel_id)[:1] in ("C", "G")


def _moment(epoch: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
