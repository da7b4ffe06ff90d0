"""Articles: ``/articles`` (list, edit sections, delete, import a text/Markdown/HTML file) and their export.

Section bodies are plain text (paragraphs split by blank lines), exactly as the
importer produces them and the widgets show them: the schema refuses HTML,
so nothing a merchant types is ever rendered as markup. Importing shows a
preview of the sections found before anything is written; a file that is not
valid text is refused with the reason, and nothing is half-imported.
Articles show their diff in Revisions and are restored by importing a version again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, Final

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco.admin.content import (
    INVALID,
    commit_content,
    current_actor,
    edit_token,
    offered_locales,
    record_change,
    render_form,
    stale_message,
)
from shop_reco.admin.content_forms import (
    FORM_ERRORS,
    FieldErrors,
    FormValues,
    concept_choices,
    flatten_messages,
    form_text,
    key_list,
    load_form,
)
from shop_reco.admin.entity import AdminEntity, Problem, duplicate_problems, schema_records
from shop_reco.admin.security import on_csrf_failure
from shop_reco.content_tagging import content_tagger
from shop_reco.importing import ArticleImportError, parse_article
from shop_reco.importing.anchors import unique_anchor
from shop_reco.importing.articles import MAX_ARTICLE_BYTES
from shop_reco.importing.documents import SECTION_KINDS
from shop_reco.importing.schemas import ArticleSchema
from shop_reco.recommending import Catalog
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import articles_by_slug, count_rows, find_article, known_source_keys
from shop_reco.storage.content import article_snapshot, replace_article, upsert_source
from shop_reco.storage.models import Article

#: Upload extensions and the article format each implies.
UPLOAD_FORMATS: Final = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
IMPORT_FORMATS: Final = ("auto", "text", "markdown", "html")
#: Sections may also carry red flags: the safety advice is found through them.
SECTION_TAG_GROUPS: Final = ("area", "symptom", "trigger", "red_flag")


# -- the form ---------------------------------------------------------------------------------------


def article_values(row: Any) -> FormValues:
    """The form for a stored article: its fields, each section, and one blank slot to add a section."""
    values: FormValues = {
        "title": row.title,
        "summary": row.summary,
        "sources": ", ".join(row.sources),
        "section_count": len(row.sections) + 1,
    }
    for i, section in enumerate(row.sections):
        values.update(
            _section_values(i, section.anchor, section.heading, section.body, section.kind, list(section.concepts))
        )
    values.update(_section_values(len(row.sections), "", "", "", "section", []))
    return values


def _section_values(i: int, anchor: str, heading: str, body: str, kind: str, concepts: list[str]) -> FormValues:
    return {
        f"sections.{i}.anchor": anchor,
        f"sections.{i}.heading": heading,
        f"sections.{i}.body": body,
        f"sections.{i}.kind": kind,
        f"sections.{i}.concepts": concepts,
        f"sections.{i}.delete": False,
    }


def article_values_from_form(form: MultiDict[str, str]) -> FormValues:
    try:
        count = min(max(int(form.get("section_count", "0")), 0), 500)
    except ValueError:
        count = 0
    values: FormValues = {
        "title": form_text(form, "title"),
        "summary": form_text(form, "summary"),
        "sources": form_text(form, "sources"),
        "section_count": count,
    }
    for i in range(count):
        prefix = f"sections.{i}"
        values.update(
            _section_values(
                i,
                form_text(form, f"{prefix}.anchor").strip(),
                form_text(form, f"{prefix}.heading").strip(),
                form_text(form, f"{prefix}.body"),
                form_text(form, f"{prefix}.kind").strip(),
                form.getlist(f"{prefix}.concepts"),
            )
        )
        values[f"sections.{i}.delete"] = f"sections.{i}.delete" in form
    return values


def article_data(values: Mapping[str, Any], slug: str, locale: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``ArticleSchema`` input, and how its section indexes map back to the form's.

    Sections marked for deletion and the blank "add a section" slot are left out,
    so ``sections.3`` in an error may be the form's ``sections.4``.
    """
    sections: list[dict[str, Any]] = []
    rename: dict[str, str] = {}
    for i in range(values["section_count"]):
        prefix = f"sections.{i}"
        if values[f"{prefix}.delete"]:
            continue
        heading, body, anchor = (values[f"{prefix}.{p}"] for p in ("heading", "body", "anchor"))
        if not (heading.strip() or body.strip() or anchor):
            continue  # the blank slot
        rename[f"sections.{len(sections)}"] = prefix
        sections.append(
            {
                "anchor": anchor or _anchor_for(heading, {s["anchor"] for s in sections}),
                "heading": heading,
                "body": body,
                "kind": values[f"{prefix}.kind"],
                "concepts": values[f"{prefix}.concepts"],
            }
        )
    data = {
        "slug": slug,
        "locale": locale,
        "title": values["title"],
        "summary": values["summary"],
        "sources": key_list(values["sources"]),
        "sections": sections,
    }
    return data, rename


