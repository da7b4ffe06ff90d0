"""Admin import/export: rules and content as one JSON file.

The export holds rules, sources, products, exercises, articles and synonyms.
An uploaded file is validated completely before anything is written: rules by
``shop_reco.recommending.load_rules``, content by the importing schemas,
synonyms as the analyzer will load them. Every problem is listed with its path
(``products[2].price``) and reason; one problem and nothing is imported. A
valid file is written in one transaction (create or update by key; records
missing from the file are left alone), each change recorded as a revision.
Product copy that reads as a treatment or cure claim is held back, as in the
product form, until the merchant ticks that the wording was reviewed.

    >>> bundle, problems = validate_bundle({"shop_reco_export": 1, "products": [{"sku": "X"}]}, ["en"])
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
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop_reco.admin.bench import compare
from shop_reco.admin.content import commit_content, current_actor, record_change
from shop_reco.admin.content_catalog import CLAIMS_REVIEWED
from shop_reco.admin.content_forms import flatten_messages
from shop_reco.admin.content_synonyms import check_synonym, phrase_tokens, synonym_key, synonym_record
from shop_reco.admin.sandbox import compile_set, run_bench, saved_cases, stored_rules
from shop_reco.importing.claims import product_text_claims
from shop_reco.importing.schemas import ArticleSchema, ExerciseSchema, ProductSchema, SourceSchema
from shop_reco.recommending import check_references, load_rule, load_rules
from shop_reco.state import get_session
from shop_reco.storage.content import (
    EXERCISE_FIELDS,
    PRODUCT_FIELDS,
    SOURCE_FIELDS,
    article_snapshot,
    replace_article,
    rule_record,
    snapshot_of,
    upsert_exercise,
    upsert_product,
    upsert_rule,
    upsert_source,
)
from shop_reco.storage.models import Article, Exercise, Product, Rule, Source, Synonym
from shop_reco.storage.snapshot import load_catalog, load_rule_data

if TYPE_CHECKING:
    from shop_reco.state import RecoState

FORMAT_KEY: Final = "shop_reco_export"
FORMAT_VERSION: Final = 1
#: What a file may hold, in the order it is imported (sources before what cites them).
KINDS: Final = ("sources", "products", "exercises", "articles", "rules", "synonyms")
MAX_FILE_BYTES: Final = 10 * 1024 * 1024
#: Warnings listed after an import (they travel in the session cookie, which is small).
MAX_WARNINGS_SHOWN: Final = 8

Problem = dict[str, str]


class _SourceSchema(SourceSchema):
    """A source as stored: the year may be unknown (an imported article's unparsed citation)."""

    year = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1800, 2100))


# -- export -----------------------------------------------------------------------------------------


def export_bundle(session: Session) -> dict[str, Any]:
    """Everything a merchant edits, as one JSON-ready mapping (the import's input)."""
    rules = list(load_rule_data(session))
    for rule in rules:
        rule.pop("version", None)
    articles = session.scalars(
        select(Article).options(selectinload(Article.sections)).order_by(Article.slug, Article.locale)
    )
    return {
        FORMAT_KEY: FORMAT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": [
            {"key": s.key, **snapshot_of(s, SOURCE_FIELDS)}
            for s in session.scalars(select(Source).order_by(Source.key))
        ],
        "products": [
            {"sku": p.sku, **snapshot_of(p, PRODUCT_FIELDS)}
            for p in session.scalars(select(Product).order_by(Product.sku))
        ],
        "exercises": [
            {"slug": e.slug, **snapshot_of(e, EXERCISE_FIELDS)}
            for e in session.scalars(select(Exercise).order_by(Exercise.slug))
        ],
        "articles": [{"slug": a.slug, "locale": a.locale, **article_snapshot(a)} for a in articles],
        "rules": rules,
        "synonyms": [
            {"locale": s.locale, "group": s.group, "code": s.code, "phrase": s.phrase}
            for s in session.scalars(select(Synonym).order_by(Synonym.locale, Synonym.phrase))
        ],
    }


