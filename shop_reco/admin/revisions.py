"""Revisions: every recorded change, its before/after diff, and one-click rollback.

Rollback restores a revision's *before* state ("undo this change") or its
*after* state ("go back to this version") as a new revision with action
``rollback``. The revision's entity, found in the registry, does the restore
with its own checks (a rule goes through the same path as an edit, a product
a rule uses is not deleted, a synonym may not hide a red flag); an entity that
does not roll back (articles, sources) shows its diff only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue

from shop_reco.admin.diffs import field_changes, json_diff, pretty
from shop_reco.admin.registry import Registry
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import find_revision, revised_entities, revision_page
from shop_reco.storage.models import Revision

if TYPE_CHECKING:
    from shop_reco.admin.rules.changes import Outcome
    from shop_reco.state import RecoState

PAGE_SIZE: Final = 50
TARGETS: Final = {"before": "Undo this change", "after": "Restore this version"}


class RevisionPages:
    """``/revisions``: the list, one revision, and its rollback, for every entity of ``registry``."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/revisions", "revisions", self.list_revisions)
        bp.add_url_rule("/revisions/<int:revision_id>", "revision", self.show_revision)
        bp.add_url_rule("/revisions/<int:revision_id>/rollback", "revision_rollback", self.rollback, methods=["POST"])

    def list_revisions(self) -> ResponseReturnValue:
        entity = request.args.get("entity", "")
        key = request.args.get("key", "").strip()
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        session = get_session()
        rows, total = revision_page(session, entity=entity, key=key, page=page, size=PAGE_SIZE)
        return render_template(
            "shop_reco/admin/revisions/list.html",
            revisions=rows,
            entity=entity,
            key=key,
            entities=revised_entities(session),
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
            total=total,
            notice="Rolled back; the rollback is recorded as the newest revision."
            if request.args.get("notice") == "rolled-back"
            else None,
        )

    def render_revision(
        self,
        rev: Revision,
        *,
        outcome: Outcome | None = None,
        message: str | None = None,
        target: str | None = None,
        errors: list[str] | None = None,
        status: int = 200,
        version: int | None = None,
    ) -> ResponseReturnValue:
        entity = self.registry.named(rev.entity)
        key = rev.entity_key
        current = entity.current_state(key) if entity is not None else None
        current_version = entity.current_version(key) if entity is not None else None
        link = entity.open_link(key) if entity is not None and current is not None else None
        return (
            render_template(
                "shop_reco/admin/revisions/detail.html",
                rev=rev,
                diff=json_diff(rev.before, rev.after, "before", "after"),
                fields=field_changes(rev.before, rev.after),
                before=pretty(rev.before),
                after=pretty(rev.after),
                can_rollback=entity is not None and entity.rolls_back,
                rollback_note=entity.rollback_note if entity is not None else "",
                open_link=link,
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

    def show_revision(self, revision_id: int) -> ResponseReturnValue:
        return self.render_revision(_revision_or_404(revision_id))

    def rollback(self, revision_id: int) -> ResponseReturnValue:
        rev = _revision_or_404(revision_id)
        target = request.form.get("target", "")
        entity = self.registry.named(rev.entity)
        if target not in TARGETS or entity is None or not entity.rolls_back:
            abort(400, description="Choose whether to undo this change or restore this version.")
        state = rev.before if target == "before" else rev.after
        restored = entity.restore(rev.entity_key, state, request.form)
        if restored.done and restored.next_url is not None:
            return redirect(restored.next_url)
        return self.render_revision(
            rev,
            outcome=restored.outcome,
            message=restored.message,
            target=target,
            errors=list(restored.errors),
            status=restored.status,
            version=restored.version,
        )


def _revision_or_404(revision_id: int) -> Revision:
    rev = find_revision(get_session(), revision_id)
    if rev is None:
        abort(404, description=f"There is no revision {revision_id}.")
    return rev


def register(bp: Blueprint, state: RecoState, registry: Registry) -> None:
    RevisionPages(registry).register(bp)
