"""What a process would otherwise do during its first requests, done before it takes any.

Measured on the first scorecard submission a fresh worker answered: ~20 ms instead of ~10,
the slowest acks of a burst. The message catalogs are compiled (4-6 ms a language), Babel
loads its locale data (~9 ms), SQLAlchemy configures the mappers, and each statement is
compiled once per engine (~5-20 ms for the scorecard's seat). The first three are the same
in every process: the gunicorn master does them once, and the workers it forks share them.
The statements belong to each process's own engine.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Never a real workspace or user: the warm-up's lookups find nothing.
_NOBODY = "UWARMUP"
_NO_TEAM = "TWARMUP"


def warm_shared_caches() -> None:
    """Process-wide caches: in the master before it forks, or in a process of its own."""
    from sqlalchemy.orm import configure_mappers

    import models  # noqa: F401  (every mapped class, before configuring them)
    from bot.blocks.help import help_message
    from bot.i18n import LANGUAGES, translator

    configure_mappers()
    for language in LANGUAGES:
        t = translator(language)
        t.number(1.5)
        t.datetime(datetime(2026, 1, 1, tzinfo=UTC), "UTC")
        help_message(t)


def warm_statements(services: Services) -> None:
    """The statements answered before an ack, compiled into this process's engine: they
    run once, against the database, and find nothing."""
    from bot.errors import UserError
    from bot.scorecards import load_form

    try:
        load_form(services, _NO_TEAM, 0, _NOBODY)
    except UserError:
        pass  # nothing found, as intended: the statement is compiled
    except Exception:  # the database is away: the first request compiles it instead
        log.warning("could not warm up the database statements", exc_info=True)