# -- validation -------------------------------------------------------------------------------------


@dataclass
class Bundle:
    """A validated file: per kind, the records ready for storage."""

    records: dict[str, list[Any]] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return len(self.records.get(kind, []))


def _path(kind: str, dotted: str) -> str:
    """``products`` + ``2.text.sv.name`` → ``products[2].text.sv.name``."""
    out = kind
    for part in dotted.split(".") if dotted else []:
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def _problem(path: str, message: str) -> Problem:
    return {"path": path, "message": message}


def parse_file(raw: bytes) -> tuple[Any, list[Problem]]:
    """The JSON in an uploaded file, or a problem saying why it cannot be read."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [_problem("file", f"larger than the {MAX_FILE_BYTES // 1024 // 1024} MB limit")]
    if not raw.strip():
        return None, [_problem("file", "the file is empty")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_problem("file", f"not UTF-8 text (undecodable byte at position {exc.start})")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [_problem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")]


def _schema_records(kind: str, items: list[Any], schema: Schema, problems: list[Problem]) -> list[Any]:
    try:
        return list(schema.load(items, many=True))
    except ValidationError as exc:
        problems.extend(_problem(_path(kind, p), m) for p, m in flatten_messages(exc.messages))
        return []


def _duplicates(kind: str, entries: Sequence[tuple[int, Any, str]], what: str, problems: list[Problem]) -> None:
    """A problem for each ``(index, key, label)`` whose key an earlier entry has."""
    first: dict[Any, int] = {}
    for i, key, label in entries:
        if key in first:
            problems.append(_problem(f"{kind}[{i}]", f"duplicate {what} {label!r} (also at {kind}[{first[key]}])"))
        else:
            first[key] = i


def _synonyms(items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    keys: list[tuple[int, Any, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(_problem(f"synonyms[{i}]", "must be an object with locale, group, code and phrase"))
            continue
        unknown = sorted(set(item) - {"locale", "group", "code", "phrase"})
        for name in unknown:
            problems.append(_problem(f"synonyms[{i}].{name}", "Unknown field."))
        errors = check_synonym(dict(item), locales)
        for name, messages in errors.items():
            where = "group" if name == "concept" else name
            problems.extend(_problem(f"synonyms[{i}].{where}", m) for m in messages)
        if not errors and not unknown:
            data = {k: str(item[k]) for k in ("locale", "group", "code")}
            data["phrase"] = " ".join(str(item["phrase"]).split())
            out.append(data)
            keys.append((i, (data["locale"], phrase_tokens(data["phrase"])), f"{data['locale']}:{data['phrase']}"))
    _duplicates("synonyms", keys, "phrase", problems)
    return out


def validate_bundle(data: Any, locales: Sequence[str]) -> tuple[Bundle, list[Problem]]:
    """Validate a whole export file; ``problems`` lists every error (and the bundle is unusable if any)."""
    problems: list[Problem] = []
    bundle = Bundle()
    if not isinstance(data, Mapping):
        return bundle, [_problem("file", "expected a JSON object as written by the export")]
    if data.get(FORMAT_KEY) != FORMAT_VERSION:
        problems.append(_problem(FORMAT_KEY, f'not a shop_reco export (expected "{FORMAT_KEY}": {FORMAT_VERSION})'))
    for name in sorted(set(data) - {FORMAT_KEY, "exported_at", *KINDS}):
        problems.append(_problem(name, f"unknown section; a file may hold {', '.join(KINDS)}"))
    lists: dict[str, list[Any]] = {}
    for kind in KINDS:
        if kind in data:
            if isinstance(data[kind], list):
                lists[kind] = data[kind]
            else:
                problems.append(_problem(kind, "must be a list"))
    schemas: dict[str, Schema] = {
        "sources": _SourceSchema(),
        "products": ProductSchema(),
        "exercises": ExerciseSchema(),
        "articles": ArticleSchema(),
    }
    for kind, schema in schemas.items():
        if kind in lists:
            bundle.records[kind] = _schema_records(kind, lists[kind], schema, problems)
    keys = {"sources": ("key",), "products": ("sku",), "exercises": ("slug",), "articles": ("slug", "locale")}
    for kind, names in keys.items():
        entries = [
            (i, tuple(r[n] for n in names), "/".join(str(r[n]) for n in names))
            for i, r in enumerate(bundle.records.get(kind, []))
        ]
        _duplicates(kind, entries, "/".join(names), problems)
    if "rules" in lists:
        try:
            bundle.records["rules"] = load_rules(lists["rules"])
        except ValidationError as exc:
            problems.extend(_problem(_path("rules", p), m) for p, m in flatten_messages(exc.messages))
    if "synonyms" in lists:
        bundle.records["synonyms"] = _synonyms(lists["synonyms"], locales, problems)
    return bundle, problems


@dataclass(frozen=True)
class Claim:
    """Product copy that reads as a treatment or cure claim: where, which product, which words."""

    path: str
    sku: str
    phrases: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path} ({self.sku}): {', '.join(f'“{p}”' for p in self.phrases)}"


def bundle_claims(bundle: Bundle) -> list[Claim]:
    """Product copy in a validated bundle that reads as a treatment or cure claim.

    The same check as the product form (``find_claims``), so an import cannot
    bring in wording the form would have stopped for review.
    """
    return [
        Claim(f"products[{i}].{name}", product["sku"], tuple(phrases))
        for i, product in enumerate(bundle.records.get("products", []))
        for name, phrases in product_text_claims(product["text"]).items()
    ]


# -- import -----------------------------------------------------------------------------------------


def import_bundle(session: Session, bundle: Bundle, actor: str | None) -> dict[str, int]:
    """Write a validated bundle (the caller commits or rolls back); changed records per kind."""
    changed = dict.fromkeys(KINDS, 0)
    records = bundle.records
    for data in records.get("sources", []):
        changed["sources"] += upsert_source(session, data, actor)[1]
    for data in records.get("products", []):
        changed["products"] += upsert_product(session, data, actor)[1]
    for data in records.get("exercises", []):
        changed["exercises"] += upsert_exercise(session, data, actor)[1]
    for data in records.get("articles", []):
        changed["articles"] += replace_article(session, data, actor)[1]
    for rule in records.get("rules", []):
        changed["rules"] += upsert_rule(session, rule_record(rule), actor)[1]
    existing = {(s.locale, phrase_tokens(s.phrase)): s for s in session.scalars(select(Synonym))}
    for data in records.get("synonyms", []):
        row = existing.get((data["locale"], phrase_tokens(data["phrase"])))
        if row is None:
            session.add(Synonym(**data))
            record_change("synonym", synonym_key(data), "create", None, data)
        elif (row.group, row.code) != (data["group"], data["code"]):
            before = synonym_record(row)
            row.group, row.code = data["group"], data["code"]
            record_change("synonym", synonym_key(before), "update", before, synonym_record(row))
        else:
            continue
        changed["synonyms"] += 1
    session.flush()
    return changed


def bench_check(rules: Sequence[Any]) -> tuple[list[Problem], list[str]]:
    """Run the test bench with the imported rules in place of the stored ones of the same key.

    A safety expectation that held and would break is a problem (the import is
    refused, as a rule edit would be); other newly failing expectations are warnings.
    """
    cases = saved_cases()
    if not cases or not rules:
        return [], []
    stored = stored_rules()
    imported = {rule.key: rule for rule in rules}
    candidate = [rule for rule in stored if rule.key not in imported] + list(imported.values())
    verdict = compare(run_bench(compile_set(stored), cases), run_bench(compile_set(candidate), cases))

    def said(f: Any) -> str:
        return f"{f.check.label}{f' ({f.check.detail})' if f.check.detail else ''}"

    problems = [
        _problem(f"test bench: {f.case.key}", f"the imported rules break a safety expectation: {said(f)}")
        for f in verdict.new_safety
    ]
    warnings = [f"test bench case {f.case.key} now fails: {said(f)}" for f in verdict.new_other]
    return problems, warnings


def reference_warnings(session: Session) -> list[str]:
    """What imported rules and content point at but the shop does not have (after the import)."""
    catalog = load_catalog(session)
    warnings = []
    for data in load_rule_data(session):
        try:
            rule = load_rule(data)
        except ValidationError:
            continue
        warnings += [f"rule {rule.key}: {p}" for p in check_references(rule, catalog)]
    known = set(session.scalars(select(Source.key)))
    for e in catalog.exercises.values():
        warnings += [f"exercise {e.slug}: no source {k!r}" for k in e.sources if k not in known]
    for a in session.scalars(select(Article)):
        warnings += [f"article {a.slug} ({a.locale}): no source {k!r}" for k in a.sources if k not in known]
    return warnings


# -- views ------------------------------------------------------------------------------------------


def register(bp: Blueprint, state: RecoState) -> None:
    @bp.route("/transfer", methods=["GET", "POST"])
    def transfer() -> Any:
        """Download everything as JSON; upload such a file to create or update records by key."""
        if request.method == "GET":
            return _page([], None)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _page([_problem("file", "choose an export file (.json) to upload")], None), 400
        raw = upload.read(MAX_FILE_BYTES + 1)
        data, problems = parse_file(raw)
        bundle = Bundle()
        if not problems:
            bundle, problems = validate_bundle(data, tuple(state.settings["SHOP_RECO_LOCALES"]))
        bench_warnings: list[str] = []
        if not problems:
            problems, bench_warnings = bench_check(bundle.records.get("rules", []))
        if problems:
            return _page(problems, upload.filename), 400
        claims = bundle_claims(bundle)
        if claims and CLAIMS_REVIEWED not in request.form:
            return _page([], upload.filename, claims), 400
        session = get_session()
        try:
            changed = import_bundle(session, bundle, current_actor())
            reviewed = [f"treatment wording kept as reviewed in {claim}" for claim in claims]
            warnings = reviewed + bench_warnings + reference_warnings(session)
            commit_content()
        except Exception:
            session.rollback()
            raise
        read = ", ".join(f"{bundle.count(kind)} {kind}" for kind in KINDS if kind in bundle.records)
        updated = ", ".join(f"{n} {kind}" for kind, n in changed.items() if n) or "nothing (all up to date)"
        flash(f"Imported {upload.filename}: read {read or 'nothing'}; created or updated {updated}.", "success")
        if warnings:
            shown = "; ".join(warnings[:MAX_WARNINGS_SHOWN])
            more = len(warnings) - MAX_WARNINGS_SHOWN
            flash(f"Please check: {shown}{f'; and {more} more' if more > 0 else ''}.", "warning")
        return redirect(url_for(".transfer"))

    @bp.get("/transfer/export.json")
    def transfer_export() -> Response:
        bundle = export_bundle(get_session())
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return Response(
            json.dumps(bundle, ensure_ascii=False, indent=2) + "\n",
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="shop_reco-export-{stamp}.json"'},
        )


def _page(problems: list[Problem], filename: str | None, claims: Sequence[Claim] = ()) -> str:
    session = get_session()
    models = {
        "sources": Source,
        "products": Product,
        "exercises": Exercise,
        "articles": Article,
        "rules": Rule,
        "synonyms": Synonym,
    }
    counts = {kind: session.scalar(select(func.count()).select_from(model)) or 0 for kind, model in models.items()}
    return render_template(
        "shop_reco/admin/transfer/index.html", problems=problems, filename=filename, counts=counts, claims=claims
    )
