"""`python -m bot.background --urgent-fd N --jobs-fd M`: a background process of
`interview-bot serve`.

Started by the gunicorn master once the schema is migrated, at a lower CPU priority than the
workers (a burst's acks come before the work they leave behind), it runs the deferred jobs
(bot/deferred.py) the workers hand over (bot/handoff.py). It stops when every process that
could hand it a job has closed its end, having finished what the table holds: on SIGTERM
the master stops the workers first, so their last jobs are done too. SIGTERM or Ctrl-C
sent to it directly only say so in the log (an orchestrator signals the whole process
group at once).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

# Nice level: +10 gives the workers' threads about ten times its share of a busy CPU.
NICENESS = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.background")
    parser.add_argument("--urgent-fd", type=int, required=True,
                        help="reading end of the hand-off's queue of urgent jobs")
    parser.add_argument("--jobs-fd", type=int, required=True,
                        help="reading end of the hand-off's queue of the other jobs")
    args = parser.parse_args(argv)
    # First: its imports then take CPU only where the workers, booting beside it, leave some.
    os.nice(NICENESS)

    from bot.app import build_services
    from bot.deferred import BackgroundRunner
    from bot.handoff import HandOff
    from bot.logs import configure_logging
    from bot.reminders import worker_id
    from bot.serve import limit_malloc_arenas, steady_gc, worker_engine
    from bot.settings import load_settings
    from bot.warm import warm_shared_caches, warm_statements

    limit_malloc_arenas()
    settings = load_settings()
    configure_logging(settings.log_level, [settings.slack_signing_secret.get_secret_value()],
                      json_lines=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _wait_for_the_workers)
    services = build_services(settings, engine=worker_engine(settings))
    warm_shared_caches()
    warm_statements(services)
    steady_gc()
    log.info("Background jobs process started (nice +%s)", NICENESS)
    try:
        BackgroundRunner(services, HandOff.reading_end(args.urgent_fd),
                         HandOff.reading_end(args.jobs_fd), worker_id()).run()
    finally:
        services.engine.dispose()
    log.info("Background jobs process stopped: every job is done")
    return 0


def _wait_for_the_workers(signum: int, _frame: object) -> None:
    log.info("%s: stopping once the workers have stopped and every job is done",
             signal.Signals(signum).name)


if __name__ == "__main__":
    sys.exit(main())
