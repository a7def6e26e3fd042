"""Errors a user caused and should read about: the text comes from the catalog."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator, translator


class UserError(Exception):
    """Raised by bot/ with a catalog message id (marked with N_) and its values; the handler
    renders it as an ephemeral message: in the interview's language when the error is about
    one (`language`), else in the workspace's."""

    def __init__(self, message: str, /, *, language: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.language = language
        self.values = values

    def render(self, t: Translator) -> str:
        return t._(self.message, **self.values)

    def render_in(self, default_language: str) -> str:
        return self.render(translator(self.language or default_language))


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass


class InterviewRefused(NotAllowed):
    """A refusal about one interview, rendered in that interview's language."""

    def __init__(self, message: str, /, *, language: str, **values: Any) -> None:
        super().__init__(message, language=language, **values)
