"""Time-ordered record ids for the answer log.

Answer ids are UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds,
then 74 random bits. Random (version 4) ids land on a random page of the primary
key's index, so every logged answer dirtied a page of its own: on SQLite a batch
of 1,200 rows wrote about 1,200 index pages at commit, on PostgreSQL as many
WAL pages. Ids that grow with time append to the same few pages instead. The 74
random bits keep ids unguessable (an id only lets its holder send click events
for that answer); the time they reveal is the answer's ``created_at``.
"""

from __future__ import annotations

import os
import time

_MS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1


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
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b, 6 unused
    value = ms << 80 | 0x7 << 76 | (rand >> 68) << 64 | 0b10 << 62 | (rand & _RAND_B_MASK)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
