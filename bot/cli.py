"""The `interview-bot` command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    pass

log = logging.getLogger("interview_bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except SettingsError as error:
        print("interview-bot cannot start; fix these settings (in .env or the environment):",
              file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from bot.app import StartupError

        if isinstance(error, StartupError):
            print(f"interview-bot: {error}", file=sys.stderr)
            return 1
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interview-bot",
        description="A Slack app for structured panel interviews.",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser("demo", help="play a whole interview against a local Slack "
                          "stand-in: no workspace, no tokens, no .env")
    demo.add_argument("--language", choices=("en", "et", "fi"), default="en",
                      help="the question set's language, used by everything the app says")
    demo.add_argument("--database-url", help="keep the database here (default: a temporary "
                      "SQLite file, removed at the end)")
    demo.add_argument("--quiet", action="store_true", help="print only the steps and checks")
    demo.add_argument("--full", action="store_true", help="show long texts in full")
    demo.add_argument("--second-round", action="store_true",
                      help="add a second round (a work sample) before the one debrief")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="run the app (Socket Mode if SLACK_APP_TOKEN is set, "
                         "else HTTP on PORT at /slack/events)")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="production HTTP: WEB_CONCURRENCY gunicorn workers "
                           "on PORT, /slack/events and /healthz, JSON logs")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="upgrade the database schema to the latest version")
    migrate.set_defaults(func=cmd_migrate)

    qs = sub.add_parser("question-sets", help="list or check question sets")
    qs_sub = qs.add_subparsers(title="question-sets commands", metavar="ACTION", required=True)
    qs_list = qs_sub.add_parser("list", help="the sets found (shipped and QUESTION_SETS_DIR)")
    qs_list.set_defaults(func=cmd_question_sets_list)
    qs_check = qs_sub.add_parser("check", help="validate files or directories; non-zero exit "
                                 "on any problem")
    qs_check.add_argument("paths", nargs="*", type=Path, help="YAML files or directories "
                          "(default: the shipped sets and QUESTION_SETS_DIR)")
    qs_check.set_defaults(func=cmd_question_sets_check)

    export = sub.add_parser("export", help="one interview as CSV (one row per rating) or JSON "
                            "(everything), to stdout or a file")
    export.add_argument("interview_id", help="the interview's number, e.g. 12")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", type=Path, help="write to this file (default: stdout)")
    export.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="interviewer calibration (leniency, timeliness) "
                            "of every interviewer, as CSV or JSON")
    report.add_argument("--since", type=_date, required=True,
                        help="interviews that ended on or after this day, e.g. 2026-01-01")
    report.add_argument("--team", help="one workspace's id (default: every workspace)")
    report.add_argument("--format", choices=("csv", "json"), default="csv")
    report.add_argument("--output", "-o", type=Path, help="write to this file (default: stdout)")
    report.set_defaults(func=cmd_report)
    return parser


def _date(raw: str) -> datetime:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date like 2026-01-01") from None


def cmd_demo(args: argparse.Namespace) -> int:
    import os
    import shutil

    from bot.demo.play import DemoOptions, run_demo

    logging.basicConfig(level=logging.WARNING, format="   app log: %(levelname)s %(name)s: "
                        "%(message)s")
    tty = sys.stdout.isatty()
    if hasattr(sys.stdout, "reconfigure"):  # a terminal that cannot show │ or õ gets "?"
        sys.stdout.reconfigure(errors="replace")
    options = DemoOptions(
        language=args.language, database_url=args.database_url, quiet=args.quiet,
        full=args.full, second_round=args.second_round,
        color=tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb",
        width=min(max(shutil.get_terminal_size((100, 24)).columns, 60), 120) if tty else 100,
    )
    return run_demo(options, sys.stdout)


def _question_set_dirs() -> list[Path]:
    import os

    return [Path(p) for p in os.environ.get("QUESTION_SETS_DIR", "").split(os.pathsep) if p]


def cmd_question_sets_list(args: argparse.Namespace) -> int:
    from bot.core.question_sets import run_list

    return run_list(_question_set_dirs(), sys.stdout)


def cmd_question_sets_check(args: argparse.Namespace) -> int:
    from bot.core.question_sets import run_check, shipped_dir

    paths = args.paths or [shipped_dir(), *_question_set_dirs()]
    return run_check(paths, sys.stdout)


def cmd_export(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from bot.export.service import export_from_database
    from bot.i18n import translator

    try:
        content = export_from_database(_database_settings(), args.interview_id, args.format)
    except UserError as error:
        print(f"interview-bot: {error.render(translator('en'))}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(content, encoding="utf-8")
    else:
        sys.stdout.write(content)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bot.report.publish import report_from_database

    content = report_from_database(_database_settings(), args.since, args.team, args.format)
    if args.output:
        args.output.write_text(content, encoding="utf-8")
    else:
        sys.stdout.write(content)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.socket_mode:
        log.warning("SLACK_APP_TOKEN is set, but `serve` answers HTTP only: Slack must send "
                    "to the request URLs of manifest.http.yml. For Socket Mode use "
                    "`interview-bot run`.")
    return _serve_http(settings, settings.web_concurrency)


def _serve_http(settings: Settings, workers: int) -> int:
    from bot.serve import prepare_metrics_directory

    prepare_metrics_directory()  # before anything imports prometheus_client
    from bot.app import check_token
    from bot.serve import serve
    from bot.slack.client import make_web_client

    check_token(make_web_client(settings))
    serve(settings, workers)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.app import check_database
    from bot.migrate import upgrade
    from models import create_db_engine

    settings = _database_settings()
    engine = create_db_engine(settings)
    check_database(engine)
    upgrade(engine)
    print("Database schema is up to date.")
    return 0


def _database_settings() -> str:
    """`migrate` needs only DATABASE_URL, not the Slack tokens."""
    import os

    from dotenv import dotenv_values

    from bot.settings import DEFAULT_DATABASE_URL, Settings

    url = os.environ.get("DATABASE_URL") or dotenv_values(".env").get("DATABASE_URL")
    url = url or DEFAULT_DATABASE_URL
    try:
        Settings._database_url_shape(url)
    except ValueError as error:
        raise SettingsError([f"DATABASE_URL is not valid ({error}): a SQLAlchemy URL, e.g. "
                             "sqlite:///interview-bot.sqlite3"]) from None
    return url


def cmd_run(args: argparse.Namespace) -> int:
    """HTTP: gunicorn with one worker. Socket Mode: this process, connected to Slack."""
    settings = load_settings()
    if not settings.socket_mode:
        return _serve_http(settings, workers=1)
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_services, check_database, check_token, create_app, stop_services
    from bot.logs import configure_logging
    from bot.migrate import upgrade
    from bot.scheduler import start_scheduler

    configure_logging(settings.log_level, [settings.slack_signing_secret.get_secret_value()])
    services = build_services(settings)
    check_database(services.engine)
    upgrade(services.engine)
    identity = check_token(services.client)
    app = create_app(services)
    scheduler = start_scheduler(services)
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    assert settings.slack_app_token is not None
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    handler.connect()
    log.info("Connected to Slack in Socket Mode as %s", identity.get("user"))
    stop.wait()
    handler.close()
    scheduler.shutdown()
    stop_services(services)
    return 0


if __name__ == "__main__":
    sys.exit(main())
