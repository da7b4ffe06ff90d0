"""Rules pages: list, create, edit (structured form or JSON), duplicate, enable/disable, delete.

Forms re-render from what the merchant sent, so nothing typed is ever lost:
validation errors sit next to their fields, a stale version shows the
conflict page with both versions, and the test bench's verdict is shown on
the form (refused, or "save anyway").
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.admin.diffs import json_diff
from shop_reco.admin.rules import form as rule_form
from shop_reco.admin.rules.changes import (
    CONFIRM,
    CONFLICT,
    EXISTS,
    REFUSED,
    Outcome,
    change_rule,
    stored_record,
    stored_rule,
)
from shop_reco.admin.rules.sandbox import Preview, compile_set, preview, stored_rules, with_rule
from shop_reco.admin.security import csrf_field_name, on_csrf_failure
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.recommending import check_references
from shop_reco.recommending.rules import SLUG
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import all_rules, rule_keys
from shop_reco.storage.models import Rule as RuleRow
from shop_reco.storage.rules import find_rule

_SLUG = re.compile(SLUG)
PREVIEW_KEY = "unsaved-rule"

NOTICES = {
    "created": "Rule created.",
    "saved": "Rule saved.",
    "unchanged": "Nothing changed, so nothing was saved.",
    "deleted": "Rule deleted.",
    "enabled": "Rule enabled.",
    "disabled": "Rule disabled.",
    "rolled-back": "Rolled back; the rollback is recorded as a new revision.",
}
SORTS = {
    "priority": lambda r: (-r.priority, r.key),
    "name": lambda r: (r.name.lower(), r.key),
    "key": lambda r: r.key,
    "updated": lambda r: (-(r.updated_at.timestamp() if r.updated_at else 0), r.key),
}


def notice() -> str | None:
    return NOTICES.get(request.args.get("notice", ""))


def _row_or_404(key: str) -> RuleRow:
    row = find_rule(get_session(), key)
    if row is None:
        abort(404, description=f"There is no rule {key!r}; it may have been deleted.")
    return row


def _version(values: MultiDict[str, str]) -> int:
    try:
        return int(values.get("version") or 0)
    except ValueError:
        return 0


def _confirmed(values: MultiDict[str, str]) -> bool:
    return values.get("confirm") == "1"


# --- list -----------------------------------------------------------------------------------------


def _conditions_summary(conditions: dict[str, Any]) -> str:
    parts = []
    if conditions.get("all"):
        parts.append(" + ".join(conditions["all"]))
    if conditions.get("any"):
        parts.append("any of " + ", ".join(conditions["any"]))
    if conditions.get("none"):
        parts.append("not " + ", ".join(conditions["none"]))
    return "; ".join(parts) or "every description (catch-all)"


def list_rules() -> ResponseReturnValue:
    q = request.args.get("q", "").strip().lower()
    active = request.args.get("active", "")
    locale = request.args.get("locale", "")
    sort = request.args.get("sort", "priority")
    rows = list(all_rules(get_session()))
    if q:
        rows = [r for r in rows if q in r.key.lower() or q in r.name.lower()]
    if active in ("on", "off"):
        rows = [r for r in rows if r.active == (active == "on")]
    if locale in vocabulary.LOCALES:
        rows = [r for r in rows if not r.locales or locale in r.locales]
    rows.sort(key=SORTS.get(sort, SORTS["priority"]))
    return render_template(
        "shop_reco/admin/rules/list.html",
        rules=rows,
        summary=_conditions_summary,
        q=request.args.get("q", ""),
        active=active,
        locale=locale,
        sort=sort if sort in SORTS else "priority",
        locales=vocabulary.LOCALES,
        notice=notice(),
    )


# --- the structured form ----------------------------------------------------------------------


def _preview_for(values: MultiDict[str, str], key: str | None, parsed: rule_form.RuleFormResult) -> Preview | None:
    text = (values.get("preview_text") or "").strip()
    if not text or parsed.rule is None:
        return None
    locale = values.get("preview_locale") or "en"
    if locale not in vocabulary.LOCALES:
        locale = "en"
    candidate = parsed.rule
    if not candidate.active:  # preview what the rule would do once enabled
        candidate = dataclasses.replace(candidate, active=True)
    stored = stored_rules()
    replace = key if key is not None else candidate.key
    return preview(text, locale, compile_set(with_rule(stored, replace, candidate)), saved=compile_set(stored))


def _parse_for_preview(values: MultiDict[str, str], key: str | None) -> rule_form.RuleFormResult:
    """Parse for the preview: a new rule may not have a valid key or name yet."""
    if key is not None:
        return rule_form.parse_rule_form(values, key)
    typed = (values.get("key") or "").strip()
    preview_values = values.copy()
    if not (values.get("name") or "").strip():
        preview_values["name"] = "Unsaved rule"
    parsed = rule_form.parse_rule_form(preview_values, typed if _SLUG.match(typed) else PREVIEW_KEY)
    parsed.errors.pop("name", None)
    return parsed


def render_rule_form(
    values: MultiDict[str, str],
    *,
    key: str | None,
    version: int | None = None,
    errors: dict[str, list[str]] | None = None,
    outcome: Outcome | None = None,
    want_preview: bool = False,
    status: int = 200,
    source: str | None = None,
) -> ResponseReturnValue:
    """The rule editor with ``values`` (as typed), errors, references, bench verdict and preview."""
    catalog = current_snapshot().catalog
    parsed = _parse_for_preview(values, key)
    references = check_references(parsed.rule, catalog) if parsed.rule is not None else []
    shown_preview = None
    preview_error = None
    if want_preview or (values.get("preview_text") or "").strip():
        if parsed.rule is None:
            preview_error = "Fix the problems marked in the form to see the preview."
        elif not (values.get("preview_text") or "").strip():
            preview_error = "Type a description to preview."
        else:
            shown_preview = _preview_for(values, key, parsed)
    error_heading = None
    if errors is None:
        errors = parsed.errors if want_preview else {}
        error_heading = "The preview needs a valid rule"
    row = find_rule(get_session(), key) if key is not None else None
    return (
        render_template(
            "shop_reco/admin/rules/form.html",
            values=values,
            key=key,
            row=row,
            version=version,
            errors=errors,
            rows=rule_form.item_rows(values, catalog),
            concept_groups=rule_form.concept_groups(),
            concept_roles=rule_form.CONCEPT_ROLES,
            severities=vocabulary.SEVERITIES,
            safety_labels=rule_form.SAFETY_LABELS,
            locales=vocabulary.LOCALES,
            avoid_rows=rule_form.avoid_row_count(values),
            references=references,
            outcome=outcome,
            preview=shown_preview,
            preview_error=preview_error,
            preview_rule_key=key if key is not None else (parsed.rule.key if parsed.rule else PREVIEW_KEY),
            notice=notice(),
            source=source,
            error_heading=error_heading,
        ),
        status,
    )


def _form_values() -> MultiDict[str, str]:
    values: MultiDict[str, str] = MultiDict(request.form.items(multi=True))
    values.pop(csrf_field_name(), None)
    if values.get("do") == "more":
        values["avoid_rows"] = str(rule_form.avoid_row_count(values) + 1)
    return values


def _rerender_new() -> ResponseReturnValue:
    return render_rule_form(_form_values(), key=None)


def _rerender_edit(key: str) -> ResponseReturnValue:
    return render_rule_form(_form_values(), key=key, version=_version(request.form))


def _unique_copy_key(key: str) -> str:
    taken = rule_keys(get_session())
    base = f"{key[:58]}-copy"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@on_csrf_failure(_rerender_new)
def new_rule() -> ResponseReturnValue:
    if request.method == "GET":
        source = request.args.get("from")
        if source:
            row = _row_or_404(source)
            data = stored_record(row)
            data.update(key=_unique_copy_key(row.key), name=f"{row.name} (copy)"[:120], active=False)
            return render_rule_form(values_from(data), key=None, source=row.key)
        return render_rule_form(rule_form.blank_values(), key=None)
    values = _form_values()
    if values.get("do") != "save":
        return render_rule_form(values, key=None, want_preview=values.get("do") == "preview")
    parsed = rule_form.parse_rule_form(values)
    if not parsed.ok:
        return render_rule_form(values, key=None, errors=parsed.errors, status=422)
    assert parsed.rule is not None
    outcome = change_rule(
        parsed.rule.key, parsed.rule, expected_version=None, action="create", confirmed=_confirmed(values)
    )
    if outcome.status == EXISTS:
        errors = {"key": [f"A rule with key {parsed.rule.key!r} already exists; choose another key."]}
        return render_rule_form(values, key=None, errors=errors, status=422)
    if outcome.status in (REFUSED, CONFIRM):
        return render_rule_form(values, key=None, outcome=outcome, status=422)
    return redirect(url_for(".rule_edit", key=parsed.rule.key, notice="created"))


def values_from(data: dict[str, Any]) -> MultiDict[str, str]:
    values = rule_form.values_from_rule(data)
    if data.get("version") is not None:
        values["version"] = str(data["version"])
    return values


@on_csrf_failure(_rerender_edit)
def edit_rule(key: str) -> ResponseReturnValue:
    row = _row_or_404(key) if request.method == "GET" else find_rule(get_session(), key)
    if request.method == "GET":
        assert row is not None
        values = values_from(stored_record(row))
        values["base"] = json.dumps(canonical(row), sort_keys=True)
        return render_rule_form(values, key=key, version=row.version)
    values = _form_values()
    version = _version(values)
    if values.get("do") != "save":
        return render_rule_form(values, key=key, version=version, want_preview=values.get("do") == "preview")
    parsed = rule_form.parse_rule_form(values, key)
    if not parsed.ok:
        return render_rule_form(values, key=key, version=version, errors=parsed.errors, status=422)
    assert parsed.rule is not None
    outcome = change_rule(key, parsed.rule, expected_version=version, action="update", confirmed=_confirmed(values))
    if outcome.status == CONFLICT:
        return conflict_page(key, values, parsed.rule.as_dict())
    if outcome.status in (REFUSED, CONFIRM):
        return render_rule_form(values, key=key, version=version, outcome=outcome, status=422)
    return redirect(url_for(".rule_edit", key=key, notice=outcome.status))


def canonical(row: RuleRow) -> dict[str, Any]:
    """A stored rule in the schema's canonical JSON (sorted, defaults filled), without its version."""
    try:
        data = stored_rule(row).as_dict()
    except ValidationError:  # stored before a stricter schema: compare as stored
        data = stored_record(row)
    data.pop("version", None)
    return data


