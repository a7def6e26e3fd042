"""The catalogs are complete, consistent and within Slack's limits in every language."""

from __future__ import annotations

import re
import string
from functools import cache

import pytest
from babel.messages.pofile import read_po

from bot.catalogs import extract_template, merge
from bot.i18n import LANGUAGES, catalog_path, translator

MAX_COMMENT = re.compile(r"max (\d+) characters")


@cache
def source_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every translatable string in bot/ and handlers/, with its translator comments."""
    return {m.id: list(m.auto_comments) for m in extract_template() if m.id}


@cache
def catalog(language: str):
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_source_has_messages() -> None:
    assert len(source_messages()) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_translates_every_message(language: str) -> None:
    po = catalog(language)
    missing = []
    for message in source_messages():
        key = message[0] if isinstance(message, tuple) else message
        entry = po.get(key)
        strings = entry.string if entry else None
        texts = list(strings) if isinstance(strings, tuple | list) else [strings]
        if entry is None or entry.fuzzy or not all(texts):
            missing.append(key)
    assert missing == [], f"{language}: {len(missing)} messages untranslated: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_stale_messages(language: str) -> None:
    keys = {m[0] if isinstance(m, tuple) else m for m in source_messages()}
    stale = [
        m.id
        for m in catalog(language)
        if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in keys
    ]
    assert stale == [], f"{language}: run `make catalogs`; stale: {stale[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for text in texts:
            if placeholders(text) - expected or (
                placeholders(text) != expected and not isinstance(message.id, tuple)
            ):
                wrong.append((message.id, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_fit_the_limits_their_comments_state(language: str) -> None:
    too_long = []
    for message, comments in source_messages().items():
        limits = [int(m.group(1)) for c in comments for m in MAX_COMMENT.finditer(c)]
        if not limits or isinstance(message, tuple):
            continue
        text = translator(language)._(message)
        if len(text) > min(limits):
            too_long.append((message, text, min(limits)))
    assert too_long == []


def test_numbers_follow_the_language() -> None:
    assert translator("en").number(3.5) == "3.5"
    assert translator("et").number(3.5) == "3,5"
    assert translator("fi").number(3.5) == "3,5"
    assert translator("fi").number(4, digits=0) == "4"


def test_unknown_language_falls_back_to_english() -> None:
    assert translator("xx").language == "en"


def test_a_new_message_reaches_translators_empty() -> None:
    """English is filled with the source text; that must not leak into the languages
    merged after it (they would look translated, in English)."""
    template = extract_template()
    template.add("A message no translator has seen yet", None)
    merged = {language: merge(template, language) for language in LANGUAGES}
    assert merged["en"].get("A message no translator has seen yet").string == (
        "A message no translator has seen yet")
    for language in set(LANGUAGES) - {"en"}:
        assert not merged[language].get("A message no translator has seen yet").string
