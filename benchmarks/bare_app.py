"""The baseline: a bare Bolt app that only acks, served exactly like `interview-bot serve`
(the same gunicorn settings, worker count and threads, the same WSGI adapter).

    python -m benchmarks.bare_app --port 3001 --workers 2 --signing-secret SECRET \
        --bot-token xoxb-... --slack-url http://127.0.0.1:8080/api/
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.serve import WsgiServer, gunicorn_options, limit_malloc_arenas

ANYTHING = re.compile(".*")


def create_bare_app(signing_secret: str, bot_token: str, slack_url: str) -> App:
    """Acks every slash command, action and view submission; does nothing else. Set up
    like our app's (its Web API client, so Bolt's one auth.test per process goes to the
    same fake); Bolt's defaults otherwise (its own listener pool of 5 threads)."""
    app = App(client=WebClient(token=bot_token, base_url=slack_url),
              signing_secret=signing_secret, token_verification_enabled=False,
              raise_error_for_unhandled_request=False)

    def just_ack(ack: Ack) -> None:
        ack()

    app.command(ANYTHING)(just_ack)
    app.action(ANYTHING)(just_ack)
    app.view(ANYTHING)(just_ack)
    return app


def make_bare_wsgi(app: App) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/slack/events":
            return slack(environ, start_response)
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def _nothing_to_prepare(_server: Any) -> None:
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--bot-token", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    limit_malloc_arenas()  # as `interview-bot serve` does
    options = gunicorn_options(args.port, args.workers, args.log_level, host="127.0.0.1")
    options["on_starting"] = _nothing_to_prepare  # not our app's modules: bare means bare
    WsgiServer(options, lambda: make_bare_wsgi(
        create_bare_app(args.signing_secret, args.bot_token, args.slack_url))).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
