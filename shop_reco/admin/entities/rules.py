"""Rules: the rule editor's pages (:mod:`shop_reco.admin.rules`), their revisions and their export.

A rule changes only through :func:`~shop_reco.admin.rules.changes.change_rule`
(lock check, test bench, write, revision), and so does a rollback: the rule
must not have changed since the revision page was opened, a broken safety
expectation refuses it, other new failures wait for "roll back anyway".
An imported rule set is run on the test bench the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from flask import Blueprint, url_for
from marshmallow import ValidationError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco.admin.case_checks import Failure, compare
from shop_reco.admin.content_forms import flatten_messages
from shop_reco.admin.entity import AdminEntity, ImportChecks, Problem, Restored, problem, problem_path
from shop_reco.admin.rules import form as rule_form
from shop_reco.admin.rules import views as rule_pages
from shop_reco.admin.rules.changes import CONFIRM, CONFLICT, REFUSED, change_rule, stored_record
from shop_reco.admin.rules.sandbox import compile_set, run_bench, saved_cases, stored_rules
from shop_reco.recommending import Catalog, Rule, RuleSchema, check_references, load_rule, load_rules
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import all_rules, count_rows
from shop_reco.storage.content import rule_record, upsert_rule
from shop_reco.storage.models import Rule as RuleRow
from shop_reco.storage.rules import find_rule
from shop_reco.storage.snapshot import load_rule_data

#: Said when the rule moved between opening the revision page and rolling back.
CHANGED_SINCE: Final = "This rule was changed since you opened this page. Review it and roll back again."


class RuleEntity(AdminEntity):
    """A merchant rule, keyed by its ``key``, versioned (optimistic locking)."""

    name, label, transfer_kind = "rule", "Rule", "rules"
    schema = RuleSchema
    rolls_back = True
    rollback_note = (
        "It goes through the same checks as an edit: the rule must not have changed since you opened this page,"
        " and the test bench runs."
    )

    def list_rows(self) -> Sequence[RuleRow]:
        return all_rules(get_session())

    def form_values(self, row: RuleRow | None) -> MultiDict[str, str]:
        return rule_form.blank_values() if row is None else rule_pages.values_from(stored_record(row))

    def form_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return rule_form.rule_data_from_values(MultiDict(values))[0]

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[RuleRow, bool]:
        return upsert_rule(session, data, actor)

    # -- revisions --------------------------------------------------------------------------------------

    def current_state(self, key: str) -> dict[str, Any] | None:
        row = find_rule(get_session(), key)
        if row is None:
            return None
        state = stored_record(row)
        state.pop("version")
        state.pop("key")
        return state

    def current_version(self, key: str) -> int | None:
        row = find_rule(get_session(), key)
        return row.version if row is not None else None

    def open_link(self, key: str) -> tuple[str, str] | None:
        return "Open the rule", url_for(".rule_edit", key=key)

    def restore(self, key: str, state: dict[str, Any] | None, form: Mapping[str, str]) -> Restored:
        """Roll back through :func:`change_rule`, at the version the page showed."""
        raw_version = form.get("version", "")
        expected: int | None = int(raw_version) if raw_version.isdigit() else None
        listed = url_for(".revisions", entity=self.name, key=key, notice="rolled-back")
        row = find_rule(get_session(), key)
        if (row is None) != (expected is None):
            return Restored(409, message=CHANGED_SINCE)
        if state is None and row is None:
            return Restored(next_url=listed)
        candidate = None
        if state is not None:
            try:
                candidate = load_rule({**state, "key": key})
            except ValidationError as exc:
                errors = [f"{'.'.join(map(str, p))}: {m}" for p, m in rule_form.flatten_errors(exc.messages)]
                return Restored(422, errors=tuple(errors))
        outcome = change_rule(
            key, candidate, expected_version=expected, action="rollback", confirmed=form.get("confirm") == "1"
        )
        if outcome.status == CONFLICT:
            return Restored(409, message=CHANGED_SINCE)
        if outcome.status in (REFUSED, CONFIRM):
            return Restored(422, outcome=outcome, version=expected)
        if candidate is None:
            return Restored(next_url=listed)
        return Restored(next_url=url_for(".rule_edit", key=key, notice="rolled-back"))

    # -- import and export ------------------------------------------------------------------------------

    def export(self, session: Session) -> list[dict[str, Any]]:
        rules = list(load_rule_data(session))
        for rule in rules:
            rule.pop("version", None)
        return rules

    def count(self, session: Session) -> int:
        return count_rows(session, RuleRow)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        try:
            return list(load_rules(items))
        except ValidationError as exc:
            problems.extend(problem(problem_path("rules", p), m) for p, m in flatten_messages(exc.messages))
            return []

    def import_checks(self, records: Sequence[Any]) -> ImportChecks:
        """The test bench with the imported rules in place of the stored ones of the same key.

        A safety expectation that held and would break is a problem (the import is
        refused, as a rule edit would be); other newly failing expectations are warnings.
        """
        cases = saved_cases()
        if not cases or not records:
            return ImportChecks()
        stored = stored_rules()
        imported: dict[str, Rule] = {rule.key: rule for rule in records}
        candidate = [rule for rule in stored if rule.key not in imported] + list(imported.values())
        verdict = compare(run_bench(compile_set(stored), cases), run_bench(compile_set(candidate), cases))
        return ImportChecks(
            [
                problem(f"test bench: {f.case.key}", f"the imported rules break a safety expectation: {_said(f)}")
                for f in verdict.new_safety
            ],
            [f"test bench case {f.case.key} now fails: {_said(f)}" for f in verdict.new_other],
        )

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        return sum(upsert_rule(session, rule_record(rule), actor)[1] for rule in records)

    def reference_warnings(self, session: Session, catalog: Catalog) -> list[str]:
        warnings = []
        for data in load_rule_data(session):
            try:
                rule = load_rule(data)
            except ValidationError:
                continue
            warnings += [f"rule {rule.key}: {p}" for p in check_references(rule, catalog)]
        return warnings

    def register_pages(self, bp: Blueprint) -> None:
        rule_pages.register_pages(bp)


def _said(failure: Failure) -> str:
    return f"{failure.check.label}{f' ({failure.check.detail})' if failure.check.detail else ''}"


ENTITY: Final = RuleEntity()
