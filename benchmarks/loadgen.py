"""The load generator, in its own process so that its threads do not share a GIL with the
Slack fake or the app. Reads a plan of requests, fires each at its time from its own
thread over a new TCP connection (as Slack does), signed like Slack signs, and writes what
happened to each.

    python -m benchmarks.loadgen PLAN.json RESULTS.json

PLAN.json: {"url", "signing_secret", "start_at" (epoch seconds), "requests": [{"id",
"at" (seconds after start_at), "body", "content_type", "retry_num" (optional)}]}.
Requests with the same "at" go out together: a burst of simultaneous connections.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from bot.slack_fake.simulator import sign

TIMEOUT_SECONDS = 10.0


def fire(url: str, secret: str, request: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(url)
    body = request["body"].encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": request["content_type"],
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(secret, stamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "Connection": "close",
    }
    if request.get("retry_num") is not None:
        headers["X-Slack-Retry-Num"] = str(request["retry_num"])
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    started = time.time()
    outcome: dict[str, Any] = {"id": request["id"], "sent": started}
    connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                            timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
        outcome.update(status=reply.status, request_id=reply.getheader("X-Request-Id"))
    except Exception as error:  # refused, reset, timed out: a dropped connection
        outcome.update(status=None, error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    outcome["done"] = time.time()
    return outcome


def run(plan: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    start_at = float(plan["start_at"])

    def worker(request: dict[str, Any]) -> None:
        time.sleep(max(0.0, start_at + float(request["at"]) - time.time()))
        outcome = fire(plan["url"], plan["signing_secret"], request)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(r,), daemon=True)
               for r in plan["requests"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS + 60)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    with open(args[0], encoding="utf-8") as source:
        plan = json.load(source)
    results = run(plan)
    with open(args[1], "w", encoding="utf-8") as out:
        json.dump(results, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
