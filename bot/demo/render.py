"""Block Kit as readable terminal text: what `interview-bot demo` shows of every message and
modal the app sends.

Slack's look, approximated in plain lines: headers bold and underlined, sections with their
mrkdwn simplified (bold, italic, mentions as @name, date tokens as their fallback, links as
"label (url)", the three HTML escapes undone), fields in two columns, context dimmed,
dividers as a rule, buttons as ``[ Label ]``, modal inputs as ``Label: [value]`` with their
options listed compactly, and the debrief agenda as a table. ANSI styles only when asked
(`color=True`, for a terminal); otherwise plain text that reads the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Consecutive sections whose block_id starts with one of these render as one table: the
# debrief agenda (bot/debrief/builders/summary.py), one category a row.
TABLE_BLOCK_PREFIXES = ("agenda:",)
# Context blocks that belong to the row above them: shown as its notes (a split category's
# evidence).
TABLE_NOTE_PREFIXES = ("evidence:",)
# Table lines after a row's first one start this far in.
TABLE_INDENT = 5
# Option texts in a compact option list are cut to this many characters.
OPTION_CLIP = 32

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_ANGLE = re.compile(r"<([^<>\n]*)>")
_CODE = re.compile(r"`([^`\n]+)`")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _span(marker: str) -> re.Pattern[str]:
    """Slack's emphasis: the marker hugs the text and is not inside a word."""
    m = re.escape(marker)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])")


_BOLD, _ITALIC, _STRIKE = _span("*"), _span("_"), _span("~")


# --- measuring and wrapping styled text ----------------------------------------------------------


def visible(text: str) -> str:
    """The text without its ANSI styles."""
    return _SGR.sub("", text)


