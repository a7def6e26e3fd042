"""What every `/interview` subcommand receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.i18n import Translator, translator
from bot.services import Services


@dataclass
class CommandCall:
    ack: Ack
    respond: Respond
    client: WebClient
    body: dict[str, Any]
    services: Services
    name: str  # the subcommand, e.g. "new"
    args: str  # the rest of the text, stripped

    @property
    def user_id(self) -> str:
        return self.body["user_id"]

    @property
    def team_id(self) -> str:
        return self.body["team_id"]

    @property
    def channel_id(self) -> str:
        return self.body["channel_id"]

    @property
    def t(self) -> Translator:
        """Workspace-level text (help, errors outside an interview)."""
        return translator(self.services.settings.default_language)