def _anchor_for(heading: str, taken: set[str]) -> str:
    return unique_anchor(heading, taken)


class ArticleEntity(AdminEntity):
    """An article in one locale, keyed ``slug/locale`` in revisions; not rolled back (import it again)."""

    name, label, transfer_kind = "article", "Article", "articles"
    schema = ArticleSchema

    def list_rows(self) -> Sequence[Article]:
        return articles_by_slug(get_session())

    def current_state(self, key: str) -> dict[str, Any] | None:
        slug, _, locale = key.rpartition("/")
        row = find_article(get_session(), slug, locale)
        return article_snapshot(row) if row is not None else None

    def form_values(self, row: Any | None) -> FormValues:
        return article_values(row)

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Article, bool]:
        return replace_article(session, data, actor)

    def export(self, session: Session) -> list[dict[str, Any]]:
        return [{"slug": a.slug, "locale": a.locale, **article_snapshot(a)} for a in articles_by_slug(session)]

    def count(self, session: Session) -> int:
        return count_rows(session, Article)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        records = schema_records("articles", items, ArticleSchema(), problems)
        entries = [(i, (r["slug"], r["locale"]), f"{r['slug']}/{r['locale']}") for i, r in enumerate(records)]
        duplicate_problems("articles", entries, "slug/locale", problems)
        return records

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        return sum(replace_article(session, data, actor)[1] for data in records)

    def reference_warnings(self, session: Session, catalog: Catalog) -> list[str]:
        known = known_source_keys(session)
        return [
            f"article {a.slug} ({a.locale}): no source {k!r}"
            for a in articles_by_slug(session)
            for k in a.sources
            if k not in known
        ]

    def register_pages(self, bp: Blueprint) -> None:
        bp.add_url_rule("/articles", "articles", articles)
        bp.add_url_rule("/articles/<slug>/<locale>/edit", "article_edit", article_edit, methods=["GET", "POST"])
        bp.add_url_rule("/articles/<slug>/<locale>/delete", "article_delete", article_delete, methods=["POST"])
        bp.add_url_rule("/articles/import", "article_import", article_import, methods=["GET", "POST"])


def articles() -> str:
    """Every article in every locale, with its number of sections."""
    return render_template("shop_reco/admin/content/articles.html", articles=ENTITY.list_rows())


def _rerender_article_page(slug: str, locale: str) -> Any:
    """The article form as posted (after a stale CSRF token): nothing is written."""
    row = _article(slug, locale)
    return _article_page(article_values_from_form(request.form), {}, row, token=request.form.get("token", ""))


def _article(slug: str, locale: str) -> Article:
    row = find_article(get_session(), slug, locale)
    if row is None:
        abort(404)
    return row


@on_csrf_failure(_rerender_article_page)
def article_edit(slug: str, locale: str) -> Any:
    row = _article(slug, locale)
    token = edit_token(article_snapshot(row))
    if request.method == "GET":
        return _article_page(article_values(row), {}, row, token=token)
    values = article_values_from_form(request.form)
    errors: FieldErrors = {}
    if request.form.get("token", "") != token:
        errors[FORM_ERRORS] = [stale_message("article")]
    data, rename = article_data(values, slug, locale)
    loaded, schema_errors = load_form(ArticleSchema(), data, values, rename)
    for name, messages in schema_errors.items():
        errors.setdefault(name, []).extend(messages)
    if loaded is not None:
        unknown = [k for k in _unknown_sources(loaded["sources"]) if k not in row.sources]
        if unknown:
            errors.setdefault("sources", []).append(f"no source with the key {', '.join(unknown)}")
    if errors or loaded is None:
        return _article_page(values, errors, row, INVALID, token)
    _, changed = replace_article(get_session(), loaded, current_actor())
    commit_content()
    flash(
        f"Article {slug} ({locale}) {'saved' if changed else 'unchanged: nothing to save'}.",
        "success" if changed else "info",
    )
    return redirect(url_for(".article_edit", slug=slug, locale=locale))


def article_delete(slug: str, locale: str) -> Any:
    row = _article(slug, locale)
    if request.form.get("confirm") != "yes":
        flash("Tick “Yes, delete this article” to delete it.", "error")
        return redirect(url_for(".article_edit", slug=slug, locale=locale))
    session = get_session()
    record_change("article", f"{slug}/{locale}", "delete", article_snapshot(row), None)
    session.delete(row)
    commit_content()
    flash(f"Article {slug} ({locale}) deleted.", "success")
    return redirect(url_for(".articles"))


