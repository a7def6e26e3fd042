"""Bolt's listener pool: the request id reaches the listener thread, and a listener's slow
part (after its ack) waits its turn while other requests are still waiting for an answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.authorization import AuthorizeResult

from bot.executor import AnsweringAck, ContextThreadPoolExecutor
from bot.logs import request_id


def make_app(executor: ContextThreadPoolExecutor) -> App:
    app = App(
        signing_secret="unused", request_verification_enabled=False,
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1",
                                              bot_token="xoxb-1", bot_user_id="UBOT",
                                              bot_id="BBOT"),
        listener_executor=executor,
    )
    app.use(executor.ack_first_middleware())
    return app


def click(app: App, value: str) -> Any:
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
               "api_app_id": "A1", "trigger_id": "1.2.3",
               "actions": [{"type": "button", "action_id": "work", "block_id": "b",
                            "value": value, "action_ts": "1.0"}]}
    return app.dispatch(BoltRequest(
        body=urlencode({"payload": json.dumps(payload)}),
        headers={"content-type": ["application/x-www-form-urlencoded"]}))


@pytest.fixture
def executor() -> Iterator[ContextThreadPoolExecutor]:
    pool = ContextThreadPoolExecutor(post_ack_slots=1, post_ack_wait=5.0)
    yield pool
    pool.shutdown(wait=True)


def test_the_request_id_reaches_the_listener_thread(executor: ContextThreadPoolExecutor) -> None:
    app = make_app(executor)
    seen: list[tuple[str | None, str]] = []

    @app.action("work")
    def work(ack: Ack) -> None:
        seen.append((request_id.get(), threading.current_thread().name))
        ack()

    token = request_id.set("req-1")
    try:
        assert click(app, "1").status == 200
    finally:
        request_id.reset(token)
    assert seen == [("req-1", seen[0][1])] and seen[0][1].startswith("listener")


def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_slow_parts_wait_while_other_requests_are_unanswered(
        executor: ContextThreadPoolExecutor) -> None:
    app = make_app(executor)
    release = threading.Event()
    slow_parts: list[str] = []

    @app.action("work")
    def work(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        value = body["actions"][0]["value"]
        slow_parts.append(value)
        if value == "first":
            release.wait(5)  # takes the only turn and keeps it

    try:
        assert click(app, "first").status == 200
        wait_until(lambda: slow_parts == ["first"])
        with executor.answering():  # another request is still waiting for its answer
            began = time.monotonic()
            assert click(app, "second").status == 200  # acked without waiting
            assert time.monotonic() - began < 1
            time.sleep(0.3)
            assert slow_parts == ["first"]  # the slow part waits for its turn
        wait_until(lambda: len(slow_parts) == 2)  # answered: it goes, the first still runs
        assert slow_parts == ["first", "second"]
    finally:
        release.set()


def test_with_nobody_waiting_for_an_answer_slow_parts_run_at_once(
        executor: ContextThreadPoolExecutor) -> None:
    app = make_app(executor)
    release = threading.Event()
    running: list[str] = []

    @app.action("work")
    def work(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        running.append(body["actions"][0]["value"])
        release.wait(5)

    try:
        click(app, "first")
        click(app, "second")
        wait_until(lambda: len(running) == 2, timeout=2)
        assert running == ["first", "second"]
    finally:
        release.set()


def test_in_a_stream_of_requests_slow_parts_do_not_pile_up_waiting() -> None:
    """Each request is answered before the next comes in, while slow parts take longer
    than that gap. A moment with every request answered lets the waiting slow parts go,
    even when the next request arrives before they wake. (They used to wake, find it, and
    wait again: dozens piled up, all woken at every answer, the pool's threads all taken.)"""
    executor = ContextThreadPoolExecutor(post_ack_slots=2, post_ack_wait=5.0)
    app = make_app(executor)
    lock = threading.Lock()
    waiting, most_waiting, done = 0, 0, []

    @app.action("work")
    def work(ack: Ack, body: dict[str, Any]) -> None:
        nonlocal waiting, most_waiting
        with lock:
            waiting += 1
            most_waiting = max(most_waiting, waiting)
        ack()  # returns when this slow part's turn comes
        with lock:
            waiting -= 1
        time.sleep(0.005)
        done.append(body["actions"][0]["value"])

    try:
        for n in range(60):
            with executor.answering():
                assert click(app, str(n)).status == 200
        wait_until(lambda: len(done) == 60)
        assert len(done) == 60
        assert most_waiting <= 4
    finally:
        executor.shutdown(wait=True)


def test_a_slow_part_waits_no_longer_than_post_ack_wait() -> None:
    pool = ContextThreadPoolExecutor(post_ack_slots=1, post_ack_wait=0.2)
    app = make_app(pool)
    release = threading.Event()
    slow_parts: list[str] = []

    @app.action("work")
    def work(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        slow_parts.append(body["actions"][0]["value"])
        if body["actions"][0]["value"] == "first":
            release.wait(5)

    try:
        click(app, "first")
        with pool.answering():  # never answered while the test looks
            click(app, "second")
            wait_until(lambda: len(slow_parts) == 2, timeout=3)
            assert slow_parts == ["first", "second"]  # its turn never came; it went anyway
    finally:
        release.set()
        pool.shutdown(wait=True)


def test_a_look_at_a_missing_ack_on_the_requests_thread_waits_for_it() -> None:
    """Bolt looks for the ack every 10 ms; our ack ends the look the moment it is set."""
    ack = AnsweringAck()  # made on this thread, the one that waits for the answer
    setter = threading.Timer(0.05, ack)
    setter.start()
    try:
        assert ack.response is not None and ack.response.status == 200
    finally:
        setter.cancel()


def test_other_threads_read_a_missing_ack_without_waiting() -> None:
    ack = AnsweringAck()
    seen: list[Any] = []
    reader = threading.Thread(target=lambda: seen.append(ack.response))
    reader.start()
    reader.join(5)
    assert seen == [None]
    ack()
    assert ack.response is not None


def test_a_pausing_listener_gives_up_its_turn(executor: ContextThreadPoolExecutor) -> None:
    app = make_app(executor)  # one turn for slow parts while requests are unanswered
    paused = threading.Event()
    slow_parts: list[str] = []

    @app.action("work")
    def work(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        value = body["actions"][0]["value"]
        slow_parts.append(value)
        if value == "settling":
            paused.set()
            executor.pause(2.0)  # a refresh settling: idle, not holding the turn
            slow_parts.append("settled")

    click(app, "settling")
    assert paused.wait(5)
    with executor.answering():  # another request still waits: one turn only
        click(app, "second")
        wait_until(lambda: "second" in slow_parts, timeout=1.5)
        assert slow_parts[:2] == ["settling", "second"]  # it did not wait for the pause
    wait_until(lambda: "settled" in slow_parts)
    assert slow_parts == ["settling", "second", "settled"]
