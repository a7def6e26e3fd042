"""Errors a user caused and should read about: the text comes from the catalog."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator


class UserError(Exception):
    """Raised by bot/ with a catalog message id (marked with N_) and its values; the handler
    renders it in the user's language as an ephemeral message."""

    def __init__(self, message: str, /, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def render(self, t: Translator) -> str:
        return t._(self.message, **self.values)


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass
