"""Admin page for merchant synonyms: a phrase in one locale that means a vocabulary concept.

Synonyms feed the analyzer through the answering snapshot, so "lumbago" can
mean ``area:lower_back`` for this shop. Each one is checked exactly as the
analyzer will load it (an invalid synonym would stop the analyzer from being
built), and adding or deleting one is recorded as a revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from shop_reco import vocabulary
from shop_reco.admin.content import INVALID, commit_content, offered_locales, record_change, render_form
from shop_reco.admin.content_forms import FieldErrors, FormValues, concept_choices
from shop_reco.admin.security import on_csrf_failure
from shop_reco.extension import get_session
from shop_reco.storage.models import Synonym

if TYPE_CHECKING:
    from shop_reco.extension import RecoState

MAX_PHRASE_CHARS: Final = 100


def synonym_record(row: Synonym) -> dict[str, str]:
    """The synonym as the analyzer and exports see it."""
    return {"locale": row.locale, "group": row.group, "code": row.code, "phrase": row.phrase}


def synonym_key(data: dict[str, str]) -> str:
    """The natural key used in revisions: ``locale:phrase``."""
    return f"{data['locale']}:{data['phrase']}"


def check_synonym(data: dict[str, Any], locales: Sequence[str]) -> FieldErrors:
    """Problems with one synonym ``{"locale", "group", "code", "phrase"}``, by field; ``{}`` if none."""
    from shop_reco.understanding.lexicon import LexiconError, synonym_phrases

    errors: FieldErrors = {}
    locale, group, code, phrase = (data.get(k) for k in ("locale", "group", "code", "phrase"))
    if locale not in locales:
        errors["locale"] = [f"choose one of {', '.join(locales)}"]
    if group not in vocabulary.GROUPS or code not in vocabulary.GROUPS[str(group)]:
        errors["concept"] = ["choose a concept from the vocabulary"]
    if not isinstance(phrase, str) or not phrase.strip():
        errors["phrase"] = ["write the phrase shoppers use"]
    elif len(phrase) > MAX_PHRASE_CHARS:
        errors["phrase"] = [f"must be at most {MAX_PHRASE_CHARS} characters (got {len(phrase)})"]
    if errors:
        return errors
    try:
        synonym_phrases([data], vocabulary.LOCALES)
    except LexiconError as exc:
        errors["phrase"] = [str(exc).split(": ", 1)[-1]]
    return errors


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The words the analyzer matches for ``phrase`` (case, accents and spacing normalised)."""
    from shop_reco.understanding.tokens import normalise_phrase

    return tuple(normalise_phrase(phrase))


def register(bp: Blueprint, state: RecoState) -> None:
    @bp.route("/synonyms", methods=["GET", "POST"])
    @on_csrf_failure(lambda: _page({n: request.form.get(n, "") for n in ("locale", "concept", "phrase")}, {}))
    def synonyms() -> Any:
        """Every synonym, by locale, and a form to add one."""
        default = {"locale": str(state.settings["SHOP_RECO_DEFAULT_LOCALE"]), "concept": "", "phrase": ""}
        if request.method == "GET":
            return _page(default, {})
        values: FormValues = {name: request.form.get(name, "").strip() for name in default}
        group, _, code = values["concept"].partition(":")
        data = {
            "locale": values["locale"],
            "group": group,
            "code": code,
            "phrase": " ".join(values["phrase"].split()),
        }
        errors = check_synonym(data, offered_locales())
        if not errors:
            tokens = phrase_tokens(data["phrase"])
            for row in get_session().scalars(select(Synonym).where(Synonym.locale == data["locale"])):
                if phrase_tokens(row.phrase) == tokens:
                    errors["phrase"] = [f"“{row.phrase}” is already a synonym for {row.group}:{row.code}"]
                    break
        if errors:
            return _page(values, errors, INVALID)
        session = get_session()
        session.add(Synonym(**data))
        record_change("synonym", synonym_key(data), "create", None, data)
        commit_content()
        flash(f"“{data['phrase']}” ({data['locale']}) now means {group}:{code}.", "success")
        return redirect(url_for(".synonyms", locale=data["locale"]))

    @bp.post("/synonyms/<int:synonym_id>/delete")
    def synonym_delete(synonym_id: int) -> Any:
        session = get_session()
        row = session.get(Synonym, synonym_id)
        if row is None:
            abort(404)
        before = synonym_record(row)
        session.delete(row)
        record_change("synonym", synonym_key(before), "delete", before, None)
        commit_content()
        flash(f"Synonym “{before['phrase']}” ({before['locale']}) deleted.", "success")
        return redirect(url_for(".synonyms", locale=before["locale"]))


def _page(values: FormValues, errors: FieldErrors, status: int = 200) -> Any:
    shown = request.args.get("locale", "")
    query = select(Synonym).order_by(Synonym.locale, Synonym.group, Synonym.code, Synonym.phrase)
    if shown in offered_locales():
        query = query.where(Synonym.locale == shown)
    rows = get_session().scalars(query).all()
    return render_form(
        "synonyms.html",
        values=values,
        errors=errors,
        status=status,
        synonyms=rows,
        shown_locale=shown,
        synonym_choices=concept_choices(tuple(vocabulary.GROUPS)),
    )
