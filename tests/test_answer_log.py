"""The answer log: what was shown is written in batches, off the request, and never lost quietly."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from shop_reco.storage.answer_log import AnswerLog
from shop_reco.storage.models import Recommendation
from tests.conftest import REPO, make_app

DESCRIPTION = {"description": "My lower back aches after sitting all day"}


def migrated(database_url: str, tmp_path: Path, **config: object) -> Flask:
    app = make_app(database_url, tmp_path, **config)
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    return app


def stored(app: Flask) -> int:
    with app.extensions["shop_reco"].engine.connect() as connection:
        return int(connection.scalar(select(func.count(Recommendation.id))) or 0)


def wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def log_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "shop_reco-answer-log"]


def test_answers_reach_the_database_by_themselves_within_the_interval(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=0.2)
    client = app.test_client()
    ids = {client.post("/reco/api/v1/recommendations", json=DESCRIPTION).get_json()["id"] for _ in range(3)}
    assert wait_for(lambda: stored(app) == 3)
    with app.extensions["shop_reco"].engine.connect() as connection:
        assert set(connection.scalars(select(Recommendation.id))) == ids
    # Idle again: the writer thread ends instead of lingering.
    assert wait_for(lambda: not log_threads())
    app.extensions["shop_reco"].close()


def test_the_request_only_queues_and_flush_writes_the_batch(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60)
    client = app.test_client()
    for _ in range(4):
        assert client.post("/reco/api/v1/recommendations", json=DESCRIPTION).status_code == 200
    answer_log = app.extensions["shop_reco"].answer_log
    assert stored(app) == 0 and answer_log.pending == 4
    assert answer_log.flush() == 4
    assert stored(app) == 4 and answer_log.pending == 0
    app.extensions["shop_reco"].close()


def test_a_full_queue_is_written_by_the_request_that_fills_it(database_url: str, tmp_path: Path) -> None:
    app = migrated(
        database_url,
        tmp_path,
        SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60,
        SHOP_RECO_ANSWER_LOG_MAX_PENDING=3,
    )
    client = app.test_client()
    for _ in range(2):
        client.post("/reco/api/v1/recommendations", json=DESCRIPTION)
    assert stored(app) == 0
    client.post("/reco/api/v1/recommendations", json=DESCRIPTION)
    assert stored(app) == 3 and app.extensions["shop_reco"].answer_log.pending == 0
    app.extensions["shop_reco"].close()


def test_zero_seconds_writes_in_the_request(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=0)
    app.test_client().post("/reco/api/v1/recommendations", json=DESCRIPTION)
    assert stored(app) == 1 and not log_threads()
    app.extensions["shop_reco"].close()


def test_a_logged_answer_reads_back_as_it_was_shown(database_url: str, tmp_path: Path) -> None:
    """The batch goes through the driver's own executemany: every column must come back typed as queued."""
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60, SHOP_RECO_STORE_DESCRIPTIONS=True)
    client = app.test_client()
    first = client.post("/reco/api/v1/recommendations", json=DESCRIPTION).get_json()
    again = client.post("/reco/api/v1/recommendations", json=DESCRIPTION).get_json()  # the memoized answer
    urgent = client.post("/reco/api/v1/recommendations", json={"description": "I fell off a ladder, my back"})
    answer_log = app.extensions["shop_reco"].answer_log
    assert answer_log.flush() == 3
    with Session(app.extensions["shop_reco"].engine) as session:
        rows = {r.id: r for r in session.scalars(select(Recommendation))}
    row = rows[first["id"]]
    shown = [("exercise", e["slug"]) for e in first["exercises"]] + [("product", p["sku"]) for p in first["products"]]
    assert [(i["type"], i["id"]) for i in row.items][: len(shown)] == shown
    assert all(isinstance(i["rules"], list) for i in row.items)
    assert row.concepts == sorted(row.concepts) and "trigger:sitting" in row.concepts
    assert row.items == rows[again["id"]].items and row.concepts == rows[again["id"]].concepts
    assert row.description == DESCRIPTION["description"] and row.source == "api" and row.fallback is False
    assert row.locale == "en" and row.safety_level == "none" and row.rules_revision == first["rules_version"]
    created = row.created_at.replace(tzinfo=None)
    assert abs((datetime.now(timezone.utc).replace(tzinfo=None) - created).total_seconds()) < 60
    assert row.expires_at is not None and row.expires_at.replace(tzinfo=None) > created
    assert rows[urgent.get_json()["id"]].safety_level == "urgent" and rows[urgent.get_json()["id"]].items == []
    # Ids grow with time (UUIDv7), so each batch appends to the primary key's index.
    assert uuid.UUID(first["id"]).version == 7 and again["id"][:13] >= first["id"][:13]
    app.extensions["shop_reco"].close()


