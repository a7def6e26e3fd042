"""`/interview sets` in Block Kit: the list of the workspace's sets with their buttons, the
upload modal (callback_id `upload_question_set`, a file input), its problems, the preview
of a set (callback_id `publish_question_set` when it can be published) and the answer
once it is.

Buttons: `upload_question_set`, `preview_question_set` and `download_question_set` (value:
the set, see bot/workspace_sets.py), each handled in handlers/actions/ by that name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot.core.question_sets import Msg, QuestionSet
from bot.core.set_files import (
    ANCHOR_SEPARATOR,
    CSV_SUFFIXES,
    MAX_UPLOAD_BYTES,
    YAML_SUFFIXES,
    UploadProblem,
)
from bot.i18n import LANGUAGES, Translator
from bot.sets.service import Draft, Overview, Published
from bot.slack.blocks import (
    Message,
    actions,
    button,
    chunk_lines,
    context,
    header,
    plain,
    section,
    to_dicts,
)
from bot.slack.mrkdwn import date_token, escape, user
from bot.workspace_sets import SetEntry

UPLOAD_CALLBACK = "upload_question_set"
PUBLISH_CALLBACK = "publish_question_set"
UPLOAD_ACTION = "upload_question_set"
PREVIEW_ACTION = "preview_question_set"
DOWNLOAD_ACTION = "download_question_set"
FILE_BLOCK = "question_set_file"
LANGUAGE_BLOCK = "question_set_language"
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
PREVIEW_QUESTIONS = 3  # the first questions of each category shown in a preview
LANGUAGE_NAMES = {"en": "English", "et": "eesti", "fi": "suomi"}  # each in itself


# ---------------------------------------------------------------------------- the list


def sets_message(t: Translator, overview: Overview) -> Message:
    """The sets this workspace can use, each with Preview and Download; Upload on top."""
    blocks: list[Block] = [
        # Translators: message header, max 150 characters
        header(t._("Question sets")),
        section(t._("The sets you can pick in `/interview new`. Download one as YAML to "
                    "edit it, then upload it: with the same id and language it becomes the "
                    "set's next version, and interviews already set up keep the version "
                    "they were created with.")),
        # Translators: button, max 30 characters
        actions(button(t._("Upload a set"), UPLOAD_ACTION, "upload", style="primary"),
                block_id="question_sets_upload"),
    ]
    groups = [(t._("*Your workspace's sets*"), overview.own),
              (t._("*Shipped with interview-bot, or in the server's files*"),
               overview.from_files)]
    if not overview.own:
        blocks.append(context(t._("Your workspace has no sets of its own yet.")))
    left_over: list[str] = []
    for title, entries in groups:
        if not entries:
            continue
        blocks.append(section(title))
        for entry in entries:
            if len(blocks) + 2 > MESSAGE_BLOCKS - 1:
                left_over.append(_set_line(t, entry))
                continue
            blocks += [section(_set_line(t, entry)), _set_buttons(t, entry)]
    if left_over:
        blocks += [section(text) for text in chunk_lines(left_over)][:1]
    return Message(text=t._("Question sets"), blocks=to_dicts(blocks))


def _set_line(t: Translator, entry: SetEntry) -> str:
    qs = entry.question_set
    counts = t.ngettext("{n} question", "{n} questions", qs.question_count) + " · " + \
        t.ngettext("{n} category", "{n} categories", len(qs.categories))
    line = f"*{escape(qs.name)}* ({qs.language}) · {counts}"
    if entry.own and entry.published_at is not None:
        when = date_token(entry.published_at, entry.published_at.date().isoformat(),
                          "{date_short_pretty}")
        by = user(entry.published_by) if entry.published_by else "?"
        return line + "\n" + t._("Version {n}, published by {user} on {date}",
                                 n=entry.version, user=by, date=when)
    if entry.version is not None:
        return line + "\n" + t._("Version {n} of the file, as interviews use it",
                                 n=entry.version)
    return line


def _set_buttons(t: Translator, entry: SetEntry) -> Block:
    return actions(
        # Translators: button, max 30 characters
        button(t._("Preview"), PREVIEW_ACTION, entry.value),
        # Translators: button, max 30 characters
        button(t._("Download YAML"), DOWNLOAD_ACTION, entry.value))


# ---------------------------------------------------------------------------- uploading


def upload_modal(t: Translator, default_language: str,
                 problems: Sequence[UploadProblem] = (), file_name: str = "") -> dict[str, Any]:
    """The file input and, for a CSV sheet, its language; after a file with problems,
    every problem above the input, to fix and upload again."""
    blocks: list[Block] = []
    if problems:
        lines = [problem_line(t, p) for p in problems]
        blocks.append(section(t.ngettext(
            ":warning: *{file}* has {n} problem. Fix it and upload the file again:",
            ":warning: *{file}* has {n} problems. Fix them and upload the file again:",
            len(problems), file=escape(file_name))))
        texts = chunk_lines([f"• {line}" for line in lines])
        room = MODAL_BLOCKS - 6
        blocks += [section(text) for text in texts[:room]]
        if len(texts) > room:
            blocks.append(context(t._("The list goes on; fix these first.")))
    separator = f"`{ANCHOR_SEPARATOR}`"
    blocks += [
        section(t._("Upload a question set as a *YAML* file in the format of the shipped "
                    "sets (download one from `/interview sets` to start from it), or a *CSV* "
                    "sheet with the columns category, question, guidance and anchors (one "
                    "anchor per scale point, separated by {separator}). At most {size} KB. "
                    "You see the set before it is published.",
                    separator=separator, size=MAX_UPLOAD_BYTES // 1000)),
        InputBlock(
            block_id=FILE_BLOCK, label=plain(t._("File"), 2000),
            element=FileInputElement(
                action_id=FILE_BLOCK, max_files=1,
                filetypes=[s.lstrip(".") for s in YAML_SUFFIXES + CSV_SUFFIXES])),
        _language_block(t, default_language),
    ]
    return View(
        type="modal", callback_id=UPLOAD_CALLBACK,
        # Translators: modal title, max 24 characters
        title=plain(t._("Upload a question set"), 24),
        # Translators: modal button, max 24 characters
        submit=plain(t._("Preview"), 24),
        # Translators: modal button, max 24 characters
        close=plain(t._("Cancel"), 24),
        blocks=blocks,
    ).to_dict()


def _language_block(t: Translator, default_language: str) -> Block:
    options = [Option(value=code, text=plain(LANGUAGE_NAMES[code])) for code in LANGUAGES]
    initial = next((o for o in options if o.value == default_language), options[0])
    return InputBlock(
        block_id=LANGUAGE_BLOCK, label=plain(t._("Language of a CSV sheet"), 2000),
        hint=plain(t._("A CSV sheet gets a five-point scale in this language. A YAML file "
                       "names its own language."), 2000),
        element=StaticSelectElement(action_id=LANGUAGE_BLOCK, options=options,
                                    initial_option=initial))


def read_upload_form(values: dict[str, Any] | None) -> tuple[list[dict[str, Any]], str | None]:
    """(the files picked, the language chosen) from a submitted upload modal."""
    values = values or {}
    files = ((values.get(FILE_BLOCK) or {}).get(FILE_BLOCK) or {}).get("files") or []
    option = ((values.get(LANGUAGE_BLOCK) or {}).get(LANGUAGE_BLOCK) or {}).get(
        "selected_option") or {}
    language = option.get("value")
    return [f for f in files if isinstance(f, dict)], language if language in LANGUAGES \
        else None


def problem_line(t: Translator, problem: UploadProblem) -> str:
    """One problem as mrkdwn: where (line, and a field or a CSV column) and what to do."""
    text = escape(render(t, problem.message))
    where = escape(problem.where)
    if problem.line is not None and problem.column is not None:
        return t._("Line {line}, column {column}: {problem}", line=problem.line,
                   column=problem.column, problem=text)
    if problem.line is not None and where:
        return t._("Line {line}, `{field}`: {problem}", line=problem.line, field=where,
                   problem=text)
    if problem.line is not None:
        return t._("Line {line}: {problem}", line=problem.line, problem=text)
    if where:
        return t._("`{field}`: {problem}", field=where, problem=text)
    return text


def render(t: Translator, message: str) -> str:
    """A problem's message in the translator's language (a plain str as it is)."""
    return message.render(t) if isinstance(message, Msg) else t._(message)


# ---------------------------------------------------------------------------- preview


def preview_modal(t: Translator, question_set: QuestionSet, *, draft: Draft | None = None,
                  entry: SetEntry | None = None) -> dict[str, Any]:
    """A set as the kit will show it: categories, question counts, the first questions.
    With a `draft` that can be published, the modal publishes it."""
    blocks = preview_blocks(t, question_set)
    publishable = draft is not None and not draft.already_published
    if draft is not None:
        blocks.insert(0, section(_draft_line(t, draft)))
    elif entry is not None:
        blocks.insert(0, context(_set_line(t, entry)))
    view: dict[str, Any] = {
        "type": "modal",
        # Translators: modal title, max 24 characters
        "title": plain(t._("Question set"), 24),
        # Translators: modal button, max 24 characters
        "close": plain(t._("Close") if not publishable else t._("Cancel"), 24),
        "blocks": blocks[:MODAL_BLOCKS],
    }
    if publishable and draft is not None:
        view.update(
            callback_id=PUBLISH_CALLBACK, private_metadata=str(draft.version_id),
            # Translators: modal button, max 24 characters
            submit=plain(t._("Publish"), 24))
    return View(**view).to_dict()


def _draft_line(t: Translator, draft: Draft) -> str:
    name = f"*{escape(draft.question_set.name)}* ({draft.question_set.language})"
    if draft.already_published:
        return t._(":information_source: This file is the same as {name} version {n}, which "
                   "is published already: there is nothing new to publish.", name=name,
                   n=draft.version)
    if draft.latest is None:
        text = t._("Publish this as a new set, {name}, version {n}?", name=name, n=draft.version)
    else:
        text = t._("Publish this as version {n} of {name}? Version {latest} is the latest "
                   "now; interviews already set up keep their version.", n=draft.version,
                   name=name, latest=draft.latest)
    if draft.shadows_file_set:
        text += "\n" + t._("A set shipped with interview-bot has the same id and language; "
                           "`/interview new` lists yours under your workspace's sets, beside "
                           "it.")
    return text


def preview_blocks(t: Translator, qs: QuestionSet) -> list[Block]:
    counts = t.ngettext("{n} question", "{n} questions", qs.question_count) + " · " + \
        t.ngettext("{n} category", "{n} categories", len(qs.categories))
    scale = " · ".join(f"{p.value} {escape(p.label)}" for p in qs.scale)
    blocks: list[Block] = [
        header(f"{qs.name} ({qs.language})"),
        section(f"{escape(qs.description)}\n{counts}\n" + t._("*Rating scale:* {scale}",
                                                             scale=scale)),
    ]
    for category in qs.categories:
        spares = [q for q in category.questions if q.spare]
        lines = [f"*{escape(category.name)}* · " + t.ngettext(
            "{n} question", "{n} questions", len(category.questions))
            + (" · " + t.ngettext("{n} spare", "{n} spares", len(spares)) if spares else "")]
        for question in category.questions[:PREVIEW_QUESTIONS]:
            own = " " + t._("_(own anchors)_") if qs.has_own_scale(question) else ""
            lines.append(f"• {escape(question.text)}{own}")
        if len(category.questions) > PREVIEW_QUESTIONS:
            lines.append(t.ngettext("_… and {n} more_", "_… and {n} more_",
                                    len(category.questions) - PREVIEW_QUESTIONS))
        blocks += [section(text) for text in chunk_lines(lines)]
    return blocks


def published_modal(t: Translator, published: Published) -> dict[str, Any]:
    qs = published.question_set
    return View(
        type="modal",
        # Translators: modal title, max 24 characters
        title=plain(t._("Published"), 24),
        # Translators: modal button, max 24 characters
        close=plain(t._("Done"), 24),
        blocks=[section(t._(":white_check_mark: *{name}* ({language}) version {n} is "
                            "published. New interviews can use it in `/interview new`; "
                            "interviews already set up keep the version they were created "
                            "with.", name=escape(qs.name), language=qs.language,
                            n=published.version))],
    ).to_dict()


def download_comment(t: Translator, name: str, entry: SetEntry) -> str:
    qs = entry.question_set
    if entry.own:
        return t._("{name} ({language}), version {n}, as YAML. Edit it and upload it with "
                   "`/interview sets` to publish the next version.", name=escape(qs.name),
                   language=qs.language, n=entry.version)
    return t._("{name} ({language}) as YAML. Edit it and upload it with `/interview sets` "
               "to make it your workspace's own.", name=escape(qs.name), language=qs.language)
