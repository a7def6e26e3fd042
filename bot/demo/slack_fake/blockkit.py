"""Block Kit limits that Slack enforces, reported the way Slack reports them.

Every error reads like Slack's own: ``"<problem> [json-pointer:/blocks/0/text/text]"``, so a
failing test points straight at the offending field. The rules are tables of small checks:
``BLOCKS`` and ``ELEMENTS`` map a type to the checks its fields must pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Errors = list[str]
# A check looks at one field of an object (a block, an element, a view) found at `pointer`.
Check = Callable[[dict[str, Any], str, Errors], None]
# An item check looks at one entry of an array.
ItemCheck = Callable[[Any, str, Errors], None]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_ID_LENGTH = 255

PLAIN = ("plain_text",)
ANY_TEXT = ("plain_text", "mrkdwn")


def _error(errors: Errors, problem: str, pointer: str) -> None:
    errors.append(f"{problem} [json-pointer:{pointer}]")


def _too_long(errors: Errors, limit: int, pointer: str, unit: str = "characters") -> None:
    # Slack words its limits as "must be less than <limit + 1>".
    _error(errors, f"must be less than {limit + 1} {unit}", pointer)


# --- text objects and plain fields -----------------------------------------------------------


def check_text_object(
    obj: Any, pointer: str, errors: Errors, *, max_len: int, kinds: tuple[str, ...] = ANY_TEXT
) -> None:
    if not isinstance(obj, dict):
        _error(errors, "must be a text object", pointer)
        return
    if obj.get("type") not in kinds:
        _error(errors, f"must be {' or '.join(kinds)}", f"{pointer}/type")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        _error(errors, "must be more than 0 characters", f"{pointer}/text")
    elif len(text) > max_len:
        _too_long(errors, max_len, f"{pointer}/text")


def text(key: str, max_len: int, *, plain: bool = False, required: bool = False) -> Check:
    kinds = PLAIN if plain else ANY_TEXT

    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        if obj.get(key) is None:
            if required:
                _error(errors, f"missing required field: {key}", pointer)
            return
        check_text_object(obj[key], f"{pointer}/{key}", errors, max_len=max_len, kinds=kinds)

    return check


def string(key: str, max_len: int, *, required: bool = False) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        value = obj.get(key)
        if value is None:
            if required:
                _error(errors, f"missing required field: {key}", pointer)
        elif not isinstance(value, str):
            _error(errors, "must be a string", f"{pointer}/{key}")
        elif len(value) > max_len:
            _too_long(errors, max_len, f"{pointer}/{key}")

    return check


def items(
    key: str, each: ItemCheck, *, max_items: int, min_items: int = 0, required: bool = False
) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        value = obj.get(key)
        where = f"{pointer}/{key}"
        if value is None:
            if required:
                _error(errors, f"missing required field: {key}", pointer)
            return
        if not isinstance(value, list):
            _error(errors, "must be an array", where)
            return
        if len(value) > max_items:
            _too_long(errors, max_items, where, "items")
        if len(value) < min_items:
            _error(errors, f"must provide at least {min_items} items", where)
        for index, item in enumerate(value):
            each(item, f"{where}/{index}", errors)

    return check


def any_of(*keys: str) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        if not any(obj.get(key) for key in keys):
            _error(errors, f"must provide one of: {', '.join(keys)}", pointer)

    return check


def exactly_one_of(*keys: str) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        if sum(obj.get(key) is not None for key in keys) != 1:
            _error(errors, f"must provide exactly one of: {', '.join(keys)}", pointer)

    return check


def whole_number(key: str, low: int, high: int) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        value = obj.get(key)
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            _error(errors, "must be an integer", f"{pointer}/{key}")
        elif not low <= value <= high:
            _error(errors, f"must be between {low} and {high}", f"{pointer}/{key}")

    return check


def element(key: str, allowed: frozenset[str], *, required: bool = False) -> Check:
    def check(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
        if obj.get(key) is None:
            if required:
                _error(errors, f"missing required field: {key}", pointer)
            return
        check_element(obj[key], f"{pointer}/{key}", errors, allowed)

    return check


# --- array item checks -----------------------------------------------------------------------


def string_item(max_len: int) -> ItemCheck:
    def check(item: Any, pointer: str, errors: Errors) -> None:
        if not isinstance(item, str):
            _error(errors, "must be a string", pointer)
        elif len(item) > max_len:
            _too_long(errors, max_len, pointer)

    return check


def text_item(max_len: int) -> ItemCheck:
    def check(item: Any, pointer: str, errors: Errors) -> None:
        check_text_object(item, pointer, errors, max_len=max_len)

    return check


def option_item(*, plain: bool, with_url: bool = False) -> ItemCheck:
    """An option; select menus and overflows take plain_text only, radios/checkboxes mrkdwn too."""
    checks: tuple[Check, ...] = (
        text("text", 75, plain=plain, required=True),
        string("value", 150, required=True),
        text("description", 75, plain=plain),
        *((string("url", 3000),) if with_url else ()),
    )
    return _object_item(checks)


def _object_item(checks: Iterable[Check]) -> ItemCheck:
    def check(item: Any, pointer: str, errors: Errors) -> None:
        if not isinstance(item, dict):
            _error(errors, "must be an object", pointer)
            return
        for field_check in checks:
            field_check(item, pointer, errors)

    return check


def element_item(allowed: frozenset[str]) -> ItemCheck:
    def check(item: Any, pointer: str, errors: Errors) -> None:
        check_element(item, pointer, errors, allowed)

    return check


def _context_item(item: Any, pointer: str, errors: Errors) -> None:
    if isinstance(item, dict) and item.get("type") == "image":
        check_element(item, pointer, errors, frozenset({"image"}))
    else:
        check_text_object(item, pointer, errors, max_len=3000)


def _rich_text_item(item: Any, pointer: str, errors: Errors) -> None:
    # Rich text is accepted loosely: only the section kinds are checked.
    kinds = {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
    if not isinstance(item, dict) or item.get("type") not in kinds:
        _error(errors, f"must be one of {sorted(kinds)}", pointer)


def _initial_option_listed(obj: dict[str, Any], pointer: str, errors: Errors) -> None:
    """Slack rejects an initial_option that is not one of the element's options."""
    initial = obj.get("initial_option")
    if not isinstance(initial, dict):
        return
    listed = list(obj.get("options") or [])
    for group in obj.get("option_groups") or []:
        if isinstance(group, dict):
            listed.extend(group.get("options") or [])
    if not any(_same_option(initial, option) for option in listed):
        _error(errors, "must match one of the provided options", f"{pointer}/initial_option")


