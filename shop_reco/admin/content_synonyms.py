"""Admin page for merchant synonyms: a phrase in one locale that means a vocabulary concept.

Synonyms feed the analyzer through the answering snapshot, so "lumbago" can
mean ``area:lower_back`` for this shop. Each one is checked exactly as the
analyzer will load it (an invalid synonym would stop the analyzer from being
built), and adding, editing or deleting one is recorded as a revision. An
edit carries a fingerprint of the synonym as the form showed it, so a save
over someone else's newer edit is shown again instead of written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from shop_reco import vocabulary
from shop_reco.admin.bench import BenchVerdict
from shop_reco.admin.content import (
    INVALID,
    commit_content,
    edit_token,
    offered_locales,
    record_change,
    render_form,
    stale_message,
)
from shop_reco.admin.content_forms import FORM_ERRORS, FieldErrors, FormValues, concept_choices
from shop_reco.admin.sandbox import judge_synonyms
from shop_reco.admin.security import on_csrf_failure
from shop_reco.state import get_session
from shop_reco.storage.models import Synonym
from shop_reco.understanding import analyze
from shop_reco.understanding.lexicon import LexiconError, synonym_phrases
from shop_reco.understanding.tokens import normalise_phrase

if TYPE_CHECKING:
    from shop_reco.state import RecoState

MAX_PHRASE_CHARS: Final = 100
#: The synonym form's inputs.
FIELDS: Final = ("locale", "concept", "phrase")


def synonym_record(row: Synonym) -> dict[str, str]:
    """The synonym as the analyzer and exports see it."""
    return {"locale": row.locale, "group": row.group, "code": row.code, "phrase": row.phrase}


def synonym_key(data: dict[str, str]) -> str:
    """The natural key used in revisions: ``locale:phrase``."""
    return f"{data['locale']}:{data['phrase']}"


def check_synonym(data: dict[str, Any], locales: Sequence[str]) -> FieldErrors:
    """Problems with one synonym ``{"locale", "group", "code", "phrase"}``, by field; ``{}`` if none."""
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
    return tuple(normalise_phrase(phrase))


def register(bp: Blueprint, state: RecoState) -> None:
    @bp.route("/synonyms", methods=["GET", "POST"])
    @on_csrf_failure(lambda: _page(_posted(), {}))
    def synonyms() -> Any:
        """Every synonym, by locale, and a form to add one."""
        if request.method == "GET":
            default = {"locale": str(state.settings["SHOP_RECO_DEFAULT_LOCALE"]), "concept": "", "phrase": ""}
            return _page(default, {})
        values = _posted()
        data, errors = _checked(values, None)
        verdict = None
        if not errors:
            verdict, reasons = judged([*_stored(), data])
            if reasons:
                errors[FORM_ERRORS] = [_refusal(reasons)]
        if errors or verdict is None:
            return _page(values, errors, INVALID)
        get_session().add(Synonym(**data))
        record_change("synonym", synonym_key(data), "create", None, data)
        commit_content()
        flash(_now_means(data), "success")
        _warn_other_failures(verdict)
        return redirect(url_for(".synonyms", locale=data["locale"]))

    @bp.route("/synonyms/<int:synonym_id>/edit", methods=["GET", "POST"])
    @on_csrf_failure(lambda synonym_id: _edit_page(_row(synonym_id), _posted(), {}, token=request.form.get("token")))
    def synonym_edit(synonym_id: int) -> Any:
        """One synonym's phrase, concept and language, changed in place."""
        row = _row(synonym_id)
        before = synonym_record(row)
        if request.method == "GET":
            return _edit_page(row, _values(before), {})
        values = _posted()
        data, errors = _checked(values, row)
        token, current = request.form.get("token", ""), edit_token(before)
        if token != current:
            errors.setdefault(FORM_ERRORS, []).append(stale_message("synonym"))
        if errors:
            return _edit_page(row, values, errors, INVALID, token=current)
        if data == before:
            flash(f"Synonym “{data['phrase']}” ({data['locale']}) unchanged: nothing to save.", "info")
            return redirect(url_for(".synonyms", locale=data["locale"]))
        verdict, reasons = judged([*_stored(excluding=row.id), data])
        if reasons:
            return _edit_page(row, values, {FORM_ERRORS: [_refusal(reasons)]}, INVALID, token=current)
        for name, value in data.items():
            setattr(row, name, value)
        record_change("synonym", synonym_key(data), "update", before, data)
        commit_content()
        flash(_now_means(data), "success")
        _warn_other_failures(verdict)
        return redirect(url_for(".synonyms", locale=data["locale"]))

    @bp.post("/synonyms/<int:synonym_id>/delete")
    def synonym_delete(synonym_id: int) -> Any:
        row = _row(synonym_id)
        before = synonym_record(row)
        verdict, reasons = judged(_stored(excluding=row.id))
        if reasons:
            flash(f"Synonym “{before['phrase']}” kept. " + _refusal(reasons), "error")
            return redirect(url_for(".synonyms", locale=before["locale"]))
        get_session().delete(row)
        record_change("synonym", synonym_key(before), "delete", before, None)
        commit_content()
        flash(f"Synonym “{before['phrase']}” ({before['locale']}) deleted.", "success")
        _warn_other_failures(verdict)
        return redirect(url_for(".synonyms", locale=before["locale"]))


