"""The `/interview new` setup modal (callback_id `new_interview`): building it and reading
back what the recruiter submitted. Two variants: a new candidate (name, role, link, how
the loop is debriefed), or the next round of an earlier candidate, picked at the top
(`earlier_candidate`, which redraws the modal) or fixed by "Add a round" on a plan.

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
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core.question_sets import QUESTIONS_PER_CATEGORY_MAX, QuestionSet
from bot.core.selection import PER_CATEGORY_CHOICES
from bot.i18n import Translator, length_text
from bot.setup.service import (
    CANDIDATE_BLOCK,
    CHANNEL_BLOCK,
    DEBRIEF_AT_BLOCK,
    DEBRIEF_MODE_BLOCK,
    DEFAULT_LENGTH_MINUTES,
    EARLIER_CANDIDATE_BLOCK,
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
    QUESTIONS_BLOCK,
    ROLE_BLOCK,
    ROLE_MAX_LENGTH,
    STARTS_AT_BLOCK,
    CandidateChoice,
    NewInterviewForm,
    parse_question_set_value,
    question_set_value,
)
from bot.slack.blocks import clip, plain
from bot.slack.mrkdwn import escape
from bot.workspace_sets import SetEntry, own_version_id

CALLBACK_ID = "new_interview"
NEW_CANDIDATE = "new"  # the earlier-candidate choice's value for "a new candidate"
TOGETHER, PER_ROUND = "together", "per_round"  # the debrief mode's values
FIT_TO_LENGTH, EVERY_QUESTION = "fit", "all"  # questions per category besides the numbers
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
                 default_language: str, own_sets: Sequence[SetEntry] = ()) -> None:
        """`question_sets`: the sets from files; `own_sets`: the workspace's own, listed
        first in a group of their own."""
        self.t = t
        self.own_sets = list(own_sets)[:MAX_OPTIONS]
        self.question_sets = list(question_sets)[:MAX_OPTIONS - len(self.own_sets)]
        self.default_language = default_language

    # ------------------------------------------------------------------ building

    def view(self, *, recruiter_id: str, channel_id: str | None, now: datetime,
             candidate_name: str = "", metadata: SetupMetadata | None = None,
             candidates: Sequence[CandidateChoice] = (),
             chosen: CandidateChoice | None = None) -> dict[str, Any]:
        """The modal: for a new candidate, or (`chosen`) the next round of an earlier one.
        `candidates` are the earlier ones the recruiter may pick at the top."""
        t = self.t
        starts = default_start(now)
        choices = list(candidates)
        if chosen is not None and all(c.candidate_id != chosen.candidate_id for c in choices):
            choices.insert(0, chosen)
        blocks: list[Block] = []
        if choices:
            blocks.append(self._earlier_candidate_block(choices, chosen))
        if chosen is None:
            blocks += self._new_candidate_blocks(candidate_name)
        else:
            blocks.append(self._round_line(chosen))
        lead = chosen.hiring_lead_id if chosen else recruiter_id
        channel = chosen.channel_id if chosen else channel_id
        blocks += [
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
                element=UserSelectElement(action_id=HIRING_LEAD_BLOCK, initial_user=lead),
            ),
            InputBlock(
                block_id=CHANNEL_BLOCK, label=plain(t._("Channel for the plan"), 2000),
                hint=plain(t._("The plan shows the panel and the times, never the questions."),
                           2000),
                element=ConversationSelectElement(
                    action_id=CHANNEL_BLOCK, response_url_enabled=True,
                    initial_conversation=channel if _is_channel(channel) else None,
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
            self._questions_block(),
            InputBlock(
                block_id=DEBRIEF_AT_BLOCK, label=plain(t._("Debrief"), 2000),
                hint=plain(self._debrief_hint(chosen), 2000),
                element=DateTimePickerElement(
                    action_id=DEBRIEF_AT_BLOCK,
                    initial_date_time=int((starts + timedelta(days=1)).timestamp())),
            ),
        ]
        if chosen is None:
            blocks.append(InputBlock(
                block_id=LINK_BLOCK, label=plain(t._("Candidate link"), 2000), optional=True,
                hint=plain(t._("The CV or the candidate's page in your ATS."), 2000),
                element=UrlInputElement(action_id=LINK_BLOCK,
                                        placeholder=plain("https://", 150)),
            ))
        blocks.append(InputBlock(
            block_id=NOTE_BLOCK, label=plain(t._("Note for the panel"), 2000),
            optional=True,
            element=PlainTextInputElement(action_id=NOTE_BLOCK, multiline=True,
                                          max_length=NOTE_MAX_LENGTH),
        ))
        if chosen is None:
            blocks.append(self._debrief_mode_block())
        # Translators: modal title, max 24 characters
        title = t._("New interview") if chosen is None else t._("Next round")
        return View(
            type="modal",
            callback_id=CALLBACK_ID,
            title=plain(title, 24),
            # Translators: modal button, max 24 characters
            submit=plain(t._("Create"), 24),
            # Translators: modal button, max 24 characters
            close=plain(t._("Cancel"), 24),
            private_metadata=(metadata or SetupMetadata(channel_id)).encode(),
            blocks=blocks,
        ).to_dict()

    def _new_candidate_blocks(self, candidate_name: str) -> list[Block]:
        t = self.t
        return [
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
        ]

    def _earlier_candidate_block(self, choices: Sequence[CandidateChoice],
                                 chosen: CandidateChoice | None) -> Block:
        """A new candidate, or the next round for one of the recruiter's earlier ones,
        grouped by role; choosing redraws the modal (dispatch_action)."""
        t = self.t
        new = Option(value=NEW_CANDIDATE, text=plain(t._("A new candidate"), 75))
        by_role: dict[str, list[Option]] = {}
        picked = new
        for choice in choices[:MAX_OPTIONS - 1]:
            option = Option(value=str(choice.candidate_id), text=plain(
                t.ngettext("{name} · {n} round", "{name} · {n} rounds", choice.rounds,
                           name=choice.name), 75))
            by_role.setdefault(choice.role, []).append(option)
            if chosen is not None and choice.candidate_id == chosen.candidate_id:
                picked = option
        groups = [OptionGroup(label=plain(t._("New"), 75), options=[new])]
        groups += [OptionGroup(label=plain(role, 75), options=options)
                   for role, options in list(by_role.items())[:MAX_OPTIONS - 1]]
        return InputBlock(
            block_id=EARLIER_CANDIDATE_BLOCK, label=plain(t._("Candidate"), 2000),
            dispatch_action=True,
            hint=plain(t._("Pick an earlier candidate to add their next round: one loop, "
                           "one debrief."), 2000),
            element=StaticSelectElement(action_id=EARLIER_CANDIDATE_BLOCK,
                                        option_groups=groups, initial_option=picked),
        )

    def _round_line(self, chosen: CandidateChoice) -> Block:
        t = self.t
        text = t._("Round {n} for *{candidate}* · {role}", n=chosen.rounds + 1,
                   candidate=escape(chosen.name), role=escape(chosen.role))
        return ContextBlock(elements=[MarkdownTextObject(text=clip(text, 3000))])

    def _debrief_hint(self, chosen: CandidateChoice | None) -> str:
        t = self.t
        if chosen is not None and not chosen.debrief_per_round:
            return t._("One debrief covers every round of {candidate}: this moves it for "
                       "all of them.", candidate=chosen.name)
        return t._("The consensus summary is posted at this time.")

    def _debrief_mode_block(self) -> Block:
        t = self.t
        together = Option(value=TOGETHER,
                          text=plain(t._("One debrief after the candidate's last round"), 75))
        per_round = Option(value=PER_ROUND, text=plain(t._("A debrief after each round"), 75))
        return InputBlock(
            block_id=DEBRIEF_MODE_BLOCK, label=plain(t._("If there are more rounds"), 2000),
            element=RadioButtonsElement(action_id=DEBRIEF_MODE_BLOCK,
                                        options=[together, per_round],
                                        initial_option=together),
        )

    def _question_set_block(self) -> Block:
        """The sets from files, and the workspace's own in a group of their own above them
        (each its latest published version)."""
        t = self.t
        shipped = [(Option(value=question_set_value(s), text=plain(f"{s.name} ({s.language})")),
                    s) for s in self.question_sets]
        own = [(Option(value=e.value, text=plain(t._(
            "{name} ({language}) · version {n}", name=e.question_set.name,
            language=e.question_set.language, n=e.version or 1))), e.question_set)
            for e in self.own_sets]
        listed = own + shipped
        preferred = next((o for o, s in listed if s.language == self.default_language),
                         listed[0][0] if listed else None)
        if own:
            groups = [OptionGroup(label=plain(t._("Your workspace's sets"), 75),
                                  options=[o for o, _ in own])]
            if shipped:
                groups.append(OptionGroup(label=plain(t._("Shipped with interview-bot"), 75),
                                          options=[o for o, _ in shipped]))
            element = StaticSelectElement(action_id=QUESTION_SET_BLOCK, option_groups=groups,
                                          initial_option=preferred)
        else:
            element = StaticSelectElement(action_id=QUESTION_SET_BLOCK,
                                          options=[o for o, _ in shipped],
                                          initial_option=preferred)
        return InputBlock(
            block_id=QUESTION_SET_BLOCK, label=plain(t._("Question set"), 2000),
            hint=plain(t._("The plan, the kits and the scorecards use the set's language. "
                           "Upload your own with /interview sets."), 2000),
            element=element,
        )

    def _questions_block(self) -> Block:
        t = self.t
        fit = Option(value=FIT_TO_LENGTH, text=plain(t._("As many as fit the length")))
        options = [fit] + [Option(value=str(n), text=plain(t.ngettext(
            "{n} question per category", "{n} questions per category", n)))
            for n in PER_CATEGORY_CHOICES]
        options.append(Option(value=EVERY_QUESTION, text=plain(t._("Every question"))))
        return InputBlock(
            block_id=QUESTIONS_BLOCK, label=plain(t._("Questions per category"), 2000),
            hint=plain(t._("As many as fit: 10 minutes for the opening and the candidate's "
                           "questions, then about 4 minutes a question (60 minutes: 12 "
                           "questions). The kits list the others as spares."), 2000),
            element=StaticSelectElement(action_id=QUESTIONS_BLOCK, options=options,
                                        initial_option=fit),
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

        set_value = (state(QUESTION_SET_BLOCK).get("selected_option") or {}).get("value")
        set_id, language = parse_question_set_value(set_value)
        questions = (state(QUESTIONS_BLOCK).get("selected_option") or {}).get("value")
        earlier = (state(EARLIER_CANDIDATE_BLOCK).get("selected_option") or {}).get("value")
        mode = (state(DEBRIEF_MODE_BLOCK).get("selected_option") or {}).get("value")
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
            candidate_id=chosen_candidate(earlier),
            debrief_per_round=mode == PER_ROUND,
            question_set_version_id=own_version_id(set_value),
            questions_per_category=_questions_per_category(questions),
        )


def chosen_candidate(value: Any) -> int | None:
    """The earlier candidate's id from the choice's value; None for a new candidate."""
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _questions_per_category(value: Any) -> int | None:
    if value == EVERY_QUESTION:
        return QUESTIONS_PER_CATEGORY_MAX
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _is_channel(channel_id: str | None) -> bool:
    # The select lists channels only: a DM (D…) cannot be its initial value.
    return bool(channel_id) and str(channel_id)[:1] in ("C", "G")


def _moment(epoch: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