def _same_option(a: Any, b: Any) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    return a.get("value") == b.get("value") and (a.get("text") or {}).get("text") == (
        b.get("text") or {}
    ).get("text")


# --- the tables ------------------------------------------------------------------------------

_ACTION_ID = string("action_id", MAX_ID_LENGTH)
_PLACEHOLDER = text("placeholder", 150, plain=True)
_OPTION_GROUP = _object_item(
    (
        text("label", 75, plain=True, required=True),
        items("options", option_item(plain=True), max_items=100, min_items=1, required=True),
    )
)
_STATIC_SELECT: tuple[Check, ...] = (
    _ACTION_ID,
    _PLACEHOLDER,
    items("options", option_item(plain=True), max_items=100),
    items("option_groups", _OPTION_GROUP, max_items=100),
    exactly_one_of("options", "option_groups"),
    _initial_option_listed,
)
_CHOICES: tuple[Check, ...] = (
    _ACTION_ID,
    items("options", option_item(plain=False), max_items=10, min_items=1, required=True),
    _initial_option_listed,
)
_PICKER: tuple[Check, ...] = (_ACTION_ID, _PLACEHOLDER)

ELEMENTS: dict[str, tuple[Check, ...]] = {
    "button": (
        _ACTION_ID,
        text("text", 75, plain=True, required=True),
        string("value", 2000),
        string("url", 3000),
    ),
    "static_select": _STATIC_SELECT,
    "multi_static_select": _STATIC_SELECT,
    "external_select": _PICKER,
    "multi_external_select": _PICKER,
    "users_select": _PICKER,
    "multi_users_select": _PICKER,
    "conversations_select": _PICKER,
    "multi_conversations_select": _PICKER,
    "channels_select": _PICKER,
    "multi_channels_select": _PICKER,
    "datepicker": _PICKER,
    "timepicker": _PICKER,
    "datetimepicker": (_ACTION_ID,),
    "plain_text_input": (*_PICKER, string("initial_value", 3000)),
    "number_input": _PICKER,
    "url_text_input": _PICKER,
    "email_text_input": _PICKER,
    "radio_buttons": _CHOICES,
    "checkboxes": _CHOICES,
    "overflow": (
        _ACTION_ID,
        items(
            "options",
            option_item(plain=True, with_url=True),
            max_items=5,
            min_items=2,
            required=True,
        ),
    ),
    "image": (string("image_url", 3000), string("alt_text", 2000, required=True)),
    # Modals only (checked in view_errors); the app needs files:read. Up to 10 files, 10 MB
    # each; `filetypes` is a convenience for the picker, not a check.
    "file_input": (_ACTION_ID, items("filetypes", string_item(255), max_items=100),
                   whole_number("max_files", 1, 10)),
}

_SELECTS = frozenset(name for name in ELEMENTS if name.endswith("select"))
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOOSERS = frozenset({"radio_buttons", "checkboxes"})
SECTION_ACCESSORIES = _SELECTS | _CHOOSERS | {
    "button", "overflow", "image", "datepicker", "timepicker"
}
ACTION_ELEMENTS = _SELECTS | _PICKERS | _CHOOSERS | {"button", "overflow"}
INPUT_ELEMENTS = _SELECTS | _PICKERS | _CHOOSERS | {
    "plain_text_input",
    "number_input",
    "url_text_input",
    "email_text_input",
    "file_input",
}

