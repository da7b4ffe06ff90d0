"""Time-ordered record ids for the answer log.

Answer ids are UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds,
then 74 random bits. Random (version 4) ids land on a random page of the primary
key's index, so every logged answer dirtied a page of its own: on SQLite a batch
of 1,200 rows wrote about 1,200 index pages at commit, on PostgreSQL as many
WAL pages. Ids that grow with time append to the same few pages instead. The 74
random bits keep ids unguessable (an id only lets its holder send click events
for that answer); the time they reveal is the answer's ``created_at``.

The random bits come from the operating system's generator (``os.urandom``), drawn
4 KB at a time and handed out once each: one system call per 409 ids. Inside a
request a call of its own cost about 11 µs, a twentieth of the whole answer. A forked
worker drops the bytes it inherited, so two workers never hand out the same ones.
"""

from __future__ import annotations

import os
import threading
import time

_MS_MASK = (1 << 48) - 1
_RANDOM_BYTES = 10  # 80 bits: 12 for rand_a, 62 for rand_b, 6 unused (the version's and variant's places)
_BATCH = 4096 // _RANDOM_BYTES * _RANDOM_BYTES  # bytes per draw from the OS, a whole number of ids


class _RandomBytes:
    """``os.urandom`` in batches: each byte handed out once, none kept across a fork."""

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):  # POSIX; a child must not repeat its parent's bytes
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()  # a new one: a fork may have copied the old one held
        self._batch = b""
        self._offset = 0

    def take(self) -> bytes:
        with self._lock:
            offset = self._offset
            if offset == len(self._batch):
                self._batch = os.urandom(_BATCH)
                offset = 0
            self._offset = offset + _RANDOM_BYTES
            return self._batch[offset : offset + _RANDOM_BYTES]


_random_bytes = _RandomBytes()


def time_ordered_id(now_ns: int | None = None) -> str:
    """A UUIDv7 string: ``xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx``, ordered by time to the millisecond.

    ``now_ns`` (nanoseconds since the epoch) is for tests; ids made in the same
    millisecond are in random order among themselves.

        >>> import uuid
        >>> uuid.UUID(time_ordered_id()).version
        7
        >>> time_ordered_id(1_000_000) < time_ordered_id(2_000_000)
        True
    """
    ms = ((time.time_ns() if now_ns is None else now_ns) // 1_000_000) & _MS_MASK
    rand = _random_bytes.take()
    # 48 bits of time, the version (7) over 4 random bits, 8 random bits, the variant (0b10) over
    # 6 random bits, 56 random bits: built as bytes, as 128-bit integer arithmetic costs more.
    h = (ms.to_bytes(6, "big") + bytes((0x70 | rand[0] & 0x0F, rand[1], 0x80 | rand[2] & 0x3F)) + rand[3:10]).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
