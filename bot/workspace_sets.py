"""The question sets a workspace can use: the sets from files (shipped with the app, or in
QUESTION_SETS_DIR), the same for every workspace, and the workspace's own, uploaded in
Slack (`/interview sets`) and published as numbered versions.

Both kinds live in the table of question-set versions (models/question_set.py): a set from
a file gets a row (team_id NULL) when an interview first uses it; a workspace's set gets a
row (team_id = the workspace) for every distinct document uploaded, a `draft` until it is
published. An interview points at the row it was created with, so publishing version 2
never changes an interview set up on version 1.

A workspace's set is offered by its version row's id ("v12" in a select or a button); a
set from a file by its id and language ("customer-service:en").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.question_sets import QuestionSet, QuestionSetLibrary
from models import QuestionSetStatus, QuestionSetVersion
from models.question_set import find_version

OWN_PREFIX = "v"


@dataclass(frozen=True)
class SetEntry:
    """One set a workspace can use, and where it comes from."""

    question_set: QuestionSet
    own: bool  # the workspace's own (uploaded in Slack); else from a file
    version: int | None  # own: its number; from a file: its stored copy's, if used yet
    version_id: int | None  # the version row, for own sets
    published_by: str | None = None
    published_at: datetime | None = None

    @property
    def value(self) -> str:
        """What a select option or a button carries to name this set."""
        if self.own and self.version_id is not None:
            return f"{OWN_PREFIX}{self.version_id}"
        return file_set_value(self.question_set)


def file_set_value(question_set: QuestionSet) -> str:
    """A set from a file by its id and language: set ids are slugs, so no `:`."""
    return f"{question_set.id}:{question_set.language}"


def own_version_id(value: str | None) -> int | None:
    """The version row's id in a workspace set's value ("v12" -> 12), else None."""
    if value and value.startswith(OWN_PREFIX) and value[len(OWN_PREFIX):].isdigit():
        return int(value[len(OWN_PREFIX):])
    return None


def file_set_key(value: str | None) -> tuple[str, str] | None:
    """(id, language) from a file set's value, else None."""
    if not value or ":" not in value:
        return None
    set_id, _, language = value.partition(":")
    return (set_id, language) if set_id and language else None


# ---------------------------------------------------------------------------- reading


def own_sets(session: Session, team_id: str) -> list[SetEntry]:
    """The workspace's sets: the latest published version of each (set, language), by
    name. Reads the documents of those versions only."""
    heads = session.execute(
        select(QuestionSetVersion.id, QuestionSetVersion.set_id, QuestionSetVersion.language,
               QuestionSetVersion.version)
        .where(QuestionSetVersion.team_id == team_id,
               QuestionSetVersion.status == QuestionSetStatus.PUBLISHED)).all()
    latest: dict[tuple[str, str], tuple[int, int]] = {}
    for row_id, set_id, language, version in heads:
        key = (set_id, language)
        if key not in latest or version > latest[key][1]:
            latest[key] = (version, row_id)
    ids = [row_id for _, row_id in latest.values()]
    rows = session.scalars(select(QuestionSetVersion).where(QuestionSetVersion.id.in_(ids)))
    entries = [own_entry(row) for row in rows]
    return sorted(entries, key=lambda e: (e.question_set.name.casefold(),
                                          e.question_set.language, e.question_set.id))


def file_sets(session: Session | None, library: QuestionSetLibrary) -> list[SetEntry]:
    """The sets from files; with a session, each with the number of its stored copy (the
    version interviews on it point at), if one is stored."""
    entries = []
    for question_set in library:
        stored = find_version(session, question_set.to_snapshot()) if session else None
        entries.append(SetEntry(question_set, own=False,
                                version=stored.version if stored else None,
                                version_id=stored.id if stored else None))
    return entries


def own_version(session: Session, team_id: str, version_id: int, *,
                drafts: bool = False) -> QuestionSetVersion | None:
    """One of the workspace's versions by id: published ones, and drafts if asked; None for
    another workspace's, a set from a file, or a missing id."""
    row = session.get(QuestionSetVersion, version_id)
    if row is None or row.team_id != team_id:
        return None
    if row.status != QuestionSetStatus.PUBLISHED and not drafts:
        return None
    return row


def own_entry(row: QuestionSetVersion) -> SetEntry:
    return SetEntry(parsed(row), own=True, version=row.version, version_id=row.id,
                    published_by=row.created_by, published_at=row.created_at)


def resolve(session: Session, library: QuestionSetLibrary, team_id: str,
            value: str | None) -> SetEntry | None:
    """The set a value names, if this workspace may use it: its own published version, or
    a set from a file."""
    version_id = own_version_id(value)
    if version_id is not None:
        row = own_version(session, team_id, version_id)
        return own_entry(row) if row is not None else None
    key = file_set_key(value)
    found = library.get(*key) if key else None
    return SetEntry(found, own=False, version=None, version_id=None) if found else None


_PARSED: dict[str, QuestionSet] = {}  # content hash -> the set
_PARSED_MAX = 128
_PARSED_LOCK = threading.Lock()


def parsed(row: QuestionSetVersion) -> QuestionSet:
    """A version's set, parsed once per process per distinct content."""
    with _PARSED_LOCK:
        found = _PARSED.get(row.content_hash)
    if found is not None:
        return found
    question_set = QuestionSet.from_snapshot(row.document)
    with _PARSED_LOCK:
        _PARSED[row.content_hash] = question_set
        while len(_PARSED) > _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
    return question_set
