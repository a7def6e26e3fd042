"""The event listeners, one module each, registered by the id they answer:
a module's function is named after its event type."""

from __future__ import annotations

from slack_bolt import App

from handlers.events import app_home_opened


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened.app_home_opened)