BLOCKS: dict[str, tuple[Check, ...]] = {
    "section": (
        text("text", 3000),
        items("fields", text_item(2000), max_items=10),
        element("accessory", SECTION_ACCESSORIES),
        any_of("text", "fields"),
    ),
    "header": (text("text", 150, plain=True, required=True),),
    "divider": (),
    "context": (items("elements", _context_item, max_items=10, min_items=1, required=True),),
    "actions": (
        items("elements", element_item(ACTION_ELEMENTS), max_items=25, min_items=1, required=True),
    ),
    "input": (
        text("label", 2000, plain=True, required=True),
        text("hint", 2000, plain=True),
        element("element", INPUT_ELEMENTS, required=True),
    ),
    "image": (
        string("image_url", 3000, required=True),
        string("alt_text", 2000, required=True),
        text("title", 2000, plain=True),
    ),
    "rich_text": (items("elements", _rich_text_item, max_items=100, required=True),),
}

# Input blocks are for modals (and here, deliberately, not for messages).
MESSAGE_BLOCK_TYPES = frozenset(BLOCKS) - {"input"}
VIEW_BLOCK_TYPES = frozenset(BLOCKS)

_VIEW_COMMON: tuple[Check, ...] = (
    string("private_metadata", 3000),
    string("callback_id", MAX_ID_LENGTH),
    string("external_id", MAX_ID_LENGTH),
)
VIEWS: dict[str, tuple[Check, ...]] = {
    "modal": (
        text("title", 24, plain=True, required=True),
        text("submit", 24, plain=True),
        text("close", 24, plain=True),
        *_VIEW_COMMON,
    ),
    "home": _VIEW_COMMON,
}


# --- entry points ----------------------------------------------------------------------------


def check_element(obj: Any, pointer: str, errors: Errors, allowed: frozenset[str]) -> None:
    if not isinstance(obj, dict):
        _error(errors, "must be an object", pointer)
        return
    kind = obj.get("type")
    if kind not in allowed or kind not in ELEMENTS:
        _error(errors, f"unsupported type: {kind}", f"{pointer}/type")
        return
    for check in ELEMENTS[kind]:
        check(obj, pointer, errors)


def check_blocks(
    blocks: Any, pointer: str, errors: Errors, *, max_blocks: int, allowed: frozenset[str]
) -> None:
    if not isinstance(blocks, list):
        _error(errors, "must be an array", pointer)
        return
    if len(blocks) > max_blocks:
        _too_long(errors, max_blocks, pointer, "items")
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict):
            _error(errors, "must be an object", where)
            continue
        _check_block_id(block, where, errors, seen)
        kind = block.get("type")
        if kind not in allowed:
            _error(errors, f"unsupported type: {kind}", f"{where}/type")
            continue
        for check in BLOCKS[kind]:
            check(block, where, errors)


def _check_block_id(block: dict[str, Any], pointer: str, errors: Errors, seen: set[str]) -> None:
    string("block_id", MAX_ID_LENGTH)(block, pointer, errors)
    block_id = block.get("block_id")
    if isinstance(block_id, str):
        if block_id in seen:
            _error(errors, f"duplicate block_id: {block_id}", f"{pointer}/block_id")
        seen.add(block_id)


def message_errors(blocks: Any, pointer: str = "/blocks") -> list[str]:
    """What Slack's chat.* methods would say about these blocks (empty when valid)."""
    errors: Errors = []
    check_blocks(
        blocks, pointer, errors, max_blocks=MAX_MESSAGE_BLOCKS, allowed=MESSAGE_BLOCK_TYPES
    )
    return errors


def view_errors(view: Any, pointer: str = "/view") -> list[str]:
    """What Slack's views.* methods (or a response_action) would say about this view."""
    errors: Errors = []
    if not isinstance(view, dict):
        _error(errors, "must be an object", pointer)
        return errors
    kind = view.get("type")
    if kind not in VIEWS:
        _error(errors, f"unsupported type: {kind}", f"{pointer}/type")
        return errors
    for check in VIEWS[kind]:
        check(view, pointer, errors)
    blocks = view.get("blocks")
    if blocks is None:
        _error(errors, "missing required field: blocks", pointer)
        return errors
    check_blocks(
        blocks, f"{pointer}/blocks", errors, max_blocks=MAX_VIEW_BLOCKS, allowed=VIEW_BLOCK_TYPES
    )
    if kind == "modal" and _has_input(blocks) and view.get("submit") is None:
        _error(errors, "must provide submit when input blocks are present", pointer)
    if kind != "modal" and isinstance(blocks, list):
        for index, block in enumerate(blocks):
            if isinstance(block, dict) and (block.get("element") or {}).get("type") \
                    == "file_input":
                _error(errors, "file_input is only supported in modals",
                       f"{pointer}/blocks/{index}/element/type")
    return errors


def _has_input(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )


def interactive_elements(block: Any) -> list[dict[str, Any]]:
    """The elements of a block a user can act on (what a block_actions payload can name)."""
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    if kind == "actions":
        found = block.get("elements") or []
    elif kind == "section":
        found = [block.get("accessory")]
    elif kind == "input":
        found = [block.get("element")]
    else:
        found = []
    return [e for e in found if isinstance(e, dict) and e.get("type") not in (None, "image")]
