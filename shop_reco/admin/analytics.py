"""Admin analytics: impressions, clicks, add-to-carts and click-through rate, by day.

Counts come from ``reco_event`` (what the widgets report) with SQL aggregates,
per rule (``rule_key``), product, exercise and article section; answers by
safety level come from ``reco_recommendation`` (what was shown). Days are UTC
calendar days, bucketed in SQL on both SQLite and PostgreSQL. Charts are SVG
drawn on the server (no JavaScript, nothing from a CDN), each with a title, a
description and the same numbers in a table beside it; the CSV export has
every count by day.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import Date, Select, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from shop_reco import vocabulary
from shop_reco.recommending.catalog import text_for
from shop_reco.state import get_session
from shop_reco.storage.models import Event, Exercise, Product
from shop_reco.storage.models import Recommendation as AnswerRecord

if TYPE_CHECKING:
    from typing import TypeAlias, Unpack

    from shop_reco.state import RecoState

    AnySelect: TypeAlias = Select[Unpack[tuple[Any, ...]]]

DEFAULT_DAYS: Final = 30
#: Rows per page of the ranked tables (rules, products, exercises, sections).
PAGE_SIZE: Final = 50
MAX_DAYS: Final = 366
ITEM_TYPES: Final = vocabulary.ITEM_TYPES
#: CSV cells that a spreadsheet would run as a formula start with one of these.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


K = TypeVar("K")


# -- numbers ----------------------------------------------------------------------------------------


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


def percent(value: float | None) -> str:
    """``0.125`` → ``12.5%``; no impressions → ``—``."""
    return "—" if value is None else f"{value * 100:.1f}%"


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


def parse_range(args: Mapping[str, str], today: date) -> tuple[DateRange, dict[str, list[str]]]:
    """The range asked for in ``start``/``end`` (YYYY-MM-DD), else the last 30 days; errors by field."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, date] = {}
    for name in ("start", "end"):
        text = args.get(name, "").strip()
        if not text:
            continue
        try:
            parsed[name] = date.fromisoformat(text)
        except ValueError:
            errors[name] = [f"{text!r} is not a date; use YYYY-MM-DD"]
    end = parsed.get("end", today)
    start = parsed.get("start", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        errors["end"] = ["must not be before the start"]
        start, end = end, start
    if (end - start).days + 1 > MAX_DAYS:
        errors["start"] = [f"the range may cover at most {MAX_DAYS} days"]
        start = end - timedelta(days=MAX_DAYS - 1)
    return DateRange(start, end), errors


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


# -- charts -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    color: str
    dash: str  # stroke-dasharray, so series differ without colour too
    points: list[tuple[float, float]]
    values: list[int]

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Geometry of one SVG chart; the template draws it."""

    id: str
    title: str
    desc: str
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    dots: bool = True


_SERIES_STYLE: Final = {
    "Impressions": ("#1f5f8b", ""),
    "Clicks": ("#b3541e", "6 3"),
    "Add-to-carts": ("#2e7d32", "2 3"),
}


def axis_step(value: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × 10ⁿ) so that about ``ticks`` steps reach ``value``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step * ticks >= value:
                return m * step
        step *= 10


def axis_top(value: int, step: int) -> int:
    """The axis maximum: ``value`` rounded up to a whole step (at least one step)."""
    return max(step, -(-value // step) * step)


def line_chart(chart_id: str, title: str, days: Sequence[date], named: Iterable[tuple[str, list[int]]]) -> Chart:
    """A line per series over the days; x labels thinned to about six."""
    width, height, left, top, right, bottom = 560, 240, 40, 14, 14, 34
    pw, ph = width - left - right, height - top - bottom
    named = list(named)
    highest = max((max(values, default=0) for _, values in named), default=0)
    tick = axis_step(highest)
    top_value = axis_top(highest, tick)
    step = pw / max(len(days) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(days) > 1 else pw / 2)

    def y(v: int) -> float:
        return top + ph - v / top_value * ph

    series = [
        Series(name, *_SERIES_STYLE.get(name, ("#444", "")), [(x(i), y(v)) for i, v in enumerate(values)], values)
        for name, values in named
    ]
    every = max(1, -(-len(days) // 6))
    labels = [(x(i), d.strftime("%d %b")) for i, d in enumerate(days) if i % every == 0]
    ticks = [(y(v), str(v)) for v in range(0, top_value + 1, tick)]
    totals = ", ".join(f"{s.name.lower()} {sum(s.values)}" for s in series)
    span = f"{days[0].isoformat()} to {days[-1].isoformat()}" if days else "no days"
    desc = f"Daily counts from {span}; totals: {totals}. The table beside the chart has every value."
    return Chart(chart_id, title, desc, width, height, left, top, pw, ph, labels, ticks, series, dots=len(days) <= 62)


def bar_chart(chart_id: str, title: str, values: Mapping[str, int], colors: Mapping[str, str]) -> Chart:
    """Horizontal bars, one per label."""
    width, left, top, bar_height, gap = 560, 90, 8, 26, 10
    height = top * 2 + len(values) * (bar_height + gap)
    pw = width - left - 80
    highest = max(values.values(), default=0)
    top_value = axis_top(highest, axis_step(highest))
    bars = [
        Bar(
            label,
            value,
            left,
            top + n * (bar_height + gap),
            value / top_value * pw,
            bar_height,
            colors.get(label, "#555"),
        )
        for n, (label, value) in enumerate(values.items())
    ]
    desc = "; ".join(f"{label}: {value}" for label, value in values.items()) + "."
    return Chart(chart_id, title, desc, width, height, left, top, pw, height - 2 * top, bars=bars)


SAFETY_COLORS: Final = {"none": "#2e7d32", "consult": "#b7791f", "urgent": "#c53030"}


# -- views ------------------------------------------------------------------------------------------


def _focus(args: Mapping[str, str]) -> Focus:
    if "rule" in args:
        return Focus(rule=args["rule"][:64])
    item_type, item_id = args.get("item_type"), args.get("item_id")
    if item_type in ITEM_TYPES and item_id:
        return Focus(item_type=item_type, item_id=item_id[:200])
    return Focus()


_PAGE_PARAMS: Final = ("rules_page", *(f"{t}_page" for t in ITEM_TYPES))


def _page_number(args: Mapping[str, str], name: str) -> int:
    """The page asked for in ``name`` (1 when absent or not a number; past the last: the last)."""
    text = args.get(name, "")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


def _page_url(focus: Focus, rng: DateRange, args: Mapping[str, str]) -> Any:
    """``page_url(param, number)`` for the template: this view with one table on another page.

    The focus, the days and the other tables' pages stay as they are.
    """
    kept = {name: args[name] for name in _PAGE_PARAMS if _page_number(args, name) > 1}
    days = {"start": rng.start.isoformat(), "end": rng.end.isoformat()}

    def page_url(param: str, number: int) -> str:
        values: dict[str, Any] = {**focus.args(), **days, **kept, param: str(number)}
        return url_for(".analytics", **values)

    return page_url


def _today() -> date:
    return datetime.now(timezone.utc).date()


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def register(bp: Blueprint, state: RecoState) -> None:
    locale = str(state.settings["SHOP_RECO_DEFAULT_LOCALE"])

    @bp.get("/analytics")
    def analytics() -> Any:
        """Counts and CTR per day, rule, product and exercise, and answers by safety level."""
        state.answer_log.flush()  # this process's queued answers; other workers' land within a flush interval
        session = get_session()
        rng, errors = parse_range(request.args, _today())
        focus = _focus(request.args)
        daily = daily_counts(session, rng, focus)
        days = list(daily)
        by_rule = counts_by_rule(session, rng, _page_number(request.args, "rules_page"))
        by_item = counts_by_items(session, rng, {t: _page_number(request.args, f"{t}_page") for t in ITEM_TYPES})
        shown = [(t, key) for t, found in by_item.items() for key, _ in found.rows]
        if focus.item_type is not None and focus.item_id is not None:
            shown.append((focus.item_type, focus.item_id))
        names = item_names(session, locale, shown)
        if focus.rule is not None:
            subject = f"rule {focus.rule}" if focus.rule else "items shown by no rule"
        elif focus.item_id is not None:
            subject = f"{focus.item_type} {names.get((focus.item_type or '', focus.item_id), focus.item_id)}"
        else:
            subject = "all recommendations"
        chart = line_chart(
            "reco-daily",
            f"Impressions, clicks and add-to-carts per day: {subject}",
            days,
            [
                ("Impressions", [c.impressions for c in daily.values()]),
                ("Clicks", [c.clicks for c in daily.values()]),
                ("Add-to-carts", [c.add_to_carts for c in daily.values()]),
            ],
        )
        safety = answers_by_safety(session, rng)
        return render_template(
            "shop_reco/admin/analytics/index.html",
            rng=rng,
            errors=errors,
            focus=focus,
            subject=subject,
            daily=daily,
            total=sum(daily.values(), Counts()),
            chart=chart,
            by_rule=by_rule,
            by_item=by_item,
            page_url=_page_url(focus, rng, request.args),
            names=names,
            safety=safety,
            safety_chart=bar_chart("reco-safety", "Answers by safety level", safety, SAFETY_COLORS),
            percent=percent,
            range_args={"start": rng.start.isoformat(), "end": rng.end.isoformat()},
        ), (400 if errors else 200)

    @bp.get("/analytics/export.csv")
    def analytics_csv() -> Response:
        """Every count by day, rule and item in the range, as CSV."""
        session = get_session()
        rng, _ = parse_range(request.args, _today())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["day", "dimension", "key", "impressions", "clicks", "add_to_carts", "ctr"])
        for d, dimension, key, c in daily_rows(session, rng):
            ctr = "" if c.ctr is None else f"{c.ctr:.4f}"
            writer.writerow([d.isoformat(), dimension, csv_cell(key), c.impressions, c.clicks, c.add_to_carts, ctr])
        filename = f"shop_reco-analytics-{rng.start.isoformat()}-{rng.end.isoformat()}.csv"
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
