"""Builds the services and the Bolt app from settings."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.coalesce import Coalescer
from bot.executor import ContextThreadPoolExecutor
from bot.question_sets import QuestionSetLibrary
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.slack_users import UserDirectory
from handlers import register_listeners
from models import create_db_engine, make_session_factory

log = logging.getLogger(__name__)


class StartupError(Exception):
    """An expected failure at start: printed as one line, no traceback."""


def build_services(settings: Settings, engine: Engine | None = None,
                   listener_executor: ContextThreadPoolExecutor | None = None) -> Services:
    engine = engine or create_db_engine(settings.database_url)
    client = make_web_client(settings)
    executor = listener_executor or ContextThreadPoolExecutor()
    return Services(
        settings=settings,
        engine=engine,
        db=make_session_factory(engine),
        client=client,
        question_sets=QuestionSetLibrary.load(settings.question_set_dirs),
        users=UserDirectory(client),
        listener_executor=executor,
        refreshes=Coalescer(settings.refresh_settle_seconds, pause=executor.pause),
    )


def create_app(services: Services) -> App:
    app = App(
        client=services.client,
        signing_secret=services.settings.slack_signing_secret.get_secret_value(),
        # run() checks the token itself, to say clearly what is wrong.
        token_verification_enabled=False,
        # Bolt answers unknown requests with a 404 rather than raising.
        raise_error_for_unhandled_request=False,
        listener_executor=services.listener_executor,
    )
    if isinstance(services.listener_executor, ContextThreadPoolExecutor):
        # Before the listeners: every ack wakes its request (and, under `serve`, lets the
        # requests still waiting for an answer go first).
        app.use(services.listener_executor.ack_first_middleware())
    register_listeners(app, services)
    return app


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
