"""`/interview sets`, the recruiter's question sets: which sets the workspace has, who may
publish one, an uploaded file read into a draft version, publishing it, and any set as a
YAML file to edit.

The workspace's sets are versions in the table of question-set versions
(bot/workspace_sets.py). An upload that parses is stored as a `draft` (numbered after the
set's latest version) and previewed; publishing makes it the set's latest version. A draft
left unpublished is replaced by the next upload of the same set (id and language), so
version numbers count published versions without gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import delete, select

from bot.core.question_sets import NAME_MAX_LENGTH, QuestionSet
from bot.core.set_files import CsvDefaults, ParsedUpload, parse_upload, set_yaml, slug
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_, translator
from bot.interviews import log_event
from bot.people import PeopleUnavailable
from bot.services import Services
from bot.workspace_sets import (
    SetEntry,
    file_sets,
    own_entry,
    own_sets,
    resolve,
)
from models import QuestionSetStatus, QuestionSetVersion, reading, store_version, transaction

NOT_A_PUBLISHER = N_("Only the workspace's admins and owners, and the people named in the "
                     "QUESTION_SET_PUBLISHERS setting, may publish question sets. Ask one "
                     "of them to upload it, or ask whoever runs interview-bot to add you.")


@dataclass(frozen=True)
class Overview:
    """What `/interview sets` lists."""

    own: list[SetEntry]
    from_files: list[SetEntry]
    can_publish: bool


@dataclass(frozen=True)
class Draft:
    """An upload that parsed, stored for its preview."""

    version_id: int
    version: int
    question_set: QuestionSet
    latest: int | None  # the set's latest published version before this one
    already_published: bool  # the same document is that version: nothing to publish
    shadows_file_set: bool  # a set from a file has the same id and language


@dataclass(frozen=True)
class Published:
    question_set: QuestionSet
    version: int
    by: str
    at: datetime


# ---------------------------------------------------------------------------- who


def may_publish(services: Services, user_id: str) -> bool:
    """Workspace admins and owners, and the people in QUESTION_SET_PUBLISHERS."""
    if user_id in services.settings.publishers:
        return True
    person = services.users.get(user_id)  # raises PeopleUnavailable
    return bool(person and person.is_admin and not person.deleted)


def require_publisher(services: Services, user_id: str) -> None:
    """NotAllowed for someone who may not publish; PeopleUnavailable if Slack does not say."""
    if not may_publish(services, user_id):
        raise NotAllowed(NOT_A_PUBLISHER)


# ---------------------------------------------------------------------------- listing


def overview(services: Services, team_id: str, user_id: str) -> Overview:
    with reading(services.db) as session:
        own = own_sets(session, team_id)
        from_files = file_sets(session, services.question_sets)
    try:
        can_publish = may_publish(services, user_id)
    except PeopleUnavailable:
        can_publish = False
    return Overview(own=own, from_files=from_files, can_publish=can_publish)


def set_for(services: Services, team_id: str, value: str) -> SetEntry:
    """The set a list's button names (NotFound when it is not this workspace's to see)."""
    with reading(services.db) as session:
        entry = resolve(session, services.question_sets, team_id, value)
    if entry is None:
        raise NotFound(N_("That question set is not available any more; run /interview sets "
                          "for the current list."))
    return entry


def set_file(services: Services, team_id: str, value: str) -> tuple[str, str, SetEntry]:
    """(file name, YAML text, the set) to download: a shipped file as it is written,
    comments included; any other set written out from its stored version."""
    entry = set_for(services, team_id, value)
    question_set = entry.question_set
    name = f"{question_set.id}.{question_set.language}.yaml"
    source = None if entry.own else services.question_sets.source_text(question_set.key)
    return name, source if source is not None else set_yaml(question_set), entry


# ---------------------------------------------------------------------------- uploads


def read_upload(content: bytes, file_name: str, language: str) -> ParsedUpload:
    """The set in an uploaded file, or every problem with it; a CSV sheet is read with the
    defaults of `language` (`csv_defaults`)."""
    return parse_upload(content, file_name, csv_defaults(file_name, language))


def csv_defaults(file_name: str, language: str) -> CsvDefaults:
    """What a CSV sheet does not say: its name (the file's, "Sales team.csv" -> "Sales
    team"), and, in its language, a five-point scale and a category purpose."""
    t = translator(language)
    name = PurePath(file_name).stem.replace("_", " ").strip()[:NAME_MAX_LENGTH].strip()
    name = name or t._("Questions")
    labels = [N_("Poor"), N_("Weak"), N_("Adequate"), N_("Good"), N_("Excellent")]
    anchors = [
        # Translators: a rating scale anchor; with its label at most 60 characters
        N_("No relevant example or evidence"),
        # Translators: a rating scale anchor; with its label at most 60 characters
        N_("Vague, generic answer; little evidence"),
        # Translators: a rating scale anchor; with its label at most 60 characters
        N_("Sound answer with a simple example"),
        # Translators: a rating scale anchor; with its label at most 60 characters
        N_("Clear, concrete example that meets the need"),
        # Translators: a rating scale anchor; with its label at most 60 characters
        N_("Detailed example with results; exceeds expectations"),
    ]
    scale = [{"value": n, "label": t._(label), "anchor": t._(anchor)}
             for n, (label, anchor) in enumerate(zip(labels, anchors, strict=True), start=1)]
    return CsvDefaults(
        set_id=slug(name) or "questions", name=name, language=language,
        description=t._("Questions uploaded as the sheet {file}.", file=file_name)[:500],
        scale=scale,
        purpose=t._("Ask these questions and rate each answer on the scale."))


def store_draft(services: Services, team_id: str, user_id: str,
                question_set: QuestionSet) -> Draft:
    """The upload as a draft version of the workspace's set (the same document already
    stored is found, not stored twice), replacing an earlier unpublished draft of it."""
    document = question_set.to_snapshot()
    with transaction(services.db) as session:
        session.execute(delete(QuestionSetVersion).where(
            QuestionSetVersion.team_id == team_id,
            QuestionSetVersion.set_id == question_set.id,
            QuestionSetVersion.language == question_set.language,
            QuestionSetVersion.status == QuestionSetStatus.DRAFT))
        latest = session.scalar(
            select(QuestionSetVersion.version)
            .where(QuestionSetVersion.team_id == team_id,
                   QuestionSetVersion.set_id == question_set.id,
                   QuestionSetVersion.language == question_set.language,
                   QuestionSetVersion.status == QuestionSetStatus.PUBLISHED)
            .order_by(QuestionSetVersion.version.desc()).limit(1))
        row = store_version(session, document, team_id=team_id, created_by=user_id,
                            status=QuestionSetStatus.DRAFT, now=services.clock())
        session.flush()
        return Draft(version_id=row.id, version=row.version, question_set=question_set,
                     latest=latest,
                     already_published=row.status == QuestionSetStatus.PUBLISHED,
                     shadows_file_set=services.question_sets.get(*question_set.key)
                     is not None)


_GONE = N_("This preview is out of date (someone uploaded the set again meanwhile); upload "
           "your file again.")


def publish(services: Services, team_id: str, user_id: str, version_id: int) -> Published:
    """The draft becomes the set's latest published version, by `user_id`, now; publishing
    it again (a retried submission) finds it published. NotFound when the draft is gone."""
    require_publisher(services, user_id)
    with transaction(services.db) as session:
        query = select(QuestionSetVersion).where(QuestionSetVersion.id == version_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None or row.team_id != team_id:
            raise NotFound(_GONE)
        if row.status == QuestionSetStatus.DRAFT:
            row.status = QuestionSetStatus.PUBLISHED
            row.created_by, row.created_at = user_id, services.clock()
            log_event(session, None, user_id, "question_set_published", team_id=team_id,
                      question_set=row.set_id, language=row.language, version=row.version)
        entry = own_entry(row)
        return Published(entry.question_set, row.version, row.created_by or user_id,
                         row.created_at)
