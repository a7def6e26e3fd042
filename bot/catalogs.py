"""`python -m bot.catalogs`: extract every translatable string from bot/ and handlers/ and
merge it into the en, et and fi catalogs (`make catalogs` runs this).

New strings arrive empty in et and fi for a translator to fill; English is the source
language, so its catalog is filled with the source text itself. Strings no longer in the
code are dropped.
"""

from __future__ import annotations

import copy
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import LANGUAGES, LOCALE_DIR, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "handlers")
COMMENT_TAG = "Translators:"
# gettext's own keywords, and the question-set problems' Msg("...") (bot/core/question_sets.py).
KEYWORDS = {**DEFAULT_KEYWORDS, "Msg": None}


def extract_template() -> Catalog:
    template = Catalog(project="interview-bot", fuzzy=False)
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=(COMMENT_TAG,),
            strip_comment_tags=True,
            # The fake Slack speaks Slack's own (English) error codes, not the app's text.
            directory_filter=lambda d: "slack_fake" not in d,
        ):
            template.add(message, None, [(f"{folder}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    return template


def merge(template: Catalog, language: str) -> Catalog:
    path = catalog_path(language)
    if path.is_file():
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
    else:
        catalog = Catalog(locale=language, project="interview-bot", fuzzy=False)
    # A copy: update() adopts the template's new Message objects, and filling English
    # below would otherwise fill them in every language merged after it.
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    if language == "en":
        for message in catalog:
            filled = all(message.string) if isinstance(message.string, tuple) else message.string
            if message.id and not filled:
                message.string = message.id  # singular and plural alike
    return catalog


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, no_location=True, sort_output=True, width=100)


def main(languages: list[str] | None = None) -> None:
    """Update the given languages' catalogs (default: all); one language at a time lets
    translators work in parallel without overwriting each other's file."""
    template = extract_template()
    write(template, LOCALE_DIR / "messages.pot")
    for language in languages or LANGUAGES:
        catalog = merge(template, language)
        write(catalog, catalog_path(language))
        untranslated = sum(1 for m in catalog if m.id and not all(
            m.string if isinstance(m.string, tuple) else [m.string]))
        print(f"{language}: {len(catalog)} messages, {untranslated} untranslated")


if __name__ == "__main__":
    import sys

    main([a for a in sys.argv[1:] if a in LANGUAGES] or None)
