"""Sources: the references exercises and articles cite. No pages of their own; exported and imported.

An article import adds the sources it cites; a file brings them in before
what cites them (they come first in the registry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from marshmallow import fields, validate
from sqlalchemy.orm import Session

from shop_reco.admin.entity import AdminEntity, Problem, duplicate_problems, schema_records
from shop_reco.importing.schemas import SourceSchema
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import count_rows, sources_by_key
from shop_reco.storage.content import SOURCE_FIELDS, snapshot_of, upsert_source
from shop_reco.storage.models import Source


class StoredSourceSchema(SourceSchema):
    """A source as stored: the year may be unknown (an imported article's unparsed citation)."""

    year = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1800, 2100))


class SourceEntity(AdminEntity):
    name, label, transfer_kind = "source", "Source", "sources"
    schema = StoredSourceSchema

    def list_rows(self) -> Sequence[Source]:
        return sources_by_key(get_session())

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Source, bool]:
        return upsert_source(session, data, actor)

    def export(self, session: Session) -> list[dict[str, Any]]:
        return [{"key": s.key, **snapshot_of(s, SOURCE_FIELDS)} for s in sources_by_key(session)]

    def count(self, session: Session) -> int:
        return count_rows(session, Source)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        records = schema_records("sources", items, StoredSourceSchema(), problems)
        duplicate_problems("sources", [(i, (r["key"],), str(r["key"])) for i, r in enumerate(records)], "key", problems)
        return records

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        return sum(upsert_source(session, data, actor)[1] for data in records)


ENTITY: Final = SourceEntity()
