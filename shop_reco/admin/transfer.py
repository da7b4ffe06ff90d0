"""Admin import/export: rules and content as one JSON file.

The export holds a list per entity of the registry that has a ``transfer_kind``
(sources, products, exercises, articles, rules, synonyms), each written and
read by its entity.
An uploaded file is validated completely before anything is written, each
section by its entity (rules by ``shop_reco.recommending.load_rules``, content
by the importing schemas, synonyms as the analyzer will load them). Every problem is listed with its path
(``products[2].price``) and reason; one problem and nothing is imported. A
valid file is written in one transaction (create or update by key; records
missing from the file are left alone), each change recorded as a revision.
Product copy that reads as a treatment or cure claim is held back, as in the
product form, until the merchant ticks that the wording was reviewed.

    >>> from shop_reco.admin.registry import ENTITIES
    >>> registry = Registry(ENTITIES)
    >>> bundle, problems = validate_bundle({"shop_reco_export": 1, "products": [{"sku": "X"}]}, ["en"], registry)
    >>> [p["path"] for p in problems]
    ['products[0].sku', 'products[0].price', 'products[0].currency', 'products[0].url', 'products[0].text']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from shop_reco.admin.content import commit_content, current_actor
from shop_reco.admin.entities.products import CLAIMS_REVIEWED
from shop_reco.admin.entity import Claim, Problem, problem
from shop_reco.admin.registry import Registry
from shop_reco.state import get_session
from shop_reco.storage.snapshot import load_catalog

if TYPE_CHECKING:
    from shop_reco.state import RecoState

FORMAT_KEY: Final = "shop_reco_export"
FORMAT_VERSION: Final = 1
MAX_FILE_BYTES: Final = 10 * 1024 * 1024
#: Warnings listed after an import (they travel in the session cookie, which is small).
MAX_WARNINGS_SHOWN: Final = 8


# -- export -----------------------------------------------------------------------------------------


def export_bundle(session: Session, registry: Registry) -> dict[str, Any]:
    """Everything a merchant edits, as one JSON-ready mapping (the import's input)."""
    bundle: dict[str, Any] = {
        FORMAT_KEY: FORMAT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    for entity in registry.transferred():
        bundle[str(entity.transfer_kind)] = entity.export(session)
    return bundle


# -- validation -------------------------------------------------------------------------------------


@dataclass
class Bundle:
    """A validated file: per kind, the records ready for storage."""

    records: dict[str, list[Any]] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return len(self.records.get(kind, []))


def parse_file(raw: bytes) -> tuple[Any, list[Problem]]:
    """The JSON in an uploaded file, or a problem saying why it cannot be read."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [problem("file", f"larger than the {MAX_FILE_BYTES // 1024 // 1024} MB limit")]
    if not raw.strip():
        return None, [problem("file", "the file is empty")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [problem("file", f"not UTF-8 text (undecodable byte at position {exc.start})")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [problem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")]


def validate_bundle(data: Any, locales: Sequence[str], registry: Registry) -> tuple[Bundle, list[Problem]]:
    """Validate a whole export file; ``problems`` lists every error (and the bundle is unusable if any)."""
    problems: list[Problem] = []
    bundle = Bundle()
    if not isinstance(data, Mapping):
        return bundle, [problem("file", "expected a JSON object as written by the export")]
    kinds = registry.transfer_kinds()
    if data.get(FORMAT_KEY) != FORMAT_VERSION:
        problems.append(problem(FORMAT_KEY, f'not a shop_reco export (expected "{FORMAT_KEY}": {FORMAT_VERSION})'))
    for name in sorted(set(data) - {FORMAT_KEY, "exported_at", *kinds}):
        problems.append(problem(name, f"unknown section; a file may hold {', '.join(kinds)}"))
    lists: dict[str, list[Any]] = {}
    for kind in kinds:
        if kind in data:
            if isinstance(data[kind], list):
                lists[kind] = data[kind]
            else:
                problems.append(problem(kind, "must be a list"))
    for entity in registry.transferred():
        kind = str(entity.transfer_kind)
        if kind in lists:
            bundle.records[kind] = entity.load_records(lists[kind], locales, problems)
    return bundle, problems


def bundle_claims(bundle: Bundle, registry: Registry) -> list[Claim]:
    """Copy in a validated bundle that reads as a treatment or cure claim (the forms' check)."""
    return [
        claim
        for entity in registry.transferred()
        for claim in entity.import_claims(bundle.records.get(str(entity.transfer_kind), []))
    ]


def bundle_checks(bundle: Bundle, registry: Registry) -> tuple[list[Problem], list[str]]:
    """Each entity's checks of its validated records against the shop (e.g. the test bench for rules)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    for entity in registry.transferred():
        checks = entity.import_checks(bundle.records.get(str(entity.transfer_kind), []))
        problems += checks.problems
        warnings += checks.warnings
    return problems, warnings


# -- import -----------------------------------------------------------------------------------------


def import_bundle(session: Session, bundle: Bundle, actor: str | None, registry: Registry) -> dict[str, int]:
    """Write a validated bundle (the caller commits or rolls back); changed records per kind."""
    changed = dict.fromkeys(registry.transfer_kinds(), 0)
    for entity in registry.transferred():
        kind = str(entity.transfer_kind)
        changed[kind] += entity.import_records(session, bundle.records.get(kind, []), actor)
    session.flush()
    return changed


def reference_warnings(session: Session, registry: Registry) -> list[str]:
    """What imported rules and content point at but the shop does not have (after the import)."""
    catalog = load_catalog(session)
    return [warning for entity in registry for warning in entity.reference_warnings(session, catalog)]


# -- views ------------------------------------------------------------------------------------------


class TransferPages:
    """``/transfer``: download everything as JSON; upload such a file to create or update records by key."""

    def __init__(self, registry: Registry, locales: Sequence[str]) -> None:
        self.registry = registry
        self.locales = tuple(locales)

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/transfer", "transfer", self.transfer, methods=["GET", "POST"])
        bp.add_url_rule("/transfer/export.json", "transfer_export", self.transfer_export)

    def transfer(self) -> Any:
        if request.method == "GET":
            return self.page([], None)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self.page([problem("file", "choose an export file (.json) to upload")], None), 400
        raw = upload.read(MAX_FILE_BYTES + 1)
        data, problems = parse_file(raw)
        bundle = Bundle()
        if not problems:
            bundle, problems = validate_bundle(data, self.locales, self.registry)
        check_warnings: list[str] = []
        if not problems:
            problems, check_warnings = bundle_checks(bundle, self.registry)
        if problems:
            return self.page(problems, upload.filename), 400
        claims = bundle_claims(bundle, self.registry)
        if claims and CLAIMS_REVIEWED not in request.form:
            return self.page([], upload.filename, claims), 400
        session = get_session()
        try:
            changed = import_bundle(session, bundle, current_actor(), self.registry)
            reviewed = [f"treatment wording kept as reviewed in {claim}" for claim in claims]
            warnings = reviewed + check_warnings + reference_warnings(session, self.registry)
            commit_content()
        except Exception:
            session.rollback()
            raise
        kinds = self.registry.transfer_kinds()
        read = ", ".join(f"{bundle.count(kind)} {kind}" for kind in kinds if kind in bundle.records)
        updated = ", ".join(f"{n} {kind}" for kind, n in changed.items() if n) or "nothing (all up to date)"
        flash(f"Imported {upload.filename}: read {read or 'nothing'}; created or updated {updated}.", "success")
        if warnings:
            shown = "; ".join(warnings[:MAX_WARNINGS_SHOWN])
            more = len(warnings) - MAX_WARNINGS_SHOWN
            flash(f"Please check: {shown}{f'; and {more} more' if more > 0 else ''}.", "warning")
        return redirect(url_for(".transfer"))

    def transfer_export(self) -> Response:
        bundle = export_bundle(get_session(), self.registry)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return Response(
            json.dumps(bundle, ensure_ascii=False, indent=2) + "\n",
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="shop_reco-export-{stamp}.json"'},
        )

    def page(self, problems: list[Problem], filename: str | None, claims: Sequence[Claim] = ()) -> str:
        session = get_session()
        counts = {str(e.transfer_kind): e.count(session) for e in self.registry.transferred()}
        return render_template(
            "shop_reco/admin/transfer/index.html", problems=problems, filename=filename, counts=counts, claims=claims
        )


def register(bp: Blueprint, state: RecoState, registry: Registry) -> None:
    TransferPages(registry, state.settings["SHOP_RECO_LOCALES"]).register(bp)
