"""Question-set versions: every question-set document the app has used or been given, stored
once per distinct content.

An interview points at the version it was created with (`Interview.question_set_version`),
so editing a set later never changes an old interview, and 100,000 interviews on three
sets hold three documents, not 100,000 copies.

Who owns a version: `team_id` NULL for sets that come from files (shipped with the app or
in QUESTION_SETS_DIR: the same for every workspace), a workspace's id for a set it manages
itself (issue 24). Within one owner a document is stored once (`content_hash`, unique per
owner): freezing or publishing an unchanged document finds the row that is there. Two
workspaces publishing the same text get a row each: each owns its versions (numbering,
history, deletion). The document's own `id` and `language` are the set's `set_id` and
`language`, so the hash covers them; `version` counts the owner's distinct documents of
one set in one language, 1, 2, ...

A version is `published` (usable for new interviews; every frozen copy is) or a `draft`
(uploaded, shown for preview, not yet published: issue 24). A row's document never
changes; publishing a draft changes only its status.
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class QuestionSetStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


def _partial(*columns: str, name: str, shared: bool) -> Index:
    """A unique index over the shared versions (team_id NULL) or the workspaces' ones:
    NULLs are distinct in a plain unique index on both databases."""
    where = text("team_id IS NULL" if shared else "team_id IS NOT NULL")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


class QuestionSetVersion(Base):
    __tablename__ = "question_set_versions"
    __table_args__ = (
        _partial("content_hash", name="uq_question_set_versions_shared_hash", shared=True),
        _partial("team_id", "content_hash", name="uq_question_set_versions_team_hash",
                 shared=False),
        _partial("set_id", "language", "version", name="uq_question_set_versions_shared_version",
                 shared=True),
        _partial("team_id", "set_id", "language", "version",
                 name="uq_question_set_versions_team_version", shared=False),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    set_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of `canonical_json`
    status: Mapped[QuestionSetStatus] = mapped_column(
        Enum(QuestionSetStatus, name="question_set_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=QuestionSetStatus.PUBLISHED)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32))


def canonical_json(document: dict[str, Any]) -> str:
    """The document as hashed: keys sorted, no insignificant whitespace, UTF-8 as is."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def find_version(session: Session, document: dict[str, Any],
                 team_id: str | None = None) -> QuestionSetVersion | None:
    """The owner's version with exactly this content, if stored."""
    owner = (QuestionSetVersion.team_id.is_(None) if team_id is None
             else QuestionSetVersion.team_id == team_id)
    return session.scalars(select(QuestionSetVersion).where(
        owner, QuestionSetVersion.content_hash == content_hash(document))).first()


def store_version(session: Session, document: dict[str, Any], *, team_id: str | None = None,
                  created_by: str | None = None,
                  status: QuestionSetStatus = QuestionSetStatus.PUBLISHED,
                  now: datetime | None = None) -> QuestionSetVersion:
    """The owner's version of this document: the stored one when the content is there
    already (whatever its status), else a new row numbered after the set's latest. The
    document must carry the set's `id` and `language`. Safe beside another process storing
    the same document at the same moment (PostgreSQL: a savepoint, then the winner's row)."""
    found = find_version(session, document, team_id)
    if found is not None:
        return found
    for _ in range(5):
        try:
            with session.begin_nested():
                row = QuestionSetVersion(
                    team_id=team_id, set_id=str(document["id"]),
                    language=str(document["language"]),
                    version=_next_version(session, team_id, document),
                    content_hash=content_hash(document), status=status, document=document,
                    created_at=now or utcnow(), created_by=created_by)
                session.add(row)
            return row
        except IntegrityError:  # another transaction stored it, or took that number
            found = find_version(session, document, team_id)
            if found is not None:
                return found
    raise RuntimeError(f"could not number a new version of {document['id']}")


def _next_version(session: Session, team_id: str | None, document: dict[str, Any]) -> int:
    owner = (QuestionSetVersion.team_id.is_(None) if team_id is None
             else QuestionSetVersion.team_id == team_id)
    latest = session.scalar(select(func.max(QuestionSetVersion.version)).where(
        owner, QuestionSetVersion.set_id == document["id"],
        QuestionSetVersion.language == document["language"]))
    return (latest or 0) + 1
