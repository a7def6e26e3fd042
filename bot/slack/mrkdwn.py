"""Safe mrkdwn: user-typed text escaped, mentions and date tokens built in one place."""

from __future__ import annotations

from datetime import datetime

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escape text a user typed, so `<!channel>` shows as typed and pings nobody."""
    return text.translate(_ESCAPES)


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def link(url: str, label: str) -> str:
    # `|` and `>` would end the link early; the label is escaped text.
    safe_url = url.replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{escape(label)}>"


def date_token(moment: datetime, fallback: str, fmt: str = "{date_short_pretty} {time}") -> str:
    """Slack renders the time in each reader's own time zone; the fallback is for clients
    that cannot (notifications, old clients)."""
    return f"<!date^{int(moment.timestamp())}^{fmt}|{escape(fallback)}>"
