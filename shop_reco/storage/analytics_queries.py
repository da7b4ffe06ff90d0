"""Analytics queries: event counts per day, rule and item, and answers by safety level.

Counts come from ``reco_event`` (what the widgets report) with SQL aggregates,
per rule (``rule_key``), product, exercise and article section; answers by
safety level come from ``reco_recommendation`` (what was shown). Days are UTC
calendar days, bucketed in SQL on both SQLite and PostgreSQL. The admin's
analytics page (:mod:`shop_reco.admin.analytics`) draws them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from sqlalchemy import Date, Select, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from shop_reco import vocabulary
from shop_reco.recommending.catalog import text_for
from shop_reco.storage.models import Event, Exercise, Product
from shop_reco.storage.models import Recommendation as AnswerRecord

if TYPE_CHECKING:
    from typing import TypeAlias, Unpack

    AnySelect: TypeAlias = Select[Unpack[tuple[Any, ...]]]

#: Rows per page of the ranked tables (rules, products, exercises, sections).
PAGE_SIZE: Final = 50
ITEM_TYPES: Final = vocabulary.ITEM_TYPES

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Counts:
    """Event counts for one day, rule or item; ``ctr`` is clicks per impression."""

    impressions: int = 0
    clicks: int = 0
    add_to_carts: int = 0

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.add_to_carts + other.add_to_carts,
        )


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive UTC calendar days ``start``..``end``."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00, day after end 00:00)`` in UTC."""
        return (
            datetime.combine(self.start, time(), timezone.utc),
            datetime.combine(self.end + timedelta(days=1), time(), timezone.utc),
        )

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


# -- queries ----------------------------------------------------------------------------------------


def _day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp, as SQL: the same buckets on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)  # timestamptz -> UTC wall time -> date
    return func.date(column)  # SQLite stores UTC text; date() takes its calendar day


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _sums() -> list[Any]:
    return [func.coalesce(func.sum(case((Event.kind == kind, 1), else_=0)), 0) for kind in vocabulary.EVENT_KINDS]


@dataclass(frozen=True, slots=True)
class Focus:
    """What the daily series is about: everything, one rule, or one item."""

    rule: str | None = None
    item_type: str | None = None
    item_id: str | None = None

    @property
    def is_all(self) -> bool:
        return self.rule is None and self.item_id is None

    def where(self, query: AnySelect) -> AnySelect:
        if self.rule is not None:
            query = query.where(Event.rule_key == self.rule) if self.rule else query.where(Event.rule_key.is_(None))
        if self.item_type is not None and self.item_id is not None:
            query = query.where(Event.item_type == self.item_type, Event.item_id == self.item_id)
        return query

    def args(self) -> dict[str, str]:
        if self.rule is not None:
            return {"rule": self.rule}
        if self.item_id is not None and self.item_type is not None:
            return {"item_type": self.item_type, "item_id": self.item_id}
        return {}


def _in_range(query: AnySelect, rng: DateRange, column: Any = Event.created_at) -> AnySelect:
    start, end = rng.bounds
    return query.where(column >= start, column < end)


def daily_counts(session: Session, rng: DateRange, focus: Focus = Focus()) -> dict[date, Counts]:
    """Counts per day of the range (days without events are zero)."""
    day = _day(session, Event.created_at).label("day")
    query = focus.where(_in_range(select(day, *_sums()), rng)).group_by(day)
    found = {_as_date(d): Counts(int(i), int(c), int(a)) for d, i, c, a in session.execute(query)}
    return {d: found.get(d, Counts()) for d in rng.days()}


@dataclass(frozen=True, slots=True)
class Page(Generic[K]):
    """One page of a ranked table: its rows, its number (from 1) and how many rows there are in all."""

    rows: list[tuple[K, Counts]]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_rank(self) -> int:
        return (self.number - 1) * self.size + 1


def _ranked(grouped: Any, partition: Any = None) -> tuple[Any, Any]:
    """Each group's rank (impressions, clicks, key) and how many groups there are, per ``partition``."""
    key = grouped.c.key
    order = (grouped.c.impressions.desc(), grouped.c.clicks.desc(), key.is_(None), key)
    rank = func.row_number().over(partition_by=partition, order_by=order).label("rank")
    total = func.count().over(partition_by=partition).label("total")
    return rank, total


def _grouped(rng: DateRange, *keys: Any) -> Any:
    """Event counts grouped by ``keys`` (the last one labelled ``key``) within the range, as a subquery."""
    sums = [s.label(n) for s, n in zip(_sums(), ("impressions", "clicks", "add_to_carts"), strict=True)]
    labelled = [*keys[:-1], keys[-1].label("key")]
    return _in_range(select(*labelled, *sums), rng).group_by(*keys).subquery()


def _counts(row: Any) -> Counts:
    return Counts(int(row.impressions), int(row.clicks), int(row.add_to_carts))


