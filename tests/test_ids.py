"""Answer ids: UUIDv7, ordered by time, unguessable, and unique."""

from __future__ import annotations

import uuid

from shop_reco.storage.ids import time_ordered_id


def test_ids_are_version_7_uuids_with_the_rfc_variant() -> None:
    for _ in range(1000):
        value = uuid.UUID(time_ordered_id())
        assert value.version == 7 and value.variant == uuid.RFC_4122


def test_ids_sort_by_the_millisecond_they_were_made_in() -> None:
    moments = [1_700_000_000_000_000_000 + k * 1_000_000 for k in range(50)]  # 50 consecutive milliseconds
    ids = [time_ordered_id(ns) for ns in moments]
    assert ids == sorted(ids)
    assert int(uuid.UUID(ids[0]).hex[:12], 16) == 1_700_000_000_000  # the first 48 bits are the Unix milliseconds


def test_ids_made_in_the_same_millisecond_differ_in_their_random_bits() -> None:
    ids = {time_ordered_id(1_700_000_000_000_000_000) for _ in range(20_000)}
    assert len(ids) == 20_000
    # 74 random bits: over 20,000 ids every random hex digit takes many values, none is fixed;
    # hex digit 16 holds the variant's two bits and two random ones.
    digits = [value.replace("-", "") for value in ids]
    assert {d[12] for d in digits} == {"7"} and {d[16] for d in digits} == set("89ab")
    assert all(len({d[i] for d in digits}) == 16 for i in (*range(13, 16), *range(17, 32)))


def test_a_forked_worker_never_hands_out_its_parents_random_bits() -> None:
    """Workers forked from one master (gunicorn) draw their own bytes, or two answers could share an id."""
    import os

    time_ordered_id()  # the parent holds a batch it has only begun to hand out
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the random part of its next ids and leave at once
        os.close(read)
        os.write(write, "".join(time_ordered_id(0)[14:] + "\n" for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    parent = {time_ordered_id(0)[14:] for _ in range(50)}
    assert len(child) == 50 and not child & parent


def test_ids_made_by_many_threads_at_once_are_all_different() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: time_ordered_id(0), range(20_000)))
    assert len(set(ids)) == 20_000
