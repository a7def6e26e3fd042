"""The load generator, a process of its own (its threads share no GIL with the Slack fake or
the servers): fires each planned request at its time, from its own thread, over a new TCP
connection, signed as Slack signs, and reports when it was sent and answered.

    python -m benchmarks.loadgen < PLAN.json > RESULTS.json

PLAN: {"url", "signing_secret", "start_at" (epoch seconds), "requests": [{"id", "at"
(seconds after start_at), "body", "content_type", "retry_num" (or null)}]}. RESULTS: one
{"id", "sent", "done" (epoch seconds), "status" (null: no answer), "error"} per request.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10.0


def send(url: str, secret: str, request: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(url)
    body = request["body"].encode()
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body,
                         hashlib.sha256).hexdigest()
    headers = {"Content-Type": request["content_type"], "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": f"v0={signature}", "Connection": "close",
               "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
    if request.get("retry_num") is not None:
        headers["X-Slack-Retry-Num"] = str(request["retry_num"])
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    outcome: dict[str, Any] = {"id": request["id"], "sent": time.time(), "status": None,
                               "error": None}
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
        outcome["status"] = reply.status
    except Exception as error:  # refused, reset, timed out: no answer
        outcome["error"] = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    outcome["done"] = time.time()
    return outcome


def run(plan: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []

    def fire(request: dict[str, Any]) -> None:
        time.sleep(max(0.0, plan["start_at"] + request["at"] - time.time()))
        results.append(send(plan["url"], plan["signing_secret"], request))

    threads = [threading.Thread(target=fire, args=(r,)) for r in plan["requests"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