def test_a_row_without_every_column_is_still_written_with_the_defaults(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60)
    answer_log = app.extensions["shop_reco"].answer_log
    answer_log.add({"id": "partial-1", "locale": "en", "safety_level": "none", "source": "cli"})
    assert answer_log.flush() == 1
    with Session(app.extensions["shop_reco"].engine) as session:
        row = session.get(Recommendation, "partial-1")
    assert row is not None and row.items == [] and row.concepts == [] and row.created_at is not None
    app.extensions["shop_reco"].close()


def test_a_batch_larger_than_one_statement_is_written_whole(database_url: str, tmp_path: Path) -> None:
    """SQLite takes rows 90 to a statement (999 binds); 250 rows span three statements, in one transaction."""
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60)
    client = app.test_client()
    texts = ["My lower back aches after sitting", "My hip hurts on the stairs", "Stiff neck from the screen"]
    ids = [
        client.post("/reco/api/v1/recommendations", json={"description": f"{texts[n % 3]}, day {n}"}).get_json()["id"]
        for n in range(250)
    ]
    answer_log = app.extensions["shop_reco"].answer_log
    assert answer_log.pending == 250 and answer_log.flush() == 250
    with Session(app.extensions["shop_reco"].engine) as session:
        rows = {r.id: r for r in session.scalars(select(Recommendation))}
    assert set(rows) == set(ids)
    assert {tuple(rows[i].concepts) for i in ids[0::3]} == {tuple(rows[ids[0]].concepts)}
    assert "area:hip" in rows[ids[1]].concepts and "area:hip" not in rows[ids[0]].concepts
    app.extensions["shop_reco"].close()


def test_the_analytics_page_shows_answers_still_queued(database_url: str, tmp_path: Path) -> None:
    from tests.admin_session import sign_in

    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60)
    client = app.test_client()
    client.post("/reco/api/v1/recommendations", json={"description": "I fell off a ladder and hurt my back"})
    sign_in(client)
    html = client.get("/reco/admin/analytics").get_data(as_text=True)
    assert stored(app) == 1
    assert '<th scope="row">urgent</th><td class="num">1</td>' in html
    app.extensions["shop_reco"].close()


def test_an_outage_keeps_the_rows_and_writes_them_when_the_table_is_back(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60, SHOP_RECO_RULES_TTL=3600)
    client = app.test_client()
    answer_log = app.extensions["shop_reco"].answer_log
    assert client.post("/reco/api/v1/recommendations", json=DESCRIPTION).status_code == 200
    assert answer_log.flush() == 1
    engine = app.extensions["shop_reco"].engine
    with engine.begin() as connection:  # the log's table goes away (an outage); answers go on
        connection.exec_driver_sql("ALTER TABLE reco_recommendation RENAME TO reco_recommendation_away")
    reply = client.post("/reco/api/v1/recommendations", json=DESCRIPTION)
    assert reply.status_code == 200 and reply.get_json()["id"], "the shopper still gets an answer"
    assert answer_log.pending == 1
    assert answer_log.flush() == 0 and answer_log.pending == 1  # the write failed; the row is kept
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE reco_recommendation_away RENAME TO reco_recommendation")
    assert answer_log.flush() == 1 and stored(app) == 2
    app.extensions["shop_reco"].close()


