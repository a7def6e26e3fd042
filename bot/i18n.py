"""Message catalogs (gettext through Babel) and language-aware formatting.

Catalogs are the `.po` files under bot/locale; they are read with Babel and compiled in
memory on first use, so there is no build step a newcomer can forget. Source strings are
English (standard gettext); `en.po` exists so that every language is one complete catalog.
"""

from __future__ import annotations

import gettext
from datetime import datetime, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "et", "fi")
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class Translator:
    """Everything one language needs: `_` and `ngettext` for text, plus number and date
    formats for text Slack does not format itself (decimal comma in et and fi)."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def _(self, message: str, /, **values: Any) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    def number(self, value: float, digits: int = 1) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def datetime(self, value: datetime, tz: tzinfo | str | None = None) -> str:
        zone = get_timezone(tz) if isinstance(tz, str) else tz
        return format_datetime(value, "medium", tzinfo=zone, locale=self.language)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translator(language: str) -> Translator:
    """The translator for a language; unknown languages get English."""
    if language not in LANGUAGES:
        language = "en"
    path = catalog_path(language)
    if not path.is_file():
        return Translator(language, gettext.NullTranslations())
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translator(language, gettext.GNUTranslations(buffer))


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (tables of labels)."""
    return message


def length_text(t: Translator, minutes: int) -> str:
    """An interview's length: "45 minutes"."""
    return t.ngettext("{n} minute", "{n} minutes", minutes)
