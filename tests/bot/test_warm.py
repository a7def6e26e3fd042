"""The warm-up before a process takes requests (bot/warm.py)."""

from __future__ import annotations

import logging

import pytest

from bot.app import build_services
from bot.blocks.help import standard_help
from bot.i18n import LANGUAGES, translator
from bot.warm import warm_shared_caches, warm_statements
from tests.conftest import World, make_settings


def test_the_statements_before_an_ack_are_compiled_before_the_first_request(
        world: World) -> None:
    engine = world.services.engine
    engine.clear_compiled_cache()
    warm_statements(world.services)
    compiled = len(engine._compiled_cache)  # SQLAlchemy's cache of compiled statements
    assert compiled > 0
    warm_statements(world.services)  # the same statements: nothing new to compile
    assert len(engine._compiled_cache) == compiled


def test_a_database_that_is_away_does_not_keep_a_worker_from_starting(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    away = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    services = build_services(make_settings(world.fake, away))
    with caplog.at_level(logging.WARNING, logger="bot.warm"):
        warm_statements(services)
    assert "could not warm up the database statements" in caplog.text


def test_every_language_is_ready_before_the_first_request() -> None:
    """The catalogs are compiled and the help message built, once, in every language."""
    translator.cache_clear()
    standard_help.cache_clear()
    warm_shared_caches()
    assert translator.cache_info().currsize == len(LANGUAGES)
    assert standard_help.cache_info().currsize == len(LANGUAGES)
    warm_shared_caches()
    assert translator.cache_info().misses == len(LANGUAGES)
