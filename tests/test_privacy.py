"""Descriptions are health data: by default none of the text is stored, logged or put in a URL."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from admin_session import sign_in, submit
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Recommendation
from tests.conftest import make_app


def marker() -> str:
    return f"zq{uuid.uuid4().hex[:10]}"


def files_containing(folder: Path, needle: str) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            found.append(path)
    return found


def test_marker_words_leave_no_trace_in_database_logs_or_events(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'private.db'}", tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["shop-reco", "demo-data"]).exit_code == 0
    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    words = [marker() for _ in range(5)]
    try:
        client = app.test_client()
        reply = client.post(
            "/reco/api/v1/recommendations", json={"description": f"my lower back aches after sitting {words[0]}"}
        )
        assert reply.status_code == 200
        rec_id = reply.get_json()["id"]
        client.post(
            "/reco/api/v1/events",
            json={"kind": "click", "item_type": "exercise", "item_id": "plank", "recommendation_id": rec_id},
        )
        client.post("/reco/api/v1/recommendations", json={"description": f"fever and back pain {words[1]}"})
        result = runner.invoke(args=["shop-reco", "recommend", f"hip pain when walking {words[2]}"])
        assert result.exit_code == 0
        for path in ("/reco/widgets/finder", "/reco/embed/finder"):
            shown = client.post(path, data={"description": f"stiff neck from my phone {words[3]}"})
            assert shown.status_code == 200
        assert sign_in(client).status_code in (302, 303)
        preview = submit(client, "/reco/admin/preview", {"description": f"hips ache after running {words[4]}"})
        assert preview.status_code == 200 and words[4] in preview.get_data(as_text=True)
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
    app.extensions["shop_reco"].close()
    for word in words:
        assert files_containing(tmp_path, word) == [], f"{word} was written somewhere"


def test_purge_deletes_stored_text_past_its_retention(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_STORE_DESCRIPTIONS=True, SHOP_RECO_RETENTION_DAYS=30)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    client = app.test_client()
    for text in ("old text about my hip", "new text about my back"):
        client.post("/reco/api/v1/recommendations", json={"description": text})
    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        session = get_session()
        old = session.scalars(select(Recommendation).where(Recommendation.description.like("old%"))).one()
        old.expires_at = datetime.now(timezone.utc) - timedelta(days=1)
        session.commit()
    result = runner.invoke(args=["shop-reco", "purge"])
    assert result.exit_code == 0 and "1 stored descriptions" in result.output
    with app.app_context():
        texts = {r.description for r in get_session().scalars(select(Recommendation))}
    assert texts == {None, "new text about my back"}
    app.extensions["shop_reco"].close()
