"""Settings from the environment and an optional `.env` file, validated once at start.

Every problem is reported at once, each with where to find the right value, so a newcomer
fixes their `.env` in one go. Secrets are `SecretStr`: they never print.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///interview-bot.sqlite3"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Where each setting comes from, quoted in the error when it is missing or malformed.
HELP: dict[str, str] = {
    "SLACK_BOT_TOKEN": "find it under OAuth & Permissions in your Slack app's settings "
    "(starts with xoxb-)",
    "SLACK_SIGNING_SECRET": "find it under Basic Information in your Slack app's settings",
    "SLACK_APP_TOKEN": "create an app-level token with the connections:write scope under "
    "Basic Information (starts with xapp-); leave it unset to serve HTTP instead",
    "SLACK_API_URL": "leave it unset for Slack itself; set it for GovSlack or a local fake, "
    "e.g. http://127.0.0.1:8080/api/",
    "PORT": "a TCP port number between 1 and 65535, e.g. 3000",
    "DATABASE_URL": "a SQLAlchemy URL, e.g. sqlite:///interview-bot.sqlite3 or "
    "postgresql+psycopg://user@host:5432/dbname",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "DEFAULT_LANGUAGE": "one of en, et, fi",
    "QUESTION_SETS_DIR": "directories with your own question sets, separated by "
    f"'{os.pathsep}'",
    "QUESTION_SET_PUBLISHERS": "Slack user ids (U…), separated by commas, of the people who "
    "may publish question sets besides the workspace's admins and owners, e.g. U012AB3CD",
    "REMINDER_FIRST_AFTER_MINUTES": "minutes after the interview ends, e.g. 60",
    "REMINDER_DAILY_AT": "a time of day as HH:MM in each panelist's own time zone, e.g. 09:00",
    "REMINDER_BEFORE_DEBRIEF_MINUTES": "minutes before the debrief, e.g. 120",
    "REMINDER_SWEEP_SECONDS": "how often to look for due reminders, in seconds, e.g. 60",
    "DATA_RETENTION_DAYS": "a whole number of days, or leave it unset to keep interviews",
    "WEB_CONCURRENCY": "the number of worker processes for `interview-bot serve`, e.g. 2",
    "REFRESH_SETTLE_SECONDS": "seconds a plan, summary or organiser's App Home waits before "
    "it is re-rendered, so a burst of scorecards updates it once, e.g. 0.5; 0 for at once",
    "CLAIM_LEASE_SECONDS": "how long a process may take to send a reminder or side effect "
    "before another takes it over, in seconds, e.g. 120",
    "METRICS_PORT": "a TCP port for Prometheus' /metrics, e.g. 9100; leave it unset for none",
}

LogLevel = Annotated[str, Field(pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")]


class SettingsError(Exception):
    """Every problem with the settings, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = Field(default=3000, ge=1, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    log_level: LogLevel = "INFO"
    default_language: str = Field(default="en", pattern=r"^(en|et|fi)$")
    question_sets_dir: str = ""
    question_set_publishers: str = Field(default="", pattern=r"^[\sUW0-9A-Z,]*$")
    reminder_first_after_minutes: int = Field(default=60, ge=0)
    reminder_daily_at: time = time(9, 0)
    reminder_before_debrief_minutes: int = Field(default=120, ge=0)
    reminder_sweep_seconds: int = Field(default=60, ge=1)
    data_retention_days: int | None = Field(default=None, ge=1)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    refresh_settle_seconds: float = Field(default=0.5, ge=0, le=10)
    claim_lease_seconds: int = Field(default=120, ge=1, le=3600)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("does not look like a bot token")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("does not look like an app-level token")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite or postgresql URL")
        return value

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def publishers(self) -> frozenset[str]:
        """Who may publish question sets besides the workspace's admins and owners."""
        return frozenset(u.strip() for u in self.question_set_publishers.split(",")
                         if u.strip())

    @property
    def question_set_dirs(self) -> list[Path]:
        return [Path(p) for p in self.question_sets_dir.split(os.pathsep) if p.strip()]


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings: the real environment wins over `.env`; empty values count as unset."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    fields = {name.upper(): name for name in Settings.model_fields}
    data = {fields[k]: v for k, v in values.items() if k in fields and v.strip() != ""}
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        env_name = str(item["loc"][0]).upper()
        where = HELP.get(env_name, "")
        if item["type"] == "missing":
            problems.append(f"{env_name} is missing: {where}")
        else:
            # Never echo the value: it may be a secret.
            reason = item["msg"].removeprefix("Value error, ")
            problems.append(f"{env_name} is not valid ({reason}): {where}")
    return problems