def _base(values: MultiDict[str, str]) -> dict[str, Any] | None:
    try:
        base = json.loads(values.get("base") or "null")
    except ValueError:
        return None
    return base if isinstance(base, dict) else None


def conflict_page(key: str, values: MultiDict[str, str], mine: dict[str, Any]) -> ResponseReturnValue:
    """Both versions, a diff, and a button re-opening the form with my changes applied onto theirs."""
    session = get_session()
    session.rollback()
    row = find_rule(session, key)
    mine = {k: v for k, v in mine.items() if k != "version"}
    theirs = canonical(row) if row is not None else None
    if theirs is not None:
        merged, both = rule_form.merge_changes(_base(values), mine, theirs)
    else:
        merged, both = mine, []
    kept = values_from(merged)
    for name in ("preview_text", "preview_locale"):
        if values.get(name):
            kept[name] = values[name]
    if theirs is not None:
        kept["base"] = json.dumps(theirs, sort_keys=True)
    return (
        render_template(
            "shop_reco/admin/rules/conflict.html",
            key=key,
            row=row,
            theirs=theirs,
            mine=mine,
            diff=json_diff(theirs, mine, "theirs (saved)", "yours (not saved)"),
            changed=rule_form.changed_fields(theirs or {}, mine),
            both=both,
            kept=kept,
        ),
        409,
    )


