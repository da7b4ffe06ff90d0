"""Safety cases, the test bench: saved example descriptions with expected outcomes, and "run all".

Every rule change runs these cases (see :mod:`shop_reco.admin.rules.changes`);
here, under ``/testbench``, the merchant lists, creates, edits and deletes them
and runs them all against the saved rules. Changes to cases are recorded as
revisions (entity ``test_case``) and can be rolled back; they are not part of
an export file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.admin.audit import record_change
from shop_reco.admin.case_checks import EXPECT_KEYS, INPUT_KEYS, CaseResult, screen_questions
from shop_reco.admin.entity import AdminEntity
from shop_reco.admin.rules.form import ItemRow, catalog_rows
from shop_reco.admin.rules.sandbox import compile_set, run_bench, saved_cases, stored_rules
from shop_reco.admin.security import csrf_field_name, current_admin, on_csrf_failure
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.recommending.rules import SLUG
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import find_test_case, test_cases_by_key
from shop_reco.storage.models import TestCase

#: The entity's name in revisions (stored: the bench's cases were first called test cases).
NAME: Final = "test_case"
_SLUG = re.compile(SLUG)
#: Item expectation choices per form prefix: (value, label).
ITEM_CHOICES = {
    "ex": (("", "—"), ("must", "Must appear"), ("any", "One of these"), ("not", "Must not appear")),
    "pr": (("", "—"), ("must", "Must appear"), ("not", "Must not appear")),
    "se": (("", "—"), ("must", "Must appear"), ("not", "Must not appear")),
}
_ITEM_KEYS = {
    "ex": ("exercises", "not_exercises"),
    "pr": ("products", "not_products"),
    "se": ("sections", "not_sections"),
}
_HANDLED = {
    "safety",
    "red_flags",
    "not_red_flags",
    "areas",
    "symptoms",
    "triggers",
    "side",
    "severity",
    "duration_weeks",
    "exercises",
    "exercises_any",
    "not_exercises",
    "products",
    "not_products",
    "sections",
    "not_sections",
    "exercises_empty",
    "products_empty",
    "exercises_nonempty",
    "screening",
}
NOTICES = {"created": "Test case created.", "saved": "Test case saved.", "deleted": "Test case deleted."}


def case_state(row: TestCase) -> dict[str, Any]:
    """A test case as recorded in revisions."""
    return {"locale": row.locale, "text": row.text, "expect": dict(row.expect or {})}


def find_case(key: str) -> TestCase | None:
    return find_test_case(get_session(), key)


def _normalized(expect: Mapping[str, Any]) -> dict[str, Any]:
    return {k: sorted(map(str, v)) if isinstance(v, list) else v for k, v in expect.items()}


def expect_summary(expect: Mapping[str, Any]) -> list[str]:
    """Short phrases for the list page, e.g. ``safety: urgent``, ``no products``."""
    out = []
    for key, value in expect.items():
        if value in (None, [], False, ""):
            continue
        if isinstance(value, Mapping):  # the screen's answers: "screen answers: fever yes, trauma no"
            answers = ", ".join(f"{code.replace('_', ' ')} {'yes' if yes else 'no'}" for code, yes in value.items())
            out.append(f"screen answers: {answers}")
        elif value is True:
            out.append(key.replace("_", " "))
        elif isinstance(value, list):
            out.append(f"{key.replace('_', ' ')}: {', '.join(map(str, value))}")
        else:
            out.append(f"{key.replace('_', ' ')}: {value}")
    return out


# --- form <-> expectation ----------------------------------------------------------------------


def values_from_case(key: str, locale: str, text: str, expect: Mapping[str, Any]) -> MultiDict[str, str]:
    out: list[tuple[str, str]] = [("key", key), ("locale", locale), ("text", text)]
    out.append(("safety", str(expect.get("safety") or "")))
    out += [(f"rf.{c}", "yes") for c in expect.get("red_flags", ())]
    out += [(f"rf.{c}", "no") for c in expect.get("not_red_flags", ())]
    out += [(f"screen.{c}", "yes" if yes else "no") for c, yes in (expect.get("screening") or {}).items()]
    for group in ("areas", "symptoms", "triggers"):
        out += [(group, c) for c in expect.get(group, ())]
    for name in ("side", "severity"):
        out.append((name, str(expect.get(name) or "")))
    if expect.get("duration_weeks") is not None:
        out.append(("duration_weeks", f"{float(expect['duration_weeks']):g}"))
    for prefix, (must, must_not) in _ITEM_KEYS.items():
        out += [(f"it.{prefix}.{i}", "must") for i in expect.get(must, ())]
        out += [(f"it.{prefix}.{i}", "not") for i in expect.get(must_not, ())]
    out += [("it.ex." + i, "any") for i in expect.get("exercises_any", ())]
    for flag in ("exercises_empty", "products_empty", "exercises_nonempty"):
        if expect.get(flag):
            out.append((flag, "1"))
    extra = {k: v for k, v in expect.items() if k not in _HANDLED}
    if extra:
        out.append(("extra_json", json.dumps(extra, ensure_ascii=False)))
    return MultiDict(out)


def parse_case_form(values: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The case (key, locale, text, expect) the form describes, and errors per field."""
    errors: dict[str, list[str]] = {}

    def text(name: str) -> str:
        return (values.get(name) or "").strip()

    key, locale, description = text("key"), text("locale"), values.get("text") or ""
    limit = int(get_state().settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"])
    if not _SLUG.match(key):
        errors["key"] = ["Use 2-64 lowercase letters, digits and '-', e.g. 'desk-sitting'."]
    if locale not in vocabulary.LOCALES:
        errors["locale"] = ["Choose the description's language."]
    if not description.strip():
        errors["text"] = ["Type the description, as a shopper would."]
    elif len(description) > limit:
        errors["text"] = [f"At most {limit} characters (this is {len(description)})."]
    expect: dict[str, Any] = {}
    if text("safety"):
        if text("safety") in vocabulary.SAFETY_LEVELS:
            expect["safety"] = text("safety")
        else:
            errors["safety"] = ["Choose a safety level."]
    flags = {n[3:]: text(n) for n in values if n.startswith("rf.") and text(n)}
    if [c for c, v in flags.items() if v == "yes"]:
        expect["red_flags"] = sorted(c for c, v in flags.items() if v == "yes")
    if [c for c, v in flags.items() if v == "no"]:
        expect["not_red_flags"] = sorted(c for c, v in flags.items() if v == "no")
    for group in ("areas", "symptoms", "triggers"):
        codes = [c for c in values.getlist(group) if c]
        if codes:
            expect[group] = codes
    screen = {n[7:]: text(n) for n in values if n.startswith("screen.") and text(n)}
    if set(screen) - set(vocabulary.RED_FLAGS) or set(screen.values()) - {"yes", "no"}:
        errors["screening"] = ["Answer each screen question yes, no or leave it unasked."]
    elif screen:
        expect["screening"] = {c: screen[c] == "yes" for c in vocabulary.RED_FLAGS if c in screen}
    for name, allowed in (("side", vocabulary.SIDES), ("severity", vocabulary.SEVERITIES)):
        if text(name):
            if text(name) in allowed:
                expect[name] = text(name)
            else:
                errors[name] = [f"Choose one of {', '.join(allowed)}."]
    if text("duration_weeks"):
        try:
            expect["duration_weeks"] = float(text("duration_weeks").replace(",", "."))
        except ValueError:
            errors["duration_weeks"] = ["Enter a number of weeks, e.g. 3 or 0.5."]
    for prefix, (must, must_not) in _ITEM_KEYS.items():
        chosen = {n[len(prefix) + 4 :]: text(n) for n in values if n.startswith(f"it.{prefix}.") and text(n)}
        for wanted, list_key in (("must", must), ("not", must_not), ("any", "exercises_any")):
            ids = [i for i, v in chosen.items() if v == wanted]
            if ids and (wanted != "any" or prefix == "ex"):
                expect[list_key] = ids
    for flag in ("exercises_empty", "products_empty", "exercises_nonempty"):
        if text(flag):
            expect[flag] = True
    if expect.get("exercises_empty") and (expect.get("exercises") or expect.get("exercises_nonempty")):
        errors["exercises_empty"] = ["A case cannot expect no exercises and some exercises at once."]
    if text("extra_json"):
        try:
            extra = json.loads(text("extra_json"))
            expect.update({k: v for k, v in extra.items() if k not in expect})
        except (ValueError, AttributeError):
            errors["extra_json"] = ["Other expectations must be a JSON object."]
    if not set(expect) - INPUT_KEYS:
        errors["safety"] = errors.get("safety", []) + ["Give at least one expectation, e.g. the safety level."]
    return {"key": key, "locale": locale, "text": description, "expect": expect}, errors


def _item_rows(values: MultiDict[str, str]) -> dict[str, list[ItemRow]]:
    rows = catalog_rows(current_snapshot().catalog)
    for prefix, known in rows.items():
        ids = {r.id for r in known}
        for name in values:
            if name.startswith(f"it.{prefix}.") and name[len(prefix) + 4 :] not in ids:
                item_id = name[len(prefix) + 4 :]
                known.append(ItemRow(prefix, item_id, item_id, known=False, note="not in the catalog"))
                ids.add(item_id)
    return rows


def render_case_form(
    values: MultiDict[str, str],
    *,
    key: str | None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    result: CaseResult | None = None,
) -> ResponseReturnValue:
    return (
        render_template(
            "shop_reco/admin/testbench/form.html",
            values=values,
            key=key,
            errors=errors or {},
            rows=_item_rows(values),
            choices=ITEM_CHOICES,
            groups={
                "areas": vocabulary.AREAS,
                "symptoms": vocabulary.SYMPTOMS,
                "triggers": vocabulary.TRIGGERS,
            },
            red_flags=vocabulary.RED_FLAGS,
            screen_questions=screen_questions(),
            locales=vocabulary.LOCALES,
            safety_levels=vocabulary.SAFETY_LEVELS,
            sides=vocabulary.SIDES,
            severities=vocabulary.SEVERITIES,
            result=result,
            expect_keys=EXPECT_KEYS,
            notice=NOTICES.get(request.args.get("notice", "")),
        ),
        status,
    )


def _form_values() -> MultiDict[str, str]:
    values: MultiDict[str, str] = MultiDict(request.form.items(multi=True))
    values.pop(csrf_field_name(), None)
    return values


# --- views ------------------------------------------------------------------------------------


def list_cases() -> ResponseReturnValue:
    rows = list(test_cases_by_key(get_session()))
    return render_template(
        "shop_reco/admin/testbench/list.html",
        cases=rows,
        summary=expect_summary,
        notice=NOTICES.get(request.args.get("notice", "")),
    )


def run_all() -> ResponseReturnValue:
    results = run_bench(compile_set(stored_rules()))
    failed = [r for r in results if not r.passed]
    return render_template("shop_reco/admin/testbench/run.html", results=results, failed=failed)


def _rerender_new() -> ResponseReturnValue:
    return render_case_form(_form_values(), key=None)


def _rerender_edit(key: str) -> ResponseReturnValue:
    return render_case_form(_form_values(), key=key)


def _run_one(key: str) -> CaseResult | None:
    cases = [c for c in saved_cases() if c.key == key]
    return run_bench(compile_set(stored_rules()), cases)[0] if cases else None


@on_csrf_failure(_rerender_new)
def new_case() -> ResponseReturnValue:
    if request.method == "GET":
        return render_case_form(MultiDict([("locale", "en")]), key=None)
    values = _form_values()
    data, errors = parse_case_form(values)
    if not errors and find_case(data["key"]) is not None:
        errors["key"] = [f"A test case {data['key']!r} already exists; choose another key."]
    if errors:
        return render_case_form(values, key=None, errors=errors, status=422)
    session = get_session()
    ENTITY.upsert(session, data, current_admin())
    session.commit()
    return redirect(url_for(".testbench_edit", key=data["key"], notice="created"))


@on_csrf_failure(_rerender_edit)
def edit_case(key: str) -> ResponseReturnValue:
    row = find_case(key)
    if row is None:
        abort(404, description=f"There is no test case {key!r}.")
    if request.method == "GET":
        values = values_from_case(row.key, row.locale, row.text, row.expect or {})
        return render_case_form(values, key=key, result=_run_one(key))
    values = _form_values()
    values["key"] = key
    data, errors = parse_case_form(values)
    if errors:
        return render_case_form(values, key=key, errors=errors, status=422)
    session = get_session()
    if ENTITY.upsert(session, data, current_admin())[1]:
        session.commit()
    return redirect(url_for(".testbench_edit", key=key, notice="saved"))


def delete_case(key: str) -> ResponseReturnValue:
    row = find_case(key)
    if row is None:
        abort(404, description=f"There is no test case {key!r}.")
    session = get_session()
    record_change(NAME, key, "delete", case_state(row), None)
    session.delete(row)
    session.commit()
    return redirect(url_for(".testbench", notice="deleted"))


def restore_case(key: str, state: Mapping[str, Any] | None) -> None:
    """Put a test case back to ``state`` (None deletes it), recorded as a rollback; the caller commits."""
    row = find_case(key)
    before = case_state(row) if row is not None else None
    session = get_session()
    if state is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(TestCase(key=key, locale=state["locale"], text=state["text"], expect=dict(state["expect"])))
    else:
        row.locale, row.text, row.expect = state["locale"], state["text"], dict(state["expect"])
    record_change(NAME, key, "rollback", before, dict(state) if state is not None else None)


class SafetyCaseEntity(AdminEntity):
    """A saved example description and what its answer must (not) contain; rolled back as it was."""

    name, label = NAME, "Test case"
    rolls_back = True

    def list_rows(self) -> list[TestCase]:
        return list(test_cases_by_key(get_session()))

    def form_values(self, row: TestCase | None) -> dict[str, Any]:
        if row is None:
            return {"locale": "en"}
        return values_from_case(row.key, row.locale, row.text, row.expect or {})

    def form_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return parse_case_form(MultiDict(values))[0]

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[TestCase, bool]:
        """Create or change the case ``data["key"]``, recorded as a revision; the caller commits.

        Expectations equal but for the order of their lists are kept as stored.
        """
        row = find_test_case(session, data["key"])
        if row is None:
            row = TestCase(key=data["key"], locale=data["locale"], text=data["text"], expect=data["expect"])
            session.add(row)
            record_change(NAME, row.key, "create", None, case_state(row))
            return row, True
        before = case_state(row)
        expect = before["expect"] if _normalized(data["expect"]) == _normalized(before["expect"]) else data["expect"]
        row.locale, row.text, row.expect = data["locale"], data["text"], expect
        after = case_state(row)
        if before == after:
            return row, False
        record_change(NAME, row.key, "update", before, after)
        return row, True

    def current_state(self, key: str) -> dict[str, Any] | None:
        case = find_case(key)
        return case_state(case) if case is not None else None

    def write_state(self, key: str, state: dict[str, Any] | None) -> None:
        restore_case(key, state)

    def commit(self) -> None:
        """Cases are not content: committing them leaves the answers' snapshot alone."""
        get_session().commit()

    def register_pages(self, bp: Blueprint) -> None:
        bp.add_url_rule("/testbench", "testbench", list_cases)
        bp.add_url_rule("/testbench/run", "testbench_run", run_all)
        bp.add_url_rule("/testbench/new", "testbench_new", new_case, methods=["GET", "POST"])
        bp.add_url_rule("/testbench/<key>/edit", "testbench_edit", edit_case, methods=["GET", "POST"])
        bp.add_url_rule("/testbench/<key>/delete", "testbench_delete", delete_case, methods=["POST"])


ENTITY: Final = SafetyCaseEntity()