def _row(synonym_id: int) -> Synonym:
    row = get_session().get(Synonym, synonym_id)
    if row is None:
        abort(404, description=f"There is no synonym {synonym_id}; it may have been deleted.")
    return row


def _posted() -> FormValues:
    """The synonym form as posted, trimmed."""
    return {name: request.form.get(name, "").strip() for name in FIELDS}


def _values(data: dict[str, str]) -> FormValues:
    """A stored synonym as the form shows it."""
    return {"locale": data["locale"], "concept": f"{data['group']}:{data['code']}", "phrase": data["phrase"]}


def _checked(values: FormValues, editing: Synonym | None) -> tuple[dict[str, str], FieldErrors]:
    """The synonym the form describes, and its problems by field (``{}`` when it can be saved).

    A phrase that reads the same as another synonym's in the locale is refused;
    the synonym being edited may keep its own.
    """
    group, _, code = values["concept"].partition(":")
    data = {"locale": values["locale"], "group": group, "code": code, "phrase": " ".join(values["phrase"].split())}
    errors = check_synonym(data, offered_locales())
    if errors:
        return data, errors
    tokens = phrase_tokens(data["phrase"])
    others = select(Synonym).where(Synonym.locale == data["locale"])
    if editing is not None:
        others = others.where(Synonym.id != editing.id)
    for row in get_session().scalars(others):
        if phrase_tokens(row.phrase) == tokens:
            errors["phrase"] = [f"“{row.phrase}” is already a synonym for {row.group}:{row.code}"]
            break
    if not errors and (masked := masked_red_flags(data)):
        flags = ", ".join(f"red_flag:{code}" for code in masked)
        errors["concept"] = [
            f"“{data['phrase']}” reads as {flags}: a shopper who writes it needs a clinician, so a synonym"
            f" cannot give it another meaning. Choose {flags.split(', ')[0]}, or a phrase without it."
        ]
    return data, errors


def masked_red_flags(data: dict[str, str]) -> list[str]:
    """The red flags the shipped lexicon reads in the phrase that the synonym would hide.

    A synonym may make a phrase a red flag as serious or more ("weak bladder", read as
    weakness, may mean red_flag:bladder_bowel) but never less ("can't control my bladder"
    -> trigger:sitting would hide an emergency).
    """
    found = analyze(data["phrase"], data["locale"]).red_flags
    if not found:
        return []
    levels = vocabulary.SAFETY_LEVELS
    worst = max(levels.index(vocabulary.RED_FLAGS[code]) for code in found)
    meant = vocabulary.RED_FLAGS.get(data["code"])
    return [] if meant is not None and levels.index(meant) >= worst else list(found)


def judged(candidate: Sequence[dict[str, str]]) -> tuple[BenchVerdict, list[str]]:
    """The test bench's verdict on the shop's synonyms becoming ``candidate``, and why it refuses.

    The same rule as for rule changes: a safety expectation that held may not break (the
    reasons are returned; ``[]`` means the change may be saved). Other new failures are
    reported after the save.
    """
    verdict = judge_synonyms(candidate)
    reasons = [f"test case “{f.case.key}”: {f.check.label}" for f in verdict.new_safety]
    return verdict, reasons


def _stored(excluding: int | None = None) -> list[dict[str, str]]:
    rows = get_session().scalars(select(Synonym).order_by(Synonym.id))
    return [synonym_record(r) for r in rows if r.id != excluding]


def _refusal(reasons: list[str]) -> str:
    return "Not saved: the test bench's safety checks would fail with this change (" + "; ".join(reasons) + ")."


def _warn_other_failures(verdict: BenchVerdict) -> None:
    if verdict.new_other:
        failing = "; ".join(f"“{f.case.key}”: {f.check.label}" for f in verdict.new_other)
        flash(f"Saved, but these test cases now fail: {failing}.", "warning")


def _now_means(data: dict[str, str]) -> str:
    return f"“{data['phrase']}” ({data['locale']}) now means {data['group']}:{data['code']}."


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


def _edit_page(
    row: Synonym, values: FormValues, errors: FieldErrors, status: int = 200, token: str | None = None
) -> Any:
    return render_form(
        "synonym_form.html",
        values=values,
        errors=errors,
        status=status,
        synonym=row,
        token=token or edit_token(synonym_record(row)),
        synonym_choices=concept_choices(tuple(vocabulary.GROUPS)),
    )