def preview_fragment() -> ResponseReturnValue:
    """The preview panel alone, for the editor's script (same form fields as the editor)."""
    values = _form_values()
    key = values.get("rule_key") or None
    if key is not None and find_rule(get_session(), key) is None:
        key = None
    parsed = _parse_for_preview(values, key)
    if parsed.rule is None:
        return render_template(
            "shop_reco/admin/rules/_preview.html",
            preview=None,
            preview_error="Fix the problems marked in the form to see the preview.",
            preview_rule_key=key or PREVIEW_KEY,
        )
    if not (values.get("preview_text") or "").strip():
        return render_template(
            "shop_reco/admin/rules/_preview.html",
            preview=None,
            preview_error="Type a description to preview.",
            preview_rule_key=key or parsed.rule.key,
        )
    return render_template(
        "shop_reco/admin/rules/_preview.html",
        preview=_preview_for(values, key, parsed),
        preview_error=None,
        preview_rule_key=key or parsed.rule.key,
    )


# --- JSON editor ------------------------------------------------------------------------------


def _json_text(data: dict[str, Any]) -> str:
    plain = {k: v for k, v in data.items() if k != "version"}
    return json.dumps(plain, ensure_ascii=False, indent=2)


def render_json_editor(
    text: str,
    *,
    key: str | None,
    version: int | None,
    errors: dict[str, list[str]] | None = None,
    outcome: Outcome | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "shop_reco/admin/rules/json.html",
            text=text,
            key=key,
            version=version,
            errors=errors or {},
            outcome=outcome,
            notice=notice(),
            confirm_checked=request.form.get("confirm") == "1",
        ),
        status,
    )


