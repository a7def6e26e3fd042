"""Claiming rows for one process among several: the reminders and the deferred jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session


def claim_rows(session: Session, model: Any, where: Sequence[Any], order_by: Sequence[Any],
               limit: int, values: dict[str, Any]) -> list[int]:
    """Write `values` (the claim) on up to `limit` rows of `model` that match `where`,
    first by `order_by`, and return their ids. PostgreSQL: SELECT ... FOR UPDATE SKIP
    LOCKED, then UPDATE, so processes never wait on, or take, each other's rows. SQLite:
    one conditional UPDATE (the write lock is taken at BEGIN, so claims are serialised);
    its ids come back sorted."""
    first = select(model.id).where(*where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(first.with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(model).where(model.id.in_(ids)).values(**values)
                            .execution_options(synchronize_session=False))
        return ids
    claimed = session.scalars(
        update(model).where(model.id.in_(first.scalar_subquery()), *where)
        .values(**values).returning(model.id).execution_options(synchronize_session=False))
    return sorted(claimed)
