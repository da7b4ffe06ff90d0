"""Revisions: every recorded change, its before/after diff, and one-click rollback.

Rollback restores a revision's *before* state ("undo this change") or its
*after* state ("go back to this version") as a new revision with action
``rollback``. Rules go through the same path as an edit (optimistic
locking, test bench); test cases are restored directly; products, exercises
and synonyms through :mod:`shop_reco.admin.content_rollback` (a product a rule
uses is not deleted, a synonym may not hide a red flag). Articles show their
diff and are restored by importing the version again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy import func, select

from shop_reco.admin import content_rollback
from shop_reco.admin.changes import CONFIRM, CONFLICT, REFUSED, Outcome, change_rule, stored_record
from shop_reco.admin.content import commit_content
from shop_reco.admin.diffs import field_changes, json_diff, pretty
from shop_reco.admin.rule_form import flatten_errors
from shop_reco.admin.testbench import ENTITY as TEST_CASE
from shop_reco.admin.testbench import case_state, find_case, restore_case
from shop_reco.recommending import load_rule
from shop_reco.state import get_session
from shop_reco.storage.models import Revision
from shop_reco.storage.rules import find_rule

if TYPE_CHECKING:
    from shop_reco.state import RecoState

PAGE_SIZE = 50
#: Entities this page can roll back.
ROLLBACK_ENTITIES = ("rule", TEST_CASE, *content_rollback.ENTITIES)
TARGETS = {"before": "Undo this change", "after": "Restore this version"}


def _current_state(entity: str, key: str) -> tuple[dict[str, Any] | None, int | None]:
    """The entity's state now (as revisions record it) and its version (rules only)."""
    if entity == "rule":
        row = find_rule(get_session(), key)
        if row is None:
            return None, None
        state = stored_record(row)
        version = state.pop("version")
        state.pop("key")
        return state, version
    if entity == TEST_CASE:
        case = find_case(key)
        return (case_state(case) if case is not None else None), None
    if entity in content_rollback.ENTITIES:
        return content_rollback.current_state(entity, key), None
    return None, None


def list_revisions() -> ResponseReturnValue:
    entity = request.args.get("entity", "")
    key = request.args.get("key", "").strip()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    session = get_session()
    query = select(Revision)
    count = select(func.count(Revision.id))
    if entity:
        query, count = query.where(Revision.entity == entity), count.where(Revision.entity == entity)
    if key:
        query, count = query.where(Revision.entity_key == key), count.where(Revision.entity_key == key)
    total = session.scalar(count) or 0
    rows = session.scalars(
        query.order_by(Revision.created_at.desc(), Revision.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    entities = sorted(session.scalars(select(Revision.entity).distinct()))
    return render_template(
        "shop_reco/admin/revisions/list.html",
        revisions=rows,
        entity=entity,
        key=key,
        entities=entities,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        notice="Rolled back; the rollback is recorded as the newest revision."
        if request.args.get("notice") == "rolled-back"
        else None,
    )


def _revision_or_404(revision_id: int) -> Revision:
    rev = get_session().get(Revision, revision_id)
    if rev is None:
        abort(404, description=f"There is no revision {revision_id}.")
    return rev


def render_revision(
    rev: Revision,
    *,
    outcome: Outcome | None = None,
    message: str | None = None,
    target: str | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    version: int | None = None,
) -> ResponseReturnValue:
    current, current_version = _current_state(rev.entity, rev.entity_key)
    return (
        render_template(
            "shop_reco/admin/revisions/detail.html",
            rev=rev,
            diff=json_diff(rev.before, rev.after, "before", "after"),
            fields=field_changes(rev.before, rev.after),
            before=pretty(rev.before),
            after=pretty(rev.after),
            can_rollback=rev.entity in ROLLBACK_ENTITIES,
            current=current,
            current_version=current_version if version is None else version,
            targets=TARGETS,
            is_current={"before": rev.before == current, "after": rev.after == current},
            outcome=outcome,
            message=message,
            chosen=target,
            errors=errors or [],
        ),
        status,
    )


def show_revision(revision_id: int) -> ResponseReturnValue:
    return render_revision(_revision_or_404(revision_id))


def rollback(revision_id: int) -> ResponseReturnValue:
    rev = _revision_or_404(revision_id)
    target = request.form.get("target", "")
    if target not in TARGETS or rev.entity not in ROLLBACK_ENTITIES:
        abort(400, description="Choose whether to undo this change or restore this version.")
    state = rev.before if target == "before" else rev.after
    key = rev.entity_key
    if rev.entity == TEST_CASE:
        restore_case(key, state)
        get_session().commit()
        return redirect(url_for(".revisions", entity=TEST_CASE, key=key, notice="rolled-back"))
    if rev.entity in content_rollback.ENTITIES:
        try:
            content_rollback.restore(rev.entity, key, state)
        except content_rollback.RollbackRefused as refused:
            get_session().rollback()
            return render_revision(rev, message=f"Not rolled back. {refused}", target=target, status=422)
        commit_content()
        return redirect(url_for(".revisions", entity=rev.entity, key=key, notice="rolled-back"))

    raw_version = request.form.get("version", "")
    expected: int | None = int(raw_version) if raw_version.isdigit() else None
    row = find_rule(get_session(), key)
    if (row is None) != (expected is None):
        return render_revision(
            rev,
            message="This rule was changed since you opened this page. Review it and roll back again.",
            target=target,
            status=409,
        )
    if state is None and row is None:
        return redirect(url_for(".revisions", entity="rule", key=key, notice="rolled-back"))
    candidate = None
    if state is not None:
        try:
            candidate = load_rule({**state, "key": key})
        except ValidationError as exc:
            errors = [f"{'.'.join(map(str, p))}: {m}" for p, m in flatten_errors(exc.messages)]
            return render_revision(rev, errors=errors, target=target, status=422)
    outcome = change_rule(
        key,
        candidate,
        expected_version=expected,
        action="rollback",
        confirmed=request.form.get("confirm") == "1",
    )
    if outcome.status == CONFLICT:
        return render_revision(
            rev,
            message="This rule was changed since you opened this page. Review it and roll back again.",
            target=target,
            status=409,
        )
    if outcome.status in (REFUSED, CONFIRM):
        return render_revision(rev, outcome=outcome, target=target, status=422, version=expected)
    if candidate is None:
        return redirect(url_for(".revisions", entity="rule", key=key, notice="rolled-back"))
    return redirect(url_for(".rule_edit", key=key, notice="rolled-back"))


def register(bp: Blueprint, state: RecoState) -> None:
    bp.add_url_rule("/revisions", "revisions", list_revisions)
    bp.add_url_rule("/revisions/<int:revision_id>", "revision", show_revision)
    bp.add_url_rule("/revisions/<int:revision_id>/rollback", "revision_rollback", rollback, methods=["POST"])
