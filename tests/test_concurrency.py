"""Many writers at once on PostgreSQL: no rule edit is lost, every event is counted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from shop_reco.storage.models import Event, Revision, Rule
from shop_reco.storage.rules import RuleConflict, update_rule
from tests.conftest import _fresh_schema_url, make_app

pytestmark = pytest.mark.postgres
WRITERS = 20


@pytest.fixture
def pg_app(postgres_url: str, tmp_path: Path) -> Iterator[Flask]:
    for url in _fresh_schema_url(postgres_url):
        app = make_app(url, tmp_path, SHOP_RECO_ENGINE_OPTIONS={"pool_size": WRITERS + 5})
        runner = app.test_cli_runner()
        assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
        assert runner.invoke(args=["shop-reco", "demo-data"]).exit_code == 0
        yield app
        app.extensions["shop_reco"].close()


def run_together(target, count: int) -> None:  # type: ignore[no-untyped-def]
    """Start ``count`` threads on one barrier so their writes really overlap."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            target(i, barrier)
        except BaseException as exc:  # surfaced below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_twenty_edits_from_one_version_one_lands_the_rest_conflict(pg_app: Flask) -> None:
    engine = pg_app.extensions["shop_reco"].engine
    with Session(engine) as s:
        rule = s.scalars(select(Rule).order_by(Rule.key)).first()
        assert rule is not None
        key, version = rule.key, rule.version
    outcomes: list[str] = []

    def edit(i: int, barrier: threading.Barrier) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                update_rule(session, key, {"priority": 500 + i}, expected_version=version, actor=f"w{i}")
                session.commit()
                outcomes.append("landed")
            except RuleConflict:
                session.rollback()
                outcomes.append("conflict")

    run_together(edit, WRITERS)
    assert len(outcomes) == WRITERS
    assert outcomes.count("landed") == 1, outcomes
    with Session(engine) as s:
        stored = s.scalars(select(Rule).where(Rule.key == key)).one()
        assert stored.version == version + 1
        updates = s.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.entity == "rule", Revision.entity_key == key, Revision.action == "update")
        )
        assert updates == 1


def test_twenty_editors_who_reload_on_conflict_all_land(pg_app: Flask) -> None:
    engine = pg_app.extensions["shop_reco"].engine
    with Session(engine) as s:
        key = s.scalars(select(Rule.key).order_by(Rule.key)).first()
    conflicts: list[int] = []

    def edit(i: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        for _attempt in range(200):
            with Session(engine) as session:
                row = session.scalars(select(Rule).where(Rule.key == key)).one()
                description = f"{row.description} [w{i}]"
                try:
                    update_rule(session, key, {"description": description}, expected_version=row.version, actor=f"w{i}")
                    session.commit()
                    return
                except RuleConflict:
                    session.rollback()
                    conflicts.append(i)
        raise AssertionError(f"writer {i} never landed")

    run_together(edit, WRITERS)
    with Session(engine) as s:
        final = s.scalars(select(Rule).where(Rule.key == key)).one().description
    assert all(f"[w{i}]" in final for i in range(WRITERS)), "no edit was lost"
    assert conflicts, "the writers really overlapped"


def test_concurrent_event_posts_are_counted_exactly(pg_app: Flask) -> None:
    per_writer = 25

    def post(i: int, barrier: threading.Barrier) -> None:
        client = pg_app.test_client()
        barrier.wait()
        for n in range(per_writer):
            reply = client.post(
                "/reco/api/v1/events",
                json={
                    "kind": "impression",
                    "item_type": "exercise",
                    "item_id": "plank",
                    "page_view": f"pv-{i:04d}-{n:04d}",
                },
            )
            assert reply.status_code == 202

    run_together(post, WRITERS)
    engine = create_engine(pg_app.extensions["shop_reco"].engine.url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Event)) == WRITERS * per_writer
        assert s.scalar(select(func.count(func.distinct(Event.page_view)))) == WRITERS * per_writer
    engine.dispose()