def counts_by_rule(session: Session, rng: DateRange, page: int = 1, size: int = PAGE_SIZE) -> Page[str | None]:
    """Counts per rule key (None: items shown by no rule), most impressions first; one page.

    Ranked, counted and cut in one SQL statement: a table of 20,000 keys costs the
    database one scan and a sort, the page only its ``size`` rows.
    """
    grouped = _grouped(rng, Event.rule_key)
    rank, total = _ranked(grouped)
    ranked = select(grouped, rank, total).subquery()
    pages = {None: page}
    found = _pages(session, ranked, pages, size)
    return found.get(None) or Page([], 1, 0, size)


def counts_by_items(
    session: Session, rng: DateRange, pages: Mapping[str, int] | None = None, size: int = PAGE_SIZE
) -> dict[str, Page[str]]:
    """One page of counts per item of each type in ``ITEM_TYPES``, most impressions first, in one scan."""
    grouped = _grouped(rng, Event.item_type, Event.item_id)
    rank, total = _ranked(grouped, grouped.c.item_type)
    ranked = select(grouped, rank, total).subquery()
    wanted = {t: (pages or {}).get(t, 1) for t in ITEM_TYPES}
    found = _pages(session, ranked, wanted, size, ranked.c.item_type)
    return {t: found.get(t) or Page([], 1, 0, size) for t in ITEM_TYPES}


def _pages(
    session: Session, ranked: Any, wanted: Mapping[Any, int], size: int, partition: Any = None
) -> dict[Any, Page[Any]]:
    """The rows of the wanted page of each partition; a page past the end is the last one."""

    def read(numbers: Mapping[Any, int]) -> dict[Any, Page[Any]]:
        windows = [
            (ranked.c.rank > (n - 1) * size) & (ranked.c.rank <= n * size) & (True if p is None else partition == p)
            for p, n in numbers.items()
        ]
        query = (
            select(ranked).where(or_(*windows)).order_by(*([partition] if partition is not None else []), ranked.c.rank)
        )
        found: dict[Any, Page[Any]] = {}
        for row in session.execute(query):
            p = None if partition is None else row.item_type
            if p not in found:
                found[p] = Page([], numbers[p], int(row.total), size)
            found[p].rows.append((row.key, _counts(row)))
        return found

    found = read(wanted)
    # A page past the end (an old link after a narrower range): count, then show the last page.
    beyond = {p: n for p, n in wanted.items() if n > 1 and p not in found}
    if beyond:
        totals = dict(
            session.execute(
                select(partition if partition is not None else literal(None), func.max(ranked.c.total)).group_by(
                    *([partition] if partition is not None else [])
                )
            ).all()
        )
        last = {p: max(1, -(-int(totals.get(p) or 0) // size)) for p in beyond}
        found.update(read({p: n for p, n in last.items() if totals.get(p)}))
    return found


def daily_rows(session: Session, rng: DateRange) -> list[tuple[date, str, str, Counts]]:
    """``(day, dimension, key, counts)`` for every day, rule and item with events: the CSV's rows."""
    day = _day(session, Event.created_at).label("day")
    rows: list[tuple[date, str, str, Counts]] = []
    for d, counts in daily_counts(session, rng).items():
        rows.append((d, "all", "", counts))
    by_rule = _in_range(select(day, Event.rule_key, *_sums()), rng).group_by(day, Event.rule_key)
    for d, key, i, c, a in session.execute(by_rule):
        rows.append((_as_date(d), "rule", key or "", Counts(int(i), int(c), int(a))))
    by_item = _in_range(select(day, Event.item_type, Event.item_id, *_sums()), rng).group_by(
        day, Event.item_type, Event.item_id
    )
    for d, item_type, key, i, c, a in session.execute(by_item):
        rows.append((_as_date(d), str(item_type), key, Counts(int(i), int(c), int(a))))
    order = {"all": 0, "rule": 1, "product": 2, "exercise": 3, "section": 4}
    return sorted(rows, key=lambda r: (r[0], order.get(r[1], 9), r[1], r[2]))


def answers_by_safety(session: Session, rng: DateRange) -> dict[str, int]:
    """How many answers were shown at each safety level (none, consult, urgent)."""
    query = _in_range(select(AnswerRecord.safety_level, func.count()), rng, AnswerRecord.created_at).group_by(
        AnswerRecord.safety_level
    )
    found = {str(level): int(n) for level, n in session.execute(query)}
    levels = {level: found.pop(level, 0) for level in vocabulary.SAFETY_LEVELS}
    return {**levels, **found}


def item_names(session: Session, locale: str, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Display names of the products and exercises in ``wanted`` ((type, id) pairs), for the tables.

    Only the items on the page are read, not the whole catalogue.
    """
    wanted = set(wanted)
    names: dict[tuple[str, str], str] = {}
    for kind, model, key in (("product", Product, Product.sku), ("exercise", Exercise, Exercise.slug)):
        ids = sorted(i for t, i in wanted if t == kind)
        if ids:
            for item_id, text in session.execute(select(key, model.text).where(key.in_(ids))):
                names[(kind, item_id)] = text_for(text, locale).get("name", item_id)
    return names