def _rerender_json(key: str | None = None) -> ResponseReturnValue:
    return render_json_editor(request.form.get("rule_json", ""), key=key, version=_version(request.form))


@on_csrf_failure(_rerender_json)
def rule_json(key: str) -> ResponseReturnValue:
    if request.method == "GET":
        row = _row_or_404(key)
        data = stored_record(row)
        with contextlib.suppress(ValidationError):  # show a no-longer-valid rule as stored
            data = stored_rule(row).as_dict()
        return render_json_editor(_json_text(data), key=key, version=row.version)
    text = request.form.get("rule_json", "")
    version = _version(request.form)
    parsed = rule_form.parse_rule_json(text, key)
    if not parsed.ok:
        return render_json_editor(text, key=key, version=version, errors=parsed.errors, status=422)
    assert parsed.rule is not None
    outcome = change_rule(
        key,
        parsed.rule,
        expected_version=version,
        action="update",
        confirmed=request.form.get("confirm") == "1",
    )
    if outcome.status == CONFLICT:
        return conflict_page(key, MultiDict(), parsed.rule.as_dict())
    if outcome.status in (REFUSED, CONFIRM):
        return render_json_editor(text, key=key, version=version, outcome=outcome, status=422)
    return redirect(url_for(".rule_json", key=key, notice=outcome.status))


@on_csrf_failure(_rerender_json)
def new_rule_json() -> ResponseReturnValue:
    if request.method == "GET":
        example = {
            "key": "my-new-rule",
            "name": "My new rule",
            "conditions": {"all": ["trigger:walking"]},
            "actions": {"exercises": [{"slug": "plank", "weight": 2}]},
        }
        return render_json_editor(json.dumps(example, indent=2), key=None, version=None)
    text = request.form.get("rule_json", "")
    parsed = rule_form.parse_rule_json(text)
    if not parsed.ok:
        return render_json_editor(text, key=None, version=None, errors=parsed.errors, status=422)
    assert parsed.rule is not None
    outcome = change_rule(
        parsed.rule.key,
        parsed.rule,
        expected_version=None,
        action="create",
        confirmed=request.form.get("confirm") == "1",
    )
    if outcome.status == EXISTS:
        errors = {"key": [f"A rule with key {parsed.rule.key!r} already exists; choose another key."]}
        return render_json_editor(text, key=None, version=None, errors=errors, status=422)
    if outcome.status in (REFUSED, CONFIRM):
        return render_json_editor(text, key=None, version=None, outcome=outcome, status=422)
    return redirect(url_for(".rule_edit", key=parsed.rule.key, notice="created"))


