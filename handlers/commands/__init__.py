"""The `/interview` slash command: handlers/commands/interview.py reads the subcommand and
hands over to its module (`/interview new` -> handlers/commands/new.py)."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands import interview


def register(app: App) -> None:
    app.command("/interview")(interview.interview)
