"""Admin analytics: impressions, clicks, add-to-carts and click-through rate, by day.

The counts are read by :mod:`shop_reco.storage.analytics_queries` (per rule,
product, exercise and article section, and answers by safety level, in UTC
calendar days). Charts are SVG drawn on the server (no JavaScript, nothing
from a CDN), each with a title, a description and the same numbers in a table
beside it; the CSV export has every count by day.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, Response, render_template, request, url_for

from shop_reco.state import get_session, get_state
from shop_reco.storage.analytics_queries import (
    ITEM_TYPES,
    Counts,
    DateRange,
    Focus,
    Page,
    answers_by_safety,
    counts_by_items,
    counts_by_rule,
    daily_counts,
    daily_rows,
    item_names,
)

if TYPE_CHECKING:
    from shop_reco.state import RecoState

__all__ = [
    "Counts",
    "DateRange",
    "Focus",
    "Page",
    "answers_by_safety",
    "counts_by_items",
    "counts_by_rule",
    "daily_counts",
    "daily_rows",
    "item_names",
    "parse_range",
    "percent",
    "register",
]

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
#: CSV cells that a spreadsheet would run as a formula start with one of these.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


# -- numbers ----------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """``0.125`` → ``12.5%``; no impressions → ``—``."""
    return "—" if value is None else f"{value * 100:.1f}%"


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


def analytics() -> Any:
    """Counts and CTR per day, rule, product and exercise, and answers by safety level."""
    state = get_state()
    state.answer_log.flush()  # this process's queued answers; other workers' land within a flush interval
    locale = str(state.settings["SHOP_RECO_DEFAULT_LOCALE"])
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


def register(bp: Blueprint, state: RecoState) -> None:
    bp.add_url_rule("/analytics", "analytics", analytics)
    bp.add_url_rule("/analytics/export.csv", "analytics_csv", analytics_csv)
