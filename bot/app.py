"""Builds the services and the Bolt app from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.core.question_sets import QuestionSetLibrary
from bot.executor import ListenerPool
from bot.metrics import note_request_kind
from bot.outbox.effects import REFRESHES
from bot.outbox.runner import Outbox
from bot.performers import PERFORMERS
from bot.reminders.service import worker_id
from bot.services import Services
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.users import UserDirectory
from handlers import register_listeners
from models import create_db_engine, make_session_factory

log = logging.getLogger(__name__)


class StartupError(Exception):
    """An expected failure at start: printed as one line, no traceback."""


def build_services(settings: Settings, engine: Engine | None = None) -> Services:
    engine = engine or create_db_engine(settings.database_url)
    client = make_web_client(settings)
    services = Services(
        settings=settings,
        engine=engine,
        db=make_session_factory(engine),
        client=client,
        question_sets=QuestionSetLibrary.load(settings.question_set_dirs),
        users=UserDirectory(client),
    )
    services.outbox = Outbox(
        services, PERFORMERS, worker_id(), lease=timedelta(seconds=settings.claim_lease_seconds),
        effects_client=make_web_client(settings, in_process_retries=False),
        refresh_kinds=REFRESHES)
    services.listener_executor = ListenerPool(after=services.outbox.perform_soon)
    return services


def _not_the_token_warning(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does.
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


def create_app(services: Services) -> App:
    bolt_log = logging.getLogger("slack_bolt.App")
    if _not_the_token_warning not in bolt_log.filters:
        bolt_log.addFilter(_not_the_token_warning)
    app = App(
        client=services.client,
        signing_secret=services.settings.slack_signing_secret.get_secret_value(),
        # run() checks the token itself, to say clearly what is wrong.
        token_verification_enabled=False,
        # Bolt answers unknown requests with a 404 rather than raising.
        raise_error_for_unhandled_request=False,
        listener_executor=services.listener_executor,
    )
    app.middleware(_note_request_kind)
    register_listeners(app, services)
    return app


def _note_request_kind(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
    note_request_kind(body)  # for bot/web.py's metrics, once Bolt has parsed the body
    return next()


def stop_services(services: Services) -> None:
    """Finish the listeners and the side effects in flight (what is queued stays in the
    outbox for the next start), then close the database connections."""
    services.listener_executor.shutdown(wait=True)
    services.side_effects.shutdown(wait=True)
    services.engine.dispose()


def check_database(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StartupError(f"Cannot reach the database at {where}: {reason}") from None


def check_token(client: WebClient) -> dict:
    try:
        return client.auth_test().data  # type: ignore[return-value]
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token from "
            "OAuth & Permissions in your Slack app's settings"
        ) from None
    except OSError as error:
        raise StartupError(f"Cannot reach the Slack API at {client.base_url}: {error}") from None