def test_rows_are_dropped_only_after_the_retries_and_counted(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'none.db'}")  # no reco_recommendation table
    answer_log = AnswerLog(engine, Recommendation.__table__, flush_seconds=60, retries=3)  # type: ignore[arg-type]
    answer_log.add({"id": "x"})
    assert [answer_log.flush() for _ in range(2)] == [0, 0] and answer_log.pending == 1
    assert answer_log.flush() == 0 and answer_log.pending == 0 and answer_log.dropped == 1
    answer_log.close()
    engine.dispose()


def test_queued_answers_are_written_when_the_process_exits(database_url: str, tmp_path: Path) -> None:
    app = migrated(database_url, tmp_path)
    script = (
        "import sys; from shop_reco.demo import create_app\n"
        "app = create_app({'TESTING': True, 'SHOP_RECO_DATABASE_URL': sys.argv[1],"
        " 'SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS': 3600, 'SHOP_RECO_RATELIMIT_ENABLED': False})\n"
        "client = app.test_client()\n"
        "for _ in range(5):\n"
        "    reply = client.post('/reco/api/v1/recommendations', json={'description': 'stiff neck'})\n"
        "    assert reply.status_code == 200\n"
        "assert app.extensions['shop_reco'].answer_log.pending == 5\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "SHOP_RECO_DEMO_INSTANCE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, database_url], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert stored(app) == 5
    app.extensions["shop_reco"].close()


def test_a_forked_worker_does_not_write_its_parents_rows_twice(tmp_path: Path) -> None:
    app = migrated(f"sqlite:///{tmp_path / 'fork.db'}", tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=3600)
    client = app.test_client()
    client.post("/reco/api/v1/recommendations", json=DESCRIPTION)  # queued in the parent
    app.extensions["shop_reco"].engine.dispose()  # as gunicorn --preload does before forking
    pid = os.fork()
    if pid == 0:  # the worker: answers once and writes only its own row
        try:
            client.post("/reco/api/v1/recommendations", json=DESCRIPTION)
            answer_log = app.extensions["shop_reco"].answer_log
            os._exit(0 if answer_log.pending == 1 and answer_log.flush() == 1 else 3)
        except BaseException:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert stored(app) == 1  # the child's
    assert app.extensions["shop_reco"].answer_log.flush() == 1  # the parent's, once
    assert stored(app) == 2
    app.extensions["shop_reco"].close()


def test_a_row_the_database_refuses_drops_only_itself_logged_by_id(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With descriptions stored, a NUL (PostgreSQL refuses it) or a lone surrogate loses one row, not the batch."""
    app = migrated(database_url, tmp_path, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60, SHOP_RECO_STORE_DESCRIPTIONS=True)
    answer_log = app.extensions["shop_reco"].answer_log
    poison = "my back \x00 hurts SECRET-WORDS" if database_url.startswith("postgresql") else "back \ud800 SECRET-WORDS"
    with app.app_context():
        from shop_reco.answering.answers import answer_description

        good = [answer_description(f"my lower back aches, day {n}").id for n in range(30)]
        bad = answer_description(poison).id
        good += [answer_description(f"my hip aches, day {n}").id for n in range(32)]
    with caplog.at_level(logging.ERROR, logger="shop_reco"):
        assert answer_log.flush() == 62
    with app.extensions["shop_reco"].engine.connect() as connection:
        assert set(connection.scalars(select(Recommendation.id))) == set(good)
    assert answer_log.pending == 0 and answer_log.dropped == 1
    (line,) = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert str(bad) in line and "SECRET" not in caplog.text, "logged by id, never by text"
    app.extensions["shop_reco"].close()
