"""The baseline: a bare Bolt app whose listeners only ack, served by gunicorn with the very
options `interview-bot serve` uses (bot.serve.gunicorn_options: workers, gthread threads,
backlog, logger) and the same Bolt WSGI adapter.

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

from bot.serve import WsgiServer, gunicorn_options

ANYTHING = re.compile(".*")


def bare_wsgi(signing_secret: str, bot_token: str, slack_url: str) -> Callable[..., Any]:
    """`/slack/events` (every command, action and view submission acked, nothing else done;
    Bolt's defaults otherwise) and `/healthz`."""
    app = App(client=WebClient(token=bot_token, base_url=slack_url),
              signing_secret=signing_secret, token_verification_enabled=False,
              raise_error_for_unhandled_request=False)

    def just_ack(ack: Ack) -> None:
        ack()

    app.command(ANYTHING)(just_ack)
    app.action(ANYTHING)(just_ack)
    app.view(ANYTHING)(just_ack)
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        return slack(environ, start_response)

    return wsgi


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--bot-token", required=True)
    parser.add_argument("--slack-url", required=True)
    args = parser.parse_args(argv)
    options = gunicorn_options(args.port, args.workers)  # as `serve` calls it
    WsgiServer(options, lambda: bare_wsgi(args.signing_secret, args.bot_token,
                                          args.slack_url)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
