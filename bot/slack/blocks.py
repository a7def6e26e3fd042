"""Small shared pieces for the Block Kit builders (slack-sdk's block models underneath)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.mrkdwn import escape

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75


@dataclass
class Message:
    """A message's notification text (also what screen readers say) and its blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, marked with … when cut. Never leaves half an escape
    (`&amp;`) or half a mention or link (`<@U123>`) behind: Slack would show it raw."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for opener, closer in (("&", ";"), ("<", ">")):
        at = cut.rfind(opener)
        if at != -1 and closer not in cut[at:]:
            cut = cut[:at]
    return cut + "…"


def chunk_lines(lines: Sequence[str], limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as they fit in."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def header(text: str) -> Block:
    """A header of plain `text`, escaped here like every plain text (`plain`)."""
    return HeaderBlock(text=plain(text, HEADER_LIMIT))


def section(text: str, block_id: str | None = None, accessory: Any = None) -> Block:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)),
                        block_id=block_id, accessory=accessory)


def fields(items: list[str], block_id: str | None = None) -> Block:
    return SectionBlock(fields=[MarkdownTextObject(text=clip(i, 2000)) for i in items[:10]],
                        block_id=block_id)


def context(*texts: str, block_id: str | None = None) -> Block:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, 2000)) for t in texts[:10]],
                        block_id=block_id)


def divider() -> Block:
    return DividerBlock()


def button(text: str, action_id: str, value: str | None = None, style: str | None = None,
           url: str | None = None) -> ButtonElement:
    return ButtonElement(text=plain(text, BUTTON_TEXT_LIMIT),
                         action_id=action_id, value=value, style=style, url=url)


def actions(*elements: Any, block_id: str | None = None) -> Block:
    return ActionsBlock(elements=list(elements), block_id=block_id)


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def plain(text: str, limit: int = 75) -> PlainTextObject:
    """A plain_text object: `text` as given (unescaped, a name as typed), escaped here and
    clipped to `limit`. Slack reads &, < and > as control characters in every text
    object and shows the three entities as the characters, so a name shows as typed."""
    return PlainTextObject(text=clip(escape(text), limit), emoji=True)
