"""Storing experiments and counting what each variant's answers led to.

Starting and stopping an experiment are recorded as revisions (entity
``experiment``, actions ``start`` and ``stop``) in the caller's transaction;
the :class:`~shop_reco.storage.models.Experiment` row is a content model, so
the same flush bumps the content revision and every process picks the change
up as it does a rule edit. Counts come from the answer log
(``reco_recommendation.experiment_key``/``experiment_variant``) and from the
events that name one of those answers (``reco_event.recommendation_id``).

    row = store_started(session, plan_json, actor="ann")
    variant_counts(session, "sitting-plank")["b"].clicks
    # -> 42
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop_reco import vocabulary
from shop_reco.storage.content import record
from shop_reco.storage.models import Event, Experiment
from shop_reco.storage.models import Recommendation as AnswerRecord

ENTITY = "experiment"
RUNNING = "running"
STOPPED = "stopped"


def find_experiment(session: Session, key: str) -> Experiment | None:
    return session.execute(select(Experiment).where(Experiment.key == key)).scalar_one_or_none()


def running_experiment(session: Session) -> Experiment | None:
    """The experiment that is running now, if any (at most one runs at a time)."""
    return session.scalars(
        select(Experiment).where(Experiment.status == RUNNING).order_by(Experiment.started_at.desc()).limit(1)
    ).first()


def all_experiments(session: Session) -> list[Experiment]:
    """Every experiment, the newest first."""
    return list(session.scalars(select(Experiment).order_by(Experiment.started_at.desc(), Experiment.id.desc())))


def experiment_state(row: Experiment) -> dict[str, Any]:
    """What revisions record of an experiment."""
    return {
        "status": row.status,
        "started_at": _iso(row.started_at),
        "stopped_at": _iso(row.stopped_at),
        "variants": row.variants,
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def store_started(session: Session, plan: Mapping[str, Any], *, actor: str | None) -> Experiment:
    """Insert a running experiment from a validated plan's JSON and record the start; the caller commits."""
    row = Experiment(
        key=plan["key"],
        status=RUNNING,
        started_at=datetime.now(timezone.utc),
        variants=list(plan["variants"]),
        started_by=actor,
    )
    session.add(row)
    session.flush()
    record(session, ENTITY, row.key, "start", None, experiment_state(row), actor)
    return row


def store_stopped(session: Session, row: Experiment, *, actor: str | None) -> None:
    """Mark ``row`` stopped now and record the stop; the caller commits."""
    before = experiment_state(row)
    row.status = STOPPED
    row.stopped_at = datetime.now(timezone.utc)
    session.flush()
    record(session, ENTITY, row.key, "stop", before, experiment_state(row), actor)


@dataclass(frozen=True, slots=True)
class VariantCounts:
    """What one variant's answers led to."""

    answers: int = 0
    impressions: int = 0
    clicks: int = 0
    add_to_carts: int = 0


_EVENT_FIELDS = dict(zip(vocabulary.EVENT_KINDS, ("impressions", "clicks", "add_to_carts"), strict=True))


def variant_counts(session: Session, key: str) -> dict[str, VariantCounts]:
    """Answers and events per variant of experiment ``key`` (variants with none are absent)."""
    found: dict[str, dict[str, int]] = {}
    answers = (
        select(AnswerRecord.experiment_variant, func.count())
        .where(AnswerRecord.experiment_key == key)
        .group_by(AnswerRecord.experiment_variant)
    )
    for variant, count in session.execute(answers):
        found.setdefault(str(variant), {})["answers"] = int(count)
    events = (
        select(AnswerRecord.experiment_variant, Event.kind, func.count())
        .join(AnswerRecord, AnswerRecord.id == Event.recommendation_id)
        .where(AnswerRecord.experiment_key == key)
        .group_by(AnswerRecord.experiment_variant, Event.kind)
    )
    for variant, kind, count in session.execute(events):
        name = _EVENT_FIELDS.get(kind)
        if name is not None:
            found.setdefault(str(variant), {})[name] = int(count)
    return {variant: VariantCounts(**values) for variant, values in found.items()}
