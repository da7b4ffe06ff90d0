"""Synonyms: ``/synonyms``, a phrase in one locale that means a vocabulary concept; revisions and export.

Synonyms feed the analyzer through the answering snapshot, so "lumbago" can
mean ``area:lower_back`` for this shop. Each one is checked exactly as the
analyzer will load it (an invalid synonym would stop the analyzer from being
built), and adding, editing or deleting one is recorded as a revision. An
edit carries a fingerprint of the synonym as the form showed it, so a save
over someone else's newer edit is shown again instead of written. A rollback
goes through the same safety checks: a synonym may not relabel a red flag nor
break a safety case of the test bench.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy.orm import Session

from shop_reco import vocabulary
from shop_reco.admin.case_checks import BenchVerdict
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
from shop_reco.admin.entity import AdminEntity, Problem, RollbackRefused, duplicate_problems, problem
from shop_reco.admin.rules.sandbox import judge_synonyms
from shop_reco.admin.security import on_csrf_failure
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import (
    count_rows,
    find_synonym,
    other_synonyms,
    synonym_by_id,
    synonyms_by_id,
    synonyms_by_phrase,
    synonyms_listed,
)
from shop_reco.storage.models import Synonym
from shop_reco.understanding import analyze
from shop_reco.understanding.lexicon import LexiconError, synonym_phrases
from shop_reco.understanding.tokens import normalise_phrase

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


class SynonymEntity(AdminEntity):
    """A synonym, keyed ``locale:phrase`` in revisions."""

    name, label, transfer_kind = "synonym", "Synonym", "synonyms"
    rolls_back = True

    def list_rows(self) -> Sequence[Synonym]:
        return synonyms_by_id(get_session())

    def form_values(self, row: Synonym | None) -> FormValues:
        if row is None:
            return {"locale": str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"]), "concept": "", "phrase": ""}
        return _values(synonym_record(row))

    def form_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return synonym_data(values)

    def current_state(self, key: str) -> dict[str, Any] | None:
        row = _by_key(key)
        return synonym_record(row) if row is not None else None

    def write_state(self, key: str, state: dict[str, Any] | None) -> None:
        """Write ``state`` as a rollback, unless it hides a red flag or breaks a safety case."""
        session = get_session()
        row = _by_key(key)
        before = synonym_record(row) if row is not None else None
        if state is not None and (masked := masked_red_flags(state)):
            flags = ", ".join(f"red_flag:{c}" for c in masked)
            raise RollbackRefused(f"“{state['phrase']}” reads as {flags}; a synonym cannot give it another meaning.")
        others = [synonym_record(r) for r in synonyms_by_id(session) if r is not row]
        _, reasons = judged(others if state is None else [*others, state])
        if reasons:
            raise RollbackRefused("The test bench's safety checks would fail: " + "; ".join(reasons) + ".")
        if state is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Synonym(**{k: state[k] for k in ("locale", "group", "code", "phrase")}))
        else:
            for name in ("locale", "group", "code", "phrase"):
                setattr(row, name, state[name])
        record_change("synonym", synonym_key(state) if state is not None else key, "rollback", before, state)

    def export(self, session: Session) -> list[dict[str, Any]]:
        return [synonym_record(s) for s in synonyms_by_phrase(session)]

    def count(self, session: Session) -> int:
        return count_rows(session, Synonym)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        """Each synonym checked as the analyzer will load it; a phrase may appear once per locale."""
        out: list[dict[str, str]] = []
        keys: list[tuple[int, Any, str]] = []
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                problems.append(problem(f"synonyms[{i}]", "must be an object with locale, group, code and phrase"))
                continue
            unknown = sorted(set(item) - {"locale", "group", "code", "phrase"})
            for name in unknown:
                problems.append(problem(f"synonyms[{i}].{name}", "Unknown field."))
            errors = check_synonym(dict(item), locales)
            for name, messages in errors.items():
                where = "group" if name == "concept" else name
                problems.extend(problem(f"synonyms[{i}].{where}", m) for m in messages)
            if not errors and not unknown:
                data = {k: str(item[k]) for k in ("locale", "group", "code")}
                data["phrase"] = " ".join(str(item["phrase"]).split())
                out.append(data)
                keys.append((i, (data["locale"], phrase_tokens(data["phrase"])), synonym_key(data)))
        duplicate_problems("synonyms", keys, "phrase", problems)
        return out

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Synonym, bool]:
        """Create the synonym, or give the one whose phrase reads the same its concept; the caller commits."""
        tokens = phrase_tokens(data["phrase"])
        same = (row for row in other_synonyms(session, data["locale"]) if phrase_tokens(row.phrase) == tokens)
        return _write(session, next(same, None), data)

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        """Create a synonym for a new phrase, change the concept of a known one; the caller commits."""
        existing = {(s.locale, phrase_tokens(s.phrase)): s for s in synonyms_by_id(session)}
        return sum(_write(session, existing.get((d["locale"], phrase_tokens(d["phrase"]))), d)[1] for d in records)

    def register_pages(self, bp: Blueprint) -> None:
        bp.add_url_rule("/synonyms", "synonyms", synonyms, methods=["GET", "POST"])
        bp.add_url_rule("/synonyms/<int:synonym_id>/edit", "synonym_edit", synonym_edit, methods=["GET", "POST"])
        bp.add_url_rule("/synonyms/<int:synonym_id>/delete", "synonym_delete", synonym_delete, methods=["POST"])


def _write(session: Session, row: Synonym | None, data: Mapping[str, Any]) -> tuple[Synonym, bool]:
    """Add ``data`` as a new synonym (``row`` None) or change ``row``'s concept; recorded as a revision."""
    if row is None:
        row = Synonym(**{k: data[k] for k in ("locale", "group", "code", "phrase")})
        session.add(row)
        record_change("synonym", synonym_key(dict(data)), "create", None, synonym_record(row))
        return row, True
    if (row.group, row.code) == (data["group"], data["code"]):
        return row, False
    before = synonym_record(row)
    row.group, row.code = data["group"], data["code"]
    record_change("synonym", synonym_key(before), "update", before, synonym_record(row))
    return row, True


def synonym_data(values: Mapping[str, Any]) -> dict[str, str]:
    """The synonym a form describes: ``concept`` split into group and code, the phrase's spacing tidied."""
    group, _, code = str(values["concept"]).partition(":")
    return {"locale": values["locale"], "group": group, "code": code, "phrase": " ".join(values["phrase"].split())}


def _by_key(key: str) -> Synonym | None:
    locale, _, phrase = key.partition(":")
    return find_synonym(get_session(), locale, phrase)


@on_csrf_failure(lambda: _page(_posted(), {}))
def synonyms() -> Any:
    """Every synonym, by locale, and a form to add one."""
    if request.method == "GET":
        default = {"locale": str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"]), "concept": "", "phrase": ""}
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
    _write(get_session(), None, data)
    commit_content()
    flash(_now_means(data), "success")
    _warn_other_failures(verdict)
    return redirect(url_for(".synonyms", locale=data["locale"]))


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
    row = synonym_by_id(get_session(), synonym_id)
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
    data = synonym_data(values)
    errors = check_synonym(data, offered_locales())
    if errors:
        return data, errors
    tokens = phrase_tokens(data["phrase"])
    for row in other_synonyms(get_session(), data["locale"], editing.id if editing is not None else None):
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
    return [synonym_record(r) for r in synonyms_by_id(get_session()) if r.id != excluding]


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
    rows = synonyms_listed(get_session(), shown if shown in offered_locales() else None)
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


ENTITY: Final = SynonymEntity()