def width_of(text: str) -> int:
    """Columns the text takes in a terminal (wide East Asian characters take two)."""
    total = 0
    for char in visible(text):
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - width_of(text))


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Greedy word wrap that measures what is visible (styles take no room); the lines
    after the first start with `indent`. A word longer than a line stays whole."""
    width = max(width, 10)
    lead = text[: len(text) - len(text.lstrip(" "))]
    lines: list[str] = []
    current = lead
    for word in text[len(lead):].split(" "):
        if current in ("", lead, indent):
            current += word
        elif width_of(current) + 1 + width_of(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = indent + word
    lines.append(current)
    return lines


def _balance(lines: list[str]) -> list[str]:
    """Each line closes the styles it leaves open and the next reopens them, so a frame's
    border printed between two lines is never bold or dimmed by accident."""
    active: list[str] = []
    balanced = []
    for line in lines:
        opening = "".join(f"\x1b[{code}m" for code in active)
        for match in _SGR.finditer(line):
            for code in (match.group()[2:-1] or "0").split(";"):
                active = _apply_sgr(active, code)
        balanced.append(opening + line + ("\x1b[0m" if active else ""))
    return balanced


# SGR codes that switch attributes off, and the "on" codes each one ends.
_SGR_OFF = {"22": ("1", "2"), "23": ("3",), "24": ("4",), "29": ("9",),
            "39": tuple(str(n) for n in range(30, 38))}


def _apply_sgr(active: list[str], code: str) -> list[str]:
    if code == "0":
        return []
    if code in _SGR_OFF:
        return [c for c in active if c not in _SGR_OFF[code]]
    return active if code in active else [*active, code]


# --- styles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """ANSI codes, or nothing at all for plain output."""

    color: bool = False

    def _sgr(self, text: str, on: str, off: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{on}m{text}\x1b[{off}m"

    def bold(self, text: str) -> str:
        return self._sgr(text, "1", "22")

    def italic(self, text: str) -> str:
        return self._sgr(text, "3", "23")

    def strike(self, text: str) -> str:
        return self._sgr(text, "9", "29")

    def underline(self, text: str) -> str:
        return self._sgr(text, "4", "24")

    def dim(self, text: str) -> str:
        return self._sgr(text, "2", "22")

    def heading(self, text: str) -> str:
        return self._sgr(text, "1;4", "22;24")

    def tinted(self, text: str, hue: str) -> str:
        codes = {"green": "32", "red": "31", "cyan": "36", "yellow": "33"}
        return self._sgr(text, f"1;{codes[hue]}", "22;39")


# --- the renderer ------------------------------------------------------------------------------


@dataclass
class Renderer:
    """Renders messages and views for one reader.

    users / channels: id -> name, for mentions and selected users or conversations.
    width: the columns available, frame included. tz: the reader's zone, for the values
    of date and time pickers (Slack shows them in the reader's zone). paragraph_lines:
    cut a paragraph after this many lines (with "…"); None shows everything.
    """

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    color: bool = False
    width: int = 100
    tz: str = "UTC"
    paragraph_lines: int | None = None

    def __post_init__(self) -> None:
        self.styles = Styles(self.color)

    # --- mrkdwn --------------------------------------------------------------------------

    def mrkdwn(self, text: str, *, styled: bool = True) -> str:
        """mrkdwn as terminal text; styled=False drops the emphasis (for dimmed text, where
        ending a bold span would end the dimming too)."""
        saved: list[str] = []

        def keep(value: str) -> str:
            saved.append(value)
            return f"\x00{len(saved) - 1}\x00"

        text = _ANGLE.sub(lambda m: keep(self._angle(m.group(1))), text)
        text = _CODE.sub(lambda m: keep(f"`{_unescape(m.group(1))}`"), text)
        s = self.styles if styled else Styles(False)
        text = _BOLD.sub(lambda m: s.bold(m.group(1)), text)
        text = _ITALIC.sub(lambda m: s.italic(m.group(1)), text)
        text = _STRIKE.sub(lambda m: s.strike(m.group(1)), text)
        text = _unescape(text)
        return _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], text)

    def _angle(self, inner: str) -> str:
        """What Slack shows for <...>: mentions, channels, date tokens, specials, links."""
        target, _, label = inner.partition("|")
        label = _unescape(label)
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + self.users.get(user_id, label or user_id)
        if target.startswith("#"):
            channel_id = target[1:]
            return "#" + (label or self.channels.get(channel_id, channel_id))
        if target.startswith("!date^"):
            return label or self._epoch(target.split("^")[1])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + target[1:]
        url = _unescape(target)
        return url if not label or label == url else f"{label} ({url})"

    def _epoch(self, raw: str) -> str:
        try:
            moment = datetime.fromtimestamp(int(raw), UTC)
        except ValueError:
            return raw
        return moment.astimezone(self._zone()).strftime("%Y-%m-%d %H:%M")

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def text(self, obj: Any, *, styled: bool = True) -> str:
        """A text object (plain_text with its three entities shown as characters, mrkdwn
        simplified); a str counts as plain."""
        if obj is None:
            return ""
        if isinstance(obj, str):
            return obj
        if obj.get("type") == "mrkdwn":
            return self.mrkdwn(obj.get("text", ""), styled=styled)
        return _unescape(str(obj.get("text", "")))

    def paragraphs(self, text: str, width: int, *, mrkdwn: bool = True,
                   dim: bool = False) -> list[str]:
        """Multi-line text (mrkdwn, or plain with mrkdwn=False) wrapped to `width`: quotes
        ("> ") get a bar, bullets a hanging indent; a paragraph longer than
        `paragraph_lines` is cut with "…"; dim=True dims every line."""
        lines: list[str] = []
        for raw in text.split("\n"):
            prefix, rest = "", raw
            if mrkdwn and (raw.startswith("&gt;") or raw.startswith(">")):
                rest = raw[4:] if raw.startswith("&gt;") else raw[1:]
                prefix, rest = "▌ ", rest.removeprefix(" ")
            rendered = self.mrkdwn(rest, styled=not dim) if mrkdwn else rest
            hanging = " " * width_of(rendered[:2]) if rendered[:2] in ("• ", "- ") else ""
            wrapped = wrap(rendered, width - width_of(prefix), hanging)
            wrapped = self._clip(wrapped, width - width_of(prefix))
            if dim:
                wrapped = [self.styles.dim(line) for line in wrapped]
            lines += [prefix + line for line in wrapped]
        return lines

    def _clip(self, lines: list[str], width: int) -> list[str]:
        limit = self.paragraph_lines
        if limit is None or len(lines) <= limit:
            return lines
        kept = lines[:limit]
        last = kept[-1]
        if width_of(last) + 2 > width:
            last = " ".join(last.split(" ")[:-1])
        kept[-1] = last + " …"
        return kept

    # --- blocks --------------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Mapping[str, Any]], *,
               state: Mapping[str, Any] | None = None, width: int | None = None) -> list[str]:
        """The lines of a list of blocks. `state` is a view's state (what the user entered),
        shown in inputs in place of their initial values."""
        width = width or self.width
        values = (state or {}).get("values", {})
        seen_options: list[list[str]] = []
        lines: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if lines and _spaced(blocks[index - 1], block):
                lines.append("")
            run = _table_run(blocks, index)
            if run:
                lines += self._table(run, width)
                index += len(run)
                continue
            kind = block.get("type")
            if kind == "header":
                lines += self._header(block, width)
            elif kind == "section":
                lines += self._section(block, width, values)
            elif kind == "context":
                lines += self._context(block, width)
            elif kind == "divider":
                lines.append(self.styles.dim("─" * width))
            elif kind == "actions":
                lines += wrap("  ".join(self._element(e, values.get(block.get("block_id", "")))
                                        for e in block.get("elements", [])), width)
            elif kind == "input":
                lines += self._input(block, width, values.get(block.get("block_id", "")),
                                     seen_options)
            elif kind == "image":
                lines.append(f"[image: {block.get('alt_text', '')}]")
            elif kind == "rich_text":
                lines += self.paragraphs(_rich_text(block), width, mrkdwn=False)
            else:
                lines.append(self.styles.dim(f"[{kind} block]"))
            index += 1
        return lines

    def _header(self, block: Mapping[str, Any], width: int) -> list[str]:
        text = self.text(block.get("text"))
        if self.color:
            return [self.styles.heading(line) for line in wrap(text, width)]
        wrapped = wrap(text, width)
        return [*wrapped, "=" * max(width_of(line) for line in wrapped)]

    def _section(self, block: Mapping[str, Any], width: int,
                 values: Mapping[str, Any]) -> list[str]:
        lines: list[str] = []
        text = block.get("text")
        if text:
            lines += self.paragraphs(self.text(text) if text.get("type") != "mrkdwn"
                                     else text.get("text", ""), width,
                                     mrkdwn=text.get("type") == "mrkdwn")
        if block.get("fields"):
            lines += self._fields(block["fields"], width)
        accessory = block.get("accessory")
        if accessory:
            shown = self._element(accessory, values.get(block.get("block_id", "")))
            first = lines[0] if lines else ""
            if lines and width_of(first) + 2 + width_of(shown) <= width:
                lines[0] = pad(first, width - width_of(shown)) + shown
            else:
                lines.append(shown)
        return lines

    def _fields(self, fields: Sequence[Mapping[str, Any]], width: int) -> list[str]:
        column = (width - 3) // 2
        lines: list[str] = []
        for left, right in _pairs(list(fields)):
            left_lines = self.paragraphs(left.get("text", ""), column,
                                         mrkdwn=left.get("type") == "mrkdwn")
            right_lines = (self.paragraphs(right.get("text", ""), column,
                                           mrkdwn=right.get("type") == "mrkdwn")
                           if right else [])
            for n in range(max(len(left_lines), len(right_lines))):
                one = left_lines[n] if n < len(left_lines) else ""
                two = right_lines[n] if n < len(right_lines) else ""
                lines.append((pad(one, column) + "   " + two).rstrip())
        return lines

    def _context(self, block: Mapping[str, Any], width: int) -> list[str]:
        parts = []
        for element in block.get("elements", []):
            if element.get("type") == "image":
                parts.append(f"[{element.get('alt_text', 'image')}]")
            else:
                # Dimmed as a whole: emphasis inside would end the dimming early.
                parts.append(self.text(element, styled=False))
        return self.paragraphs("  ".join(parts), width, mrkdwn=False, dim=True)

    # --- interactive elements ------------------------------------------------------------

    def _element(self, element: Mapping[str, Any], state: Mapping[str, Any] | None) -> str:
        """An element inside a message or an actions block, on one line."""
        kind = element.get("type", "")
        if kind == "button":
            label = f"[ {self.text(element.get('text'))}{' ↗' if element.get('url') else ''} ]"
            style = element.get("style")
            if style == "primary":
                return self.styles.tinted(label, "green")
            if style == "danger":
                return self.styles.tinted(label, "red")
            return self.styles.bold(label)
        if kind == "overflow":
            return "[ ⋯ ]"
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in ("radio_buttons", "checkboxes"):
            return self._choices(element, self._current(element, state))
        current = self._shown_value(element, self._current(element, state))
        if current:
            return f"[ {current} ▾ ]" if "select" in kind else f"[ {current} ]"
        placeholder = self.text(element.get("placeholder")) or kind.replace("_", " ")
        return f"[ {placeholder} ▾ ]" if "select" in kind else f"[ {placeholder} ]"

    def _input(self, block: Mapping[str, Any], width: int,
               state: Mapping[str, Any] | None, seen_options: list[list[str]]) -> list[str]:
        element = block.get("element", {})
        label = self.styles.bold(self.text(block.get("label")))
        if block.get("optional"):
            label += " " + self.styles.dim("(optional)")
        label += self.styles.bold(":")
        current = self._current(element, state)
        kind = element.get("type", "")
        if kind in ("radio_buttons", "checkboxes"):
            shown = self._choices(element, current)
            options: list[str] = []
        else:
            shown = self._value_box(element, current)
            options = [self.text(o.get("text")) for o in _options(element)]
        one_line = f"{label} {shown}"
        if width_of(one_line) <= width:
            lines = [one_line]
        else:
            lines = wrap(label, width) + wrap("  " + shown, width, "    ")
        if options and "select" in kind:
            if options in seen_options:
                lines.append("  " + self.styles.dim("options as above"))
            else:
                seen_options.append(options)
                listed = " | ".join(_clip(o, OPTION_CLIP) for o in options)
                lines += ["  " + line for line in
                          self.paragraphs("options: " + listed, width - 2, mrkdwn=False,
                                          dim=True)]
        hint = block.get("hint")
        if hint:
            lines += ["  " + line for line in
                      self.paragraphs(self.text(hint, styled=False), width - 2,
                                      mrkdwn=False,
                                      dim=True)]
        return lines

    def _value_box(self, element: Mapping[str, Any], current: Any) -> str:
        shown = self._shown_value(element, current)
        if shown:
            return f"[{shown}]"
        placeholder = self.text(element.get("placeholder"))
        return "[ ]" + (" " + self.styles.dim(placeholder) if placeholder else "")

    def _choices(self, element: Mapping[str, Any], current: Any) -> str:
        chosen = set(current if isinstance(current, list) else [current])
        radio = element.get("type") == "radio_buttons"
        marks = ("(•)", "( )") if radio else ("[x]", "[ ]")
        return "  ".join(f"{marks[0] if o.get('value') in chosen else marks[1]} "
                         f"{self.text(o.get('text'))}" for o in _options(element))

    def _current(self, element: Mapping[str, Any], state: Mapping[str, Any] | None) -> Any:
        """The element's value: what the user entered (state) or else its initial value,
        as option values, user ids, epoch seconds, dates or text."""
        entered = (state or {}).get(element.get("action_id", ""))
        if entered is not None:
            return _state_value(entered)
        return _initial_value(element)

    def _shown_value(self, element: Mapping[str, Any], current: Any) -> str:
        if current in (None, "", []):
            return ""
        kind = element.get("type", "")
        items = current if isinstance(current, list) else [current]
        if kind.endswith("static_select") or kind.endswith("external_select"):
            labels = {o.get("value"): self.text(o.get("text")) for o in _options(element)}
            return ", ".join(labels.get(v, str(v)) for v in items)
        if "users_select" in kind:
            return ", ".join("@" + self.users.get(u, u) for u in items)
        if "conversations_select" in kind or "channels_select" in kind:
            return ", ".join("#" + self.channels.get(c, c) for c in items)
        if kind == "datetimepicker":
            moment = datetime.fromtimestamp(int(current), UTC).astimezone(self._zone())
            return f"{moment:%Y-%m-%d %H:%M} ({self.tz})"
        return " ⏎ ".join(str(current).splitlines())

    # --- the agenda table ----------------------------------------------------------------

    def _table(self, run: Sequence[Mapping[str, Any]], width: int) -> list[str]:
        """One row a block: the first line's parts (split at " — ") and the second line's
        (split at " · ") are the cells, aligned in columns; any further lines are notes
        under the row. When a row does not fit, its second-line cells go on a line below,
        still aligned."""
        rows: list[tuple[list[str], list[str], list[str]]] = []
        for block in run:
            if block.get("type") == "context":  # notes under the row above
                rows[-1][2].extend(line for element in block.get("elements", [])
                                   for raw in str(element.get("text", "")).split("\n")
                                   for line in self.paragraphs(raw, width - TABLE_INDENT))
                continue
            text_lines = block.get("text", {}).get("text", "").split("\n")
            head = [self.mrkdwn(part) for part in text_lines[0].split(" — ")]
            stats = ([self.mrkdwn(part) for part in text_lines[1].split(" · ")]
                     if len(text_lines) > 1 else [])
            notes = [line for raw in text_lines[2:] for line in
                     self.paragraphs(raw, width - TABLE_INDENT)]
            rows.append((head, stats, notes))
        head_widths = _column_widths([head for head, _, _ in rows])
        stat_widths = _column_widths([stats for _, stats, _ in rows])
        widths = head_widths + stat_widths
        if sum(widths) + 2 * (len(widths) - 1) <= width:
            groups = [list(range(len(widths)))]
        else:  # the first line's cells, then the second's, on as many lines as they need
            groups = _column_groups(head_widths, width) + [
                [len(head_widths) + n for n in group]
                for group in _column_groups(stat_widths, width - TABLE_INDENT)]
        lines: list[str] = []
        for head, stats, notes in rows:
            cells = head + [""] * (len(head_widths) - len(head)) + stats
            for number, group in enumerate(groups):
                shown = [cells[n] for n in group if n < len(cells)]
                if not shown or not any(width_of(c) for c in shown):
                    continue
                indent = "" if number == 0 else " " * TABLE_INDENT
                lines.append(indent + _row(shown, [widths[n] for n in group]))
            lines += [" " * TABLE_INDENT + note for note in notes]
        return lines

    # --- surfaces ------------------------------------------------------------------------

    def message(self, message: Mapping[str, Any], *, title: str) -> str:
        """A message in a light frame; its notification text stands in for missing blocks."""
        inner = self.width - 2
        blocks = message.get("blocks") or []
        body = (self.blocks(blocks, width=inner) if blocks
                else self.paragraphs(message.get("text", ""), inner))
        return self._frame(title, body, ("┌─ ", "│ ", "└─"))

    def view(self, view: Mapping[str, Any], *, title: str | None = None,
             state: Mapping[str, Any] | None = None) -> str:
        """A modal (or App Home) in a heavy frame, with its submit and close buttons; the
        inputs show `state` (default: the view's own state) or their initial values."""
        inner = self.width - 2
        state = state if state is not None else view.get("state")
        body = self.blocks(view.get("blocks") or [], state=state, width=inner)
        buttons = []
        if view.get("close"):
            buttons.append(f"[ {self.text(view['close'])} ]")
        if view.get("submit"):
            buttons.append(self.styles.tinted(f"[ {self.text(view['submit'])} ]", "green"))
        if buttons:
            row = "  ".join(buttons)
            body += ["", " " * max(0, inner - width_of(row)) + row]
        heading = self.text(view.get("title")) or view.get("type", "view")
        return self._frame(f"{heading} · {title}" if title else heading, body,
                           ("┏━ ", "┃ ", "┗━"))

    def _frame(self, title: str, body: Iterable[str], marks: tuple[str, str, str]) -> str:
        top, side, bottom = (self.styles.dim(m) for m in marks)
        lines = _balance(list(body)) if self.color else list(body)
        return "\n".join([top + self.styles.bold(title), *(side + line for line in lines),
                          bottom])


# --- helpers -----------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    return [(items[i], items[i + 1] if i + 1 < len(items) else None)
            for i in range(0, len(items), 2)]


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += group.get("options") or []
    return found


def _initial_value(element: Mapping[str, Any]) -> Any:
    for key in ("initial_value", "initial_user", "initial_conversation", "initial_channel",
                "initial_date", "initial_time", "initial_date_time"):
        if element.get(key) is not None:
            return element[key]
    if element.get("initial_option"):
        return element["initial_option"].get("value")
    for key in ("initial_options", "initial_users", "initial_conversations",
                "initial_channels"):
        if element.get(key):
            found = element[key]
            return [o.get("value") if isinstance(o, Mapping) else o for o in found]
    return None


def _state_value(entered: Mapping[str, Any]) -> Any:
    """A state entry as Slack reports it (selected_option, selected_users, value...)."""
    if "selected_option" in entered:
        option = entered["selected_option"]
        return option.get("value") if option else None
    if "selected_options" in entered:
        return [o.get("value") for o in entered["selected_options"] or []]
    for key in ("selected_users", "selected_conversations", "selected_channels"):
        if key in entered:
            return list(entered[key] or [])
    for key in ("selected_user", "selected_conversation", "selected_channel",
                "selected_date", "selected_time", "selected_date_time", "value"):
        if key in entered:
            return entered[key]
    return None


def _spaced(before: Mapping[str, Any], block: Mapping[str, Any]) -> bool:
    """Slack leaves room before a header and between two sections of text."""
    if block.get("type") == "header":
        return True
    return before.get("type") == "section" and block.get("type") == "section"


def _table_run(blocks: Sequence[Mapping[str, Any]], start: int) -> list[Mapping[str, Any]]:
    """The consecutive table sections starting at `start` (two or more), with the notes
    under them, else []."""

    def is_row(block: Mapping[str, Any]) -> bool:
        block_id = str(block.get("block_id", ""))
        return (block.get("type") == "section" and bool(block.get("text"))
                and block_id.startswith(TABLE_BLOCK_PREFIXES))

    def is_note(block: Mapping[str, Any]) -> bool:
        return (block.get("type") == "context"
                and str(block.get("block_id", "")).startswith(TABLE_NOTE_PREFIXES))

    run: list[Mapping[str, Any]] = []
    while start + len(run) < len(blocks) and (
            is_row(blocks[start + len(run)]) or (run and is_note(blocks[start + len(run)]))):
        run.append(blocks[start + len(run)])
    return run if sum(1 for block in run if is_row(block)) >= 2 else []


def _column_widths(rows: Sequence[Sequence[str]]) -> list[int]:
    """Column widths over the rows; a row with fewer cells lets its last cell run on, so
    it does not widen the column it starts in."""
    count = max((len(r) for r in rows), default=0)
    widths = [0] * count
    for row in rows:
        for n, cell in enumerate(row):
            if n == len(row) - 1 and len(row) < count:
                break
            widths[n] = max(widths[n], width_of(cell))
    return widths


def _column_groups(widths: Sequence[int], width: int) -> list[list[int]]:
    """Consecutive columns packed greedily into lines no wider than `width`."""
    groups: list[list[int]] = []
    used = 0
    for n, column in enumerate(widths):
        if groups and used + 2 + column <= width:
            groups[-1].append(n)
            used += 2 + column
        else:
            groups.append([n])
            used = column
    return groups


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [pad(cell, widths[n]) if n < len(cells) - 1 else cell
              for n, cell in enumerate(cells)]
    return "  ".join(padded).rstrip()


def _rich_text(block: Mapping[str, Any]) -> str:
    """rich_text flattened to plain lines (lists as bullets)."""
    lines: list[str] = []

    def inline(elements: Iterable[Mapping[str, Any]]) -> str:
        parts = []
        for element in elements:
            kind = element.get("type")
            if kind == "text":
                parts.append(element.get("text", ""))
            elif kind == "link":
                parts.append(element.get("text") or element.get("url", ""))
            elif kind == "user":
                parts.append("@" + element.get("user_id", ""))
            elif kind == "channel":
                parts.append("#" + element.get("channel_id", ""))
            elif kind == "emoji":
                parts.append(f":{element.get('name', '')}:")
        return "".join(parts)

    for element in block.get("elements", []):
        if element.get("type") == "rich_text_list":
            lines += ["• " + inline(item.get("elements", []))
                      for item in element.get("elements", [])]
        else:
            lines += inline(element.get("elements", [])).split("\n")
    return "\n".join(lines)

