"""The admin is a registry of entities: one more entity is one more module, seen by every shared page.

The test writes a tiny entity (shop banners, kept in memory) as a host or a
new feature would, puts it in the registry, and finds it in import/export,
revisions and rollback, and its own page, without touching any other module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from admin_pages import admin_app, csrf_token
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from shop_reco.admin import registry
from shop_reco.admin.audit import record_change
from shop_reco.admin.entity import AdminEntity, Problem, duplicate_problems, schema_records
from shop_reco.admin.registry import ENTITIES, Registry

ADMIN = "/reco/admin"


class BannerSchema(Schema):
    key = fields.String(required=True)
    text = fields.String(required=True)


class BannerEntity(AdminEntity):
    """Banners the shop shows, by key: everything an entity needs to be exported and rolled back."""

    name, label, transfer_kind = "banner", "Banner", "banners"
    schema = BannerSchema
    rolls_back = True

    def __init__(self) -> None:
        self.banners: dict[str, str] = {}

    def register_pages(self, bp: Blueprint) -> None:
        bp.add_url_rule("/banners", "banners", lambda: ", ".join(sorted(self.banners)) or "no banners")

    def current_state(self, key: str) -> dict[str, Any] | None:
        return {"text": self.banners[key]} if key in self.banners else None

    def write_state(self, key: str, state: dict[str, Any] | None) -> None:
        record_change(self.name, key, "rollback", self.current_state(key), state)
        if state is None:
            self.banners.pop(key, None)
        else:
            self.banners[key] = state["text"]

    def export(self, session: Session) -> list[dict[str, Any]]:
        return [{"key": key, "text": text} for key, text in sorted(self.banners.items())]

    def count(self, session: Session) -> int:
        return len(self.banners)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        records = schema_records("banners", items, BannerSchema(), problems)
        duplicate_problems("banners", [(i, r["key"], r["key"]) for i, r in enumerate(records)], "key", problems)
        return records

    def import_records(self, session: Session, records: Sequence[Mapping[str, Any]], actor: str | None) -> int:
        changed = 0
        for data in records:
            before = self.current_state(data["key"])
            if before != {"text": data["text"]}:
                record_change(self.name, data["key"], "update" if before else "create", before, {"text": data["text"]})
                self.banners[data["key"]] = data["text"]
                changed += 1
        return changed


@pytest.fixture
def banners() -> BannerEntity:
    return BannerEntity()


@pytest.fixture
def app(database_url: str, tmp_path: Path, banners: BannerEntity, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setattr(registry, "ENTITIES", (*ENTITIES, banners))
    yield from admin_app(database_url, tmp_path)


def upload(client: FlaskClient, bundle: dict[str, Any]) -> Any:
    token = csrf_token(client.get(f"{ADMIN}/transfer").get_data(as_text=True))
    content = json.dumps(bundle).encode()
    return client.post(
        f"{ADMIN}/transfer",
        data={"csrf_token": token, "file": (BytesIO(content), "banners.json")},
        content_type="multipart/form-data",
    )


def test_a_registered_entity_is_exported_imported_revised_and_rolled_back(
    client: FlaskClient, banners: BannerEntity
) -> None:
    assert client.get(f"{ADMIN}/banners").get_data(as_text=True) == "no banners"
    assert "0 banners." in unescape(client.get(f"{ADMIN}/transfer").get_data(as_text=True))
    exported = client.get(f"{ADMIN}/transfer/export.json").get_json()
    assert exported["banners"] == []

    imported = upload(client, {"shop_reco_export": 1, "banners": [{"key": "spring", "text": "Spring sale"}]})
    assert imported.status_code == 302
    page = unescape(client.get(f"{ADMIN}/transfer").get_data(as_text=True))
    assert "read 1 banners; created or updated 1 banners." in page
    assert banners.banners == {"spring": "Spring sale"}
    assert client.get(f"{ADMIN}/banners").get_data(as_text=True) == "spring"

    listed = client.get(f"{ADMIN}/revisions?entity=banner").get_data(as_text=True)
    assert '<option value="banner" selected>banner</option>' in listed
    revision_id = int(listed.split(f"{ADMIN}/revisions/")[1].split('"')[0])
    detail = unescape(client.get(f"{ADMIN}/revisions/{revision_id}").get_data(as_text=True))
    assert "Create of banner" in detail
    assert "Undo this change" in detail

    token = csrf_token(detail)
    undone = client.post(f"{ADMIN}/revisions/{revision_id}/rollback", data={"csrf_token": token, "target": "before"})
    assert undone.status_code == 302
    assert "notice=rolled-back" in undone.headers["Location"]
    assert banners.banners == {}
    assert client.get(f"{ADMIN}/transfer/export.json").get_json()["banners"] == []


def test_a_file_section_of_the_entity_is_validated_like_the_others(client: FlaskClient, banners: BannerEntity) -> None:
    refused = upload(client, {"shop_reco_export": 1, "banners": [{"key": "spring"}, {"key": "spring", "text": "x"}]})
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "<code>banners[0].text</code></th><td>Missing data for required field." in html
    assert banners.banners == {}


def test_two_entities_may_not_share_a_name() -> None:
    with pytest.raises(ValueError, match="two admin entities are named 'banner'"):
        Registry((*ENTITIES, BannerEntity(), BannerEntity()))
