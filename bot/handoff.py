"""The hand-off between `serve`'s workers and its background processes: one Unix socket
pair of kind SOCK_SEQPACKET, made by the gunicorn master before it forks anyone.

Every worker sends its deferred jobs (bot/deferred.py) into one end; every background
process reads from the other. The kernel keeps each message whole, gives each to exactly
one reader, and holds what is not read yet for as long as any process has the socket open,
so a job sent survives the worker that sent it. A message costs a worker a few
microseconds of CPU; writing the job into the database had cost it 0.5-1 ms and a round
trip, in the middle of a burst. The background process that reads a job writes it down
(bot/deferred.py says when).

The workers hold the reading end too: a job no background process has read within a
second (they are starting, swamped or gone) is taken back out by a worker. The kernel
queues only so much (QUEUE_BYTES, as far as net.core.wmem_max allows); past that, or for a
message over MAX_MESSAGE, a worker writes the job into the table itself, as before.
"""

from __future__ import annotations

import errno
import json
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Room for ~2,000 small jobs (each message also costs the kernel ~1.3 KB of bookkeeping).
QUEUE_BYTES = 4 * 1024 * 1024
# The largest message sent; a reader's buffer is this big (a longer one would be cut).
MAX_MESSAGE = 192 * 1024
# A message starts with "<time sent> <urgent 0/1> ": enough to judge it from a peek.
_HEAD_BYTES = 32


@dataclass(frozen=True)
class HandedJob:
    kind: str
    payload: dict[str, Any]
    urgent: bool
    request_id: str | None
    created_at: datetime
    sent_at: float  # time.time() when the worker sent it


def encode(job: HandedJob) -> bytes:
    body = json.dumps({"kind": job.kind, "payload": job.payload, "request_id": job.request_id,
                       "created_at": job.created_at.isoformat()}, separators=(",", ":"))
    return b"%.6f %d %s" % (job.sent_at, job.urgent, body.encode())


# "Look at the table": a job was written there (the queue was full, or the job too big).
def nudge_message() -> bytes:
    return b"%.6f 0 " % time.time()


def decode(message: bytes) -> HandedJob | None:
    """The job in a message; None for a nudge."""
    sent_at, urgent, body = message.split(b" ", 2)
    if not body:
        return None
    fields = json.loads(body)
    return HandedJob(fields["kind"], fields["payload"], urgent == b"1", fields["request_id"],
                     datetime.fromisoformat(fields["created_at"]), float(sent_at))


def _sent_at(head: bytes) -> float:
    return float(head.split(b" ", 1)[0])


class HandOff:
    """Both ends of the socket pair. Nobody sets either end non-blocking (that flag would
    be shared with every process holding it): calls that must not wait say so per call."""

    def __init__(self, sending: socket.socket | None, receiving: socket.socket) -> None:
        self.sending, self.receiving = sending, receiving

    @classmethod
    def make(cls) -> HandOff:
        sending, receiving = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Capped, silently, at net.core.wmem_max: then the table takes the overflow sooner.
        sending.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, QUEUE_BYTES)
        return cls(sending, receiving)

    @classmethod
    def reading_end(cls, fd: int) -> HandOff:
        """A background process's: the reading end it was started with."""
        return cls(None, socket.socket(fileno=fd))

    def send(self, message: bytes) -> bool:
        """False if the queue is full or the message too big. BrokenPipeError if no process
        holds the reading end any more."""
        assert self.sending is not None, "a reading end only"
        if len(message) > MAX_MESSAGE:
            return False
        try:
            self.sending.send(message, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as error:
            if error.errno == errno.EMSGSIZE:  # over what the kernel takes at once
                return False
            raise
        return True

    def receive(self) -> bytes | None:
        """The next message, waiting for it; None once every sending end is closed and
        nothing is left."""
        message = self.receiving.recv(MAX_MESSAGE)
        return message or None

    def take_older_than(self, seconds: float) -> bytes | None:
        """Without waiting: the next message if the one first in line was sent over
        `seconds` ago (another reader may take that one meanwhile: then the next)."""
        oldest = self.oldest_sent_at()
        if oldest is None or time.time() - oldest < seconds:
            return None
        try:
            return self.receiving.recv(MAX_MESSAGE, socket.MSG_DONTWAIT) or None
        except (BlockingIOError, InterruptedError):
            return None

    def oldest_sent_at(self) -> float | None:
        """Without waiting: when the message first in line was sent; None if none is."""
        try:
            head = self.receiving.recv(_HEAD_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return None
        return _sent_at(head) if head else None

    def close_sending(self) -> None:
        """This process hands over nothing more; once no process holds the sending end, the
        readers see the end of the queue."""
        if self.sending is not None:
            self.sending.close()

    def close(self) -> None:
        self.close_sending()
        self.receiving.close()