@on_csrf_failure(lambda: _import_page(_import_values(), {}))
def article_import() -> Any:
    """Upload or paste an article, preview its sections, then import it."""
    default = {
        "fmt": "auto",
        "locale": str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"]),
        "slug": "",
        "text": "",
    }
    if request.method == "GET":
        return _import_page(default, {})
    return _import_article()


def _article_page(values: FormValues, errors: FieldErrors, row: Article, status: int = 200, token: str = "") -> Any:
    return render_form(
        "article_form.html",
        values=values,
        errors=errors,
        status=status,
        article=row,
        kinds=SECTION_KINDS,
        token=token,
        section_choices=concept_choices(SECTION_TAG_GROUPS),
    )


def _unknown_sources(keys: list[str]) -> list[str]:
    known = known_source_keys(get_session(), keys)
    return [k for k in keys if k not in known]


# -- import -------------------------------------------------------------------------------------------


def _import_page(values: FormValues, errors: FieldErrors, status: int = 200, **preview: Any) -> Any:
    return render_form(
        "article_import.html",
        values=values,
        errors=errors,
        status=status,
        formats=IMPORT_FORMATS,
        **preview,
    )


def _import_values() -> FormValues:
    form = request.form
    return {
        "fmt": form.get("fmt", "auto"),
        "locale": form.get("locale", ""),
        "slug": form.get("slug", "").strip(),
        "text": form.get("text", "").replace("\r\n", "\n"),
    }


def _import_article() -> Any:
    form = request.form
    values = _import_values()
    errors: FieldErrors = {}
    if values["fmt"] not in IMPORT_FORMATS:
        errors["fmt"] = [f"choose one of {', '.join(IMPORT_FORMATS)}"]
    if values["locale"] not in offered_locales():
        errors["locale"] = [f"choose one of {', '.join(offered_locales())}"]
    raw: str | bytes = values["text"]
    source_name = "the pasted text"
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        source_name = PurePosixPath(upload.filename.replace("\\", "/")).name
        suffix = PurePosixPath(source_name).suffix.lower()
        if suffix not in UPLOAD_FORMATS:
            got = suffix or "no extension"
            errors["file"] = [f"{source_name}: upload a .txt, .md or .html file (got {got})"]
        else:
            raw = upload.read(MAX_ARTICLE_BYTES + 1)
            if values["fmt"] == "auto":
                values["fmt"] = UPLOAD_FORMATS[suffix]
    elif not values["text"].strip():
        errors["text"] = ["Choose a file to upload, or paste the article's text."]
    if errors:
        return _import_page(values, errors, INVALID)
    fmt = "text" if values["fmt"] == "auto" else values["fmt"]
    field = "file" if isinstance(raw, bytes) else "text"

    try:
        doc = parse_article(
            raw,
            fmt=fmt,
            locale=values["locale"],
            slug=values["slug"] or None,
            name=source_name if isinstance(raw, bytes) else None,
            tagger=content_tagger(),
        )
    except ArticleImportError as exc:
        reason = str(exc)
        if "no title line" in reason:  # the parser's hint names its arguments; say it in the form's words
            reason = "the article has no title: put it on the first line (or a # heading) or fill in the slug"
        return _import_page(values, {field: [f"{source_name}: {reason}. Nothing was imported."]}, INVALID)
    data = doc.as_dict()
    try:
        data = ArticleSchema().load(data)
    except ValidationError as exc:
        problems = [f"{path}: {message}" for path, message in flatten_messages(exc.messages)]
        return _import_page(values, {FORM_ERRORS: problems}, INVALID)
    # From here on the text travels in the form (a preview, then the import) already decoded.
    if isinstance(raw, bytes):
        values["text"] = raw.decode("utf-8-sig").replace("\r\n", "\n")
    values["fmt"], values["slug"] = fmt, data["slug"]
    session = get_session()
    existing = find_article(session, data["slug"], data["locale"])
    known = known_source_keys(session, [s.key for s in doc.sources])
    new_sources = [s for s in doc.sources if s.key not in known]
    if form.get("step") != "import":
        return _import_page(
            values, {}, 200, preview=data, existing=existing, new_sources=new_sources, source_name=source_name
        )
    actor = current_actor()
    try:
        for source in new_sources:
            upsert_source(session, source.as_dict(), actor)
        replace_article(session, data, actor)
        commit_content()
    except Exception:
        session.rollback()
        raise
    flash(
        f"Imported {data['title']!r} ({data['locale']}): {len(data['sections'])} sections"
        f"{f', {len(new_sources)} new sources' if new_sources else ''}.",
        "success",
    )
    return redirect(url_for(".article_edit", slug=data["slug"], locale=data["locale"]))


ENTITY: Final = ArticleEntity()