# --- enable/disable and delete ------------------------------------------------------------------


def render_change(
    title: str,
    question: str,
    action_url: str,
    submit: str,
    *,
    version: int,
    outcome: Outcome | None = None,
    status: int = 200,
    danger: bool = False,
    back: str | None = None,
) -> ResponseReturnValue:
    return (
        render_template(
            "shop_reco/admin/rules/change.html",
            title=title,
            question=question,
            action_url=action_url,
            submit=submit,
            version=version,
            outcome=outcome,
            danger=danger,
            back=back or url_for(".rules"),
        ),
        status,
    )


def toggle_rule(key: str) -> ResponseReturnValue:
    row = _row_or_404(key)
    version = _version(request.form)
    try:
        current = stored_rule(row)
    except ValidationError:
        abort(409, description="This rule no longer passes validation; open it in the editor and fix it first.")
    enable = not current.active
    candidate = dataclasses.replace(current, active=enable)
    verb = "Enable" if enable else "Disable"
    outcome = change_rule(
        key,
        candidate,
        expected_version=version,
        action="update",
        confirmed=request.form.get("confirm") == "1",
    )
    if outcome.status == CONFLICT:
        row = _row_or_404(key)
        return render_change(
            f"{verb} “{row.name}”",
            "Someone changed this rule after you loaded the list. Here it is as saved now; try again.",
            url_for(".rule_toggle", key=key),
            verb,
            version=row.version,
            outcome=outcome,
            status=409,
        )
    if outcome.status in (REFUSED, CONFIRM):
        return render_change(
            f"{verb} “{row.name}”",
            f"{verb} this rule?",
            url_for(".rule_toggle", key=key),
            verb,
            version=version,
            outcome=outcome,
            status=422,
        )
    return redirect(url_for(".rules", notice="enabled" if enable else "disabled"))


def delete_rule_view(key: str) -> ResponseReturnValue:
    row = _row_or_404(key)
    title = f"Delete “{row.name}”"
    question = "Delete this rule? Its history stays in Revisions, where you can restore it."
    url = url_for(".rule_delete", key=key)
    back = url_for(".rule_edit", key=key)
    if request.method == "GET":
        return render_change(title, question, url, "Delete rule", version=row.version, danger=True, back=back)
    version = _version(request.form)
    outcome = change_rule(
        key, None, expected_version=version, action="delete", confirmed=request.form.get("confirm") == "1"
    )
    if outcome.status == CONFLICT:
        row = _row_or_404(key)
        return render_change(
            title,
            "Someone changed this rule since you opened this page; review it before deleting.",
            url,
            "Delete rule",
            version=row.version,
            outcome=outcome,
            status=409,
            danger=True,
            back=back,
        )
    if outcome.status in (REFUSED, CONFIRM):
        return render_change(
            title,
            question,
            url,
            "Delete rule",
            version=version,
            outcome=outcome,
            status=422,
            danger=True,
            back=back,
        )
    return redirect(url_for(".rules", notice="deleted"))


def index() -> ResponseReturnValue:
    return redirect(url_for(".rules"))


def register_pages(bp: Blueprint) -> None:
    """The rule editor's routes (the rule entity mounts them)."""
    bp.add_url_rule("/", "index", index)
    bp.add_url_rule("/rules", "rules", list_rules)
    bp.add_url_rule("/rules/new", "rule_new", new_rule, methods=["GET", "POST"])
    bp.add_url_rule("/rules/new-from-json", "rule_new_json", new_rule_json, methods=["GET", "POST"])
    bp.add_url_rule("/rules/preview", "rule_preview", preview_fragment, methods=["POST"])
    bp.add_url_rule("/rules/<key>/edit", "rule_edit", edit_rule, methods=["GET", "POST"])
    bp.add_url_rule("/rules/<key>/json", "rule_json", rule_json, methods=["GET", "POST"])
    bp.add_url_rule("/rules/<key>/toggle", "rule_toggle", toggle_rule, methods=["POST"])
    bp.add_url_rule("/rules/<key>/delete", "rule_delete", delete_rule_view, methods=["GET", "POST"])
