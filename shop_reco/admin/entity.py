"""What the admin knows about one kind of record a merchant edits: the :class:`AdminEntity` interface.

Revisions, rollback, usage and import/export iterate the registry
(:mod:`shop_reco.admin.registry`) and ask each entity; none of them tests an
entity's name. An entity says:

- who it is: ``name`` (as revisions record it), ``label``, ``transfer_kind``
  (its section of an export file, or None);
- its forms: the marshmallow ``schema``, :meth:`form_values` (data -> form),
  :meth:`form_data` (form -> data), :meth:`list_rows` and :meth:`upsert`;
- its history: :meth:`current_state` (what a revision would record now) and
  :meth:`restore` (a rollback to a revision's state);
- :meth:`usage`: what still names one record (rules, test cases);
- import/export: :meth:`export`, :meth:`load_records` (validate a file's
  section), :meth:`import_records` (write it), and the checks an import runs;
- its pages: :meth:`register_pages` adds them to the admin blueprint.

Every method but the identity has a default meaning "not supported", so a
small entity implements only what it has. ``docs/admin.md`` ("Adding an
entity") walks through writing one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Blueprint, url_for
from marshmallow import Schema, ValidationError

from shop_reco.admin.content import commit_content
from shop_reco.admin.content_forms import flatten_messages
from shop_reco.state import get_session
from shop_reco.storage.usage import Usage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from shop_reco.admin.rules.changes import Outcome
    from shop_reco.recommending import Catalog

#: One problem of an uploaded file: ``{"path": "products[2].price", "message": "..."}``.
Problem = dict[str, str]
#: A form's values by input name (strings, lists, booleans).
FormValues = dict[str, Any]


class RollbackRefused(Exception):
    """The state cannot be restored; the message says why, in the merchant's words."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What a rollback did: done (go to ``next_url``), or refused and shown again with ``status``."""

    status: int = 200
    next_url: str | None = None
    message: str | None = None
    errors: tuple[str, ...] = ()
    outcome: Outcome | None = None
    version: int | None = None

    @property
    def done(self) -> bool:
        return self.status < 300


@dataclass(frozen=True)
class Claim:
    """Copy in an imported file that reads as a treatment or cure claim: where, which record, which words."""

    path: str
    key: str
    phrases: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path} ({self.key}): {', '.join(f'“{p}”' for p in self.phrases)}"


@dataclass
class ImportChecks:
    """What an entity's check of a validated import found: problems refuse it, warnings are shown after."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def problem(path: str, message: str) -> Problem:
    return {"path": path, "message": message}


def problem_path(kind: str, dotted: str) -> str:
    """``products`` + ``2.text.sv.name`` → ``products[2].text.sv.name``."""
    out = kind
    for part in dotted.split(".") if dotted else []:
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def schema_records(kind: str, items: list[Any], schema: Schema, problems: list[Problem]) -> list[Any]:
    """``items`` loaded by ``schema``; every error is added to ``problems`` (and nothing is returned)."""
    try:
        return list(schema.load(items, many=True))
    except ValidationError as exc:
        problems.extend(problem(problem_path(kind, p), m) for p, m in flatten_messages(exc.messages))
        return []


def duplicate_problems(kind: str, entries: Sequence[tuple[int, Any, str]], what: str, problems: list[Problem]) -> None:
    """A problem for each ``(index, key, label)`` whose key an earlier entry has."""
    first: dict[Any, int] = {}
    for i, key, label in entries:
        if key in first:
            problems.append(problem(f"{kind}[{i}]", f"duplicate {what} {label!r} (also at {kind}[{first[key]}])"))
        else:
            first[key] = i


class AdminEntity:
    """One kind of merchant-edited record; subclasses override what they support.

    ``name`` is the revision's ``entity`` (stored: never rename it);
    ``transfer_kind`` names its list in an export file (None: not exported).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    transfer_kind: ClassVar[str | None] = None
    #: The marshmallow schema that validates a record (forms and files alike), if any.
    schema: ClassVar[type[Schema] | None] = None
    #: Whether the revisions page offers "undo this change" / "restore this version".
    rolls_back: ClassVar[bool] = False
    #: Said on the revisions page under "Roll back" (what else a rollback checks).
    rollback_note: ClassVar[str] = ""

    # -- pages and forms ------------------------------------------------------------------------------

    def register_pages(self, bp: Blueprint) -> None:
        """Add the entity's pages to the admin blueprint (none by default)."""

    def form_values(self, row: Any | None) -> FormValues:
        """The edit form's values for a stored row (None: a new record)."""
        raise NotImplementedError(f"{self.name} has no form")

    def form_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The form's values in the schema's shape."""
        raise NotImplementedError(f"{self.name} has no form")

    def list_rows(self) -> Sequence[Any]:
        """The stored records, in the list page's order."""
        return ()

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Any, bool]:
        """Create or update one validated record by its key (recorded as a revision); ``(row, changed)``."""
        raise NotImplementedError(f"{self.name} cannot be written this way")

    # -- revisions ------------------------------------------------------------------------------------

    def current_state(self, key: str) -> dict[str, Any] | None:
        """The record's state now, as its revisions record it (None: it does not exist)."""
        return None

    def current_version(self, key: str) -> int | None:
        """The version a rollback must find unchanged (None: the entity has no versions)."""
        return None

    def open_link(self, key: str) -> tuple[str, str] | None:
        """A ``(label, url)`` the revisions page offers for a record that exists (None: none)."""
        return None

    def restore(self, key: str, state: dict[str, Any] | None, form: Mapping[str, str]) -> Restored:
        """Roll back to ``state`` (None: delete), recorded as a ``rollback`` revision, and commit.

        The default writes with :meth:`write_state` and commits with
        :meth:`commit`; :class:`RollbackRefused` is shown as the reason, and
        nothing is written.
        """
        try:
            self.write_state(key, state)
        except RollbackRefused as refused:
            get_session().rollback()
            return Restored(422, message=f"Not rolled back. {refused}")
        self.commit()
        return Restored(next_url=url_for(".revisions", entity=self.name, key=key, notice="rolled-back"))

    def write_state(self, key: str, state: dict[str, Any] | None) -> None:
        """Write ``state`` (None: delete) and its ``rollback`` revision; the caller commits."""
        raise NotImplementedError(f"{self.name} is not rolled back")

    def commit(self) -> None:
        """Commit a change of this entity (content also refreshes this process's answers)."""
        commit_content()

    # -- usage ----------------------------------------------------------------------------------------

    def usage(self, key: str) -> Usage:
        """What still names the record ``key`` (nothing by default)."""
        return Usage()

    # -- import and export ----------------------------------------------------------------------------

    def export(self, session: Session) -> list[dict[str, Any]]:
        """Every record, JSON-ready, in the export file's order."""
        return []

    def count(self, session: Session) -> int:
        """How many records there are (the transfer page says so)."""
        return 0

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        """A file's section validated into records ready to write; each error is added to ``problems``."""
        return []

    def import_claims(self, records: Sequence[Any]) -> list[Claim]:
        """Wording in ``records`` that needs the merchant's review tick before it is imported."""
        return []

    def import_checks(self, records: Sequence[Any]) -> ImportChecks:
        """Checks on validated records that need the shop's state (e.g. the test bench)."""
        return ImportChecks()

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        """Write validated records (create or update by key); how many changed. The caller commits."""
        return 0

    def reference_warnings(self, session: Session, catalog: Catalog) -> list[str]:
        """What the stored records point at but the shop does not have (shown after an import)."""
        return []
